//! Confirming a contact: one-time codes and links, their secrets, and marking the contact verified.

use super::*;

/// A verification code made for a contact, to be delivered to it. `Debug` never shows it; the
/// database keeps only its hash.
#[derive(Clone)]
pub struct VerificationCode {
    pub(super) contact: ContactId,
    pub(super) purpose: CodePurpose,
    pub(super) secret: String,
    pub(super) expires_at: OffsetDateTime,
}

impl VerificationCode {
    /// A password-reset code going to a confirmed contact (typed, never a link).
    pub(crate) fn password_reset(
        contact: ContactId,
        secret: String,
        expires_at: OffsetDateTime,
    ) -> VerificationCode {
        VerificationCode {
            contact,
            purpose: CodePurpose::PhoneCode,
            secret,
            expires_at,
        }
    }

    /// The contact it confirms.
    pub fn contact(&self) -> ContactId {
        self.contact
    }

    /// A link token or a phone code.
    pub fn purpose(&self) -> CodePurpose {
        self.purpose
    }

    /// Until when it works.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    /// The code itself, for the message that delivers it.
    pub fn expose(&self) -> &str {
        &self.secret
    }

    /// The path of an e-mail link (`/contacts/verify/{token}`); the deployment's base URL goes
    /// before it.
    pub fn link_path(&self) -> Option<String> {
        (self.purpose == CodePurpose::EmailLink)
            .then(|| format!("/contacts/verify/{}", self.secret))
    }
}

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationCode")
            .field("contact", &self.contact)
            .field("purpose", &self.purpose)
            .field("secret", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    Ok(bytes)
}

/// A fresh code for a purpose: 32 random bytes in hex for a link, six digits for a phone.
pub(super) fn new_secret(purpose: CodePurpose) -> Result<String, AppError> {
    match purpose {
        CodePurpose::EmailLink => Ok(hex::encode(random_bytes::<32>()?)),
        CodePurpose::PhoneCode => loop {
            // Rejection sampling: a draw above the last whole million is drawn again (about
            // one in four thousand), so that every code is equally likely.
            if let Some(code) = six_digits(u32::from_le_bytes(random_bytes::<4>()?)) {
                return Ok(code);
            }
        },
    }
}

impl App {
    /// Makes a verification code for a contact (the parent, or staff who may manage the
    /// contact) and returns it for delivery: a link token for an e-mail address, six digits for
    /// a phone. Only its hash is stored; the outbox event `contact.verification_requested`
    /// names the contact, never the code. A new code supersedes the previous one. At most
    /// [`MAX_CODES_PER_WINDOW`] codes a day per contact ([`AppError::LockedOut`] after that).
    #[tracing::instrument(skip_all, fields(contact = %id))]
    pub async fn start_verification(
        &self,
        p: &Principal,
        id: ContactId,
        client: &Client,
    ) -> Result<VerificationCode, AppError> {
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let contact = live_contact(c, id).await?;
        access(c, p, contact.parent, self.today()).await?;
        let purpose = CodePurpose::for_kind(contact.kind)
            .ok_or_else(|| AppError::invalid("kind", refusal::NOT_VERIFIABLE))?;
        if contact.verified_at.is_some() {
            return Err(AppError::Conflict(refusal::ALREADY_VERIFIED.into()));
        }
        let now = self.now();
        let window = i64::try_from(MAX_CODES_PER_WINDOW).unwrap_or(i64::MAX);
        let recent = repo::recent_code_times(c, id, window).await?;
        if recent.len() >= MAX_CODES_PER_WINDOW
            && let Some(oldest) = recent.last()
            && now - *oldest < CODE_WINDOW
        {
            return Err(AppError::LockedOut {
                until: *oldest + CODE_WINDOW,
            });
        }
        let secret = new_secret(purpose)?;
        let expires_at = now + purpose.lifetime();
        let code_id = repo::insert_code(
            c,
            &NewCode {
                school: contact.school,
                contact: id,
                purpose,
                code_hash: &code_hash(purpose, id, &secret),
                requested_by: Some(p.user),
                created_at: now,
                expires_at,
            },
        )
        .await?;
        let about = serde_json::json!({
            "contact_id": id.to_string(), "parent_id": contact.parent.to_string(),
            "kind": contact.kind.code(), "purpose": purpose.code(), "code_id": code_id.to_string(),
            "expires_at": expires_at.unix_timestamp(),
        });
        write_audit(
            c,
            Some(p.user),
            Change {
                action: "contact.verification_start",
                school: contact.school,
                contact: id,
                before: None,
                after: Some(about.clone()),
            },
            (client, now),
        )
        .await?;
        outbox::emit(
            c,
            Some(contact.school),
            "contact.verification_requested",
            &about,
            now,
        )
        .await?;
        tx.commit().await?;
        let code = VerificationCode {
            contact: id,
            purpose,
            secret,
            expires_at,
        };
        // Delivered now, after the commit: the database never holds the code itself.
        self.courier_deliver(crate::notify::code_delivery(&contact, code.clone()));
        Ok(code)
    }

    /// Confirms a phone with the code sent to it (the parent themself). A wrong code counts as
    /// an attempt, and that count is kept even though the answer is an error; the fifth wrong
    /// try kills the code.
    #[tracing::instrument(skip_all, fields(contact = %id))]
    pub async fn confirm_phone(
        &self,
        p: &Principal,
        id: ContactId,
        code: &str,
        client: &Client,
    ) -> Result<Contact, AppError> {
        let typed = typed_code(code);
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let contact = live_contact(c, id).await?;
        if access(c, p, contact.parent, self.today()).await? != ContactAccess::Own {
            return Err(AppError::Forbidden);
        }
        match contact.kind {
            ContactKind::Phone => {}
            ContactKind::Email => return Err(AppError::invalid("code", refusal::BY_LINK)),
            ContactKind::Messenger => {
                return Err(AppError::invalid("code", refusal::NOT_VERIFIABLE));
            }
        }
        if contact.verified_at.is_some() {
            return Err(AppError::Conflict(refusal::ALREADY_VERIFIED.into()));
        }
        let stored = repo::latest_code(c, id)
            .await?
            .filter(|k| k.used_at.is_none() && k.purpose == CodePurpose::PhoneCode)
            .ok_or_else(|| AppError::invalid("code", refusal::NO_CODE))?;
        let now = self.now();
        if now >= stored.expires_at {
            return Err(AppError::invalid("code", refusal::EXPIRED));
        }
        let Some(attempts) = repo::take_attempt(c, stored.id, MAX_ATTEMPTS).await? else {
            return Err(AppError::invalid("code", refusal::TOO_MANY_ATTEMPTS));
        };
        let right = hashes_match(
            &stored.code_hash,
            &code_hash(CodePurpose::PhoneCode, id, &typed),
        );
        if !right {
            write_audit(
                c,
                Some(p.user),
                Change {
                    action: "contact.verification_failed",
                    school: contact.school,
                    contact: id,
                    before: None,
                    after: Some(serde_json::json!({
                        "code_id": stored.id.to_string(), "attempts": attempts,
                    })),
                },
                (client, now),
            )
            .await?;
            // The spent attempt must stay spent: commit, then refuse.
            tx.commit().await?;
            let why = if attempts >= MAX_ATTEMPTS {
                refusal::TOO_MANY_ATTEMPTS
            } else {
                refusal::WRONG_CODE
            };
            return Err(AppError::invalid("code", why));
        }
        let verified = self
            .mark_verified(c, Some(p.user), &contact, stored.id, (client, now))
            .await?;
        tx.commit().await?;
        Ok(verified)
    }

    /// Confirms an e-mail address by the token of the link sent to it. No login is needed: the
    /// token (256 random bits, valid a day, used once) is the proof that the mail arrived.
    /// Opening a link that confirmed its address already answers with the contact again.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_email(
        &self,
        token: &tabel_domain::contact::EmailToken,
        client: &Client,
    ) -> Result<Contact, AppError> {
        let token = token.as_str();
        // The contact is not known before the lookup; the e-mail hash does not depend on it.
        let hash = code_hash(CodePurpose::EmailLink, ContactId::new(0), token);
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let stored = repo::code_by_hash(c, CodePurpose::EmailLink, &hash)
            .await?
            .filter(|k| hashes_match(&k.code_hash, &hash))
            .ok_or(AppError::NotFound)?;
        let contact = live_contact(c, stored.contact).await?;
        if stored.used_at.is_some() {
            return if contact.verified_at.is_some() {
                Ok(contact)
            } else {
                Err(AppError::invalid("token", refusal::NO_CODE))
            };
        }
        if contact.verified_at.is_some() {
            return Ok(contact);
        }
        let latest = repo::latest_code(c, contact.id).await?;
        if latest.is_none_or(|l| l.id != stored.id) {
            return Err(AppError::invalid("token", refusal::NO_CODE));
        }
        let now = self.now();
        if now >= stored.expires_at {
            return Err(AppError::invalid("token", refusal::EXPIRED));
        }
        if repo::take_attempt(c, stored.id, MAX_ATTEMPTS)
            .await?
            .is_none()
        {
            return Err(AppError::invalid("token", refusal::TOO_MANY_ATTEMPTS));
        }
        let verified = self
            .mark_verified(c, None, &contact, stored.id, (client, now))
            .await?;
        tx.commit().await?;
        Ok(verified)
    }

    async fn mark_verified(
        &self,
        c: &mut Conn<'_>,
        actor: Option<UserId>,
        contact: &Contact,
        code: i64,
        (client, now): (&Client, OffsetDateTime),
    ) -> Result<Contact, AppError> {
        if !repo::use_code(c, code, now).await? || !repo::set_verified(c, contact.id, now).await? {
            // Used or confirmed by a concurrent request between the reads and here.
            return Err(AppError::Conflict(refusal::ALREADY_VERIFIED.into()));
        }
        let after = reload(c, contact.id).await?;
        write_audit(
            c,
            actor,
            Change {
                action: "contact.verify",
                school: contact.school,
                contact: contact.id,
                before: Some(serde_json::json!({ "verified_at": null })),
                after: Some(serde_json::json!({
                    "verified_at": now.unix_timestamp(), "code_id": code.to_string(),
                })),
            },
            (client, now),
        )
        .await?;
        outbox::emit(
            c,
            Some(contact.school),
            "contact.verified",
            &event_json(&after),
            now,
        )
        .await?;
        Ok(after)
    }
}
