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
    /// The subgroup or stream that writes it (`None`: the whole class).
    pub group: Option<GroupId>,
    /// The first procedure of the same work (another class's, or another class of the stream);
    /// `None`: a work of its own.
    pub work: Option<AssessmentId>,
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
         minutes, title, override_reason, created_by, created_at, group_id, work_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id";
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
        a.now,
        a.group.map(GroupId::get),
        a.work.map(AssessmentId::get)
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

/// Deletes a procedure (a correction of the schedule). The other sittings of its work that
/// named it as the work's first procedure name the next one instead.
pub async fn delete_assessment(conn: &mut Conn<'_>, id: AssessmentId) -> Result<u64> {
    const NEXT: &str = "SELECT MIN(id) FROM assessments WHERE work_id = $1";
    const REPOINT: &str = "UPDATE assessments SET work_id = CASE WHEN id = $2 THEN NULL ELSE $2 END WHERE work_id = $1";
    const SQL: &str = "DELETE FROM assessments WHERE id = $1";
    if let Some(next) = fetch_scalar!(conn, Option<i64>, NEXT, id.get())? {
        execute!(conn, REPOINT, id.get(), next)?;
    }
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
    group_id: Option<i64>,
    group_name: Option<String>,
    work_id: i64,
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
            group: r.group_id.map(GroupId::new),
            group_name: r.group_name.clone(),
            work: AssessmentId::new(r.work_id),
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
            "SELECT a.id, a.school_id, a.academic_year_id, a.class_id, g.name AS class_name, a.group_id, ",
            "sg.name AS group_name, COALESCE(a.work_id, a.id) AS work_id, g.grade, a.subject_id, ",
            "s.name AS subject_name, a.on_date, a.number, a.level, a.minutes, a.title, a.override_reason ",
            "FROM assessments a JOIN study_groups g ON g.id = a.class_id JOIN subjects s ON s.id = a.subject_id ",
            "LEFT JOIN study_groups sg ON sg.id = a.group_id ",
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

/// The procedures of a year in the classes of a parallel other than `class` (the frequency
/// rule holds per parallel).
pub async fn assessments_of_parallel(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    grade: u8,
    class: GroupId,
) -> Result<Vec<Assessment>> {
    const SQL: &str = assessment_sql!(
        "WHERE a.academic_year_id = $1 AND g.grade = $2 AND a.class_id <> $3 ORDER BY a.on_date, a.number, a.id"
    );
    fetch_all!(conn, Row, SQL, year.get(), i64::from(grade), class.get())?
        .into_iter()
        .map(Assessment::try_from)
        .collect()
}

/// The procedures of one work (every class's sitting), by class.
pub async fn assessments_of_work(
    conn: &mut Conn<'_>,
    work: AssessmentId,
) -> Result<Vec<Assessment>> {
    const SQL: &str =
        assessment_sql!("WHERE COALESCE(a.work_id, a.id) = $1 ORDER BY g.sort_key, a.id");
    fetch_all!(conn, Row, SQL, work.get())?
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

pub use tabel_domain::assessment::ScheduleVersion;

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: i64,
    version: i64,
    approved_on: Date,
    approved_by: String,
    approved_at: OffsetDateTime,
    basis: String,
    note: String,
    published_at: Option<OffsetDateTime>,
    published_by: Option<String>,
    items: i64,
}

impl From<VersionRow> for ScheduleVersion {
    fn from(r: VersionRow) -> Self {
        ScheduleVersion {
            id: r.id,
            version: r.version,
            approved_on: r.approved_on,
            approved_by: r.approved_by,
            approved_at: r.approved_at,
            basis: r.basis,
            note: r.note,
            published_at: r.published_at,
            published_by: r.published_by,
            items: r.items,
        }
    }
}

/// A version to record.
#[derive(Debug, Clone)]
pub struct NewScheduleVersion<'a> {
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// The date of the approval.
    pub approved_on: Date,
    /// The deputy head.
    pub approved_by: UserId,
    /// The basis.
    pub basis: &'a str,
    /// What changed.
    pub note: &'a str,
    /// Now.
    pub now: OffsetDateTime,
}

/// A school's versions of a year's schedule, the latest first.
pub async fn schedule_versions(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<Vec<ScheduleVersion>> {
    const SQL: &str = "SELECT v.id, v.version, v.approved_on, a.display_name AS approved_by, v.approved_at, v.basis, \
         v.note, v.published_at, p.display_name AS published_by, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM assessment_schedule_items i WHERE i.version_id = v.id) AS items \
         FROM assessment_schedule_versions v JOIN users a ON a.id = v.approved_by \
         LEFT JOIN users p ON p.id = v.published_by \
         WHERE v.school_id = $1 AND v.academic_year_id = $2 ORDER BY v.version DESC";
    Ok(fetch_all!(conn, VersionRow, SQL, school.get(), year.get())?
        .into_iter()
        .map(ScheduleVersion::from)
        .collect())
}

/// Records a new version holding the year's procedures of the school as they stand: its row id
/// and its number.
pub async fn approve_schedule(
    conn: &mut Conn<'_>,
    v: &NewScheduleVersion<'_>,
) -> Result<(i64, i64)> {
    const NEXT: &str = "SELECT COALESCE(MAX(version), 0) + 1 FROM assessment_schedule_versions \
         WHERE school_id = $1 AND academic_year_id = $2";
    const INSERT: &str = "INSERT INTO assessment_schedule_versions (school_id, academic_year_id, version, approved_on, \
         approved_by, approved_at, basis, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    const ITEMS: &str = "INSERT INTO assessment_schedule_items (version_id, assessment_id, class_id, group_id, work_id, \
         subject_id, on_date, number, level, minutes, title) \
         SELECT $1, id, class_id, group_id, COALESCE(work_id, id), subject_id, on_date, number, level, minutes, title \
         FROM assessments WHERE school_id = $2 AND academic_year_id = $3";
    let number = fetch_scalar!(conn, i64, NEXT, v.school.get(), v.year.get())?;
    let id = fetch_scalar!(
        conn,
        i64,
        INSERT,
        v.school.get(),
        v.year.get(),
        number,
        v.approved_on,
        v.approved_by.get(),
        v.now,
        v.basis,
        v.note
    )?;
    execute!(conn, ITEMS, id, v.school.get(), v.year.get())?;
    Ok((id, number))
}

/// Publishes a version to families (once): whether it was unpublished.
pub async fn publish_schedule(
    conn: &mut Conn<'_>,
    version: i64,
    by: UserId,
    now: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE assessment_schedule_versions SET published_at = $2, published_by = $3 \
         WHERE id = $1 AND published_at IS NULL";
    Ok(execute!(conn, SQL, version, now, by.get())? == 1)
}

macro_rules! item_sql {
    ($tail:literal) => {
        concat!(
            "SELECT i.assessment_id AS id, v.school_id, v.academic_year_id, i.class_id, g.name AS class_name, i.group_id, ",
            "sg.name AS group_name, i.work_id, g.grade, i.subject_id, s.name AS subject_name, i.on_date, i.number, ",
            "i.level, i.minutes, i.title, CAST(NULL AS TEXT) AS override_reason ",
            "FROM assessment_schedule_items i JOIN assessment_schedule_versions v ON v.id = i.version_id ",
            "JOIN study_groups g ON g.id = i.class_id JOIN subjects s ON s.id = i.subject_id ",
            "LEFT JOIN study_groups sg ON sg.id = i.group_id ",
            $tail
        )
    };
}

/// The procedures of a version, by class and date.
pub async fn version_items(conn: &mut Conn<'_>, version: i64) -> Result<Vec<Assessment>> {
    const SQL: &str = item_sql!(
        "WHERE i.version_id = $1 ORDER BY g.sort_key, i.on_date, i.number, i.assessment_id"
    );
    fetch_all!(conn, Row, SQL, version)?
        .into_iter()
        .map(Assessment::try_from)
        .collect()
}

/// A class's procedures in the latest published version of its school's schedule for the year
/// (what families see), by date.
pub async fn published_of_class(
    conn: &mut Conn<'_>,
    class: GroupId,
    year: AcademicYearId,
) -> Result<Vec<Assessment>> {
    const SQL: &str = item_sql!(
        "WHERE i.class_id = $1 AND i.version_id = (SELECT MAX(pv.id) FROM assessment_schedule_versions pv \
         WHERE pv.academic_year_id = $2 AND pv.school_id = g.school_id AND pv.published_at IS NOT NULL) \
         ORDER BY i.on_date, i.number, i.assessment_id"
    );
    fetch_all!(conn, Row, SQL, class.get(), year.get())?
        .into_iter()
        .map(Assessment::try_from)
        .collect()
}
