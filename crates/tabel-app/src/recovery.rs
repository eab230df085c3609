//! A forgotten password: a code sent to the account holder's confirmed contact (a parent's
//! confirmed e-mail or phone), then a new password with it. Every answer is the same whether
//! the login exists, has a confirmed contact or not, so that nobody learns which logins exist.
//! At most three codes an hour per account; a code lives 30 minutes and allows five tries; a
//! new password ends every session of the account. Staff and pupils, who keep no contacts in
//! Tabel, ask their administrator.

use crate::contact::VerificationCode;
use crate::notify::{CodeDelivery, CodeUse};
use crate::setup::accounts::secret_hash;
use crate::{App, AppError, Client};
use tabel_domain::UserId;
use tabel_domain::text::{Login, NewPassword};
use tabel_store::accounts as repo;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::contact as contact_repo;
use tabel_store::session;
use tabel_store::user as user_repo;
use time::Duration;

/// Codes an account may be sent in an hour.
pub const MAX_RESETS_PER_HOUR: i64 = 3;
/// How long a code works.
pub const RESET_MINUTES: i64 = 30;
/// Tries a code allows.
pub const RESET_TRIES: i64 = 5;

/// A code made for a forgotten password, to deliver (tests read it here; the server hands it
/// to the courier only). `Debug` hides it.
#[derive(Clone)]
pub struct ResetCode {
    pub code: String,
    pub delivered_to: String,
}

impl std::fmt::Debug for ResetCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetCode")
            .field("delivered_to", &self.delivered_to)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Sends a reset code to the account's confirmed contact, if it has one and has not asked
    /// too often; `None` otherwise. Callers answer the same either way.
    pub async fn request_password_reset(
        &self,
        login: &str,
        client: &Client,
    ) -> Result<Option<ResetCode>, AppError> {
        let Ok(login) = Login::parse(login) else {
            return Ok(None);
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(user) = user_repo::auth_by_login(&mut tx.conn(), login.as_str()).await? else {
            return Ok(None);
        };
        let Some(profile) = user_repo::profile(&mut tx.conn(), user.id).await? else {
            return Ok(None);
        };
        let Some(person) = profile.person.filter(|_| !profile.disabled) else {
            return Ok(None);
        };
        if repo::resets_since(&mut tx.conn(), user.id, now - Duration::hours(1)).await?
            >= MAX_RESETS_PER_HOUR
        {
            return Ok(None);
        }
        let contacts = contact_repo::contacts_of_parent(&mut tx.conn(), person, false).await?;
        // The preferred confirmed contact, else the first confirmed one; e-mail or phone.
        let Some(contact) = contacts
            .iter()
            .filter(|c| {
                c.verified_at.is_some()
                    && matches!(
                        c.kind,
                        tabel_domain::contact::ContactKind::Email
                            | tabel_domain::contact::ContactKind::Phone
                    )
            })
            .max_by_key(|c| c.preferred)
        else {
            return Ok(None);
        };
        let code = crate::setup::accounts::random_code(8)?;
        let expires = now + Duration::minutes(RESET_MINUTES);
        repo::insert_reset(&mut tx.conn(), user.id, &secret_hash(&code), now, expires).await?;
        audit::append(
            &mut tx.conn(),
            &AuditEntry {
                chain: profile.school.map_or(0, |s| s.get()),
                at: now,
                actor: None,
                action: "user.password_reset_requested",
                entity: "user",
                entity_id: user.id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "contact_id": contact.id.to_string() })),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        self.courier_deliver(CodeDelivery {
            school: contact.school,
            kind: contact.kind,
            address: contact.value.clone(),
            code: VerificationCode::password_reset(contact.id, code.clone(), expires),
            purpose: CodeUse::PasswordReset,
        });
        Ok(Some(ResetCode {
            code,
            delivered_to: contact.value.clone(),
        }))
    }

    /// Sets a new password with a reset code; every session of the account ends. A wrong,
    /// expired or tried-out code, or an unknown login, is the same 422 on `code`.
    pub async fn reset_forgotten_password(
        &self,
        login: &str,
        code: &str,
        new_password: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let new = NewPassword::parse(new_password)
            .map_err(|e| AppError::invalid("new_password", e.to_string()))?;
        let wrong = || {
            AppError::invalid(
                "code",
                "the code is wrong or out of date: ask for a new one",
            )
        };
        let login = Login::parse(login).map_err(|_| wrong())?;
        let hash = self.hasher.hash(new.expose().to_owned()).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let user = user_repo::auth_by_login(&mut tx.conn(), login.as_str())
            .await?
            .ok_or_else(wrong)?;
        let reset = repo::live_reset(&mut tx.conn(), user.id)
            .await?
            .filter(|r| r.expires_at > now && r.attempts < RESET_TRIES)
            .ok_or_else(wrong)?;
        if reset.code_hash != secret_hash(code) {
            repo::tried_reset(&mut tx.conn(), reset.id).await?;
            tx.commit().await?;
            return Err(wrong());
        }
        repo::use_reset(&mut tx.conn(), reset.id, now).await?;
        user_repo::set_password(&mut tx.conn(), user.id, &hash, now).await?;
        session::revoke_sessions_of(&mut tx.conn(), user.id, None, now).await?;
        let school = user_repo::profile(&mut tx.conn(), user.id)
            .await?
            .and_then(|p| p.school);
        audit::append(
            &mut tx.conn(),
            &AuditEntry {
                chain: school.map_or(0, |s| s.get()),
                at: now,
                actor: Some(UserId::get(user.id)),
                action: "user.password_reset",
                entity: "user",
                entity_id: user.id.to_string(),
                before: None,
                after: None,
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }
}
