//! Deferrals and academic debts over the JSON API: open a deferral of a final mark, record its
//! lapse (н/а and a debt), record retakes and illnesses, the school's desk and a pupil's
//! deferrals and debts. A deferral ending before it starts, a third retake or one after the
//! deadline is 422 with the field named; a stale version is 409 with the current state.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::finals::api::slot_param;
use crate::paths::{Path, field_id};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::debts::{
    DebtLine, DeferralInput, DeferralLine, IllnessInput, RetakeInput, StudentDebts,
};
use tabel_domain::debts::Deferral;
use tabel_domain::{DebtId, DeferralId, GroupId, PersonId, SchoolId, SubjectId};
use tabel_present::rfc3339;
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(desk, open_deferral))
        .routes(routes!(lapse))
        .routes(routes!(retake))
        .routes(routes!(illness))
        .routes(routes!(student_debts))
}

fn date(field: &str, raw: &str) -> Result<Date, ApiError> {
    tabel_domain::calendar::parse_iso_date(raw.trim())
        .map_err(|_| ApiError::field(field, format!("not a date: {raw:?}; use YYYY-MM-DD")))
}

/// A deferral of a final mark.
#[derive(Serialize, ToSchema)]
pub(crate) struct DeferralDto {
    id: String,
    student_id: String,
    /// "Петров Иван".
    student: String,
    subject_id: String,
    subject: String,
    /// The journal it was opened for.
    group_id: Option<String>,
    /// `p<period id>`, `year`, `exam`, `final`.
    slot: String,
    starts_on: String,
    ends_on: String,
    /// The order or medical document.
    basis: String,
    /// `open`, `resolved`, `lapsed`.
    state: String,
    /// For an open one: `pending`, `running`, `overdue` (ended without a mark).
    stage: Option<String>,
    created_at: String,
    resolved_at: Option<String>,
    /// When the reminder at its end went out.
    reminded_at: Option<String>,
}

impl From<&DeferralLine> for DeferralDto {
    fn from(l: &DeferralLine) -> Self {
        let d = &l.deferral;
        DeferralDto {
            stage: l.stage.map(str::to_owned),
            ..DeferralDto::from(d)
        }
    }
}

impl From<&Deferral> for DeferralDto {
    fn from(d: &Deferral) -> Self {
        DeferralDto {
            id: d.id.to_string(),
            student_id: d.student.to_string(),
            student: d.student_name.clone(),
            subject_id: d.subject.to_string(),
            subject: d.subject_name.clone(),
            group_id: d.group.map(|g| g.to_string()),
            slot: d.slot.code(),
            starts_on: d.starts_on.to_string(),
            ends_on: d.ends_on.to_string(),
            basis: d.basis.clone(),
            state: d.state.code().to_owned(),
            stage: None,
            created_at: rfc3339(d.created_at),
            resolved_at: d.resolved_at.map(rfc3339),
            reminded_at: d.reminded_at.map(rfc3339),
        }
    }
}

/// A retake of a debt.
#[derive(Serialize, ToSchema)]
pub(crate) struct RetakeDto {
    /// 1 or 2.
    attempt: i64,
    on_date: String,
    /// The mark's code (`4`, `pass`, `fail`).
    value: String,
    note: String,
}

/// An academic debt.
#[derive(Serialize, ToSchema)]
pub(crate) struct DebtDto {
    id: String,
    student_id: String,
    student: String,
    subject_id: String,
    subject: String,
    /// `p<period id>`, `year`, `exam`, `final`.
    slot: String,
    /// `final` (a failing mark was set) or `deferral` (a deferral lapsed).
    origin: String,
    /// The failing value's code it arose with (`na`, `2`, `fail`).
    arisen_value: String,
    arisen_on: String,
    /// The last day to clear it, illness counted.
    deadline: String,
    illness_days: i64,
    /// `open`, `expired` (open past the deadline), `closed`, `exhausted` (two retakes failed).
    stage: String,
    /// The passing value that closed it.
    result: Option<String>,
    retakes: Vec<RetakeDto>,
    attempts_left: u8,
    /// Give it back with a retake or an illness.
    version: i64,
}

impl From<&DebtLine> for DebtDto {
    fn from(l: &DebtLine) -> Self {
        let d = &l.debt;
        DebtDto {
            id: d.id.to_string(),
            student_id: d.student.to_string(),
            student: d.student_name.clone(),
            subject_id: d.subject.to_string(),
            subject: d.subject_name.clone(),
            slot: d.slot.code(),
            origin: d.origin.clone(),
            arisen_value: d.arisen_value.clone(),
            arisen_on: d.arisen_on.to_string(),
            deadline: d.deadline.to_string(),
            illness_days: d.illness_days,
            stage: l.stage.to_owned(),
            result: d.result.clone(),
            retakes: l
                .retakes
                .iter()
                .map(|r| RetakeDto {
                    attempt: r.attempt,
                    on_date: r.on_date.to_string(),
                    value: r.value.clone(),
                    note: r.note.clone(),
                })
                .collect(),
            attempts_left: l.attempts_left,
            version: d.version,
        }
    }
}

/// Deferrals and debts.
#[derive(Serialize, ToSchema)]
pub(crate) struct DebtsDto {
    /// Open deferrals (overdue first) and those closed lately (pupil: all).
    deferrals: Vec<DeferralDto>,
    /// Debts, expired and exhausted first.
    debts: Vec<DebtDto>,
}

impl From<&StudentDebts> for DebtsDto {
    fn from(s: &StudentDebts) -> Self {
        DebtsDto {
            deferrals: s.deferrals.iter().map(DeferralDto::from).collect(),
            debts: s.debts.iter().map(DebtDto::from).collect(),
        }
    }
}

/// Which school.
#[derive(Deserialize, IntoParams)]
struct DeskQuery {
    /// The school (needed only by users who manage several).
    school_id: Option<String>,
}

/// The school's deferrals and debts: administrators and deputy heads.
#[utoipa::path(get, path = "/api/v1/deferrals", tag = "finals", security(("bearer" = [])), params(DeskQuery),
    responses((status = 200, body = DebtsDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn desk(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<DeskQuery>,
) -> Result<Json<DebtsDto>, ApiError> {
    let school: Option<SchoolId> = match q.school_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse().map_err(|_| ApiError::from(AppError::NotFound))?),
    };
    let d = state.app.debts_desk(&who.principal, school).await?;
    Ok(Json(DebtsDto {
        deferrals: d.deferrals.iter().map(DeferralDto::from).collect(),
        debts: d.debts.iter().map(DebtDto::from).collect(),
    }))
}

/// A deferral to open.
#[derive(Deserialize, ToSchema)]
pub(crate) struct DeferralRequest {
    /// The journal: its group and subject.
    group_id: String,
    subject_id: String,
    /// A reporting period id, or `year`; the current period when absent.
    #[serde(default)]
    period: Option<String>,
    student_id: String,
    /// YYYY-MM-DD.
    starts_on: String,
    /// YYYY-MM-DD, not before `starts_on`.
    ends_on: String,
    /// The order or medical document (number and date).
    basis: String,
}

/// Opens a deferral of a pupil's final mark: administrators and deputy heads.
#[utoipa::path(post, path = "/api/v1/deferrals", tag = "finals", security(("bearer" = [])), request_body = DeferralRequest,
    responses((status = 201, body = DeferralDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn open_deferral(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(b): ApiJson<DeferralRequest>,
) -> Result<(StatusCode, Json<DeferralDto>), ApiError> {
    let group: GroupId = field_id("group_id", &b.group_id)?;
    let subject: SubjectId = field_id("subject_id", &b.subject_id)?;
    let slot = slot_param(b.period.as_deref())?;
    let input = DeferralInput {
        student: field_id::<PersonId>("student_id", &b.student_id)?,
        starts_on: date("starts_on", &b.starts_on)?,
        ends_on: date("ends_on", &b.ends_on)?,
        basis: b.basis,
    };
    let d = state
        .app
        .open_deferral(&who.principal, (group, subject, slot), &input, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(DeferralDto::from(&d))))
}

/// Records that a deferral ended without a mark: н/а in the cell and an academic debt.
#[utoipa::path(post, path = "/api/v1/deferrals/{id}/lapse", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = DebtDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn lapse(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<DeferralId>,
) -> Result<Json<DebtDto>, ApiError> {
    let line = state
        .app
        .lapse_deferral(&who.principal, id, &client)
        .await?;
    Ok(Json(DebtDto::from(&line)))
}

/// A retake.
#[derive(Deserialize, ToSchema)]
pub(crate) struct RetakeRequest {
    /// YYYY-MM-DD.
    on_date: String,
    /// "4", "зач.", "незач.".
    value: String,
    #[serde(default)]
    note: String,
    /// The debt's version read.
    version: i64,
}

/// Records a retake of a debt (at most two, within the debt's year, illness not counted).
#[utoipa::path(post, path = "/api/v1/debts/{id}/retakes", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = RetakeRequest,
    responses((status = 200, body = DebtDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn retake(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<DebtId>,
    ApiJson(b): ApiJson<RetakeRequest>,
) -> Result<Json<DebtDto>, ApiError> {
    let input = RetakeInput {
        on: date("on_date", &b.on_date)?,
        value: b.value,
        note: b.note,
        version: b.version,
    };
    let line = state
        .app
        .record_retake(&who.principal, id, &input, &client)
        .await?;
    Ok(Json(DebtDto::from(&line)))
}

/// An illness.
#[derive(Deserialize, ToSchema)]
pub(crate) struct IllnessRequest {
    /// YYYY-MM-DD.
    from: String,
    /// YYYY-MM-DD, not before `from`.
    to: String,
    /// The medical document.
    basis: String,
    /// The debt's version read.
    version: i64,
}

/// Records a documented illness of a pupil with a debt: the deadline moves by its days.
#[utoipa::path(post, path = "/api/v1/debts/{id}/illnesses", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = IllnessRequest,
    responses((status = 200, body = DebtDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn illness(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<DebtId>,
    ApiJson(b): ApiJson<IllnessRequest>,
) -> Result<Json<DebtDto>, ApiError> {
    let input = IllnessInput {
        from: date("from", &b.from)?,
        to: date("to", &b.to)?,
        basis: b.basis,
        version: b.version,
    };
    let line = state
        .app
        .record_debt_illness(&who.principal, id, &input, &client)
        .await?;
    Ok(Json(DebtDto::from(&line)))
}

/// A pupil's deferrals and debts, every year: whoever may see the pupil (a parent only with
/// the diary consent).
#[utoipa::path(get, path = "/api/v1/students/{id}/debts", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = DebtsDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn student_debts(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<DebtsDto>, ApiError> {
    let s = state.app.student_debts(&who.principal, student).await?;
    Ok(Json(DebtsDto::from(&s)))
}
