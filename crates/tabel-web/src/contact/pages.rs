//! Contacts pages (regulation point 7), all readable and usable without JavaScript and on a
//! 360-pixel phone:
//! - `/account/contacts`: the parent's own contacts with their provenance and confirmation, a
//!   form to add one, "send a code" / "enter the code", the preferred channels, removal;
//! - `/students/{id}/contacts`: the contacts of a student's legal representatives for the
//!   school's administrator, deputy head and the class teacher, with a form to register a
//!   contact from a written application or an electronic document;
//! - `/contacts/verify/{token}`: the link sent to an e-mail address; opening it confirms the
//!   address (no login needed: the token is the proof that the mail arrived).
//!
//! No code is ever shown on a page: it goes to the contact (the notifier delivers it).

use crate::AppState;
use crate::error::{PageError, render, render_status};
use crate::extract::{Nav, PageUser, Visitor};
use crate::i18n::Tr;
use crate::paths::{Path, href, id};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tabel_app::AppError;
use tabel_app::contact::{ContactInput, refusal};
use tabel_domain::contact::Contact;
use tabel_domain::contact::{
    ContactError, ContactKind, MAX_ATTEMPTS, Network, Provenance, deliverable, display_value,
};
use tabel_domain::{ContactId, PersonId};
use tabel_present::date;
use time::OffsetDateTime;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/account/contacts", get(my_page).post(add_mine))
        .route("/account/contacts/preferred", post(save_preferred))
        .route("/account/contacts/{id}/remove", post(remove_mine))
        .route("/account/contacts/{id}/verification", post(send_code_mine))
        .route("/account/contacts/{id}/confirm", post(confirm_mine))
        .route(
            "/students/{id}/contacts",
            get(student_page).post(register_for_parent),
        )
        .route(
            "/students/{id}/contacts/{contact}/remove",
            post(remove_for_parent),
        )
        .route(
            "/students/{id}/contacts/{contact}/verification",
            post(send_code_for_parent),
        )
        .route("/contacts/verify/{token}", get(verify_link))
}

/// A contact as the pages show it.
pub struct ContactRow {
    /// Id for the forms.
    pub id: String,
    /// "Телефон", "Telegram".
    pub kind: String,
    /// "+7 912 345-67-89".
    pub value: String,
    /// "письменное заявление · № 12 от 01.09.2026".
    pub provenance: String,
    /// "Смирнова Е. В., 01.09.2026".
    pub entered: String,
    /// Confirmed.
    pub verified: bool,
    /// When confirmed.
    pub verified_on: String,
    /// May be confirmed (an e-mail or a phone, not yet confirmed).
    pub verifiable: bool,
    /// A phone: confirmed by typing a code.
    pub by_code: bool,
    /// A code is in force: until when ("14:05 UTC").
    pub pending_until: String,
    /// A preferred channel.
    pub preferred: bool,
    /// The notifier may use it.
    pub deliverable: bool,
    /// When removed.
    pub removed_on: String,
}

fn kind_label(t: &Tr<'_>, kind: ContactKind, network: Option<Network>) -> String {
    match network {
        Some(n) => t.get(&format!("contact-network-{}", n.code())),
        None => t.get(&format!("contact-kind-{}", kind.code())),
    }
}

fn row(t: &Tr<'_>, c: &Contact, now: OffsetDateTime) -> ContactRow {
    let mut provenance = t.get(&format!("contact-provenance-{}", c.provenance.code()));
    if !c.basis.is_empty() {
        provenance = format!("{provenance} · {}", c.basis);
    }
    let pending_until = c
        .code
        .as_ref()
        .filter(|k| {
            c.verified_at.is_none()
                && k.used_at.is_none()
                && now < k.expires_at
                && k.attempts < MAX_ATTEMPTS
        })
        .map(|k| tabel_present::date_time_utc(k.expires_at))
        .unwrap_or_default();
    ContactRow {
        id: c.id.to_string(),
        kind: kind_label(t, c.kind, c.network),
        value: display_value(c.kind, c.network, &c.value),
        provenance,
        entered: match &c.entered_by_name {
            Some(name) => format!("{name}, {}", date(c.entered_at.date())),
            None => date(c.entered_at.date()),
        },
        verified: c.verified_at.is_some(),
        verified_on: c.verified_at.map(|v| date(v.date())).unwrap_or_default(),
        verifiable: c.verified_at.is_none() && c.kind != ContactKind::Messenger,
        by_code: c.kind == ContactKind::Phone,
        pending_until,
        preferred: c.preferred,
        deliverable: c.removed_at.is_none() && deliverable(c.provenance, c.verified_at.is_some()),
        removed_on: c.removed_at.map(|r| date(r.date())).unwrap_or_default(),
    }
}

/// What an add form holds (kept when it is refused).
#[derive(Deserialize, Default, Clone)]
pub struct ContactForm {
    /// Whose (the staff page).
    #[serde(default)]
    pub parent_id: String,
    /// Kind.
    #[serde(default)]
    pub kind: String,
    /// Network.
    #[serde(default)]
    pub network: String,
    /// Value.
    #[serde(default)]
    pub value: String,
    /// Provenance (staff).
    #[serde(default)]
    pub provenance: String,
    /// Basis (staff).
    #[serde(default)]
    pub basis: String,
    /// "on" when ticked.
    #[serde(default)]
    pub preferred: Option<String>,
}

impl ContactForm {
    fn input(&self, staff: bool) -> ContactInput {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        ContactInput {
            kind: self.kind.trim().to_owned(),
            network: some(&self.network),
            value: self.value.clone(),
            provenance: if staff { some(&self.provenance) } else { None },
            basis: if staff { some(&self.basis) } else { None },
            preferred: self.preferred.is_some(),
        }
    }
}

/// A select's options: (code, label).
type Options = Vec<(String, String)>;

/// Options of the kind and network selects.
fn options(t: &Tr<'_>) -> (Options, Options) {
    let kinds = ContactKind::ALL
        .iter()
        .map(|k| {
            (
                k.code().to_owned(),
                t.get(&format!("contact-kind-{}", k.code())),
            )
        })
        .collect();
    let networks = Network::ALL
        .iter()
        .map(|n| {
            (
                n.code().to_owned(),
                t.get(&format!("contact-network-{}", n.code())),
            )
        })
        .collect();
    (kinds, networks)
}

const FIELDS: [&str; 8] = [
    "kind",
    "network",
    "value",
    "provenance",
    "basis",
    "code",
    "preferred",
    "token",
];

const CONTACT_ERRORS: [ContactError; 13] = [
    ContactError::Empty,
    ContactError::TooLong,
    ContactError::BadEmail,
    ContactError::BadPhone,
    ContactError::NotRussianPhone,
    ContactError::BadTelegram,
    ContactError::BadMax,
    ContactError::BadVk,
    ContactError::MissingNetwork,
    ContactError::UnknownNetwork,
    ContactError::UnknownKind,
    ContactError::MissingBasis,
    ContactError::BadBasis,
];

/// The application's stable refusals and their messages on the pages.
const REFUSALS: [(&str, &str); 12] = [
    (refusal::WRONG_CODE, "contact-error-wrong-code"),
    (refusal::EXPIRED, "contact-error-expired"),
    (refusal::TOO_MANY_ATTEMPTS, "contact-error-attempts"),
    (refusal::NO_CODE, "contact-error-no-code"),
    (refusal::BY_LINK, "contact-error-by-link"),
    (refusal::NOT_VERIFIABLE, "contact-error-not-verifiable"),
    (refusal::ALREADY_VERIFIED, "contact-error-already-verified"),
    (refusal::DUPLICATE, "contact-error-duplicate"),
    (refusal::TOO_MANY_CONTACTS, "contact-error-too-many"),
    (refusal::CABINET_ONLY, "contact-error-cabinet-only"),
    (refusal::DOCUMENT_REQUIRED, "contact-error-document"),
    (refusal::NOT_THEIRS, "contact-error-not-theirs"),
];

/// A message of the application in the user's language (the English text when unknown).
fn translate(t: &Tr<'_>, message: &str) -> String {
    if let Some((_, key)) = REFUSALS.iter().find(|(m, _)| *m == message) {
        return t.get(key);
    }
    if let Some(e) = CONTACT_ERRORS.iter().find(|e| e.to_string() == message) {
        return t.get(e.key());
    }
    message.to_owned()
}

/// A refused write as lines for the page, or the error to answer with (403, 404, 5xx).
fn refused(t: &Tr<'_>, e: AppError) -> Result<Vec<String>, AppError> {
    match e {
        AppError::Invalid(errors) => Ok(errors
            .into_iter()
            .map(|(field, message)| {
                let label = if FIELDS.contains(&field.as_str()) {
                    t.get(&format!("contact-field-{field}"))
                } else {
                    field
                };
                format!("{label}: {}", translate(t, &message))
            })
            .collect()),
        AppError::Conflict(message) => Ok(vec![translate(t, &message)]),
        AppError::LockedOut { until } => Ok(vec![t.with(
            "contact-error-too-many-codes",
            "until",
            tabel_present::date_time_utc(until),
        )]),
        e => Err(e),
    }
}

#[derive(Template)]
#[template(path = "contact/mine.html")]
struct MinePage<'a> {
    t: Tr<'a>,
    nav: Nav,
    contacts: Vec<ContactRow>,
    kinds: Vec<(String, String)>,
    networks: Vec<(String, String)>,
    form: ContactForm,
    /// The contact a refused code or request is about ("" = the add form).
    error_for: String,
    errors: Vec<String>,
    notice: String,
}

#[derive(Deserialize, Default)]
struct Notice {
    done: Option<String>,
}

fn notice_text(t: &Tr<'_>, done: Option<&str>) -> String {
    match done {
        Some(
            what @ ("added" | "removed" | "preferred" | "sent-link" | "sent-code" | "verified"),
        ) => t.get(&format!("contact-done-{what}")),
        _ => String::new(),
    }
}

async fn mine_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    form: ContactForm,
    (error_for, errors): (String, Vec<String>),
    notice: String,
) -> Result<MinePage<'s>, AppError> {
    let t = user.tr(state);
    let now = state.app.now();
    let contacts = state
        .app
        .my_contacts(&user.who.principal)
        .await?
        .iter()
        .map(|c| row(&t, c, now))
        .collect();
    let (kinds, networks) = options(&t);
    Ok(MinePage {
        contacts,
        kinds,
        networks,
        form,
        error_for,
        errors,
        notice,
        nav: user.nav.clone(),
        t,
    })
}

/// The parent's contacts page.
#[tracing::instrument(skip_all)]
async fn my_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(n): Query<Notice>,
) -> Result<Html<String>, PageError> {
    let notice = notice_text(&user.tr(&state), n.done.as_deref());
    render(
        mine_view(
            &state,
            &user,
            ContactForm::default(),
            (String::new(), Vec::new()),
            notice,
        )
        .await?,
    )
}

/// After a write on the parent's page: back to it with a notice; a refused write shows the page
/// again (422) with the reasons, next to the form they concern.
async fn after_mine(
    state: &AppState,
    user: &PageUser,
    result: Result<&str, AppError>,
    form: ContactForm,
    error_for: String,
) -> Result<Response, PageError> {
    let errors = match result {
        Ok(done) => {
            return Ok(
                crate::redirect::see_other(&href("/account/contacts", &[("done", done)]))
                    .into_response(),
            );
        }
        Err(e) => match refused(&user.tr(state), e) {
            Ok(lines) => lines,
            Err(e) => return Err(PageError::from(e)),
        },
    };
    let page = mine_view(state, user, form, (error_for, errors), String::new()).await;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page?)
}

fn me(user: &PageUser) -> Result<PersonId, AppError> {
    user.who.principal.person.ok_or(AppError::NotFound)
}

/// Adds one of the parent's own contacts (entered in the cabinet).
#[tracing::instrument(skip_all)]
async fn add_mine(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<ContactForm>,
) -> Result<Response, PageError> {
    let result = async {
        state
            .app
            .add_contact(
                &user.who.principal,
                me(&user)?,
                &f.input(false),
                &user.client,
            )
            .await
            .map(|_| "added")
    }
    .await;
    after_mine(&state, &user, result, f, String::new()).await
}

/// Saves the preferred channels: the ticked contacts.
#[tracing::instrument(skip_all)]
async fn save_preferred(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let result = async {
        let ids = form
            .iter()
            .filter(|(k, _)| k == "preferred")
            .map(|(_, v)| id::<ContactId>(v))
            .collect::<Result<Vec<_>, _>>()?;
        state
            .app
            .set_preferred_channels(&user.who.principal, me(&user)?, &ids, &user.client)
            .await
            .map(|()| "preferred")
    }
    .await;
    after_mine(&state, &user, result, ContactForm::default(), String::new()).await
}

/// Removes one of the parent's contacts.
#[tracing::instrument(skip_all)]
async fn remove_mine(
    State(state): State<AppState>,
    user: PageUser,
    Path(contact): Path<ContactId>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .remove_contact(&user.who.principal, contact, &user.client)
        .await
        .map(|_| "removed");
    after_mine(
        &state,
        &user,
        result,
        ContactForm::default(),
        contact.to_string(),
    )
    .await
}

/// Asks for a code (a phone) or a link (an e-mail) for one of the parent's contacts.
#[tracing::instrument(skip_all)]
async fn send_code_mine(
    State(state): State<AppState>,
    user: PageUser,
    Path(contact): Path<ContactId>,
) -> Result<Response, PageError> {
    // The code itself goes to the contact (the notifier), never onto the page.
    let result = state
        .app
        .start_verification(&user.who.principal, contact, &user.client)
        .await
        .map(|code| sent(code.purpose()));
    after_mine(
        &state,
        &user,
        result,
        ContactForm::default(),
        contact.to_string(),
    )
    .await
}

fn sent(p: tabel_domain::contact::CodePurpose) -> &'static str {
    match p {
        tabel_domain::contact::CodePurpose::EmailLink => "sent-link",
        tabel_domain::contact::CodePurpose::PhoneCode => "sent-code",
    }
}

#[derive(Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Confirms one of the parent's phones with the code they received.
#[tracing::instrument(skip_all)]
async fn confirm_mine(
    State(state): State<AppState>,
    user: PageUser,
    Path(contact): Path<ContactId>,
    Form(f): Form<CodeForm>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .confirm_phone(&user.who.principal, contact, &f.code, &user.client)
        .await
        .map(|_| "verified");
    after_mine(
        &state,
        &user,
        result,
        ContactForm::default(),
        contact.to_string(),
    )
    .await
}

/// A parent's block on the staff page.
pub struct ParentBlock {
    /// Person id (the register form's hidden field).
    pub id: String,
    /// "Петрова Мария Андреевна".
    pub name: String,
    /// "Мать".
    pub relation: String,
    /// Live contacts.
    pub contacts: Vec<ContactRow>,
    /// Removed contacts (the history).
    pub removed: Vec<ContactRow>,
}

#[derive(Template)]
#[template(path = "contact/student.html")]
struct StudentPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    student_id: String,
    student: String,
    parents: Vec<ParentBlock>,
    kinds: Vec<(String, String)>,
    networks: Vec<(String, String)>,
    provenances: Vec<(String, String)>,
    form: ContactForm,
    /// The parent whose form was refused (or the contact a refused action is about).
    error_for: String,
    errors: Vec<String>,
    notice: String,
}

async fn student_view<'s>(
    state: &'s AppState,
    user: &PageUser,
    student: PersonId,
    form: ContactForm,
    (error_for, errors): (String, Vec<String>),
    notice: String,
) -> Result<StudentPage<'s>, AppError> {
    let t = user.tr(state);
    let now = state.app.now();
    let v = state
        .app
        .student_contacts(&user.who.principal, student)
        .await?;
    let parents = v
        .parents
        .iter()
        .map(|p| {
            let (removed, live): (Vec<&Contact>, Vec<&Contact>) =
                p.contacts.iter().partition(|c| c.removed_at.is_some());
            ParentBlock {
                id: p.parent.id.to_string(),
                name: p.parent.full_name(),
                relation: t.get(&format!("relation-{}", p.relation.code())),
                contacts: live.into_iter().map(|c| row(&t, c, now)).collect(),
                removed: removed.into_iter().map(|c| row(&t, c, now)).collect(),
            }
        })
        .collect();
    let (kinds, networks) = options(&t);
    let provenances = Provenance::DOCUMENTED
        .iter()
        .map(|p| {
            (
                p.code().to_owned(),
                t.get(&format!("contact-provenance-{}", p.code())),
            )
        })
        .collect();
    Ok(StudentPage {
        student_id: student.to_string(),
        student: v.student.person.full_name(),
        parents,
        kinds,
        networks,
        provenances,
        form,
        error_for,
        errors,
        notice,
        nav: user.nav.clone(),
        t,
    })
}

/// The contacts of a student's parents (staff who may manage them).
#[tracing::instrument(skip_all)]
async fn student_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Query(n): Query<Notice>,
) -> Result<Html<String>, PageError> {
    let notice = notice_text(&user.tr(&state), n.done.as_deref());
    render(
        async {
            student_view(
                &state,
                &user,
                student,
                ContactForm::default(),
                (String::new(), Vec::new()),
                notice,
            )
            .await
        }
        .await?,
    )
}

async fn after_staff(
    state: &AppState,
    user: &PageUser,
    student: PersonId,
    result: Result<&str, AppError>,
    form: ContactForm,
    error_for: String,
) -> Result<Response, PageError> {
    let errors = match result {
        Ok(done) => {
            return Ok(crate::redirect::see_other(&href(
                &format!("/students/{student}/contacts"),
                &[("done", done)],
            ))
            .into_response());
        }
        Err(e) => match refused(&user.tr(state), e) {
            Ok(lines) => lines,
            Err(e) => return Err(PageError::from(e)),
        },
    };
    let page = student_view(
        state,
        user,
        student,
        form,
        (error_for, errors),
        String::new(),
    )
    .await;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, page?)
}

/// Registers a contact for one of the student's parents from a document.
#[tracing::instrument(skip_all)]
async fn register_for_parent(
    State(state): State<AppState>,
    user: PageUser,
    Path(student): Path<PersonId>,
    Form(f): Form<ContactForm>,
) -> Result<Response, PageError> {
    let result = match id::<PersonId>(f.parent_id.trim()) {
        Ok(parent) => state
            .app
            .add_contact(&user.who.principal, parent, &f.input(true), &user.client)
            .await
            .map(|_| "added"),
        Err(e) => Err(e),
    };
    let error_for = f.parent_id.trim().to_owned();
    after_staff(&state, &user, student, result, f, error_for).await
}

/// Removes a contact of one of the student's parents.
#[tracing::instrument(skip_all)]
async fn remove_for_parent(
    State(state): State<AppState>,
    user: PageUser,
    Path((student, contact)): Path<(PersonId, ContactId)>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .remove_contact(&user.who.principal, contact, &user.client)
        .await
        .map(|_| "removed");
    let error_for = contact.to_string();
    after_staff(
        &state,
        &user,
        student,
        result,
        ContactForm::default(),
        error_for,
    )
    .await
}

/// Sends a confirmation link or code to a contact of one of the student's parents.
#[tracing::instrument(skip_all)]
async fn send_code_for_parent(
    State(state): State<AppState>,
    user: PageUser,
    Path((student, contact)): Path<(PersonId, ContactId)>,
) -> Result<Response, PageError> {
    let result = state
        .app
        .start_verification(&user.who.principal, contact, &user.client)
        .await
        .map(|code| sent(code.purpose()));
    let error_for = contact.to_string();
    after_staff(
        &state,
        &user,
        student,
        result,
        ContactForm::default(),
        error_for,
    )
    .await
}

#[derive(Template)]
#[template(path = "contact/verified.html")]
struct VerifiedPage<'a> {
    t: Tr<'a>,
    nav: Nav,
    ok: bool,
    value: String,
    message: String,
}

/// The link sent to an e-mail address: confirms it and says so (or why not).
#[tracing::instrument(skip_all)]
async fn verify_link(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<tabel_domain::contact::EmailToken>,
) -> Result<Response, PageError> {
    let t = state.i18n.tr(visitor.lang);
    let (status, page) = match state.app.confirm_email(&token, &visitor.client).await {
        Ok(c) => (
            StatusCode::OK,
            VerifiedPage {
                ok: true,
                value: c.value,
                message: t.get("contact-verified-ok"),
                nav: Nav::anonymous(),
                t,
            },
        ),
        Err(AppError::NotFound) => (
            StatusCode::NOT_FOUND,
            VerifiedPage {
                ok: false,
                value: String::new(),
                message: t.get("contact-verified-unknown"),
                nav: Nav::anonymous(),
                t,
            },
        ),
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            VerifiedPage {
                ok: false,
                value: String::new(),
                message: errors
                    .values()
                    .map(|m| translate(&t, m))
                    .collect::<Vec<_>>()
                    .join(" "),
                nav: Nav::anonymous(),
                t,
            },
        ),
        Err(e) => return Err(e.into()),
    };
    render_status(status, page)
}

/// The link to a student's parents' contacts for the student's card: "" for those who may not
/// manage them (the page would refuse them anyway).
pub(crate) fn contacts_href(
    p: &tabel_domain::access::Principal,
    student: PersonId,
    school: tabel_domain::SchoolId,
    class: Option<tabel_domain::GroupId>,
) -> String {
    let place = tabel_domain::contact::ChildPlace {
        student,
        school,
        class,
    };
    if tabel_domain::contact::staff_access_for_child(p, &place).allowed() {
        format!("/students/{student}/contacts")
    } else {
        String::new()
    }
}
