//! Exam and итоговая marks and exemptions over the JSON API: a pupil's view
//! (`GET /api/v1/students/{id}/certificate`), an exam mark entered by hand, an override of the
//! итоговая with a mandatory reason (422 without one) and its withdrawal, exemptions recorded and
//! ended. The administration (administrators, deputy heads) writes; whoever sees the pupil reads.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::{Path, field_id};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::finals::{
    CertificateLine, ExamMarkInput, ExemptionInput, FinalOverride, StudentCertificate,
};
use tabel_domain::exams::ExamKind;
use tabel_domain::finals::{DocumentKind, Exemption, ExemptionDocument, FinalRecord, FinalValue};
use tabel_domain::{ExemptionId, PersonId, SubjectId};
use tabel_present::rfc3339;
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(certificate))
        .routes(routes!(enter_exam_mark))
        .routes(routes!(override_final, withdraw_override))
        .routes(routes!(create_exemption))
        .routes(routes!(end_exemption))
}

pub(crate) fn date(field: &str, raw: &str) -> Result<Date, ApiError> {
    tabel_domain::calendar::parse_iso_date(raw.trim())
        .map_err(|_| ApiError::field(field, format!("not a date: {raw:?}; use YYYY-MM-DD")))
}

/// A mark of the view.
#[derive(Serialize, ToSchema)]
pub(crate) struct CellDto {
    /// The value's code (`5`, `na`, `exempt`, `pass`, `fail`).
    value: String,
    /// As shown ("5", "осв.").
    shown: String,
    /// Give it back with an override.
    version: i64,
    set_at: String,
}

fn cell(f: Option<&FinalRecord>) -> Option<CellDto> {
    f.map(|f| CellDto {
        shown: FinalValue::from_code(&f.value).map_or_else(|| f.value.clone(), |v| v.to_string()),
        value: f.value.clone(),
        version: f.version,
        set_at: rfc3339(f.set_at),
    })
}

/// A subject's year, exam and итоговая marks.
#[derive(Serialize, ToSchema)]
#[schema(as = CertificateLineDto)]
pub(crate) struct LineDto {
    subject_id: String,
    subject: String,
    year: Option<CellDto>,
    exam: Option<CellDto>,
    /// `oge`, `gve`, `school`: the exam the exam mark came from.
    exam_kind: Option<String>,
    #[serde(rename = "final")]
    final_mark: Option<CellDto>,
    /// What the rule gives now (a value's code).
    derived: Option<String>,
    /// The итоговая was set by an override, not by the rule.
    overridden: bool,
    /// The override's reason ("" when derived).
    reason: String,
}

impl From<&CertificateLine> for LineDto {
    fn from(l: &CertificateLine) -> Self {
        LineDto {
            subject_id: l.subject.to_string(),
            subject: l.subject_name.clone(),
            year: cell(l.year.as_ref()),
            exam: cell(l.exam.as_ref()),
            exam_kind: l.exam_kind.map(|k| k.code().to_owned()),
            final_mark: cell(l.final_mark.as_ref()),
            derived: l.derived.clone(),
            overridden: l.overridden,
            reason: l
                .final_mark
                .as_ref()
                .map(|f| f.reason.clone())
                .unwrap_or_default(),
        }
    }
}

/// An exemption.
#[derive(Serialize, ToSchema)]
pub(crate) struct ExemptionDto {
    id: String,
    student_id: String,
    subject_id: String,
    subject: String,
    starts_on: String,
    ends_on: String,
    /// `medical`, `order`, `other`.
    document_kind: String,
    document_number: String,
    document_date: String,
    document_note: String,
    /// When it was ended early.
    ended_at: Option<String>,
    /// Give it back to end it.
    version: i64,
}

impl From<&Exemption> for ExemptionDto {
    fn from(e: &Exemption) -> Self {
        ExemptionDto {
            id: e.id.to_string(),
            student_id: e.student.to_string(),
            subject_id: e.subject.to_string(),
            subject: e.subject_name.clone(),
            starts_on: e.starts_on.to_string(),
            ends_on: e.ends_on.to_string(),
            document_kind: e.document.kind.code().to_owned(),
            document_number: e.document.number.clone(),
            document_date: e.document.issued_on.to_string(),
            document_note: e.document.note.clone(),
            ended_at: e.ended_at.map(rfc3339),
            version: e.version,
        }
    }
}

/// A pupil's exam and итоговая marks of the current year, with the exemptions.
#[derive(Serialize, ToSchema)]
pub(crate) struct CertificateDto {
    student_id: String,
    student: String,
    class: String,
    grade: u8,
    /// The school's rule: `mean_half_up`, `mean_by_thresholds`, `year_mark`.
    rule: String,
    lines: Vec<LineDto>,
    exemptions: Vec<ExemptionDto>,
    /// The viewer enters exam marks, overrides and exemptions.
    may_manage: bool,
}

impl From<&StudentCertificate> for CertificateDto {
    fn from(s: &StudentCertificate) -> Self {
        CertificateDto {
            student_id: s.student.to_string(),
            student: s.student_name.clone(),
            class: s.class_name.clone(),
            grade: s.grade,
            rule: s.rule.code().to_owned(),
            lines: s.lines.iter().map(LineDto::from).collect(),
            exemptions: s.exemptions.iter().map(ExemptionDto::from).collect(),
            may_manage: s.may_manage,
        }
    }
}

/// A pupil's year, exam and итоговая marks and exemptions: whoever may see the pupil (a parent
/// only with the diary consent).
#[utoipa::path(get, path = "/api/v1/students/{id}/certificate", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = CertificateDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn certificate(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<CertificateDto>, ApiError> {
    let s = state
        .app
        .student_certificate(&who.principal, student)
        .await?;
    Ok(Json(CertificateDto::from(&s)))
}

/// An exam mark to enter.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ExamMarkRequest {
    subject_id: String,
    /// `oge`, `ege`, `gve`, `school` (or the Russian name).
    exam: String,
    /// "4", "отлично"; a ЕГЭ test score.
    mark: String,
    /// YYYY-MM-DD.
    taken_on: String,
}

/// Enters a pupil's exam mark (administrators and deputy heads): a published exam result; the
/// exam column, the итоговая and, for a failing mark, an academic debt follow.
#[utoipa::path(post, path = "/api/v1/students/{id}/exam-marks", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ExamMarkRequest,
    responses((status = 201, body = CertificateDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn enter_exam_mark(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(student): Path<PersonId>,
    ApiJson(b): ApiJson<ExamMarkRequest>,
) -> Result<(StatusCode, Json<CertificateDto>), ApiError> {
    let input = ExamMarkInput {
        subject: field_id::<SubjectId>("subject_id", &b.subject_id)?,
        exam: ExamKind::parse(&b.exam).ok_or_else(|| {
            ApiError::field("exam", "one of oge, ege, gve, vpr, interview, school")
        })?,
        mark: b.mark,
        taken_on: date("taken_on", &b.taken_on)?,
    };
    let s = state
        .app
        .enter_exam_mark(&who.principal, student, &input, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(CertificateDto::from(&s))))
}

/// An override of the итоговая mark.
#[derive(Deserialize, ToSchema)]
pub(crate) struct OverrideRequest {
    /// "5", "н/а", "осв.", "зач.", "незач.".
    value: String,
    /// Why (required).
    #[serde(default)]
    reason: String,
    /// The итоговая mark's version read (0 when none).
    #[serde(default)]
    version: i64,
}

/// Overrides a pupil's итоговая mark in a subject with a reason (administrators and deputy
/// heads); 422 without a reason. The rule no longer changes it until the override is withdrawn.
#[utoipa::path(put, path = "/api/v1/students/{id}/final-marks/{subject}", tag = "finals", security(("bearer" = [])),
    params(("id" = String, Path), ("subject" = String, Path)), request_body = OverrideRequest,
    responses((status = 200, body = CertificateDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn override_final(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((student, subject)): Path<(PersonId, SubjectId)>,
    ApiJson(b): ApiJson<OverrideRequest>,
) -> Result<Json<CertificateDto>, ApiError> {
    let o = FinalOverride {
        subject,
        value: b.value,
        reason: b.reason,
        version: b.version,
    };
    let s = state
        .app
        .override_final(&who.principal, student, &o, &client)
        .await?;
    Ok(Json(CertificateDto::from(&s)))
}

/// `?version=`: the overridden mark's version read.
#[derive(Deserialize, IntoParams)]
struct VersionQuery {
    version: i64,
}

/// Withdraws the override of a pupil's итоговая mark: the rule's value returns.
#[utoipa::path(delete, path = "/api/v1/students/{id}/final-marks/{subject}", tag = "finals", security(("bearer" = [])),
    params(("id" = String, Path), ("subject" = String, Path), VersionQuery),
    responses((status = 200, body = CertificateDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn withdraw_override(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((student, subject)): Path<(PersonId, SubjectId)>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<CertificateDto>, ApiError> {
    let s = state
        .app
        .withdraw_final_override(&who.principal, student, (subject, q.version), &client)
        .await?;
    Ok(Json(CertificateDto::from(&s)))
}

/// An exemption to record.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ExemptionRequest {
    subject_id: String,
    /// YYYY-MM-DD.
    starts_on: String,
    /// YYYY-MM-DD.
    ends_on: String,
    /// `medical`, `order`, `other`.
    document_kind: String,
    document_number: String,
    /// YYYY-MM-DD.
    document_date: String,
    #[serde(default)]
    document_note: String,
}

/// Records an exemption of a pupil from a subject (administrators and deputy heads): the
/// periods and the year inside it read «осв.».
#[utoipa::path(post, path = "/api/v1/students/{id}/exemptions", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ExemptionRequest,
    responses((status = 201, body = ExemptionDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn create_exemption(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(student): Path<PersonId>,
    ApiJson(b): ApiJson<ExemptionRequest>,
) -> Result<(StatusCode, Json<ExemptionDto>), ApiError> {
    let input = ExemptionInput {
        subject: field_id::<SubjectId>("subject_id", &b.subject_id)?,
        starts_on: date("starts_on", &b.starts_on)?,
        ends_on: date("ends_on", &b.ends_on)?,
        document: ExemptionDocument {
            kind: DocumentKind::parse(&b.document_kind)
                .ok_or_else(|| ApiError::field("document_kind", "one of medical, order, other"))?,
            number: b.document_number,
            issued_on: date("document_date", &b.document_date)?,
            note: b.document_note,
        },
    };
    let e = state
        .app
        .create_exemption(&who.principal, student, &input, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(ExemptionDto::from(&e))))
}

/// The end of an exemption.
#[derive(Deserialize, ToSchema)]
#[schema(as = ExemptionEndRequest)]
pub(crate) struct EndRequest {
    /// The new last day (YYYY-MM-DD), within the exemption.
    ends_on: String,
    /// The exemption's version read.
    version: i64,
}

/// Ends an exemption early (administrators and deputy heads): the periods it no longer covers
/// lose their «осв.».
#[utoipa::path(post, path = "/api/v1/exemptions/{id}/end", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = EndRequest,
    responses((status = 200, body = ExemptionDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn end_exemption(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<ExemptionId>,
    ApiJson(b): ApiJson<EndRequest>,
) -> Result<Json<ExemptionDto>, ApiError> {
    let ends_on = date("ends_on", &b.ends_on)?;
    let e = state
        .app
        .end_exemption(&who.principal, id, (ends_on, b.version), &client)
        .await?;
    Ok(Json(ExemptionDto::from(&e)))
}
