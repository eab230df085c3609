//! The statistics pages (`/stats?…`): a scope picker (period, class or parallel, subject,
//! teacher), the four views — results, curriculum compliance, lesson types, attendance — as
//! tables with server-rendered SVG bar charts (no JavaScript, no external assets), and each
//! view's tables as an XLSX download (`&format=xlsx`).

use crate::AppState;
use crate::error::{PageError, render};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::href;
use crate::stats_api::{StatsParams, xlsx_response};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::stats::{
    AbsenceLine, AttendanceReport, CurriculumReport, Frame, LessonTypesReport, ResultLine,
    ResultsReport, StatsOptions, StatsQuery,
};
use tabel_domain::finals::hundredths_text;
use tabel_domain::{GroupId, PersonId, SchoolId, SubjectId};
use tabel_present::date;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/stats", get(page))
}

/// Which table of statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Results,
    Curriculum,
    LessonTypes,
    Attendance,
}

impl View {
    const ALL: [View; 4] = [
        View::Results,
        View::Curriculum,
        View::LessonTypes,
        View::Attendance,
    ];

    fn code(self) -> &'static str {
        match self {
            View::Results => "results",
            View::Curriculum => "curriculum",
            View::LessonTypes => "lesson-types",
            View::Attendance => "attendance",
        }
    }

    fn parse(raw: Option<&str>) -> Result<View, AppError> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(View::Results),
            Some(s) => View::ALL
                .into_iter()
                .find(|v| v.code() == s)
                .ok_or_else(|| {
                    AppError::invalid("view", "results, curriculum, lesson-types or attendance")
                }),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct ViewParam {
    #[serde(default)]
    view: Option<String>,
}

/// An option of a picker.
pub struct Opt {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

/// A tab.
pub struct Tab {
    /// Link.
    pub href: String,
    /// Label.
    pub label: String,
    /// The view shown.
    pub current: bool,
}

/// A table cell: text and a style (`num` right-aligned, `bad` highlighted).
pub struct Cell {
    /// Text.
    pub text: String,
    /// CSS classes.
    pub class: &'static str,
}

/// A table as shown.
pub struct TableView {
    /// Element id.
    pub id: &'static str,
    /// Caption.
    pub caption: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
    /// The total row, if any.
    pub total: Option<Vec<Cell>>,
}

/// A chart: its element id and what `stats/_chart.svg` draws.
pub struct Chart {
    /// Element id.
    pub id: &'static str,
    /// The bars.
    pub bars: Bars,
}

#[derive(Template)]
#[template(path = "stats/index.html")]
struct StatsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school: String,
    view: &'static str,
    about: String,
    as_of: String,
    periods: Vec<Opt>,
    classes: Vec<Opt>,
    grades: Vec<Opt>,
    subjects: Vec<Opt>,
    teachers: Vec<Opt>,
    threshold: String,
    whole_school: bool,
    tabs: Vec<Tab>,
    export: String,
    charts: Vec<Chart>,
    tables: Vec<TableView>,
    notes: Vec<String>,
}

/// `/stats?school=…&period=…` of a query, for links; `format` for a download.
fn query_string(q: &StatsQuery, view: View, format: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Link<'a> {
        school: SchoolId,
        class: Option<GroupId>,
        grade: Option<u8>,
        subject: Option<SubjectId>,
        teacher: Option<PersonId>,
        period: Option<String>,
        threshold: u8,
        view: &'a str,
        format: Option<&'a str>,
    }
    let s = &q.scope;
    href(
        "/stats",
        &Link {
            school: s.school,
            class: s.class,
            grade: s.grade,
            subject: s.subject,
            teacher: s.teacher,
            period: match q.period {
                tabel_app::stats::PeriodChoice::Current => None,
                tabel_app::stats::PeriodChoice::Year => Some("year".into()),
                tabel_app::stats::PeriodChoice::Period(p) => Some(p.to_string()),
            },
            threshold: q.absence_threshold,
            view: view.code(),
            format,
        },
    )
}

async fn page(
    State(state): State<AppState>,
    user: PageUser,
    Query(params): Query<StatsParams>,
    Query(view): Query<ViewParam>,
) -> Result<Response, PageError> {
    let p = &user.who.principal;
    let view = View::parse(view.view.as_deref())?;
    let mut query = params.query(&state, p)?;
    let options = state.app.stats_options(p, query.scope.school).await?;
    if !params.narrowed() {
        // No scope asked for: what the user may see by default (the school, their class,
        // their own journals).
        query.scope = options.default_scope;
    }
    if params.format.as_deref() == Some("xlsx") {
        let tables = match view {
            View::Results => state.app.stats_results(p, &query).await?.tables(),
            View::Curriculum => state.app.stats_curriculum(p, &query).await?.tables(),
            View::LessonTypes => state.app.stats_lesson_types(p, &query).await?.tables(),
            View::Attendance => state.app.stats_attendance(p, &query).await?.tables(),
        };
        return Ok(xlsx_response(&tables, view.code())?);
    }
    let t = user.tr(&state);
    let mut notes = Vec::new();
    let (frame, charts, tables) = match view {
        View::Results => {
            let r = state.app.stats_results(p, &query).await?;
            notes.push(t.get("stats-results-note"));
            results_view(&t, &r)
        }
        View::Curriculum => {
            let r = state.app.stats_curriculum(p, &query).await?;
            notes.push(t.get("stats-curriculum-note"));
            curriculum_view(&t, &r)
        }
        View::LessonTypes => {
            let r = state.app.stats_lesson_types(p, &query).await?;
            notes.push(t.get("stats-types-note"));
            types_view(&t, &r)
        }
        View::Attendance => {
            let r = state.app.stats_attendance(p, &query).await?;
            notes.push(t.get("stats-attendance-note"));
            attendance_view(&t, &r)
        }
    };
    Ok(render(StatsPage {
        school: query.scope.school.to_string(),
        view: view.code(),
        about: about(&t, &frame),
        as_of: date(frame.cut.max(frame.from).min(frame.to)),
        periods: period_options(&t, &options, &frame),
        classes: std::iter::once(Opt {
            value: String::new(),
            label: t.get("stats-any"),
            selected: query.scope.class.is_none(),
        })
        .chain(options.classes.iter().map(|(id, name, _)| Opt {
            value: id.to_string(),
            label: name.clone(),
            selected: query.scope.class == Some(*id),
        }))
        .collect(),
        grades: std::iter::once(Opt {
            value: String::new(),
            label: t.get("stats-any"),
            selected: query.scope.grade.is_none(),
        })
        .chain(options.grades.iter().map(|g| Opt {
            value: g.to_string(),
            label: t.with("stats-grade-n", "n", i64::from(*g)),
            selected: query.scope.grade == Some(*g),
        }))
        .collect(),
        subjects: std::iter::once(Opt {
            value: String::new(),
            label: t.get("stats-any"),
            selected: query.scope.subject.is_none(),
        })
        .chain(options.subjects.iter().map(|(id, name)| Opt {
            value: id.to_string(),
            label: name.clone(),
            selected: query.scope.subject == Some(*id),
        }))
        .collect(),
        teachers: std::iter::once(Opt {
            value: String::new(),
            label: t.get("stats-any"),
            selected: query.scope.teacher.is_none(),
        })
        .chain(options.teachers.iter().map(|(id, name)| Opt {
            value: id.to_string(),
            label: name.clone(),
            selected: query.scope.teacher == Some(*id),
        }))
        .collect(),
        threshold: query.absence_threshold.to_string(),
        whole_school: options.whole_school,
        tabs: View::ALL
            .into_iter()
            .map(|v| Tab {
                href: query_string(&query, v, None),
                label: t.get(&format!("stats-view-{}", v.code())),
                current: v == view,
            })
            .collect(),
        export: query_string(&query, view, Some("xlsx")),
        charts,
        tables,
        notes,
        nav: user.nav.clone(),
        t,
    })?
    .into_response())
}

fn about(t: &Tr<'_>, f: &Frame) -> String {
    let mut parts = vec![f.school_name.clone()];
    if let Some(c) = &f.class_name {
        parts.push(c.clone());
    } else if let Some(g) = f.scope.grade {
        parts.push(t.with("stats-grade-n", "n", i64::from(g)));
    }
    if let Some(s) = &f.subject_name {
        parts.push(s.clone());
    }
    if let Some(n) = &f.teacher_name {
        parts.push(n.clone());
    }
    let period = match (f.period_kind, f.period_number) {
        (Some(k), Some(n)) => tabel_present::period_name(t.lang, k, n),
        _ => t.get("stats-year"),
    };
    format!(
        "{} · {period} {} ({} – {})",
        parts.join(", "),
        f.year_label,
        date(f.from),
        date(f.to)
    )
}

fn period_options(t: &Tr<'_>, o: &StatsOptions, f: &Frame) -> Vec<Opt> {
    let mut out: Vec<Opt> = o
        .periods
        .iter()
        .map(|p| Opt {
            value: p.id.to_string(),
            label: format!(
                "{} ({} – {})",
                tabel_present::period_name(t.lang, p.kind, p.number),
                date(p.starts_on),
                date(p.ends_on)
            ),
            selected: f.period == Some(p.id),
        })
        .collect();
    out.push(Opt {
        value: "year".into(),
        label: t.get("stats-year"),
        selected: f.period.is_none(),
    });
    out
}

fn num(v: impl ToString) -> Cell {
    Cell {
        text: v.to_string(),
        class: "num",
    }
}

fn text(v: impl Into<String>) -> Cell {
    Cell {
        text: v.into(),
        class: "",
    }
}

fn pct(v: Option<u32>) -> Cell {
    num(v.map(hundredths_text).unwrap_or_else(|| "—".into()))
}

fn opt_num<T: ToString>(v: Option<T>) -> Cell {
    num(v.map_or_else(|| "—".to_owned(), |v| v.to_string()))
}

fn headers(t: &Tr<'_>, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| t.get(&format!("stats-h-{k}")))
        .collect()
}

// ----------------------------------------------------------------------------- the views

fn result_cells(l: &ResultLine) -> Vec<Cell> {
    let c = &l.counts;
    vec![
        text(l.label.clone()),
        num(l.n()),
        num(c.n5),
        num(c.n4),
        num(c.n3),
        num(c.n2),
        num(c.na),
        num(c.pass + c.fail),
        num(l.exempt),
        num(l.without_marks),
        num(l.left),
        pct(l.progress()),
        pct(l.quality()),
        pct(l.sou()),
        pct(l.average()),
        num(format!("{} / {}", l.from_finals, l.from_journal)),
    ]
}

fn results_view(t: &Tr<'_>, r: &ResultsReport) -> (Frame, Vec<Chart>, Vec<TableView>) {
    let cols = [
        "n", "n5", "n4", "n3", "n2", "na", "passfail", "exempt", "without", "left", "progress",
        "quality", "sou", "average", "source",
    ];
    let table = |id, caption: String, first: &str, lines: &[ResultLine]| TableView {
        id,
        caption,
        headers: std::iter::once(t.get(&format!("stats-h-{first}")))
            .chain(headers(t, &cols))
            .collect(),
        rows: lines.iter().map(result_cells).collect(),
        total: Some(result_cells(&ResultLine {
            label: t.get("stats-total"),
            ..r.total.clone()
        })),
    };
    // The chart shows the finer breakdown of the scope: classes, or subjects within a class.
    let lines = if r.by_class.len() > 1 {
        &r.by_class
    } else {
        &r.by_subject
    };
    // Lines nobody counts in (grade 1 has no marks) would read as 0 %: left out of the charts.
    let lines: Vec<&ResultLine> = lines.iter().filter(|l| l.n() > 0).collect();
    let rows: Vec<(String, Vec<u64>)> = lines
        .iter()
        .map(|l| {
            (
                l.label.clone(),
                vec![
                    u64::from(l.progress().unwrap_or(0)),
                    u64::from(l.quality().unwrap_or(0)),
                ],
            )
        })
        .collect();
    let percents = bars(
        &t.get("stats-chart-progress"),
        &[
            (t.get("stats-h-progress"), "#2e7d32"),
            (t.get("stats-h-quality"), "#1565c0"),
        ],
        &rows,
        Scale::Percent,
        false,
    );
    let marks_rows: Vec<(String, Vec<u64>)> = lines
        .iter()
        .map(|l| {
            let c = &l.counts;
            (
                l.label.clone(),
                [c.n5, c.n4, c.n3, c.n2, c.na]
                    .into_iter()
                    .map(u64::from)
                    .collect(),
            )
        })
        .collect();
    let finals = bars(
        &t.get("stats-chart-finals"),
        &[
            ("5".into(), "#2e7d32"),
            ("4".into(), "#7cb342"),
            ("3".into(), "#f9a825"),
            ("2".into(), "#e53935"),
            (t.get("stats-h-na"), "#6d4c41"),
        ],
        &marks_rows,
        Scale::Count,
        true,
    );
    let d = &r.marks_total;
    let current = bars(
        &t.get("stats-chart-current"),
        &[(t.get("stats-h-marks"), "#5e35b1")],
        &[
            ("5".to_owned(), vec![u64::from(d.points[0])]),
            ("4".to_owned(), vec![u64::from(d.points[1])]),
            ("3".to_owned(), vec![u64::from(d.points[2])]),
            ("2".to_owned(), vec![u64::from(d.points[3])]),
            ("1".to_owned(), vec![u64::from(d.points[4])]),
            (t.get("stats-h-pass"), vec![u64::from(d.pass)]),
            (t.get("stats-h-fail"), vec![u64::from(d.fail)]),
        ],
        Scale::Count,
        false,
    );
    let dist_cells = |label: String, d: &tabel_app::stats::MarkDistribution| {
        let mut row = vec![text(label)];
        row.extend(d.points.iter().map(|n| num(*n)));
        row.extend([num(d.pass), num(d.fail), num(d.total())]);
        row
    };
    (
        r.frame.clone(),
        vec![
            Chart {
                id: "chart-progress",
                bars: percents,
            },
            Chart {
                id: "chart-finals",
                bars: finals,
            },
            Chart {
                id: "chart-current",
                bars: current,
            },
        ],
        vec![
            table(
                "results-by-class",
                t.get("stats-by-class"),
                "class",
                &r.by_class,
            ),
            table(
                "results-by-subject",
                t.get("stats-by-subject"),
                "subject",
                &r.by_subject,
            ),
            TableView {
                id: "current-marks",
                caption: t.get("stats-current-marks"),
                headers: headers(
                    t,
                    &[
                        "subject", "m5", "m4", "m3", "m2", "m1", "pass", "fail", "marks",
                    ],
                ),
                rows: r
                    .marks
                    .iter()
                    .map(|d| dist_cells(d.label.clone(), d))
                    .collect(),
                total: Some(dist_cells(t.get("stats-total"), &r.marks_total)),
            },
        ],
    )
}

fn curriculum_view(t: &Tr<'_>, r: &CurriculumReport) -> (Frame, Vec<Chart>, Vec<TableView>) {
    let cells = |l: &tabel_app::stats::CurriculumLine, first: String| {
        let lagging = l.lag.is_some_and(|v| v > 0);
        vec![
            text(first),
            text(l.subject_name.clone()),
            text(l.teachers.clone()),
            opt_num(l.planned_year),
            opt_num(l.planned_period),
            opt_num(l.planned_to_date),
            num(l.scheduled),
            num(l.held),
            num(l.substituted),
            pct(l.done()),
            Cell {
                text: l.lag.map_or_else(|| "—".to_owned(), |v| v.to_string()),
                class: if lagging { "num bad" } else { "num" },
            },
            num(l.cancelled_teacher),
            num(l.cancelled_other),
            num(l.holidays),
            num(l.not_held),
            num(l.moved_out),
            opt_num(l.other),
        ]
    };
    let rows: Vec<(String, Vec<u64>)> = r
        .by_subject
        .iter()
        .map(|s| {
            (
                s.subject_name.clone(),
                vec![u64::from(s.planned_to_date), u64::from(s.held)],
            )
        })
        .collect();
    let plan = bars(
        &t.get("stats-chart-plan"),
        &[
            (t.get("stats-h-planned-to-date"), "#90a4ae"),
            (t.get("stats-h-held"), "#1565c0"),
        ],
        &rows,
        Scale::Count,
        false,
    );
    let total = &r.total;
    let reasons = bars(
        &t.get("stats-chart-lag"),
        &[(t.get("stats-h-lessons"), "#e53935")],
        &[
            (
                t.get("stats-h-cancelled-teacher"),
                vec![u64::from(total.cancelled_teacher)],
            ),
            (
                t.get("stats-h-cancelled-other"),
                vec![u64::from(total.cancelled_other)],
            ),
            (
                t.get("stats-h-holidays"),
                vec![u64::try_from(total.holidays.max(0)).unwrap_or(0)],
            ),
            (t.get("stats-h-not-held"), vec![u64::from(total.not_held)]),
            (t.get("stats-h-moved"), vec![u64::from(total.moved_out)]),
            (
                t.get("stats-h-other"),
                vec![u64::try_from(total.other.unwrap_or(0).max(0)).unwrap_or(0)],
            ),
        ],
        Scale::Count,
        false,
    );
    (
        r.frame.clone(),
        vec![
            Chart {
                id: "chart-plan",
                bars: plan,
            },
            Chart {
                id: "chart-lag",
                bars: reasons,
            },
        ],
        vec![TableView {
            id: "curriculum",
            caption: t.get("stats-view-curriculum"),
            headers: headers(
                t,
                &[
                    "group",
                    "subject",
                    "teacher",
                    "planned-year",
                    "planned-period",
                    "planned-to-date",
                    "scheduled",
                    "held",
                    "substituted",
                    "done",
                    "lag",
                    "cancelled-teacher",
                    "cancelled-other",
                    "holidays",
                    "not-held",
                    "moved",
                    "other",
                ],
            ),
            rows: r
                .lines
                .iter()
                .map(|l| cells(l, l.group_name.clone()))
                .collect(),
            total: Some(cells(total, t.get("stats-total"))),
        }],
    )
}

fn types_view(t: &Tr<'_>, r: &LessonTypesReport) -> (Frame, Vec<Chart>, Vec<TableView>) {
    let cells = |l: &tabel_app::stats::TypeLine, first: String| {
        let behind = l.planned_to_date > l.held;
        vec![
            text(first),
            text(l.subject_name.clone()),
            text(l.type_name.clone()),
            num(l.planned_year),
            num(l.planned_period),
            num(l.planned_to_date),
            Cell {
                text: l.held.to_string(),
                class: if behind { "num bad" } else { "num" },
            },
        ]
    };
    let rows: Vec<(String, Vec<u64>)> = r
        .totals
        .iter()
        .map(|l| {
            (
                l.type_name.clone(),
                vec![u64::from(l.planned_to_date), u64::from(l.held)],
            )
        })
        .collect();
    let chart = bars(
        &t.get("stats-chart-types"),
        &[
            (t.get("stats-h-planned-to-date"), "#90a4ae"),
            (t.get("stats-h-held"), "#1565c0"),
        ],
        &rows,
        Scale::Count,
        false,
    );
    let control_cells = |c: &tabel_app::stats::ControlResults| {
        let k = &c.counts;
        vec![
            text(c.group_name.clone()),
            text(c.subject_name.clone()),
            num(k.n()),
            num(k.n5),
            num(k.n4),
            num(k.n3),
            num(k.n2),
            pct(k.progress()),
            pct(k.quality()),
            pct(k.average()),
        ]
    };
    (
        r.frame.clone(),
        vec![Chart {
            id: "chart-types",
            bars: chart,
        }],
        vec![
            TableView {
                id: "lesson-types",
                caption: t.get("stats-view-lesson-types"),
                headers: headers(
                    t,
                    &[
                        "group",
                        "subject",
                        "type",
                        "plan-year",
                        "plan-period",
                        "plan-to-date",
                        "held",
                    ],
                ),
                rows: r
                    .lines
                    .iter()
                    .map(|l| cells(l, l.group_name.clone()))
                    .collect(),
                total: None,
            },
            TableView {
                id: "lesson-types-total",
                caption: t.get("stats-types-total"),
                headers: headers(
                    t,
                    &[
                        "group",
                        "subject",
                        "type",
                        "plan-year",
                        "plan-period",
                        "plan-to-date",
                        "held",
                    ],
                ),
                rows: r
                    .totals
                    .iter()
                    .map(|l| cells(l, t.get("stats-total")))
                    .collect(),
                total: None,
            },
            TableView {
                id: "control-works",
                caption: t.get("stats-control-works"),
                headers: headers(
                    t,
                    &[
                        "group", "subject", "marks", "m5", "m4", "m3", "m2", "progress", "quality",
                        "average",
                    ],
                ),
                rows: r.control.iter().map(control_cells).collect(),
                total: Some(control_cells(&tabel_app::stats::ControlResults {
                    group_name: t.get("stats-total"),
                    ..r.control_total.clone()
                })),
            },
        ],
    )
}

fn absence_cells(first: String, l: &AbsenceLine) -> Vec<Cell> {
    vec![
        text(first),
        num(l.pupils),
        num(l.lessons),
        num(l.missed()),
        num(l.ill),
        num(l.excused),
        num(l.unexcused),
        num(l.late),
        num(l.late_missed),
        pct(l.share()),
    ]
}

fn attendance_view(t: &Tr<'_>, r: &AttendanceReport) -> (Frame, Vec<Chart>, Vec<TableView>) {
    let lines = if r.by_class.len() > 1 {
        &r.by_class
    } else {
        &r.by_subject
    };
    let rows: Vec<(String, Vec<u64>)> = lines
        .iter()
        .filter(|l| l.lessons > 0)
        .map(|l| {
            (
                l.label.clone(),
                [l.ill, l.excused, l.unexcused, l.late_missed]
                    .into_iter()
                    .map(u64::from)
                    .collect(),
            )
        })
        .collect();
    let chart = bars(
        &t.get("stats-chart-absences"),
        &[
            (t.get("stats-h-ill"), "#f9a825"),
            (t.get("stats-h-excused"), "#7cb342"),
            (t.get("stats-h-unexcused"), "#e53935"),
            (t.get("stats-h-late-missed"), "#8e24aa"),
        ],
        &rows,
        Scale::Count,
        true,
    );
    let cols = [
        "pupils",
        "lessons",
        "missed",
        "ill",
        "excused",
        "unexcused",
        "late",
        "late-missed",
        "missed-share",
    ];
    let table = |id, caption: String, first: &str, list: &[AbsenceLine]| TableView {
        id,
        caption,
        headers: std::iter::once(t.get(&format!("stats-h-{first}")))
            .chain(headers(t, &cols))
            .collect(),
        rows: list
            .iter()
            .map(|l| absence_cells(l.label.clone(), l))
            .collect(),
        total: Some(absence_cells(t.get("stats-total"), &r.total)),
    };
    let pupils = TableView {
        id: "pupils-over",
        caption: t.with("stats-pupils-over", "n", i64::from(r.threshold)),
        headers: {
            let mut h = headers(t, &["pupil", "class"]);
            h.extend(headers(t, &cols[1..]));
            h.push(t.get("stats-h-over-half"));
            h
        },
        rows: r
            .pupils
            .iter()
            .map(|p| {
                let mut row = absence_cells(p.name.clone(), &p.line);
                if let Some(c) = row.get_mut(1) {
                    *c = text(p.class_name.clone());
                }
                row.push(Cell {
                    text: p.over_half.join(", "),
                    class: "bad",
                });
                row
            })
            .collect(),
        total: None,
    };
    (
        r.frame.clone(),
        vec![Chart {
            id: "chart-absences",
            bars: chart,
        }],
        vec![
            table(
                "absences-by-class",
                t.get("stats-by-class"),
                "class",
                &r.by_class,
            ),
            table(
                "absences-by-subject",
                t.get("stats-by-subject"),
                "subject",
                &r.by_subject,
            ),
            pupils,
        ],
    )
}

// ----------------------------------------------------------------------------------- SVG

/// How bar values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// Hundredths of a percent, on 0–100 %.
    Percent,
    /// Counts, on 0–the largest.
    Count,
}

/// A horizontal bar chart as data for `templates/stats/_chart.svg`: sizes and positions in SVG
/// units worked out here, the texts as they are (the template escapes them).
pub struct Bars {
    /// Of the view box.
    pub width: u64,
    /// Of the view box.
    pub height: u64,
    /// Heading, also the chart's accessible name.
    pub title: String,
    /// Where the row labels end (they are right-aligned).
    pub label_x: u64,
    /// A swatch and a name per series.
    pub legend: Vec<Swatch>,
    /// A row per label.
    pub rows: Vec<BarRow>,
    /// The dash shown when there are no rows.
    pub empty: Option<Note>,
}

/// A series in the legend.
pub struct Swatch {
    /// Of the swatch.
    pub x: u64,
    /// Of the name.
    pub text_x: u64,
    /// Fill colour.
    pub color: &'static str,
    /// The series' name.
    pub name: String,
}

/// A labelled row of bars.
pub struct BarRow {
    /// Baseline of the label.
    pub label_y: u64,
    /// The whole label (shown on hover).
    pub label: String,
    /// The label as shown, cut short when long.
    pub shown: String,
    /// A bar per series.
    pub bars: Vec<Bar>,
    /// The total written after stacked bars.
    pub total: Option<Note>,
}

/// One bar.
pub struct Bar {
    /// Left edge.
    pub x: u64,
    /// Top edge.
    pub y: u64,
    /// Width.
    pub width: u64,
    /// Height.
    pub height: u64,
    /// Fill colour.
    pub color: &'static str,
    /// `series: value`, shown on hover.
    pub tip: String,
    /// The value written beside a bar of its own lane.
    pub value: Option<Note>,
}

/// A text placed at a point.
pub struct Note {
    /// Start.
    pub x: u64,
    /// Baseline.
    pub y: u64,
    /// What it says.
    pub text: String,
}

/// A horizontal bar chart: a row per label, a bar per series (side by side, or `stacked` in one
/// bar), a legend, values written beside the bars. Everything is text in the SVG: it reads
/// without JavaScript, prints, and scales with the page.
fn bars(
    title: &str,
    series: &[(String, &'static str)],
    rows: &[(String, Vec<u64>)],
    scale: Scale,
    stacked: bool,
) -> Bars {
    const WIDTH: u64 = 760;
    const LABEL: u64 = 180;
    const AREA: u64 = 500;
    const BAR: u64 = 14;
    let lanes = if stacked {
        1
    } else {
        u64::try_from(series.len()).unwrap_or(1).max(1)
    };
    let row_h = lanes * BAR + 8;
    let top = 44;
    let height = top + u64::try_from(rows.len()).unwrap_or(0) * row_h + 8;
    let max = match scale {
        Scale::Percent => 10_000,
        Scale::Count => rows
            .iter()
            .map(|(_, v)| {
                if stacked {
                    v.iter().sum()
                } else {
                    v.iter().copied().max().unwrap_or(0)
                }
            })
            .max()
            .unwrap_or(0)
            .max(1),
    };
    let value = |v: u64| match scale {
        Scale::Percent => format!(
            "{} %",
            hundredths_text(u32::try_from(v).unwrap_or(u32::MAX))
        ),
        Scale::Count => v.to_string(),
    };
    let width_of = |v: u64| v.min(max) * AREA / max;
    let mut legend = Vec::with_capacity(series.len());
    let mut x = 0u64;
    for (name, color) in series {
        legend.push(Swatch {
            x,
            text_x: x + 14,
            color,
            name: name.clone(),
        });
        x += 24 + 7 * u64::try_from(name.chars().count()).unwrap_or(0);
    }
    let mut bar_rows = Vec::with_capacity(rows.len());
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = top + u64::try_from(i).unwrap_or(0) * row_h;
        let shown: String = if label.chars().count() > 26 {
            label.chars().take(25).chain(std::iter::once('…')).collect()
        } else {
            label.clone()
        };
        let mut row = BarRow {
            label_y: y + lanes * BAR / 2 + 4,
            label: label.clone(),
            shown,
            bars: Vec::with_capacity(values.len()),
            total: None,
        };
        if stacked {
            let mut at = LABEL;
            for (v, (name, color)) in values.iter().zip(series) {
                let w = width_of(*v);
                if w > 0 {
                    row.bars.push(Bar {
                        x: at,
                        y,
                        width: w,
                        height: BAR,
                        color,
                        tip: format!("{name}: {}", value(*v)),
                        value: None,
                    });
                }
                at += w;
            }
            row.total = Some(Note {
                x: at + 4,
                y: y + BAR - 3,
                text: value(values.iter().sum()),
            });
        } else {
            for (lane, (v, (name, color))) in values.iter().zip(series).enumerate() {
                let yy = y + u64::try_from(lane).unwrap_or(0) * BAR;
                let w = width_of(*v);
                row.bars.push(Bar {
                    x: LABEL,
                    y: yy,
                    width: w,
                    height: BAR - 2,
                    color,
                    tip: format!("{name}: {}", value(*v)),
                    value: Some(Note {
                        x: LABEL + w + 4,
                        y: yy + BAR - 4,
                        text: value(*v),
                    }),
                });
            }
        }
        bar_rows.push(row);
    }
    Bars {
        width: WIDTH,
        height,
        title: title.to_owned(),
        label_x: LABEL - 6,
        legend,
        empty: rows.is_empty().then(|| Note {
            x: LABEL,
            y: top + 12,
            text: "—".to_owned(),
        }),
        rows: bar_rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chart drawn on its own, as the page includes it.
    #[derive(Template)]
    #[template(path = "stats/_chart.svg")]
    struct ChartSvg<'a> {
        chart: &'a Chart,
    }

    fn draw(bars: Bars) -> String {
        ChartSvg {
            chart: &Chart { id: "c", bars },
        }
        .render()
        .unwrap()
    }

    #[test]
    fn charts_escape_their_labels_and_scale_bars_to_the_largest() {
        let svg = draw(bars(
            "A <b>&",
            &[("x".into(), "#000"), ("y".into(), "#111")],
            &[
                ("5А <script>".into(), vec![10, 5]),
                ("5Б".into(), vec![20, 0]),
            ],
            Scale::Count,
            false,
        ));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("5А &#60;script&#62;"), "{svg}");
        // 20 is the largest: 500 px; 10 is half of it.
        assert!(svg.contains("width=\"500\""), "{svg}");
        assert!(svg.contains("width=\"250\""), "{svg}");
        let pct = bars(
            "p",
            &[("x".into(), "#000")],
            &[("a".into(), vec![5000])],
            Scale::Percent,
            true,
        );
        assert_eq!(pct.rows[0].bars[0].width, 250);
        let pct = draw(pct);
        assert!(
            pct.contains("width=\"250\"") && pct.contains("50,00 %"),
            "{pct}"
        );
    }

    #[test]
    fn every_text_of_a_chart_is_escaped() {
        let svg = draw(bars(
            "Оценки <i>&",
            &[("5 & 4 <\"b\">".into(), "#000")],
            &[("7А & 7Б <img src=x>".into(), vec![3])],
            Scale::Count,
            false,
        ));
        assert!(!svg.contains("<i>") && !svg.contains("<img") && !svg.contains("<\"b"));
        assert!(
            svg.contains("<title>Оценки &#60;i&#62;&#38;</title>"),
            "{svg}"
        );
        assert!(svg.contains("7А &#38; 7Б &#60;img src=x&#62;"), "{svg}");
        assert!(svg.contains("5 &#38; 4 &#60;&#34;b&#34;&#62;: 3"), "{svg}");
        let empty = draw(bars("—", &[], &[], Scale::Count, false));
        assert!(
            empty.contains("fill=\"currentColor\">—</text>") && empty.ends_with("</svg>"),
            "{empty}"
        );
    }
}
