//! Timetable endpoints of the JSON API: calendar, bells, weekly lines, lessons and their changes,
//! who teaches a class.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::timetable::{EntryInput, LessonView, LessonsOf};
use tabel_domain::timetable::{BellSlot, hhmm, parse_hhmm};
use tabel_domain::{GroupId, SchoolId, TimetableLineId};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::changes_api::*;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(calendar))
        .routes(routes!(bells, set_bells))
        .routes(routes!(timetable, add_entry))
        .routes(routes!(lessons))
        .routes(routes!(substitution))
        .routes(routes!(cancellation))
        .routes(routes!(transfer))
        .routes(routes!(class_teachers))
        .routes(routes!(extra))
        .routes(routes!(room_change))
        .routes(routes!(bell_day))
        .routes(routes!(end_entry))
        .routes(routes!(class_shift))
        .routes(routes!(shift_conflicts))
}

pub(super) fn parse_date(field: &str, raw: &str) -> Result<Date, ApiError> {
    tabel_domain::calendar::parse_iso_date(raw.trim())
        .map_err(|_| ApiError::field(field, format!("not a date: {raw:?}; use YYYY-MM-DD")))
}

pub(super) fn parse_id<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::field(field, "not an id"))
}

/// Monday of the week containing `d`.
pub fn monday_of(d: Date) -> Date {
    d - time::Duration::days(i64::from(d.weekday().number_days_from_monday()))
}

#[derive(Deserialize, IntoParams)]
struct ClassQuery {
    /// The class (or other group) id.
    class: String,
}

/// A day off.
#[derive(Serialize, ToSchema)]
struct DayOffDto {
    /// `holiday`, `non_working` or `working_day`.
    kind: String,
    name: String,
    starts_on: String,
    ends_on: String,
}

/// A reporting period.
#[derive(Serialize, ToSchema)]
#[schema(as = TimetablePeriodDto)]
struct PeriodDto {
    /// `quarter`, `trimester`, `half_year`.
    kind: String,
    number: u8,
    starts_on: String,
    ends_on: String,
}

/// A bell slot (times `HH:MM`).
#[derive(Serialize, Deserialize, ToSchema)]
struct BellDto {
    number: u8,
    starts: String,
    ends: String,
}

/// A class's calendar.
#[derive(Serialize, ToSchema)]
struct CalendarDto {
    year: String,
    starts_on: String,
    ends_on: String,
    grade: u8,
    week_days: u8,
    periods: Vec<PeriodDto>,
    days_off: Vec<DayOffDto>,
    bells: Vec<BellDto>,
}

fn bell_dto(b: &BellSlot) -> BellDto {
    BellDto {
        number: b.number,
        starts: hhmm(b.starts),
        ends: hhmm(b.ends),
    }
}

/// The calendar of a class: periods, holidays, week length, bell schedule.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "timetable", security(("bearer" = [])), params(ClassQuery),
    responses((status = 200, body = CalendarDto), (status = 404, body = Problem)))]
async fn calendar(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<ClassQuery>,
) -> Result<Json<CalendarDto>, ApiError> {
    let class: GroupId = q
        .class
        .parse()
        .map_err(|_| ApiError::from(AppError::NotFound))?;
    let c = state.app.calendar_of(&who.principal, class).await?;
    Ok(Json(CalendarDto {
        year: c.year.label,
        starts_on: c.year.starts_on.to_string(),
        ends_on: c.year.ends_on.to_string(),
        grade: c.grade,
        week_days: c.week_days,
        periods: c
            .periods
            .into_iter()
            .map(|p| PeriodDto {
                kind: p.kind.code().to_owned(),
                number: p.number,
                starts_on: p.starts_on.to_string(),
                ends_on: p.ends_on.to_string(),
            })
            .collect(),
        days_off: c
            .days_off
            .into_iter()
            .map(|h| DayOffDto {
                kind: h.kind.code().to_owned(),
                name: h.name,
                starts_on: h.starts_on.to_string(),
                ends_on: h.ends_on.to_string(),
            })
            .collect(),
        bells: c.bells.iter().map(bell_dto).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
struct SchoolQuery {
    /// The school (default: the user's first school).
    school_id: Option<String>,
    /// The shift, 1 (default) or 2.
    shift: Option<u8>,
}

pub(super) fn school_of(
    state: &AppState,
    p: &tabel_domain::access::Principal,
    raw: Option<&str>,
) -> Result<SchoolId, ApiError> {
    match raw {
        None | Some("") => state
            .app
            .home_school(p)
            .ok_or_else(|| AppError::NotFound.into()),
        Some(s) => s.parse().map_err(|_| AppError::NotFound.into()),
    }
}

/// The regular bell schedule.
#[utoipa::path(get, path = "/api/v1/bells", tag = "timetable", security(("bearer" = [])), params(SchoolQuery),
    responses((status = 200, body = [BellDto])))]
async fn bells(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<SchoolQuery>,
) -> Result<Json<Vec<BellDto>>, ApiError> {
    let school = school_of(&state, &who.principal, q.school_id.as_deref())?;
    Ok(Json(
        state
            .app
            .bells(&who.principal, school, q.shift.unwrap_or(1))
            .await?
            .iter()
            .map(bell_dto)
            .collect(),
    ))
}

/// A bell schedule to set.
#[derive(Deserialize, ToSchema)]
struct BellsRequest {
    school_id: Option<String>,
    /// 1 (default) or 2.
    shift: Option<u8>,
    /// `regular` (default) or `short`.
    variant: Option<String>,
    slots: Vec<BellDto>,
}

/// Sets a bell schedule (administrators, deputy heads).
#[utoipa::path(put, path = "/api/v1/bells", tag = "timetable", security(("bearer" = [])), request_body = BellsRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_bells(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<BellsRequest>,
) -> Result<StatusCode, ApiError> {
    let school = school_of(&state, &who.principal, body.school_id.as_deref())?;
    let mut slots = Vec::new();
    for (i, s) in body.slots.iter().enumerate() {
        let starts = parse_hhmm(&s.starts)
            .ok_or_else(|| ApiError::field(&format!("slots[{i}].starts"), "use HH:MM"))?;
        let ends = parse_hhmm(&s.ends)
            .ok_or_else(|| ApiError::field(&format!("slots[{i}].ends"), "use HH:MM"))?;
        slots.push(BellSlot {
            number: s.number,
            starts,
            ends,
        });
    }
    let variant = body.variant.as_deref().unwrap_or("regular");
    state
        .app
        .set_bell_schedule(
            &who.principal,
            school,
            (body.shift.unwrap_or(1), variant),
            slots,
            &client,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
struct GroupQuery {
    /// The class or group id.
    group: String,
}

/// A weekly timetable line.
#[derive(Serialize, ToSchema)]
struct EntryDto {
    id: String,
    group_id: String,
    group: String,
    /// 1 = Monday … 6 = Saturday.
    weekday: u8,
    number: u8,
    subject_id: String,
    subject: String,
    teacher_id: String,
    teacher: String,
    room: String,
    valid_from: String,
    valid_to: Option<String>,
}

/// The weekly timetable lines of a group.
#[utoipa::path(get, path = "/api/v1/timetable", tag = "timetable", security(("bearer" = [])), params(GroupQuery),
    responses((status = 200, body = [EntryDto]), (status = 404, body = Problem)))]
async fn timetable(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<GroupQuery>,
) -> Result<Json<Vec<EntryDto>>, ApiError> {
    let group: GroupId = q
        .group
        .parse()
        .map_err(|_| ApiError::from(AppError::NotFound))?;
    Ok(Json(
        state
            .app
            .timetable_of(&who.principal, group)
            .await?
            .into_iter()
            .map(|e| EntryDto {
                id: e.id.to_string(),
                group_id: e.group.to_string(),
                group: e.group_name,
                weekday: e.weekday,
                number: e.number,
                subject_id: e.subject.to_string(),
                subject: e.subject_name,
                teacher_id: e.teacher.to_string(),
                teacher: e.teacher_name,
                room: e.room,
                valid_from: e.valid_from.to_string(),
                valid_to: e.valid_to.map(|d| d.to_string()),
            })
            .collect(),
    ))
}

/// A weekly line to add.
#[derive(Deserialize, ToSchema)]
struct EntryRequest {
    school_id: Option<String>,
    group_id: String,
    weekday: u8,
    number: u8,
    subject_id: String,
    teacher_id: String,
    #[serde(default)]
    room: String,
    /// YYYY-MM-DD; default the first day of the year.
    valid_from: Option<String>,
    /// YYYY-MM-DD; default open-ended.
    valid_to: Option<String>,
}

/// Adds a weekly line; the year's lessons are regenerated from its first date (administrators,
/// deputy heads). A teacher, room or class in two places is refused with 409.
#[utoipa::path(post, path = "/api/v1/timetable", tag = "timetable", security(("bearer" = [])), request_body = EntryRequest,
    responses((status = 201, body = crate::api::Created), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_entry(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    ApiJson(body): ApiJson<EntryRequest>,
) -> Result<(StatusCode, Json<crate::api::Created>), ApiError> {
    let school = school_of(&state, &who.principal, body.school_id.as_deref())?;
    let input = EntryInput {
        group: body.group_id.trim().parse().ok(),
        weekday: body.weekday,
        number: body.number,
        subject: body.subject_id.trim().parse().ok(),
        teacher: body.teacher_id.trim().parse().ok(),
        room: body.room,
        valid_from: body
            .valid_from
            .as_deref()
            .map(|d| parse_date("valid_from", d))
            .transpose()?,
        valid_to: body
            .valid_to
            .as_deref()
            .map(|d| parse_date("valid_to", d))
            .transpose()?,
    };
    let id = state
        .app
        .add_timetable_entry(&who.principal, school, &input, &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(crate::api::Created { id: id.to_string() }),
    ))
}

#[derive(Deserialize, IntoParams)]
struct LessonsQuery {
    /// A class or group id.
    class: Option<String>,
    /// A teacher (person id).
    teacher: Option<String>,
    /// A student (person id).
    student: Option<String>,
    /// A room (staff; with `school_id` when the user works in several schools).
    room: Option<String>,
    /// The school of the room.
    school_id: Option<String>,
    /// First date (default: Monday of this week).
    from: Option<String>,
    /// Last date (default: six days after `from`).
    to: Option<String>,
}

/// A dated lesson.
#[derive(Serialize, ToSchema)]
pub(crate) struct LessonDto {
    id: String,
    date: String,
    number: u8,
    /// `HH:MM`, from the bell schedule of the day.
    starts: Option<String>,
    ends: Option<String>,
    subject_id: String,
    subject: String,
    teacher_id: String,
    teacher: String,
    room: String,
    group_id: String,
    group: String,
    /// `planned`, `substituted`, `cancelled`, `transferred`, `extra`.
    status: String,
    /// The replaced teacher of a substitution.
    original_teacher: Option<String>,
    /// Where a transferred lesson was.
    original_date: Option<String>,
    original_number: Option<u8>,
    reason: Option<String>,
    /// Why a cancelled lesson was cancelled: `teacher_absent`, `class_absent`, `other` (none
    /// when not given).
    cause: Option<String>,
    /// Send back with a change (optimistic concurrency).
    version: i64,
}

impl From<LessonView> for LessonDto {
    fn from(v: LessonView) -> Self {
        let l = v.lesson;
        LessonDto {
            id: l.id.to_string(),
            date: l.on.to_string(),
            number: l.number,
            starts: v.starts.map(hhmm),
            ends: v.ends.map(hhmm),
            subject_id: l.subject.to_string(),
            subject: l.subject_name,
            teacher_id: l.teacher.to_string(),
            teacher: l.teacher_name,
            room: l.room,
            group_id: l.group.to_string(),
            group: l.group_name,
            status: l.status.code().to_owned(),
            original_teacher: l.original_teacher_name,
            original_date: l.original_date.map(|d| d.to_string()),
            original_number: l.original_number,
            reason: l.reason,
            cause: l.cause.map(|c| c.code().to_owned()),
            version: l.version,
        }
    }
}

/// Lessons of a class, a teacher or a student in a date range (at most two months).
#[utoipa::path(get, path = "/api/v1/lessons", tag = "timetable", security(("bearer" = [])), params(LessonsQuery),
    responses((status = 200, body = [LessonDto]), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn lessons(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Query(q): Query<LessonsQuery>,
) -> Result<Json<Vec<LessonDto>>, ApiError> {
    let of = match (
        q.class.as_deref(),
        q.teacher.as_deref(),
        q.student.as_deref(),
        q.room.as_deref(),
    ) {
        (None, None, None, Some(room)) => LessonsOf::Room(
            school_of(&state, &who.principal, q.school_id.as_deref())?,
            room.to_owned(),
        ),
        (Some(c), None, None, None) => {
            LessonsOf::Group(c.parse().map_err(|_| ApiError::from(AppError::NotFound))?)
        }
        (None, Some(t), None, None) => {
            LessonsOf::Teacher(t.parse().map_err(|_| ApiError::from(AppError::NotFound))?)
        }
        (None, None, Some(s), None) => {
            LessonsOf::Student(s.parse().map_err(|_| ApiError::from(AppError::NotFound))?)
        }
        _ => {
            return Err(ApiError::field(
                "class",
                "give exactly one of class, teacher, student or room",
            ));
        }
    };
    let from = match q.from.as_deref() {
        Some(f) => parse_date("from", f)?,
        None => monday_of(state.app.today()),
    };
    let to = match q.to.as_deref() {
        Some(t) => parse_date("to", t)?,
        None => from + time::Duration::days(6),
    };
    Ok(Json(
        state
            .app
            .lessons(&who.principal, &of, from, to)
            .await?
            .into_iter()
            .map(LessonDto::from)
            .collect(),
    ))
}

/// A teacher of a class with subjects.
#[derive(Serialize, ToSchema)]
struct TeacherDto {
    id: String,
    name: String,
    subjects: Vec<String>,
}

/// Who teaches a class (with its subgroups and streams), a subgroup, a stream or an ИУП group.
#[utoipa::path(get, path = "/api/v1/classes/{id}/teachers", tag = "timetable", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = [TeacherDto]), (status = 404, body = Problem)))]
async fn class_teachers(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(group): Path<GroupId>,
) -> Result<Json<Vec<TeacherDto>>, ApiError> {
    Ok(Json(
        state
            .app
            .teachers_of(&who.principal, group)
            .await?
            .into_iter()
            .map(|(id, name, subjects)| TeacherDto { id, name, subjects })
            .collect(),
    ))
}

/// When a line ends.
#[derive(Deserialize, ToSchema)]
#[schema(as = TimetableEndRequest)]
struct EndRequest {
    /// The last day the line applies, YYYY-MM-DD (the day before its first day removes it).
    last_day: String,
}

/// Ends a weekly line; the lessons after it are regenerated (administrators, deputy heads).
#[utoipa::path(post, path = "/api/v1/timetable/{id}/end", tag = "timetable", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = EndRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn end_entry(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(id): Path<TimetableLineId>,
    ApiJson(b): ApiJson<EndRequest>,
) -> Result<StatusCode, ApiError> {
    let last_day = parse_date("last_day", &b.last_day)?;
    state
        .app
        .end_timetable_entry(&who.principal, id, last_day, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A class's shift.
#[derive(Deserialize, ToSchema)]
struct ShiftRequest {
    /// 1 or 2.
    shift: u8,
    /// Move even though teachers or rooms would clash (the clashes are listed by
    /// `GET /api/v1/classes/{id}/shift-conflicts`); without it such a move answers 409.
    #[serde(default)]
    accept_conflicts: bool,
}

/// Moves a class (with its subgroups) to the first or second shift; its lessons then follow that
/// shift's bells (administrators, deputy heads). A move that makes teachers or rooms clash
/// answers 409 naming them, unless `accept_conflicts`.
#[utoipa::path(put, path = "/api/v1/classes/{id}/shift", tag = "timetable", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ShiftRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn class_shift(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(class): Path<GroupId>,
    ApiJson(b): ApiJson<ShiftRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_class_shift(&who.principal, class, b.shift, b.accept_conflicts, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
struct ShiftConflictsQuery {
    /// The shift to move to: 1 or 2.
    shift: u8,
}

/// A clash that moving a class to another shift would make.
#[derive(Serialize, ToSchema)]
struct ShiftConflictDto {
    /// 1 = Monday … 6 = Saturday.
    weekday: u8,
    /// The class's line: lesson number, group and subject.
    number: u8,
    group: String,
    subject: String,
    /// `teacher` or `room`.
    kind: String,
    /// The teacher's name or the room.
    who: String,
    /// The other line: group, subject, lesson number and shift.
    other_group: String,
    other_subject: String,
    other_number: u8,
    other_shift: u8,
}

/// What moving a class (with its subgroups) to a shift would clash with, before it is applied:
/// for each of its lines in force, another class's line at an overlapping time (by each shift's
/// bells) with the same teacher or room (administrators, deputy heads).
#[utoipa::path(get, path = "/api/v1/classes/{id}/shift-conflicts", tag = "timetable", security(("bearer" = [])),
    params(("id" = String, Path), ShiftConflictsQuery),
    responses((status = 200, body = [ShiftConflictDto]), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn shift_conflicts(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(class): Path<GroupId>,
    Query(q): Query<ShiftConflictsQuery>,
) -> Result<Json<Vec<ShiftConflictDto>>, ApiError> {
    let (_, found) = state
        .app
        .class_shift_conflicts(&who.principal, class, q.shift)
        .await?;
    Ok(Json(
        found
            .into_iter()
            .map(|c| ShiftConflictDto {
                weekday: c.weekday,
                number: c.number,
                group: c.group,
                subject: c.subject,
                kind: c.kind.to_owned(),
                who: c.who,
                other_group: c.other_group,
                other_subject: c.other_subject,
                other_number: c.other_number,
                other_shift: c.other_shift,
            })
            .collect(),
    ))
}
