//! Logging in and out, sessions, and turning a session token into a [`Principal`].

use crate::{App, AppError, Client};
use sha2::{Digest, Sha256};
use tabel_domain::access::{LinkedChild, Principal};
use tabel_domain::school::{ConsentState, Role};
use tabel_domain::text::{Login, NewPassword};
use tabel_domain::{SessionId, UserId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::session::{self, NewSession, Session};
use tabel_store::{Conn, school as school_repo, user as user_repo};
use time::{Date, OffsetDateTime};

/// What kind of session: a browser cookie or an API bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Browser, cookie.
    Web,
    /// API client, bearer token.
    Api,
}

impl SessionKind {
    fn code(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    /// The secret token (cookie value or bearer token). Shown once, stored only as a hash.
    pub token: String,
    /// The session.
    pub session: SessionId,
    /// Who.
    pub user: UserId,
    /// When it expires if unused.
    pub expires_at: OffsetDateTime,
    /// The password was a one-time password: the user must set their own before anything else.
    pub must_change_password: bool,
}

/// A request's authenticated user.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Access facts.
    pub principal: Principal,
    /// The session used.
    pub session: SessionId,
    /// Display name.
    pub display_name: String,
    /// Login.
    pub login: String,
    /// Interface language.
    pub locale: String,
    /// Signed in with a one-time password: may only set their own (and sign out).
    pub must_change_password: bool,
}

/// The hex SHA-256 of a token: what the sessions table keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(hex::encode(bytes))
}

fn short(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

impl App {
    /// Checks a login and password and opens a session.
    ///
    /// First the client's address must be within its window ([`AppError::TooManyAttempts`]),
    /// then the login must not be locked ([`AppError::AccountLocked`]): after
    /// `lockout_threshold` failures with a login it refuses even the right password for
    /// `lockout_duration`, each further lock in a row twice as long; when a lock ends one
    /// failure does not lock again, and a success forgets the failures (see [`crate::throttle`]).
    /// Wrong login and wrong password answer alike (and take as long): an unknown login is
    /// counted and locked like a known one. A disabled account is told so only after the right
    /// password.
    #[tracing::instrument(skip_all, fields(login = %login))]
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        kind: SessionKind,
        client: &Client,
    ) -> Result<LoggedIn, AppError> {
        self.throttle_address(&client.address).await?;
        let key = crate::throttle::account_key(login);
        if let Some(until) = self.account_blocked(&key).await? {
            return Err(AppError::AccountLocked { until });
        }
        let now = self.now();
        let login = Login::parse(login).ok();
        let user = match &login {
            Some(l) => {
                let mut c = self.db.acquire().await?;
                user_repo::auth_by_login(&mut c.conn(), l.as_str()).await?
            }
            None => None,
        };
        let ok = self
            .hasher
            .verify(
                user.as_ref().and_then(|u| u.password_hash.clone()),
                password.to_owned(),
            )
            .await?;
        let user = match user {
            Some(user) if ok => user,
            user => {
                let mut tx = self.db.begin().await?;
                let locked = self.account_failed(&mut tx.conn(), &key).await?;
                if let (Some(until), Some(user)) = (locked, &user) {
                    // The account's own columns show the lock on the administration's list.
                    user_repo::record_failed_login(&mut tx.conn(), user.id, 0, Some(until)).await?;
                    let school = user_repo::profile(&mut tx.conn(), user.id)
                        .await?
                        .and_then(|p| p.school);
                    audit::append(
                        &mut tx.conn(),
                        &AuditEntry {
                            chain: school.map_or(0, |s| s.get()),
                            at: now,
                            actor: None,
                            action: "user.lockout",
                            entity: "user",
                            entity_id: user.id.to_string(),
                            before: None,
                            after: Some(
                                serde_json::json!({ "locked_until": until.unix_timestamp() }),
                            ),
                            reason: Some("repeated failed logins"),
                            origin: Some(&client.address),
                        },
                    )
                    .await?;
                }
                tx.commit().await?;
                return Err(match locked {
                    Some(until) => AppError::AccountLocked { until },
                    None => AppError::BadCredentials,
                });
            }
        };
        let mut tx = self.db.begin().await?;
        if user.disabled_at.is_some() {
            return Err(AppError::Disabled);
        }
        user_repo::record_successful_login(&mut tx.conn(), user.id).await?;
        tabel_store::throttle::clear(&mut tx.conn(), &key).await?;
        let token = new_token()?;
        let idle = match kind {
            SessionKind::Web => self.config.web_session_idle,
            SessionKind::Api => self.config.api_session_idle,
        };
        let expires_at = now + idle;
        let session = session::insert_session(
            &mut tx.conn(),
            &NewSession {
                token_hash: &token_hash(&token),
                user: user.id,
                kind: kind.code(),
                now,
                expires_at,
                user_agent: &short(&client.user_agent, 200),
                origin: &short(&client.address, 64),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(LoggedIn {
            token,
            session,
            user: user.id,
            expires_at,
            must_change_password: user.must_change_password,
        })
    }

    /// The user behind a token, if the session is live; slides its expiry (at most once every
    /// five minutes, to keep reads from writing).
    #[tracing::instrument(skip_all)]
    pub async fn authenticate(&self, token: &str, today: Date) -> Result<Authenticated, AppError> {
        let now = self.now();
        let hash = token_hash(token);
        if let Some(who) = self.recently_authenticated(&hash) {
            return Ok(who);
        }
        let mut c = self.db.acquire().await?;
        let s = session::session_by_hash(&mut c.conn(), &hash)
            .await?
            .filter(|s| s.is_live(now))
            .ok_or(AppError::Unauthenticated)?;
        let profile = user_repo::profile(&mut c.conn(), s.user)
            .await?
            .filter(|p| !p.disabled)
            .ok_or(AppError::Unauthenticated)?;
        let principal = load_principal(&mut c.conn(), s.user, profile.person, today).await?;
        drop(c);
        if now - s.last_seen_at > time::Duration::minutes(5) {
            let idle = if s.kind == "api" {
                self.config.api_session_idle
            } else {
                self.config.web_session_idle
            };
            let mut tx = self.db.begin().await?;
            session::touch_session(&mut tx.conn(), s.id, now, now + idle).await?;
            tx.commit().await?;
        }
        let who = Authenticated {
            principal,
            session: s.id,
            display_name: profile.display_name,
            login: profile.login,
            locale: profile.locale,
            must_change_password: profile.must_change_password,
        };
        self.remember_authenticated(hash, &who);
        Ok(who)
    }

    fn recently_authenticated(&self, hash: &str) -> Option<Authenticated> {
        let ttl = self.config.auth_cache_ttl;
        if ttl.is_zero() {
            return None;
        }
        let cache = self
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Fresh by the process's own time and by the application's clock alike: a test that
        // moves the clock past a session's expiry finds it checked again.
        let now = self.now();
        cache
            .get(hash)
            .filter(|(_, at, seen)| at.elapsed() < ttl && now - *seen < ttl)
            .map(|(who, _, _)| who.clone())
    }

    fn remember_authenticated(&self, hash: String, who: &Authenticated) {
        let ttl = self.config.auth_cache_ttl;
        if ttl.is_zero() {
            return;
        }
        let mut cache = self
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= 10_000 {
            cache.retain(|_, (_, at, _)| at.elapsed() < ttl);
        }
        let seen = self.now();
        cache.insert(hash, (who.clone(), std::time::Instant::now(), seen));
    }

    /// Drops every remembered session: after a logout, a revocation, a password change, a lock
    /// or a change of roles, links or consents, the next request reads the database again.
    pub fn forget_sessions(&self) {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// Ends one session (logout).
    pub async fn logout(&self, who: &Authenticated) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        session::revoke_session(&mut tx.conn(), who.principal.user, who.session, self.now())
            .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }

    /// Ends every other session of the user ("log out of all other devices"); returns how many.
    pub async fn logout_elsewhere(&self, who: &Authenticated) -> Result<u64, AppError> {
        let mut tx = self.db.begin().await?;
        let n = session::revoke_sessions_of(
            &mut tx.conn(),
            who.principal.user,
            Some(who.session),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(n)
    }

    /// Ends one of the user's own sessions by id (a device listed on the account page).
    pub async fn end_session(&self, who: &Authenticated, id: SessionId) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let done =
            session::revoke_session(&mut tx.conn(), who.principal.user, id, self.now()).await?;
        tx.commit().await?;
        self.forget_sessions();
        if done {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The user's live sessions, newest first.
    pub async fn my_sessions(&self, who: &Authenticated) -> Result<Vec<Session>, AppError> {
        let now = self.now();
        let mut c = self.db.acquire().await?;
        Ok(session::sessions_of(&mut c.conn(), who.principal.user)
            .await?
            .into_iter()
            .filter(|s| s.is_live(now))
            .collect())
    }

    /// Changes one's own password: the current one is required, and every other session ends.
    pub async fn change_password(
        &self,
        who: &Authenticated,
        current: &str,
        new: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let new = NewPassword::parse(new)
            .map_err(|e| AppError::invalid("new_password", e.to_string()))?;
        let stored = {
            let mut c = self.db.acquire().await?;
            user_repo::auth_by_id(&mut c.conn(), who.principal.user)
                .await?
                .ok_or(AppError::Unauthenticated)?
        };
        if !self
            .hasher
            .verify(stored.password_hash, current.to_owned())
            .await?
        {
            return Err(AppError::invalid(
                "current_password",
                "The current password is wrong",
            ));
        }
        let hash = self.hasher.hash(new.expose().to_owned()).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        user_repo::set_password(&mut tx.conn(), who.principal.user, &hash, now).await?;
        session::revoke_sessions_of(&mut tx.conn(), who.principal.user, Some(who.session), now)
            .await?;
        let school = user_repo::profile(&mut tx.conn(), who.principal.user)
            .await?
            .and_then(|p| p.school);
        audit::append(
            &mut tx.conn(),
            &AuditEntry {
                chain: school.map_or(0, |s| s.get()),
                at: now,
                actor: Some(who.principal.user.get()),
                action: "user.password_change",
                entity: "user",
                entity_id: who.principal.user.to_string(),
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

/// Loads everything access decisions need about a user on a date.
pub async fn load_principal(
    conn: &mut Conn<'_>,
    user: UserId,
    person: Option<tabel_domain::PersonId>,
    today: Date,
) -> Result<Principal, AppError> {
    let grants: Vec<(Role, tabel_domain::SchoolId)> = user_repo::roles_of(conn, user)
        .await?
        .into_iter()
        .filter(|(r, _)| matches!(r, Role::Admin | Role::Deputy | Role::Teacher))
        .collect();
    let teaches = grants.iter().any(|(r, _)| *r == Role::Teacher);
    let (class_teacher_of, children, student_in, pupils, student_consent) = match person {
        Some(p) => {
            let led = school_repo::classes_led_by(conn, p, today).await?;
            // Whom a teacher reads: one query, only for someone who teaches or leads a class.
            let pupils = if teaches || !led.is_empty() {
                school_repo::pupils_of_teacher(conn, p, today).await?
            } else {
                Vec::new()
            };
            let children = school_repo::children_of(conn, p)
                .await?
                .into_iter()
                .map(|c| LinkedChild {
                    student: c.student.id,
                    school: c.school,
                    consent: c.diary_consent == Some(ConsentState::Given),
                })
                .collect();
            let student_in = school_repo::student_school(conn, p).await?;
            let student_consent = match student_in {
                Some(_) => school_repo::family_consents(conn, p).await?,
                None => false,
            };
            (led, children, student_in, pupils, student_consent)
        }
        None => (Vec::new(), Vec::new(), None, Vec::new(), false),
    };
    Ok(Principal {
        user,
        person,
        grants,
        class_teacher_of,
        children,
        student_in,
        pupils,
        student_consent,
    })
}
