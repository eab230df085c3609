//! Which journals (group × subject) there are and who keeps them: a teacher's, a class's.

use crate::{Conn, Result};
use tabel_domain::{GroupId, PersonId, SubjectId};

/// Whether a teacher is assigned to teach a subject in a group this year.
pub async fn is_assigned(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    group: GroupId,
    subject: SubjectId,
) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM teaching_assignments WHERE teacher_id = $1 AND group_id = $2 AND subject_id = $3";
    Ok(fetch_scalar!(conn, i64, SQL, teacher.get(), group.get(), subject.get())? > 0)
}

/// Every journal (group × subject) a teacher is assigned to, of any year: one query where a
/// list would otherwise ask [`is_assigned`] once per row.
pub async fn assigned_journals(
    conn: &mut Conn<'_>,
    teacher: PersonId,
) -> Result<std::collections::HashSet<(GroupId, SubjectId)>> {
    const SQL: &str = "SELECT group_id, subject_id FROM teaching_assignments WHERE teacher_id = $1";
    Ok(fetch_all!(conn, (i64, i64), SQL, teacher.get())?
        .into_iter()
        .map(|(g, s)| (GroupId::new(g), SubjectId::new(s)))
        .collect())
}

/// The journals (group × subject) a teacher keeps in a year: assignments, by group order.
pub async fn journals_of_teacher(
    conn: &mut Conn<'_>,
    teacher: PersonId,
    year: tabel_domain::AcademicYearId,
) -> Result<Vec<(GroupId, String, SubjectId, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        group_name: String,
        subject_id: i64,
        subject_name: String,
    }
    const SQL: &str = "SELECT ta.group_id, g.name AS group_name, ta.subject_id, s.name AS subject_name \
         FROM teaching_assignments ta JOIN study_groups g ON g.id = ta.group_id JOIN subjects s ON s.id = ta.subject_id \
         WHERE ta.teacher_id = $1 AND ta.academic_year_id = $2 ORDER BY g.sort_key, s.sort_order";
    Ok(fetch_all!(conn, Row, SQL, teacher.get(), year.get())?
        .into_iter()
        .map(|r| {
            (
                GroupId::new(r.group_id),
                r.group_name,
                SubjectId::new(r.subject_id),
                r.subject_name,
            )
        })
        .collect())
}

pub use tabel_domain::journal::ClassJournal;

/// The journals of a class (its own, its subgroups', its streams'), by subject order: one
/// query.
pub async fn journals_of_class(conn: &mut Conn<'_>, class: GroupId) -> Result<Vec<ClassJournal>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        group_id: i64,
        group_name: String,
        subject_id: i64,
        subject_name: String,
        teacher_id: i64,
        last_name: String,
        first_name: String,
        middle_name: Option<String>,
    }
    const SQL: &str = "SELECT DISTINCT ta.group_id, g.name AS group_name, ta.subject_id, s.name AS subject_name, \
         ta.teacher_id, p.last_name, p.first_name, p.middle_name, s.sort_order, g.sort_key \
         FROM teaching_assignments ta JOIN study_groups g ON g.id = ta.group_id \
         JOIN subjects s ON s.id = ta.subject_id JOIN persons p ON p.id = ta.teacher_id \
         WHERE g.id = $1 OR g.parent_group_id = $1 \
            OR g.id IN (SELECT stream_id FROM stream_classes WHERE class_id = $1) \
         ORDER BY s.sort_order, g.sort_key, ta.teacher_id";
    Ok(fetch_all!(conn, Row, SQL, class.get())?
        .into_iter()
        .map(|r| ClassJournal {
            group: GroupId::new(r.group_id),
            group_name: r.group_name,
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name,
            teacher: PersonId::new(r.teacher_id),
            teacher_name: match r.middle_name {
                Some(m) if !m.is_empty() => format!("{} {} {m}", r.last_name, r.first_name),
                _ => format!("{} {}", r.last_name, r.first_name),
            },
        })
        .collect())
}
