//! Deferrals and academic debts: the deputy head opens a deferral of a final mark from the
//! journal's finals page (`/journal/{g}/{s}/finals/defer`), and keeps the school's desk
//! `/school/deferrals`: deferrals (overdue first, with "record the lapse"), debts (expired and
//! exhausted first) with their retakes, a retake form and an illness form that moves the
//! deadline. Everything works without JavaScript.

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::exams::pages::school_of;
use crate::extract::{Nav, PageUser};
use crate::finals::pages::{slot_of, slot_query};
use crate::i18n::Tr;
use crate::journal::pages::period_label;
use crate::paths::{Path, href, id, query};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::debts::{DebtLine, DeferralInput, DeferralLine, IllnessInput, RetakeInput};
use tabel_domain::finals::FinalValue;
use tabel_domain::finals::Slot;
use tabel_domain::school::Period;
use tabel_domain::{DebtId, DeferralId, GroupId, PersonId, SchoolId, SubjectId};
use tabel_present::date;
use time::Date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/journal/{group}/{subject}/finals/defer",
            get(defer_page).post(defer),
        )
        .route("/school/deferrals", get(desk_page))
        .route("/school/deferrals/{id}/lapse", post(lapse))
        .route("/school/debts/{id}/retake", post(retake))
        .route("/school/debts/{id}/illness", post(illness))
}

/// "1 четверть", "Год", "Экзамен", "Итоговая".
pub(crate) fn slot_label(t: &Tr<'_>, slot: Slot, periods: &[Period]) -> String {
    match slot {
        Slot::Period(p) => periods
            .iter()
            .find(|x| x.id == p)
            .map(|x| period_label(t, x))
            .unwrap_or_else(|| t.get("journal-period")),
        Slot::Year => t.get("finals-year"),
        Slot::Exam => t.get("finals-exam"),
        Slot::Final => t.get("finals-final"),
    }
}

/// A value's code as shown: `na` → `н/а`.
fn shown(code: &str) -> String {
    FinalValue::from_code(code).map_or_else(|| code.to_owned(), |v| v.to_string())
}

/// Parses a form's date (`2026-12-15`), naming the field when it is not one.
fn form_date(field: &str, raw: &str) -> Result<Date, AppError> {
    tabel_domain::exams::parse_date(raw.trim())
        .ok_or_else(|| AppError::invalid(field, "write the date as ДД.ММ.ГГГГ or pick it"))
}

#[derive(Template)]
#[template(path = "debts/defer.html")]
struct DeferPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    heading: String,
    pupil: String,
    action: String,
    back: String,
    starts_on: String,
    ends_on: String,
    basis: String,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct DeferQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    student: String,
}

#[derive(Deserialize, Default)]
struct DeferForm {
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    basis: String,
}

async fn defer_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    (group, subject, slot, student): (GroupId, SubjectId, Option<Slot>, PersonId),
    typed: &DeferForm,
) -> Result<DeferPage<'s>, AppError> {
    let t = user.tr(state);
    let sheet = state
        .app
        .finals_sheet(&user.who.principal, group, subject, slot)
        .await?;
    let v = &sheet.journal;
    sheet.require_planner()?;
    let row = sheet
        .rows
        .iter()
        .find(|r| r.entry.student == student)
        .ok_or(AppError::NotFound)?;
    let q = query(&(("period", slot_query(sheet.slot)), ("student", student)));
    let today = state.app.today();
    Ok(DeferPage {
        heading: format!(
            "{} · {} · {}",
            v.group.name,
            v.subject_name,
            slot_label(&t, sheet.slot, &v.periods)
        ),
        pupil: format!("{} {}", row.entry.last_name, row.entry.first_name),
        action: format!("/journal/{group}/{subject}/finals/defer{q}"),
        back: href(
            &format!("/journal/{group}/{subject}/finals"),
            &[("period", slot_query(sheet.slot))],
        ),
        starts_on: if typed.starts_on.is_empty() {
            today.to_string()
        } else {
            typed.starts_on.clone()
        },
        ends_on: typed.ends_on.clone(),
        basis: typed.basis.clone(),
        errors: Vec::new(),
        nav: user.nav.clone(),
        t,
    })
}

fn defer_ids(
    (group, subject): (GroupId, SubjectId),
    q: &DeferQuery,
) -> Result<(GroupId, SubjectId, Option<Slot>, PersonId), AppError> {
    Ok((group, subject, slot_of(&q.period)?, id(&q.student)?))
}

/// The form to open a deferral of a pupil's final mark.
async fn defer_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(journal): Path<(GroupId, SubjectId)>,
    Query(q): Query<DeferQuery>,
) -> Result<Html<String>, PageError> {
    let ids = defer_ids(journal, &q)?;
    render(defer_view(&state, &user, ids, &DeferForm::default()).await?)
}

/// Opens the deferral; back to the finals page, or the form again with what is wrong (422).
async fn defer(
    State(state): State<AppState>,
    user: PageUser,
    Path(journal): Path<(GroupId, SubjectId)>,
    Query(q): Query<DeferQuery>,
    Form(form): Form<DeferForm>,
) -> Result<Response, PageError> {
    let ids = match defer_ids(journal, &q) {
        Ok(ids) => ids,
        Err(e) => return Err(PageError::from(e)),
    };
    let (g, s, slot, student) = ids;
    let result = async {
        let input = DeferralInput {
            student,
            starts_on: form_date("starts_on", &form.starts_on)?,
            ends_on: form_date("ends_on", &form.ends_on)?,
            basis: form.basis.clone(),
        };
        state
            .app
            .open_deferral(&user.who.principal, (g, s, slot), &input, &user.client)
            .await
    }
    .await;
    match result {
        Ok(d) => Ok(crate::redirect::see_other(&href(
            &format!("/journal/{g}/{s}/finals"),
            &(("period", slot_query(d.slot)), ("saved", 1)),
        ))
        .into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = defer_view(&state, &user, ids, &form).await.map(|mut p| {
                p.errors = match e {
                    AppError::Invalid(errors) => errors.into_iter().collect(),
                    other => vec![(String::new(), other.to_string())],
                };
                p
            });
            render_status(status, page?)
        }
        Err(e) => Err(PageError::from(e)),
    }
}

/// A deferral as the desk lists it.
pub struct DeferralRow {
    /// Id.
    pub id: String,
    /// Pupil.
    pub pupil: String,
    /// Subject.
    pub subject: String,
    /// "1 четверть".
    pub slot: String,
    /// "01.11.2026 – 20.11.2026".
    pub dates: String,
    /// Basis.
    pub basis: String,
    /// "Идёт", "Истекла", "Отметка выставлена".
    pub state: String,
    /// Overdue.
    pub overdue: bool,
    /// The journal's finals page.
    pub finals_href: String,
    /// The lapse form (overdue only).
    pub lapse_action: String,
}

/// A debt as the desk lists it.
pub struct DebtRow {
    /// Id.
    pub id: String,
    /// Pupil.
    pub pupil: String,
    /// Subject.
    pub subject: String,
    /// Slot.
    pub slot: String,
    /// "н/а с 25.11.2026".
    pub arisen: String,
    /// "30.05.2027 (+10 дн. болезни)".
    pub deadline: String,
    /// "1) 15.09.2026 — 2 (комиссия)".
    pub retakes: Vec<String>,
    /// Stage label.
    pub state: String,
    /// Stage code.
    pub stage: &'static str,
    /// Retakes left (the forms show when > 0).
    pub attempts_left: i64,
    /// Version.
    pub version: i64,
    /// Forms.
    pub retake_action: String,
    /// Forms.
    pub illness_action: String,
}

#[derive(Template)]
#[template(path = "debts/desk.html")]
struct DeskPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    today: String,
    deferrals: Vec<DeferralRow>,
    debts: Vec<DebtRow>,
    errors: Vec<String>,
    notice: String,
}

#[derive(Deserialize, Default)]
struct DeskQuery {
    #[serde(default)]
    school: String,
    #[serde(default)]
    done: String,
}

pub(crate) fn deferral_row(
    t: &Tr<'_>,
    l: &DeferralLine,
    periods: &[Period],
    school_q: &str,
) -> DeferralRow {
    let d = &l.deferral;
    let state = match (l.state, l.stage) {
        (_, Some(stage)) => t.get(&format!("deferral-stage-{stage}")),
        (state, None) => t.get(&format!("deferral-state-{state}")),
    };
    DeferralRow {
        id: d.id.to_string(),
        pupil: d.student_name.clone(),
        subject: d.subject_name.clone(),
        slot: slot_label(t, d.slot, periods),
        dates: format!("{} – {}", date(d.starts_on), date(d.ends_on)),
        basis: d.basis.clone(),
        state,
        overdue: l.overdue(),
        finals_href: d
            .group
            .map(|g| {
                href(
                    &format!("/journal/{g}/{}/finals", d.subject),
                    &[("period", slot_query(d.slot))],
                )
            })
            .unwrap_or_default(),
        lapse_action: if l.overdue() {
            format!("/school/deferrals/{}/lapse{school_q}", d.id)
        } else {
            String::new()
        },
    }
}

pub(crate) fn debt_row(t: &Tr<'_>, l: &DebtLine, periods: &[Period], school_q: &str) -> DebtRow {
    let d = &l.debt;
    DebtRow {
        id: d.id.to_string(),
        pupil: d.student_name.clone(),
        subject: d.subject_name.clone(),
        slot: slot_label(t, d.slot, periods),
        arisen: t.args(
            "debt-arisen",
            &[
                ("value", shown(&d.arisen_value).into()),
                ("date", date(d.arisen_on).into()),
            ],
        ),
        deadline: if d.illness_days > 0 {
            t.args(
                "debt-deadline-ill",
                &[
                    ("date", date(d.deadline).into()),
                    ("days", d.illness_days.into()),
                ],
            )
        } else {
            date(d.deadline)
        },
        retakes: l
            .retakes
            .iter()
            .map(|r| {
                let mut s = format!("{}) {} — {}", r.attempt, date(r.on_date), shown(&r.value));
                if !r.note.is_empty() {
                    s.push_str(&format!(" ({})", r.note));
                }
                s
            })
            .collect(),
        state: t.get(&format!("debt-stage-{}", l.stage)),
        stage: l.stage,
        attempts_left: i64::from(l.attempts_left),
        version: d.version,
        retake_action: format!("/school/debts/{}/retake{school_q}", d.id),
        illness_action: format!("/school/debts/{}/illness{school_q}", d.id),
    }
}

async fn desk_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: Option<SchoolId>,
) -> Result<DeskPage<'s>, AppError> {
    let desk = state.app.debts_desk(&user.who.principal, school).await?;
    let t = user.tr(state);
    let school_q = query(&[("school", desk.school)]);
    Ok(DeskPage {
        today: date(desk.today),
        deferrals: desk
            .deferrals
            .iter()
            .map(|l| deferral_row(&t, l, &desk.periods, &school_q))
            .collect(),
        debts: desk
            .debts
            .iter()
            .map(|l| debt_row(&t, l, &desk.periods, &school_q))
            .collect(),
        errors: Vec::new(),
        notice: String::new(),
        nav: user.nav.clone(),
        t,
    })
}

/// The school's deferrals and debts.
async fn desk_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<DeskQuery>,
) -> Result<Html<String>, PageError> {
    let mut page = desk_view(&state, &user, school_of(&q.school)?).await?;
    if !q.done.is_empty() {
        page.notice = page.t.get("debts-saved");
    }
    render(page)
}

/// After a desk form: back to the desk, or the desk again with what went wrong.
async fn after_desk_form<T>(
    state: &AppState,
    user: &PageUser,
    q: &DeskQuery,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    let school = school_of(&q.school)?;
    let status = match &result {
        Ok(_) => {
            let back = href("/school/deferrals", &(("school", school), ("done", 1)));
            return Ok(crate::redirect::see_other(&back).into_response());
        }
        Err(AppError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        Err(AppError::Conflict(_) | AppError::Stale { .. }) => StatusCode::CONFLICT,
        Err(_) => StatusCode::OK,
    };
    let e = match result {
        Ok(_) => return Ok(StatusCode::OK.into_response()),
        Err(e) if status == StatusCode::OK => return Err(e.into()),
        Err(e) => e,
    };
    let page = desk_view(state, user, school).await.map(|mut p| {
        p.errors = match e {
            AppError::Invalid(errors) => errors.into_values().collect(),
            other => vec![other.to_string()],
        };
        p
    });
    render_status(status, page?)
}

/// Records the lapse of an overdue deferral: н/а and a debt.
async fn lapse(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<DeferralId>,
    Query(q): Query<DeskQuery>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .lapse_deferral(&user.who.principal, id, &user.client)
        .await;
    after_desk_form(&state, &user, &q, result).await
}

#[derive(Deserialize, Default)]
struct RetakeForm {
    #[serde(default)]
    on_date: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: String,
}

/// Records a retake.
async fn retake(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<DebtId>,
    Query(q): Query<DeskQuery>,
    Form(form): Form<RetakeForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = RetakeInput {
            on: form_date("on_date", &form.on_date)?,
            value: form.value.clone(),
            note: form.note.clone(),
            version: form.version.trim().parse().unwrap_or(0),
        };
        state
            .app
            .record_retake(&user.who.principal, id, &input, &user.client)
            .await
    }
    .await;
    after_desk_form(&state, &user, &q, result).await
}

#[derive(Deserialize, Default)]
struct IllnessForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    version: String,
}

/// Records an illness that moves a debt's deadline.
async fn illness(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<DebtId>,
    Query(q): Query<DeskQuery>,
    Form(form): Form<IllnessForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = IllnessInput {
            from: form_date("from", &form.from)?,
            to: form_date("to", &form.to)?,
            basis: form.basis.clone(),
            version: form.version.trim().parse().unwrap_or(0),
        };
        state
            .app
            .record_debt_illness(&user.who.principal, id, &input, &user.client)
            .await
    }
    .await;
    after_desk_form(&state, &user, &q, result).await
}
