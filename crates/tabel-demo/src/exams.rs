//! Exam results (regulation point 6): one batch of the autumn ВПР in mathematics for grade 5,
//! written about ten days before "today" and received by the school three days before it, so
//! that the dashboard of overdue publications has something to show:
//!
//! - the first 5th-grade class (5А, where the `parent`, `student` and `refuser` demo accounts'
//!   children study) was published three hours after receipt — except the `refuser`'s child's
//!   result, held back and now overdue (the dashboard lists the mother as informed on paper);
//! - in every other class the first half of the list was published late, thirty hours after
//!   receipt, and the rest never: overdue.
//!
//! Primary scores run 0–20 (the work's maximum); the mark follows the usual ВПР scale
//! (0–4 → 2, 5–9 → 3, 10–14 → 4, 15–20 → 5).

use crate::curriculum::SubjectCode;
use crate::model::*;
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError};
use tabel_domain::exams::{ExamKind, ExamMark};
use tabel_store::Conn;
use tabel_store::exams::{self as repo, NewBatch, NewResult};
use time::{Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The file the batch pretends to come from.
const FILE_NAME: &str = "ВПР-2026-осень-математика-5.xlsx";

/// The ВПР mark of a primary score out of 20.
fn mark_of(score: u16) -> ExamMark {
    ExamMark::Mark(match score {
        0..=4 => 2,
        5..=9 => 3,
        10..=14 => 4,
        _ => 5,
    })
}

/// When the school received the results: 11:00 Moscow time three days before "today".
fn received_at(ctx: &Ctx<'_>) -> Result<OffsetDateTime, DemoError> {
    let bad = |e: time::error::ComponentRange| DemoError::Invalid(e.to_string());
    let local = PrimitiveDateTime::new(
        ctx.today - Duration::days(3),
        Time::from_hms(11, 0, 0).map_err(bad)?,
    );
    Ok(local
        .assume_offset(UtcOffset::from_hms(3, 0, 0).map_err(bad)?)
        .to_offset(UtcOffset::UTC))
}

/// Writes the batch; the number of results. Nothing before the third week of the year (the
/// autumn ВПР come later) or without a 5th grade.
pub(crate) async fn results(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &DemoSchool,
    rng: &mut SplitMix64,
) -> Result<u64, DemoError> {
    let taken_on = ctx.calendar.next_school_day(ctx.today - Duration::days(12));
    let received = received_at(ctx)?;
    if taken_on < school.year.starts_on + Duration::days(14) || taken_on >= ctx.today {
        return Ok(0);
    }
    let mut classes: Vec<&DemoClass> = school.classes.iter().filter(|c| c.grade == 5).collect();
    classes.sort_by_key(|c| c.letter);
    let Some(subject) = school.subject_id(SubjectCode::Mathematics) else {
        return Ok(0);
    };
    if classes.is_empty() {
        return Ok(0);
    }
    let refuser_children: Vec<usize> = school
        .families
        .iter()
        .filter(|f| f.role == FamilyRole::Refuser)
        .flat_map(|f| f.children.iter().copied())
        .collect();
    // (class position, pupil, in the first half of the class's list)
    let mut rows: Vec<(usize, usize, bool)> = Vec::new();
    for (ci, class) in classes.iter().enumerate() {
        let members: Vec<usize> = class
            .members
            .iter()
            .filter(|m| m.covers(taken_on))
            .map(|m| m.student)
            .collect();
        let half = members.len().div_ceil(2);
        rows.extend(
            members
                .into_iter()
                .enumerate()
                .map(|(i, s)| (ci, s, i < half)),
        );
    }
    let batch = repo::insert_batch(
        c,
        &NewBatch {
            school: school.id,
            year: school.year.id,
            exam: ExamKind::Vpr,
            file_name: FILE_NAME,
            // Not a file's hash (there is no file): it can never equal one.
            sha256: &format!("demo:{}:{}", school.id, ctx.today),
            received_at: received,
            imported_by: None,
            imported_at: received + Duration::minutes(40),
            rows: rows.len(),
        },
    )
    .await?;
    let mut written = 0u64;
    for (ci, student, first_half) in rows {
        let Some(pupil) = school.students.get(student) else {
            continue;
        };
        // Two halves of the work, each 0–10: most pupils land in the middle.
        let score = u16::try_from(rng.between(0, 10) + rng.between(0, 10)).unwrap_or(10);
        let published_at = match (ci, first_half) {
            (0, _) if refuser_children.contains(&student) => None,
            (0, _) => Some(received + Duration::hours(3)),
            (_, true) => Some(received + Duration::hours(30)),
            (_, false) => None,
        };
        repo::insert_result(
            c,
            &NewResult {
                school: school.id,
                year: school.year.id,
                batch: Some(batch.get()),
                student: pupil.person.id,
                exam: ExamKind::Vpr,
                subject: Some(subject),
                subject_name: SubjectCode::Mathematics.name(),
                taken_on: Some(taken_on),
                score: Some(score),
                mark: mark_of(score),
                source: FILE_NAME,
                received_at: received,
                imported_by: None,
                published_at,
            },
        )
        .await?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vpr_scale_turns_scores_into_marks() {
        let marks: Vec<ExamMark> = [0, 4, 5, 9, 10, 14, 15, 20]
            .into_iter()
            .map(mark_of)
            .collect();
        let want = [2, 2, 3, 3, 4, 4, 5, 5].map(ExamMark::Mark);
        assert_eq!(marks, want);
    }
}
