//! Files attached to a lesson's homework: a worksheet, a scan, a presentation.
//!
//! Writing follows the lesson record: whoever may write the lesson's record (its teacher, the
//! substitute, the original or assigned teacher; an administrator only as a correction with a
//! reason) may attach and delete files, never in grade 1 (no homework there), never on a
//! cancelled lesson, and in a closed period only as an administrator's correction. Reading
//! follows the journal: whoever may read the lesson's journal may list and download; a pupil of
//! the lesson's group and a parent of one (with the diary consent in force) may download, as the
//! diary links the files.
//!
//! An upload is authorised before its body is read ([`App::may_attach_homework_file`]): the
//! web layer asks first, then streams the file into a [`Spooled`] temporary file (hashed on
//! the way, cut off at the size limit), and [`App::attach_homework_file`] checks everything
//! again in its transaction. Each uploader may store at most
//! [`crate::AppConfig::upload_bytes_per_day`] a day (homework files and consent scans, counted
//! from what is stored, so a restart does not reset it).
//!
//! Every attach and delete appends an audit record with the file's metadata (never the bytes)
//! and an outbox event in the same transaction. A deleted file is kept, marked deleted.

use crate::journal::writer_of;
use crate::upload::Spooled;
use crate::{App, AppError, Client};
use tabel_domain::LessonId;
use tabel_domain::access::Principal;
use tabel_domain::timetable::LessonStatus;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::homework_files::{self as repo, HomeworkFile, NewHomeworkFile};
use tabel_store::timetable::{self as tt, Lesson};
use tabel_store::{Conn, outbox};
use time::OffsetDateTime;

/// The default largest file (the deployment may change it: [`crate::AppConfig`]).
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The default of the bytes one user may upload a day (the deployment may change it:
/// [`crate::AppConfig::upload_bytes_per_day`]).
pub const DEFAULT_BYTES_PER_DAY: u64 = 200 * 1024 * 1024;

/// Live files a lesson may hold.
pub const MAX_FILES_PER_LESSON: i64 = 10;

/// Longest file name kept, in characters (the extension is kept when a name is cut).
pub const MAX_NAME_CHARS: usize = 120;

/// What a served file's type falls back to when the declared one is not on the allow-list.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Why a file was refused: the messages of the `file` field of [`AppError::Invalid`], stable so
/// that the pages can show them in the user's language.
pub mod refusal {
    /// No bytes.
    pub const EMPTY: &str = "the file is empty";
    /// Larger than the deployment's limit.
    pub const TOO_LARGE: &str = "the file is larger than the limit";
    /// The lesson already holds [`super::MAX_FILES_PER_LESSON`] files.
    pub const TOO_MANY: &str = "a lesson holds at most 10 files";
    /// Grade 1 has no homework.
    pub const GRADE_ONE: &str = "grade 1 has no homework (first-grade rules)";
    /// The lesson was cancelled.
    pub const CANCELLED: &str = "the lesson was cancelled";
    /// The uploader's bytes for today are used up.
    pub const DAILY_LIMIT: &str = "the daily upload limit is reached; try again tomorrow";
}

/// Content types kept as declared; anything else is served as [`OCTET_STREAM`].
const ALLOWED_TYPES: [&str; 13] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/zip",
];

/// The content type a file is stored and served with: the declared one (parameters dropped,
/// case folded, common aliases mapped) when it is on the allow-list, else
/// `application/octet-stream`. Only listed types are served as themselves, so an uploaded HTML
/// or SVG page can never be served as one.
pub fn content_type(declared: &str) -> &'static str {
    let essence = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let essence = match essence.as_str() {
        "image/jpg" | "image/pjpeg" => "image/jpeg",
        "application/x-zip-compressed" | "application/x-zip" => "application/zip",
        other => other,
    };
    ALLOWED_TYPES
        .iter()
        .find(|t| **t == essence)
        .copied()
        .unwrap_or(OCTET_STREAM)
}

/// Characters that reorder text on screen ("exe.txt" shown for "txt.exe"): never kept in a name.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A file name safe to store and to offer back for download: the last path component (some
/// browsers send the whole path), without control and bidirectional-override characters,
/// with characters Windows refuses in names replaced by `_`, without leading or trailing dots
/// and spaces, cut to [`MAX_NAME_CHARS`] keeping the extension; `file` when nothing is left.
pub fn sanitize_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .map(|c| {
            if matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if name.is_empty() {
        return "file".to_owned();
    }
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && (1..=10).contains(&ext.chars().count()) => {
            (stem, Some(ext))
        }
        _ => (name, None),
    };
    match ext {
        Some(ext) => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
            let stem: String = stem.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        None => stem.chars().take(MAX_NAME_CHARS).collect(),
    }
}

/// A file as uploaded.
#[derive(Debug)]
pub struct FileUpload {
    /// The name the client gave (sanitised before it is stored).
    pub file_name: String,
    /// The content type the client declared (checked against the allow-list).
    pub content_type: String,
    /// The file as received (in a temporary file, with its size and hash).
    pub content: Spooled,
    /// Why (an administrator's correction).
    pub reason: Option<String>,
}

/// A file with its bytes, for download.
#[derive(Debug, Clone)]
pub struct FileContent {
    /// Its metadata.
    pub file: HomeworkFile,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The audit record's and the event's view of a file: metadata, never the bytes.
fn file_json(f: &HomeworkFile, l: &Lesson) -> serde_json::Value {
    serde_json::json!({
        "id": f.id.to_string(), "lesson_id": f.lesson.to_string(), "group_id": l.group.to_string(),
        "subject_id": l.subject.to_string(), "subject": l.subject_name, "date": l.on.to_string(),
        "file_name": f.file_name, "content_type": f.content_type, "size_bytes": f.size_bytes,
        "sha256": f.sha256,
    })
}

async fn write_audit(
    c: &mut Conn<'_>,
    p: &Principal,
    (action, f, l): (&str, &HomeworkFile, &Lesson),
    (before, after): (Option<serde_json::Value>, Option<serde_json::Value>),
    reason: Option<&str>,
    (client, at): (&Client, OffsetDateTime),
) -> Result<(), AppError> {
    audit::append(
        c,
        &AuditEntry {
            chain: l.school.get(),
            at,
            actor: Some(p.user.get()),
            action,
            entity: "homework_file",
            entity_id: f.id.to_string(),
            before,
            after,
            reason: reason.map(str::trim).filter(|r| !r.is_empty()),
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

fn file_error(message: &str) -> AppError {
    AppError::invalid("file", message)
}

impl App {
    /// The largest file accepted, in bytes.
    pub fn homework_file_max_bytes(&self) -> usize {
        self.config.homework_file_max_bytes
    }

    /// Whether the caller may attach a file to the lesson, decided before the file is read:
    /// 404 for a lesson they do not see, 403 for one they see but may not write, 422 for
    /// grade 1 or a cancelled lesson, 409 for a closed period, and the daily limit when used up.
    /// An administrator's missing reason is not judged here (it comes with the file); the
    /// attach checks everything again.
    pub async fn may_attach_homework_file(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
    ) -> Result<(), AppError> {
        let (l, right) = {
            let mut c = self.db.acquire().await?;
            let c = &mut c.conn();
            let l = tt::get_lesson(c, lesson).await?.ok_or(AppError::NotFound)?;
            let right = writer_of(c, p, &l, None).await;
            (l, right)
        };
        match right {
            Ok(_) => {}
            Err(AppError::Invalid(e)) if e.contains_key("reason") => {}
            Err(AppError::Forbidden) => {
                // Only someone who sees the lesson (the school's staff, a pupil of its group or
                // their parent) learns that it exists; to anyone else it is missing.
                let sees = p.is_staff_of(l.school)
                    || !matches!(
                        self.lesson_family_reader(p, &l, AppError::NotFound).await,
                        Err(AppError::NotFound)
                    );
                return Err(if sees {
                    AppError::Forbidden
                } else {
                    AppError::NotFound
                });
            }
            Err(e) => return Err(e),
        }
        if l.grade == 1 {
            return Err(file_error(refusal::GRADE_ONE));
        }
        if l.status == LessonStatus::Cancelled {
            return Err(AppError::invalid("lesson_id", refusal::CANCELLED));
        }
        let mut c = self.db.acquire().await?;
        self.check_daily_upload(&mut c.conn(), p, 0).await
    }

    /// The bytes one user may still upload today.
    pub fn upload_bytes_per_day(&self) -> u64 {
        self.config.upload_bytes_per_day
    }

    /// Refuses an upload of `adding` bytes that would take the user past the day's limit
    /// (the day in the deployment's time zone, by the stored files' times).
    pub(crate) async fn check_daily_upload(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        adding: usize,
    ) -> Result<(), AppError> {
        let local = self.config.time_zone.local(self.now());
        let day_start = local
            .replace_time(time::Time::MIDNIGHT)
            .to_offset(time::UtcOffset::UTC);
        let used = repo::bytes_uploaded_since(c, p.user, day_start).await?;
        let used = u64::try_from(used).unwrap_or(0);
        let adding = u64::try_from(adding).unwrap_or(u64::MAX);
        let limit = self.config.upload_bytes_per_day;
        if used >= limit || used.saturating_add(adding) > limit {
            return Err(file_error(refusal::DAILY_LIMIT));
        }
        Ok(())
    }

    /// Attaches a file to a lesson's homework (whoever may write the lesson's record).
    #[tracing::instrument(skip_all, fields(lesson = lesson.get(), bytes = upload.content.len()))]
    pub async fn attach_homework_file(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        upload: FileUpload,
        client: &Client,
    ) -> Result<HomeworkFile, AppError> {
        let FileUpload {
            file_name,
            content_type: declared,
            content,
            reason,
        } = upload;
        let file_name = sanitize_file_name(&file_name);
        let kind = content_type(&declared);
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let l = tt::get_lesson(c, lesson).await?.ok_or(AppError::NotFound)?;
        writer_of(c, p, &l, reason.as_deref()).await?;
        if l.grade == 1 {
            return Err(file_error(refusal::GRADE_ONE));
        }
        if l.status == LessonStatus::Cancelled {
            return Err(AppError::invalid("lesson_id", refusal::CANCELLED));
        }
        if content.is_empty() {
            return Err(file_error(refusal::EMPTY));
        }
        if content.len() > self.homework_file_max_bytes() {
            return Err(file_error(refusal::TOO_LARGE));
        }
        self.check_daily_upload(c, p, content.len()).await?;
        // Taken before counting: concurrent uploads to the lesson queue here.
        if !repo::claim_lesson(c, lesson).await? {
            return Err(AppError::NotFound);
        }
        if repo::count_for_lesson(c, lesson).await? >= MAX_FILES_PER_LESSON {
            return Err(file_error(refusal::TOO_MANY));
        }
        // Read back only now, accepted: the database keeps the bytes in the row.
        let bytes = content
            .read()
            .await
            .map_err(|e| AppError::Internal(format!("the uploaded file: {e}")))?;
        let sha256 = content.sha256().to_owned();
        let now = self.now();
        let id = repo::insert_file(
            c,
            &NewHomeworkFile {
                school: l.school,
                lesson: lesson.get(),
                file_name: &file_name,
                content_type: kind,
                sha256: &sha256,
                content: &bytes,
                by: (Some(p.user), p.person),
                now,
            },
        )
        .await?;
        let stored = HomeworkFile {
            id,
            school: l.school,
            lesson,
            file_name,
            content_type: kind.to_owned(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256,
            uploaded_by: Some(p.user),
            uploaded_by_person: p.person,
            uploaded_at: now,
        };
        let after = file_json(&stored, &l);
        write_audit(
            c,
            p,
            ("homework_file.attach", &stored, &l),
            (None, Some(after.clone())),
            reason.as_deref(),
            (client, now),
        )
        .await?;
        outbox::emit(c, Some(l.school), "homework.file_attached", &after, now).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The files of a lesson's homework, oldest first (whoever may read the lesson's journal).
    pub async fn homework_files(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
    ) -> Result<Vec<HomeworkFile>, AppError> {
        let l = self.lesson_to_read(lesson.get()).await?;
        self.journal_reader(p, &l).await?;
        let mut c = self.db.acquire().await?;
        Ok(repo::files_of_lesson(&mut c.conn(), lesson).await?)
    }

    /// One file with its bytes, for download (whoever may read the lesson's journal; a pupil of
    /// the lesson's group and a consenting parent of one).
    pub async fn homework_file(
        &self,
        p: &Principal,
        id: tabel_domain::HomeworkFileId,
    ) -> Result<FileContent, AppError> {
        let meta = {
            let mut c = self.db.acquire().await?;
            repo::get_file(&mut c.conn(), id)
                .await?
                .ok_or(AppError::NotFound)?
        };
        let l = self.lesson_to_read(meta.lesson.get()).await?;
        match self.journal_reader(p, &l).await {
            Ok(()) => {}
            // The pupils of the lesson's group and their parents (with the diary consent) read
            // the homework in the diary, and download its files from there.
            Err(denied @ (AppError::Forbidden | AppError::NotFound)) => {
                self.lesson_family_reader(p, &l, denied).await?;
            }
            Err(e) => return Err(e),
        }
        let mut c = self.db.acquire().await?;
        // Deleted between the two reads: gone.
        let (file, bytes) = repo::file_with_content(&mut c.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(FileContent { file, bytes })
    }

    /// Deletes a file of a lesson's homework (whoever may write the lesson's record); returns
    /// what was deleted. The row stays, marked deleted; the audit record keeps its metadata.
    pub async fn delete_homework_file(
        &self,
        p: &Principal,
        id: tabel_domain::HomeworkFileId,
        reason: Option<&str>,
        client: &Client,
    ) -> Result<HomeworkFile, AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let file = repo::get_file(c, id).await?.ok_or(AppError::NotFound)?;
        let l = tt::get_lesson(c, file.lesson)
            .await?
            .ok_or(AppError::NotFound)?;
        writer_of(c, p, &l, reason).await?;
        let now = self.now();
        if !repo::delete_file(c, id, Some(p.user), now).await? {
            return Err(AppError::NotFound);
        }
        let before = file_json(&file, &l);
        write_audit(
            c,
            p,
            ("homework_file.delete", &file, &l),
            (Some(before.clone()), None),
            reason,
            (client, now),
        )
        .await?;
        outbox::emit(c, Some(l.school), "homework.file_deleted", &before, now).await?;
        tx.commit().await?;
        Ok(file)
    }

    async fn lesson_to_read(&self, lesson: i64) -> Result<Lesson, AppError> {
        let mut c = self.db.acquire().await?;
        tt::get_lesson(&mut c.conn(), LessonId::new(lesson))
            .await?
            .ok_or(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_content_types_are_kept() {
        assert_eq!(content_type("application/pdf"), "application/pdf");
        assert_eq!(content_type(" Image/PNG ; name=x"), "image/png");
        assert_eq!(content_type("image/jpg"), "image/jpeg");
        assert_eq!(
            content_type("application/x-zip-compressed"),
            "application/zip"
        );
        assert_eq!(content_type("text/plain; charset=utf-8"), "text/plain");
        for refused in [
            "text/html",
            "image/svg+xml",
            "application/javascript",
            "application/x-msdownload",
            "",
            "garbage",
        ] {
            assert_eq!(content_type(refused), OCTET_STREAM, "{refused}");
        }
    }

    #[test]
    fn file_names_lose_paths_controls_and_reserved_characters() {
        assert_eq!(sanitize_file_name("Задание №5.pdf"), "Задание №5.pdf");
        assert_eq!(
            sanitize_file_name("C:\\Users\\учитель\\Desktop\\лист.docx"),
            "лист.docx"
        );
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("a\r\nb\0c.txt"), "abc.txt");
        assert_eq!(
            sanitize_file_name("what?<is>\"this\"|.txt"),
            "what__is__this__.txt"
        );
        assert_eq!(sanitize_file_name("  .hidden  "), "hidden");
        assert_eq!(sanitize_file_name("smile\u{202e}fdp.exe"), "smilefdp.exe");
        for nothing in ["", "..", "/", "dir/", " . "] {
            assert_eq!(sanitize_file_name(nothing), "file", "{nothing:?}");
        }
    }

    #[test]
    fn long_file_names_are_cut_keeping_the_extension() {
        let long = format!("{}.pdf", "Я".repeat(300));
        let cut = sanitize_file_name(&long);
        assert_eq!(cut.chars().count(), MAX_NAME_CHARS);
        assert!(cut.ends_with("ЯЯ.pdf"), "{cut}");
        let no_ext = "b".repeat(500);
        assert_eq!(sanitize_file_name(&no_ext).chars().count(), MAX_NAME_CHARS);
    }
}
