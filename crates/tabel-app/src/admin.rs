//! Account administration: create, reset password, lock and unlock, link a parent to a child.
//! Each is checked (school administrators only), audited and announced in one transaction. The
//! CLI, run by the operator on the server, calls the `system_*` variants, audited with no actor.

use crate::{App, AppError, Client, FieldErrors, check};
use serde::{Deserialize, Serialize};
use tabel_domain::access::Principal;
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::school::{Relation, Role};
use tabel_domain::text::{Login, NewPassword, Title};
use tabel_domain::{PersonId, SchoolId, UserId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as repo;
use tabel_store::user::{self as user_repo, NewUser};
use tabel_store::{Conn, StoreError, Tx, outbox, session};
use time::OffsetDateTime;

/// A new account, as a form or API body gives it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewAccount {
    /// Login: 3–64 characters, Latin letters, digits, `.`, `-`, `_`.
    pub login: String,
    /// The name shown in the interface.
    pub display_name: String,
    /// Initial password (8–128 characters).
    pub password: String,
    /// Roles to grant in the school: `admin`, `deputy`, `teacher` (family roles come from links).
    #[serde(default)]
    pub roles: Vec<String>,
    /// The person behind the account (a staff member, parent or student of the school).
    #[serde(default)]
    pub person_id: Option<String>,
}

struct ValidAccount {
    login: Login,
    display_name: Title,
    password: NewPassword,
    roles: Vec<Role>,
    person: Option<PersonId>,
}

fn validate(a: &NewAccount) -> Result<ValidAccount, AppError> {
    let mut errors = FieldErrors::new();
    let login = Login::parse(&a.login)
        .map_err(|e| errors.insert("login".into(), e.to_string()))
        .ok();
    let display_name = Title::parse(&a.display_name)
        .map_err(|e| errors.insert("display_name".into(), e.to_string()))
        .ok();
    let password = NewPassword::parse(&a.password)
        .map_err(|e| errors.insert("password".into(), e.to_string()))
        .ok();
    let mut roles = Vec::new();
    for r in &a.roles {
        match Role::from_code(r) {
            // A role named twice is granted once (each grant is a write).
            Ok(role) if Role::GRANTABLE.contains(&role) => {
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
            _ => {
                errors.insert(
                    "roles".into(),
                    format!("unknown or not grantable role: {r}"),
                );
            }
        }
    }
    let person = match a
        .person_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => match raw.parse::<PersonId>() {
            Ok(p) => Some(p),
            Err(_) => {
                errors.insert("person_id".into(), "not a person id".into());
                None
            }
        },
    };
    match (login, display_name, password) {
        (Some(login), Some(display_name), Some(password)) if errors.is_empty() => {
            Ok(ValidAccount {
                login,
                display_name,
                password,
                roles,
                person,
            })
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Who changed what, for the audit record.
struct Change<'a> {
    school: SchoolId,
    at: OffsetDateTime,
    actor: Option<UserId>,
    action: &'a str,
    entity_id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

async fn audit_in(tx: &mut Tx, c: Change<'_>, client: &Client) -> Result<(), AppError> {
    audit::append(
        &mut tx.conn(),
        &AuditEntry {
            chain: c.school.get(),
            at: c.at,
            actor: c.actor.map(UserId::get),
            action: c.action,
            entity: c.action.split('.').next().unwrap_or(c.action),
            entity_id: c.entity_id,
            before: c.before,
            after: c.after,
            reason: None,
            origin: Some(&client.address),
        },
    )
    .await?;
    Ok(())
}

async fn user_school(conn: &mut Conn<'_>, user: UserId) -> Result<SchoolId, AppError> {
    user_repo::profile(conn, user)
        .await?
        .and_then(|p| p.school)
        .ok_or(AppError::NotFound)
}

impl App {
    /// Creates an account in a school (administrators).
    pub async fn create_user(
        &self,
        p: &Principal,
        school: SchoolId,
        a: &NewAccount,
        client: &Client,
    ) -> Result<UserId, AppError> {
        check(p.may_administer(school))?;
        self.create_user_inner(Some(p.user), school, a, client)
            .await
    }

    /// Creates an account from the command line.
    pub async fn system_create_user(
        &self,
        school: SchoolId,
        a: &NewAccount,
    ) -> Result<UserId, AppError> {
        self.create_user_inner(None, school, a, &Client::cli())
            .await
    }

    async fn create_user_inner(
        &self,
        actor: Option<UserId>,
        school: SchoolId,
        a: &NewAccount,
        client: &Client,
    ) -> Result<UserId, AppError> {
        let v = validate(a)?;
        let hash = self.hasher.hash(v.password.expose().to_owned()).await?;
        let mut tx = self.db.begin().await?;
        let id = self
            .insert_account(&mut tx, actor, school, &v, &hash, client)
            .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(id)
    }

    /// Writes a validated account with its roles, audited and announced, in the caller's
    /// transaction.
    async fn insert_account(
        &self,
        tx: &mut Tx,
        actor: Option<UserId>,
        school: SchoolId,
        v: &ValidAccount,
        hash: &str,
        client: &Client,
    ) -> Result<UserId, AppError> {
        let now = self.now();
        if let Some(person) = v.person {
            match repo::get_person(&mut tx.conn(), person).await? {
                Some((s, _)) if s == school => {}
                _ => {
                    return Err(AppError::invalid(
                        "person_id",
                        "no such person in this school",
                    ));
                }
            }
            if user_repo::user_of_person(&mut tx.conn(), person)
                .await?
                .is_some()
            {
                return Err(AppError::invalid(
                    "person_id",
                    "this person already has an account",
                ));
            }
        }
        let id = match user_repo::insert_user(
            &mut tx.conn(),
            &NewUser {
                login: v.login.as_str(),
                password_hash: Some(hash),
                person: v.person,
                display_name: v.display_name.as_str(),
                school: Some(school),
                locale: "ru",
                created_at: now,
            },
        )
        .await
        {
            Ok(id) => id,
            Err(StoreError::Duplicate(_)) => {
                return Err(AppError::invalid("login", "this login is taken"));
            }
            Err(e) => return Err(e.into()),
        };
        for role in &v.roles {
            user_repo::grant_role(&mut tx.conn(), id, *role, school).await?;
        }
        let after = serde_json::json!({
            "login": v.login.as_str(),
            "display_name": v.display_name.as_str(),
            "person_id": v.person.map(|p| p.to_string()),
            "roles": v.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
        });
        audit_in(
            tx,
            Change {
                school,
                at: self.now(),
                actor,
                action: "user.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(after.clone()),
            },
            client,
        )
        .await?;
        outbox::emit(&mut tx.conn(), Some(school), "user.created", &after, now).await?;
        Ok(id)
    }

    /// Sets a new password for an account (administrators); the user's sessions end. The
    /// administrator knows this password, so its holder must set their own at the next login.
    pub async fn reset_password(
        &self,
        p: &Principal,
        user: UserId,
        password: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let school = {
            let mut c = self.db.acquire().await?;
            user_school(&mut c.conn(), user).await?
        };
        check(p.may_administer(school))?;
        self.reset_password_inner(Some(p.user), user, password, client)
            .await
    }

    /// Sets a new password from the command line (the operator's own recovery: the password
    /// is final, not one to change at the next login).
    pub async fn system_reset_password(
        &self,
        login: &str,
        password: &str,
    ) -> Result<UserId, AppError> {
        let user = self.user_by_login(login).await?;
        self.reset_password_inner(None, user, password, &Client::cli())
            .await?;
        Ok(user)
    }

    async fn reset_password_inner(
        &self,
        actor: Option<UserId>,
        user: UserId,
        password: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let password = NewPassword::parse(password)
            .map_err(|e| AppError::invalid("password", e.to_string()))?;
        let hash = self.hasher.hash(password.expose().to_owned()).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let school = user_school(&mut tx.conn(), user).await?;
        // Another person set it: it is as temporary as a login letter's one-time password.
        let must_change = actor.is_some() && actor != Some(user);
        if must_change {
            user_repo::set_one_time_password(&mut tx.conn(), user, &hash).await?;
        } else {
            user_repo::set_password(&mut tx.conn(), user, &hash, now).await?;
        }
        session::revoke_sessions_of(&mut tx.conn(), user, None, now).await?;
        audit_in(
            &mut tx,
            Change {
                school,
                at: self.now(),
                actor,
                action: "user.password_reset",
                entity_id: user.to_string(),
                before: None,
                after: Some(serde_json::json!({ "must_change_password": must_change })),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }

    /// Locks (`true`) or unlocks an account (administrators). Locking ends its sessions;
    /// unlocking also clears a lock from failed logins.
    pub async fn set_locked(
        &self,
        p: &Principal,
        user: UserId,
        locked: bool,
        client: &Client,
    ) -> Result<(), AppError> {
        let school = {
            let mut c = self.db.acquire().await?;
            user_school(&mut c.conn(), user).await?
        };
        check(p.may_administer(school))?;
        if locked && user == p.user {
            return Err(AppError::Conflict(
                "you cannot lock your own account".into(),
            ));
        }
        self.set_locked_inner(Some(p.user), user, locked, client)
            .await
    }

    /// Locks or unlocks from the command line.
    pub async fn system_set_locked(&self, login: &str, locked: bool) -> Result<UserId, AppError> {
        let user = self.user_by_login(login).await?;
        self.set_locked_inner(None, user, locked, &Client::cli())
            .await?;
        Ok(user)
    }

    async fn set_locked_inner(
        &self,
        actor: Option<UserId>,
        user: UserId,
        locked: bool,
        client: &Client,
    ) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let school = user_school(&mut tx.conn(), user).await?;
        let before = user_repo::auth_by_id(&mut tx.conn(), user)
            .await?
            .ok_or(AppError::NotFound)?;
        let at: Option<OffsetDateTime> = if locked {
            Some(before.disabled_at.unwrap_or(now))
        } else {
            None
        };
        user_repo::set_disabled(&mut tx.conn(), user, at).await?;
        if locked {
            session::revoke_sessions_of(&mut tx.conn(), user, None, now).await?;
        } else {
            // Unlocking also ends a lock after failed logins.
            tabel_store::throttle::clear(
                &mut tx.conn(),
                &crate::throttle::account_key(&before.login),
            )
            .await?;
        }
        audit_in(
            &mut tx,
            Change {
                school,
                at: self.now(),
                actor,
                action: if locked { "user.lock" } else { "user.unlock" },
                entity_id: user.to_string(),
                before: Some(serde_json::json!({ "disabled": before.disabled_at.is_some(), "failed_logins": before.failed_logins })),
                after: Some(serde_json::json!({ "disabled": locked, "failed_logins": 0 })),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }

    /// Links a legal representative to a child of the same school (administrators).
    pub async fn link_parent(
        &self,
        p: &Principal,
        school: SchoolId,
        parent: PersonId,
        student: PersonId,
        relation: Relation,
        client: &Client,
    ) -> Result<(), AppError> {
        check(p.may_administer(school))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let mut errors = FieldErrors::new();
        match repo::get_person(&mut tx.conn(), parent).await? {
            Some((s, _)) if s == school => {}
            _ => {
                errors.insert("parent_id".into(), "no such person in this school".into());
            }
        }
        match repo::get_student(&mut tx.conn(), student).await? {
            Some(card) if card.school == school => {}
            _ => {
                errors.insert("student_id".into(), "no such student in this school".into());
            }
        }
        if parent == student {
            errors.insert(
                "parent_id".into(),
                "a person cannot represent themselves".into(),
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if repo::is_linked(&mut tx.conn(), parent, student).await? {
            return Err(AppError::Conflict("already linked".into()));
        }
        repo::insert_guardianship(
            &mut tx.conn(),
            &repo::NewGuardianship {
                school,
                parent,
                student,
                relation,
                confirmed_at: now,
                confirmed_by: Some(p.user),
            },
        )
        .await?;
        let after = serde_json::json!({
            "parent_id": parent.to_string(), "student_id": student.to_string(), "relation": relation.code()
        });
        audit_in(
            &mut tx,
            Change {
                school,
                at: self.now(),
                actor: Some(p.user),
                action: "guardianship.create",
                entity_id: format!("{parent}:{student}"),
                before: None,
                after: Some(after.clone()),
            },
            client,
        )
        .await?;
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "guardianship.created",
            &after,
            now,
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }

    async fn user_by_login(&self, login: &str) -> Result<UserId, AppError> {
        let login = Login::parse(login).map_err(|e| AppError::invalid("login", e.to_string()))?;
        let mut c = self.db.acquire().await?;
        Ok(user_repo::auth_by_login(&mut c.conn(), login.as_str())
            .await?
            .ok_or(AppError::NotFound)?
            .id)
    }

    /// Recomputes the audit chains.
    pub async fn verify_audit(&self) -> Result<audit::VerifyReport, AppError> {
        let mut c = self.db.acquire().await?;
        Ok(audit::verify(&mut c.conn()).await?)
    }

    /// The journal's marks and attendance against the audit log: each row as the log last
    /// recorded it (`tabel audit verify` runs it after the chains).
    pub async fn verify_journal(&self) -> Result<audit::JournalCheck, AppError> {
        let mut c = self.db.acquire().await?;
        Ok(audit::verify_journal(&mut c.conn()).await?)
    }

    /// Where every chain stands now, for the operator to keep outside the database
    /// (`tabel audit checkpoint`).
    pub async fn audit_checkpoint(&self) -> Result<Vec<audit::Checkpoint>, AppError> {
        let mut c = self.db.acquire().await?;
        Ok(audit::checkpoint(&mut c.conn()).await?)
    }

    /// The log against checkpoints taken earlier: a break for each record that is gone or
    /// differs.
    pub async fn verify_checkpoints(
        &self,
        points: &[audit::Checkpoint],
    ) -> Result<Vec<audit::Break>, AppError> {
        let mut c = self.db.acquire().await?;
        Ok(audit::verify_checkpoints(&mut c.conn(), points).await?)
    }
}

/// A new school as the operator gives it (`tabel school add`). The region and the municipality
/// are found by name, or added.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewSchoolInput {
    /// Full name, e.g. "МБОУ «Средняя общеобразовательная школа № 5»".
    pub name: String,
    /// Short name, e.g. "СОШ № 5".
    pub short_name: String,
    /// Region (субъект РФ), e.g. "Свердловская область".
    pub region: String,
    /// Municipality, e.g. "г. Екатеринбург".
    pub municipality: String,
    /// IANA time zone, e.g. "Asia/Yekaterinburg": it decides when the school's day begins.
    pub time_zone: String,
}

/// What `system_create_school` made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedSchool {
    /// The school.
    pub school: SchoolId,
    /// Its first administrator's account.
    pub admin: UserId,
}

impl App {
    /// Creates a school with its first administrator, from the command line. One transaction:
    /// the region and the municipality (found by name or added), the school, the account with
    /// the administrator's role, each audited in the new school's chain. Nothing is written when
    /// a field is wrong or the login is taken.
    pub async fn system_create_school(
        &self,
        s: &NewSchoolInput,
        admin: &NewAccount,
    ) -> Result<CreatedSchool, AppError> {
        self.create_school_as(None, &Client::cli(), s, admin).await
    }

    /// [`App::system_create_school`] on behalf of an actor (a regional administrator, whose
    /// right to the region the caller checked), audited with the actor.
    pub(crate) async fn create_school_as(
        &self,
        actor: Option<UserId>,
        client: &Client,
        s: &NewSchoolInput,
        admin: &NewAccount,
    ) -> Result<CreatedSchool, AppError> {
        let mut errors = FieldErrors::new();
        let mut title = |field: &str, raw: &str| {
            Title::parse(raw)
                .map_err(|e| errors.insert(field.into(), e.to_string()))
                .ok()
        };
        let name = title("name", &s.name);
        let short_name = title("short_name", &s.short_name);
        let region = title("region", &s.region);
        let municipality = title("municipality", &s.municipality);
        let time_zone = TimeZoneName::parse(s.time_zone.trim())
            .map_err(|e| errors.insert("time_zone".into(), e.to_string()))
            .ok();
        let account = match validate(admin) {
            Ok(v) => Some(v),
            Err(AppError::Invalid(more)) => {
                errors.extend(more);
                None
            }
            Err(e) => return Err(e),
        };
        let (
            Some(name),
            Some(short_name),
            Some(region),
            Some(municipality),
            Some(time_zone),
            Some(mut account),
        ) = (name, short_name, region, municipality, time_zone, account)
        else {
            return Err(AppError::Invalid(errors));
        };
        if !account.roles.contains(&Role::Admin) {
            account.roles.insert(0, Role::Admin);
        }
        let hash = self
            .hasher
            .hash(account.password.expose().to_owned())
            .await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let region_id = repo::region_named(&mut tx.conn(), region.as_str()).await?;
        let municipality_id =
            repo::municipality_named(&mut tx.conn(), region_id, municipality.as_str()).await?;
        let school = repo::insert_school(
            &mut tx.conn(),
            &repo::NewSchool {
                municipality: municipality_id,
                name: name.as_str(),
                short_name: short_name.as_str(),
                time_zone: time_zone.as_str(),
                created_at: now,
            },
        )
        .await?;
        let after = serde_json::json!({
            "name": name.as_str(),
            "short_name": short_name.as_str(),
            "region": region.as_str(),
            "municipality": municipality.as_str(),
            "time_zone": time_zone.as_str(),
        });
        audit_in(
            &mut tx,
            Change {
                school,
                at: now,
                actor,
                action: "school.create",
                entity_id: school.to_string(),
                before: None,
                after: Some(after.clone()),
            },
            client,
        )
        .await?;
        outbox::emit(&mut tx.conn(), Some(school), "school.created", &after, now).await?;
        let admin = self
            .insert_account(&mut tx, actor, school, &account, &hash, client)
            .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(CreatedSchool { school, admin })
    }
}
