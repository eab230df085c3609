//! Parents' contacts through the JSON API (regulation point 7): list and register a parent's
//! contacts, remove one, choose the preferred channels, ask for a verification code and confirm
//! a phone with it. Every endpoint enforces the link: the parent themself, or the school's
//! administrator, deputy head or the class teacher of the parent's child; anyone else gets 404
//! (or 403 when they are staff of the school).
//!
//! A verification code is never in a response: it goes to the contact itself (an e-mail link,
//! an SMS), delivered by the notifier. `POST …/verification` answers 202 with the code's
//! lifetime only.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiUser, ClientInfo};
use crate::paths::Path;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tabel_app::contact::ContactInput;
use tabel_domain::contact::Contact;
use tabel_domain::contact::{MAX_ATTEMPTS, deliverable, display_value};
use tabel_domain::{ContactId, PersonId};
use tabel_present::rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_contacts, add_contact))
        .routes(routes!(remove_contact))
        .routes(routes!(set_preferred))
        .routes(routes!(start_verification))
        .routes(routes!(confirm))
}

/// A verification code in force (its value is never shown).
#[derive(Serialize, ToSchema)]
pub(crate) struct PendingDto {
    /// `email_link` or `phone_code`.
    purpose: String,
    /// Until when the code works.
    expires_at: String,
    /// Tries left.
    attempts_left: i64,
}

/// A parent's contact.
#[derive(Serialize, ToSchema)]
pub(crate) struct ContactDto {
    id: String,
    parent_id: String,
    /// `email`, `phone` or `messenger`.
    kind: String,
    /// `telegram`, `max` or `vk` for a messenger; absent otherwise.
    network: Option<String>,
    /// Normalised: e-mail in lower case, phones as `+7XXXXXXXXXX`, Telegram `@name` or a phone,
    /// VK `id123` or a short address.
    value: String,
    /// As people read it: `+7 912 345-67-89`, `vk.com/id123`.
    display: String,
    /// `written_application`, `electronic_document` or `cabinet` (entered by the parent).
    provenance: String,
    /// The application's number and date or the document's identifier; empty for the cabinet.
    basis: String,
    /// One of the parent's preferred channels.
    preferred: bool,
    entered_by_user_id: Option<String>,
    /// Who entered it ("Смирнова Е. В.").
    entered_by: Option<String>,
    entered_at: String,
    /// Confirmed by the parent (a link for e-mail, a code for a phone).
    verified: bool,
    verified_at: Option<String>,
    /// Whether the notifier may deliver to it: confirmed, or given in a signed document.
    deliverable: bool,
    /// A code in force, if one was asked for and is unused, unexpired and not tried out.
    pending_verification: Option<PendingDto>,
    /// Set for a removed contact (listed with `include_removed=true`).
    removed_at: Option<String>,
}

impl ContactDto {
    pub(crate) fn new(c: Contact, now: OffsetDateTime) -> ContactDto {
        let pending = c.code.as_ref().and_then(|k| {
            (c.verified_at.is_none()
                && k.used_at.is_none()
                && now < k.expires_at
                && k.attempts < MAX_ATTEMPTS)
                .then(|| PendingDto {
                    purpose: k.purpose.code().into(),
                    expires_at: rfc3339(k.expires_at),
                    attempts_left: MAX_ATTEMPTS - k.attempts,
                })
        });
        ContactDto {
            id: c.id.to_string(),
            parent_id: c.parent.to_string(),
            kind: c.kind.code().into(),
            network: c.network.map(|n| n.code().into()),
            display: display_value(c.kind, c.network, &c.value),
            value: c.value,
            provenance: c.provenance.code().into(),
            basis: c.basis,
            preferred: c.preferred,
            entered_by_user_id: c.entered_by.map(|u| u.to_string()),
            entered_by: c.entered_by_name,
            entered_at: rfc3339(c.entered_at),
            verified: c.verified_at.is_some(),
            verified_at: c.verified_at.map(rfc3339),
            deliverable: c.removed_at.is_none()
                && deliverable(c.provenance, c.verified_at.is_some()),
            pending_verification: pending,
            removed_at: c.removed_at.map(rfc3339),
        }
    }
}

/// `?include_removed=true` lists removed contacts too (the history).
#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// Include removed contacts.
    include_removed: Option<bool>,
}

/// A parent's contacts in the order entered: the parent themself, the school's administrator,
/// deputy head, or the class teacher of the parent's child.
#[utoipa::path(get, path = "/api/v1/parents/{id}/contacts", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path, description = "The parent (a person id)"), ListQuery),
    responses((status = 200, body = Vec<ContactDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_contacts(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    Path(parent): Path<PersonId>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ContactDto>>, ApiError> {
    let list = state
        .app
        .parent_contacts(&who.principal, parent, q.include_removed.unwrap_or(false))
        .await?;
    let now = state.app.now();
    Ok(Json(
        list.into_iter().map(|c| ContactDto::new(c, now)).collect(),
    ))
}

/// A contact to register.
#[derive(Deserialize, ToSchema)]
struct NewContactRequest {
    /// `email`, `phone` or `messenger`.
    kind: String,
    /// For a messenger: `telegram`, `max` or `vk`.
    network: Option<String>,
    /// As written: `ivan@mail.ru`, `8 (912) 345-67-89`, `@ivan_petrov`, `vk.com/id123`.
    value: String,
    /// Staff: `written_application` or `electronic_document` (required). A parent: omit (or
    /// `cabinet`).
    provenance: Option<String>,
    /// Staff: the application's number and date, or the electronic document's identifier.
    basis: Option<String>,
    /// Make it one of the preferred channels.
    #[serde(default)]
    preferred: bool,
}

/// Registers a contact for a parent. Staff (the administrator, the deputy head, the class
/// teacher of the parent's child) register from a written application or an electronic
/// document, with its basis; the parent adds their own (provenance `cabinet`). A bad value is
/// 422 naming the field (`value`, `network`, `provenance`, `basis`); a live duplicate is 409.
#[utoipa::path(post, path = "/api/v1/parents/{id}/contacts", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path, description = "The parent (a person id)")), request_body = NewContactRequest,
    responses((status = 201, body = ContactDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_contact(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(parent): Path<PersonId>,
    ApiJson(body): ApiJson<NewContactRequest>,
) -> Result<(StatusCode, Json<ContactDto>), ApiError> {
    let input = ContactInput {
        kind: body.kind,
        network: body.network,
        value: body.value,
        provenance: body.provenance,
        basis: body.basis,
        preferred: body.preferred,
    };
    let stored = state
        .app
        .add_contact(&who.principal, parent, &input, &client)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ContactDto::new(stored, state.app.now())),
    ))
}

/// Removes a contact (the parent, or staff who may manage the parent's contacts). It stays in
/// the history, marked removed.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_contact(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(contact): Path<ContactId>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_contact(&who.principal, contact, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether a contact is a preferred channel.
#[derive(Deserialize, ToSchema)]
struct PreferredRequest {
    preferred: bool,
}

/// Makes a contact one of the parent's preferred channels, or not.
#[utoipa::path(put, path = "/api/v1/contacts/{id}/preferred", tag = "contacts", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = PreferredRequest,
    responses((status = 200, body = ContactDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_preferred(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(contact): Path<ContactId>,
    ApiJson(body): ApiJson<PreferredRequest>,
) -> Result<Json<ContactDto>, ApiError> {
    let c = state
        .app
        .set_contact_preferred(&who.principal, contact, body.preferred, &client)
        .await?;
    Ok(Json(ContactDto::new(c, state.app.now())))
}

/// A verification code was made and will be delivered to the contact.
#[derive(Serialize, ToSchema)]
struct VerificationStarted {
    contact_id: String,
    /// `email_link` (a link to open, valid 24 hours) or `phone_code` (six digits, valid 15
    /// minutes).
    purpose: String,
    expires_at: String,
}

/// Asks for a verification code for an e-mail address (a link) or a phone (six digits). The
/// code goes to the contact, never into this answer. A new code supersedes the previous one; a
/// contact gets at most five codes a day (429 after that). A messenger is 422, a confirmed
/// contact 409.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/verification", tag = "contacts", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 202, body = VerificationStarted), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn start_verification(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(contact): Path<ContactId>,
) -> Result<(StatusCode, Json<VerificationStarted>), ApiError> {
    let code = state
        .app
        .start_verification(&who.principal, contact, &client)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(VerificationStarted {
            contact_id: contact.to_string(),
            purpose: code.purpose().code().into(),
            expires_at: rfc3339(code.expires_at()),
        }),
    ))
}

/// The code the parent received.
#[derive(Deserialize, ToSchema)]
struct ConfirmRequest {
    /// Six digits; spaces and dashes are ignored.
    code: String,
}

/// Confirms a phone with the code sent to it (the parent themself). A wrong, expired or tried
/// out code is 422 on the field `code`; a code may be tried five times. E-mail addresses are
/// confirmed by opening their link (`GET /contacts/verify/{token}`).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/confirm", tag = "contacts", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ConfirmRequest,
    responses((status = 200, body = ContactDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn confirm(
    State(state): State<AppState>,
    ApiUser(who): ApiUser,
    ClientInfo(client): ClientInfo,
    Path(contact): Path<ContactId>,
    ApiJson(body): ApiJson<ConfirmRequest>,
) -> Result<Json<ContactDto>, ApiError> {
    let c = state
        .app
        .confirm_phone(&who.principal, contact, &body.code, &client)
        .await?;
    Ok(Json(ContactDto::new(c, state.app.now())))
}
