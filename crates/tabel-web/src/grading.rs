//! The school's grading policy for its administrators: the version in force and a form that
//! saves a new version (work types and weights, thresholds, minimum marks, attendance letters).
//! Lesson types and per-subject scales are carried over unchanged from the current version.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use tabel_app::AppError;
use tabel_app::journal::PolicyView;
use tabel_domain::SchoolId;
use tabel_domain::finals::FinalRule;
use tabel_domain::journal::{Attendance, GradingPolicy, Scale, WorkType};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/admin/{school}/grading-policy", get(show).post(save))
}

const SCALES: [Scale; 4] = [Scale::Five, Scale::PassFail, Scale::Ten, Scale::Hundred];

/// Blank work-type rows offered for new types.
const BLANK_ROWS: usize = 2;

/// A work type row of the form.
pub struct WorkRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Weight as typed.
    pub weight: String,
}

#[derive(Template)]
#[template(path = "admin/grading_policy.html")]
struct PolicyPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    version: i64,
    /// (code, label, chosen).
    scales: Vec<(&'static str, String, bool)>,
    allow_one: bool,
    work: Vec<WorkRow>,
    /// (code, name, default work type).
    lesson_types: Vec<(String, String, String)>,
    /// (code, letter).
    letters: Vec<(&'static str, String)>,
    thresholds: [String; 3],
    min_marks: String,
    two_caps: bool,
    /// (code, label, chosen): how the итоговая mark follows from the year and exam marks.
    final_rules: Vec<(&'static str, String, bool)>,
    notice: bool,
    errors: Vec<(String, String)>,
}

/// Hundredths as a decimal: 450 → "4.50".
fn decimal(h: u16) -> String {
    format!("{}.{:02}", h / 100, h % 100)
}

/// "4.50", "4,5" or "4" → 450.
fn hundredths(raw: &str) -> Option<u16> {
    let raw = raw.trim().replace(',', ".");
    let (whole, frac) = raw.split_once('.').unwrap_or((&raw, ""));
    if whole.is_empty() || frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = whole.parse().ok()?;
    let frac: u16 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    whole.checked_mul(100)?.checked_add(frac)
}

fn page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    v: &PolicyView,
) -> PolicyPage<'s> {
    let t = user.tr(state);
    let p = &v.policy;
    let mut work: Vec<WorkRow> = p
        .work_types
        .iter()
        .map(|w| WorkRow {
            code: w.code.clone(),
            name: w.name.clone(),
            weight: w.weight.to_string(),
        })
        .collect();
    for _ in 0..BLANK_ROWS {
        work.push(WorkRow {
            code: String::new(),
            name: String::new(),
            weight: String::new(),
        });
    }
    PolicyPage {
        school_id: school.to_string(),
        version: v.version,
        scales: SCALES
            .into_iter()
            .map(|s| {
                (
                    s.code(),
                    t.get(&format!("policy-scale-{}", s.code())),
                    s == p.scale,
                )
            })
            .collect(),
        allow_one: p.allow_one,
        work,
        lesson_types: p
            .lesson_types
            .iter()
            .map(|l| (l.code.clone(), l.name.clone(), l.default_work.clone()))
            .collect(),
        letters: Attendance::ALL
            .iter()
            .map(|&a| (a.code(), p.letter(a).to_owned()))
            .collect(),
        thresholds: p.thresholds.map(decimal),
        min_marks: p.min_marks.to_string(),
        two_caps: p.two_caps,
        final_rules: FinalRule::ALL
            .into_iter()
            .map(|r| {
                (
                    r.code(),
                    t.get(&format!("policy-final-rule-{}", r.code())),
                    r == p.final_rule,
                )
            })
            .collect(),
        notice: false,
        errors: Vec::new(),
        nav: user.nav.clone(),
        t,
    }
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    done: Option<String>,
}

/// The policy in force and the form for a new version.
#[tracing::instrument(skip_all, fields(school = %school))]
async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, PageError> {
    let v = state
        .app
        .grading_policy_to_edit(&user.who.principal, school)
        .await?;
    let mut page = page(&state, &user, school, &v);
    page.notice = q.done.is_some();
    render(page)
}

type Fields = HashMap<String, String>;

fn field<'f>(f: &'f Fields, name: &str) -> &'f str {
    f.get(name).map_or("", |v| v.trim())
}

/// The posted form as a policy over `base` (lesson types and subject scales carried over), or
/// the fields that could not be read.
fn parse(f: &Fields, base: &GradingPolicy) -> Result<GradingPolicy, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let scale = SCALES.into_iter().find(|s| s.code() == field(f, "scale"));
    if scale.is_none() {
        errors.insert("scale".to_owned(), "?".to_owned());
    }
    let mut work_types = Vec::new();
    for i in 0.. {
        let Some(code) = f.get(&format!("wt_code_{i}")) else {
            break;
        };
        let (code, name) = (code.trim(), field(f, &format!("wt_name_{i}")));
        let weight = field(f, &format!("wt_weight_{i}"));
        if code.is_empty() && name.is_empty() && weight.is_empty() {
            continue;
        }
        match weight.parse::<u8>() {
            Ok(w) => work_types.push(WorkType {
                code: code.to_owned(),
                name: name.to_owned(),
                weight: w,
            }),
            Err(_) => {
                errors.insert(format!("wt_weight_{i}"), "1–10".to_owned());
            }
        }
    }
    let mut thresholds = [0u16; 3];
    for (i, slot) in thresholds.iter_mut().enumerate() {
        let name = format!("threshold_{}", i + 3);
        match hundredths(field(f, &name)) {
            Some(h) => *slot = h,
            None => {
                errors.insert(name, "4.50".to_owned());
            }
        }
    }
    let min_marks = field(f, "min_marks").parse::<u8>();
    if min_marks.is_err() {
        errors.insert("min_marks".to_owned(), "0–20".to_owned());
    }
    let mut letters = base.attendance_letters.clone();
    for &a in Attendance::ALL {
        let letter = field(f, &format!("letter_{}", a.code()));
        if !letter.is_empty() {
            letters.insert(a, letter.to_owned());
        }
    }
    match (scale, min_marks) {
        (Some(scale), Ok(min_marks)) if errors.is_empty() => Ok(GradingPolicy {
            scale,
            allow_one: !field(f, "allow_one").is_empty(),
            subject_scales: base.subject_scales.clone(),
            work_types,
            lesson_types: base.lesson_types.clone(),
            attendance_letters: letters,
            thresholds,
            min_marks,
            two_caps: !field(f, "two_caps").is_empty(),
            // An unknown or missing choice keeps the rule as it was.
            final_rule: FinalRule::parse(field(f, "final_rule")).unwrap_or(base.final_rule),
        }),
        _ => Err(errors),
    }
}

/// Saves a new version; a refused form comes back with what was typed and why (422).
#[tracing::instrument(skip_all, fields(school = %school))]
async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f: Fields = form.into_iter().collect();
    let p = &user.who.principal;
    let current = match state.app.grading_policy_to_edit(p, school).await {
        Ok(v) => v,
        Err(e) => return Err(PageError::from(e)),
    };
    let errors = match parse(&f, &current.policy) {
        Ok(policy) => match state
            .app
            .set_grading_policy(p, school, &policy, &user.client)
            .await
        {
            Ok(_) => {
                return Ok(crate::redirect::see_other(&format!(
                    "/admin/{school}/grading-policy?done=1"
                ))
                .into_response());
            }
            Err(AppError::Invalid(errors)) => errors.into_iter().collect(),
            Err(e) => return Err(PageError::from(e)),
        },
        Err(errors) => errors,
    };
    // Show what was typed, not what is stored.
    let mut page = page(&state, &user, school, &current);
    page.errors = errors.into_iter().collect();
    page.allow_one = !field(&f, "allow_one").is_empty();
    page.two_caps = !field(&f, "two_caps").is_empty();
    page.min_marks = field(&f, "min_marks").to_owned();
    for (i, slot) in page.thresholds.iter_mut().enumerate() {
        *slot = field(&f, &format!("threshold_{}", i + 3)).to_owned();
    }
    let mut work = Vec::new();
    for i in 0.. {
        let Some(code) = f.get(&format!("wt_code_{i}")) else {
            break;
        };
        work.push(WorkRow {
            code: code.clone(),
            name: field(&f, &format!("wt_name_{i}")).to_owned(),
            weight: field(&f, &format!("wt_weight_{i}")).to_owned(),
        });
    }
    if !work.is_empty() {
        page.work = work;
    }
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

#[cfg(test)]
mod tests {
    use super::{decimal, hundredths};

    #[test]
    fn thresholds_read_as_decimals_with_a_point_or_a_comma() {
        assert_eq!(hundredths("4.50"), Some(450));
        assert_eq!(hundredths("4,5"), Some(450));
        assert_eq!(hundredths(" 3 "), Some(300));
        assert_eq!(hundredths("3.555"), None);
        assert_eq!(hundredths("x"), None);
        assert_eq!(hundredths(".5"), None);
        assert_eq!(decimal(250), "2.50");
    }
}
