//! Exam results through the JSON API (регламент, п. 6): import a file of ОГЭ, ЕГЭ, ВПР,
//! собеседование or school exam results with the time the school received it (the file is the
//! raw request body, CSV or XLSX), publish held-back results, the school's batches, the
//! dashboard of overdue publications, and a pupil's results for the family's apps. A refused
//! file is 422 with `errors` keyed by row and column (`row 7, column «Отметка»`), and nothing
//! is stored.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::exams::{
    Channel, ExamImport, ImportSummary, LineState, MAX_FILE_BYTES, Overdue, PublishSummary,
    PublishTarget, Recipient, RecipientRole,
};
use tabel_domain::exams::{self as rules, ExamKind};
use tabel_domain::exams::{ExamBatch, ExamResult};
use tabel_domain::{PersonId, SchoolId};
use tabel_present::rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(import_results))
        .routes(routes!(publish))
        .routes(routes!(batches))
        .routes(routes!(overdue))
        .routes(routes!(student_exams))
}

/// `?school_id=`: an id, or the only school the user manages exams of.
fn school(raw: Option<&str>) -> Result<Option<SchoolId>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::from(AppError::NotFound)),
    }
}

/// An exam result.
#[derive(Serialize, ToSchema)]
pub(crate) struct ExamResultDto {
    id: String,
    /// The import batch it came in.
    batch_id: Option<String>,
    student_id: String,
    /// "Петров Иван".
    student: String,
    /// The pupil's class in the result's year.
    class: Option<String>,
    /// `oge`, `ege`, `vpr`, `interview`, `school`.
    exam: String,
    /// The school's subject, when the name is one of the school's.
    subject_id: Option<String>,
    /// The subject as received.
    subject: String,
    /// When the exam was taken.
    taken_on: Option<String>,
    /// Primary score.
    score: Option<i64>,
    /// `2`–`5`; `pass`/`fail` (собеседование); for ЕГЭ the test score `0`–`100`.
    mark: String,
    /// When the school received it.
    received_at: String,
    /// When the family could first see it (null: not yet).
    published_at: Option<String>,
    /// A day after receipt: when it must be visible by.
    due_at: String,
}

impl From<&ExamResult> for ExamResultDto {
    fn from(r: &ExamResult) -> Self {
        ExamResultDto {
            id: r.id.to_string(),
            batch_id: r.batch.map(|b| b.to_string()),
            student_id: r.student.to_string(),
            student: r.student_name.clone(),
            class: r.class_name.clone(),
            exam: r.exam.code().to_owned(),
            subject_id: r.subject.map(|s| s.to_string()),
            subject: r.subject_name.clone(),
            taken_on: r.taken_on.map(|d| d.to_string()),
            score: r.score,
            mark: r.mark.code(),
            received_at: rfc3339(r.received_at),
            published_at: r.published_at.map(rfc3339),
            due_at: rfc3339(r.received_at + rules::PUBLICATION_DEADLINE),
        }
    }
}

/// An import batch.
#[derive(Serialize, ToSchema)]
struct BatchDto {
    id: String,
    exam: String,
    file_name: String,
    /// The subjects of its rows.
    subjects: String,
    received_at: String,
    /// The importer's login (null: the command line).
    imported_by: Option<String>,
    imported_at: String,
    rows: i64,
    /// Rows the families see.
    published: i64,
    unpublished: i64,
    due_at: String,
    /// Unpublished rows past due.
    overdue: bool,
}

fn batch_dto(b: &ExamBatch, now: OffsetDateTime) -> BatchDto {
    let due = b.received_at + rules::PUBLICATION_DEADLINE;
    let unpublished = b.rows - b.published;
    BatchDto {
        id: b.id.to_string(),
        exam: b.exam.code().to_owned(),
        file_name: b.file_name.clone(),
        subjects: b.subjects.clone(),
        received_at: rfc3339(b.received_at),
        imported_by: b.imported_by.clone(),
        imported_at: rfc3339(b.imported_at),
        rows: b.rows,
        published: b.published,
        unpublished,
        due_at: rfc3339(due),
        overdue: unpublished > 0 && now > due,
    }
}

/// What an import did.
#[derive(Serialize, ToSchema)]
#[schema(as = ExamImportDto)]
struct ImportDto {
    batch: BatchDto,
    /// Results made visible with the import (0 when held back).
    published: usize,
    /// When the results must be visible by.
    due_at: String,
    /// Subjects not in the school's list, kept as written.
    other_subjects: Vec<String>,
}

impl ImportDto {
    fn of(s: &ImportSummary, now: OffsetDateTime) -> ImportDto {
        ImportDto {
            batch: batch_dto(&s.batch, now),
            published: s.published,
            due_at: rfc3339(s.due_at),
            other_subjects: s.other_subjects.clone(),
        }
    }
}

/// `?exam=oge&received_at=…&publish=true`
#[derive(Deserialize, IntoParams)]
struct ImportQuery {
    /// `oge`, `ege`, `vpr`, `interview` or `school` (ОГЭ, ЕГЭ, ВПР… work too).
    exam: Option<String>,
    /// When the school received the results: RFC 3339 (`2026-11-27T10:00:00+03:00`) or the
    /// school's local time (`2026-11-27 10:00`). Default: now. The day to publish counts from it.
    received_at: Option<String>,
    /// `true` makes the results visible to the families at once; default `false` (held back
    /// until published).
    publish: Option<String>,
    /// The school (default: the only one you manage exams of).
    school_id: Option<String>,
    /// The file's name, kept with the batch.
    name: Option<String>,
}

fn exam_param(raw: Option<&str>) -> Result<ExamKind, ApiError> {
    let raw = raw.unwrap_or("").trim();
    ExamKind::parse(raw).ok_or_else(|| {
        ApiError::field(
            "exam",
            format!("{raw:?}: use oge, ege, vpr, interview or school"),
        )
    })
}

fn bool_param(field: &str, raw: Option<&str>) -> Result<bool, ApiError> {
    match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(ApiError::field(
            field,
            format!("{other:?}: use true or false"),
        )),
    }
}

/// Imports exam results from the file as the request body — CSV (UTF-8 with or without BOM,
/// or Windows-1251; `;`, `,` or tab separated) or XLSX (the first sheet). The header row names
/// the columns (title rows above it are skipped): «ФИО» or «Фамилия», «Имя» (and «Отчество»),
/// optionally «Класс» and «Дата рождения» to tell namesakes apart; «Предмет» (not needed for the
/// собеседование); «Дата»; «Первичный балл»; «Отметка» or «Оценка» (2–5; for ЕГЭ «Тестовый
/// балл» 0–100; for the собеседование зачёт/незачёт). Pupils are matched among the school's by
/// name. Administrators and deputy heads. Any error refuses the whole file (422, `errors`
/// keyed by `row N, column «…»`); the same file twice is 409; at most 2 MB (413).
#[utoipa::path(post, path = "/api/v1/exam-results", tag = "exams", security(("bearer" = [])), params(ImportQuery),
    request_body(description = "The results file", content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 201, body = ImportDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "the same file was imported already"),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn import_results(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<ImportDto>), ApiError> {
    // Before the parameters are judged and a byte of the body is read: only those who manage
    // the school's exams make the server receive the file.
    let school = school(q.school_id.as_deref())?;
    state.app.may_import_exam_results(&who.principal, school)?;
    let exam = exam_param(q.exam.as_deref())?;
    let zone = state.app.config().time_zone.clone();
    let received_at = match q.received_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(rules::parse_received_at(raw, &zone).ok_or_else(|| {
            ApiError::field(
                "received_at",
                format!(
                    "{raw:?}: use RFC 3339 (2026-11-27T10:00:00+03:00) or the school's local time (2026-11-27 10:00)"
                ),
            )
        })?),
    };
    let publish = bool_param("publish", q.publish.as_deref())?;
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
            format!("send the results as text/csv or {XLSX}"),
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
    let summary = state
        .app
        .import_exam_results(
            &who.principal,
            school,
            ExamImport {
                exam,
                received_at,
                publish,
                file_name: q.name.unwrap_or_default(),
                bytes: bytes.to_vec(),
            },
            &client,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportDto::of(&summary, state.app.calendar_now())),
    ))
}

/// What to publish: result ids, or a batch's unpublished rows.
#[derive(Deserialize, ToSchema)]
struct PublishRequest {
    /// Results to make visible.
    #[serde(default)]
    ids: Vec<String>,
    /// Or every unpublished result of this batch.
    #[serde(default)]
    batch_id: Option<String>,
}

/// What a publication did.
#[derive(Serialize, ToSchema)]
struct PublishDto {
    /// Results made visible now.
    published: Vec<String>,
    /// Results named that were visible already.
    already: usize,
    published_at: String,
}

impl From<PublishSummary> for PublishDto {
    fn from(s: PublishSummary) -> Self {
        PublishDto {
            published: s.published.iter().map(ToString::to_string).collect(),
            already: s.already,
            published_at: rfc3339(s.at),
        }
    }
}

/// Makes held-back results visible to the pupils and their families now (`ids`, or every
/// unpublished result of `batch_id`). Administrators and deputy heads of the results' school;
/// an unknown id refuses the whole request (404). Each publication is audited and announced
/// (`exam.result_published`).
#[utoipa::path(post, path = "/api/v1/exam-results/publication", tag = "exams", security(("bearer" = [])),
    request_body = PublishRequest,
    responses((status = 200, body = PublishDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn publish(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<PublishRequest>,
) -> Result<Json<PublishDto>, ApiError> {
    let batch = body.batch_id.as_deref().map(str::trim);
    // A blank batch id is a mistake (a form field left empty), not "no batch": refused rather
    // than read as the other way of naming results.
    if batch == Some("") {
        return Err(ApiError::field(
            "batch_id",
            "the batch id is empty: give a batch's id, or leave batch_id out and list ids",
        ));
    }
    let target = match (batch, body.ids.is_empty()) {
        (Some(b), true) => {
            PublishTarget::Batch(b.parse().map_err(|_| ApiError::from(AppError::NotFound))?)
        }
        (None, false) => PublishTarget::Ids(
            body.ids
                .iter()
                .map(|id| id.trim().parse().map_err(|_| AppError::NotFound))
                .collect::<Result<_, _>>()?,
        ),
        _ => {
            return Err(ApiError::field(
                "ids",
                "give either ids (a list of result ids) or batch_id",
            ));
        }
    };
    let summary = state
        .app
        .publish_exam_results(&who.principal, target, &client)
        .await?;
    Ok(Json(summary.into()))
}

/// `?school_id=`
#[derive(Deserialize, IntoParams)]
struct SchoolQuery {
    /// The school (default: the only one you manage exams of).
    school_id: Option<String>,
}

/// The school's latest import batches with how much of each the families see.
#[utoipa::path(get, path = "/api/v1/exam-results/batches", tag = "exams", security(("bearer" = [])), params(SchoolQuery),
    responses((status = 200, body = Vec<BatchDto>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn batches(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<SchoolQuery>,
) -> Result<Json<Vec<BatchDto>>, ApiError> {
    let desk = state
        .app
        .exam_desk(&who.principal, school(q.school_id.as_deref())?)
        .await?;
    Ok(Json(
        desk.batches
            .iter()
            .map(|b| BatchDto {
                overdue: b.overdue,
                ..batch_dto(&b.batch, desk.as_of)
            })
            .collect(),
    ))
}

/// Someone of the family who has not been informed.
#[derive(Serialize, ToSchema)]
struct RecipientDto {
    person_id: String,
    name: String,
    /// `pupil` or `representative`.
    role: String,
    /// A representative's relation: `mother`, `father`, `guardian`, `trustee`, `other`.
    relation: Option<String>,
    /// How they can be informed: `diary` (an account, and for a parent the diary consent in
    /// force), `no_account` (consent in force, no account to log in with), `paper` (no diary
    /// consent in force: a paper extract).
    channel: String,
}

impl From<&Recipient> for RecipientDto {
    fn from(r: &Recipient) -> Self {
        let (role, relation) = match r.role {
            RecipientRole::Pupil => ("pupil", None),
            RecipientRole::Representative(rel) => ("representative", Some(rel.code().to_owned())),
        };
        RecipientDto {
            person_id: r.person.to_string(),
            name: r.name.clone(),
            role: role.to_owned(),
            relation,
            channel: match r.channel {
                Channel::Diary => "diary",
                Channel::NoAccount => "no_account",
                Channel::Paper => "paper",
            }
            .to_owned(),
        }
    }
}

/// A result on the dashboard.
#[derive(Serialize, ToSchema)]
struct OverdueLineDto {
    result: ExamResultDto,
    /// `overdue` (still unpublished past its day) or `published_late`.
    state: String,
    due_at: String,
    /// Whole hours past due (overdue results).
    overdue_hours: Option<i64>,
    /// Whole hours from receipt to publication (published late).
    delay_hours: Option<i64>,
    /// Who has not been informed: everyone while unpublished; after a late publication, those
    /// the diary does not reach.
    not_informed: Vec<RecipientDto>,
}

/// The dashboard of overdue publications.
#[derive(Serialize, ToSchema)]
struct OverdueDto {
    school_id: String,
    as_of: String,
    /// Unpublished results still within their day.
    pending: usize,
    /// Overdue results (longest overdue first), then those published late in the last week.
    results: Vec<OverdueLineDto>,
}

impl From<&Overdue> for OverdueDto {
    fn from(o: &Overdue) -> Self {
        OverdueDto {
            school_id: o.school.to_string(),
            as_of: rfc3339(o.as_of),
            pending: o.pending,
            results: o
                .lines
                .iter()
                .map(|l| {
                    let (state, overdue_hours, delay_hours) = match l.state {
                        LineState::Overdue(by) => ("overdue", Some(by.whole_hours()), None),
                        LineState::PublishedLate(d) => {
                            ("published_late", None, Some(d.whole_hours()))
                        }
                    };
                    OverdueLineDto {
                        result: (&l.result).into(),
                        state: state.to_owned(),
                        due_at: rfc3339(l.due_at),
                        overdue_hours,
                        delay_hours,
                        not_informed: l.not_informed.iter().map(RecipientDto::from).collect(),
                    }
                })
                .collect(),
        }
    }
}

/// The dashboard of overdue publications: every exam result not visible to its family a day
/// after the school received it, and those published late in the last week, each with who of
/// the family has not been informed and how they can be. Administrators and deputy heads.
#[utoipa::path(get, path = "/api/v1/exam-results/overdue", tag = "exams", security(("bearer" = [])), params(SchoolQuery),
    responses((status = 200, body = OverdueDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn overdue(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<SchoolQuery>,
) -> Result<Json<OverdueDto>, ApiError> {
    let o = state
        .app
        .overdue_exam_results(&who.principal, school(q.school_id.as_deref())?)
        .await?;
    Ok(Json((&o).into()))
}

/// A pupil's exam results, newest first: the pupil and parents with the diary consent in force
/// see the published ones; the school's administrators and deputy heads see all
/// (`published_at` null: the family does not see it yet).
#[utoipa::path(get, path = "/api/v1/students/{id}/exams", tag = "exams", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ExamResultDto>),
        (status = 403, body = Problem, description = "a parent's own child without the diary consent (`urn:tabel:problem:consent-required`)"),
        (status = 404, body = Problem)))]
async fn student_exams(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<Vec<ExamResultDto>>, ApiError> {
    let results = state.app.exam_results_of(&who.principal, student).await?;
    Ok(Json(results.iter().map(ExamResultDto::from).collect()))
}
