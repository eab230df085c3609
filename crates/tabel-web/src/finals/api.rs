//! Final marks over the JSON API: a journal's (or a whole class's) final marks for a period or
//! the year with the journal's proposals, setting them all or nothing, a pupil's final marks
//! and forecast, and the summary sheet (JSON or XLSX). (The record is [`crate::record`].)

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::{Path, field_id};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::finals::{FinalRow, FinalsSheet, SetFinal};
use tabel_domain::finals::{FinalRecord, Slot};
use tabel_domain::finals::{FinalValue, Forecast};
use tabel_domain::journal::Average;
use tabel_domain::{GroupId, PeriodId, PersonId, SubjectId};
use tabel_present::rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(finals, set_finals))
        .routes(routes!(student_finals))
        .routes(routes!(student_forecast))
        .routes(routes!(summary_sheet))
}

/// `period=<id>` or `period=year`; absent = the current period.
pub(crate) fn slot_param(raw: Option<&str>) -> Result<Option<Slot>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("year") => Ok(Some(Slot::Year)),
        Some(p) => p
            .parse::<PeriodId>()
            .map(|p| Some(Slot::Period(p)))
            .map_err(|_| ApiError::field("period", "a period id or `year`")),
    }
}

/// Which final marks.
#[derive(Deserialize, IntoParams)]
struct FinalsQuery {
    /// A class: every journal of it (its subjects, subgroups, streams).
    class: Option<String>,
    /// One journal: its group (with `subject`).
    group: Option<String>,
    /// The journal's subject.
    subject: Option<String>,
    /// A reporting period id, or `year`; the current period when absent.
    period: Option<String>,
}

/// A proposal.
#[derive(Serialize, ToSchema)]
struct ProposalDto {
    /// "5", "na", "pass"…
    value: String,
    /// As shown: "5", "н/а", "зач.".
    shown: String,
    /// `average`, `capped_by_two`, `too_few_marks`, `mostly_absent`, `pass_fail`, `periods`,
    /// `period_not_attested`.
    basis: String,
}

/// A final mark.
#[derive(Serialize, ToSchema)]
pub(crate) struct FinalDto {
    id: String,
    student_id: String,
    subject_id: String,
    /// `p<period id>`, `year`, `exam`, `final`.
    slot: String,
    /// "5", "na", "exempt", "pass", "fail".
    value: String,
    /// As shown: "5", "н/а", "осв.", "зач.", "незач.".
    shown: String,
    proposal: Option<String>,
    reason: String,
    version: i64,
    /// RFC 3339.
    set_at: String,
    /// When the family could first see it (RFC 3339).
    published_at: Option<String>,
}

impl From<FinalRecord> for FinalDto {
    fn from(f: FinalRecord) -> Self {
        FinalDto {
            id: f.id.to_string(),
            student_id: f.student.to_string(),
            subject_id: f.subject.to_string(),
            slot: f.slot.code(),
            shown: FinalValue::from_code(&f.value)
                .map_or_else(|| f.value.clone(), |v| v.to_string()),
            value: f.value,
            proposal: f.proposal,
            reason: f.reason,
            version: f.version,
            set_at: rfc3339(f.set_at),
            published_at: f.published_at.map(rfc3339),
        }
    }
}

/// A pupil's row.
#[derive(Serialize, ToSchema)]
struct RowDto {
    student_id: String,
    name: String,
    /// The weighted average of the period ("4.43", "—").
    average: String,
    marks: u32,
    lessons_held: u32,
    lessons_missed: u32,
    proposal: Option<ProposalDto>,
    /// The mark set, if any (its version is what a change names).
    current: Option<FinalDto>,
    /// An open deferral of the cell (its teacher sets the mark even after the period closed).
    deferral: Option<crate::debts::api::DeferralDto>,
    /// The viewer may write this row (set, set a deferred cell, or correct).
    may_write: bool,
}

impl RowDto {
    fn of(r: FinalRow, may_write: bool) -> Self {
        RowDto {
            may_write,
            deferral: r
                .deferral
                .as_ref()
                .map(crate::debts::api::DeferralDto::from),
            student_id: r.entry.student.to_string(),
            name: format!("{} {}", r.entry.last_name, r.entry.first_name),
            average: r.average.to_string(),
            marks: r.marks,
            lessons_held: r.lessons_held,
            lessons_missed: r.lessons_missed,
            proposal: r.proposal.map(|p| ProposalDto {
                value: p.value.code(),
                shown: p.value.to_string(),
                basis: p.basis.code().to_owned(),
            }),
            current: r.current.map(FinalDto::from),
        }
    }
}

/// A journal's final marks.
#[derive(Serialize, ToSchema)]
struct SheetDto {
    group_id: String,
    group: String,
    subject_id: String,
    subject: String,
    slot: String,
    /// The period's dates and whether it is closed.
    period_id: String,
    closed: bool,
    /// `five`, `pass_fail`, `ten`, `hundred`.
    scale: &'static str,
    may_set: bool,
    may_correct: bool,
    rows: Vec<RowDto>,
}

impl From<FinalsSheet> for SheetDto {
    fn from(s: FinalsSheet) -> Self {
        let rows = s
            .rows
            .iter()
            .map(|r| RowDto::of(r.clone(), s.may_write_row(r)))
            .collect();
        let v = s.journal;
        SheetDto {
            group_id: v.group.id.to_string(),
            group: v.group.name.clone(),
            subject_id: v.subject.to_string(),
            subject: v.subject_name.clone(),
            slot: s.slot.code(),
            period_id: v.period.id.to_string(),
            closed: s.closed,
            scale: s.scale.code(),
            may_set: s.may_set,
            may_correct: s.may_correct,
            rows,
        }
    }
}

/// Final marks with the journal's proposals: one journal (`group` + `subject`) or every journal
/// of a class (`class`), for a period or the year (whoever may read the journal).
#[utoipa::path(get, path = "/api/v1/finals", tag = "finals", security(("bearer" = [])), params(FinalsQuery),
    responses((status = 200, body = Vec<SheetDto>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn finals(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<FinalsQuery>,
) -> Result<Json<Vec<SheetDto>>, ApiError> {
    let slot = slot_param(q.period.as_deref())?;
    let p = &who.principal;
    let journals: Vec<(GroupId, SubjectId)> = match (&q.class, &q.group, &q.subject) {
        (_, Some(g), Some(s)) => vec![(field_id("group", g)?, field_id("subject", s)?)],
        (Some(class), None, _) => {
            let class: GroupId = field_id("class", class)?;
            let subject: Option<SubjectId> = q
                .subject
                .as_deref()
                .map(|s| field_id("subject", s))
                .transpose()?;
            state
                .app
                .class_journals(p, class)
                .await?
                .into_iter()
                .filter(|j| subject.is_none_or(|s| s == j.subject))
                .map(|j| (j.group, j.subject))
                .collect()
        }
        _ => {
            return Err(ApiError::field(
                "class",
                "give class (and optionally subject), or group and subject",
            ));
        }
    };
    let mut out = Vec::new();
    for (group, subject) in journals {
        out.push(SheetDto::from(
            state.app.finals_sheet(p, group, subject, slot).await?,
        ));
    }
    Ok(Json(out))
}

/// Which journal a write is for.
#[derive(Deserialize, IntoParams)]
struct SetQuery {
    /// The journal's group.
    group: String,
    /// The journal's subject.
    subject: String,
    /// A reporting period id, or `year`; the current period when absent.
    period: Option<String>,
}

/// Final marks to set.
#[derive(Deserialize, ToSchema)]
struct SetRequest {
    rows: Vec<RowRequest>,
}

/// One pupil's final mark.
#[derive(Deserialize, ToSchema)]
struct RowRequest {
    student_id: String,
    /// "5", "н/а", "осв.", "зач.", "незач.".
    value: String,
    /// Required when the value differs from the proposal, and in a closed period.
    #[serde(default)]
    reason: String,
    /// The version read; 0 for a new one.
    #[serde(default)]
    version: i64,
}

/// Sets final marks of a journal, all or nothing (the journal's teacher; in a closed period an
/// administrator with a reason). 422 names every bad row (`rows[3].value`), 409 with `current`
/// for a stale version. Each mark is visible to the family at once.
#[utoipa::path(put, path = "/api/v1/finals", tag = "finals", security(("bearer" = [])), params(SetQuery), request_body = SetRequest,
    responses((status = 200, body = Vec<FinalDto>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_finals(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Query(q): Query<SetQuery>,
    ApiJson(b): ApiJson<SetRequest>,
) -> Result<Json<Vec<FinalDto>>, ApiError> {
    let slot = slot_param(q.period.as_deref())?;
    let rows = b
        .rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(SetFinal {
                student: field_id(&format!("rows[{i}].student_id"), &r.student_id)?,
                value: r.value,
                reason: r.reason,
                version: r.version,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let written = state
        .app
        .set_finals(
            &who.principal,
            (
                field_id("group", &q.group)?,
                field_id("subject", &q.subject)?,
                slot,
            ),
            &rows,
            &client,
        )
        .await?;
    Ok(Json(written.into_iter().map(FinalDto::from).collect()))
}

/// A pupil's final marks, every year (whoever may see the pupil; a parent with consent).
#[utoipa::path(get, path = "/api/v1/students/{id}/finals", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<FinalDto>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn student_finals(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<Vec<FinalDto>>, ApiError> {
    let list = state.app.student_finals(&who.principal, student).await?;
    Ok(Json(list.into_iter().map(FinalDto::from).collect()))
}

/// A subject's forecast.
#[derive(Serialize, ToSchema)]
struct ForecastDto {
    subject_id: String,
    subject: String,
    average: String,
    marks: u32,
    /// The projected final mark, as shown ("4", "н/а"), if any.
    projected: Option<String>,
    /// `low`, `medium`, `high`.
    confidence: String,
    /// `too_few_marks`, `many_absences`, `projected_two`, `projected_not_attested`.
    risks: Vec<String>,
    /// The fewest marks for the next mark up: `{target, count, value, work_type, weight}`.
    #[schema(value_type = Object)]
    next_up: Option<serde_json::Value>,
    /// The fewest marks to avoid a 2.
    #[schema(value_type = Object)]
    avoid_two: Option<serde_json::Value>,
    lessons_left: u32,
}

fn forecast_dto(
    subject: SubjectId,
    name: String,
    average: Average,
    marks: u32,
    f: Forecast,
) -> ForecastDto {
    let code = |v: serde_json::Value| v.as_str().map(str::to_owned).unwrap_or_default();
    ForecastDto {
        subject_id: subject.to_string(),
        subject: name,
        average: average.to_string(),
        marks,
        projected: f.projected.map(|p| p.value.to_string()),
        confidence: serde_json::to_value(f.confidence)
            .map(code)
            .unwrap_or_default(),
        risks: f
            .risks
            .iter()
            .filter_map(|r| serde_json::to_value(r).ok().map(code))
            .collect(),
        next_up: f.next_up.and_then(|n| serde_json::to_value(n).ok()),
        avoid_two: f.avoid_two.and_then(|n| serde_json::to_value(n).ok()),
        lessons_left: f.lessons_left,
    }
}

/// A pupil's forecast for the current period.
#[derive(Serialize, ToSchema)]
struct StudentForecastDto {
    period_id: Option<String>,
    subjects: Vec<ForecastDto>,
}

/// The forecast of a pupil's final marks for the current period, per subject: the projection,
/// how sure it is, risks and what it takes (whoever may see the pupil).
#[utoipa::path(get, path = "/api/v1/students/{id}/forecast", tag = "finals", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = StudentForecastDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn student_forecast(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<StudentForecastDto>, ApiError> {
    let f = state.app.student_forecast(&who.principal, student).await?;
    Ok(Json(StudentForecastDto {
        period_id: f.period.map(|p| p.id.to_string()),
        subjects: f
            .subjects
            .into_iter()
            .map(|s| forecast_dto(s.subject, s.subject_name, s.average, s.marks, s.forecast))
            .collect(),
    }))
}

/// `?class=…&format=json|xlsx`
#[derive(Deserialize, IntoParams)]
struct SheetQuery {
    /// The class.
    class: String,
    /// The class's year (the current one; kept for the contract).
    year: Option<String>,
    /// `json` (default) or `xlsx`.
    format: Option<String>,
}

/// The summary sheet as JSON.
#[derive(Serialize, ToSchema)]
struct SummaryDto {
    class_id: String,
    class: String,
    /// Column slots in order: the periods (`p<id>`), then `year`, `exam`, `final`.
    slots: Vec<String>,
    subjects: Vec<SubjectDto>,
    students: Vec<SummaryStudentDto>,
}

/// A subject column group.
#[derive(Serialize, ToSchema)]
#[schema(as = FinalsSubjectDto)]
struct SubjectDto {
    id: String,
    name: String,
}

/// A pupil's line: `cells[subject][slot]` = value as shown ("" when not set).
#[derive(Serialize, ToSchema)]
struct SummaryStudentDto {
    id: String,
    name: String,
    /// The pupil left the class during the year.
    left: bool,
    cells: Vec<Vec<String>>,
}

/// The summary sheet (сводная ведомость) of a class for the year: pupils × subjects × periods,
/// year, exam and итоговая, from final marks only — JSON, or XLSX with `format=xlsx`
/// (administrators, deputy heads, the class teacher).
#[utoipa::path(get, path = "/api/v1/summary-sheet", tag = "finals", security(("bearer" = [])), params(SheetQuery),
    responses((status = 200, body = SummaryDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn summary_sheet(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<SheetQuery>,
) -> Result<Response, ApiError> {
    let _ = &q.year;
    let class: GroupId = field_id("class", &q.class)?;
    let s = state.app.summary_sheet(&who.principal, class).await?;
    if q.format.as_deref() == Some("xlsx") {
        let bytes = state.app.summary_sheet_xlsx(&s)?;
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"summary-sheet.xlsx\""),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    let slots = s.slots();
    let students = s
        .students
        .iter()
        .map(|e| SummaryStudentDto {
            id: e.student.to_string(),
            name: format!("{} {}", e.last_name, e.first_name),
            left: e.to.is_some(),
            cells: s
                .subjects
                .iter()
                .map(|(subject, _)| {
                    slots
                        .iter()
                        .map(|slot| {
                            s.cells
                                .get(&(e.student, *subject, slot.clone()))
                                .cloned()
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect(),
        })
        .collect();
    Ok(Json(SummaryDto {
        class_id: s.class.id.to_string(),
        class: s.class.name.clone(),
        subjects: s
            .subjects
            .iter()
            .map(|(id, name)| SubjectDto {
                id: id.to_string(),
                name: name.clone(),
            })
            .collect(),
        slots,
        students,
    })
    .into_response())
}
