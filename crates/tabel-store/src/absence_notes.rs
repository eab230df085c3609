//! Absence notes from families: the note, its decision and its scan (the bytes are read only
//! for a download).

use crate::{Conn, Result, StoreError};
use tabel_domain::absence::{AbsenceNote, NoteReason, NoteScan, NoteState};
use tabel_domain::{AbsenceNoteId, GroupId, PersonId, SchoolId, UserId};
use time::{Date, OffsetDateTime};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    school_id: i64,
    student_id: i64,
    student_name: String,
    class_id: i64,
    class_name: String,
    from_date: Date,
    to_date: Date,
    reason: String,
    text: String,
    state: String,
    comment: String,
    sent_by: i64,
    sent_by_name: String,
    sent_at: OffsetDateTime,
    decided_by_name: Option<String>,
    decided_at: Option<OffsetDateTime>,
    excused: i64,
    scan_name: Option<String>,
    scan_type: Option<String>,
    scan_size: Option<i64>,
    version: i64,
}

impl TryFrom<Row> for AbsenceNote {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<AbsenceNote> {
        let scan = match (r.scan_name, r.scan_type, r.scan_size) {
            (Some(file_name), Some(content_type), Some(size_bytes)) => Some(NoteScan {
                file_name,
                content_type,
                size_bytes,
            }),
            _ => None,
        };
        Ok(AbsenceNote {
            id: AbsenceNoteId::new(r.id),
            school: SchoolId::new(r.school_id),
            student: PersonId::new(r.student_id),
            student_name: r.student_name,
            class: GroupId::new(r.class_id),
            class_name: r.class_name,
            from: r.from_date,
            to: r.to_date,
            reason: NoteReason::from_code(&r.reason)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            text: r.text,
            state: NoteState::from_code(&r.state)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            comment: r.comment,
            sent_by: PersonId::new(r.sent_by),
            sent_by_name: r.sent_by_name.trim().to_owned(),
            sent_at: r.sent_at,
            decided_by_name: r.decided_by_name.map(|n| n.trim().to_owned()),
            decided_at: r.decided_at,
            excused: r.excused,
            scan,
            version: r.version,
        })
    }
}

macro_rules! note_sql {
    ($tail:literal) => {
        concat!(
            "SELECT n.id, n.school_id, n.student_id, sp.last_name || ' ' || sp.first_name AS student_name, ",
            "n.class_id, g.name AS class_name, n.from_date, n.to_date, n.reason, n.text, n.state, n.comment, ",
            "n.sent_by, s.last_name || ' ' || s.first_name || ' ' || COALESCE(s.middle_name, '') AS sent_by_name, ",
            "n.sent_at, d.last_name || ' ' || d.first_name || ' ' || COALESCE(d.middle_name, '') AS decided_by_name, ",
            "n.decided_at, n.excused, n.scan_name, n.scan_type, n.scan_size, n.version FROM absence_notes n ",
            "JOIN persons sp ON sp.id = n.student_id JOIN persons s ON s.id = n.sent_by ",
            "JOIN study_groups g ON g.id = n.class_id LEFT JOIN persons d ON d.id = n.decided_by ",
            $tail
        )
    };
}

/// A scan to keep with a note.
#[derive(Debug, Clone)]
pub struct NewScan<'a> {
    /// Its name, made safe.
    pub file_name: &'a str,
    /// PDF, JPEG or PNG.
    pub content_type: &'a str,
    /// SHA-256, lowercase hex.
    pub sha256: &'a str,
    /// The bytes.
    pub content: &'a [u8],
}

/// A note to store, pending.
#[derive(Debug, Clone)]
pub struct NewNote<'a> {
    /// The pupil's school.
    pub school: SchoolId,
    /// The pupil.
    pub student: PersonId,
    /// The pupil's class now.
    pub class: GroupId,
    /// First and last day.
    pub dates: (Date, Date),
    /// Why.
    pub reason: NoteReason,
    /// The family's words.
    pub text: &'a str,
    /// The legal representative and their account.
    pub by: (PersonId, UserId),
    /// When.
    pub at: OffsetDateTime,
    /// The scan, if any.
    pub scan: Option<NewScan<'a>>,
}

/// Stores a pending note.
pub async fn insert_note(conn: &mut Conn<'_>, n: &NewNote<'_>) -> Result<AbsenceNoteId> {
    const SQL: &str = "INSERT INTO absence_notes (school_id, student_id, class_id, from_date, to_date, reason, text, \
         state, comment, sent_by, sent_by_user, sent_at, scan_name, scan_type, scan_size, scan_sha256, scan_content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', '', $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
    let scan = n.scan.as_ref();
    Ok(AbsenceNoteId::new(fetch_scalar!(
        conn,
        i64,
        SQL,
        n.school.get(),
        n.student.get(),
        n.class.get(),
        n.dates.0,
        n.dates.1,
        n.reason.code(),
        n.text,
        n.by.0.get(),
        n.by.1.get(),
        n.at,
        scan.map(|s| s.file_name),
        scan.map(|s| s.content_type),
        scan.map(|s| i64::try_from(s.content.len()).unwrap_or(i64::MAX)),
        scan.map(|s| s.sha256),
        scan.map(|s| s.content)
    )?))
}

/// One note.
pub async fn get_note(conn: &mut Conn<'_>, id: AbsenceNoteId) -> Result<Option<AbsenceNote>> {
    const SQL: &str = note_sql!("WHERE n.id = $1");
    fetch_optional!(conn, Row, SQL, id.get())?
        .map(AbsenceNote::try_from)
        .transpose()
}

/// A pupil's notes, newest first.
pub async fn notes_of_student(conn: &mut Conn<'_>, student: PersonId) -> Result<Vec<AbsenceNote>> {
    const SQL: &str = note_sql!("WHERE n.student_id = $1 ORDER BY n.id DESC");
    fetch_all!(conn, Row, SQL, student.get())?
        .into_iter()
        .map(AbsenceNote::try_from)
        .collect()
}

/// The notes of a class (`Some`) or of the whole school, in one state or in any (`None`):
/// pending ones oldest first, decided ones newest first.
pub async fn notes_of_school(
    conn: &mut Conn<'_>,
    school: SchoolId,
    class: Option<GroupId>,
    state: Option<NoteState>,
) -> Result<Vec<AbsenceNote>> {
    const SQL: &str = note_sql!(
        "WHERE n.school_id = $1 AND ($2 = 0 OR n.class_id = $2) AND ($3 = '' OR n.state = $3) \
         ORDER BY CASE WHEN n.state = 'pending' THEN 0 ELSE 1 END, \
         CASE WHEN n.state = 'pending' THEN n.id ELSE -n.id END"
    );
    fetch_all!(
        conn,
        Row,
        SQL,
        school.get(),
        class.map_or(0, GroupId::get),
        state.map_or("", NoteState::code)
    )?
    .into_iter()
    .map(AbsenceNote::try_from)
    .collect()
}

/// How many notes of a class (`Some`) or of the school wait for a decision.
pub async fn count_pending(
    conn: &mut Conn<'_>,
    school: SchoolId,
    class: Option<GroupId>,
) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM absence_notes \
         WHERE school_id = $1 AND ($2 = 0 OR class_id = $2) AND state = 'pending'";
    Ok(fetch_scalar!(
        conn,
        i64,
        SQL,
        school.get(),
        class.map_or(0, GroupId::get)
    )?)
}

/// A decision to store.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    /// Accepted or rejected.
    pub state: NoteState,
    /// The decider's comment.
    pub comment: &'a str,
    /// The decider and their account.
    pub by: (Option<PersonId>, UserId),
    /// When.
    pub at: OffsetDateTime,
}

/// Decides a pending note if its version is still `version`; `false` when it was decided or
/// changed meanwhile.
pub async fn decide(
    conn: &mut Conn<'_>,
    id: AbsenceNoteId,
    version: i64,
    d: &Decision<'_>,
) -> Result<bool> {
    const SQL: &str = "UPDATE absence_notes SET state = $3, comment = $4, decided_by = $5, decided_by_user = $6, \
         decided_at = $7, version = version + 1 WHERE id = $1 AND version = $2 AND state = 'pending'";
    Ok(execute!(
        conn,
        SQL,
        id.get(),
        version,
        d.state.code(),
        d.comment,
        d.by.0.map(PersonId::get),
        d.by.1.get(),
        d.at
    )? > 0)
}

/// Counts absences a note excused.
pub async fn add_excused(conn: &mut Conn<'_>, id: AbsenceNoteId, n: i64) -> Result<()> {
    const SQL: &str = "UPDATE absence_notes SET excused = excused + $2 WHERE id = $1";
    execute!(conn, SQL, id.get(), n)?;
    Ok(())
}

/// The newest accepted note of a pupil covering a date.
pub async fn accepted_covering(
    conn: &mut Conn<'_>,
    student: PersonId,
    on: Date,
) -> Result<Option<AbsenceNote>> {
    const SQL: &str = note_sql!(
        "WHERE n.student_id = $1 AND n.state = 'accepted' AND n.from_date <= $2 AND n.to_date >= $2 \
         ORDER BY n.id DESC LIMIT 1"
    );
    fetch_optional!(conn, Row, SQL, student.get(), on)?
        .map(AbsenceNote::try_from)
        .transpose()
}

/// A note's scan: name, type and bytes.
pub async fn scan(
    conn: &mut Conn<'_>,
    id: AbsenceNoteId,
) -> Result<Option<(String, String, Vec<u8>)>> {
    #[derive(sqlx::FromRow)]
    struct ScanRow {
        scan_name: Option<String>,
        scan_type: Option<String>,
        scan_content: Option<Vec<u8>>,
    }
    const SQL: &str = "SELECT scan_name, scan_type, scan_content FROM absence_notes WHERE id = $1";
    Ok(match fetch_optional!(conn, ScanRow, SQL, id.get())? {
        Some(ScanRow {
            scan_name: Some(name),
            scan_type: Some(kind),
            scan_content: Some(bytes),
        }) => Some((name, kind, bytes)),
        _ => None,
    })
}
