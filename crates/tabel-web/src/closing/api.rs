//! Closing periods and the year over the JSON API: what a period still lacks for a scope
//! (`GET /api/v1/periods/{id}/closing?scope=`), closing or reopening it for the scope
//! (`POST …/close?scope=`, `…/reopen?scope=`, in the journal's router), the year's state and
//! its closing (`GET /api/v1/years/{id}/closing`, `POST /api/v1/years/{id}/close`), the archive
//! (`GET /api/v1/years/{id}/archive`) and a file of it (`GET /api/v1/archive-files/{id}`).

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::homework_files::api::attachment;
use crate::paths::Path;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tabel_app::closing::{
    ArchiveFile, ClassMissing, CloseScope, PeriodClosing, YearClosing, YearState,
};
use tabel_domain::{AcademicYearId, ArchiveFileId, PeriodId};
use tabel_present::rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(period_closing))
        .routes(routes!(year_closing))
        .routes(routes!(close_year))
        .routes(routes!(year_archive))
        .routes(routes!(archive_file))
}

/// `?scope=school` (the default), `grade:5` or `class:<id>`.
#[derive(Deserialize, IntoParams, Default)]
pub(crate) struct ScopeQuery {
    /// `school`, `grade:<1–11>` or `class:<id>`.
    pub scope: Option<String>,
}

impl ScopeQuery {
    /// The scope asked for (the whole school when none).
    pub(crate) fn parse(&self) -> Result<CloseScope, tabel_app::AppError> {
        CloseScope::parse(self.scope.as_deref().unwrap_or(""))
    }
}

/// A class of the period's parallels.
#[derive(Serialize, ToSchema)]
struct ClassLockDto {
    class_id: String,
    /// "5А".
    class: String,
    grade: u8,
    /// When the period was closed for it (or for the whole school); `null` while open.
    closed_at: Option<String>,
}

/// A pupil without the final mark of the period (or the year) in a subject.
#[derive(Serialize, ToSchema)]
struct MissingFinalDto {
    student_id: String,
    student: String,
    subject_id: String,
    subject: String,
}

/// A lesson held without a topic.
#[derive(Serialize, ToSchema)]
struct LessonWithoutTopicDto {
    lesson_id: String,
    date: String,
    number: u8,
    /// The lesson's group ("5А", "5А англ. 1").
    group: String,
    subject: String,
}

/// An exam result received and not published.
#[derive(Serialize, ToSchema)]
struct UnpublishedDto {
    student_id: String,
    student: String,
    /// `oge`, `ege`, `vpr`, `interview`, `school`.
    exam: String,
    subject: String,
    received_at: String,
}

/// What a class still lacks.
#[derive(Serialize, ToSchema)]
struct MissingDto {
    class_id: String,
    class: String,
    finals_missing: Vec<MissingFinalDto>,
    lessons_without_topic: Vec<LessonWithoutTopicDto>,
    unpublished_results: Vec<UnpublishedDto>,
}

fn missing_dto(m: &ClassMissing) -> MissingDto {
    MissingDto {
        class_id: m.class.to_string(),
        class: m.class_name.clone(),
        finals_missing: m
            .finals
            .iter()
            .map(|f| MissingFinalDto {
                student_id: f.student.to_string(),
                student: f.student_name.clone(),
                subject_id: f.subject.to_string(),
                subject: f.subject_name.clone(),
            })
            .collect(),
        lessons_without_topic: m
            .lessons
            .iter()
            .map(|l| LessonWithoutTopicDto {
                lesson_id: l.lesson.to_string(),
                date: l.on.to_string(),
                number: l.number,
                group: l.group_name.clone(),
                subject: l.subject_name.clone(),
            })
            .collect(),
        unpublished_results: m
            .results
            .iter()
            .map(|r| UnpublishedDto {
                student_id: r.student.to_string(),
                student: r.student_name.clone(),
                exam: r.exam.clone(),
                subject: r.subject_name.clone(),
                received_at: rfc3339(r.received_at),
            })
            .collect(),
    }
}

/// A period's closing for a scope.
#[derive(Serialize, ToSchema)]
struct PeriodClosingDto {
    period_id: String,
    /// `quarter`, `trimester`, `half`.
    kind: String,
    number: u8,
    starts_on: String,
    ends_on: String,
    /// Closed for every class (the whole school).
    closed: bool,
    /// The scope asked for (`school`, `grade:5`, `class:<id>`).
    scope: String,
    classes: Vec<ClassLockDto>,
    /// What the scope's classes lack, a line per class.
    missing: Vec<MissingDto>,
    /// The year is closed: the period stays as it is.
    year_closed: bool,
}

fn period_dto(v: &PeriodClosing) -> PeriodClosingDto {
    PeriodClosingDto {
        period_id: v.period.id.to_string(),
        kind: v.period.kind.code().to_owned(),
        number: v.period.number,
        starts_on: v.period.starts_on.to_string(),
        ends_on: v.period.ends_on.to_string(),
        closed: v.period.locked_at.is_some(),
        scope: v.scope.code(),
        classes: v
            .classes
            .iter()
            .map(|c| ClassLockDto {
                class_id: c.class.to_string(),
                class: c.name.clone(),
                grade: c.grade,
                closed_at: c.locked_at.map(rfc3339),
            })
            .collect(),
        missing: v.missing.iter().map(missing_dto).collect(),
        year_closed: v.year_frozen,
    }
}

/// What a period still lacks for a scope — pupils without a final mark for it (per subject),
/// lessons held without a topic, exam results received and not published — and which classes
/// it is closed for (administrators, deputy heads).
#[utoipa::path(get, path = "/api/v1/periods/{id}/closing", tag = "journal", security(("bearer" = [])),
    params(("id" = String, Path), ScopeQuery),
    responses((status = 200, body = PeriodClosingDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn period_closing(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<PeriodId>,
    Query(q): Query<ScopeQuery>,
) -> Result<Json<PeriodClosingDto>, ApiError> {
    let scope = q.parse()?;
    let v = state.app.period_closing(&who.principal, id, scope).await?;
    Ok(Json(period_dto(&v)))
}

/// A file of a closed year's archive.
#[derive(Serialize, ToSchema)]
struct ArchiveFileDto {
    id: String,
    /// The class it is of; `null` for the school's files (the export, the manifest).
    class_id: Option<String>,
    /// `journal`, `summary`, `statistics`, `export`, `manifest`.
    kind: String,
    /// "5А/Сводная_ведомость_5А.pdf".
    file_name: String,
    content_type: String,
    size_bytes: i64,
    /// SHA-256 of the bytes, lowercase hex.
    sha256: String,
    created_at: String,
    /// Where to download it.
    href: String,
}

fn file_dto(f: &ArchiveFile) -> ArchiveFileDto {
    ArchiveFileDto {
        id: f.id.to_string(),
        class_id: f.class.map(|c| c.to_string()),
        kind: f.kind.clone(),
        file_name: f.file_name.clone(),
        content_type: f.content_type.clone(),
        size_bytes: f.size_bytes,
        sha256: f.sha256.clone(),
        created_at: rfc3339(f.created_at),
        href: format!("/api/v1/archive-files/{}", f.id),
    }
}

/// A period of the year and the classes it is still open for.
#[derive(Serialize, ToSchema)]
struct PeriodStateDto {
    period_id: String,
    kind: String,
    number: u8,
    /// Classes it is still open for ("5А"); empty when closed for all.
    open_for: Vec<String>,
}

/// A school year's state: its periods, what it still lacks, its archive.
#[derive(Serialize, ToSchema)]
struct YearClosingDto {
    year_id: String,
    /// "2026/2027".
    label: String,
    starts_on: String,
    ends_on: String,
    /// When the year was closed (frozen); `null` while open.
    closed_at: Option<String>,
    /// The caller may close it.
    may_close: bool,
    periods: Vec<PeriodStateDto>,
    /// What the classes lack for the year marks (an open year).
    missing: Vec<MissingDto>,
    /// The archive's files the caller reads (a closed year).
    files: Vec<ArchiveFileDto>,
}

fn year_dto(v: &YearClosing) -> YearClosingDto {
    YearClosingDto {
        year_id: v.year.year.to_string(),
        label: v.year.label.clone(),
        starts_on: v.year.starts_on.to_string(),
        ends_on: v.year.ends_on.to_string(),
        closed_at: v.year.frozen_at.map(rfc3339),
        may_close: v.may_close,
        periods: v
            .periods
            .iter()
            .map(|p| PeriodStateDto {
                period_id: p.period.id.to_string(),
                kind: p.period.kind.code().to_owned(),
                number: p.period.number,
                open_for: p.open_for.clone(),
            })
            .collect(),
        missing: v
            .missing
            .iter()
            .filter(|m| !m.is_empty())
            .map(missing_dto)
            .collect(),
        files: v.files.iter().map(file_dto).collect(),
    }
}

/// A school year's state: which periods are still open for which classes, what the classes
/// lack for the year marks, and (once closed) the archive's files (administrators and deputy
/// heads; a class teacher sees their class's files only).
#[utoipa::path(get, path = "/api/v1/years/{id}/closing", tag = "structure", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = YearClosingDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn year_closing(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<AcademicYearId>,
) -> Result<Json<YearClosingDto>, ApiError> {
    let v = state.app.year_closing(&who.principal, id).await?;
    Ok(Json(year_dto(&v)))
}

/// Closing the year.
#[derive(Deserialize, ToSchema, Default)]
struct CloseYearBody {
    /// Close it although some period is still open for some class (default `false`: 409 then,
    /// naming them). What was missing goes into the audit entry either way.
    #[serde(default)]
    anyway: bool,
}

/// Closes the school year (administrators, deputy heads): the archive is built once (per
/// class the journals and the summary sheet as PDFs; the school's statistics of the year as a
/// PDF; the year's journals and finals as JSON; a manifest with every file's SHA-256) and the
/// year becomes read-only except
/// for an administrator's corrections with a reason. 409 while a period is open (unless
/// `anyway`) and for a year closed already. It takes a while: the PDFs are typeset.
#[utoipa::path(post, path = "/api/v1/years/{id}/close", tag = "structure", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = CloseYearBody,
    responses((status = 200, body = YearClosingDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn close_year(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<AcademicYearId>,
    ApiJson(body): ApiJson<CloseYearBody>,
) -> Result<Json<YearClosingDto>, ApiError> {
    let v = state
        .app
        .close_year(&who.principal, id, body.anyway, &client)
        .await?;
    Ok(Json(year_dto(&v)))
}

/// A closed year's archive.
#[derive(Serialize, ToSchema)]
struct ArchiveDto {
    year_id: String,
    label: String,
    /// When the year was closed; `null` (and no files) while it is open.
    closed_at: Option<String>,
    files: Vec<ArchiveFileDto>,
}

/// A year's archive: its files with size and SHA-256 (administrators and deputy heads; a class
/// teacher the files of their class).
#[utoipa::path(get, path = "/api/v1/years/{id}/archive", tag = "structure", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ArchiveDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn year_archive(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<AcademicYearId>,
) -> Result<Json<ArchiveDto>, ApiError> {
    let (y, files): (YearState, Vec<ArchiveFile>) =
        state.app.year_archive(&who.principal, id).await?;
    Ok(Json(ArchiveDto {
        year_id: y.year.to_string(),
        label: y.label,
        closed_at: y.frozen_at.map(rfc3339),
        files: files.iter().map(file_dto).collect(),
    }))
}

/// Downloads a file of a year's archive (whoever reads it).
#[utoipa::path(get, path = "/api/v1/archive-files/{id}", tag = "structure", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The file's bytes"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn archive_file(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(id): Path<ArchiveFileId>,
) -> Result<Response, ApiError> {
    let (f, bytes) = state.app.archive_file(&who.principal, id).await?;
    let name = f.file_name.rsplit('/').next().unwrap_or(&f.file_name);
    Ok(attachment(name, &f.content_type, bytes))
}
