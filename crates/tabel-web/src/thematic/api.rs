//! The thematic plan (КТП) of a journal through the JSON API: import from the CSV or XLSX a
//! teacher keeps (the file is the raw request body), and read it back. A refused file is 422
//! with `errors` keyed by row and column (`row 7, column «Часы»`), and nothing is stored.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiUser, ClientInfo};
use crate::paths::id;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::thematic::{ImportSummary, MAX_FILE_BYTES};
use tabel_domain::thematic::ThematicPlan;
use tabel_domain::{GroupId, SubjectId};
use tabel_present::rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(plan, import_plan))
}

/// `?group=…&subject=…`
#[derive(Deserialize, IntoParams)]
struct PlanQuery {
    /// The journal's group (class, subgroup, stream, ИУП).
    group: String,
    /// The subject.
    subject: String,
    /// The uploaded file's name, kept with the plan (optional).
    name: Option<String>,
}

fn ids(q: &PlanQuery) -> Result<(GroupId, SubjectId), ApiError> {
    Ok((id(&q.group)?, id(&q.subject)?))
}

/// What an import did.
#[derive(Serialize, ToSchema)]
#[schema(as = ThematicImportDto)]
struct ImportDto {
    plan_id: String,
    /// One per import.
    version: i64,
    /// Topics in the plan.
    topics: usize,
    /// Planned lessons in total.
    hours: u32,
    /// The year's lessons of the journal (cancelled ones not counted).
    lessons: usize,
    /// Lessons that got their topic from the plan.
    lessons_filled: usize,
    /// Lessons that kept the topic already written (or lie in a closed period).
    lessons_kept: usize,
    /// Lessons still without a topic (the plan is shorter than the year).
    lessons_without_topic: usize,
    /// Topics that found no lesson (the plan is longer than the year).
    topics_left_over: usize,
}

impl From<ImportSummary> for ImportDto {
    fn from(s: ImportSummary) -> Self {
        ImportDto {
            plan_id: s.plan_id.to_string(),
            version: s.version,
            topics: s.topics,
            hours: s.hours,
            lessons: s.lessons,
            lessons_filled: s.lessons_filled,
            lessons_kept: s.lessons_kept,
            lessons_without_topic: s.lessons_without_topic,
            topics_left_over: s.topics_left_over,
        }
    }
}

/// A topic of a plan.
#[derive(Serialize, ToSchema)]
struct TopicDto {
    /// From 1.
    position: u32,
    title: String,
    /// Planned lessons.
    hours: u8,
    /// A lesson type code of the school's policy.
    lesson_type: Option<String>,
}

/// A journal's thematic plan.
#[derive(Serialize, ToSchema)]
#[schema(as = ThematicPlanDto)]
struct PlanDto {
    id: String,
    group_id: String,
    subject_id: String,
    /// The assigned teacher whose plan it is.
    teacher_id: Option<String>,
    /// The file it was imported from.
    source_name: String,
    updated_at: String,
    version: i64,
    /// Planned lessons in total.
    hours: u32,
    topics: Vec<TopicDto>,
}

impl From<ThematicPlan> for PlanDto {
    fn from(p: ThematicPlan) -> Self {
        PlanDto {
            id: p.id.to_string(),
            group_id: p.group.to_string(),
            subject_id: p.subject.to_string(),
            teacher_id: p.teacher.map(|t| t.to_string()),
            source_name: p.source_name,
            updated_at: rfc3339(p.updated_at),
            version: p.version,
            hours: p.topics.iter().map(|t| u32::from(t.hours)).sum(),
            topics: p
                .topics
                .into_iter()
                .map(|t| TopicDto {
                    position: t.position,
                    title: t.title,
                    hours: t.hours,
                    lesson_type: t.lesson_type,
                })
                .collect(),
        }
    }
}

/// The thematic plan of a journal in its year (the journal's teachers, the class teacher,
/// deputies, administrators); 404 when none was imported.
#[utoipa::path(get, path = "/api/v1/thematic-plans", tag = "journal", security(("bearer" = [])), params(PlanQuery),
    responses((status = 200, body = PlanDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn plan(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<PlanQuery>,
) -> Result<Json<PlanDto>, ApiError> {
    let (group, subject) = ids(&q)?;
    let plan = state
        .app
        .plan(&who.principal, group, subject)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(plan.into()))
}

/// Imports a journal's thematic plan from the file as the request body — CSV (UTF-8 with or
/// without BOM, or Windows-1251; `;`, `,` or tab separated) or XLSX (the first sheet) — with the
/// columns №, Тема, Часы, Тип урока (or No, Topic, Hours, Lesson type) found by the header row.
/// It replaces the previous plan; its topics flow onto the year's lessons in order, each taking
/// as many lessons as its hours, filling only lessons without a topic. The assigned teacher, a
/// deputy head or an administrator. Any error refuses the whole file (422, `errors` keyed by
/// `row N, column «…»`); at most 2 MB (413).
#[utoipa::path(post, path = "/api/v1/thematic-plans", tag = "journal", security(("bearer" = [])), params(PlanQuery),
    request_body(description = "The plan file", content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ImportDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn import_plan(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Query(q): Query<PlanQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportDto>, ApiError> {
    let (group, subject) = ids(&q)?;
    // Before a byte of the body is read: only those who keep the plan make the server receive it.
    state
        .app
        .may_import_plan(&who.principal, group, subject)
        .await?;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(
        kind.as_str(),
        "text/csv" | "text/plain" | "application/csv" | "application/octet-stream" | XLSX
    ) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send the plan as text/csv or {XLSX}"),
        ));
    }
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the file is larger than {} MB",
                    MAX_FILE_BYTES / 1024 / 1024
                ),
            )
        })?;
    let name = q.name.as_deref().unwrap_or("");
    let summary = state
        .app
        .import_plan(
            &who.principal,
            group,
            subject,
            name,
            bytes.to_vec(),
            &client,
        )
        .await?;
    Ok(Json(summary.into()))
}
