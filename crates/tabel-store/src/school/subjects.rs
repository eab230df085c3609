//! Subjects and the curriculum (hours per subject for a parallel or a group).

use super::small;
use crate::{Conn, Result, StoreError};
use tabel_domain::calendar;
use tabel_domain::*;

pub use tabel_domain::school::Subject;

#[derive(sqlx::FromRow)]
struct SubjectRow {
    id: i64,
    name: String,
    short_name: String,
}

const INSERT_SUBJECT: &str = "INSERT INTO subjects (school_id, name, short_name, sort_order) \
     VALUES ($1, $2, $3, $4) RETURNING id";
/// Adds a subject.
pub async fn insert_subject(
    conn: &mut Conn<'_>,
    school: SchoolId,
    name: &str,
    short_name: &str,
    sort_order: i64,
) -> Result<SubjectId> {
    Ok(SubjectId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_SUBJECT,
        school.get(),
        name,
        short_name,
        sort_order
    )?))
}

const SELECT_SUBJECTS: &str =
    "SELECT id, name, short_name FROM subjects WHERE school_id = $1 ORDER BY sort_order, id";
/// The subjects of a school in curriculum order.
pub async fn list_subjects(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<Subject>> {
    Ok(fetch_all!(conn, SubjectRow, SELECT_SUBJECTS, school.get())?
        .into_iter()
        .map(|r| Subject {
            id: SubjectId::new(r.id),
            name: r.name,
            short_name: r.short_name,
        })
        .collect())
}

/// A new curriculum line: for a whole parallel (grade) or one group.
#[derive(Debug, Clone)]
pub struct NewCurriculumItem {
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// For a parallel…
    pub grade: Option<u8>,
    /// …or a group (class, subgroup, stream, ИУП).
    pub group: Option<GroupId>,
    /// The subject.
    pub subject: SubjectId,
    /// Hours a week.
    pub weekly: calendar::WeeklyHours,
    /// Hours a year.
    pub yearly: u16,
}

const INSERT_CURRICULUM: &str = "INSERT INTO curriculum_items (school_id, academic_year_id, grade, group_id, subject_id, hours_per_week_tenths, hours_per_year) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
/// Adds a curriculum line.
pub async fn insert_curriculum_item(
    conn: &mut Conn<'_>,
    c: &NewCurriculumItem,
) -> Result<CurriculumItemId> {
    Ok(CurriculumItemId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_CURRICULUM,
        c.school.get(),
        c.year.get(),
        c.grade.map(i64::from),
        c.group.map(GroupId::get),
        c.subject.get(),
        i64::from(c.weekly.tenths()),
        i64::from(c.yearly)
    )?))
}

pub use tabel_domain::school::CurriculumLine;

#[derive(sqlx::FromRow)]
struct CurriculumRow {
    grade: Option<i64>,
    group_name: Option<String>,
    subject: String,
    tenths: i64,
    yearly: i64,
}

const SELECT_CURRICULUM: &str = "SELECT c.grade, g.name AS group_name, s.name AS subject, c.hours_per_week_tenths AS tenths, c.hours_per_year AS yearly \
     FROM curriculum_items c JOIN subjects s ON s.id = c.subject_id LEFT JOIN study_groups g ON g.id = c.group_id \
     WHERE c.academic_year_id = $1 ORDER BY COALESCE(c.grade, g.grade), g.sort_key, s.sort_order";
/// The curriculum of a year.
pub async fn list_curriculum(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<CurriculumLine>> {
    fetch_all!(conn, CurriculumRow, SELECT_CURRICULUM, year.get())?
        .into_iter()
        .map(|r| {
            Ok(CurriculumLine {
                grade: r.grade.map(small).transpose()?,
                group: r.group_name,
                subject: r.subject,
                weekly: calendar::WeeklyHours::from_tenths(
                    u16::try_from(r.tenths).map_err(|_| StoreError::Corrupt("hours".into()))?,
                ),
                yearly: r.yearly,
            })
        })
        .collect()
}
