//! The statistics pages (`/stats?…`): a scope picker (period, class or parallel, subject,
//! teacher), the four views — results, curriculum compliance, lesson types, attendance — as
//! tables with server-rendered SVG bar charts (no JavaScript, no external assets), and each
//! view's tables as an XLSX download (`&format=xlsx`).

use crate::AppState;
use crate::error::{PageError, render};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::href;
use crate::stats::api::{StatsParams, xlsx_response};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::stats::{Frame, StatsOptions, StatsQuery};
use tabel_domain::{GroupId, PersonId, SchoolId, SubjectId};
use tabel_present::date;

use super::charts::*;
use super::tables::*;

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
                tabel_app::stats::PeriodChoice::Year
                | tabel_app::stats::PeriodChoice::YearOf(_) => Some("year".into()),
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
