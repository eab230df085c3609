//! Notifications (regulation points 4, 6 and 7): a parent's settings, the administrator's
//! dead-letter list and re-send, webhook subscriptions for service integrations; and the seat
//! where the notifier plugs in to deliver verification codes.
//!
//! Who may do what (default deny):
//! - a legal representative reads and saves their own settings (anyone else: 404);
//! - the school's administrator reads the school's dead letters and sends one again, and
//!   manages the school's webhook subscriptions; staff and families of the school get 403,
//!   anyone else 404.
//!
//! Verification codes are delivered at the moment they are made, never stored in plain text:
//! [`App::start_verification`] hands the code, after its transaction commits, to the
//! [`CodeCourier`] the binary plugged in ([`App::with_code_courier`]). The courier is a trait
//! here, implemented by tabel-notify, so that the dependencies keep pointing one way
//! (app ← notify ← binary) and the web layer never touches a channel.

use crate::contact::VerificationCode;
use crate::{App, AppError, Client, FieldErrors, check};
use serde::Serialize;
use std::fmt;
use tabel_domain::access::{LinkedChild, Principal};
use tabel_domain::contact::ContactKind;
use tabel_domain::notify::{
    ChannelChoice, DeliveryState, EventKind, EventSetting, Mode, QuietHours, Topics, WebhookUrl,
    check_setting,
};
use tabel_domain::{PersonId, SchoolId, UserId};
use tabel_store::Conn;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::delivery::{self as repo, Attempt, Delivery, NewWebhook, Settings, Webhook};

/// A verification code to deliver now, with where it goes.
#[derive(Debug, Clone)]
pub struct CodeDelivery {
    /// The contact's school.
    pub school: SchoolId,
    /// E-mail (a link) or phone (six digits).
    pub kind: ContactKind,
    /// The address or number.
    pub address: String,
    /// The code (its `Debug` hides the secret).
    pub code: VerificationCode,
    /// What the code is for.
    pub purpose: CodeUse,
}

/// What a delivered code is for: the message says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeUse {
    /// Confirming the contact it goes to.
    ContactVerification,
    /// Setting a new password for a forgotten one.
    PasswordReset,
}

/// Delivers verification codes through the channels (implemented by tabel-notify). It must
/// not block: a code is handed over and the request goes on.
pub trait CodeCourier: Send + Sync + fmt::Debug {
    /// Takes a code for delivery.
    fn deliver(&self, code: CodeDelivery);
}

/// A parent's settings as the pages and the API show them: every kind with the setting in
/// force.
#[derive(Debug, Clone, Serialize)]
pub struct NotificationSettings {
    /// The parent.
    pub parent: PersonId,
    /// Quiet hours, school-local.
    pub quiet: Option<QuietHours>,
    /// Every kind, in a fixed order, with the choice or its default.
    pub events: Vec<(EventKind, EventSetting)>,
    /// Whether the parent chose anything yet.
    pub saved: bool,
}

impl NotificationSettings {
    fn of(parent: PersonId, s: &Settings) -> NotificationSettings {
        NotificationSettings {
            parent,
            quiet: s.quiet,
            events: EventKind::ALL
                .iter()
                .map(|k| (*k, s.for_kind(*k)))
                .collect(),
            saved: s.updated_at.is_some(),
        }
    }
}

/// Settings as a form or request gives them.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    /// `HH:MM`, or empty for no quiet hours (both empty).
    pub quiet_from: String,
    /// `HH:MM`, or empty.
    pub quiet_to: String,
    /// (kind, channel, mode) codes; kinds left out keep their defaults.
    pub events: Vec<(String, String, String)>,
}

/// A dead letter with its history of failed tries.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetter {
    /// The delivery.
    pub delivery: Delivery,
    /// Every failed try, in order.
    pub attempts: Vec<Attempt>,
}

/// A subscription as a form or request gives it.
#[derive(Debug, Clone, Default)]
pub struct WebhookInput {
    /// `https://…`.
    pub url: String,
    /// Topics, or `*`.
    pub topics: String,
    /// What it is for.
    pub description: String,
}

/// A new subscription with its secret, shown once.
#[derive(Debug, Clone)]
pub struct CreatedWebhook {
    /// The subscription.
    pub webhook: Webhook,
    /// The HMAC key the receiver verifies signatures with.
    pub secret: String,
}

/// The parent behind the account, who must be a legal representative; 404 otherwise.
fn me_as_parent(p: &Principal) -> Result<(PersonId, SchoolId), AppError> {
    let me = p.person.ok_or(AppError::NotFound)?;
    let school = p
        .children
        .first()
        .map(|c| c.school)
        .ok_or(AppError::NotFound)?;
    Ok((me, school))
}

fn parse_settings(input: &SettingsInput) -> Result<Settings, AppError> {
    let mut errors = FieldErrors::new();
    let quiet = match (input.quiet_from.trim(), input.quiet_to.trim()) {
        ("", "") => None,
        (f, t) => QuietHours::parse(f, t)
            .map_err(|e| errors.insert(e.field, e.message))
            .ok(),
    };
    let mut s = Settings {
        quiet,
        ..Settings::default()
    };
    for (kind, channel, mode) in &input.events {
        let Ok(k) = EventKind::from_code(kind.trim()) else {
            errors.insert("event".into(), format!("{kind:?} is not a kind of event"));
            continue;
        };
        let c = ChannelChoice::from_code(channel.trim());
        let m = Mode::from_code(mode.trim());
        match (c, m) {
            (Ok(channel), Ok(mode)) => match check_setting(k, EventSetting { channel, mode }) {
                Ok(setting) => {
                    s.events.insert(k, setting);
                }
                Err(e) => {
                    errors.insert(e.field, e.message);
                }
            },
            (Err(_), _) => {
                errors.insert(
                    format!("{}.channel", k.code()),
                    "use preferred, email or sms".into(),
                );
            }
            (_, Err(_)) => {
                errors.insert(
                    format!("{}.mode", k.code()),
                    "use immediate, daily, weekly or off".into(),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn settings_json(s: &Settings) -> serde_json::Value {
    serde_json::json!({
        "quiet": s.quiet.map(QuietHours::label),
        "events": s.events.iter().map(|(k, e)| (k.code().to_owned(), serde_json::json!({
            "channel": e.channel.code(), "mode": e.mode.code(),
        }))).collect::<serde_json::Map<_, _>>(),
    })
}

struct Audit<'a> {
    school: SchoolId,
    actor: UserId,
    action: &'a str,
    entity: &'a str,
    id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

async fn write_audit(
    c: &mut Conn<'_>,
    a: Audit<'_>,
    client: &Client,
    at: time::OffsetDateTime,
) -> Result<(), AppError> {
    audit::append(
        c,
        &AuditEntry {
            chain: a.school.get(),
            at,
            actor: Some(a.actor.get()),
            action: a.action,
            entity: a.entity,
            entity_id: a.id,
            before: a.before,
            after: a.after,
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

fn new_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    Ok(hex::encode(bytes))
}

impl App {
    /// Plugs in the courier that delivers verification codes (the binary does, with the
    /// notifier's channels). Without one, codes are made and stored hashed, and nobody
    /// receives them (a deployment without channels).
    pub fn with_code_courier(mut self, courier: std::sync::Arc<dyn CodeCourier>) -> App {
        self.courier = Some(courier);
        self
    }

    /// Hands a fresh code to the courier, if one is plugged in.
    pub(crate) fn courier_deliver(&self, code: CodeDelivery) {
        match &self.courier {
            Some(c) => c.deliver(code),
            None => tracing::warn!(
                contact = %code.code.contact(),
                "no channel is configured: the verification code was not sent"
            ),
        }
    }

    /// The user's own notification settings (a legal representative; anyone else 404).
    pub async fn my_notification_settings(
        &self,
        p: &Principal,
    ) -> Result<NotificationSettings, AppError> {
        let (me, _) = me_as_parent(p)?;
        let mut c = self.db.acquire().await?;
        let s = repo::settings_of(&mut c.conn(), me).await?;
        Ok(NotificationSettings::of(me, &s))
    }

    /// Saves the user's own settings whole (kinds left out return to their defaults): quiet
    /// hours, and per kind of event the channel and when. 422 naming the field on bad input.
    #[tracing::instrument(skip_all)]
    pub async fn save_my_notification_settings(
        &self,
        p: &Principal,
        input: &SettingsInput,
        client: &Client,
    ) -> Result<NotificationSettings, AppError> {
        let (me, school) = me_as_parent(p)?;
        let new = parse_settings(input)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let before = repo::settings_of(c, me).await?;
        repo::save_settings(c, (school, me), &new, (Some(p.user), now)).await?;
        write_audit(
            c,
            Audit {
                school,
                actor: p.user,
                action: "notify.settings",
                entity: "notify_settings",
                id: me.to_string(),
                before: before.updated_at.map(|_| settings_json(&before)),
                after: Some(settings_json(&new)),
            },
            client,
            now,
        )
        .await?;
        let saved = repo::settings_of(c, me).await?;
        tx.commit().await?;
        Ok(NotificationSettings::of(me, &saved))
    }

    /// A school's deliveries in a state, newest first — `Dead` is the dead-letter list — each
    /// with its failed tries (the school's administrator).
    pub async fn deliveries(
        &self,
        p: &Principal,
        school: SchoolId,
        state: DeliveryState,
        limit: i64,
    ) -> Result<Vec<DeadLetter>, AppError> {
        check(p.may_administer(school))?;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let mut out = Vec::new();
        for d in repo::deliveries_of_school(c, school, state, limit.clamp(1, 1000)).await? {
            let attempts = repo::attempts_of(c, d.id).await?;
            out.push(DeadLetter {
                delivery: d,
                attempts,
            });
        }
        Ok(out)
    }

    /// Sends a dead letter again (the school's administrator): back in the queue, due now,
    /// with its attempts counted afresh. A delivery that is not dead is 409.
    #[tracing::instrument(skip_all, fields(delivery = id.get()))]
    pub async fn resend_delivery(
        &self,
        p: &Principal,
        id: tabel_domain::DeliveryId,
        client: &Client,
    ) -> Result<Delivery, AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let d = repo::get_delivery(c, id.get())
            .await?
            .ok_or(AppError::NotFound)?;
        let school = d.school.ok_or(AppError::NotFound)?;
        check(p.may_administer(school))?;
        if !repo::requeue(c, id.get(), Some(p.user), now).await? {
            return Err(AppError::Conflict(
                "only a delivery on the dead-letter list can be sent again".into(),
            ));
        }
        write_audit(
            c,
            Audit {
                school,
                actor: p.user,
                action: "delivery.resend",
                entity: "delivery",
                id: id.to_string(),
                before: Some(serde_json::json!({
                    "state": d.state.code(), "attempts": d.attempts, "last_error": d.last_error,
                })),
                after: Some(serde_json::json!({ "state": "pending" })),
            },
            client,
            now,
        )
        .await?;
        let after = repo::get_delivery(c, id.get())
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(after)
    }

    /// A school's webhook subscriptions, the removed ones too (the administrator).
    pub async fn webhooks(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<Vec<Webhook>, AppError> {
        check(p.may_administer(school))?;
        let mut c = self.db.acquire().await?;
        Ok(repo::webhooks_of_school(&mut c.conn(), school).await?)
    }

    /// Subscribes a service to the school's events (the administrator): a URL checked against
    /// the deployment's [`tabel_domain::notify::WebhookRules`] (https to a public address), known
    /// topics, a fresh secret returned once for the receiver to verify signatures with.
    #[tracing::instrument(skip_all, fields(school = %school))]
    pub async fn add_webhook(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &WebhookInput,
        client: &Client,
    ) -> Result<CreatedWebhook, AppError> {
        check(p.may_administer(school))?;
        let mut errors = FieldErrors::new();
        let url = WebhookUrl::parse(&input.url, &self.config.webhook_rules)
            .map_err(|e| errors.insert(e.field, e.message))
            .ok();
        let topics = Topics::parse(&input.topics)
            .map_err(|e| errors.insert(e.field, e.message))
            .ok();
        let description = input.description.trim();
        if description.chars().count() > 200 || description.chars().any(char::is_control) {
            errors.insert(
                "description".into(),
                "at most 200 characters, one line".into(),
            );
        }
        let (Some(url), Some(topics)) = (url, topics) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let secret = new_secret()?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let id = repo::insert_webhook(
            c,
            &NewWebhook {
                school,
                url: url.as_str(),
                secret: &secret,
                topics: &topics.stored(),
                description,
                by: Some(p.user),
                at: now,
            },
        )
        .await?;
        write_audit(
            c,
            Audit {
                school,
                actor: p.user,
                action: "webhook.add",
                entity: "webhook",
                id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "url": url.as_str(), "topics": topics.stored(), "description": description,
                })),
            },
            client,
            now,
        )
        .await?;
        let webhook = repo::get_webhook(c, id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    /// Ends a subscription (the administrator of its school); a removed one is 404.
    #[tracing::instrument(skip_all, fields(webhook = id.get()))]
    pub async fn remove_webhook(
        &self,
        p: &Principal,
        id: tabel_domain::WebhookId,
        client: &Client,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let w = repo::get_webhook(c, id).await?.ok_or(AppError::NotFound)?;
        check(p.may_administer(w.school))?;
        if !repo::remove_webhook(c, id, now).await? {
            return Err(AppError::NotFound);
        }
        write_audit(
            c,
            Audit {
                school: w.school,
                actor: p.user,
                action: "webhook.remove",
                entity: "webhook",
                id: id.to_string(),
                before: Some(serde_json::json!({ "url": w.url, "topics": w.topics })),
                after: None,
            },
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The forecast of a pupil as their representative would read it, for the notifier's
    /// weekly message. The caller has checked that both consents are in force; this reads as
    /// the system on the parent's behalf (no account is involved).
    pub async fn forecast_for_family(
        &self,
        parent: PersonId,
        student: PersonId,
        school: SchoolId,
    ) -> Result<crate::finals::StudentForecast, AppError> {
        let on_behalf = Principal {
            user: UserId::new(0),
            person: Some(parent),
            grants: Vec::new(),
            class_teacher_of: Vec::new(),
            children: vec![LinkedChild {
                student,
                school,
                consent: true,
            }],
            student_in: None,
            pupils: Vec::new(),
            student_consent: false,
        };
        self.student_forecast(&on_behalf, student).await
    }
}

/// Builds a code delivery for a contact (for [`App::start_verification`]).
pub(crate) fn code_delivery(
    contact: &tabel_store::contact::Contact,
    code: VerificationCode,
) -> CodeDelivery {
    CodeDelivery {
        school: contact.school,
        kind: contact.kind,
        address: contact.value.clone(),
        code,
        purpose: CodeUse::ContactVerification,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parent() -> Principal {
        Principal {
            user: UserId::new(5),
            person: Some(PersonId::new(50)),
            grants: vec![],
            class_teacher_of: vec![],
            children: vec![LinkedChild {
                student: PersonId::new(60),
                school: SchoolId::new(1),
                consent: true,
            }],
            student_in: None,
            pupils: Vec::new(),
            student_consent: false,
        }
    }

    #[test]
    fn only_a_representative_has_settings() {
        assert!(me_as_parent(&parent()).is_ok());
        let teacher = Principal {
            children: vec![],
            ..parent()
        };
        assert!(matches!(me_as_parent(&teacher), Err(AppError::NotFound)));
    }

    #[test]
    fn settings_are_parsed_and_refused_by_field() {
        let ok = parse_settings(&SettingsInput {
            quiet_from: "22:00".into(),
            quiet_to: "07:00".into(),
            events: vec![
                ("mark".into(), "email".into(), "immediate".into()),
                ("forecast".into(), "sms".into(), "off".into()),
            ],
        })
        .unwrap();
        assert_eq!(ok.quiet.unwrap().label(), "22:00–07:00");
        assert_eq!(ok.for_kind(EventKind::Mark).mode, Mode::Immediate);
        assert_eq!(ok.for_kind(EventKind::Final).mode, Mode::Immediate);
        let Err(AppError::Invalid(e)) = parse_settings(&SettingsInput {
            quiet_from: "22:00".into(),
            quiet_to: "".into(),
            events: vec![
                ("final".into(), "email".into(), "weekly".into()),
                ("mark".into(), "pigeon".into(), "daily".into()),
            ],
        }) else {
            panic!("refused")
        };
        assert!(e.contains_key("quiet_to"), "{e:?}");
        assert!(e.contains_key("final.mode"), "{e:?}");
        assert!(e.contains_key("mark.channel"), "{e:?}");
    }
}
