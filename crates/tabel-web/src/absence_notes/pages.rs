//! Absence notes on the pages: the diary's section «Объяснительные» (`/diary/{student}/absence-notes`:
//! the pupil's notes with their state, and for a consenting parent the form to send one, with
//! an optional scan — `multipart/form-data`, so it works without JavaScript), and the class
//! teacher's pages: the notes waiting (`/absence-notes`, linked from the home page with the
//! count), one note with its scan and the accept / reject form. A refused note comes back on
//! its form with the reasons in Russian; nothing is stored.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::homework_files::api::{UploadError, attachment};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::absence_notes::{DecideNote, NoteView};
use tabel_app::homework_files::refusal;
use tabel_domain::absence::{MAX_DAYS_AHEAD, MAX_DAYS_BACK, MAX_SCAN_BYTES, NoteState};
use tabel_domain::{AbsenceNoteId, PersonId};
use tabel_present::date;

use super::api::state_param;
use super::{FRAMING_BYTES, no_empty_scan, parse_note, read_note_form};
use crate::diary::views::{Head, Section, head, is_parent};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/diary/{student}/absence-notes",
            get(diary_page)
                .post(send)
                .layer(DefaultBodyLimit::max(MAX_SCAN_BYTES + FRAMING_BYTES)),
        )
        .route("/absence-notes", get(list_page))
        .route("/absence-notes/{note}", get(note_page))
        .route("/absence-notes/{note}/decision", post(decide))
        .route("/absence-notes/{note}/scan", get(scan))
}

/// A note as the pages show it.
pub struct NoteRow {
    /// Id.
    pub id: String,
    /// Where to open it.
    pub href: String,
    /// «Петров Иван».
    pub student: String,
    /// «5А».
    pub class: String,
    /// «24.11.2026» or «24.11.2026 – 26.11.2026».
    pub dates: String,
    /// «Болезнь».
    pub reason: String,
    /// The family's words.
    pub text: String,
    /// «Ожидает», «Принята», «Отклонена».
    pub state: String,
    /// `pending`, `accepted`, `rejected` (element class).
    pub state_code: &'static str,
    /// Badge style.
    pub style: &'static str,
    /// The decider's comment.
    pub comment: String,
    /// Who sent it and when.
    pub sent: String,
    /// Who decided and when ("" while pending).
    pub decided: String,
    /// «Пропусков отмечено уважительными: 2» ("" when none).
    pub excused: String,
    /// The scan's link ("" when none or not the reader's to download).
    pub scan_href: String,
    /// The scan's name ("" when none).
    pub scan_name: String,
    /// The decision form is shown.
    pub may_decide: bool,
    /// The version the form sends back.
    pub version: i64,
}

fn dates(from: time::Date, to: time::Date) -> String {
    if from == to {
        date(from)
    } else {
        format!("{} – {}", date(from), date(to))
    }
}

fn row(state: &AppState, t: &Tr<'_>, v: &NoteView) -> NoteRow {
    let n = &v.note;
    let zone = &state.app.config().time_zone;
    let at = |x| tabel_present::date_time(zone.local(x));
    let (state_code, style) = match n.state {
        NoteState::Pending => ("pending", "warn"),
        NoteState::Accepted => ("accepted", "ok"),
        NoteState::Rejected => ("rejected", "bad"),
    };
    NoteRow {
        id: n.id.to_string(),
        href: format!("/absence-notes/{}", n.id),
        student: n.student_name.clone(),
        class: n.class_name.clone(),
        dates: dates(n.from, n.to),
        reason: t.get(&format!("notes-reason-{}", n.reason.code())),
        text: n.text.clone(),
        state: t.get(&format!("notes-state-{state_code}")),
        state_code,
        style,
        comment: n.comment.clone(),
        sent: format!("{}, {}", n.sent_by_name, at(n.sent_at)),
        decided: match (&n.decided_by_name, n.decided_at) {
            (Some(by), Some(when)) => format!("{by}, {}", at(when)),
            (None, Some(when)) => at(when),
            _ => String::new(),
        },
        excused: if n.excused > 0 {
            t.with("notes-excused", "n", n.excused)
        } else {
            String::new()
        },
        scan_href: if v.may_download_scan {
            format!("/absence-notes/{}/scan", n.id)
        } else {
            String::new()
        },
        scan_name: n
            .scan
            .as_ref()
            .map(|s| s.file_name.clone())
            .unwrap_or_default(),
        may_decide: v.may_decide,
        version: n.version,
    }
}

// ---------------------------------------------------------------- the diary's section

#[derive(Template)]
#[template(path = "diary/absence_notes.html")]
struct DiaryNotesPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    head: Head,
    student: String,
    notes: Vec<NoteRow>,
    may_send: bool,
    /// The form as typed (after a refusal).
    form: FormValues,
    /// Why the note was refused, in Russian ("" when it was not).
    errors: Vec<String>,
    /// «Объяснительная отправлена».
    sent: bool,
    /// «не раньше 28.10.2026», «не позже 28.12.2026».
    earliest: String,
    latest: String,
}

/// What the form showed.
#[derive(Default)]
struct FormValues {
    from: String,
    to: String,
    reason: String,
    text: String,
}

#[derive(Deserialize, Default)]
struct SentQuery {
    sent: Option<String>,
}

async fn diary_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    student: PersonId,
    (form, errors, sent): (FormValues, Vec<String>, bool),
) -> Result<DiaryNotesPage<'s>, PageError> {
    let family = state.app.family(&user.who.principal).await?;
    let t = user.tr(state);
    let v = state
        .app
        .absence_notes_of_student(&user.who.principal, student)
        .await?;
    let today = state.app.today();
    let form = if form.from.is_empty() && form.to.is_empty() {
        FormValues {
            from: today.to_string(),
            to: today.to_string(),
            reason: "illness".into(),
            ..form
        }
    } else {
        form
    };
    Ok(DiaryNotesPage {
        head: head(&t, &family, &v.child, Section::Notes, is_parent(user)),
        student: student.to_string(),
        notes: v.notes.iter().map(|n| row(state, &t, n)).collect(),
        may_send: v.may_send,
        form,
        errors,
        sent,
        earliest: (today - time::Duration::days(MAX_DAYS_BACK)).to_string(),
        latest: (today + time::Duration::days(MAX_DAYS_AHEAD)).to_string(),
        nav: user.nav.clone(),
        t,
    })
}

async fn diary_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Query(q): Query<SentQuery>,
) -> Result<Html<String>, PageError> {
    let sent = q.sent.is_some();
    render(
        diary_view(
            &state,
            &user,
            student,
            (FormValues::default(), Vec::new(), sent),
        )
        .await?,
    )
}

/// A refused note in Russian: one line per field.
fn refusal_texts(t: &Tr<'_>, e: &AppError) -> Option<(StatusCode, Vec<String>)> {
    match e {
        AppError::Invalid(errors) => {
            let mut status = StatusCode::UNPROCESSABLE_ENTITY;
            let texts = errors
                .iter()
                .map(
                    |(field, message)| match (field.as_str(), message.as_str()) {
                        ("file", refusal::TOO_LARGE) => {
                            status = StatusCode::PAYLOAD_TOO_LARGE;
                            t.get("notes-error-file-size")
                        }
                        ("file", refusal::DAILY_LIMIT) => {
                            status = StatusCode::TOO_MANY_REQUESTS;
                            t.get("hw-file-daily-limit")
                        }
                        ("from" | "to" | "reason" | "text" | "file", _) => {
                            t.get(&format!("notes-error-{field}"))
                        }
                        _ => format!("{field}: {message}"),
                    },
                )
                .collect();
            Some((status, texts))
        }
        _ => None,
    }
}

/// Sends a note from the diary's form and comes back to the section.
#[tracing::instrument(skip_all, fields(student = %student))]
async fn send(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let t = user.tr(&state);
    let p = &user.who.principal;
    // Before a byte of the body is read.
    if let Err(e) = state.app.may_send_absence_note(p, student).await {
        return match refusal_texts(&t, &e) {
            Some((status, errors)) => {
                let page = diary_view(
                    &state,
                    &user,
                    student,
                    (FormValues::default(), errors, false),
                );
                render_status(status, page.await?)
            }
            None => Err(PageError::from(e)),
        };
    }
    let read = match form {
        Ok(form) => read_note_form(form, MAX_SCAN_BYTES).await,
        Err(_) => Err(UploadError::Malformed),
    };
    let form = match read {
        Ok(form) => form,
        Err(UploadError::Spool(e)) => return Err(PageError::from(AppError::Internal(e))),
        Err(e) => {
            let (status, key) = if e == UploadError::TooLarge {
                (StatusCode::PAYLOAD_TOO_LARGE, "notes-error-file-size")
            } else {
                (StatusCode::BAD_REQUEST, "hw-file-malformed")
            };
            let page = diary_view(
                &state,
                &user,
                student,
                (FormValues::default(), vec![t.get(key)], false),
            );
            return render_status(status, page.await?);
        }
    };
    let values = FormValues {
        from: form.from.trim().to_owned(),
        to: form.to.trim().to_owned(),
        reason: form.reason.trim().to_owned(),
        text: form.text.clone(),
    };
    let result = match parse_note(&form.from, &form.to, &form.reason, form.text) {
        Ok(input) => {
            state
                .app
                .send_absence_note(p, student, &input, no_empty_scan(form.scan), &user.client)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(
            crate::redirect::see_other(&format!("/diary/{student}/absence-notes?sent=1"))
                .into_response(),
        ),
        Err(e) => match refusal_texts(&t, &e) {
            Some((status, errors)) => {
                let page = diary_view(&state, &user, student, (values, errors, false));
                render_status(status, page.await?)
            }
            None => Err(PageError::from(e)),
        },
    }
}

// ---------------------------------------------------------------- the class teacher's pages

#[derive(Template)]
#[template(path = "absence_notes/list.html")]
struct ListPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    notes: Vec<NoteRow>,
    tabs: Vec<(String, String, bool)>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    state: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let wanted = state_param(q.state.as_deref())?;
    let list = state
        .app
        .absence_notes_to_decide(&user.who.principal, wanted)
        .await?;
    let t = user.tr(&state);
    let shown = wanted.map_or("all", NoteState::code).to_owned();
    let tabs = ["pending", "accepted", "rejected", "all"]
        .iter()
        .map(|s| {
            (
                format!("/absence-notes?state={s}"),
                t.get(&format!("notes-tab-{s}")),
                *s == shown,
            )
        })
        .collect();
    render(ListPage {
        notes: list.iter().map(|n| row(&state, &t, n)).collect(),

        tabs,
        nav: user.nav.clone(),
        t,
    })
}

#[derive(Template)]
#[template(path = "absence_notes/note.html")]
struct NotePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    note: NoteRow,
    /// The pupil's diary (the family's section of notes).
    diary: String,
    error: String,
    comment: String,
}

async fn note_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    id: AbsenceNoteId,
    (error, comment): (String, String),
) -> Result<NotePage<'s>, PageError> {
    let v = state.app.absence_note(&user.who.principal, id).await?;
    let t = user.tr(state);
    Ok(NotePage {
        diary: format!("/diary/{}/absence-notes", v.note.student),
        note: row(state, &t, &v),
        error,
        comment,
        nav: user.nav.clone(),
        t,
    })
}

async fn note_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<AbsenceNoteId>,
) -> Result<Html<String>, PageError> {
    render(note_view(&state, &user, id, (String::new(), String::new())).await?)
}

#[derive(Deserialize)]
struct DecisionForm {
    decision: String,
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

/// Accepts or rejects a note and shows it again.
#[tracing::instrument(skip_all, fields(note = %id))]
async fn decide(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<AbsenceNoteId>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let t = user.tr(&state);
    let accept = match f.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => return Err(AppError::invalid("decision", "use accept or reject").into()),
    };
    let result = state
        .app
        .decide_absence_note(
            &user.who.principal,
            id,
            &DecideNote {
                accept,
                comment: f.comment.clone(),
                version: f.version,
            },
            &user.client,
        )
        .await;
    let (status, error) = match result {
        Ok(_) => {
            return Ok(crate::redirect::see_other(&format!("/absence-notes/{id}")).into_response());
        }
        Err(AppError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.get("notes-error-comment"),
        ),
        Err(AppError::Conflict(_) | AppError::Stale { .. }) => {
            (StatusCode::CONFLICT, t.get("notes-error-decided"))
        }
        Err(e) => return Err(PageError::from(e)),
    };
    render_status(
        status,
        note_view(&state, &user, id, (error, f.comment)).await?,
    )
}

/// Downloads a note's scan (its deciders and the sender).
async fn scan(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<AbsenceNoteId>,
) -> Result<Response, PageError> {
    let (name, kind, bytes) = state.app.absence_note_scan(&user.who.principal, id).await?;
    Ok(attachment(&name, &kind, bytes))
}
