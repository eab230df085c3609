//! The four reports as the page shows them: cells, headings and the charts of each.

use crate::i18n::Tr;
use tabel_app::stats::{
    AbsenceLine, AttendanceReport, CurriculumReport, Frame, LessonTypesReport, ResultLine,
    ResultsReport,
};
use tabel_domain::finals::hundredths_text;

use super::charts::*;
use super::pages::*;

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

pub(super) fn results_view(t: &Tr<'_>, r: &ResultsReport) -> (Frame, Vec<Chart>, Vec<TableView>) {
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

pub(super) fn curriculum_view(
    t: &Tr<'_>,
    r: &CurriculumReport,
) -> (Frame, Vec<Chart>, Vec<TableView>) {
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

pub(super) fn types_view(t: &Tr<'_>, r: &LessonTypesReport) -> (Frame, Vec<Chart>, Vec<TableView>) {
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

pub(super) fn attendance_view(
    t: &Tr<'_>,
    r: &AttendanceReport,
) -> (Frame, Vec<Chart>, Vec<TableView>) {
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
