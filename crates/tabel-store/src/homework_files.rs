//! Files attached to a lesson's homework. The bytes live in the row; every read that lists files
//! leaves them out, and only [`file_with_content`] fetches them. A deleted file keeps its row with
//! `deleted_at` set (the journal loses no history): lists, counts and downloads skip it.

use crate::{Conn, Result, StoreError};
use tabel_domain::{HomeworkFileId, LessonId};
use tabel_domain::{PersonId, SchoolId, UserId};
use time::OffsetDateTime;

/// A file to store.
#[derive(Debug, Clone, Copy)]
pub struct NewHomeworkFile<'a> {
    /// School of the lesson.
    pub school: SchoolId,
    /// The lesson.
    pub lesson: i64,
    /// The file's name, already sanitised.
    pub file_name: &'a str,
    /// Its content type, already checked against the allow-list.
    pub content_type: &'a str,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: &'a str,
    /// The bytes (at least one).
    pub content: &'a [u8],
    /// Who uploaded it: the account and its person.
    pub by: (Option<UserId>, Option<PersonId>),
    /// When.
    pub now: OffsetDateTime,
}

pub use tabel_domain::journal::HomeworkFile;

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    school_id: i64,
    lesson_id: i64,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_by: Option<i64>,
    uploaded_by_person: Option<i64>,
    uploaded_at: OffsetDateTime,
}

impl From<FileRow> for HomeworkFile {
    fn from(r: FileRow) -> Self {
        HomeworkFile {
            id: HomeworkFileId::new(r.id),
            school: SchoolId::new(r.school_id),
            lesson: LessonId::new(r.lesson_id),
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploaded_by: r.uploaded_by.map(UserId::new),
            uploaded_by_person: r.uploaded_by_person.map(PersonId::new),
            uploaded_at: r.uploaded_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ContentRow {
    #[sqlx(flatten)]
    meta: FileRow,
    content: Vec<u8>,
}

/// The metadata columns, in [`FileRow`]'s order.
macro_rules! file_sql {
    ($extra:literal, $tail:literal) => {
        concat!(
            "SELECT id, school_id, lesson_id, file_name, content_type, size_bytes, sha256, uploaded_by, ",
            "uploaded_by_person, uploaded_at",
            $extra,
            " FROM homework_files ",
            $tail
        )
    };
}

/// Stores a file; returns its id.
pub async fn insert_file(conn: &mut Conn<'_>, f: &NewHomeworkFile<'_>) -> Result<HomeworkFileId> {
    const SQL: &str = "INSERT INTO homework_files (school_id, lesson_id, file_name, content_type, size_bytes, \
         sha256, content, uploaded_by, uploaded_by_person, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    let size = i64::try_from(f.content.len())
        .map_err(|_| StoreError::Corrupt(format!("file of {} bytes", f.content.len())))?;
    Ok(HomeworkFileId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        f.school.get(),
        f.lesson,
        f.file_name,
        f.content_type,
        size,
        f.sha256,
        f.content,
        f.by.0.map(UserId::get),
        f.by.1.map(PersonId::get),
        f.now
    )?))
}

/// Takes the lesson for a write of its files: on PostgreSQL the row lock queues concurrent
/// uploads to one lesson (so a count checked after it holds until commit; SQLite's writer lock
/// does the same); it also marks the lesson as carrying journal data, so regenerating the
/// timetable keeps it. Returns whether the lesson exists.
pub async fn claim_lesson(conn: &mut Conn<'_>, lesson: LessonId) -> Result<bool> {
    const SQL: &str = "UPDATE lessons SET has_journal_data = 1 WHERE id = $1";
    Ok(execute!(conn, SQL, lesson.get())? > 0)
}

/// The bytes a user uploaded since an instant: homework files (deleted ones too, or deleting
/// would make room again), scans of consent applications and of absence notes.
pub async fn bytes_uploaded_since(
    conn: &mut Conn<'_>,
    user: UserId,
    since: OffsetDateTime,
) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COALESCE((SELECT SUM(size_bytes) FROM homework_files \
         WHERE uploaded_by = $1 AND uploaded_at >= $2), 0) \
         + COALESCE((SELECT SUM(size_bytes) FROM consent_scans \
         WHERE uploaded_by = $1 AND uploaded_at >= $2), 0) \
         + COALESCE((SELECT SUM(scan_size) FROM absence_notes \
         WHERE sent_by_user = $1 AND sent_at >= $2), 0) AS BIGINT)";
    Ok(fetch_scalar!(conn, i64, SQL, user.get(), since)?)
}

/// How many live files a lesson has.
pub async fn count_for_lesson(conn: &mut Conn<'_>, lesson: LessonId) -> Result<i64> {
    const SQL: &str =
        "SELECT COUNT(*) FROM homework_files WHERE lesson_id = $1 AND deleted_at IS NULL";
    Ok(fetch_scalar!(conn, i64, SQL, lesson.get())?)
}

/// A lesson's live files, oldest first, without their bytes.
pub async fn files_of_lesson(conn: &mut Conn<'_>, lesson: LessonId) -> Result<Vec<HomeworkFile>> {
    const SQL: &str = file_sql!(
        "",
        "WHERE lesson_id = $1 AND deleted_at IS NULL ORDER BY uploaded_at, id"
    );
    Ok(fetch_all!(conn, FileRow, SQL, lesson.get())?
        .into_iter()
        .map(HomeworkFile::from)
        .collect())
}

/// The live files of many lessons in one query (a grid or a diary week), without their bytes,
/// by lesson and then oldest first.
pub async fn files_of_lessons(conn: &mut Conn<'_>, lessons: &[i64]) -> Result<Vec<HomeworkFile>> {
    const HEAD: &str = file_sql!("", "WHERE deleted_at IS NULL AND lesson_id IN (");
    const TAIL: &str = ") ORDER BY lesson_id, uploaded_at, id";
    let mut out = Vec::new();
    // Well under both databases' limits on bound parameters per statement.
    for chunk in lessons.chunks(1000) {
        macro_rules! run {
            ($db:ty, $c:expr) => {{
                let mut qb = sqlx::QueryBuilder::<$db>::new(HEAD);
                let mut ids = qb.separated(", ");
                for id in chunk {
                    ids.push_bind(*id);
                }
                qb.push(TAIL);
                qb.build_query_as::<FileRow>().fetch_all(&mut **$c).await?
            }};
        }
        let rows = match conn {
            Conn::Sqlite(c) => run!(sqlx::Sqlite, c),
            Conn::Postgres(c) => run!(sqlx::Postgres, c),
        };
        out.extend(rows.into_iter().map(HomeworkFile::from));
    }
    Ok(out)
}

/// One live file's metadata.
pub async fn get_file(conn: &mut Conn<'_>, id: HomeworkFileId) -> Result<Option<HomeworkFile>> {
    const SQL: &str = file_sql!("", "WHERE id = $1 AND deleted_at IS NULL");
    Ok(fetch_optional!(conn, FileRow, SQL, id.get())?.map(HomeworkFile::from))
}

/// One live file with its bytes.
pub async fn file_with_content(
    conn: &mut Conn<'_>,
    id: HomeworkFileId,
) -> Result<Option<(HomeworkFile, Vec<u8>)>> {
    const SQL: &str = file_sql!(", content", "WHERE id = $1 AND deleted_at IS NULL");
    Ok(fetch_optional!(conn, ContentRow, SQL, id.get())?.map(|r| (r.meta.into(), r.content)))
}

/// Marks a live file deleted; `false` when it was not live (gone already, or never was).
pub async fn delete_file(
    conn: &mut Conn<'_>,
    id: HomeworkFileId,
    by: Option<UserId>,
    now: OffsetDateTime,
) -> Result<bool> {
    const SQL: &str = "UPDATE homework_files SET deleted_at = $2, deleted_by = $3 \
         WHERE id = $1 AND deleted_at IS NULL";
    Ok(execute!(conn, SQL, id.get(), now, by.map(UserId::get))? > 0)
}
