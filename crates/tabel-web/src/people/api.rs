//! The school's people through the JSON API (administrators of the school): the search, a
//! person's card and its edit, the relation of a parent, a pupil's arrival, leaving and move to
//! another class, and the merge of two persons (a preview, then the merge).

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::{Path, field_id};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tabel_app::AppError;
use tabel_app::people::{
    Arrival, CardEdit, Leaving, MergeParty, MergePlan, NewPupil, PeopleQuery, PersonCard,
    PersonKind, Transfer, parse_date,
};
use tabel_domain::school::{PersonSummary, Relation};
use tabel_domain::{GroupId, PersonId, SchoolId};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(search, create))
        .routes(routes!(merge_preview, merge))
        .routes(routes!(card, edit))
        .routes(routes!(relation))
        .routes(routes!(arrival))
        .routes(routes!(leaving))
        .routes(routes!(transfer))
}

/// A person's name and birth date.
#[derive(Serialize, ToSchema)]
#[schema(as = PeoplePersonDto)]
struct PersonDto {
    id: String,
    last_name: String,
    first_name: String,
    middle_name: Option<String>,
    full_name: String,
    /// `m` or `f`.
    sex: String,
    birth_date: Option<String>,
}

impl From<&PersonSummary> for PersonDto {
    fn from(p: &PersonSummary) -> Self {
        PersonDto {
            id: p.id.to_string(),
            last_name: p.last_name.clone(),
            first_name: p.first_name.clone(),
            middle_name: p.middle_name.clone(),
            full_name: p.full_name(),
            sex: p.sex.code().to_owned(),
            birth_date: p.birth_date.map(|d| d.to_string()),
        }
    }
}

/// A person found.
#[derive(Serialize, ToSchema)]
struct FoundDto {
    #[serde(flatten)]
    person: PersonDto,
    /// `pupil`, `parent`, `staff`.
    kinds: Vec<String>,
    class_id: Option<String>,
    class: Option<String>,
    left_on: Option<String>,
}

/// A page of people.
#[derive(Serialize, ToSchema)]
struct FoundPage {
    people: Vec<FoundDto>,
    page: u32,
    /// Whether `page + 1` has more.
    more: bool,
}

/// `?q=ёлк&kind=pupil&page=0`
#[derive(Deserialize, IntoParams)]
struct SearchParams {
    /// Words of the name, each the beginning of a word of the surname, name or patronymic (case
    /// and ё ignored); empty lists everyone. At most 100 characters.
    q: Option<String>,
    /// `pupil`, `parent` or `staff`.
    kind: Option<String>,
    /// The page, from 0 (50 people a page).
    page: Option<String>,
}

fn kind_param(raw: Option<&str>) -> Result<Option<PersonKind>, ApiError> {
    match raw.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => PersonKind::from_code(k)
            .map(Some)
            .ok_or_else(|| ApiError::field("kind", "use pupil, parent or staff")),
    }
}

/// Finds the school's people by name (administrators of the school).
#[utoipa::path(get, path = "/api/v1/schools/{id}/people", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), SearchParams),
    responses((status = 200, body = FoundPage), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn search(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<SearchParams>,
) -> Result<Json<FoundPage>, ApiError> {
    let query = PeopleQuery {
        q: q.q.unwrap_or_default(),
        kind: kind_param(q.kind.as_deref())?,
        page: super::pages::page_of(q.page.as_deref())?,
    };
    let found = state
        .app
        .find_people(&who.principal, school, &query)
        .await?;
    Ok(Json(FoundPage {
        people: found
            .people
            .iter()
            .map(|f| FoundDto {
                person: PersonDto::from(&f.person),
                kinds: f.kinds.iter().map(|k| k.code().to_owned()).collect(),
                class_id: f.class.as_ref().map(|c| c.0.to_string()),
                class: f.class.as_ref().map(|c| c.1.clone()),
                left_on: f.left_on.map(|d| d.to_string()),
            })
            .collect(),
        page: found.page,
        more: found.more,
    }))
}

/// A pupil new to the school and their arrival.
#[derive(Deserialize, ToSchema)]
struct NewPupilBody {
    last_name: String,
    first_name: String,
    #[serde(default)]
    middle_name: String,
    /// `m`/`f` (or «м»/«ж»); may be left out when the patronymic says it.
    #[serde(default)]
    sex: String,
    /// ISO, not in the future.
    #[serde(default)]
    birth_date: String,
    /// 11 digits, checked.
    #[serde(default)]
    snils: String,
    /// The school's own number, unique in the school.
    #[serde(default)]
    school_number: String,
    /// The first day at school (ISO).
    on: String,
    /// The class from that day.
    class_id: String,
    /// Where from.
    #[serde(default)]
    from: String,
}

/// The person made.
#[derive(Serialize, ToSchema)]
#[schema(as = PeopleCreated)]
struct Created {
    id: String,
}

/// A pupil new to the school arrives (administrators of the school): the person, the pupil's
/// record and the class from the day; audited as `pupil.arrive`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/people", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    request_body = NewPupilBody,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<NewPupilBody>,
) -> Result<Response, ApiError> {
    let n = NewPupil {
        last_name: b.last_name,
        first_name: b.first_name,
        middle_name: b.middle_name,
        sex: b.sex,
        birth_date: b.birth_date,
        snils: b.snils,
        school_number: b.school_number,
        arrival: Arrival {
            on: parse_date("on", &b.on)?,
            class: field_id::<GroupId>("class_id", &b.class_id)?,
            from: b.from,
        },
    };
    let id = state
        .app
        .add_pupil(&who.principal, school, &n, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.to_string() })).into_response())
}

/// A pupil's school record.
#[derive(Serialize, ToSchema)]
#[schema(as = PeoplePupilDto)]
struct PupilDto {
    school_number: Option<String>,
    enrolled_on: String,
    arrived_from: Option<String>,
    left_on: Option<String>,
    left_to: Option<String>,
    leaving_order_number: Option<String>,
    leaving_order_date: Option<String>,
}

/// A membership with its dates.
#[derive(Serialize, ToSchema)]
#[schema(as = PeopleMembershipDto)]
struct MembershipDto {
    group_id: String,
    name: String,
    /// `class`, `subgroup`, `stream`, `individual`.
    kind: String,
    starts_on: String,
    ends_on: Option<String>,
    current: bool,
}

/// A family link.
#[derive(Serialize, ToSchema)]
struct LinkDto {
    person: PersonDto,
    /// `mother`, `father`, `guardian`, `trustee`, `other`.
    relation: String,
    /// Linked; else invited (the letter's code not yet redeemed).
    linked: bool,
}

/// A person's card.
#[derive(Serialize, ToSchema)]
struct CardDto {
    #[serde(flatten)]
    person: PersonDto,
    /// 11 digits.
    snils: Option<String>,
    kinds: Vec<String>,
    pupil: Option<PupilDto>,
    memberships: Vec<MembershipDto>,
    parents: Vec<LinkDto>,
    children: Vec<LinkDto>,
    position: Option<String>,
    login: Option<String>,
}

fn links(list: &[tabel_app::people::LinkView]) -> Vec<LinkDto> {
    list.iter()
        .map(|l| LinkDto {
            person: PersonDto::from(&l.other),
            relation: l.relation.code().to_owned(),
            linked: l.linked,
        })
        .collect()
}

impl From<PersonCard> for CardDto {
    fn from(c: PersonCard) -> Self {
        let iso = |d: time::Date| d.to_string();
        CardDto {
            person: PersonDto::from(&c.person),
            snils: c.snils.map(|s| s.as_str().to_owned()),
            kinds: c.kinds.iter().map(|k| k.code().to_owned()).collect(),
            pupil: c.pupil.map(|s| PupilDto {
                school_number: s.school_number,
                enrolled_on: iso(s.enrolled_on),
                arrived_from: s.arrived_from,
                left_on: s.left_on.map(iso),
                left_to: s.left_to,
                leaving_order_number: s.leaving_order_number,
                leaving_order_date: s.leaving_order_date.map(iso),
            }),
            memberships: c
                .memberships
                .iter()
                .map(|m| MembershipDto {
                    group_id: m.group.to_string(),
                    name: m.name.clone(),
                    kind: m.kind.code().to_owned(),
                    starts_on: iso(m.starts_on),
                    ends_on: m.ends_on.map(iso),
                    current: m.current,
                })
                .collect(),
            parents: links(&c.parents),
            children: links(&c.children),
            position: c.position,
            login: c.login,
        }
    }
}

/// A person's card (administrators of the school).
#[utoipa::path(get, path = "/api/v1/schools/{id}/people/{person}", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("person" = String, Path, description = "The person")),
    responses((status = 200, body = CardDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn card(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path((school, person)): Path<(SchoolId, PersonId)>,
) -> Result<Json<CardDto>, ApiError> {
    let c = state
        .app
        .person_card(&who.principal, school, person)
        .await?;
    Ok(Json(CardDto::from(c)))
}

/// A card's edit: the fields given change, the others stay; an empty optional one is cleared.
#[derive(Deserialize, ToSchema)]
struct EditBody {
    last_name: Option<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    /// `m`/`f` (or «м»/«ж»).
    sex: Option<String>,
    /// ISO date, not in the future.
    birth_date: Option<String>,
    /// 11 digits, with or without dashes; the check number is checked.
    snils: Option<String>,
    /// Pupils only; unique in the school.
    school_number: Option<String>,
    /// Staff only.
    position: Option<String>,
}

/// Edits a person's card (administrators of the school); audited as `person.update`. The
/// answer is the card as it now is.
#[utoipa::path(put, path = "/api/v1/schools/{id}/people/{person}", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("person" = String, Path, description = "The person")),
    request_body = EditBody,
    responses((status = 200, body = CardDto), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn edit(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    ApiJson(b): ApiJson<EditBody>,
) -> Result<Json<CardDto>, ApiError> {
    let edit = CardEdit {
        last_name: b.last_name,
        first_name: b.first_name,
        middle_name: b.middle_name,
        sex: b.sex,
        birth_date: b.birth_date,
        snils: b.snils,
        school_number: b.school_number,
        position: b.position,
    };
    state
        .app
        .update_person(&who.principal, school, person, &edit, &client)
        .await?;
    let c = state
        .app
        .person_card(&who.principal, school, person)
        .await?;
    Ok(Json(CardDto::from(c)))
}

/// How a parent is related to the pupil.
#[derive(Deserialize, ToSchema)]
struct RelationBody {
    /// `mother`, `father`, `guardian`, `trustee`, `other` (or «мать», «отец» …).
    relation: String,
}

/// Changes how a legal representative (linked or invited) is related to a pupil
/// (administrators of the school); audited as `person.update` of the parent.
#[utoipa::path(put, path = "/api/v1/schools/{id}/people/{person}/parents/{parent}", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("person" = String, Path, description = "The pupil"),
        ("parent" = String, Path, description = "The parent")),
    request_body = RelationBody,
    responses((status = 204, description = "Changed"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn relation(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, person, parent)): Path<(SchoolId, PersonId, PersonId)>,
    ApiJson(b): ApiJson<RelationBody>,
) -> Result<StatusCode, ApiError> {
    let relation = Relation::from_code(b.relation.trim())
        .ok()
        .or_else(|| tabel_domain::setup::values::relation(&b.relation).ok())
        .ok_or_else(|| {
            ApiError::field("relation", "use mother, father, guardian, trustee or other")
        })?;
    state
        .app
        .set_relation(&who.principal, school, person, parent, relation, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An arrival.
#[derive(Deserialize, ToSchema)]
struct ArrivalBody {
    /// The first day at school (ISO).
    on: String,
    /// The class from that day.
    class_id: String,
    /// Where from (another school …), at most 200 characters.
    #[serde(default)]
    from: String,
}

/// A pupil arrives: enrolled and a member of the class from the date (administrators of the
/// school); audited as `pupil.arrive`. 409 when the pupil is in a class on that day already.
#[utoipa::path(post, path = "/api/v1/schools/{id}/people/{person}/arrival", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("person" = String, Path, description = "The pupil")),
    request_body = ArrivalBody,
    responses((status = 204, description = "Recorded"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn arrival(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    ApiJson(b): ApiJson<ArrivalBody>,
) -> Result<StatusCode, ApiError> {
    let a = Arrival {
        on: parse_date("on", &b.on)?,
        class: field_id::<GroupId>("class_id", &b.class_id)?,
        from: b.from,
    };
    state
        .app
        .arrive(&who.principal, school, person, &a, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A leaving.
#[derive(Deserialize, ToSchema)]
struct LeavingBody {
    /// The last day at school (ISO).
    last_day: String,
    /// Where to.
    to: String,
    order_number: String,
    /// ISO, not in the future.
    order_date: String,
}

/// A pupil leaves (administrators of the school): every membership running on the last day ends
/// on it; audited as `pupil.leave`. 409 when the pupil has left already.
#[utoipa::path(post, path = "/api/v1/schools/{id}/people/{person}/leaving", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("person" = String, Path, description = "The pupil")),
    request_body = LeavingBody,
    responses((status = 204, description = "Recorded"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn leaving(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    ApiJson(b): ApiJson<LeavingBody>,
) -> Result<StatusCode, ApiError> {
    let mut errors = tabel_app::FieldErrors::new();
    let last_day = parse_date("last_day", &b.last_day)
        .map_err(|e| collect(&mut errors, e))
        .ok();
    let order_date = parse_date("order_date", &b.order_date)
        .map_err(|e| collect(&mut errors, e))
        .ok();
    let (Some(last_day), Some(order_date)) = (last_day, order_date) else {
        return Err(AppError::Invalid(errors).into());
    };
    let l = Leaving {
        last_day,
        to: b.to,
        order_number: b.order_number,
        order_date,
    };
    state
        .app
        .leave(&who.principal, school, person, &l, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn collect(into: &mut tabel_app::FieldErrors, e: AppError) {
    if let AppError::Invalid(more) = e {
        into.extend(more);
    }
}

/// A move to another class.
#[derive(Deserialize, ToSchema)]
struct TransferBody {
    /// The new class, of the same year.
    class_id: String,
    /// The first day in the new class (ISO).
    from: String,
}

/// Moves a pupil to another class of the year from a date (administrators of the school): the
/// old class and its subgroups end the day before; audited as `pupil.transfer`.
#[utoipa::path(post, path = "/api/v1/schools/{id}/people/{person}/transfer", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), ("person" = String, Path, description = "The pupil")),
    request_body = TransferBody,
    responses((status = 204, description = "Moved"), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transfer(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path((school, person)): Path<(SchoolId, PersonId)>,
    ApiJson(b): ApiJson<TransferBody>,
) -> Result<StatusCode, ApiError> {
    let t = Transfer {
        class: field_id::<GroupId>("class_id", &b.class_id)?,
        from: parse_date("from", &b.from)?,
    };
    state
        .app
        .transfer(&who.principal, school, person, &t, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One side of a merge.
#[derive(Serialize, ToSchema)]
struct PartyDto {
    person: PersonDto,
    pupil: bool,
    staff: bool,
    login: Option<String>,
    /// Rows naming the person: `table.column` → count.
    references: std::collections::BTreeMap<String, i64>,
}

impl From<&MergeParty> for PartyDto {
    fn from(p: &MergeParty) -> Self {
        PartyDto {
            person: PersonDto::from(&p.person),
            pupil: p.pupil,
            staff: p.staff,
            login: p.login.clone(),
            references: p.references.iter().cloned().collect(),
        }
    }
}

/// What a merge moves, and what forbids it.
#[derive(Serialize, ToSchema)]
#[schema(as = MergePlanDto)]
struct PlanDto {
    keep: PartyDto,
    duplicate: PartyDto,
    /// Empty: it can be done.
    conflicts: Vec<String>,
}

impl From<&MergePlan> for PlanDto {
    fn from(p: &MergePlan) -> Self {
        PlanDto {
            keep: PartyDto::from(&p.keep),
            duplicate: PartyDto::from(&p.duplicate),
            conflicts: p.conflicts.clone(),
        }
    }
}

/// `?keep=&duplicate=`
#[derive(Deserialize, IntoParams)]
struct MergeParams {
    /// The person kept.
    keep: String,
    /// The person merged into it and removed.
    duplicate: String,
}

fn merge_ids(keep: &str, dup: &str) -> Result<(PersonId, PersonId), ApiError> {
    Ok((field_id("keep", keep)?, field_id("duplicate", dup)?))
}

/// What merging `duplicate` into `keep` would move and what forbids it (administrators).
#[utoipa::path(get, path = "/api/v1/schools/{id}/people/merge", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school"), MergeParams),
    responses((status = 200, body = PlanDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn merge_preview(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(school): Path<SchoolId>,
    Query(q): Query<MergeParams>,
) -> Result<Json<PlanDto>, ApiError> {
    let (keep, dup) = merge_ids(&q.keep, &q.duplicate)?;
    let plan = state
        .app
        .merge_preview(&who.principal, school, keep, dup)
        .await?;
    Ok(Json(PlanDto::from(&plan)))
}

/// A merge.
#[derive(Deserialize, ToSchema)]
struct MergeBody {
    keep: String,
    duplicate: String,
}

/// Merges `duplicate` into `keep` (administrators): every row naming the duplicate moves, then
/// it is removed, in one transaction; audited as `person.merge`. 409 naming the conflicts (both
/// have accounts, marks on the same lesson, memberships of the same group on the same dates …).
#[utoipa::path(post, path = "/api/v1/schools/{id}/people/merge", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, description = "The school")),
    request_body = MergeBody,
    responses((status = 200, body = PlanDto, description = "Merged: what moved"), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn merge(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(school): Path<SchoolId>,
    ApiJson(b): ApiJson<MergeBody>,
) -> Result<Response, ApiError> {
    let (keep, dup) = merge_ids(&b.keep, &b.duplicate)?;
    let plan = state
        .app
        .merge_people(&who.principal, school, keep, dup, &client)
        .await?;
    Ok(Json(PlanDto::from(&plan)).into_response())
}
