//! The journal print (the archive copy of a class's journals): lessons, marks, attendance,
//! members and final marks of every group whose journal belongs to the class.

use super::gather::{AbsenceRow, FinalRow, LessonRow, MarkRow, lesson_sql};
use super::gather::{absence_facts, final_facts, lesson_facts, mark_facts};
use super::{AbsenceFact, FinalFact, LessonFact, MarkFact, Pupil};
use crate::{Conn, Result};
use serde::Serialize;
use tabel_domain::{GroupId, PersonId};
use time::Date;

/// The groups whose journals belong to a class: the class, its subgroups, the streams it draws
/// from. `$1` is the class.
macro_rules! class_groups {
    () => {
        "SELECT g.id FROM study_groups g WHERE g.id = $1 OR g.parent_group_id = $1 \
         OR g.id IN (SELECT sc.stream_id FROM stream_classes sc WHERE sc.class_id = $1)"
    };
}

/// Every lesson in the range of the class's journals (class, subgroups, streams).
pub async fn journal_lessons(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
) -> Result<Vec<LessonFact>> {
    const SQL: &str = lesson_sql!(
        class_groups!(),
        "AND l.on_date >= $2 AND l.on_date <= $3 ORDER BY l.on_date, l.number, l.id"
    );
    lesson_facts(fetch_all!(conn, LessonRow, SQL, class.get(), from, to)?)
}

/// Every mark in the range of the class's journals.
pub async fn journal_marks(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
) -> Result<Vec<MarkFact>> {
    const SQL: &str = concat!(
        "SELECT student_id, group_id, subject_id, lesson_id, on_date, value, work_type, weight FROM marks ",
        "WHERE group_id IN (",
        class_groups!(),
        ") AND on_date >= $2 AND on_date <= $3 ORDER BY on_date, id"
    );
    mark_facts(fetch_all!(conn, MarkRow, SQL, class.get(), from, to)?)
}

/// Every attendance record in the range on the class's journals' lessons.
pub async fn journal_attendance(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
) -> Result<Vec<AbsenceFact>> {
    const SQL: &str = concat!(
        "SELECT a.student_id, a.lesson_id, a.code, a.minutes_late FROM attendance a JOIN lessons l ON l.id = a.lesson_id ",
        "WHERE l.group_id IN (",
        class_groups!(),
        ") AND l.on_date >= $2 AND l.on_date <= $3 ORDER BY a.lesson_id, a.id"
    );
    Ok(absence_facts(fetch_all!(
        conn,
        AbsenceRow,
        SQL,
        class.get(),
        from,
        to
    )?))
}

/// A member of one of the class's journals' groups in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    /// The group.
    pub group: GroupId,
    /// The pupil.
    pub pupil: Pupil,
}

/// The members in the range of every group of the class's journals, by group and journal
/// order (a pupil who left and came back is one line with the widest dates).
pub async fn journal_members(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
) -> Result<Vec<GroupMember>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
        birth_date: Option<Date>,
        starts_on: Date,
        ends_on: Option<Date>,
    }
    const SQL: &str = concat!(
        "SELECT m.group_id, p.id, p.last_name, p.first_name, p.middle_name, p.birth_date, m.starts_on, m.ends_on ",
        "FROM memberships m JOIN persons p ON p.id = m.student_id WHERE m.group_id IN (",
        class_groups!(),
        ") AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $2) ORDER BY m.group_id, p.sort_key, p.id, m.starts_on"
    );
    let mut out: Vec<GroupMember> = Vec::new();
    for r in fetch_all!(conn, Row, SQL, class.get(), from, to)? {
        if let Some(last) = out
            .last_mut()
            .filter(|m| m.group.get() == r.group_id && m.pupil.id.get() == r.id)
        {
            last.pupil.to = match (last.pupil.to, r.ends_on) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            continue;
        }
        out.push(GroupMember {
            group: GroupId::new(r.group_id),
            pupil: Pupil {
                id: PersonId::new(r.id),
                last_name: r.last_name,
                first_name: r.first_name,
                middle_name: r.middle_name,
                birth_date: r.birth_date,
                from: r.starts_on,
                to: r.ends_on,
            },
        });
    }
    Ok(out)
}

/// The final marks of a year (`$2`) of every member of the class's journals' groups.
pub async fn journal_finals(
    conn: &mut Conn<'_>,
    class: GroupId,
    year: tabel_domain::AcademicYearId,
) -> Result<Vec<FinalFact>> {
    const SQL: &str = concat!(
        "SELECT f.student_id, f.subject_id, f.slot, f.value, ",
        "CAST(CASE WHEN f.published_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS published FROM final_marks f ",
        "WHERE f.academic_year_id = $2 AND f.student_id IN (SELECT m.student_id FROM memberships m WHERE m.group_id IN (",
        class_groups!(),
        ")) ORDER BY f.student_id, f.subject_id, f.slot"
    );
    Ok(final_facts(fetch_all!(
        conn,
        FinalRow,
        SQL,
        class.get(),
        year.get()
    )?))
}
