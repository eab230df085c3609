//! The exams pages of administrators and deputy heads (регламент, п. 6): `/exams` imports a
//! file of results (multipart, so that it works without JavaScript) with the time the school
//! received it, lists the latest batches with how much of each the families see and publishes
//! the rest; `/exams/overdue` is the dashboard of overdue publications with who of each family
//! has not been informed. The family's side is a section of the diary's final-marks page
//! ([`diary_exams`]).

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, href, id, query};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::exams::{
    Channel, ExamImport, LineState, MAX_FILE_BYTES, PublishTarget, RecipientRole,
};
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::exams::{self as rules, ExamKind, ExamMark};
use tabel_domain::{ExamBatchId, ExamResultId, PersonId, SchoolId};
use tabel_present::date;
use time::{Duration, OffsetDateTime};

/// Room for the multipart framing and the form's other fields around the largest file.
const FRAMING_BYTES: usize = 16 * 1024;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/exams",
            get(desk_page)
                .post(import)
                // The file may be far larger than the site-wide form limit.
                .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + FRAMING_BYTES)),
        )
        .route("/exams/batches/{batch}/publish", post(publish_batch))
        .route("/exams/results/{result}/publish", post(publish_result))
        .route("/exams/overdue", get(overdue_page))
}

/// "27.11.2026 10:00" in the school's time.
fn local(zone: &TimeZoneName, at: OffsetDateTime) -> String {
    tabel_present::date_time(zone.local(at))
}

/// "30 ч", "2 дн. 6 ч".
fn span(t: &Tr<'_>, d: Duration) -> String {
    let hours = d.whole_hours().max(0);
    if hours >= 48 {
        t.args(
            "exams-days-hours",
            &[("d", (hours / 24).into()), ("h", (hours % 24).into())],
        )
    } else {
        t.count("exams-hours", hours)
    }
}

/// A result as a family or an administrator reads it: `5`, `зачёт`, `78 баллов`.
pub(crate) fn mark_label(t: &Tr<'_>, m: ExamMark) -> String {
    match m {
        ExamMark::Mark(n) => n.to_string(),
        ExamMark::Pass => t.get("exams-pass"),
        ExamMark::Fail => t.get("exams-fail"),
        ExamMark::Score(n) => t.count("exams-test-score", i64::from(n)),
    }
}

/// The exam's name: `ОГЭ`, `Итоговое собеседование`.
pub(crate) fn kind_label(t: &Tr<'_>, k: ExamKind) -> String {
    t.get(&format!("exams-kind-{}", k.code()))
}

/// `?school=` of the pages (administrators of several schools choose; others have one).
#[derive(Deserialize, Default)]
struct DeskQuery {
    #[serde(default)]
    school: String,
    /// The batch just imported.
    #[serde(default)]
    imported: String,
    /// How many results were just published.
    #[serde(default)]
    published: String,
}

pub(crate) fn school_of(raw: &str) -> Result<Option<SchoolId>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        s => id(s).map(Some),
    }
}

/// A batch as the desk lists it.
pub struct BatchRow {
    /// Id.
    pub id: String,
    /// "ВПР".
    pub exam: String,
    /// Subjects.
    pub subjects: String,
    /// File.
    pub file_name: String,
    /// Received, local.
    pub received: String,
    /// Imported, local, and by whom.
    pub imported: String,
    /// Rows.
    pub rows: i64,
    /// Visible to families.
    pub published: i64,
    /// Not yet.
    pub unpublished: i64,
    /// Due, local.
    pub due: String,
    /// Unpublished past due.
    pub overdue: bool,
    /// The batch just imported.
    pub fresh: bool,
    /// Publish form.
    pub publish_action: String,
}

#[derive(Template)]
#[template(path = "exams/desk.html")]
struct DeskPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school: String,
    kinds: Vec<(&'static str, String)>,
    typed: ImportForm,
    received_default: String,
    batches: Vec<BatchRow>,
    errors: Vec<String>,
    notice: String,
    overdue_href: String,
    max_mb: usize,
}

/// What the import form held.
#[derive(Deserialize, Default, Clone)]
struct ImportForm {
    exam: String,
    received_at: String,
    publish: bool,
}

async fn desk_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: Option<SchoolId>,
    typed: ImportForm,
    (imported, published): (Option<i64>, Option<usize>),
) -> Result<DeskPage<'s>, AppError> {
    let desk = state.app.exam_desk(&user.who.principal, school).await?;
    let t = user.tr(state);
    let zone = state.app.config().time_zone.clone();
    let notice = match (imported, published) {
        (Some(b), _) => desk
            .batches
            .iter()
            .find(|x| x.batch.id == ExamBatchId::new(b))
            .map(|x| {
                if x.batch.published > 0 {
                    t.count("exams-imported-published", x.batch.rows)
                } else {
                    t.count("exams-imported-held", x.batch.rows)
                }
            })
            .unwrap_or_default(),
        (None, Some(n)) => t.count("exams-published-now", i64::try_from(n).unwrap_or(0)),
        (None, None) => String::new(),
    };
    let here = zone.local(desk.as_of);
    let school_q = query(&[("school", school)]);
    Ok(DeskPage {
        school: school.map(|s| s.to_string()).unwrap_or_default(),
        kinds: ExamKind::ALL
            .iter()
            .map(|k| (k.code(), kind_label(&t, *k)))
            .collect(),
        received_default: format!("{}T{:02}:{:02}", here.date(), here.hour(), here.minute()),
        batches: desk
            .batches
            .iter()
            .map(|s| {
                let b = &s.batch;
                BatchRow {
                    id: b.id.to_string(),
                    exam: kind_label(&t, b.exam),
                    subjects: b.subjects.clone(),
                    file_name: b.file_name.clone(),
                    received: local(&zone, b.received_at),
                    imported: match &b.imported_by {
                        Some(login) => format!("{} · {login}", local(&zone, b.imported_at)),
                        None => local(&zone, b.imported_at),
                    },
                    rows: b.rows,
                    published: b.published,
                    unpublished: s.unpublished,
                    due: local(&zone, s.due_at),
                    overdue: s.overdue,
                    fresh: imported == Some(b.id.get()),
                    publish_action: format!("/exams/batches/{}/publish{school_q}", b.id),
                }
            })
            .collect(),
        errors: Vec::new(),
        notice,
        overdue_href: format!("/exams/overdue{school_q}"),
        max_mb: MAX_FILE_BYTES / 1024 / 1024,
        typed,
        nav: user.nav.clone(),
        t,
    })
}

/// The exams desk: the import form and the latest batches.
#[tracing::instrument(skip_all)]
async fn desk_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<DeskQuery>,
) -> Result<Html<String>, PageError> {
    let school = school_of(&q.school)?;
    let imported = q.imported.trim().parse().ok();
    let published = q.published.trim().parse().ok();
    render(
        desk_view(
            &state,
            &user,
            school,
            ImportForm {
                exam: ExamKind::Vpr.code().to_owned(),
                ..ImportForm::default()
            },
            (imported, published),
        )
        .await?,
    )
}

/// The import form's fields and file.
struct Upload {
    form: ImportForm,
    school: String,
    file_name: String,
    bytes: Vec<u8>,
}

/// Reads the multipart form; `Err(true)` when the file was too large.
async fn read_upload(mut form: Multipart) -> Result<Upload, bool> {
    let mut u = Upload {
        form: ImportForm::default(),
        school: String::new(),
        file_name: String::new(),
        bytes: Vec::new(),
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(e.status() == StatusCode::PAYLOAD_TOO_LARGE),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            u.file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| e.status() == StatusCode::PAYLOAD_TOO_LARGE)?;
            if bytes.len() > MAX_FILE_BYTES {
                return Err(true);
            }
            u.bytes = bytes.to_vec();
            continue;
        }
        let text = field.text().await.map_err(|_| false)?;
        let text: String = text.chars().take(200).collect();
        match name.as_str() {
            "exam" => u.form.exam = text,
            "received_at" => u.form.received_at = text,
            "publish" => u.form.publish = !text.is_empty(),
            "school" => u.school = text,
            _ => {}
        }
    }
    Ok(u)
}

/// Imports the uploaded file; a refused one comes back as 422 (409 for a file imported
/// already) with every row and column named, and nothing written.
#[tracing::instrument(skip_all)]
async fn import(
    State(state): State<AppState>,
    user: PageUser,
    form: Multipart,
) -> Result<Response, PageError> {
    // Before the file is read: only those who manage a school's exams make the server receive
    // it (the school is a field of the form, judged after).
    state.app.manages_any_exams(&user.who.principal)?;
    let upload = match read_upload(form).await {
        Ok(u) => u,
        Err(too_large) => {
            let (status, detail) = if too_large {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    user.tr(&state).with(
                        "plan-too-large",
                        "mb",
                        (MAX_FILE_BYTES / 1024 / 1024).to_string(),
                    ),
                )
            } else {
                (StatusCode::BAD_REQUEST, String::new())
            };
            return Err(PageError::Status(status, "exams-refused", detail));
        }
    };
    let school = school_of(&upload.school)?;
    let zone = state.app.config().time_zone.clone();
    let result = async {
        let exam = ExamKind::parse(&upload.form.exam)
            .ok_or_else(|| AppError::invalid("exam", "choose the exam"))?;
        let received_at = match upload.form.received_at.trim() {
            "" => None,
            raw => Some(rules::parse_received_at(raw, &zone).ok_or_else(|| {
                AppError::invalid("received_at", "a date and time, e.g. 27.11.2026 10:00")
            })?),
        };
        if upload.bytes.is_empty() {
            return Err(AppError::invalid("file", "choose the file of results"));
        }
        state
            .app
            .import_exam_results(
                &user.who.principal,
                school,
                ExamImport {
                    exam,
                    received_at,
                    publish: upload.form.publish,
                    file_name: upload.file_name.clone(),
                    bytes: upload.bytes,
                },
                &user.client,
            )
            .await
    }
    .await;
    let (status, errors) = match result {
        Ok(summary) => {
            let to = href(
                "/exams",
                &(("imported", summary.batch.id), ("school", school)),
            );
            return Ok(crate::redirect::see_other(&to).into_response());
        }
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .into_iter()
                .map(|(place, message)| format!("{place}: {message}"))
                .collect(),
        ),
        Err(AppError::Conflict(why)) => (StatusCode::CONFLICT, vec![why]),
        Err(e) => return Err(PageError::from(e)),
    };
    let page = desk_view(&state, &user, school, upload.form, (None, None))
        .await
        .map(|mut p| {
            p.errors = errors;
            p
        });
    render_status(status, page?)
}

/// Where a publish button returns.
#[derive(Deserialize, Default)]
struct PublishForm {
    #[serde(default)]
    school: String,
    /// `overdue` returns to the dashboard.
    #[serde(default)]
    back: String,
}

async fn publish_and_return(
    state: &AppState,
    user: &PageUser,
    target: PublishTarget,
    f: &PublishForm,
) -> Result<Response, PageError> {
    let s = state
        .app
        .publish_exam_results(&user.who.principal, target, &user.client)
        .await?;
    let page = if f.back == "overdue" {
        "/exams/overdue"
    } else {
        "/exams"
    };
    let school = school_of(&f.school).ok().flatten();
    let to = href(
        page,
        &(("published", s.published.len()), ("school", school)),
    );
    Ok(crate::redirect::see_other(&to).into_response())
}

/// Publishes a batch's held-back results.
async fn publish_batch(
    State(state): State<AppState>,
    user: PageUser,
    Path(batch): Path<ExamBatchId>,
    Form(f): Form<PublishForm>,
) -> Result<Response, PageError> {
    publish_and_return(&state, &user, PublishTarget::Batch(batch), &f).await
}

/// Publishes one result (from the dashboard).
async fn publish_result(
    State(state): State<AppState>,
    user: PageUser,
    Path(result): Path<ExamResultId>,
    Form(f): Form<PublishForm>,
) -> Result<Response, PageError> {
    publish_and_return(&state, &user, PublishTarget::Ids(vec![result]), &f).await
}

/// Someone not informed, as the dashboard shows them.
pub struct PersonRow {
    /// Name.
    pub name: String,
    /// "ученик", "мать".
    pub role: String,
    /// How they can be told.
    pub channel: String,
    /// Badge style.
    pub style: &'static str,
}

/// A result on the dashboard.
pub struct LineRow {
    /// Result id.
    pub id: String,
    /// "Петров Иван".
    pub student: String,
    /// Class.
    pub class: String,
    /// "ВПР · Математика".
    pub exam: String,
    /// Mark.
    pub mark: String,
    /// Received, local.
    pub received: String,
    /// Due, local.
    pub due: String,
    /// "просрочено на 30 ч" or "опубликовано с опозданием: 30 ч".
    pub state: String,
    /// Still unpublished.
    pub overdue: bool,
    /// Who has not been informed.
    pub people: Vec<PersonRow>,
    /// Publish form.
    pub publish_action: String,
}

#[derive(Template)]
#[template(path = "exams/overdue.html")]
struct OverduePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school: String,
    as_of: String,
    pending: usize,
    overdue: usize,
    late: usize,
    lines: Vec<LineRow>,
    notice: String,
    desk_href: String,
}

/// The dashboard of overdue publications.
#[tracing::instrument(skip_all)]
async fn overdue_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<DeskQuery>,
) -> Result<Html<String>, PageError> {
    let school = school_of(&q.school)?;
    let o = state
        .app
        .overdue_exam_results(&user.who.principal, school)
        .await?;
    let t = user.tr(&state);
    let zone = state.app.config().time_zone.clone();
    let lines: Vec<LineRow> = o
        .lines
        .iter()
        .map(|l| {
            let r = &l.result;
            let (state, overdue) = match l.state {
                LineState::Overdue(by) => (t.with("exams-overdue-by", "span", span(&t, by)), true),
                LineState::PublishedLate(d) => {
                    (t.with("exams-published-late", "span", span(&t, d)), false)
                }
            };
            LineRow {
                id: r.id.to_string(),
                student: r.student_name.clone(),
                class: r.class_name.clone().unwrap_or_default(),
                exam: format!("{} · {}", kind_label(&t, r.exam), r.subject_name),
                mark: mark_label(&t, r.mark),
                received: local(&zone, r.received_at),
                due: local(&zone, l.due_at),
                state,
                overdue,
                people: l
                    .not_informed
                    .iter()
                    .map(|p| {
                        let (channel, style) = match p.channel {
                            Channel::Diary => (t.get("exams-channel-diary"), "warn"),
                            Channel::NoAccount => (t.get("exams-channel-no-account"), "warn"),
                            Channel::Paper => (t.get("exams-channel-paper"), "bad"),
                        };
                        PersonRow {
                            name: p.name.clone(),
                            role: match p.role {
                                RecipientRole::Pupil => t.get("exams-role-pupil"),
                                RecipientRole::Representative(rel) => {
                                    t.get(&format!("relation-{}", rel.code()))
                                }
                            },
                            channel,
                            style,
                        }
                    })
                    .collect(),
                publish_action: format!("/exams/results/{}/publish", r.id),
            }
        })
        .collect();
    let overdue = lines.iter().filter(|l| l.overdue).count();
    let school_q = query(&[("school", school)]);
    render(OverduePage {
        school: school.map(|s| s.to_string()).unwrap_or_default(),
        as_of: local(&zone, o.as_of),
        pending: o.pending,
        late: lines.len() - overdue,
        overdue,
        lines,
        notice: q
            .published
            .trim()
            .parse::<i64>()
            .map(|n| t.count("exams-published-now", n))
            .unwrap_or_default(),
        desk_href: format!("/exams{school_q}"),
        nav: user.nav.clone(),
        t,
    })
}

/// A result in the family's diary.
pub struct DiaryExam {
    /// "ВПР".
    pub exam: String,
    /// Subject.
    pub subject: String,
    /// "21.04.2027" ("" when the source gave no date).
    pub taken_on: String,
    /// Primary score ("" when none).
    pub score: String,
    /// Mark.
    pub mark: String,
    /// A failing result.
    pub failing: bool,
    /// Not yet visible to the family (only the school's administration sees such).
    pub held_back: bool,
}

/// The exam results section of the diary's final-marks page (`diary/_exams.html`): what `p`
/// may see of the pupil's results (see [`tabel_app::App::exam_results_of`]).
pub(crate) async fn diary_exams(
    state: &AppState,
    user: &PageUser,
    student: PersonId,
) -> Result<Vec<DiaryExam>, AppError> {
    let t = user.tr(state);
    Ok(state
        .app
        .exam_results_of(&user.who.principal, student)
        .await?
        .into_iter()
        .map(|r| DiaryExam {
            exam: kind_label(&t, r.exam),
            subject: r.subject_name,
            taken_on: r.taken_on.map(date).unwrap_or_default(),
            score: r.score.map(|s| s.to_string()).unwrap_or_default(),
            mark: mark_label(&t, r.mark),
            failing: r.mark.failing(),
            held_back: r.published_at.is_none(),
        })
        .collect())
}
