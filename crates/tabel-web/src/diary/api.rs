//! The diary's endpoints of the JSON API, for a family's apps: the week, marks by subject for a
//! period, the control works, teachers, homework and the calendar of a pupil. Each goes through
//! the diary's gate: 403 `urn:tabel:problem:consent-required` for a parent's own child without
//! the diary consent, 404 for anyone who is neither the pupil, a parent nor the school's staff.
//! (`/students/{id}/recommendations` lives with the journal's endpoints.)

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::ApiUser;
use crate::paths::Path;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use tabel_app::diary::{
    DiaryChild, DiaryLessonView, DiaryMark, HomeworkItem, iso_week, monday_of, parse_iso_week,
};
use tabel_domain::assessment::Assessment;
use tabel_domain::journal::HomeworkFile;
use tabel_domain::school::Period;
use tabel_domain::timetable::hhmm;
use tabel_domain::{PeriodId, PersonId};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(week))
        .routes(routes!(marks))
        .routes(routes!(assessments))
        .routes(routes!(teachers))
        .routes(routes!(homework))
        .routes(routes!(calendar))
}

/// Whose diary.
#[derive(Serialize, ToSchema)]
struct DiaryPupilDto {
    id: String,
    name: String,
    school_id: String,
    /// The class today (null when none).
    class_id: Option<String>,
    class: Option<String>,
}

impl From<&DiaryChild> for DiaryPupilDto {
    fn from(c: &DiaryChild) -> Self {
        DiaryPupilDto {
            id: c.card.person.id.to_string(),
            name: c.card.person.full_name(),
            school_id: c.card.school.to_string(),
            class_id: c.class.as_ref().map(|g| g.id.to_string()),
            class: c.class.as_ref().map(|g| g.name.clone()),
        }
    }
}

/// A file of a lesson's homework.
#[derive(Serialize, ToSchema)]
struct DiaryFileDto {
    id: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    /// Download with the same credentials: `GET /api/v1/files/{id}`.
    url: String,
}

fn file_dtos(files: &[HomeworkFile]) -> Vec<DiaryFileDto> {
    files
        .iter()
        .map(|f| DiaryFileDto {
            id: f.id.to_string(),
            file_name: f.file_name.clone(),
            content_type: f.content_type.clone(),
            size_bytes: f.size_bytes,
            url: format!("/api/v1/files/{}", f.id),
        })
        .collect()
}

/// A mark as the diary shows it.
#[derive(Serialize, ToSchema)]
struct DiaryMarkDto {
    id: String,
    date: String,
    subject_id: String,
    subject: String,
    /// Absent for a standalone work.
    lesson_id: Option<String>,
    /// As written: `5`, `3/5`, `зач`.
    value: String,
    /// Work type code and the school's name of it.
    work_type: String,
    work_type_name: String,
    /// The weight it counts with.
    weight: u8,
    comment: String,
    debt_until: Option<String>,
}

impl From<&DiaryMark> for DiaryMarkDto {
    fn from(m: &DiaryMark) -> Self {
        DiaryMarkDto {
            id: m.mark.id.to_string(),
            date: m.mark.on.to_string(),
            subject_id: m.mark.subject.to_string(),
            subject: m.subject_name.clone(),
            lesson_id: m.mark.lesson.map(|l| l.to_string()),
            value: m.mark.value.clone(),
            work_type: m.mark.work_type.clone(),
            work_type_name: m.work_name.clone(),
            weight: m.mark.weight,
            comment: m.mark.comment.clone(),
            debt_until: m.mark.debt_until.map(|d| d.to_string()),
        }
    }
}

/// What changed about a lesson.
#[derive(Serialize, ToSchema)]
struct DiaryChangeDto {
    /// The teacher replaced by a substitution.
    original_teacher: Option<String>,
    /// Where a transferred lesson was.
    original_date: Option<String>,
    original_number: Option<u8>,
    reason: Option<String>,
}

/// The pupil's attendance on a lesson.
#[derive(Serialize, ToSchema)]
struct DiaryAttendanceDto {
    /// `ill`, `excused`, `unexcused`, `late`.
    code: String,
    minutes_late: Option<u16>,
}

/// A lesson of the diary.
#[derive(Serialize, ToSchema)]
struct DiaryLessonDto {
    id: String,
    date: String,
    number: u8,
    /// `HH:MM` from the bell schedule of the day (null outside it).
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
    change: DiaryChangeDto,
    topic: String,
    homework: String,
    homework_due_on: Option<String>,
    homework_minutes: Option<u16>,
    homework_files: Vec<DiaryFileDto>,
    marks: Vec<DiaryMarkDto>,
    /// Null when present or not recorded.
    attendance: Option<DiaryAttendanceDto>,
}

impl From<&DiaryLessonView> for DiaryLessonDto {
    fn from(v: &DiaryLessonView) -> Self {
        let l = &v.lesson;
        DiaryLessonDto {
            id: l.id.to_string(),
            date: l.on.to_string(),
            number: l.number,
            starts: v.starts.map(hhmm),
            ends: v.ends.map(hhmm),
            subject_id: l.subject.to_string(),
            subject: l.subject_name.clone(),
            teacher_id: l.teacher.to_string(),
            teacher: l.teacher_name.clone(),
            room: l.room.clone(),
            group_id: l.group.to_string(),
            group: l.group_name.clone(),
            status: l.status.code().to_owned(),
            change: DiaryChangeDto {
                original_teacher: l.original_teacher_name.clone(),
                original_date: l.original_date.map(|d| d.to_string()),
                original_number: l.original_number,
                reason: l.reason.clone(),
            },
            topic: v.record.topic.clone(),
            homework: v.record.homework.clone(),
            homework_due_on: v.record.homework_due_on.map(|d| d.to_string()),
            homework_minutes: v.record.homework_minutes,
            homework_files: file_dtos(&v.files),
            marks: v.marks.iter().map(DiaryMarkDto::from).collect(),
            attendance: v.attendance.as_ref().map(|a| DiaryAttendanceDto {
                code: a.code.code().to_owned(),
                minutes_late: a.minutes_late,
            }),
        }
    }
}

/// A day of the week diary.
#[derive(Serialize, ToSchema)]
struct DiaryDayDto {
    date: String,
    /// The holiday or non-working day covering it, by name.
    day_off: Option<String>,
    lessons: Vec<DiaryLessonDto>,
}

/// A pupil's week.
#[derive(Serialize, ToSchema)]
struct DiaryWeekDto {
    pupil: DiaryPupilDto,
    /// `2026-W48`.
    week: String,
    monday: String,
    /// Links to the neighbouring weeks' `week` values.
    previous_week: String,
    next_week: String,
    days: Vec<DiaryDayDto>,
    /// Marks of the week not given on a lesson.
    other_marks: Vec<DiaryMarkDto>,
}

#[derive(Deserialize, IntoParams)]
struct WeekQuery {
    /// ISO week `YYYY-Www` (default: this week).
    week: Option<String>,
}

/// The week diary of a pupil: each day's lessons with bell times, changes, topic, homework (with
/// files), the pupil's marks and attendance. One fixed set of queries, whatever the week holds.
#[utoipa::path(get, path = "/api/v1/students/{id}/diary", tag = "diary", security(("bearer" = [])),
    params(("id" = String, Path), WeekQuery),
    responses((status = 200, body = DiaryWeekDto),
        (status = 403, body = Problem, description = "a parent's own child without the diary consent (`urn:tabel:problem:consent-required`)"),
        (status = 404, body = Problem), (status = 422, body = Problem, description = "malformed week")))]
async fn week(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
    Query(q): Query<WeekQuery>,
) -> Result<Json<DiaryWeekDto>, ApiError> {
    let monday = match q.week.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        None => monday_of(state.app.today()),
        Some(w) => parse_iso_week(w).ok_or_else(|| {
            ApiError::field(
                "week",
                format!("not a week: {w:?}; use YYYY-Www, e.g. 2026-W48"),
            )
        })?,
    };
    let v = state
        .app
        .diary_week(&who.principal, student, monday)
        .await?;
    Ok(Json(DiaryWeekDto {
        pupil: (&v.child).into(),
        week: iso_week(v.monday),
        monday: v.monday.to_string(),
        previous_week: iso_week(v.monday - time::Duration::days(7)),
        next_week: iso_week(v.monday + time::Duration::days(7)),
        days: v
            .days
            .iter()
            .map(|d| DiaryDayDto {
                date: d.on.to_string(),
                day_off: d.day_off.as_ref().map(|h| h.name.clone()),
                lessons: d.lessons.iter().map(DiaryLessonDto::from).collect(),
            })
            .collect(),
        other_marks: v.other_marks.iter().map(DiaryMarkDto::from).collect(),
    }))
}

/// A reporting period.
#[derive(Serialize, ToSchema)]
struct DiaryPeriodDto {
    id: String,
    /// `quarter`, `trimester`, `half_year`.
    kind: String,
    number: u8,
    starts_on: String,
    ends_on: String,
    closed: bool,
}

impl From<&Period> for DiaryPeriodDto {
    fn from(p: &Period) -> Self {
        DiaryPeriodDto {
            id: p.id.to_string(),
            kind: p.kind.code().to_owned(),
            number: p.number,
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            closed: p.locked_at.is_some(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
struct PeriodQuery {
    /// A reporting period's id (default: the current period).
    period: Option<String>,
}

fn period_param(raw: Option<&str>) -> Result<Option<PeriodId>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::field("period", "no such period for this pupil")),
    }
}

/// A subject's marks in a period.
#[derive(Serialize, ToSchema)]
struct DiarySubjectDto {
    subject_id: String,
    subject: String,
    /// Weighted average Σ(mark·weight)/Σweight in hundredths' precision, `4.43`, or `—`.
    average: String,
    /// Marks counted in it (a double mark counts twice, зач./незач. not at all).
    marks_counted: u32,
    marks: Vec<DiaryMarkDto>,
    /// Lessons of the period up to today (not cancelled).
    lessons: u32,
    /// Lessons missed.
    absences: u32,
    lates: u32,
}

/// Attendance over a period.
#[derive(Serialize, ToSchema)]
struct DiaryAttendanceSummaryDto {
    ill: u32,
    excused: u32,
    unexcused: u32,
    late: u32,
    missed: u32,
    /// Lessons of the period up to today (not cancelled).
    lessons: u32,
}

/// Marks by subject for a period.
#[derive(Serialize, ToSchema)]
struct DiaryMarksDto {
    pupil: DiaryPupilDto,
    period: DiaryPeriodDto,
    periods: Vec<DiaryPeriodDto>,
    subjects: Vec<DiarySubjectDto>,
    attendance: DiaryAttendanceSummaryDto,
}

/// Marks by subject for a period: every mark with date, work type and weight, the weighted
/// average (the teacher's grid's own function), lessons, absences; attendance by reason.
#[utoipa::path(get, path = "/api/v1/students/{id}/marks", tag = "diary", security(("bearer" = [])),
    params(("id" = String, Path), PeriodQuery),
    responses((status = 200, body = DiaryMarksDto),
        (status = 403, body = Problem, description = "consent required"), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "no such period")))]
async fn marks(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<DiaryMarksDto>, ApiError> {
    let period = period_param(q.period.as_deref())?;
    let v = state
        .app
        .diary_marks(&who.principal, student, period)
        .await?;
    let a = v.attendance;
    Ok(Json(DiaryMarksDto {
        pupil: (&v.child).into(),
        period: (&v.period).into(),
        periods: v.periods.iter().map(DiaryPeriodDto::from).collect(),
        subjects: v
            .subjects
            .iter()
            .map(|s| DiarySubjectDto {
                subject_id: s.subject.to_string(),
                subject: s.name.clone(),
                average: s.average.display(),
                marks_counted: s.average.count,
                marks: s.marks.iter().map(DiaryMarkDto::from).collect(),
                lessons: s.lessons,
                absences: s.absences,
                lates: s.lates,
            })
            .collect(),
        attendance: DiaryAttendanceSummaryDto {
            ill: a.ill,
            excused: a.excused,
            unexcused: a.unexcused,
            late: a.late,
            missed: a.missed(),
            lessons: a.lessons,
        },
    }))
}

/// A control work (assessment procedure).
#[derive(Serialize, ToSchema)]
struct DiaryAssessmentDto {
    id: String,
    date: String,
    number: u8,
    subject_id: String,
    subject: String,
    title: String,
    /// `school`, `regional`, `federal`.
    level: String,
    minutes: u16,
}

fn assessment_dto(a: &Assessment) -> DiaryAssessmentDto {
    DiaryAssessmentDto {
        id: a.id.to_string(),
        date: a.on.to_string(),
        number: a.number,
        subject_id: a.subject.to_string(),
        subject: a.subject_name.clone(),
        title: a.title.clone(),
        level: a.level.code().to_owned(),
        minutes: a.minutes,
    }
}

/// The control works of a period.
#[derive(Serialize, ToSchema)]
struct DiaryAssessmentsDto {
    pupil: DiaryPupilDto,
    period: DiaryPeriodDto,
    periods: Vec<DiaryPeriodDto>,
    assessments: Vec<DiaryAssessmentDto>,
}

/// The schedule of control works of the pupil's class for a period (default: the current one).
#[utoipa::path(get, path = "/api/v1/students/{id}/assessments", tag = "diary", security(("bearer" = [])),
    params(("id" = String, Path), PeriodQuery),
    responses((status = 200, body = DiaryAssessmentsDto),
        (status = 403, body = Problem, description = "consent required"), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "no such period")))]
async fn assessments(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<DiaryAssessmentsDto>, ApiError> {
    let period = period_param(q.period.as_deref())?;
    let v = state
        .app
        .diary_assessments(&who.principal, student, period)
        .await?;
    Ok(Json(DiaryAssessmentsDto {
        pupil: (&v.child).into(),
        period: (&v.period).into(),
        periods: v.periods.iter().map(DiaryPeriodDto::from).collect(),
        assessments: v.assessments.iter().map(assessment_dto).collect(),
    }))
}

/// A teacher of the pupil for a subject in a group.
#[derive(Serialize, ToSchema)]
struct DiaryTeacherDto {
    teacher_id: String,
    name: String,
    subject: String,
    group_id: String,
    group: String,
    /// `class`, `subgroup`, `stream`, `individual` (ИУП).
    group_kind: String,
}

/// Who teaches the pupil.
#[derive(Serialize, ToSchema)]
struct DiaryTeachersDto {
    pupil: DiaryPupilDto,
    /// The class teacher's short name.
    class_teacher: Option<String>,
    teachers: Vec<DiaryTeacherDto>,
}

/// The pupil's teachers: the class teacher and the teachers of the class, subgroups, streams and
/// individual curriculum the pupil is in (teaching assignments and the timetable).
#[utoipa::path(get, path = "/api/v1/students/{id}/teachers", tag = "diary", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DiaryTeachersDto),
        (status = 403, body = Problem, description = "consent required"), (status = 404, body = Problem)))]
async fn teachers(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<DiaryTeachersDto>, ApiError> {
    let v = state.app.diary_teachers(&who.principal, student).await?;
    Ok(Json(DiaryTeachersDto {
        pupil: (&v.child).into(),
        class_teacher: v.class_teacher.clone(),
        teachers: v
            .teachers
            .iter()
            .map(|x| DiaryTeacherDto {
                teacher_id: x.teacher.to_string(),
                name: x.name.clone(),
                subject: x.subject.clone(),
                group_id: x.group.to_string(),
                group: x.group_name.clone(),
                group_kind: x.group_kind.clone(),
            })
            .collect(),
    }))
}

/// Homework as set on a lesson.
#[derive(Serialize, ToSchema)]
struct DiaryHomeworkDto {
    lesson_id: String,
    /// The lesson it was set on.
    assigned_on: String,
    /// The due date (the lesson's date when none was given).
    due_on: String,
    subject_id: String,
    subject: String,
    teacher: String,
    text: String,
    minutes: Option<u16>,
    files: Vec<DiaryFileDto>,
}

fn homework_dto(h: &HomeworkItem) -> DiaryHomeworkDto {
    DiaryHomeworkDto {
        lesson_id: h.lesson.id.to_string(),
        assigned_on: h.lesson.on.to_string(),
        due_on: h.due.to_string(),
        subject_id: h.lesson.subject.to_string(),
        subject: h.lesson.subject_name.clone(),
        teacher: h.lesson.teacher_name.clone(),
        text: h.record.homework.clone(),
        minutes: h.record.homework_minutes,
        files: file_dtos(&h.files),
    }
}

/// Homework of a range.
#[derive(Serialize, ToSchema)]
struct DiaryHomeworkListDto {
    pupil: DiaryPupilDto,
    from: String,
    to: String,
    homework: Vec<DiaryHomeworkDto>,
}

#[derive(Deserialize, IntoParams)]
struct RangeQuery {
    /// First due date, `YYYY-MM-DD` (default: today).
    from: Option<String>,
    /// Last due date (default: two weeks from `from`); at most 62 days after `from`.
    to: Option<String>,
}

/// The pupil's homework by due date, with files.
#[utoipa::path(get, path = "/api/v1/students/{id}/homework", tag = "diary", security(("bearer" = [])),
    params(("id" = String, Path), RangeQuery),
    responses((status = 200, body = DiaryHomeworkListDto),
        (status = 403, body = Problem, description = "consent required"), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "malformed or too long a range")))]
async fn homework(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
    Query(q): Query<RangeQuery>,
) -> Result<Json<DiaryHomeworkListDto>, ApiError> {
    let (from, to) = crate::diary::sections::homework_range(
        state.app.today(),
        q.from.as_deref(),
        q.to.as_deref(),
    )?;
    let v = state
        .app
        .diary_homework(&who.principal, student, (from, to))
        .await?;
    Ok(Json(DiaryHomeworkListDto {
        pupil: (&v.child).into(),
        from: v.from.to_string(),
        to: v.to.to_string(),
        homework: v.items.iter().map(homework_dto).collect(),
    }))
}

/// A day off.
#[derive(Serialize, ToSchema)]
struct DiaryDayOffDto {
    /// `holiday`, `non_working` or `working_day`.
    kind: String,
    name: String,
    starts_on: String,
    ends_on: String,
}

/// A bell slot.
#[derive(Serialize, ToSchema)]
struct DiaryBellDto {
    number: u8,
    /// `HH:MM`.
    starts: String,
    ends: String,
}

/// The calendar of the pupil's class.
#[derive(Serialize, ToSchema)]
struct DiaryCalendarDto {
    pupil: DiaryPupilDto,
    /// `2026/2027` (null without a class this year, as are the lists' contents).
    year: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    week_days: Option<u8>,
    periods: Vec<DiaryPeriodDto>,
    days_off: Vec<DiaryDayOffDto>,
    bells: Vec<DiaryBellDto>,
}

/// The calendar of the pupil's class: reporting periods, holidays, week length, bells.
#[utoipa::path(get, path = "/api/v1/students/{id}/calendar", tag = "diary", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DiaryCalendarDto),
        (status = 403, body = Problem, description = "consent required"), (status = 404, body = Problem)))]
async fn calendar(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(student): Path<PersonId>,
) -> Result<Json<DiaryCalendarDto>, ApiError> {
    let v = state.app.diary_calendar(&who.principal, student).await?;
    let pupil = (&v.child).into();
    let Some(c) = v.calendar else {
        return Ok(Json(DiaryCalendarDto {
            pupil,
            year: None,
            starts_on: None,
            ends_on: None,
            week_days: None,
            periods: Vec::new(),
            days_off: Vec::new(),
            bells: Vec::new(),
        }));
    };
    let date = |d: Date| d.to_string();
    Ok(Json(DiaryCalendarDto {
        pupil,
        year: Some(c.year.label.clone()),
        starts_on: Some(date(c.year.starts_on)),
        ends_on: Some(date(c.year.ends_on)),
        week_days: Some(c.week_days),
        periods: c.periods.iter().map(DiaryPeriodDto::from).collect(),
        days_off: c
            .days_off
            .iter()
            .map(|h| DiaryDayOffDto {
                kind: h.kind.code().to_owned(),
                name: h.name.clone(),
                starts_on: date(h.starts_on),
                ends_on: date(h.ends_on),
            })
            .collect(),
        bells: c
            .bells
            .iter()
            .map(|b| DiaryBellDto {
                number: b.number,
                starts: hhmm(b.starts),
                ends: hhmm(b.ends),
            })
            .collect(),
    }))
}
