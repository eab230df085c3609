//! The next year and promotion orders through the JSON API: build the next year from a year
//! (201), review and confirm the draft; start an order for a class or a parallel, read it, edit
//! its number, date and outcomes, issue it (an issued order answers 409 to any change), amend
//! it, print it as PDF.

use super::{line_edit, order_date};
use crate::AppState;
use crate::api::Created;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::extracts::pages::pdf_response;
use crate::paths::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tabel_app::promotion::{NextYearView, Order, OrderEdit, OrderScope, OrderView};
use tabel_app::{AppError, FieldErrors};
use tabel_domain::{AcademicYearId, GroupId, PromotionOrderId, SchoolId};
use tabel_present::rfc3339;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(build_next_year))
        .routes(routes!(year_draft))
        .routes(routes!(confirm_year))
        .routes(routes!(list_orders, start_order))
        .routes(routes!(get_order, edit_order, delete_order))
        .routes(routes!(issue_order))
        .routes(routes!(amend_order))
        .routes(routes!(order_pdf))
}

/// A class of the next year.
#[derive(Serialize, ToSchema)]
struct PromotionCarriedClassDto {
    name: String,
    /// The class it was carried from.
    from: Option<String>,
}

/// A teaching assignment of the next year.
#[derive(Serialize, ToSchema)]
struct PromotionDraftAssignmentDto {
    id: String,
    class: String,
    subject: String,
    teacher: String,
}

/// A parallel's curriculum in the next year.
#[derive(Serialize, ToSchema)]
struct PromotionDraftCurriculumDto {
    grade: u8,
    lines: i64,
    /// Hours a week, in tenths.
    hours_per_week_tenths: i64,
}

/// A year built from the previous one.
#[derive(Serialize, ToSchema)]
struct NextYearDto {
    id: String,
    label: String,
    starts_on: String,
    ends_on: String,
    built_from: Option<String>,
    /// Not yet confirmed: its classes have no pupils, families see nothing of it.
    draft: bool,
    confirmed_at: Option<String>,
    classes: Vec<PromotionCarriedClassDto>,
    curriculum: Vec<PromotionDraftCurriculumDto>,
    assignments: Vec<PromotionDraftAssignmentDto>,
    /// Pupils issued orders place into it, waiting for the confirmation.
    waiting: usize,
}

impl From<NextYearView> for NextYearDto {
    fn from(v: NextYearView) -> Self {
        NextYearDto {
            id: v.year.id.to_string(),
            label: v.year.label,
            starts_on: v.year.starts_on.to_string(),
            ends_on: v.year.ends_on.to_string(),
            built_from: v.built_from.map(|y| y.id.to_string()),
            draft: v.draft,
            confirmed_at: v.confirmed_at.map(rfc3339),
            classes: v
                .classes
                .into_iter()
                .map(|c| PromotionCarriedClassDto {
                    name: c.name,
                    from: c.from,
                })
                .collect(),
            curriculum: v
                .curriculum
                .into_iter()
                .map(|(grade, lines, tenths)| PromotionDraftCurriculumDto {
                    grade,
                    lines,
                    hours_per_week_tenths: tenths,
                })
                .collect(),
            assignments: v
                .assignments
                .into_iter()
                .map(|a| PromotionDraftAssignmentDto {
                    id: a.id.to_string(),
                    class: a.class,
                    subject: a.subject,
                    teacher: a.teacher,
                })
                .collect(),
            waiting: v.waiting,
        }
    }
}

/// Builds the year after this one as a draft: the federal calendar with the same parallels'
/// settings and periods, the bells, the classes 1–10 carried up a grade (5А → 6А), the
/// parallels' curriculum, the carried classes' assignments and class teachers. The next year
/// existing already: 409. Audited as `year.build`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/years/{year}/next-year", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("year" = String, Path, description = "The year to build from")),
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn build_next_year(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, year)): Path<(SchoolId, AcademicYearId)>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = state
        .app
        .build_next_year(&who.principal, school, year, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// A year with what it was built from, its classes, curriculum and assignments (the draft's
/// review).
#[utoipa::path(get, path = "/api/v1/schools/{id}/structure/years/{year}/draft", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("year" = String, Path)),
    responses((status = 200, body = NextYearDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn year_draft(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path((school, year)): Path<(SchoolId, AcademicYearId)>,
) -> Result<Json<NextYearDto>, ApiError> {
    Ok(Json(
        state
            .app
            .next_year_draft(&who.principal, school, year)
            .await?
            .into(),
    ))
}

/// Confirms a draft year: it takes effect and the pupils the issued orders place into it join
/// its classes. Not a draft: 409. Audited as `year.confirm`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/structure/years/{year}/confirm", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("year" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn confirm_year(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, year)): Path<(SchoolId, AcademicYearId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .confirm_year(&who.principal, school, year, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An order's heading.
#[derive(Serialize, ToSchema)]
struct PromotionOrderDto {
    id: String,
    year_id: String,
    grade: u8,
    /// The class, or none for the whole parallel.
    class_id: Option<String>,
    class: Option<String>,
    number: String,
    order_date: Option<String>,
    /// `draft` or `issued`.
    state: String,
    /// The issued order it amends.
    amends: Option<String>,
    /// The issued order that amends it.
    amended_by: Option<String>,
    issued_at: Option<String>,
    /// Give it back with an edit or the issue.
    version: i64,
}

impl From<Order> for PromotionOrderDto {
    fn from(o: Order) -> Self {
        PromotionOrderDto {
            id: o.id.to_string(),
            year_id: o.year.to_string(),
            grade: o.grade,
            class_id: o.class.map(|c| c.to_string()),
            class: o.class_name,
            number: o.number,
            order_date: o.order_date.map(|d| d.to_string()),
            state: o.state,
            amends: o.amends.map(|a| a.to_string()),
            amended_by: o.amended_by.map(|a| a.to_string()),
            issued_at: o.issued_at.map(rfc3339),
            version: o.version,
        }
    }
}

/// An open academic debt of a pupil.
#[derive(Serialize, ToSchema)]
struct PromotionLineDebtDto {
    subject: String,
    deadline: String,
}

/// A pupil's line.
#[derive(Serialize, ToSchema)]
struct PromotionLineDto {
    student_id: String,
    student: String,
    from_class_id: String,
    from_class: String,
    /// Proposed from the open debts: `promoted`, `conditional`, `repeat`, `graduated`,
    /// `continues`, `left`.
    proposed: String,
    outcome: String,
    left_on: Option<String>,
    basis: String,
    /// Open debts (as they stand for a draft, as they stood for an issued order).
    debts: Vec<PromotionLineDebtDto>,
    /// The next year's class it places the pupil into (issued orders).
    to_class_id: Option<String>,
    to_class: Option<String>,
    /// The pupil is in that class already (not while the next year is a draft).
    placed: bool,
}

/// An order with its lines.
#[derive(Serialize, ToSchema)]
struct PromotionOrderFullDto {
    order: PromotionOrderDto,
    year: String,
    next_year_id: Option<String>,
    next_year_draft: bool,
    lines: Vec<PromotionLineDto>,
    may_edit: bool,
    may_amend: bool,
}

impl From<OrderView> for PromotionOrderFullDto {
    fn from(v: OrderView) -> Self {
        PromotionOrderFullDto {
            order: v.order.into(),
            year: v.year.label,
            next_year_id: v.next_year.map(|y| y.id.to_string()),
            next_year_draft: v.next_year_draft,
            lines: v
                .lines
                .into_iter()
                .map(|l| PromotionLineDto {
                    student_id: l.student.to_string(),
                    student: l.student_name,
                    from_class_id: l.from_class.to_string(),
                    from_class: l.from_class_name,
                    proposed: l.proposed.code().to_owned(),
                    outcome: l.outcome.code().to_owned(),
                    left_on: l.left_on.map(|d| d.to_string()),
                    basis: l.basis,
                    debts: l
                        .debts
                        .into_iter()
                        .map(|d| PromotionLineDebtDto {
                            subject: d.subject,
                            deadline: d.deadline.to_string(),
                        })
                        .collect(),
                    to_class_id: l.to_class.map(|c| c.to_string()),
                    to_class: l.to_class_name,
                    placed: l.placed,
                })
                .collect(),
            may_edit: v.may_edit,
            may_amend: v.may_amend,
        }
    }
}

/// The school's promotion orders, newest first.
#[utoipa::path(get, path = "/api/v1/schools/{id}/promotion-orders", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    responses((status = 200, body = [PromotionOrderDto]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_orders(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
) -> Result<Json<Vec<PromotionOrderDto>>, ApiError> {
    let orders = state.app.promotion_orders(&who.principal, school).await?;
    Ok(Json(orders.into_iter().map(Into::into).collect()))
}

/// What a new order covers: a class, or a grade (of the year named, the current one by
/// default).
#[derive(Deserialize, ToSchema)]
struct PromotionStartOrderBody {
    #[serde(default)]
    class_id: Option<String>,
    #[serde(default)]
    grade: Option<u8>,
    #[serde(default)]
    year_id: Option<String>,
}

/// Starts a draft order: a line for each pupil there at the year's end not yet in an issued
/// order, with the outcome proposed from the open debts. Audited as
/// `promotion_order.create`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/promotion-orders", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")), request_body = PromotionStartOrderBody,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn start_order(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<PromotionStartOrderBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let scope = match (b.class_id.as_deref(), b.grade) {
        (Some(c), None) => OrderScope::Class(
            c.trim()
                .parse::<GroupId>()
                .map_err(|_| AppError::invalid("class_id", "unknown"))?,
        ),
        (None, Some(grade)) => OrderScope::Parallel {
            grade,
            year: match b.year_id.as_deref() {
                Some(y) => Some(
                    y.trim()
                        .parse::<AcademicYearId>()
                        .map_err(|_| AppError::invalid("year_id", "unknown"))?,
                ),
                None => None,
            },
        },
        _ => {
            return Err(AppError::invalid("class_id", "name a class_id or a grade").into());
        }
    };
    let id = state
        .app
        .start_promotion_order(&who.principal, school, &scope, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// An order with its pupils' lines.
#[utoipa::path(get, path = "/api/v1/schools/{id}/promotion-orders/{order}", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("order" = String, Path)),
    responses((status = 200, body = PromotionOrderFullDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_order(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path((school, order)): Path<(SchoolId, PromotionOrderId)>,
) -> Result<Json<PromotionOrderFullDto>, ApiError> {
    Ok(Json(
        state
            .app
            .promotion_order(&who.principal, school, order)
            .await?
            .into(),
    ))
}

/// A pupil's outcome.
#[derive(Deserialize, ToSchema)]
struct PromotionLineBody {
    student_id: String,
    /// `promoted`, `conditional`, `repeat`, `graduated`, `continues` or `left`.
    outcome: String,
    /// The last day (a leaving).
    #[serde(default)]
    left_on: Option<String>,
    /// Where to and on which basis (a leaving).
    #[serde(default)]
    basis: Option<String>,
}

/// An edit of a draft order.
#[derive(Deserialize, ToSchema)]
struct PromotionEditOrderBody {
    version: i64,
    #[serde(default)]
    number: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    order_date: Option<String>,
    /// The outcomes that change.
    #[serde(default)]
    lines: Vec<PromotionLineBody>,
}

/// The version after an edit.
#[derive(Serialize, ToSchema)]
struct PromotionVersionDto {
    version: i64,
}

/// Changes a draft order's number, date and outcomes (each checked against the pupil's grade
/// and open debts: 422). An issued order or a stale version: 409. Audited as
/// `promotion_order.update`.
#[utoipa::path(put, path = "/api/v1/schools/{id}/promotion-orders/{order}", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("order" = String, Path)), request_body = PromotionEditOrderBody,
    responses((status = 200, body = PromotionVersionDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn edit_order(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, order)): Path<(SchoolId, PromotionOrderId)>,
    ApiJson(b): ApiJson<PromotionEditOrderBody>,
) -> Result<Json<PromotionVersionDto>, ApiError> {
    let mut errors = FieldErrors::new();
    let date = order_date(b.order_date.as_deref().unwrap_or(""))?;
    let lines = b
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            line_edit(
                &format!("lines[{i}]"),
                (
                    &l.student_id,
                    &l.outcome,
                    l.left_on.as_deref().unwrap_or(""),
                    l.basis.as_deref().unwrap_or(""),
                ),
                &mut errors,
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let edit = OrderEdit {
        version: b.version,
        number: b.number,
        date,
        lines,
    };
    let version = state
        .app
        .edit_promotion_order(&who.principal, school, order, &edit, &client)
        .await?;
    Ok(Json(PromotionVersionDto { version }))
}

/// Removes a draft order; an issued one stays (409). Audited as `promotion_order.delete`.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/promotion-orders/{order}", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("order" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_order(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, order)): Path<(SchoolId, PromotionOrderId)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_promotion_order(&who.principal, school, order, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The version read, to issue.
#[derive(Deserialize, ToSchema)]
struct PromotionIssueBody {
    version: i64,
}

/// Issues (signs) a draft order with its number and date: the pupils leave their classes at
/// the year's end, graduations and leavings are recorded, and those who stay are placed into
/// the next year's classes (when a draft year is confirmed, if it is one). Issued already or a
/// stale version: 409; a missing number or date, or an outcome that does not fit: 422.
/// Audited as `promotion_order.issue`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/promotion-orders/{order}/issue", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("order" = String, Path)), request_body = PromotionIssueBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn issue_order(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, order)): Path<(SchoolId, PromotionOrderId)>,
    ApiJson(b): ApiJson<PromotionIssueBody>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .issue_promotion_order(&who.principal, school, order, b.version, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a draft order that amends an issued one (its pupils with the outcomes it gave).
/// A draft, or an order amended already: 409. Audited as `promotion_order.amend`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/promotion-orders/{order}/amend", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("order" = String, Path)),
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn amend_order(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, order)): Path<(SchoolId, PromotionOrderId)>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = state
        .app
        .amend_promotion_order(&who.principal, school, order, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })))
}

/// The order as PDF (a draft prints as a draft).
#[utoipa::path(get, path = "/api/v1/schools/{id}/promotion-orders/{order}/pdf", tag = "promotion", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("order" = String, Path)),
    responses((status = 200, description = "The order", content_type = "application/pdf"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn order_pdf(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path((school, order)): Path<(SchoolId, PromotionOrderId)>,
) -> Result<Response, ApiError> {
    let (name, bytes) = state
        .app
        .promotion_order_pdf(&who.principal, school, order)
        .await?;
    Ok(pdf_response(bytes, &format!("{name}.pdf"), false))
}
