//! Absence notes from families: the diary's section where a parent sends a note and follows
//! it, the class teacher's list and decision pages, and the API.

pub(crate) mod api;
pub(crate) mod pages;

use crate::homework_files::api::UploadError;
use axum::extract::Multipart;
use tabel_app::homework_files::FileUpload;
use tabel_app::upload::Spool;

/// Room for the multipart framing and the text fields around a scan of the largest size.
pub(crate) const FRAMING_BYTES: usize = 32 * 1024;

/// Longest text field read from a note's form, in bytes (the rule allows 1000 characters).
const MAX_FIELD_BYTES: usize = 8 * 1024;

/// A note's form as sent: the text fields as typed, and the scan (if a file was chosen).
#[derive(Debug, Default)]
pub(crate) struct NoteForm {
    pub from: String,
    pub to: String,
    pub reason: String,
    pub text: String,
    pub scan: Option<FileUpload>,
}

/// Reads a note's `multipart/form-data` form: `from`, `to`, `reason`, `text` and the file
/// `file`, streamed into a temporary file of at most `max_bytes`. Call it only once the caller
/// may send a note for the pupil.
pub(crate) async fn read_note_form(
    mut form: Multipart,
    max_bytes: usize,
) -> Result<NoteForm, UploadError> {
    let mut out = NoteForm::default();
    while let Some(mut field) = form.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if out.scan.is_some() {
                continue;
            }
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let content_type = field.content_type().unwrap_or_default().to_owned();
            let mut spool = Spool::new(max_bytes)?;
            while let Some(chunk) = field.chunk().await? {
                spool.write(&chunk).await?;
            }
            let content = spool.finish().await?;
            out.scan = Some(FileUpload {
                file_name,
                content_type,
                content,
                reason: None,
            });
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await? {
            if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
                return Err(UploadError::Malformed);
            }
            bytes.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(bytes).map_err(|_| UploadError::Malformed)?;
        match name.as_str() {
            "from" => out.from = value,
            "to" => out.to = value,
            "reason" => out.reason = value,
            "text" => out.text = value,
            _ => {}
        }
    }
    Ok(out)
}

/// An empty file part (a form sent without choosing a file) is no scan.
pub(crate) fn no_empty_scan(scan: Option<FileUpload>) -> Option<FileUpload> {
    scan.filter(|s| !s.content.is_empty())
}

/// Parses the form's fields into the use case's command, or the field errors (422).
pub(crate) fn parse_note(
    from: &str,
    to: &str,
    reason: &str,
    text: String,
) -> Result<tabel_app::absence_notes::SendNote, tabel_app::AppError> {
    let mut errors = tabel_app::FieldErrors::new();
    let date = |field: &str, raw: &str, errors: &mut tabel_app::FieldErrors| {
        tabel_domain::calendar::parse_iso_date(raw.trim())
            .map_err(|_| {
                errors.insert(
                    field.to_owned(),
                    format!("not a date: {raw:?}; use YYYY-MM-DD"),
                );
            })
            .ok()
    };
    let from = date("from", from, &mut errors);
    let to = date("to", to, &mut errors);
    let reason = tabel_domain::absence::NoteReason::from_code(reason.trim())
        .map_err(|_| {
            errors.insert("reason".into(), "use illness, family or other".to_owned());
        })
        .ok();
    match (from, to, reason) {
        (Some(from), Some(to), Some(reason)) if errors.is_empty() => {
            Ok(tabel_app::absence_notes::SendNote {
                from,
                to,
                reason,
                text,
            })
        }
        _ => Err(tabel_app::AppError::Invalid(errors)),
    }
}
