//! Statistics over the JSON API (tag `stats`): results, curriculum compliance, lesson types and
//! attendance of a school, parallel, class, subject or teacher for a reporting period or the
//! year — each as JSON, or as an XLSX workbook of its tables (`Accept:
//! application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` or `&format=xlsx`).
//! Percentages and averages are numbers with two decimals (`83.33`), `null` when nobody counts.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::ApiUser;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::stats::{
    AbsenceLine, AttendanceReport, ControlResults, CurriculumLine, CurriculumReport,
    DEFAULT_ABSENCE_THRESHOLD, Frame, LessonTypesReport, MarkDistribution, PeriodChoice,
    ResultLine, ResultsReport, Scope, StatsQuery, Table, TypeLine,
};
use tabel_domain::access::Principal;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The XLSX media type.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(results))
        .routes(routes!(curriculum))
        .routes(routes!(lesson_types))
        .routes(routes!(attendance))
}

/// What the statistics are of and for when. Scope parameters narrow one another (a class and a
/// subject: that class's subject).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub(crate) struct StatsParams {
    /// The school (default: the user's first school).
    #[serde(default, alias = "school_id")]
    pub school: Option<String>,
    /// A class: its pupils, in its own, its subgroups' and its streams' journals.
    #[serde(default)]
    pub class: Option<String>,
    /// A parallel (1–11).
    #[serde(default)]
    pub grade: Option<String>,
    /// A subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// A teacher (a person id): their journals.
    #[serde(default)]
    pub teacher: Option<String>,
    /// A reporting period's id, or `year`; default the current period.
    #[serde(default)]
    pub period: Option<String>,
    /// Attendance: list pupils who missed more than this percent of their lessons (default 30).
    #[serde(default)]
    pub threshold: Option<String>,
    /// `json` (default) or `xlsx`.
    #[serde(default)]
    pub format: Option<String>,
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parsed<T: std::str::FromStr>(
    field: &str,
    raw: &Option<String>,
    what: &str,
) -> Result<Option<T>, AppError> {
    given(raw)
        .map(|s| {
            s.parse()
                .map_err(|_| AppError::invalid(field, format!("«{s}» is not {what}")))
        })
        .transpose()
}

impl StatsParams {
    /// Whether any of class, grade, subject or teacher is given.
    pub(crate) fn narrowed(&self) -> bool {
        [&self.class, &self.grade, &self.subject, &self.teacher]
            .iter()
            .any(|v| given(v).is_some())
    }

    /// The query these parameters ask for (ids are checked against the school by the use case).
    pub(crate) fn query(&self, state: &AppState, p: &Principal) -> Result<StatsQuery, AppError> {
        let school = match parsed("school", &self.school, "a school id")? {
            Some(s) => s,
            None => state.app.home_school(p).ok_or(AppError::NotFound)?,
        };
        let grade: Option<u8> = parsed("grade", &self.grade, "a grade (1–11)")?;
        if grade.is_some_and(|g| !(1..=11).contains(&g)) {
            return Err(AppError::invalid("grade", "a grade is 1–11"));
        }
        let threshold: Option<u8> = parsed("threshold", &self.threshold, "a percentage (0–100)")?;
        if threshold.is_some_and(|t| t > 100) {
            return Err(AppError::invalid("threshold", "a percentage is 0–100"));
        }
        Ok(StatsQuery {
            scope: Scope {
                school,
                class: parsed("class", &self.class, "a class id")?,
                grade,
                subject: parsed("subject", &self.subject, "a subject id")?,
                teacher: parsed("teacher", &self.teacher, "a person id")?,
            },
            period: PeriodChoice::parse(given(&self.period))?,
            absence_threshold: threshold.unwrap_or(DEFAULT_ABSENCE_THRESHOLD),
        })
    }

    /// Whether the caller asked for a workbook.
    pub(crate) fn wants_xlsx(&self, headers: &HeaderMap) -> Result<bool, AppError> {
        match given(&self.format) {
            Some("xlsx") => return Ok(true),
            Some("json") | None => {}
            Some(other) => {
                return Err(AppError::invalid(
                    "format",
                    format!("«{other}»: json or xlsx"),
                ));
            }
        }
        Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(XLSX)))
    }
}

/// A workbook of tables as a download.
pub(crate) fn xlsx_response(tables: &[Table], name: &str) -> Result<Response, AppError> {
    let bytes = tabel_app::documents::sheets::workbook(
        &tables
            .iter()
            .cloned()
            .map(tabel_app::documents::sheets::Sheet::from)
            .collect::<Vec<_>>(),
    )?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}.xlsx\""))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(XLSX)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Hundredths as a number with two decimals.
fn num(v: Option<u32>) -> Option<f64> {
    v.map(|h| f64::from(h) / 100.0)
}

/// What a report covers.
#[derive(Serialize, ToSchema)]
struct FrameDto {
    school_id: String,
    school_name: String,
    /// "2026/2027".
    year: String,
    /// Absent for the year.
    period_id: Option<String>,
    /// `quarter`, `trimester`, `half_year`; absent for the year.
    period_kind: Option<String>,
    period_number: Option<u8>,
    /// First day, YYYY-MM-DD.
    from: String,
    /// Last day.
    to: String,
    /// The last day counted as "to date" (today, or `to` when the period is over; before `from`
    /// when it has not begun).
    as_of: String,
    /// The final marks' slot read: `p<period id>` or `year`.
    slot: String,
    class_id: Option<String>,
    class_name: Option<String>,
    grade: Option<u8>,
    subject_id: Option<String>,
    subject_name: Option<String>,
    teacher_id: Option<String>,
    teacher_name: Option<String>,
}

impl From<&Frame> for FrameDto {
    fn from(f: &Frame) -> Self {
        FrameDto {
            school_id: f.scope.school.to_string(),
            school_name: f.school_name.clone(),
            year: f.year_label.clone(),
            period_id: f.period.map(|p| p.to_string()),
            period_kind: f.period_kind.map(|k| k.code().to_owned()),
            period_number: f.period_number,
            from: f.from.to_string(),
            to: f.to.to_string(),
            as_of: f.cut.to_string(),
            slot: f.slot.clone(),
            class_id: f.scope.class.map(|c| c.to_string()),
            class_name: f.class_name.clone(),
            grade: f.scope.grade,
            subject_id: f.scope.subject.map(|s| s.to_string()),
            subject_name: f.subject_name.clone(),
            teacher_id: f.scope.teacher.map(|t| t.to_string()),
            teacher_name: f.teacher_name.clone(),
        }
    }
}

/// Results of a class, a subject or all together (`id` absent).
#[derive(Serialize, ToSchema)]
struct ResultLineDto {
    id: Option<String>,
    name: String,
    /// Pupils counted: all − exempt − without marks − left before the end (н/а stays).
    n: u32,
    n5: u32,
    n4: u32,
    n3: u32,
    n2: u32,
    /// н/а.
    na: u32,
    /// зач.
    pass: u32,
    /// незач.
    fail: u32,
    /// осв. (outside N).
    exempt: u32,
    /// Without any mark (outside N).
    without_marks: u32,
    /// Left before the period's end (outside N).
    left: u32,
    /// Of N, counted by their final mark.
    from_final_marks: u32,
    /// Of N, counted by the journal's weighted average (no final mark yet).
    from_journal: u32,
    /// % успеваемости.
    progress: Option<f64>,
    /// % качества.
    quality: Option<f64>,
    /// СОУ, percent.
    sou: Option<f64>,
    /// Average mark.
    average: Option<f64>,
}

impl From<&ResultLine> for ResultLineDto {
    fn from(l: &ResultLine) -> Self {
        let c = &l.counts;
        ResultLineDto {
            id: (!l.key.is_empty()).then(|| l.key.clone()),
            name: l.label.clone(),
            n: l.n(),
            n5: c.n5,
            n4: c.n4,
            n3: c.n3,
            n2: c.n2,
            na: c.na,
            pass: c.pass,
            fail: c.fail,
            exempt: l.exempt,
            without_marks: l.without_marks,
            left: l.left,
            from_final_marks: l.from_finals,
            from_journal: l.from_journal,
            progress: num(l.progress()),
            quality: num(l.quality()),
            sou: num(l.sou()),
            average: num(l.average()),
        }
    }
}

/// Current marks of a subject (or all, `id` absent) by value; a double mark counts as two.
#[derive(Serialize, ToSchema)]
struct MarksDto {
    id: Option<String>,
    name: String,
    five: u32,
    four: u32,
    three: u32,
    two: u32,
    one: u32,
    pass: u32,
    fail: u32,
    total: u32,
}

impl From<&MarkDistribution> for MarksDto {
    fn from(d: &MarkDistribution) -> Self {
        let [five, four, three, two, one] = d.points;
        MarksDto {
            id: (!d.key.is_empty()).then(|| d.key.clone()),
            name: d.label.clone(),
            five,
            four,
            three,
            two,
            one,
            pass: d.pass,
            fail: d.fail,
            total: d.total(),
        }
    }
}

/// Results: final marks of the slot (or, without one, the journal's average) by class and by
/// subject, and the current marks.
#[derive(Serialize, ToSchema)]
struct ResultsDto {
    frame: FrameDto,
    by_class: Vec<ResultLineDto>,
    by_subject: Vec<ResultLineDto>,
    total: ResultLineDto,
    current_marks: Vec<MarksDto>,
    current_marks_total: MarksDto,
}

impl From<&ResultsReport> for ResultsDto {
    fn from(r: &ResultsReport) -> Self {
        ResultsDto {
            frame: (&r.frame).into(),
            by_class: r.by_class.iter().map(Into::into).collect(),
            by_subject: r.by_subject.iter().map(Into::into).collect(),
            total: (&r.total).into(),
            current_marks: r.marks.iter().map(Into::into).collect(),
            current_marks_total: (&r.marks_total).into(),
        }
    }
}

/// Why a journal lags behind the curriculum (lessons up to `as_of`).
#[derive(Serialize, ToSchema)]
struct LagReasonsDto {
    /// Cancelled for the teacher's absence (illness, courses…).
    cancelled_teacher_absent: u32,
    /// Cancelled for other reasons (quarantine…).
    cancelled_other: u32,
    /// Lost to public holidays on timetable days, net of worked days.
    holidays: i64,
    /// Recorded by the teacher as not held.
    not_held: u32,
    /// Moved from these dates to a later one.
    moved: u32,
    /// The rest: the timetable gives fewer (positive) or more (negative) lessons than the
    /// curriculum; absent without a plan.
    other: Option<i64>,
}

/// Curriculum compliance of a journal (or all, ids absent).
#[derive(Serialize, ToSchema)]
struct CurriculumLineDto {
    group_id: Option<String>,
    group_name: String,
    subject_id: Option<String>,
    subject_name: String,
    teachers: String,
    /// Hours a year by the curriculum (absent without a curriculum line).
    planned_year: Option<u32>,
    /// Of them, the period's (pro-rated by study days).
    planned_period: Option<u32>,
    /// Of them, up to `as_of`.
    planned_to_date: Option<u32>,
    /// Lessons of the period in the timetable, not cancelled.
    scheduled: u32,
    /// Held up to `as_of` (substitutions included).
    held: u32,
    /// Of them, substitutions.
    substituted: u32,
    /// held / planned_to_date, percent.
    done: Option<f64>,
    /// planned_to_date − held.
    lag: Option<i64>,
    reasons: LagReasonsDto,
}

impl From<&CurriculumLine> for CurriculumLineDto {
    fn from(l: &CurriculumLine) -> Self {
        CurriculumLineDto {
            group_id: l.group.map(|g| g.to_string()),
            group_name: l.group_name.clone(),
            subject_id: l.subject.map(|s| s.to_string()),
            subject_name: l.subject_name.clone(),
            teachers: l.teachers.clone(),
            planned_year: l.planned_year,
            planned_period: l.planned_period,
            planned_to_date: l.planned_to_date,
            scheduled: l.scheduled,
            held: l.held,
            substituted: l.substituted,
            done: num(l.done()),
            lag: l.lag,
            reasons: LagReasonsDto {
                cancelled_teacher_absent: l.cancelled_teacher,
                cancelled_other: l.cancelled_other,
                holidays: l.holidays,
                not_held: l.not_held,
                moved: l.moved_out,
                other: l.other,
            },
        }
    }
}

/// Planned to date against held, by subject.
#[derive(Serialize, ToSchema)]
struct SubjectComplianceDto {
    subject_id: String,
    subject_name: String,
    planned_to_date: u32,
    held: u32,
}

/// Curriculum compliance: hours planned against lessons held, and why they differ.
#[derive(Serialize, ToSchema)]
#[schema(as = StatsCurriculumDto)]
struct CurriculumDto {
    frame: FrameDto,
    journals: Vec<CurriculumLineDto>,
    total: CurriculumLineDto,
    by_subject: Vec<SubjectComplianceDto>,
}

impl From<&CurriculumReport> for CurriculumDto {
    fn from(r: &CurriculumReport) -> Self {
        CurriculumDto {
            frame: (&r.frame).into(),
            journals: r.lines.iter().map(Into::into).collect(),
            total: (&r.total).into(),
            by_subject: r
                .by_subject
                .iter()
                .map(|s| SubjectComplianceDto {
                    subject_id: s.subject.to_string(),
                    subject_name: s.subject_name.clone(),
                    planned_to_date: s.planned_to_date,
                    held: s.held,
                })
                .collect(),
        }
    }
}

/// A lesson type of a journal (or all journals, ids absent): planned in the thematic plan
/// against held.
#[derive(Serialize, ToSchema)]
struct TypeLineDto {
    group_id: Option<String>,
    group_name: String,
    subject_id: Option<String>,
    subject_name: String,
    /// The policy's code (`control`, `practical`, `laboratory`, `test`…).
    lesson_type: String,
    type_name: String,
    /// Hours of the type in the plan.
    planned_year: u32,
    /// Of them, on the period's lessons.
    planned_period: u32,
    /// Of them, on the period's lessons up to `as_of`.
    planned_to_date: u32,
    /// Held up to `as_of` with the type recorded.
    held: u32,
}

impl From<&TypeLine> for TypeLineDto {
    fn from(l: &TypeLine) -> Self {
        TypeLineDto {
            group_id: l.group.map(|g| g.to_string()),
            group_name: l.group_name.clone(),
            subject_id: l.subject.map(|s| s.to_string()),
            subject_name: l.subject_name.clone(),
            lesson_type: l.lesson_type.clone(),
            type_name: l.type_name.clone(),
            planned_year: l.planned_year,
            planned_period: l.planned_period,
            planned_to_date: l.planned_to_date,
            held: l.held,
        }
    }
}

/// Marks of the control works of a journal (or all, ids absent).
#[derive(Serialize, ToSchema)]
struct ControlDto {
    group_id: Option<String>,
    group_name: String,
    subject_id: Option<String>,
    subject_name: String,
    marks: u32,
    n5: u32,
    n4: u32,
    n3: u32,
    n2: u32,
    progress: Option<f64>,
    quality: Option<f64>,
    average: Option<f64>,
}

impl From<&ControlResults> for ControlDto {
    fn from(c: &ControlResults) -> Self {
        let k = &c.counts;
        ControlDto {
            group_id: c.group.map(|g| g.to_string()),
            group_name: c.group_name.clone(),
            subject_id: c.subject.map(|s| s.to_string()),
            subject_name: c.subject_name.clone(),
            marks: k.n(),
            n5: k.n5,
            n4: k.n4,
            n3: k.n3,
            n2: k.n2,
            progress: num(k.progress()),
            quality: num(k.quality()),
            average: num(k.average()),
        }
    }
}

/// Lesson types: control, practical, laboratory (and other) works planned against held, and
/// the control works' marks.
#[derive(Serialize, ToSchema)]
struct LessonTypesDto {
    frame: FrameDto,
    journals: Vec<TypeLineDto>,
    totals: Vec<TypeLineDto>,
    control_works: Vec<ControlDto>,
    control_works_total: ControlDto,
}

impl From<&LessonTypesReport> for LessonTypesDto {
    fn from(r: &LessonTypesReport) -> Self {
        LessonTypesDto {
            frame: (&r.frame).into(),
            journals: r.lines.iter().map(Into::into).collect(),
            totals: r.totals.iter().map(Into::into).collect(),
            control_works: r.control.iter().map(Into::into).collect(),
            control_works_total: (&r.control_total).into(),
        }
    }
}

/// Missed lessons of a class, a subject or all (`id` absent) by reason, up to `as_of`.
#[derive(Serialize, ToSchema)]
struct AbsenceDto {
    id: Option<String>,
    name: String,
    pupils: u32,
    /// Pupil-lessons held.
    lessons: u32,
    /// ill + excused + unexcused + late_over_half.
    missed: u32,
    ill: u32,
    excused: u32,
    unexcused: u32,
    late: u32,
    /// Late by more than half the lesson: a missed lesson.
    late_over_half: u32,
    /// missed / lessons, percent.
    missed_share: Option<f64>,
}

impl From<&AbsenceLine> for AbsenceDto {
    fn from(l: &AbsenceLine) -> Self {
        AbsenceDto {
            id: (!l.key.is_empty()).then(|| l.key.clone()),
            name: l.label.clone(),
            pupils: l.pupils,
            lessons: l.lessons,
            missed: l.missed(),
            ill: l.ill,
            excused: l.excused,
            unexcused: l.unexcused,
            late: l.late,
            late_over_half: l.late_missed,
            missed_share: num(l.share()),
        }
    }
}

/// A pupil over the threshold.
#[derive(Serialize, ToSchema)]
#[schema(as = StatsPupilDto)]
struct PupilDto {
    student_id: String,
    name: String,
    class_name: String,
    lessons: u32,
    missed: u32,
    ill: u32,
    excused: u32,
    unexcused: u32,
    late_over_half: u32,
    missed_share: Option<f64>,
    /// Subjects of which more than half the lessons were missed (н/а may follow).
    over_half: Vec<String>,
}

/// Attendance: missed lessons by reason, and the pupils over the threshold.
#[derive(Serialize, ToSchema)]
#[schema(as = StatsAttendanceDto)]
struct AttendanceDto {
    frame: FrameDto,
    /// Percent.
    threshold: u8,
    by_class: Vec<AbsenceDto>,
    by_subject: Vec<AbsenceDto>,
    total: AbsenceDto,
    pupils_over_threshold: Vec<PupilDto>,
}

impl From<&AttendanceReport> for AttendanceDto {
    fn from(r: &AttendanceReport) -> Self {
        AttendanceDto {
            frame: (&r.frame).into(),
            threshold: r.threshold,
            by_class: r.by_class.iter().map(Into::into).collect(),
            by_subject: r.by_subject.iter().map(Into::into).collect(),
            total: (&r.total).into(),
            pupils_over_threshold: r
                .pupils
                .iter()
                .map(|p| PupilDto {
                    student_id: p.student.to_string(),
                    name: p.name.clone(),
                    class_name: p.class_name.clone(),
                    lessons: p.line.lessons,
                    missed: p.line.missed(),
                    ill: p.line.ill,
                    excused: p.line.excused,
                    unexcused: p.line.unexcused,
                    late_over_half: p.line.late_missed,
                    missed_share: num(p.line.share()),
                    over_half: p.over_half.clone(),
                })
                .collect(),
        }
    }
}

/// Answers JSON or the workbook.
fn answer<D: Serialize>(
    xlsx: bool,
    tables: impl FnOnce() -> Vec<Table>,
    name: &str,
    dto: impl FnOnce() -> D,
) -> Result<Response, ApiError> {
    if xlsx {
        Ok(xlsx_response(&tables(), name)?)
    } else {
        Ok(Json(dto()).into_response())
    }
}

/// Results: % успеваемости, % качества, СОУ and the average mark by class and by subject, from
/// the final marks of the slot (or the journal's weighted average where none is set yet), and
/// the distribution of the current marks. Administrators and deputy heads: any scope of their
/// school; a class teacher: `class` = their class; a teacher: `teacher` = themself.
#[utoipa::path(get, path = "/api/v1/stats/results", tag = "stats", security(("bearer" = [])), params(StatsParams),
    responses((status = 200, description = "JSON, or XLSX with Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or format=xlsx",
        content((ResultsDto = "application/json"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn results(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    headers: HeaderMap,
    Query(q): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let p = &who.principal;
    let query = q.query(&state, p)?;
    let xlsx = q.wants_xlsx(&headers)?;
    let r = state.app.stats_results(p, &query).await?;
    answer(xlsx, || r.tables(), "results", || ResultsDto::from(&r))
}

/// Curriculum compliance by journal: hours planned by the curriculum (a year, the period, to
/// date) against lessons held (substitutions included), the lag and its reasons. Same access
/// as the results.
#[utoipa::path(get, path = "/api/v1/stats/curriculum", tag = "stats", security(("bearer" = [])), params(StatsParams),
    responses((status = 200, description = "JSON, or XLSX with Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or format=xlsx",
        content((CurriculumDto = "application/json"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn curriculum(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    headers: HeaderMap,
    Query(q): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let p = &who.principal;
    let query = q.query(&state, p)?;
    let xlsx = q.wants_xlsx(&headers)?;
    let r = state.app.stats_curriculum(p, &query).await?;
    answer(
        xlsx,
        || r.tables(),
        "curriculum",
        || CurriculumDto::from(&r),
    )
}

/// Lesson types by journal: control, practical and laboratory works (and the school's other
/// lesson types) planned in the thematic plan against held, and the control works' marks.
/// Same access as the results.
#[utoipa::path(get, path = "/api/v1/stats/lesson-types", tag = "stats", security(("bearer" = [])), params(StatsParams),
    responses((status = 200, description = "JSON, or XLSX with Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or format=xlsx",
        content((LessonTypesDto = "application/json"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn lesson_types(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    headers: HeaderMap,
    Query(q): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let p = &who.principal;
    let query = q.query(&state, p)?;
    let xlsx = q.wants_xlsx(&headers)?;
    let r = state.app.stats_lesson_types(p, &query).await?;
    answer(
        xlsx,
        || r.tables(),
        "lesson-types",
        || LessonTypesDto::from(&r),
    )
}

/// Attendance: missed lessons by reason (ill, excused, unexcused, late over half a lesson) by
/// class and by subject, and the pupils over the threshold. Same access as the results.
#[utoipa::path(get, path = "/api/v1/stats/attendance", tag = "stats", security(("bearer" = [])), params(StatsParams),
    responses((status = 200, description = "JSON, or XLSX with Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or format=xlsx",
        content((AttendanceDto = "application/json"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn attendance(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    headers: HeaderMap,
    Query(q): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let p = &who.principal;
    let query = q.query(&state, p)?;
    let xlsx = q.wants_xlsx(&headers)?;
    let r = state.app.stats_attendance(p, &query).await?;
    answer(
        xlsx,
        || r.tables(),
        "attendance",
        || AttendanceDto::from(&r),
    )
}
