//! The school's set-up in the browser: upload the workbook (or CSV lists), read the preview —
//! what is created, updated and left, every problem by sheet, row and column — then apply it;
//! hand out accounts as login letters (PDF) or a CSV; a parent's invitation code.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tabel_app::AppError;
use tabel_app::setup::accounts::IssueAccounts;
use tabel_app::setup::{ImportReport, MAX_UPLOAD_BYTES, Upload};
use tabel_domain::school::GroupKind;
use tabel_domain::{GroupId, SchoolId, UserId};

/// Multipart framing around the files.
const FRAMING_BYTES: usize = 64 * 1024;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/{school}/import",
            get(import_form)
                .post(preview)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + FRAMING_BYTES)),
        )
        .route("/admin/{school}/import/apply", post(apply))
        .route("/admin/{school}/import/template.xlsx", get(template))
        .route("/admin/{school}/export.xlsx", get(export))
        .route("/admin/{school}/accounts", get(accounts_form).post(letters))
        .route("/account/invitation", get(invitation_form).post(redeem))
}

/// Uploads kept between the preview and the apply: a few, for an hour, owned by the user who
/// uploaded them. A restart forgets them (the user uploads again).
#[derive(Debug, Default)]
pub struct Drafts(Mutex<Vec<Draft>>);

#[derive(Debug)]
struct Draft {
    id: String,
    user: UserId,
    school: SchoolId,
    at: Instant,
    files: Vec<Upload>,
}

/// Drafts kept at most, and their bytes together (the oldest goes first).
const MAX_DRAFTS: usize = 16;
const MAX_DRAFT_BYTES: usize = 64 << 20;
const DRAFT_LIFETIME: Duration = Duration::from_secs(3600);

impl Drafts {
    fn keep(&self, user: UserId, school: SchoolId, files: Vec<Upload>) -> Result<String, AppError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.to_string()))?;
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut all = self
            .0
            .lock()
            .map_err(|_| AppError::Internal("drafts".into()))?;
        all.retain(|d| d.at.elapsed() < DRAFT_LIFETIME && d.user != user);
        let size = |files: &[Upload]| files.iter().map(|f| f.bytes.len()).sum::<usize>();
        let new = size(&files);
        while !all.is_empty()
            && (all.len() >= MAX_DRAFTS
                || all.iter().map(|d| size(&d.files)).sum::<usize>() + new > MAX_DRAFT_BYTES)
        {
            all.remove(0);
        }
        all.push(Draft {
            id: id.clone(),
            user,
            school,
            at: Instant::now(),
            files,
        });
        Ok(id)
    }

    fn take(&self, id: &str, user: UserId, school: SchoolId) -> Option<Vec<Upload>> {
        let mut all = self.0.lock().ok()?;
        let at = all.iter().position(|d| {
            d.id == id && d.user == user && d.school == school && d.at.elapsed() < DRAFT_LIFETIME
        })?;
        Some(all.remove(at).files)
    }
}

#[derive(Template)]
#[template(path = "setup/import.html")]
struct ImportPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    report: Option<ImportReport>,
    draft: Option<String>,
    refused: Option<String>,
}

fn import_page<'a>(
    state: &'a AppState,
    user: &PageUser,
    school: SchoolId,
    report: Option<ImportReport>,
) -> ImportPage<'a> {
    ImportPage {
        t: user.tr(state),
        nav: user.nav.clone(),
        school_id: school.to_string(),
        report,
        draft: None,
        refused: None,
    }
}

async fn import_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
) -> Result<Html<String>, PageError> {
    tabel_app::check(user.who.principal.may_administer(school))?;
    render(import_page(&state, &user, school, None))
}

/// The `files` of the form.
async fn uploads(mut form: Multipart) -> Result<Vec<Upload>, StatusCode> {
    let mut out = Vec::new();
    let mut total = 0;
    while let Some(field) = form.next_field().await.map_err(|e| e.status())? {
        if field.name() != Some("files") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| e.status())?;
        total += bytes.len();
        if total > MAX_UPLOAD_BYTES {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        if !bytes.is_empty() {
            out.push(Upload {
                name,
                bytes: bytes.to_vec(),
            });
        }
    }
    Ok(out)
}

async fn preview(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    form: Multipart,
) -> Result<Response, PageError> {
    tabel_app::check(user.who.principal.may_administer(school))?;
    let mut page = import_page(&state, &user, school, None);
    let files = match uploads(form).await {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            page.refused = Some(page.t.get("setup-no-file"));
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
        Err(StatusCode::PAYLOAD_TOO_LARGE) => {
            page.refused = Some(page.t.with(
                "setup-too-large",
                "mb",
                (MAX_UPLOAD_BYTES >> 20).to_string(),
            ));
            return render_status(StatusCode::PAYLOAD_TOO_LARGE, page);
        }
        Err(_) => {
            return Err(PageError::Status(
                StatusCode::BAD_REQUEST,
                "error-invalid",
                String::new(),
            ));
        }
    };
    let report = state
        .app
        .import_school(
            &user.who.principal,
            school,
            files.clone(),
            false,
            &user.client,
        )
        .await?;
    let refused = !report.errors.is_empty();
    if !refused && !report.is_unchanged() {
        page.draft = Some(state.drafts.keep(user.who.principal.user, school, files)?);
    }
    page.report = Some(report);
    if refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
    } else {
        Ok(render(page)?.into_response())
    }
}

#[derive(Deserialize)]
struct ApplyForm {
    draft: String,
}

async fn apply(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<ApplyForm>,
) -> Result<Response, PageError> {
    tabel_app::check(user.who.principal.may_administer(school))?;
    let mut page = import_page(&state, &user, school, None);
    let Some(files) = state.drafts.take(&f.draft, user.who.principal.user, school) else {
        page.refused = Some(page.t.get("setup-draft-gone"));
        return render_status(StatusCode::CONFLICT, page);
    };
    let report = state
        .app
        .import_school(&user.who.principal, school, files, true, &user.client)
        .await?;
    let refused = !report.errors.is_empty();
    page.report = Some(report);
    if refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
    } else {
        Ok(render(page)?.into_response())
    }
}

async fn template(user: PageUser, Path(school): Path<SchoolId>) -> Result<Response, PageError> {
    tabel_app::check(user.who.principal.may_administer(school))?;
    let bytes = tabel_app::setup::template()?;
    Ok(super::api::xlsx_download(bytes, "tabel-school.xlsx"))
}

async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
) -> Result<Response, PageError> {
    let bytes = state.app.export_school(&user.who.principal, school).await?;
    Ok(super::api::xlsx_download(bytes, "tabel-school-lists.xlsx"))
}

#[derive(Template)]
#[template(path = "setup/accounts.html")]
struct AccountsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    classes: Vec<(String, String)>,
}

async fn accounts_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
) -> Result<Html<String>, PageError> {
    tabel_app::check(user.who.principal.may_administer(school))?;
    let classes = state
        .app
        .classes(
            &user.who.principal,
            state.app.today(),
            Some(GroupKind::Class),
        )
        .await?
        .into_iter()
        .filter(|g| g.school == school)
        .map(|g| (g.id.to_string(), g.name))
        .collect();
    render(AccountsPage {
        t: user.tr(&state),
        nav: user.nav.clone(),
        school_id: school.to_string(),
        classes,
    })
}

#[derive(Deserialize)]
struct LettersForm {
    #[serde(default)]
    class: String,
    #[serde(default)]
    pupils: Option<String>,
    #[serde(default)]
    parents: Option<String>,
    #[serde(default)]
    staff: Option<String>,
    #[serde(default)]
    format: String,
}

async fn letters(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    headers: axum::http::HeaderMap,
    Form(f): Form<LettersForm>,
) -> Result<Response, PageError> {
    let class = match f.class.trim() {
        "" => None,
        raw => Some(raw.parse::<GroupId>().map_err(|_| PageError::not_found())?),
    };
    let input = IssueAccounts {
        class,
        pupils: f.pupils.is_some(),
        parents: f.parents.is_some(),
        staff: f.staff.is_some() && class.is_none(),
    };
    let issued = state
        .app
        .issue_accounts(&user.who.principal, school, &input, &user.client)
        .await?;
    Ok(super::letters_download(&state, &issued, f.format == "csv", &headers).await?)
}

#[derive(Template)]
#[template(path = "setup/invitation.html")]
struct InvitationPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    error: Option<String>,
}

async fn invitation_form(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Html<String>, PageError> {
    render(InvitationPage {
        t: user.tr(&state),
        nav: user.nav.clone(),
        error: None,
    })
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

async fn redeem(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<CodeForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .redeem_invitation(&user.who.principal, &f.code, &user.client)
        .await
    {
        Ok(_) => Ok(crate::redirect::see_other("/?done=linked").into_response()),
        Err(AppError::Invalid(errors)) => {
            let t = user.tr(&state);
            let error = errors
                .into_values()
                .next()
                .map(|_| t.get("setup-code-invalid"));
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                InvitationPage {
                    t,
                    nav: user.nav.clone(),
                    error,
                },
            )
        }
        Err(e) => Err(PageError::from(e)),
    }
}
