//! Files of a lesson's homework on the lesson page (`/journal/lesson/{id}`): the list with
//! download links for every reader of the journal, and for its writers an upload form
//! (`multipart/form-data`, so it works without JavaScript; CSRF is the site-wide origin check)
//! and a delete button per file. A refused file comes back on the lesson page with the reason in
//! the user's language; nothing is stored.

use crate::AppState;
use crate::error::{PageError, render_status};
use crate::extract::PageUser;
use crate::homework_files::api::{FRAMING_BYTES, UploadError, read_upload};
use crate::i18n::Tr;
use crate::paths::{Path, id};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::homework_files::{MAX_FILES_PER_LESSON, refusal};
use tabel_domain::{HomeworkFileId, LessonId};

pub(crate) fn router(max_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/journal/lesson/{lesson}/files",
            // The file may be far larger than the site-wide form limit.
            post(upload).layer(DefaultBodyLimit::max(
                max_bytes.saturating_add(FRAMING_BYTES),
            )),
        )
        .route("/journal/files/{file}", get(download))
        .route("/journal/files/{file}/delete", post(delete))
}

/// A file in the lesson page's list.
pub struct FileRow {
    /// Id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// "1,5 МБ".
    pub size: String,
    /// Download link.
    pub href: String,
}

/// The files section of the lesson page.
pub struct LessonFiles {
    /// The lesson's id.
    pub lesson: String,
    /// Its files, oldest first.
    pub files: Vec<FileRow>,
    /// The viewer writes the lesson's record (open period, not cancelled): delete buttons.
    pub may_delete: bool,
    /// … and the lesson takes files (not grade 1, fewer than the most): the upload form.
    pub may_attach: bool,
    /// The lesson holds as many files as it may (the writer is told instead of the form).
    pub full: bool,
    /// "PDF, images, … up to 10 MB; at most 10 files".
    pub hint: String,
    /// Why the last upload or delete was refused ("" when it was not).
    pub error: String,
}

fn megabytes(t: &Tr<'_>, bytes: u64) -> String {
    t.with(
        "hw-file-size-mb",
        "n",
        tabel_present::tenths(t.lang, bytes.saturating_mul(10) / (1024 * 1024)),
    )
}

/// "512 Б", "34 КБ", "1,5 МБ".
fn size_label(t: &Tr<'_>, bytes: i64) -> String {
    let bytes = u64::try_from(bytes).unwrap_or(0);
    if bytes < 1024 {
        t.with("hw-file-size-bytes", "n", bytes.to_string())
    } else if bytes < 1024 * 1024 {
        t.with("hw-file-size-kb", "n", bytes.div_ceil(1024).to_string())
    } else {
        megabytes(t, bytes)
    }
}

impl LessonFiles {
    /// The files of a lesson for its page; `writer` = the viewer may write the lesson's record
    /// now (a writer, an open period, not cancelled), `grade` = the lesson group's grade.
    pub(crate) async fn load(
        state: &AppState,
        user: &PageUser,
        lesson: LessonId,
        (writer, grade): (bool, u8),
    ) -> Result<LessonFiles, AppError> {
        let t = user.tr(state);
        let files = state
            .app
            .homework_files(&user.who.principal, lesson)
            .await?;
        let max = i64::try_from(state.app.homework_file_max_bytes()).unwrap_or(i64::MAX);
        let count = i64::try_from(files.len()).unwrap_or(i64::MAX);
        Ok(LessonFiles {
            lesson: lesson.to_string(),
            may_delete: writer,
            may_attach: writer && grade > 1 && count < MAX_FILES_PER_LESSON,
            full: writer && count >= MAX_FILES_PER_LESSON,
            hint: t.args(
                "hw-file-hint",
                &[
                    ("size", size_label(&t, max).into()),
                    ("n", MAX_FILES_PER_LESSON.to_string().into()),
                ],
            ),
            error: String::new(),
            files: files
                .into_iter()
                .map(|f| FileRow {
                    id: f.id.to_string(),
                    size: size_label(&t, f.size_bytes),
                    href: format!("/journal/files/{}", f.id),
                    name: f.file_name,
                })
                .collect(),
        })
    }
}

/// A refused upload or delete in the user's language, with the status to answer; `None` when
/// the error is not about the file (shown as an error page instead).
fn refusal_text(t: &Tr<'_>, e: &AppError, max_bytes: usize) -> Option<(StatusCode, String)> {
    match e {
        AppError::Invalid(errors) => {
            let mut status = StatusCode::UNPROCESSABLE_ENTITY;
            let texts: Vec<String> = errors
                .iter()
                .map(|(field, message)| match message.as_str() {
                    refusal::EMPTY => t.get("hw-file-empty"),
                    refusal::TOO_LARGE => {
                        status = StatusCode::PAYLOAD_TOO_LARGE;
                        too_large_text(t, max_bytes)
                    }
                    refusal::TOO_MANY => {
                        t.with("hw-file-too-many", "n", MAX_FILES_PER_LESSON.to_string())
                    }
                    refusal::GRADE_ONE => t.get("hw-file-grade-one"),
                    refusal::CANCELLED => t.get("hw-file-cancelled"),
                    refusal::DAILY_LIMIT => {
                        status = StatusCode::TOO_MANY_REQUESTS;
                        t.get("hw-file-daily-limit")
                    }
                    other => format!("{field}: {other}"),
                })
                .collect();
            Some((status, texts.join(" ")))
        }
        // The only conflict of a file write: the period is closed.
        AppError::Conflict(_) => Some((StatusCode::CONFLICT, t.get("hw-file-closed"))),
        _ => None,
    }
}

fn too_large_text(t: &Tr<'_>, max_bytes: usize) -> String {
    t.with(
        "hw-file-too-large",
        "size",
        size_label(t, i64::try_from(max_bytes).unwrap_or(i64::MAX)),
    )
}

/// The lesson page again, with `error` in its files section, answered with `status`.
async fn lesson_with_error(
    state: &AppState,
    user: &PageUser,
    lesson: LessonId,
    (status, error): (StatusCode, String),
) -> Result<Response, PageError> {
    let page = crate::journal::lesson::lesson_view(state, user, lesson, &Default::default())
        .await
        .map(|mut page| {
            page.files.error = error;
            page
        });
    render_status(status, page?)
}

/// Attaches the uploaded file and returns to the lesson; a refused file is shown on the page.
#[tracing::instrument(skip_all, fields(lesson = %lesson))]
async fn upload(
    State(state): State<AppState>,
    user: PageUser,
    Path(lesson): Path<LessonId>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let t = user.tr(&state);
    let max = state.app.homework_file_max_bytes();
    // Before a byte of the body is read (see the API's upload).
    if let Err(e) = state
        .app
        .may_attach_homework_file(&user.who.principal, lesson)
        .await
    {
        return match refusal_text(&t, &e, max) {
            Some(refused) => lesson_with_error(&state, &user, lesson, refused).await,
            None => Err(PageError::from(e)),
        };
    }
    let read = match form {
        Ok(form) => read_upload(form, max).await,
        Err(_) => Err(UploadError::Malformed),
    };
    let upload = match read {
        Ok(upload) => upload,
        Err(UploadError::TooLarge) => {
            let refused = (StatusCode::PAYLOAD_TOO_LARGE, too_large_text(&t, max));
            return lesson_with_error(&state, &user, lesson, refused).await;
        }
        Err(UploadError::Malformed) => {
            let refused = (StatusCode::BAD_REQUEST, t.get("hw-file-malformed"));
            return lesson_with_error(&state, &user, lesson, refused).await;
        }
        Err(UploadError::Spool(e)) => return Err(PageError::from(AppError::Internal(e))),
    };
    match state
        .app
        .attach_homework_file(&user.who.principal, lesson, upload, &user.client)
        .await
    {
        Ok(_) => Ok(
            crate::redirect::see_other(&format!("/journal/lesson/{lesson}#lesson-files"))
                .into_response(),
        ),
        Err(e) => match refusal_text(&t, &e, max) {
            Some(refused) => lesson_with_error(&state, &user, lesson, refused).await,
            None => Err(PageError::from(e)),
        },
    }
}

/// Downloads a file (whoever may read the lesson's journal).
#[tracing::instrument(skip_all, fields(file = %file))]
async fn download(
    State(state): State<AppState>,
    user: PageUser,
    Path(file): Path<HomeworkFileId>,
) -> Result<Response, PageError> {
    let content = state.app.homework_file(&user.who.principal, file).await?;
    Ok(crate::homework_files::api::download(content))
}

/// The delete button's form: the lesson to return to.
#[derive(Deserialize)]
struct DeleteForm {
    lesson: String,
}

/// Deletes a file and returns to its lesson; a refusal is shown on the lesson page.
#[tracing::instrument(skip_all, fields(file = %file))]
async fn delete(
    State(state): State<AppState>,
    user: PageUser,
    Path(file): Path<HomeworkFileId>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .delete_homework_file(&user.who.principal, file, None, &user.client)
        .await;
    match result {
        Ok(deleted) => Ok(crate::redirect::see_other(&format!(
            "/journal/lesson/{}#lesson-files",
            deleted.lesson
        ))
        .into_response()),
        Err(e) => {
            let t = user.tr(&state);
            let back = id::<LessonId>(&form.lesson).ok();
            match (
                refusal_text(&t, &e, state.app.homework_file_max_bytes()),
                back,
            ) {
                (Some(refused), Some(lesson)) => {
                    lesson_with_error(&state, &user, lesson, refused).await
                }
                _ => Err(PageError::from(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn sizes_are_written_the_russian_way() {
        let i18n = crate::i18n::I18n::new();
        let ru = i18n.tr(Lang::Ru);
        assert_eq!(size_label(&ru, 512), "512 Б");
        assert_eq!(size_label(&ru, 34 * 1024 - 10), "34 КБ");
        assert_eq!(size_label(&ru, 1536 * 1024), "1,5 МБ");
        assert_eq!(size_label(&ru, 10 * 1024 * 1024), "10 МБ");
        assert_eq!(size_label(&i18n.tr(Lang::En), 1536 * 1024), "1.5 MB");
    }
}
