//! The consent registry over the JSON API: a class's registry, a child's consents and their
//! history, recording an application (consent or refusal), withdrawals (by the school on an
//! application, or by the parent themself), and the scan of the paper.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::{Path, parse_field};
use axum::Json;
use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::consent::{ConsentInput, MAX_SCAN_BYTES, WithdrawalInput};
use tabel_app::upload::{Spool, SpoolError};
use tabel_domain::consent::ConsentRecord;
use tabel_domain::consent::{BasisInput, Status};
use tabel_domain::school::ConsentState;
use tabel_domain::{ConsentId, GroupId, PersonId};
use tabel_present::rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    // Only the scan's route takes a large body.
    let scans = OpenApiRouter::new()
        .routes(routes!(download_scan, upload_scan))
        .layer(DefaultBodyLimit::max(MAX_SCAN_BYTES + 16 * 1024));
    r.merge(scans)
        .routes(routes!(class_registry))
        .routes(routes!(child_consents))
        .routes(routes!(register))
        .routes(routes!(withdraw))
}

fn state_code(s: Option<ConsentState>) -> &'static str {
    Status::of(s).code()
}

/// The statuses in force of a class, counted by the diary consent.
#[derive(Serialize, ToSchema)]
struct CountsDto {
    given: usize,
    refused: usize,
    withdrawn: usize,
    none: usize,
}

/// A pupil × representative line of a class's registry.
#[derive(Serialize, ToSchema)]
struct LineDto {
    student_id: String,
    student_name: String,
    /// Absent when the pupil has no representative on record.
    parent_id: Option<String>,
    parent_name: String,
    relation: Option<String>,
    /// `given`, `refused`, `withdrawn` or `none`.
    diary: &'static str,
    /// `given`, `refused`, `withdrawn` or `none`.
    electronic_delivery: &'static str,
    /// RFC 3339, the latest record of the pair.
    updated_at: Option<String>,
}

/// A class's registry.
#[derive(Serialize, ToSchema)]
struct RegistryDto {
    class_id: String,
    class_name: String,
    counts: CountsDto,
    /// Pupils with no representative on record (nobody can consent for them yet).
    without_representative: usize,
    /// Pupils whose families get paper extracts (no representative with both consents in force).
    paper_extracts: Vec<String>,
    lines: Vec<LineDto>,
}

/// The registry of a class: every pupil × representative with the consents in force
/// (administrators, deputy heads, the class teacher).
#[utoipa::path(get, path = "/api/v1/classes/{id}/consents", tag = "consents", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = RegistryDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn class_registry(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(class): Path<GroupId>,
) -> Result<Json<RegistryDto>, ApiError> {
    let r = state.app.class_consents(&who.principal, class).await?;
    let count = |s: Status| {
        r.counts
            .iter()
            .find(|(x, _)| *x == s)
            .map_or(0, |(_, n)| *n)
    };
    Ok(Json(RegistryDto {
        class_id: r.class.id.to_string(),
        class_name: r.class.name.clone(),
        counts: CountsDto {
            given: count(Status::Given),
            refused: count(Status::Refused),
            withdrawn: count(Status::Withdrawn),
            none: count(Status::None),
        },
        without_representative: r.without_representative,
        paper_extracts: r.paper.iter().map(ToString::to_string).collect(),
        lines: r
            .lines
            .into_iter()
            .map(|l| LineDto {
                student_id: l.student.to_string(),
                student_name: l.student_name,
                parent_id: l.parent.map(|p| p.to_string()),
                parent_name: l.parent_name,
                relation: l.relation.map(|r| r.code().to_owned()),
                diary: state_code(l.diary),
                electronic_delivery: state_code(l.delivery),
                updated_at: l.updated_at.map(rfc3339),
            })
            .collect(),
    }))
}

/// A record of the registry.
#[derive(Serialize, ToSchema)]
#[schema(as = ConsentRecordDto)]
pub(crate) struct RecordDto {
    id: String,
    parent_id: String,
    student_id: String,
    /// `diary` or `electronic_delivery`.
    purpose: &'static str,
    /// `given`, `refused` or `withdrawn`.
    state: &'static str,
    text_version: String,
    /// The basis in words: "заявление № 12 от 01.09.2026".
    basis: String,
    /// `written_application`, `electronic_document` or `cabinet`.
    basis_kind: &'static str,
    document_number: Option<String>,
    /// YYYY-MM-DD.
    document_date: Option<String>,
    document_id: Option<String>,
    signature: Option<String>,
    note: String,
    /// The login of who recorded it.
    recorded_by: Option<String>,
    /// RFC 3339.
    recorded_at: String,
    has_scan: bool,
}

impl From<ConsentRecord> for RecordDto {
    fn from(r: ConsentRecord) -> Self {
        RecordDto {
            id: r.id.to_string(),
            parent_id: r.parent.to_string(),
            student_id: r.student.to_string(),
            purpose: r.purpose.code(),
            state: r.state.code(),
            text_version: r.text_version,
            basis: r.basis_text,
            basis_kind: r.basis.kind.code(),
            document_number: r.basis.number,
            document_date: r.basis.date.map(|d| d.to_string()),
            document_id: r.basis.document_id,
            signature: r.basis.signature,
            note: r.note,
            recorded_by: r.recorded_by,
            recorded_at: rfc3339(r.recorded_at),
            has_scan: r.has_scan,
        }
    }
}

/// A representative of the child with the consents in force.
#[derive(Serialize, ToSchema)]
struct ParentDto {
    parent_id: String,
    name: String,
    relation: &'static str,
    diary: &'static str,
    electronic_delivery: &'static str,
}

/// A child's consents.
#[derive(Serialize, ToSchema)]
struct ChildConsentsDto {
    student_id: String,
    parents: Vec<ParentDto>,
    /// Newest first.
    records: Vec<RecordDto>,
}

/// A child's consents and their history: all of them for the registry's keepers, a
/// representative's own for them (whatever their state: this is where a parent learns it).
#[utoipa::path(get, path = "/api/v1/students/{id}/consents", tag = "consents", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ChildConsentsDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn child_consents(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<ChildConsentsDto>, ApiError> {
    let c = state.app.child_consents(&who.principal, student).await?;
    Ok(Json(ChildConsentsDto {
        student_id: c.student.id.to_string(),
        parents: c
            .parents
            .into_iter()
            .map(|p| ParentDto {
                parent_id: p.person.id.to_string(),
                name: p.person.full_name(),
                relation: p.relation.code(),
                diary: p.diary.code(),
                electronic_delivery: p.delivery.code(),
            })
            .collect(),
        records: c.records.into_iter().map(RecordDto::from).collect(),
    }))
}

/// The basis of a record.
#[derive(Deserialize, ToSchema, Default)]
struct BasisRequest {
    /// `written_application` (number and date required) or `electronic_document` (its id
    /// required).
    kind: String,
    number: Option<String>,
    /// YYYY-MM-DD.
    date: Option<String>,
    document_id: Option<String>,
    signature: Option<String>,
}

impl BasisRequest {
    fn input(self) -> Result<BasisInput, ApiError> {
        let date = match self
            .date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(
                tabel_domain::calendar::parse_iso_date(s)
                    .map_err(|_| ApiError::field("basis.date", "use YYYY-MM-DD"))?,
            ),
        };
        Ok(BasisInput {
            kind: self.kind,
            number: self.number,
            date,
            document_id: self.document_id,
            signature: self.signature,
        })
    }
}

/// An application to record.
#[derive(Deserialize, ToSchema)]
struct ConsentRequest {
    parent_id: String,
    student_id: String,
    /// `given` or `refused`; absent when the application does not speak of it.
    diary: Option<String>,
    /// `given` or `refused`; absent when the application does not speak of it.
    electronic_delivery: Option<String>,
    basis: BasisRequest,
    /// The consent text's version; the current one when absent.
    text_version: Option<String>,
    #[serde(default)]
    note: String,
}

/// The records written.
#[derive(Serialize, ToSchema)]
struct WrittenDto {
    ids: Vec<String>,
}

/// Records an application of a legal representative: consent or refusal for the diary and/or
/// electronic delivery, on its basis (the registry's keepers). Electronic delivery needs the
/// diary consent; refusing the diary ends electronic delivery too. Takes effect at once.
#[utoipa::path(post, path = "/api/v1/consents", tag = "consents", security(("bearer" = [])), request_body = ConsentRequest,
    responses((status = 201, body = WrittenDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<ConsentRequest>,
) -> Result<(StatusCode, Json<WrittenDto>), ApiError> {
    let input = ConsentInput {
        parent: parse_field("parent_id", &b.parent_id, "not a person id")?,
        student: parse_field("student_id", &b.student_id, "not a person id")?,
        diary: b.diary,
        electronic_delivery: b.electronic_delivery,
        basis: b.basis.input()?,
        text_version: b.text_version,
        note: b.note,
    };
    let ids = state
        .app
        .register_consent(&who.principal, &input, &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(WrittenDto {
            ids: ids.into_iter().map(|i| i.to_string()).collect(),
        }),
    ))
}

/// A withdrawal.
#[derive(Deserialize, ToSchema)]
struct WithdrawalRequest {
    parent_id: String,
    student_id: String,
    /// `diary` (ends electronic delivery too) or `electronic_delivery`.
    purpose: String,
    /// The application (required when the school records it; absent when the parent withdraws
    /// their own consent).
    basis: Option<BasisRequest>,
    #[serde(default)]
    note: String,
}

/// Withdraws a consent in force: by the school on the parent's application (with its basis), or
/// by the legal representative themself. Takes effect at once, sessions included; 409 when no
/// consent is in force.
#[utoipa::path(post, path = "/api/v1/consents/withdrawal", tag = "consents", security(("bearer" = [])), request_body = WithdrawalRequest,
    responses((status = 201, body = WrittenDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn withdraw(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<WithdrawalRequest>,
) -> Result<(StatusCode, Json<WrittenDto>), ApiError> {
    let input = WithdrawalInput {
        parent: parse_field("parent_id", &b.parent_id, "not a person id")?,
        student: parse_field("student_id", &b.student_id, "not a person id")?,
        purpose: b.purpose,
        basis: b.basis.map(BasisRequest::input).transpose()?,
        note: b.note,
    };
    let ids = state
        .app
        .withdraw_consent(&who.principal, &input, &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(WrittenDto {
            ids: ids.into_iter().map(|i| i.to_string()).collect(),
        }),
    ))
}

/// `?name=` of an uploaded scan.
#[derive(Deserialize, IntoParams)]
struct ScanQuery {
    /// The file's name.
    name: Option<String>,
}

/// Keeps the scan of the paper a record rests on: the request body, PDF, JPEG or PNG up to 5 MB
/// (the registry's keepers, decided before the body is read; one scan per record; 429 past the
/// uploader's daily limit).
#[utoipa::path(put, path = "/api/v1/consents/{id}/scan", tag = "consents", security(("bearer" = [])), params(("id" = String, Path), ScanQuery),
    request_body(description = "The scan", content(("application/pdf"), ("image/jpeg"), ("image/png"))),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn upload_scan(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(consent): Path<ConsentId>,
    Query(q): Query<ScanQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    // Before a byte of the body is read: only the record's keepers make the server receive it.
    state
        .app
        .may_attach_consent_scan(&who.principal, consent)
        .await?;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "a scan may be at most 5 MB");
    let mut spool = Spool::new(MAX_SCAN_BYTES).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut body = std::pin::pin!(body);
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let Ok(chunk) = frame.map_err(|_| too_large())?.into_data() else {
            continue;
        };
        spool.write(&chunk).await.map_err(|e| match e {
            SpoolError::TooLarge => too_large(),
            SpoolError::Io(e) => ApiError::from(AppError::Internal(e.to_string())),
        })?;
    }
    let bytes = spool
        .finish()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .read()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .app
        .attach_consent_scan(
            &who.principal,
            consent,
            (q.name.as_deref().unwrap_or("scan"), &kind, bytes.to_vec()),
            &client,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The scan of a record, as an attachment (the registry's keepers).
#[utoipa::path(get, path = "/api/v1/consents/{id}/scan", tag = "consents", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The scan", content_type = "application/octet-stream"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn download_scan(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(consent): Path<ConsentId>,
) -> Result<Response, ApiError> {
    let scan = state.app.consent_scan(&who.principal, consent).await?;
    Ok(crate::homework_files::api::attachment(
        &scan.file_name,
        &scan.content_type,
        scan.content,
    ))
}
