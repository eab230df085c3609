//! Exam results (регламент, п. 6): the school imports ОГЭ, ЕГЭ, ВПР, собеседование and school
//! exam results from the CSV or XLSX it receives, with the time it received them; each result
//! becomes visible to the pupil and the consenting parents when published — at import, or
//! later — and must be within a day of receipt. The dashboard of overdue publications lists
//! every result past that day and still unpublished, and those published late in the last
//! week, each with who of the family has not been informed and how they can be (the diary, or
//! paper for a family without the diary consent).
//!
//! Administrators and deputy heads import and publish; the command line imports as the
//! system. A file with any error — a bad cell, a pupil the school does not have or cannot tell
//! apart from a namesake, a result already stored — is refused whole, every error naming its
//! row and column. Each result written and each publication is audited; each publication emits
//! `exam.result_published` for the notifier.
//!
//! "Now" here is the deployment's clock ([`App::now`]): real time, or — when the deployment
//! pins "today" (the demo, tests) — that day at the current time of day, so that the day to
//! publish runs against the same calendar as everything else.

use crate::{App, AppError, Client, FieldErrors, check};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use tabel_domain::ExamResultId;
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::exams::{
    self as rules, ExamErrors, ExamKind, ParsedExams, Publication, PupilIndex,
};
use tabel_domain::school::{ConsentState, Relation, Role};
use tabel_domain::table::CellError;
use tabel_domain::text::sort_key;
use tabel_domain::{PersonId, SchoolId, UserId};
use tabel_present::rfc3339;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::exams::{self as repo, ExamBatch, ExamResult, NewBatch, NewResult};
use tabel_store::school as school_repo;
use tabel_store::{Conn, outbox};
use time::{Duration, OffsetDateTime};

mod desk;
mod import;
mod publish;

pub use desk::*;
pub use import::*;
pub use publish::*;

/// Audits a result written (and announces it when it is published), for the other features
/// that write results (exam marks entered by hand).
pub(crate) async fn announce_result(
    c: &mut Conn<'_>,
    actor: Option<UserId>,
    r: &ExamResult,
    action: &str,
    client: &Client,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    publish::announce(c, actor, r, action, client, at).await
}

/// The largest file accepted (a school's results are a few hundred kilobytes).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// The most results one publication request may name.
pub const MAX_PUBLISH_IDS: usize = 5000;
/// How far ahead of the clock a receipt time may be (clocks differ a little).
const RECEIPT_SKEW: Duration = Duration::minutes(10);
/// Pupils who left this long before the receipt still match (summer exams come after leaving).
const LEAVERS_MATCH_DAYS: i64 = 92;
/// Batches the exams page lists.
const BATCHES_LISTED: i64 = 30;

/// Whether `p` imports and publishes a school's exam results: administrators, deputy heads.
pub fn manages(p: &Principal, school: SchoolId) -> bool {
    p.is_admin_of(school) || p.has_role(Role::Deputy, school)
}

/// Refusal for someone who does not manage a school's exams: 403 for anyone with a role there,
/// 404 for strangers.
fn refuse(p: &Principal, school: SchoolId) -> AppError {
    if p.schools().contains(&school) {
        AppError::Forbidden
    } else {
        AppError::NotFound
    }
}

/// The school `p` manages exams of: the one asked for, or the only one.
fn managed_school(p: &Principal, wanted: Option<SchoolId>) -> Result<SchoolId, AppError> {
    match wanted {
        Some(s) if manages(p, s) => Ok(s),
        Some(s) => Err(refuse(p, s)),
        None => {
            let mine: Vec<SchoolId> = p.schools().into_iter().filter(|s| manages(p, *s)).collect();
            match mine.as_slice() {
                [one] => Ok(*one),
                [] => Err(AppError::Forbidden),
                _ => Err(AppError::invalid(
                    "school_id",
                    "you manage exams of several schools: choose one",
                )),
            }
        }
    }
}

/// The errors of a refused file as field errors: `row 7, column «Отметка»` → the message.
fn field_errors(e: &ExamErrors) -> AppError {
    let mut out = FieldErrors::new();
    for c in &e.0 {
        out.entry(c.place())
            .and_modify(|m: &mut String| {
                m.push_str("; ");
                m.push_str(&c.message);
            })
            .or_insert_with(|| c.message.clone());
    }
    AppError::Invalid(out)
}

/// Reads an exam file (XLSX, the first sheet, or CSV) with the one reader of uploads.
pub fn read_exam_file(kind: ExamKind, bytes: &[u8]) -> Result<ParsedExams, ExamErrors> {
    let too_many = format!(
        "too many rows: a file has at most {} result rows",
        rules::MAX_ROWS
    );
    let spec = crate::upload::Spec {
        caps: rules::CAPS,
        max_bytes: MAX_FILE_BYTES,
        too_many_rows: &too_many,
    };
    let rows = crate::upload::read_table(bytes, &spec).map_err(|e| ExamErrors(vec![e]))?;
    rules::parse_rows(kind, rows)
}

fn result_json(r: &ExamResult) -> serde_json::Value {
    serde_json::json!({
        "id": r.id.to_string(), "batch_id": r.batch.map(|b| b.to_string()),
        "student_id": r.student.to_string(), "exam": r.exam.code(),
        "subject_id": r.subject.map(|s| s.to_string()), "subject": r.subject_name,
        "taken_on": r.taken_on.map(|d| d.to_string()), "score": r.score, "mark": r.mark.code(),
        "received_at": rfc3339(r.received_at), "published_at": r.published_at.map(rfc3339),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tabel_domain::exams::ExamMark;

    use crate::test_support::xlsx;

    #[test]
    fn an_xlsx_first_sheet_is_read_with_numbers_and_date_cells() {
        let bytes = xlsx(
            &[
                &["Результаты ОГЭ"],
                &[],
                &["ФИО", "Предмет", "Дата", "Первичный балл", "Отметка"],
                &["Петров Иван", "Математика"],
            ],
            &[(3, 3, 22.0), (3, 4, 4.0)],
            &[(3, 2)],
        );
        let p = read_exam_file(ExamKind::Oge, &bytes).unwrap();
        assert_eq!(p.rows.len(), 1);
        let r = &p.rows[0];
        assert_eq!(r.row, 4);
        assert_eq!(r.taken_on, Some(time::macros::date!(2027 - 06 - 03)));
        assert_eq!((r.score, r.mark), (Some(22), ExamMark::Mark(4)));
    }

    #[test]
    fn xlsx_errors_name_the_spreadsheet_row_and_garbage_is_refused() {
        let bytes = xlsx(
            &[
                &[],
                &["ФИО", "Предмет", "Отметка"],
                &["Петров Иван", "Физика", "7"],
            ],
            &[],
            &[],
        );
        let e = read_exam_file(ExamKind::Oge, &bytes).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "row 3, column «Отметка»: «7» is not a mark from 2 to 5"
        );
        let e = read_exam_file(ExamKind::Oge, b"PK\x03\x04garbage").unwrap_err();
        assert!(e.0[0].message.contains("XLSX"));
    }

    #[test]
    fn only_administrators_and_deputies_manage_and_must_choose_among_schools() {
        let s = SchoolId::new(1);
        let other = SchoolId::new(2);
        let p = |grants: Vec<(Role, SchoolId)>| Principal {
            user: UserId::new(1),
            person: None,
            grants,
            class_teacher_of: Vec::new(),
            children: Vec::new(),
            student_in: None,
            pupils: Vec::new(),
            student_consent: false,
        };
        assert_eq!(
            managed_school(&p(vec![(Role::Deputy, s)]), None).unwrap(),
            s
        );
        assert!(matches!(
            managed_school(&p(vec![(Role::Teacher, s)]), Some(s)),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            managed_school(&p(vec![(Role::Admin, s)]), Some(other)),
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            managed_school(&p(vec![(Role::Admin, s), (Role::Admin, other)]), None),
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            managed_school(&p(Vec::new()), None),
            Err(AppError::Forbidden)
        ));
    }
}
