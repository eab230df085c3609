//! Final marks' pages: a journal's final marks for a period or the year (the teacher confirms the
//! proposals or sets another value with a reason; an administrator corrects a closed period),
//! and a class's summary sheet (сводная ведомость) with its XLSX.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::journal::pages::period_label;
use crate::paths::{Path, href};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use std::collections::HashMap;
use tabel_app::AppError;
use tabel_app::finals::SetFinal;
use tabel_domain::finals::FinalValue;
use tabel_domain::finals::Slot;
use tabel_domain::{GroupId, PeriodId, PersonId, SubjectId};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/journal/{group}/{subject}/finals",
            get(finals_page).post(save_finals),
        )
        .route("/school/classes/{class}/summary", get(summary_page))
        .route("/school/classes/{class}/risks", get(risks_page))
}

/// A pupil's row on the page.
pub struct Row {
    /// Person id.
    pub id: String,
    /// "Петров Иван".
    pub name: String,
    /// "с 01.10" when the pupil joined or left in the period.
    pub note: String,
    /// Average.
    pub average: String,
    /// Marks counted.
    pub marks: u32,
    /// "3 / 24" missed of held.
    pub attendance: String,
    /// The proposal as shown.
    pub proposal: String,
    /// Why (a message key's text).
    pub basis: String,
    /// What the field holds: typed, else the mark set, else the proposal.
    pub value: String,
    /// The reason typed or recorded.
    pub reason: String,
    /// Version read.
    pub version: i64,
    /// Set already.
    pub set: bool,
    /// Error of this row.
    pub error: String,
    /// The viewer may write this row's mark.
    pub editable: bool,
    /// "Отсрочка до 15.12.2026 (справка №12)" of an open deferral.
    pub deferral: String,
    /// Its end has passed with no mark.
    pub deferral_overdue: bool,
    /// Where a deputy head opens a deferral of the row (no mark, none open).
    pub defer_href: String,
}

#[derive(Template)]
#[template(path = "finals/journal.html")]
struct FinalsPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    heading: String,
    slot_label: String,
    slots: Vec<(String, String, bool)>,
    action: String,
    grid_href: String,
    rows: Vec<Row>,
    may_set: bool,
    may_correct: bool,
    /// Some row may be written.
    any_editable: bool,
    closed: bool,
    errors: Vec<String>,
    saved: bool,
    /// The school's deferrals and debts, for deputy heads.
    desk_href: String,
}

#[derive(Deserialize, Default)]
struct SlotQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    saved: Option<String>,
}

pub(crate) fn slot_of(raw: &str) -> Result<Option<Slot>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        "year" => Ok(Some(Slot::Year)),
        p => p
            .parse::<PeriodId>()
            .map(|p| Some(Slot::Period(p)))
            .map_err(|_| AppError::invalid("period", "no such period")),
    }
}

type Typed = HashMap<String, String>;

async fn view<'s>(
    state: &'s AppState,
    user: &PageUser,
    (group, subject, slot): (GroupId, SubjectId, Option<Slot>),
    typed: &Typed,
) -> Result<FinalsPage<'s>, AppError> {
    let t = user.tr(state);
    let sheet = state
        .app
        .finals_sheet(&user.who.principal, group, subject, slot)
        .await?;
    let v = &sheet.journal;
    let today = state.app.today();
    let may_plan = sheet.may_plan();
    let base = format!("/journal/{group}/{subject}/finals");
    let mut slots: Vec<(String, String, bool)> = v
        .periods
        .iter()
        .map(|p| {
            (
                href(&base, &[("period", p.id)]),
                period_label(&t, p),
                sheet.slot == Slot::Period(p.id),
            )
        })
        .collect();
    slots.push((
        format!("{base}?period=year"),
        t.get("finals-year"),
        sheet.slot == Slot::Year,
    ));
    let slot_label = slots
        .iter()
        .find(|s| s.2)
        .map(|s| s.1.clone())
        .unwrap_or_default();
    let rows: Vec<Row> = sheet
        .rows
        .iter()
        .map(|r| {
            let sid = r.entry.student.to_string();
            let get = |k: &str| typed.get(&format!("{k}_{sid}")).cloned();
            let shown = |code: &str| {
                FinalValue::from_code(code).map_or_else(|| code.to_owned(), |v| v.to_string())
            };
            let proposal = r.proposal.map(|p| p.value.to_string()).unwrap_or_default();
            let basis = r
                .proposal
                .map(|p| t.get(&format!("finals-basis-{}", p.basis.code())))
                .unwrap_or_default();
            let current = r.current.as_ref();
            let deferral = r.deferral.as_ref();
            let may_defer = sheet.may_defer(r);
            let note = match r.entry.to {
                Some(to) => format!("{} {}", t.get("finals-left"), tabel_present::date(to)),
                None if r.entry.from > v.period.starts_on => {
                    format!(
                        "{} {}",
                        t.get("finals-joined"),
                        tabel_present::date(r.entry.from)
                    )
                }
                None => String::new(),
            };
            Row {
                note,
                average: tabel_present::average(t.lang, &r.average),
                marks: r.marks,
                attendance: if r.lessons_held > 0 {
                    format!("{} / {}", r.lessons_missed, r.lessons_held)
                } else {
                    String::new()
                },
                // A deferred cell is not prefilled: saving the page must not end the deferral.
                value: get("v").unwrap_or_else(|| match (current, deferral) {
                    (Some(c), _) => shown(&c.value),
                    (None, Some(_)) => String::new(),
                    (None, None) => proposal.clone(),
                }),
                editable: sheet.may_write_row(r),
                deferral: deferral
                    .map(|d| {
                        t.args(
                            "deferral-until",
                            &[
                                ("date", tabel_present::date(d.ends_on).into()),
                                ("basis", d.basis.clone().into()),
                            ],
                        )
                    })
                    .unwrap_or_default(),
                deferral_overdue: deferral.is_some_and(|d| d.ends_on < today),
                defer_href: if may_defer {
                    href(
                        &format!("/journal/{group}/{subject}/finals/defer"),
                        &(
                            ("period", slot_query(sheet.slot)),
                            ("student", r.entry.student),
                        ),
                    )
                } else {
                    String::new()
                },
                reason: get("r")
                    .unwrap_or_else(|| current.map(|c| c.reason.clone()).unwrap_or_default()),
                version: current.map_or(0, |c| c.version),
                set: current.is_some(),
                proposal,
                basis,
                error: String::new(),
                id: sid,
                name: format!("{} {}", r.entry.last_name, r.entry.first_name),
            }
        })
        .collect();
    let period_query = slot_query(sheet.slot);
    let any_editable = rows.iter().any(|r| r.editable);
    Ok(FinalsPage {
        any_editable,
        desk_href: if may_plan {
            href("/school/deferrals", &[("school", v.group.school)])
        } else {
            String::new()
        },
        heading: format!("{} · {}", v.group.name, v.subject_name),
        slot_label,
        slots,
        action: href(&base, &[("period", &period_query)]),
        grid_href: format!("/journal/{group}/{subject}"),
        rows,
        may_set: sheet.may_set,
        may_correct: sheet.may_correct,
        closed: sheet.closed,
        errors: Vec::new(),
        saved: false,
        nav: user.nav.clone(),
        t,
    })
}

async fn finals_page(
    State(state): State<AppState>,
    user: PageUser,
    Path((group, subject)): Path<(GroupId, SubjectId)>,
    Query(q): Query<SlotQuery>,
) -> Result<Html<String>, PageError> {
    let ids = (group, subject, slot_of(&q.period)?);
    let mut page = view(&state, &user, ids, &Typed::new()).await?;
    page.saved = q.saved.is_some();
    render(page)
}

/// The `?period=` of a slot: a period's id, or `year`.
pub(crate) fn slot_query(slot: Slot) -> String {
    match slot {
        Slot::Year => "year".to_owned(),
        s => s.period().map(|p| p.to_string()).unwrap_or_default(),
    }
}

/// The rows index an error key names (`rows[3].value`).
fn row_of(key: &str) -> Option<usize> {
    key.strip_prefix("rows[")?.split_once(']')?.0.parse().ok()
}

/// Saves the page's final marks, all or nothing; a refused row is named on the page.
async fn save_finals(
    State(state): State<AppState>,
    user: PageUser,
    Path((group, subject)): Path<(GroupId, SubjectId)>,
    Query(q): Query<SlotQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let slot = slot_of(&q.period).map_err(|_| PageError::not_found())?;
    let ids = (group, subject, slot);
    let typed: Typed = form.into_iter().collect();
    // Rows in the page's order: a value typed, and either new or changed from what is set.
    let mut pupils: Vec<PersonId> = typed
        .keys()
        .filter_map(|k| k.strip_prefix("v_"))
        .filter_map(|id| id.parse().ok())
        .collect();
    pupils.sort();
    let rows: Vec<SetFinal> = pupils
        .iter()
        .filter_map(|sid| {
            let value = typed.get(&format!("v_{sid}"))?.trim().to_owned();
            if value.is_empty() {
                return None;
            }
            let version = typed
                .get(&format!("ver_{sid}"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let was = typed
                .get(&format!("was_{sid}"))
                .cloned()
                .unwrap_or_default();
            let reason = typed.get(&format!("r_{sid}")).cloned().unwrap_or_default();
            let was_reason = typed.get(&format!("wr_{sid}")).cloned().unwrap_or_default();
            if version > 0 && was == value && was_reason == reason {
                return None;
            }
            Some(SetFinal {
                student: *sid,
                value,
                reason,
                version,
            })
        })
        .collect();
    let period = q.period.trim().to_owned();
    let back = href(
        &format!("/journal/{}/{}/finals", ids.0, ids.1),
        &(("period", &period), ("saved", 1)),
    );
    if rows.is_empty() {
        // Nothing to write: back to the page, for whoever may see it; anyone else is refused
        // as the page refuses them (another school's journal answers as a missing one).
        view(&state, &user, ids, &typed).await?;
        return Ok(crate::redirect::see_other(&back).into_response());
    }
    let result = state
        .app
        .set_finals(&user.who.principal, ids, &rows, &user.client)
        .await;
    match result {
        Ok(_) => Ok(crate::redirect::see_other(&back).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = view(&state, &user, ids, &typed).await.map(|mut page| {
                for (key, message) in errors {
                    let pupil = row_of(&key)
                        .and_then(|i| rows.get(i))
                        .map(|r| r.student.to_string());
                    match pupil.and_then(|p| page.rows.iter_mut().find(|r| r.id == p)) {
                        Some(row) => {
                            page.errors.push(format!("{}: {message}", row.name));
                            row.error = message;
                        }
                        None => page.errors.push(format!("{key}: {message}")),
                    }
                }
                page
            });
            render_status(StatusCode::UNPROCESSABLE_ENTITY, page?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "finals/summary.html")]
struct SummaryPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    class_name: String,
    class_href: String,
    xlsx_href: String,
    /// Column headers under each subject: period names, then year, exam, итоговая.
    slot_names: Vec<String>,
    subjects: Vec<String>,
    /// (number, name, left, cells per subject per slot).
    students: Vec<(usize, String, bool, Vec<Vec<String>>)>,
}

async fn summary_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
) -> Result<Html<String>, PageError> {
    let s = state.app.summary_sheet(&user.who.principal, class).await?;
    let t = user.tr(&state);
    let slots = s.slots();
    let mut slot_names: Vec<String> = s.periods.iter().map(|p| period_label(&t, p)).collect();
    slot_names.extend(["finals-year", "finals-exam", "finals-final"].map(|k| t.get(k)));
    render(SummaryPage {
        class_name: s.class.name.clone(),
        class_href: format!("/school/classes/{class}"),
        xlsx_href: href(
            "/api/v1/summary-sheet",
            &(("class", class), ("format", "xlsx")),
        ),
        subjects: s.subjects.iter().map(|(_, n)| n.clone()).collect(),
        students: s
            .students
            .iter()
            .enumerate()
            .map(|(i, e)| {
                (
                    i + 1,
                    format!("{} {}", e.last_name, e.first_name),
                    e.to.is_some(),
                    s.row(e.student, &slots),
                )
            })
            .collect(),
        slot_names,
        nav: user.nav.clone(),
        t,
    })
}

#[derive(Template)]
#[template(path = "finals/risks.html")]
struct RisksPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    class_href: String,
    /// (pupil, subject, projected, average, risks, what it takes).
    rows: Vec<(String, String, String, String, String, String)>,
}

/// The class teacher's list of pupils at risk in the current period, with what it takes.
async fn risks_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(class): Path<GroupId>,
) -> Result<Html<String>, PageError> {
    let list = state.app.class_risks(&user.who.principal, class).await?;
    let t = user.tr(&state);
    let rows = list
        .into_iter()
        .map(|r| {
            let f = &r.subject.forecast;
            let risks = f
                .risks
                .iter()
                .map(|x| {
                    let code = serde_json::to_value(x)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    t.get(&format!("diary-risk-{code}"))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let (need, key) = match (&f.avoid_two, &f.next_up) {
                (Some(n), _) => (Some(n), "diary-forecast-avoid-two"),
                (None, Some(n)) => (Some(n), "diary-forecast-next-up"),
                _ => (None, ""),
            };
            let takes = need
                .map(|n| {
                    t.args(
                        key,
                        &[
                            ("target", i64::from(n.target).into()),
                            ("count", i64::from(n.count).into()),
                            ("value", i64::from(n.value).into()),
                            ("work", r.work.clone().into()),
                        ],
                    )
                })
                .unwrap_or_default();
            (
                r.name,
                r.subject.subject_name.clone(),
                f.projected
                    .map(|p| p.value.to_string())
                    .unwrap_or_else(|| "—".into()),
                tabel_present::average(t.lang, &r.subject.average),
                risks,
                takes,
            )
        })
        .collect();
    render(RisksPage {
        class_href: format!("/school/classes/{class}"),
        rows,
        nav: user.nav.clone(),
        t,
    })
}
