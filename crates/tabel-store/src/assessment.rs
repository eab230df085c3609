//! The schedule of assessment procedures.

use crate::{Conn, Result, StoreError};
use tabel_domain::AssessmentId;
use tabel_domain::school::Level;
use tabel_domain::{AcademicYearId, GroupId, SchoolId, SubjectId, UserId};
use time::{Date, OffsetDateTime};

/// A procedure to store.
#[derive(Debug, Clone)]
pub struct NewAssessment<'a> {
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Class.
    pub class: GroupId,
    /// Subject.
    pub subject: SubjectId,
    /// Date.
    pub on: Date,
    /// Lesson number.
    pub number: u8,
    /// Level.
    pub level: Level,
    /// Minutes.
    pub minutes: u16,
    /// What is written, e.g. "Контрольная работа по теме «Дроби»".
    pub title: &'a str,
    /// Why the rules were overridden, if they were.
    pub override_reason: Option<&'a str>,
    /// Who planned it.
    pub created_by: Option<UserId>,
    /// When.
    pub now: OffsetDateTime,
}

/// Stores a procedure.
pub async fn insert_assessment(conn: &mut Conn<'_>, a: &NewAssessment<'_>) -> Result<i64> {
    const SQL: &str = "INSERT INTO assessments (school_id, academic_year_id, class_id, subject_id, on_date, number, level, \
         minutes, title, override_reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        a.school.get(),
        a.year.get(),
        a.class.get(),
        a.subject.get(),
        a.on,
        i64::from(a.number),
        a.level.code(),
        i64::from(a.minutes),
        a.title,
        a.override_reason,
        a.created_by.map(UserId::get),
        a.now
    )?)
}

/// Moves a procedure to another day or lesson; `override_reason` replaces the kept one (`None`:
/// the new place keeps every rule).
pub async fn move_assessment(
    conn: &mut Conn<'_>,
    id: AssessmentId,
    (on, number): (Date, u8),
    override_reason: Option<&str>,
) -> Result<u64> {
    const SQL: &str =
        "UPDATE assessments SET on_date = $2, number = $3, override_reason = $4 WHERE id = $1";
    Ok(execute!(
        conn,
        SQL,
        id.get(),
        on,
        i64::from(number),
        override_reason
    )?)
}

/// Deletes a procedure (a correction of the schedule).
pub async fn delete_assessment(conn: &mut Conn<'_>, id: AssessmentId) -> Result<u64> {
    const SQL: &str = "DELETE FROM assessments WHERE id = $1";
    Ok(execute!(conn, SQL, id.get())?)
}

pub use tabel_domain::assessment::Assessment;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    class_id: i64,
    class_name: String,
    grade: i64,
    subject_id: i64,
    subject_name: String,
    on_date: Date,
    number: i64,
    level: String,
    minutes: i64,
    title: String,
    override_reason: Option<String>,
}

impl TryFrom<Row> for Assessment {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Assessment> {
        let bad = |what: &str| StoreError::Corrupt(format!("assessment {}: {what}", r.id));
        Ok(Assessment {
            id: AssessmentId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            class: GroupId::new(r.class_id),
            class_name: r.class_name.clone(),
            grade: u8::try_from(r.grade).map_err(|_| bad("grade"))?,
            subject: SubjectId::new(r.subject_id),
            subject_name: r.subject_name.clone(),
            on: r.on_date,
            number: u8::try_from(r.number).map_err(|_| bad("number"))?,
            level: Level::from_code(&r.level)?,
            minutes: u16::try_from(r.minutes).map_err(|_| bad("minutes"))?,
            title: r.title.clone(),
            override_reason: r.override_reason.clone(),
        })
    }
}

macro_rules! assessment_sql {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, a.school_id, a.academic_year_id, a.class_id, g.name AS class_name, g.grade, a.subject_id, ",
            "s.name AS subject_name, a.on_date, a.number, a.level, a.minutes, a.title, a.override_reason ",
            "FROM assessments a JOIN study_groups g ON g.id = a.class_id JOIN subjects s ON s.id = a.subject_id ",
            $tail
        )
    };
}

/// One procedure.
pub async fn get_assessment(conn: &mut Conn<'_>, id: AssessmentId) -> Result<Option<Assessment>> {
    const SQL: &str = assessment_sql!("WHERE a.id = $1");
    fetch_optional!(conn, Row, SQL, id.get())?
        .map(Assessment::try_from)
        .transpose()
}

/// A class's procedures of a year, by date.
pub async fn assessments_of_class(
    conn: &mut Conn<'_>,
    class: GroupId,
    year: AcademicYearId,
) -> Result<Vec<Assessment>> {
    const SQL: &str = assessment_sql!(
        "WHERE a.class_id = $1 AND a.academic_year_id = $2 ORDER BY a.on_date, a.number, a.id"
    );
    fetch_all!(conn, Row, SQL, class.get(), year.get())?
        .into_iter()
        .map(Assessment::try_from)
        .collect()
}

/// A school's procedures of a year, by class and date (the published schedule).
pub async fn assessments_of_year(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Vec<Assessment>> {
    const SQL: &str = assessment_sql!(
        "WHERE a.academic_year_id = $1 ORDER BY g.sort_key, a.on_date, a.number, a.id"
    );
    fetch_all!(conn, Row, SQL, year.get())?
        .into_iter()
        .map(Assessment::try_from)
        .collect()
}

/// The subject's hours in a class's curriculum: the class's own line if any (ИУП and groups),
/// else its grade's: (tenths a week, hours a year).
pub async fn curriculum_hours(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    class: GroupId,
    grade: u8,
    subject: SubjectId,
) -> Result<Option<(u32, u32)>> {
    #[derive(sqlx::FromRow)]
    struct H {
        hours_per_week_tenths: i64,
        hours_per_year: i64,
    }
    const SQL: &str = "SELECT hours_per_week_tenths, hours_per_year FROM curriculum_items \
         WHERE academic_year_id = $1 AND subject_id = $4 AND (group_id = $2 OR grade = $3) \
         ORDER BY CASE WHEN group_id IS NULL THEN 1 ELSE 0 END LIMIT 1";
    Ok(fetch_optional!(
        conn,
        H,
        SQL,
        year.get(),
        class.get(),
        i64::from(grade),
        subject.get()
    )?
    .map(|h| {
        (
            u32::try_from(h.hours_per_week_tenths).unwrap_or(0),
            u32::try_from(h.hours_per_year).unwrap_or(0),
        )
    }))
}
