//! The deputy head's promotion pages: the hub (the next year, the orders, a new order), a draft
//! year's review with its confirmation, and an order: its pupils with the proposed outcome and
//! open debts, each outcome a select, the number and date, save and issue (sign). Forms post
//! and redirect (303); a refused one comes back (422) with the reasons.

use super::{line_edit, order_date};
use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::extracts::pages::pdf_response;
use crate::i18n::Tr;
use crate::paths::Path;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::promotion::{OrderEdit, OrderScope, OrderView};
use tabel_app::{AppError, FieldErrors};
use tabel_domain::promotion::Outcome;
use tabel_domain::{AcademicYearId, GroupId, PromotionOrderId, SchoolId};
use tabel_present::date;

pub(crate) fn router() -> Router<AppState> {
    let base = "/admin/{school}/promotion";
    Router::new()
        .route(base, get(hub))
        .route(&format!("{base}/next-year"), post(build_next_year))
        .route(&format!("{base}/years/{{year}}"), get(draft_year))
        .route(
            &format!("{base}/years/{{year}}/confirm"),
            post(confirm_year),
        )
        .route(&format!("{base}/orders"), post(start_order))
        .route(
            &format!("{base}/orders/{{order}}"),
            get(order).post(save_order),
        )
        .route(&format!("{base}/orders/{{order}}/amend"), post(amend_order))
        .route(&format!("{base}/orders/{{order}}/pdf"), get(order_pdf))
}

/// `?done=issued`
#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

impl Done {
    fn notice(&self, t: &Tr<'_>) -> Option<String> {
        self.done
            .as_deref()
            .filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '-') && d.len() < 32)
            .map(|d| t.get(&format!("promotion-done-{d}")))
    }
}

fn see_other(path: &str, done: &str) -> Response {
    crate::redirect::see_other(&crate::paths::href(path, &[("done", done)])).into_response()
}

fn errors_of(e: FieldErrors) -> Vec<(String, String)> {
    e.into_iter().collect()
}

fn outcome_name(t: &Tr<'_>, o: Outcome) -> String {
    t.get(&format!("promotion-outcome-{}", o.code()))
}

// ---------------------------------------------------------------------------------------- hub

struct YearRow {
    id: String,
    label: String,
    /// The next year exists.
    has_next: bool,
    draft: bool,
}

struct OrderRow {
    href: String,
    title: String,
    number: String,
    date: String,
    state: String,
    issued: bool,
}

#[derive(Template)]
#[template(path = "promotion/hub.html")]
struct HubPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    years: Vec<YearRow>,
    classes: Vec<(String, String)>,
    orders: Vec<OrderRow>,
}

async fn hub_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Result<HubPage<'s>, AppError> {
    let t = user.tr(state);
    let p = &user.who.principal;
    let (years, _) = state.app.year_list(p, school).await?;
    let mut rows = Vec::new();
    for (i, y) in years.iter().enumerate() {
        let draft = state.app.next_year_draft(p, school, y.year.id).await?.draft;
        rows.push(YearRow {
            id: y.year.id.to_string(),
            label: y.year.label.clone(),
            has_next: i > 0,
            draft,
        });
    }
    let classes = match state.app.class_list(p, school, None).await {
        Ok(v) => v
            .classes
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        Err(AppError::Invalid(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let orders = state
        .app
        .promotion_orders(p, school)
        .await?
        .into_iter()
        .map(|o| OrderRow {
            href: format!("/admin/{school}/promotion/orders/{}", o.id),
            title: match &o.class_name {
                Some(c) => c.clone(),
                None => format!("{} {}", o.grade, t.get("promotion-parallel")),
            },
            number: o.number.clone(),
            date: o.order_date.map(date).unwrap_or_default(),
            issued: o.state == "issued",
            state: t.get(&format!("promotion-state-{}", o.state)),
        })
        .collect();
    Ok(HubPage {
        nav: user.nav.clone(),
        school_id: school.to_string(),
        notice,
        errors,
        years: rows,
        classes,
        orders,
        t,
    })
}

async fn hub(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let notice = q.notice(&user.tr(&state));
    render(hub_page(&state, &user, school, notice, Vec::new()).await?)
}

async fn hub_refused(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let page = hub_page(state, user, school, None, errors_of(errors)).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

#[derive(Deserialize)]
struct YearForm {
    year_id: String,
}

async fn build_next_year(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<YearForm>,
) -> Result<Response, PageError> {
    let year: AcademicYearId = f
        .year_id
        .trim()
        .parse()
        .map_err(|_| PageError::not_found())?;
    let id = state
        .app
        .build_next_year(&user.who.principal, school, year, &user.client)
        .await?;
    Ok(see_other(
        &format!("/admin/{school}/promotion/years/{id}"),
        "built",
    ))
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    class_id: String,
    #[serde(default)]
    grade: String,
}

async fn start_order(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<StartForm>,
) -> Result<Response, PageError> {
    let scope = match (f.class_id.trim(), f.grade.trim()) {
        (c, "") if !c.is_empty() => c.parse::<GroupId>().ok().map(OrderScope::Class),
        ("", g) => g
            .parse::<u8>()
            .ok()
            .map(|grade| OrderScope::Parallel { grade, year: None }),
        _ => None,
    };
    let Some(scope) = scope else {
        let mut errors = FieldErrors::new();
        errors.insert(
            "class_id".into(),
            user.tr(&state).get("promotion-choose-scope"),
        );
        return hub_refused(&state, &user, school, errors).await;
    };
    match state
        .app
        .start_promotion_order(&user.who.principal, school, &scope, &user.client)
        .await
    {
        Ok(id) => Ok(see_other(
            &format!("/admin/{school}/promotion/orders/{id}"),
            "started",
        )),
        Err(AppError::Invalid(e)) => hub_refused(&state, &user, school, e).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------- the draft

#[derive(Template)]
#[template(path = "promotion/year.html")]
struct YearPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    notice: Option<String>,
    year_id: String,
    label: String,
    dates: String,
    built_from: String,
    draft: bool,
    confirmed_at: String,
    classes: Vec<(String, String)>,
    curriculum: Vec<(u8, i64, String)>,
    assignments: Vec<(String, String, String)>,
    waiting: String,
}

async fn draft_year(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, year)): Path<(SchoolId, AcademicYearId)>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let t = user.tr(&state);
    let v = state
        .app
        .next_year_draft(&user.who.principal, school, year)
        .await?;
    render(YearPage {
        nav: user.nav.clone(),
        school_id: school.to_string(),
        notice: q.notice(&t),
        year_id: year.to_string(),
        dates: format!("{} – {}", date(v.year.starts_on), date(v.year.ends_on)),
        label: v.year.label,
        built_from: v.built_from.map(|y| y.label).unwrap_or_default(),
        draft: v.draft,
        confirmed_at: v.confirmed_at.map(|at| date(at.date())).unwrap_or_default(),
        classes: v
            .classes
            .into_iter()
            .map(|c| (c.name, c.from.unwrap_or_default()))
            .collect(),
        curriculum: v
            .curriculum
            .into_iter()
            .map(|(g, lines, tenths)| {
                (
                    g,
                    lines,
                    format!("{},{}", tenths / 10, tenths % 10).replace(",0", ""),
                )
            })
            .collect(),
        assignments: v
            .assignments
            .into_iter()
            .map(|a| (a.class, a.subject, a.teacher))
            .collect(),
        waiting: match v.waiting {
            0 => String::new(),
            n => t.count("promotion-waiting", i64::try_from(n).unwrap_or(i64::MAX)),
        },
        t,
    })
}

async fn confirm_year(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, year)): Path<(SchoolId, AcademicYearId)>,
) -> Result<Response, PageError> {
    state
        .app
        .confirm_year(&user.who.principal, school, year, &user.client)
        .await?;
    Ok(see_other(
        &format!("/admin/{school}/promotion/years/{year}"),
        "confirmed",
    ))
}

// ---------------------------------------------------------------------------------- the order

struct LineRow {
    student_id: String,
    name: String,
    class: String,
    proposed: String,
    outcome: &'static str,
    debts: Vec<String>,
    left_on: String,
    basis: String,
    /// The outcome's name and the next class, for an issued order.
    result: String,
}

#[derive(Template)]
#[template(path = "promotion/order.html")]
struct OrderPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    order_id: String,
    title: String,
    year: String,
    state: String,
    may_edit: bool,
    may_amend: bool,
    amends: String,
    amended_by: String,
    number: String,
    order_date: String,
    version: i64,
    next_year: String,
    next_year_id: String,
    next_year_draft: bool,
    lines: Vec<LineRow>,
    outcomes: Vec<(&'static str, String)>,
}

fn order_page<'s>(
    state: &'s AppState,
    user: &PageUser,
    school: SchoolId,
    v: OrderView,
    (notice, errors): (Option<String>, Vec<(String, String)>),
) -> OrderPage<'s> {
    let t = user.tr(state);
    let o = &v.order;
    let lines = v
        .lines
        .iter()
        .map(|l| LineRow {
            student_id: l.student.to_string(),
            name: l.student_name.clone(),
            class: l.from_class_name.clone(),
            proposed: outcome_name(&t, l.proposed),
            outcome: l.outcome.code(),
            debts: l
                .debts
                .iter()
                .map(|d| {
                    format!(
                        "{} — {} {}",
                        d.subject,
                        t.get("promotion-until"),
                        date(d.deadline)
                    )
                })
                .collect(),
            left_on: l.left_on.map(|d| d.to_string()).unwrap_or_default(),
            basis: l.basis.clone(),
            result: match &l.to_class_name {
                Some(to) => format!("{} → {to}", outcome_name(&t, l.outcome)),
                None => outcome_name(&t, l.outcome),
            },
        })
        .collect();
    OrderPage {
        nav: user.nav.clone(),
        school_id: school.to_string(),
        notice,
        errors,
        order_id: o.id.to_string(),
        title: match &o.class_name {
            Some(c) => c.clone(),
            None => format!("{} {}", o.grade, t.get("promotion-parallel")),
        },
        year: v.year.label.clone(),
        state: t.get(&format!("promotion-state-{}", o.state)),
        may_edit: v.may_edit,
        may_amend: v.may_amend,
        amends: o.amends.map(|a| a.to_string()).unwrap_or_default(),
        amended_by: o.amended_by.map(|a| a.to_string()).unwrap_or_default(),
        number: o.number.clone(),
        order_date: o.order_date.map(|d| d.to_string()).unwrap_or_default(),
        version: o.version,
        next_year: v
            .next_year
            .as_ref()
            .map(|y| y.label.clone())
            .unwrap_or_default(),
        next_year_id: v
            .next_year
            .as_ref()
            .map(|y| y.id.to_string())
            .unwrap_or_default(),
        next_year_draft: v.next_year_draft,
        lines,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (o.code(), outcome_name(&t, *o)))
            .collect(),
        t,
    }
}

async fn order(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, PromotionOrderId)>,
    Query(q): Query<Done>,
) -> Result<Html<String>, PageError> {
    let v = state
        .app
        .promotion_order(&user.who.principal, school, id)
        .await?;
    let notice = q.notice(&user.tr(&state));
    render(order_page(&state, &user, school, v, (notice, Vec::new())))
}

async fn save_order(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, PromotionOrderId)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f: std::collections::HashMap<String, String> = form.iter().cloned().collect();
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let p = &user.who.principal;
    let mut errors = FieldErrors::new();
    let version: i64 = field("version").trim().parse().unwrap_or(-1);
    let students: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "student")
        .map(|(_, v)| v.as_str())
        .collect();
    let lines = students
        .iter()
        .filter_map(|s| {
            line_edit(
                &format!("outcome-{s}"),
                (
                    s,
                    field(&format!("outcome-{s}")),
                    field(&format!("left_on-{s}")),
                    field(&format!("basis-{s}")),
                ),
                &mut errors,
            )
        })
        .collect();
    let date = match order_date(field("order_date")) {
        Ok(d) => d,
        Err(AppError::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e.into()),
    };
    let result = if errors.is_empty() {
        let edit = OrderEdit {
            version,
            number: field("number").to_owned(),
            date,
            lines,
        };
        match state
            .app
            .edit_promotion_order(p, school, id, &edit, &user.client)
            .await
        {
            Ok(v) if field("action") == "issue" => state
                .app
                .issue_promotion_order(p, school, id, v, &user.client)
                .await
                .map(|()| "issued"),
            Ok(_) => Ok("saved"),
            Err(e) => Err(e),
        }
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(done) => Ok(see_other(
            &format!("/admin/{school}/promotion/orders/{id}"),
            done,
        )),
        Err(AppError::Invalid(e)) => {
            let v = state.app.promotion_order(p, school, id).await?;
            let page = order_page(&state, &user, school, v, (None, errors_of(e)));
            render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e.into()),
    }
}

async fn amend_order(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, PromotionOrderId)>,
) -> Result<Response, PageError> {
    let new = state
        .app
        .amend_promotion_order(&user.who.principal, school, id, &user.client)
        .await?;
    Ok(see_other(
        &format!("/admin/{school}/promotion/orders/{new}"),
        "started",
    ))
}

async fn order_pdf(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, id)): Path<(SchoolId, PromotionOrderId)>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .promotion_order_pdf(&user.who.principal, school, id)
        .await?;
    Ok(pdf_response(bytes, &format!("{name}.pdf"), true))
}
