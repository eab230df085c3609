//! Paper extracts and printed documents over the JSON API: issuing extracts (a pupil, a class,
//! or a class's print queue) as one PDF, the print queue and the registry of a class, "handed
//! to", the public verification of a code, and the summary sheet, consent form and archived
//! journal as PDF. PDFs answer `application/pdf`; errors are problem+json.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::extracts::pages::{issued_headers, pdf_response, reason_code};
use crate::paths::{Path, field_id, parse_field};
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::extracts::{ExtractRequest, RangeInput, Target, Verification};
use tabel_domain::extract::IssuedExtract;
use tabel_domain::{GroupId, PersonId, SubjectId};
use tabel_present::rfc3339;
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(issue))
        .routes(routes!(queue))
        .routes(routes!(registry))
        .routes(routes!(set_handed_to))
        .routes(routes!(verify))
        .routes(routes!(summary_sheet_pdf))
        .routes(routes!(consent_form_pdf))
        .routes(routes!(journal_pdf))
}

fn date(field: &str, raw: Option<&str>) -> Result<Option<Date>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => tabel_domain::calendar::parse_iso_date(s)
            .map(Some)
            .map_err(|_| ApiError::field(field, "use YYYY-MM-DD")),
    }
}

/// What to print.
#[derive(Deserialize, ToSchema)]
struct ExtractBody {
    /// One pupil (or `class_id`).
    #[serde(default)]
    student_id: Option<String>,
    /// A class (or `student_id`).
    #[serde(default)]
    class_id: Option<String>,
    /// With `class_id`: only the print queue (families without electronic delivery).
    #[serde(default)]
    only_paper: bool,
    /// A reporting period id; or `from` and `to`; neither = the current period.
    #[serde(default)]
    period_id: Option<String>,
    /// First day (YYYY-MM-DD).
    #[serde(default)]
    from: Option<String>,
    /// Last day (YYYY-MM-DD), not before `from`.
    #[serde(default)]
    to: Option<String>,
    /// Include the homework of the range.
    #[serde(default)]
    homework: bool,
    /// To whom the paper is handed, when known.
    #[serde(default)]
    handed_to: String,
}

/// Issues extracts as one PDF (a page run per pupil): the school's keepers for a pupil or a
/// class (administrators, deputy heads, the class teacher); a parent for their own child with
/// the diary consent in force. Each extract is recorded with its verification code (response
/// header `x-extract-codes`, in page order) and the PDF's SHA-256 (`x-content-sha256`).
#[utoipa::path(post, path = "/api/v1/extracts", tag = "extracts", security(("bearer" = [])), request_body = ExtractBody,
    responses((status = 200, description = "The extracts", content_type = "application/pdf"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn issue(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<ExtractBody>,
) -> Result<Response, ApiError> {
    let target = match (b.student_id.as_deref(), b.class_id.as_deref()) {
        (Some(s), None) => Target::Student(field_id::<PersonId>("student_id", s)?),
        (None, Some(c)) => Target::Class {
            class: field_id::<GroupId>("class_id", c)?,
            only_paper: b.only_paper,
        },
        _ => {
            return Err(ApiError::field(
                "student_id",
                "give student_id or class_id (one of them)",
            ));
        }
    };
    let req = ExtractRequest {
        range: RangeInput {
            period: match b.period_id.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(p) => Some(parse_field("period", p, "not a period id")?),
            },
            from: date("from", b.from.as_deref())?,
            to: date("to", b.to.as_deref())?,
        },
        homework: b.homework,
        handed_to: b.handed_to.clone(),
    };
    let issued = state
        .app
        .issue_extracts(
            &who.principal,
            target,
            &req,
            &client,
            state.app.extract_renderer(),
        )
        .await?;
    let mut res = pdf_response(
        issued.pdf.clone(),
        &format!("extracts-{}.pdf", issued.batch),
        false,
    );
    issued_headers(&mut res, &issued);
    Ok(res)
}

/// An issued extract.
#[derive(Serialize, ToSchema)]
struct IssuedDto {
    code: String,
    batch: String,
    student_id: String,
    student: String,
    class_id: Option<String>,
    period_id: Option<String>,
    from: String,
    to: String,
    with_homework: bool,
    /// `paper` (printed by the school) or `download` (taken by a parent).
    channel: String,
    pdf_sha256: String,
    content_sha256: String,
    signer: String,
    issued_by: Option<String>,
    issued_at: String,
    handed_to: String,
    handed_at: Option<String>,
}

impl From<&IssuedExtract> for IssuedDto {
    fn from(e: &IssuedExtract) -> Self {
        IssuedDto {
            code: e.code.clone(),
            batch: e.batch.clone(),
            student_id: e.student.to_string(),
            student: e.student_name.clone(),
            class_id: e.class.map(|c| c.to_string()),
            period_id: e.period.map(|p| p.to_string()),
            from: e.from.to_string(),
            to: e.to.to_string(),
            with_homework: e.with_homework,
            channel: e.channel.clone(),
            pdf_sha256: e.pdf_sha256.clone(),
            content_sha256: e.content_sha256.clone(),
            signer: e.signer.clone(),
            issued_by: e.issued_by.clone(),
            issued_at: rfc3339(e.issued_at),
            handed_to: e.handed_to.clone(),
            handed_at: e.handed_at.map(rfc3339),
        }
    }
}

/// A pupil of the print queue.
#[derive(Serialize, ToSchema)]
struct QueueLineDto {
    student_id: String,
    name: String,
    /// `refused`, `no_consent`, `no_representative`, `no_contact`.
    reason: String,
    last_issued: Option<IssuedDto>,
}

/// A class's print queue.
#[derive(Serialize, ToSchema)]
struct QueueDto {
    class_id: String,
    class: String,
    current_period_id: Option<String>,
    lines: Vec<QueueLineDto>,
}

/// The pupils of a class whose families get paper (a refusal or withdrawal, nothing submitted,
/// no representative, or no verified contact), with the latest extract of each.
#[utoipa::path(get, path = "/api/v1/classes/{id}/extract-queue", tag = "extracts", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = QueueDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn queue(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(class): Path<GroupId>,
) -> Result<Json<QueueDto>, ApiError> {
    let q = state.app.print_queue(&who.principal, class).await?;
    Ok(Json(QueueDto {
        class_id: q.class.id.to_string(),
        class: q.class.name.clone(),
        current_period_id: q.current.as_ref().map(|p| p.id.to_string()),
        lines: q
            .lines
            .iter()
            .map(|l| QueueLineDto {
                student_id: l.student.to_string(),
                name: l.name.clone(),
                reason: reason_code(l.reason).to_owned(),
                last_issued: l.last_issued.as_ref().map(IssuedDto::from),
            })
            .collect(),
    }))
}

/// The extracts issued for a class's pupils, newest first.
#[utoipa::path(get, path = "/api/v1/classes/{id}/extracts", tag = "extracts", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<IssuedDto>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn registry(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(class): Path<GroupId>,
) -> Result<Json<Vec<IssuedDto>>, ApiError> {
    let list = state.app.class_extracts(&who.principal, class).await?;
    Ok(Json(list.iter().map(IssuedDto::from).collect()))
}

/// To whom the paper was handed.
#[derive(Deserialize, ToSchema)]
struct HandedBody {
    handed_to: String,
}

/// Records to whom an extract's paper was handed (audited).
#[utoipa::path(put, path = "/api/v1/extracts/{code}/handed-to", tag = "extracts", security(("bearer" = [])), params(("code" = String, Path)),
    request_body = HandedBody,
    responses((status = 200, body = IssuedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_handed_to(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(code): Path<tabel_domain::extract::ExtractCode>,
    ApiJson(b): ApiJson<HandedBody>,
) -> Result<Json<IssuedDto>, ApiError> {
    let e = state
        .app
        .set_extract_handed_to(&who.principal, &code, &b.handed_to, &client)
        .await?;
    Ok(Json(IssuedDto::from(&e)))
}

/// What anyone may learn of a printed code.
#[derive(Serialize, ToSchema)]
struct VerificationDto {
    code: String,
    school: String,
    issued_at: String,
    /// The pupil's initials: "И. П.".
    initials: String,
    class: Option<String>,
    from: String,
    to: String,
    channel: String,
    pdf_sha256: String,
    content_sha256: String,
}

impl From<Verification> for VerificationDto {
    fn from(v: Verification) -> Self {
        VerificationDto {
            code: v.code,
            school: v.school,
            issued_at: rfc3339(v.issued_at),
            initials: v.initials,
            class: v.class_name,
            from: v.from.to_string(),
            to: v.to.to_string(),
            channel: v.channel,
            pdf_sha256: v.pdf_sha256,
            content_sha256: v.content_sha256,
        }
    }
}

/// Whether an extract with this code was issued (no login): the school, when, the dates, the
/// hashes and the pupil's initials — never the marks. 404 for a code never issued; 429
/// `urn:tabel:problem:too-many-attempts` past the lookups a client address may make a minute.
#[utoipa::path(get, path = "/api/v1/verify/{code}", tag = "extracts", params(("code" = String, Path)),
    responses((status = 200, body = VerificationDto), (status = 404, body = Problem), (status = 429, body = Problem)))]
async fn verify(
    State(state): State<AppState>,
    ClientInfo(client): ClientInfo,
    Path(code): Path<tabel_domain::extract::ExtractCode>,
) -> Result<Json<VerificationDto>, ApiError> {
    state.app.throttle_verification(&client.address).await?;
    Ok(Json(state.app.verify_extract(&code).await?.into()))
}

/// Which class.
#[derive(Deserialize, IntoParams)]
struct ClassQuery {
    /// The class's id.
    class: String,
}

/// The summary sheet (сводная ведомость) of a class as PDF (administrators, deputy heads, the
/// class teacher).
#[utoipa::path(get, path = "/api/v1/documents/summary-sheet", tag = "extracts", security(("bearer" = [])), params(ClassQuery),
    responses((status = 200, description = "The summary sheet", content_type = "application/pdf"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn summary_sheet_pdf(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ClassQuery>,
) -> Result<Response, ApiError> {
    let class: GroupId = field_id("class", &q.class)?;
    let d = state.app.summary_document(&who.principal, class).await?;
    let name = format!(
        "summary-sheet-{}.pdf",
        tabel_app::documents::file_safe(&d.sheet.class.name)
    );
    let bytes = state.app.summary_sheet_pdf(&d).await?;
    Ok(pdf_response(bytes, &name, false))
}

/// Whose consent form.
#[derive(Deserialize, IntoParams)]
struct FormQuery {
    /// The legal representative.
    parent: String,
    /// The child.
    student: String,
}

/// The consent form for a representative to sign, as PDF (the registry's keepers, and the
/// representative themself).
#[utoipa::path(get, path = "/api/v1/documents/consent-form", tag = "extracts", security(("bearer" = [])), params(FormQuery),
    responses((status = 200, description = "The form", content_type = "application/pdf"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn consent_form_pdf(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<FormQuery>,
) -> Result<Response, ApiError> {
    let f = state
        .app
        .consent_form(
            &who.principal,
            field_id("parent", &q.parent)?,
            field_id("student", &q.student)?,
        )
        .await?;
    let bytes = state.app.consent_form_pdf(&f).await?;
    Ok(pdf_response(bytes, "consent-form.pdf", false))
}

/// Which journal.
#[derive(Deserialize, IntoParams)]
struct JournalQuery {
    /// The class.
    class: String,
    /// The journal's group (the class, a subgroup, a stream).
    group: String,
    /// The subject.
    subject: String,
}

/// One journal of a class for the year-end archive, as PDF: per period the grid of marks and
/// attendance, averages and final marks, the lessons with topics and homework; the year's
/// finals (administrators, deputy heads, the class teacher).
#[utoipa::path(get, path = "/api/v1/documents/journal", tag = "extracts", security(("bearer" = [])), params(JournalQuery),
    responses((status = 200, description = "The journal", content_type = "application/pdf"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn journal_pdf(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<JournalQuery>,
) -> Result<Response, ApiError> {
    let class: GroupId = field_id("class", &q.class)?;
    let group: GroupId = field_id("group", &q.group)?;
    let subject: SubjectId = field_id("subject", &q.subject)?;
    let archive = state
        .app
        .class_archive(&who.principal, class, Some((group, subject)))
        .await?;
    let (name, bytes) = state
        .app
        .class_journal_pdfs(&archive)
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::from(AppError::NotFound))?;
    Ok(pdf_response(bytes, &format!("journal-{name}.pdf"), false))
}
