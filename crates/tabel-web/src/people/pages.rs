//! `/admin/{school}/people…`: the search, a person's card with its forms (edit, relation,
//! arrival, leaving, move to another class) and the merge of two persons. Forms post and
//! redirect (303) on success; a refusal re-renders the page with the reasons (422, 409).

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser};
use crate::i18n::Tr;
use crate::paths::{Path, field_id, href};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::people::{
    Arrival, CardEdit, Leaving, MergePlan, NewPupil, PeopleQuery, PersonCard, PersonKind, Transfer,
    parse_date,
};
use tabel_domain::school::{GroupKind, Relation, Sex};
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_present::date;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/{school}/people", get(search).post(add_pupil))
        .route("/admin/{school}/people/merge", get(merge_form).post(merge))
        .route("/admin/{school}/people/{person}", get(card).post(edit))
        .route("/admin/{school}/people/{person}/relation", post(relation))
        .route("/admin/{school}/people/{person}/arrival", post(arrival))
        .route("/admin/{school}/people/{person}/leaving", post(leaving))
        .route("/admin/{school}/people/{person}/transfer", post(transfer))
}

/// The translated name of a kind of person.
fn kind_label(t: &Tr<'_>, k: PersonKind) -> String {
    t.get(&format!("people-kind-{}", k.code()))
}

/// A row of the search's results.
struct Row {
    href: String,
    name: String,
    kinds: String,
    class: String,
    born: String,
    left: String,
}

#[derive(Template)]
#[template(path = "people/search.html")]
struct SearchPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    q: String,
    kind: String,
    kinds: Vec<(String, String)>,
    rows: Vec<Row>,
    prev: Option<String>,
    next: Option<String>,
    classes: Vec<(String, String)>,
    sexes: Vec<(String, String)>,
    today: String,
    errors: Vec<(String, String)>,
    form: PupilForm,
}

/// The new pupil's form as typed (shown again with the reasons when refused).
#[derive(Deserialize, Default, Clone)]
struct PupilForm {
    last_name: String,
    first_name: String,
    #[serde(default)]
    middle_name: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    snils: String,
    #[serde(default)]
    school_number: String,
    on: String,
    class_id: String,
    #[serde(default)]
    from: String,
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
    kind: Option<String>,
    page: Option<String>,
}

/// The query's kind: empty is everyone; an unknown one is the field's error.
fn kind_of(raw: Option<&str>) -> Result<Option<PersonKind>, AppError> {
    match raw.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => PersonKind::from_code(k)
            .map(Some)
            .ok_or_else(|| AppError::invalid("kind", "use pupil, parent or staff")),
    }
}

/// A page number from a query string (from 0); anything else is the field's error.
pub(crate) fn page_of(raw: Option<&str>) -> Result<u32, AppError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(0),
        Some(p) => p
            .parse()
            .map_err(|_| AppError::invalid("page", "not a page number")),
    }
}

async fn search(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<SearchQuery>,
) -> Result<Html<String>, PageError> {
    render(search_page(&state, &user, school, q, Vec::new(), PupilForm::default()).await?)
}

async fn search_page<'a>(
    state: &'a AppState,
    user: &PageUser,
    school: SchoolId,
    q: SearchQuery,
    errors: Vec<(String, String)>,
    form: PupilForm,
) -> Result<SearchPage<'a>, PageError> {
    let t = user.tr(state);
    let query = PeopleQuery {
        q: q.q.clone().unwrap_or_default(),
        kind: kind_of(q.kind.as_deref())?,
        page: page_of(q.page.as_deref())?,
    };
    let found = state
        .app
        .find_people(&user.who.principal, school, &query)
        .await?;
    let kind = query.kind.map(PersonKind::code).unwrap_or_default();
    let link = |page: u32| {
        href(
            &format!("/admin/{school}/people"),
            &[
                ("q", query.q.as_str()),
                ("kind", kind),
                ("page", &page.to_string()),
            ],
        )
    };
    let rows = found
        .people
        .iter()
        .map(|f| Row {
            href: format!("/admin/{school}/people/{}", f.person.id),
            name: f.person.full_name(),
            kinds: f
                .kinds
                .iter()
                .map(|k| kind_label(&t, *k))
                .collect::<Vec<_>>()
                .join(", "),
            class: f.class.as_ref().map(|c| c.1.clone()).unwrap_or_default(),
            born: f.person.birth_date.map(date).unwrap_or_default(),
            left: f.left_on.map(date).unwrap_or_default(),
        })
        .collect();
    Ok(SearchPage {
        classes: found
            .classes
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect(),
        sexes: sexes(&t),
        today: date(state.app.today()),
        errors,
        form,
        school_id: school.to_string(),
        kinds: PersonKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), kind_label(&t, *k)))
            .collect(),
        kind: kind.to_owned(),
        rows,
        prev: (found.page > 0).then(|| link(found.page - 1)),
        next: found.more.then(|| link(found.page + 1)),
        q: query.q,
        nav: user.nav.clone(),
        t,
    })
}

fn sexes(t: &Tr<'_>) -> Vec<(String, String)> {
    [Sex::Male, Sex::Female]
        .iter()
        .map(|s| {
            (
                s.code().to_owned(),
                t.get(&format!("people-sex-{}", s.code())),
            )
        })
        .collect()
}

async fn add_pupil(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<PupilForm>,
) -> Result<Response, PageError> {
    let result = async {
        let n = NewPupil {
            last_name: f.last_name.clone(),
            first_name: f.first_name.clone(),
            middle_name: f.middle_name.clone(),
            sex: f.sex.clone(),
            birth_date: f.birth_date.clone(),
            snils: f.snils.clone(),
            school_number: f.school_number.clone(),
            arrival: Arrival {
                on: parse_date("on", &f.on)?,
                class: field_id::<GroupId>("class_id", &f.class_id)?,
                from: f.from.clone(),
            },
        };
        state
            .app
            .add_pupil(&user.who.principal, school, &n, &user.client)
            .await
    }
    .await;
    match result {
        Ok(person) => Ok(crate::redirect::see_other(&href(
            &format!("/admin/{school}/people/{person}"),
            &[("done", "arrived")],
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = search_page(
                &state,
                &user,
                school,
                SearchQuery::default(),
                errors.into_iter().collect(),
                f,
            )
            .await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e.into()),
    }
}

/// A membership as the card lists it.
struct MembershipRow {
    href: String,
    name: String,
    kind: String,
    from: String,
    to: String,
    current: bool,
}

/// A family link as the card lists it.
struct LinkRow {
    id: String,
    href: String,
    name: String,
    relation: String,
    relation_label: String,
    linked: bool,
}

#[derive(Template)]
#[template(path = "people/card.html")]
struct CardPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    id: String,
    name: String,
    kinds: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    last_name: String,
    first_name: String,
    middle_name: String,
    sex: String,
    birth_date: String,
    snils: String,
    login: String,
    pupil: bool,
    staff: bool,
    school_number: String,
    position: String,
    enrolled_on: String,
    arrived_from: String,
    left_on: String,
    left_to: String,
    order: String,
    memberships: Vec<MembershipRow>,
    parents: Vec<LinkRow>,
    children: Vec<LinkRow>,
    classes: Vec<(String, String)>,
    relations: Vec<(String, String)>,
    sexes: Vec<(String, String)>,
    today: String,
}

fn links(t: &Tr<'_>, school: SchoolId, list: &[tabel_app::people::LinkView]) -> Vec<LinkRow> {
    list.iter()
        .map(|l| LinkRow {
            id: l.other.id.to_string(),
            href: format!("/admin/{school}/people/{}", l.other.id),
            name: l.other.full_name(),
            relation: l.relation.code().to_owned(),
            relation_label: t.get(&format!("relation-{}", l.relation.code())),
            linked: l.linked,
        })
        .collect()
}

fn card_page<'a>(
    state: &'a AppState,
    user: &PageUser,
    c: PersonCard,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> CardPage<'a> {
    let t = user.tr(state);
    let school = c.school;
    let p = &c.person;
    let pupil = c.pupil.as_ref();
    CardPage {
        school_id: school.to_string(),
        id: p.id.to_string(),
        name: p.full_name(),
        kinds: c
            .kinds
            .iter()
            .map(|k| kind_label(&t, *k))
            .collect::<Vec<_>>()
            .join(", "),
        notice,
        errors,
        last_name: p.last_name.clone(),
        first_name: p.first_name.clone(),
        middle_name: p.middle_name.clone().unwrap_or_default(),
        sex: p.sex.code().to_owned(),
        birth_date: p.birth_date.map(date).unwrap_or_default(),
        snils: c
            .snils
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        login: c.login.clone().unwrap_or_default(),
        pupil: pupil.is_some(),
        staff: c.position.is_some(),
        school_number: pupil
            .and_then(|s| s.school_number.clone())
            .unwrap_or_default(),
        position: c.position.clone().unwrap_or_default(),
        enrolled_on: pupil.map(|s| date(s.enrolled_on)).unwrap_or_default(),
        arrived_from: pupil
            .and_then(|s| s.arrived_from.clone())
            .unwrap_or_default(),
        left_on: pupil.and_then(|s| s.left_on).map(date).unwrap_or_default(),
        left_to: pupil.and_then(|s| s.left_to.clone()).unwrap_or_default(),
        order: pupil
            .and_then(|s| {
                s.leaving_order_number
                    .as_ref()
                    .zip(s.leaving_order_date)
                    .map(|(n, d)| {
                        t.args(
                            "people-order-of",
                            &[("number", n.clone().into()), ("date", date(d).into())],
                        )
                    })
            })
            .unwrap_or_default(),
        memberships: c
            .memberships
            .iter()
            .map(|m| MembershipRow {
                href: if m.kind == GroupKind::Class {
                    format!("/school/classes/{}", m.group)
                } else {
                    String::new()
                },
                name: m.name.clone(),
                kind: t.get(&format!("people-group-{}", m.kind.code())),
                from: date(m.starts_on),
                to: m.ends_on.map(date).unwrap_or_default(),
                current: m.current,
            })
            .collect(),
        parents: links(&t, school, &c.parents),
        children: links(&t, school, &c.children),
        classes: c
            .classes
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect(),
        relations: Relation::ALL
            .iter()
            .map(|r| {
                (
                    r.code().to_owned(),
                    t.get(&format!("relation-{}", r.code())),
                )
            })
            .collect(),
        sexes: [Sex::Male, Sex::Female]
            .iter()
            .map(|s| {
                (
                    s.code().to_owned(),
                    t.get(&format!("people-sex-{}", s.code())),
                )
            })
            .collect(),
        today: date(state.app.today()),
        nav: user.nav.clone(),
        t,
    }
}

#[derive(Deserialize, Default)]
struct CardQuery {
    done: Option<String>,
}

async fn card(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    Query(q): Query<CardQuery>,
) -> Result<Html<String>, PageError> {
    let c = state
        .app
        .person_card(&user.who.principal, school, person)
        .await?;
    let notice = q
        .done
        .as_deref()
        .filter(|d| ["saved", "arrived", "left", "transferred", "merged"].contains(d))
        .map(|d| user.tr(&state).get(&format!("people-done-{d}")));
    render(card_page(&state, &user, c, notice, Vec::new()))
}

/// After a form: 303 to the card with a notice, or the card again with the reasons.
async fn after_form(
    state: &AppState,
    user: &PageUser,
    school: SchoolId,
    person: PersonId,
    result: Result<(), AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let (status, errors) = match result {
        Ok(()) => {
            return Ok(crate::redirect::see_other(&href(
                &format!("/admin/{school}/people/{person}"),
                &[("done", done)],
            ))
            .into_response());
        }
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.into_iter().collect(),
        ),
        Err(AppError::Conflict(why)) => (StatusCode::CONFLICT, vec![(String::new(), why)]),
        Err(e) => return Err(e.into()),
    };
    let c = state
        .app
        .person_card(&user.who.principal, school, person)
        .await?;
    render_status(status, card_page(state, user, c, None, errors))
}

#[derive(Deserialize)]
struct EditForm {
    last_name: String,
    first_name: String,
    #[serde(default)]
    middle_name: String,
    sex: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    snils: String,
    school_number: Option<String>,
    position: Option<String>,
}

async fn edit(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    Form(f): Form<EditForm>,
) -> Result<Response, PageError> {
    let edit = CardEdit {
        last_name: Some(f.last_name),
        first_name: Some(f.first_name),
        middle_name: Some(f.middle_name),
        sex: Some(f.sex),
        birth_date: Some(f.birth_date),
        snils: Some(f.snils),
        school_number: f.school_number,
        position: f.position,
    };
    let result = state
        .app
        .update_person(&user.who.principal, school, person, &edit, &user.client)
        .await;
    after_form(&state, &user, school, person, result, "saved").await
}

#[derive(Deserialize)]
struct RelationForm {
    parent_id: String,
    relation: String,
}

async fn relation(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    Form(f): Form<RelationForm>,
) -> Result<Response, PageError> {
    let result = async {
        let parent: PersonId = field_id("parent_id", &f.parent_id)?;
        let relation = Relation::from_code(f.relation.trim())
            .map_err(|_| AppError::invalid("relation", "unknown relation"))?;
        state
            .app
            .set_relation(
                &user.who.principal,
                school,
                person,
                parent,
                relation,
                &user.client,
            )
            .await
    }
    .await;
    after_form(&state, &user, school, person, result, "saved").await
}

#[derive(Deserialize)]
struct ArrivalForm {
    on: String,
    class_id: String,
    #[serde(default)]
    from: String,
}

async fn arrival(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    Form(f): Form<ArrivalForm>,
) -> Result<Response, PageError> {
    let result = async {
        let a = Arrival {
            on: parse_date("on", &f.on)?,
            class: field_id::<GroupId>("class_id", &f.class_id)?,
            from: f.from.clone(),
        };
        state
            .app
            .arrive(&user.who.principal, school, person, &a, &user.client)
            .await
    }
    .await;
    after_form(&state, &user, school, person, result, "arrived").await
}

#[derive(Deserialize)]
struct LeavingForm {
    last_day: String,
    to: String,
    order_number: String,
    order_date: String,
}

async fn leaving(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    Form(f): Form<LeavingForm>,
) -> Result<Response, PageError> {
    let result = async {
        let l = Leaving {
            last_day: parse_date("last_day", &f.last_day)?,
            to: f.to.clone(),
            order_number: f.order_number.clone(),
            order_date: parse_date("order_date", &f.order_date)?,
        };
        state
            .app
            .leave(&user.who.principal, school, person, &l, &user.client)
            .await
    }
    .await;
    after_form(&state, &user, school, person, result, "left").await
}

#[derive(Deserialize)]
struct TransferForm {
    class_id: String,
    from: String,
}

async fn transfer(
    State(state): State<AppState>,
    user: PageUser,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    Form(f): Form<TransferForm>,
) -> Result<Response, PageError> {
    let result = async {
        let tr = Transfer {
            class: field_id::<GroupId>("class_id", &f.class_id)?,
            from: parse_date("from", &f.from)?,
        };
        state
            .app
            .transfer(&user.who.principal, school, person, &tr, &user.client)
            .await
    }
    .await;
    after_form(&state, &user, school, person, result, "transferred").await
}

/// One side of a merge as the page shows it.
struct PartyView {
    id: String,
    href: String,
    name: String,
    born: String,
    login: String,
    references: Vec<(String, i64)>,
}

#[derive(Template)]
#[template(path = "people/merge.html")]
struct MergePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    school_id: String,
    keep: String,
    duplicate: String,
    q: String,
    found: Vec<(String, String, String)>,
    /// Both sides of the preview, titled (empty: no preview).
    parties: Vec<(String, PartyView)>,
    plan_keep: String,
    plan_duplicate: String,
    conflicts: Vec<String>,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct MergeQuery {
    keep: Option<String>,
    duplicate: Option<String>,
    q: Option<String>,
}

fn party_view(school: SchoolId, p: &tabel_app::people::MergeParty) -> PartyView {
    PartyView {
        id: p.person.id.to_string(),
        href: format!("/admin/{school}/people/{}", p.person.id),
        name: p.person.full_name(),
        born: p.person.birth_date.map(date).unwrap_or_default(),
        login: p.login.clone().unwrap_or_default(),
        references: p.references.clone(),
    }
}

async fn merge_page<'a>(
    state: &'a AppState,
    user: &PageUser,
    school: SchoolId,
    q: MergeQuery,
    plan: Result<Option<MergePlan>, AppError>,
) -> Result<(StatusCode, MergePage<'a>), PageError> {
    let query = q.q.clone().unwrap_or_default();
    // The search checks the right to be here even when nothing is asked.
    let found = state
        .app
        .find_people(
            &user.who.principal,
            school,
            &PeopleQuery {
                q: query.clone(),
                kind: None,
                page: 0,
            },
        )
        .await?;
    let found = if query.trim().is_empty() {
        Vec::new()
    } else {
        found
            .people
            .iter()
            .map(|f| {
                (
                    f.person.id.to_string(),
                    f.person.full_name(),
                    f.person.birth_date.map(date).unwrap_or_default(),
                )
            })
            .collect()
    };
    let (status, plan, errors) = match plan {
        Ok(plan) => (StatusCode::OK, plan, Vec::new()),
        Err(AppError::Invalid(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            e.into_iter().collect(),
        ),
        Err(e) => return Err(e.into()),
    };
    let conflicts = plan
        .as_ref()
        .map(|p| p.conflicts.clone())
        .unwrap_or_default();
    let status = if conflicts.is_empty() {
        status
    } else {
        StatusCode::CONFLICT
    };
    let t = user.tr(state);
    let parties = plan
        .as_ref()
        .map(|p| {
            vec![
                (t.get("people-keep"), party_view(school, &p.keep)),
                (t.get("people-duplicate"), party_view(school, &p.duplicate)),
            ]
        })
        .unwrap_or_default();
    Ok((
        status,
        MergePage {
            plan_keep: plan
                .as_ref()
                .map(|p| p.keep.person.id.to_string())
                .unwrap_or_default(),
            plan_duplicate: plan
                .as_ref()
                .map(|p| p.duplicate.person.id.to_string())
                .unwrap_or_default(),
            parties,
            t,
            nav: user.nav.clone(),
            school_id: school.to_string(),
            keep: q.keep.unwrap_or_default(),
            duplicate: q.duplicate.unwrap_or_default(),
            q: query,
            found,
            conflicts,
            errors,
        },
    ))
}

/// The two ids of a merge, each the field's error when it does not parse.
fn merge_ids(keep: &str, duplicate: &str) -> Result<(PersonId, PersonId), AppError> {
    let mut errors = tabel_app::FieldErrors::new();
    let keep = field_id::<PersonId>("keep_id", keep)
        .map_err(|_| errors.insert("keep_id".into(), "not a person's number".into()))
        .ok();
    let dup = field_id::<PersonId>("duplicate_id", duplicate)
        .map_err(|_| errors.insert("duplicate_id".into(), "not a person's number".into()))
        .ok();
    match (keep, dup) {
        (Some(k), Some(d)) => Ok((k, d)),
        _ => Err(AppError::Invalid(errors)),
    }
}

async fn merge_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<MergeQuery>,
) -> Result<Response, PageError> {
    let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let plan = if given(&q.keep) && given(&q.duplicate) {
        match merge_ids(
            q.keep.as_deref().unwrap_or_default(),
            q.duplicate.as_deref().unwrap_or_default(),
        ) {
            Ok((keep, dup)) => state
                .app
                .merge_preview(&user.who.principal, school, keep, dup)
                .await
                .map(Some),
            Err(e) => Err(e),
        }
    } else {
        Ok(None)
    };
    let (status, page) = merge_page(&state, &user, school, q, plan).await?;
    // A preview that cannot go on is still a page to read: its status says so.
    let status = if status == StatusCode::CONFLICT {
        StatusCode::OK
    } else {
        status
    };
    render_status(status, page)
}

#[derive(Deserialize)]
struct MergeForm {
    keep_id: String,
    duplicate_id: String,
}

async fn merge(
    State(state): State<AppState>,
    user: PageUser,
    Path(school): Path<SchoolId>,
    Form(f): Form<MergeForm>,
) -> Result<Response, PageError> {
    let result = match merge_ids(&f.keep_id, &f.duplicate_id) {
        Ok((keep, dup)) => state
            .app
            .merge_people(&user.who.principal, school, keep, dup, &user.client)
            .await
            .map(|_| keep),
        Err(e) => Err(e),
    };
    let q = MergeQuery {
        keep: Some(f.keep_id.clone()),
        duplicate: Some(f.duplicate_id.clone()),
        q: None,
    };
    match result {
        Ok(keep) => Ok(crate::redirect::see_other(&href(
            &format!("/admin/{school}/people/{keep}"),
            &[("done", "merged")],
        ))
        .into_response()),
        Err(AppError::Conflict(_)) => {
            // Show why, from a fresh preview (nothing was written).
            let (keep, dup) = merge_ids(&f.keep_id, &f.duplicate_id)?;
            let plan = state
                .app
                .merge_preview(&user.who.principal, school, keep, dup)
                .await
                .map(Some);
            let (_, page) = merge_page(&state, &user, school, q, plan).await?;
            render_status(StatusCode::CONFLICT, page)
        }
        Err(e @ AppError::Invalid(_)) => {
            let (status, page) = merge_page(&state, &user, school, q, Err(e)).await?;
            render_status(status, page)
        }
        Err(e) => Err(e.into()),
    }
}
