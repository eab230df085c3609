//! The thematic plan (КТП) page of a journal: the plan as imported and a form to upload the
//! CSV or XLSX file again. The upload is `multipart/form-data`, so a browser without
//! JavaScript can send it; the JSON API (`thematic_api`) takes the raw file instead.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tabel_app::AppError;
use tabel_app::thematic::{ImportSummary, MAX_FILE_BYTES};
use tabel_domain::thematic::ThematicPlan;
use tabel_domain::{GroupId, SubjectId};
use tabel_present::date;

/// Room for the multipart framing around a file of the largest accepted size.
const FRAMING_BYTES: usize = 16 * 1024;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(
        "/journal/{group}/{subject}/plan",
        get(show_plan)
            .post(upload_plan)
            // The file may be far larger than the site-wide form limit.
            .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + FRAMING_BYTES)),
    )
}

/// A topic of the plan as shown.
pub struct TopicRow {
    /// From 1.
    pub position: u32,
    /// Title.
    pub title: String,
    /// Planned lessons.
    pub hours: u8,
    /// Lesson type: the school's name for it, or its code ("" when unset).
    pub lesson_type: String,
}

/// The plan as shown.
pub struct PlanView {
    /// The file it came from.
    pub source_name: String,
    /// "28.11.2026".
    pub updated: String,
    /// Planned lessons in total.
    pub hours: u32,
    /// Its topics in order.
    pub topics: Vec<TopicRow>,
}

impl From<ThematicPlan> for PlanView {
    fn from(p: ThematicPlan) -> Self {
        PlanView {
            source_name: p.source_name,
            updated: date(p.updated_at.date()),
            hours: p.topics.iter().map(|t| u32::from(t.hours)).sum(),
            topics: p
                .topics
                .into_iter()
                .map(|t| TopicRow {
                    position: t.position,
                    title: t.title,
                    hours: t.hours,
                    lesson_type: t.lesson_type.unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "journal/plan.html")]
struct PlanPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    action: String,
    grid_href: String,
    plan: Option<PlanView>,
    summary: Option<ImportSummary>,
    errors: Vec<String>,
}

impl<'a> PlanPage<'a> {
    fn new(t: Tr<'a>, user: &PageUser, (group, subject): (GroupId, SubjectId)) -> Self {
        PlanPage {
            t,
            nav: user.nav.clone(),
            action: format!("/journal/{group}/{subject}/plan"),
            grid_href: format!("/journal/{group}/{subject}"),
            plan: None,
            summary: None,
            errors: Vec::new(),
        }
    }
}

/// The journal's plan (when one was imported) and the upload form.
#[tracing::instrument(skip_all, fields(group = %ids.0, subject = %ids.1))]
async fn show_plan(
    State(state): State<AppState>,
    user: PageUser,
    Path(ids): Path<(GroupId, SubjectId)>,
) -> Result<Html<String>, PageError> {
    let plan = state.app.plan(&user.who.principal, ids.0, ids.1).await?;
    let mut page = PlanPage::new(user.tr(&state), &user, ids);
    if let Some(plan) = plan {
        // Lesson types by the names the school gave them (the code where none matches).
        let policy = state
            .app
            .grading_policy(&user.who.principal, plan.school)
            .await?;
        let mut view = PlanView::from(plan);
        for topic in &mut view.topics {
            if let Some(lt) = policy.policy.lesson_type(&topic.lesson_type) {
                topic.lesson_type = lt.name.clone();
            }
        }
        page.plan = Some(view);
    }
    render(page)
}

/// Why the uploaded form could not be read.
enum Upload {
    TooLarge,
    Malformed,
}

impl From<MultipartError> for Upload {
    fn from(e: MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Upload::TooLarge
        } else {
            Upload::Malformed
        }
    }
}

/// The `file` field of the form: its name and bytes (empty when none was chosen).
async fn file_field(mut form: Multipart) -> Result<(String, Vec<u8>), Upload> {
    while let Some(field) = form.next_field().await? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(Upload::TooLarge);
        }
        return Ok((name, bytes.to_vec()));
    }
    Ok((String::new(), Vec::new()))
}

/// Imports the uploaded plan and shows what it did; a refused file comes back as 422 with
/// every row and column named, and nothing is written.
#[tracing::instrument(skip_all, fields(group = %ids.0, subject = %ids.1))]
async fn upload_plan(
    State(state): State<AppState>,
    user: PageUser,
    Path(ids): Path<(GroupId, SubjectId)>,
    form: Multipart,
) -> Result<Response, PageError> {
    // Before the file is read: only those who keep the plan make the server receive it.
    state
        .app
        .may_import_plan(&user.who.principal, ids.0, ids.1)
        .await?;
    let (name, bytes) = match file_field(form).await {
        Ok(file) => file,
        Err(Upload::TooLarge) => {
            let detail = user.tr(&state).with(
                "plan-too-large",
                "mb",
                (MAX_FILE_BYTES / 1024 / 1024).to_string(),
            );
            return Err(PageError::Status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "plan-refused",
                detail,
            ));
        }
        Err(Upload::Malformed) => {
            return Err(PageError::Status(
                StatusCode::BAD_REQUEST,
                "plan-refused",
                String::new(),
            ));
        }
    };
    let result = state
        .app
        .import_plan(
            &user.who.principal,
            ids.0,
            ids.1,
            &name,
            bytes,
            &user.client,
        )
        .await;
    let mut page = PlanPage::new(user.tr(&state), &user, ids);
    match result {
        Ok(summary) => {
            page.summary = Some(summary);
            Ok(render(page)?.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            page.errors = errors
                .into_iter()
                .map(|(place, message)| format!("{place}: {message}"))
                .collect();
            render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(PageError::from(e)),
    }
}
