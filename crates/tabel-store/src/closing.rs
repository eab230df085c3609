//! Closing reporting periods for classes, closing (freezing) a year, and the year's archive
//! files. A period is closed for a class by a row of `period_locks`; `reporting_periods.locked_at`
//! stands for "closed for every class" and is kept in step by [`sync_whole_lock`].

use crate::{Conn, Result};
use tabel_domain::{AcademicYearId, ArchiveFileId, GroupId, PeriodId, SchoolId, UserId};
use time::{Date, OffsetDateTime};

/// The classes whose lock closes a lesson group's journal: the group itself (a class), its class
/// (a subgroup), the classes of a stream. `$G` stands for the group's parameter.
macro_rules! classes_of_group {
    ($g:literal) => {
        concat!(
            "(SELECT ", $g, " UNION SELECT parent_group_id FROM study_groups WHERE id = ", $g,
            " AND parent_group_id IS NOT NULL UNION SELECT class_id FROM stream_classes WHERE stream_id = ", $g, ")"
        )
    };
}

/// When a period was closed for a lesson group (for its class, or a class of its stream), or
/// for the whole school; `None` while it is open for the group.
pub async fn locked_for_group(
    conn: &mut Conn<'_>,
    period: PeriodId,
    group: GroupId,
) -> Result<Option<OffsetDateTime>> {
    const SQL: &str = concat!(
        "SELECT MIN(at) FROM (SELECT locked_at AS at FROM reporting_periods WHERE id = $1 AND locked_at IS NOT NULL \
         UNION ALL SELECT locked_at AS at FROM period_locks WHERE period_id = $1 AND class_id IN ",
        classes_of_group!("CAST($2 AS BIGINT)"),
        ") AS l"
    );
    Ok(fetch_scalar!(
        conn,
        Option<OffsetDateTime>,
        SQL,
        period.get(),
        group.get()
    )?)
}

/// When a year was closed (frozen), if it was.
pub async fn year_frozen(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Option<OffsetDateTime>> {
    const SQL: &str = "SELECT frozen_at FROM academic_years WHERE id = $1";
    Ok(fetch_optional!(conn, (Option<OffsetDateTime>,), SQL, year.get())?.and_then(|r| r.0))
}

/// Whether a write into a lesson group's journal in a period must be refused: the period is
/// closed for the group, or its year is frozen. The guard of the one-statement writes.
pub async fn closed_for_group(
    conn: &mut Conn<'_>,
    period: PeriodId,
    group: GroupId,
) -> Result<bool> {
    const SQL: &str = concat!(
        "SELECT COUNT(*) FROM reporting_periods rp JOIN academic_years y ON y.id = rp.academic_year_id \
         WHERE rp.id = $1 AND (rp.locked_at IS NOT NULL OR y.frozen_at IS NOT NULL \
         OR EXISTS (SELECT 1 FROM period_locks pl WHERE pl.period_id = rp.id AND pl.class_id IN ",
        classes_of_group!("CAST($2 AS BIGINT)"),
        "))"
    );
    Ok(fetch_scalar!(conn, i64, SQL, period.get(), group.get())? > 0)
}

/// A class of a period's parallels: the classes a period may be closed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodClass {
    /// The class.
    pub class: GroupId,
    /// "5А".
    pub name: String,
    /// Its grade.
    pub grade: u8,
    /// When the period was closed for it (or for the whole school).
    pub locked_at: Option<OffsetDateTime>,
}

/// The classes of the parallels that report by a period's kind, with their locks, in the
/// school's order.
pub async fn period_classes(conn: &mut Conn<'_>, period: PeriodId) -> Result<Vec<PeriodClass>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        grade: i64,
        locked_at: Option<OffsetDateTime>,
        whole: Option<OffsetDateTime>,
    }
    const SQL: &str = "SELECT g.id, g.name, g.grade, pl.locked_at, rp.locked_at AS whole \
         FROM reporting_periods rp \
         JOIN parallels pa ON pa.academic_year_id = rp.academic_year_id AND pa.period_kind = rp.kind \
         JOIN study_groups g ON g.academic_year_id = rp.academic_year_id AND g.kind = 'class' AND g.grade = pa.grade \
         LEFT JOIN period_locks pl ON pl.period_id = rp.id AND pl.class_id = g.id \
         WHERE rp.id = $1 ORDER BY g.grade, g.sort_key, g.id";
    fetch_all!(conn, Row, SQL, period.get())?
        .into_iter()
        .map(|r| {
            Ok(PeriodClass {
                class: GroupId::new(r.id),
                name: r.name,
                grade: crate::school::small(r.grade)?,
                locked_at: r.locked_at.or(r.whole),
            })
        })
        .collect()
}

/// Closes a period for classes (those closed already keep their time); the rows written.
pub async fn lock_classes(
    conn: &mut Conn<'_>,
    school: SchoolId,
    period: PeriodId,
    classes: &[GroupId],
    by: UserId,
    at: OffsetDateTime,
) -> Result<u64> {
    const SQL: &str = "INSERT INTO period_locks (period_id, class_id, school_id, locked_at, locked_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
    let mut n = 0;
    for c in classes {
        n += execute!(conn, SQL, period.get(), c.get(), school.get(), at, by.get())?;
    }
    Ok(n)
}

/// Reopens a period for classes; the rows removed.
pub async fn unlock_classes(
    conn: &mut Conn<'_>,
    period: PeriodId,
    classes: &[GroupId],
) -> Result<u64> {
    const SQL: &str = "DELETE FROM period_locks WHERE period_id = $1 AND class_id = $2";
    let mut n = 0;
    for c in classes {
        n += execute!(conn, SQL, period.get(), c.get())?;
    }
    Ok(n)
}

/// Sets `reporting_periods.locked_at` when every class of the period's parallels is closed
/// (at `at`, or keeps the time it had), clears it otherwise; whether the period is now closed
/// for the whole school.
pub async fn sync_whole_lock(
    conn: &mut Conn<'_>,
    period: PeriodId,
    at: OffsetDateTime,
) -> Result<bool> {
    let classes = period_classes(conn, period).await?;
    const OPEN: &str = "SELECT COUNT(*) FROM period_locks WHERE period_id = $1 AND class_id = $2";
    let mut all = true;
    for c in &classes {
        if fetch_scalar!(conn, i64, OPEN, period.get(), c.class.get())? == 0 {
            all = false;
            break;
        }
    }
    if all {
        const SQL: &str =
            "UPDATE reporting_periods SET locked_at = $2 WHERE id = $1 AND locked_at IS NULL";
        execute!(conn, SQL, period.get(), at)?;
    } else {
        const SQL: &str = "UPDATE reporting_periods SET locked_at = NULL WHERE id = $1";
        execute!(conn, SQL, period.get())?;
    }
    Ok(all)
}

/// The period's year and its dates.
pub async fn period_frame(
    conn: &mut Conn<'_>,
    period: PeriodId,
) -> Result<Option<(SchoolId, AcademicYearId, Date, Date)>> {
    const SQL: &str = "SELECT school_id, academic_year_id, starts_on, ends_on FROM reporting_periods WHERE id = $1";
    Ok(
        fetch_optional!(conn, (i64, i64, Date, Date), SQL, period.get())?
            .map(|(s, y, a, b)| (SchoolId::new(s), AcademicYearId::new(y), a, b)),
    )
}

/// A lesson of a class's journals that was held (not cancelled) and has no topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonWithoutTopic {
    /// The lesson.
    pub lesson: tabel_domain::LessonId,
    /// The group's name ("5А", "5А англ. 1").
    pub group_name: String,
    /// The subject.
    pub subject_name: String,
    /// The day.
    pub on: Date,
    /// Its number in the day.
    pub number: u8,
}

/// A class's lessons (its own, its subgroups', its streams') from `from` to `to` that were not
/// cancelled and have no topic, by date.
pub async fn lessons_without_topic(
    conn: &mut Conn<'_>,
    class: GroupId,
    (from, to): (Date, Date),
) -> Result<Vec<LessonWithoutTopic>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        subject: String,
        on_date: Date,
        number: i64,
    }
    const SQL: &str = "SELECT l.id, g.name, s.name AS subject, l.on_date, l.number FROM lessons l \
         JOIN study_groups g ON g.id = l.group_id JOIN subjects s ON s.id = l.subject_id \
         WHERE (g.id = $1 OR g.parent_group_id = $1 OR g.id IN (SELECT stream_id FROM stream_classes WHERE class_id = $1)) \
         AND l.on_date >= $2 AND l.on_date <= $3 AND l.status <> 'cancelled' AND TRIM(l.topic) = '' \
         ORDER BY l.on_date, l.number, s.sort_order";
    fetch_all!(conn, Row, SQL, class.get(), from, to)?
        .into_iter()
        .map(|r| {
            Ok(LessonWithoutTopic {
                lesson: tabel_domain::LessonId::new(r.id),
                group_name: r.name,
                subject_name: r.subject,
                on: r.on_date,
                number: crate::school::small(r.number)?,
            })
        })
        .collect()
}

/// An exam result received and not yet shown to the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpublishedResult {
    /// The pupil.
    pub student: tabel_domain::PersonId,
    /// "Петров Иван".
    pub student_name: String,
    /// `oge`, `ege`, `vpr`, `interview`, `school`.
    pub exam: String,
    /// The subject as the source names it.
    pub subject_name: String,
    /// When it came.
    pub received_at: OffsetDateTime,
}

/// The year's exam results of a class's pupils that were received and not published.
pub async fn unpublished_results(
    conn: &mut Conn<'_>,
    class: GroupId,
    year: AcademicYearId,
) -> Result<Vec<UnpublishedResult>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        student_id: i64,
        last_name: String,
        first_name: String,
        exam: String,
        subject_name: String,
        received_at: OffsetDateTime,
    }
    const SQL: &str = "SELECT er.student_id, p.last_name, p.first_name, er.exam, er.subject_name, er.received_at \
         FROM exam_results er JOIN persons p ON p.id = er.student_id \
         WHERE er.academic_year_id = $2 AND er.published_at IS NULL \
         AND er.student_id IN (SELECT m.student_id FROM memberships m WHERE m.group_id = $1) \
         ORDER BY p.last_name, p.first_name, er.received_at";
    Ok(fetch_all!(conn, Row, SQL, class.get(), year.get())?
        .into_iter()
        .map(|r| UnpublishedResult {
            student: tabel_domain::PersonId::new(r.student_id),
            student_name: format!("{} {}", r.last_name, r.first_name),
            exam: r.exam,
            subject_name: r.subject_name,
            received_at: r.received_at,
        })
        .collect())
}

/// Freezes a year; whether it was open.
pub async fn freeze_year(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    by: Option<UserId>,
    at: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE academic_years SET frozen_at = $2, frozen_by = $3 WHERE id = $1 AND frozen_at IS NULL";
    Ok(execute!(conn, SQL, year.get(), at, by.map(UserId::get))? > 0)
}

/// Closes every period of a year still open (the year's closing); how many.
pub async fn lock_year_periods(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
    at: OffsetDateTime,
) -> Result<u64> {
    const SQL: &str = "UPDATE reporting_periods SET locked_at = $2 WHERE academic_year_id = $1 AND locked_at IS NULL";
    Ok(execute!(conn, SQL, year.get(), at)?)
}

/// A year of a school with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearState {
    /// The year.
    pub year: AcademicYearId,
    /// "2026/2027".
    pub label: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// When it was closed.
    pub frozen_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct YearRow {
    id: i64,
    start_year: i64,
    starts_on: Date,
    ends_on: Date,
    frozen_at: Option<OffsetDateTime>,
}

impl From<YearRow> for YearState {
    fn from(r: YearRow) -> Self {
        YearState {
            year: AcademicYearId::new(r.id),
            label: format!("{}/{}", r.start_year, r.start_year + 1),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            frozen_at: r.frozen_at,
        }
    }
}

/// The years of a school, the latest first.
pub async fn years_of_school(conn: &mut Conn<'_>, school: SchoolId) -> Result<Vec<YearState>> {
    const SQL: &str = "SELECT id, start_year, starts_on, ends_on, frozen_at FROM academic_years \
         WHERE school_id = $1 ORDER BY start_year DESC";
    Ok(fetch_all!(conn, YearRow, SQL, school.get())?
        .into_iter()
        .map(YearState::from)
        .collect())
}

/// A year and its school.
pub async fn year_state(
    conn: &mut Conn<'_>,
    year: AcademicYearId,
) -> Result<Option<(SchoolId, YearState)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        #[sqlx(flatten)]
        year: YearRow,
    }
    const SQL: &str = "SELECT school_id, id, start_year, starts_on, ends_on, frozen_at FROM academic_years WHERE id = $1";
    Ok(fetch_optional!(conn, Row, SQL, year.get())?
        .map(|r| (SchoolId::new(r.school_id), YearState::from(r.year))))
}

/// A file of a year's archive, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    /// The file.
    pub id: ArchiveFileId,
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// The class it is of (`None`: the school's: the export, the manifest).
    pub class: Option<GroupId>,
    /// `journal`, `summary`, `statistics`, `export`, `manifest`.
    pub kind: String,
    /// "5А/Журнал 5А Математика.pdf".
    pub file_name: String,
    /// `application/pdf`, `application/json`.
    pub content_type: String,
    /// Bytes.
    pub size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    school_id: i64,
    academic_year_id: i64,
    class_id: Option<i64>,
    kind: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    created_at: OffsetDateTime,
}

impl From<FileRow> for ArchiveFile {
    fn from(r: FileRow) -> Self {
        ArchiveFile {
            id: ArchiveFileId::new(r.id),
            school: SchoolId::new(r.school_id),
            year: AcademicYearId::new(r.academic_year_id),
            class: r.class_id.map(GroupId::new),
            kind: r.kind,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            created_at: r.created_at,
        }
    }
}

/// The metadata columns, in [`FileRow`]'s order, then `$tail`.
macro_rules! file_sql {
    ($tail:literal) => {
        concat!(
            "SELECT id, school_id, academic_year_id, class_id, kind, file_name, content_type, size_bytes, sha256, created_at",
            $tail
        )
    };
}

/// A file to put into a year's archive.
#[derive(Debug, Clone, Copy)]
pub struct NewArchiveFile<'a> {
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// The class, if the file is a class's.
    pub class: Option<GroupId>,
    /// `journal`, `summary`, `statistics`, `export`, `manifest`.
    pub kind: &'a str,
    /// Unique within the year.
    pub file_name: &'a str,
    /// Its media type.
    pub content_type: &'a str,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: &'a str,
    /// The bytes.
    pub content: &'a [u8],
    /// When.
    pub now: OffsetDateTime,
}

/// Stores a file of a year's archive.
pub async fn insert_file(conn: &mut Conn<'_>, f: &NewArchiveFile<'_>) -> Result<ArchiveFileId> {
    const SQL: &str = "INSERT INTO year_archive_files (school_id, academic_year_id, class_id, kind, file_name, \
         content_type, size_bytes, sha256, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    let size = i64::try_from(f.content.len()).unwrap_or(i64::MAX);
    Ok(ArchiveFileId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        f.school.get(),
        f.year.get(),
        f.class.map(GroupId::get),
        f.kind,
        f.file_name,
        f.content_type,
        size,
        f.sha256,
        f.content,
        f.now
    )?))
}

/// The files of a year's archive, by class and name (the school's files first).
pub async fn files_of_year(conn: &mut Conn<'_>, year: AcademicYearId) -> Result<Vec<ArchiveFile>> {
    const SQL: &str = file_sql!(
        " FROM year_archive_files WHERE academic_year_id = $1 ORDER BY class_id IS NOT NULL, file_name"
    );
    Ok(fetch_all!(conn, FileRow, SQL, year.get())?
        .into_iter()
        .map(ArchiveFile::from)
        .collect())
}

/// One file of an archive with its bytes.
pub async fn file_with_content(
    conn: &mut Conn<'_>,
    id: ArchiveFileId,
) -> Result<Option<(ArchiveFile, Vec<u8>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        meta: FileRow,
        content: Vec<u8>,
    }
    const SQL: &str = file_sql!(", content FROM year_archive_files WHERE id = $1");
    Ok(fetch_optional!(conn, Row, SQL, id.get())?.map(|r| (ArchiveFile::from(r.meta), r.content)))
}
