//! Accounts handed out at scale: one action gives every pupil, parent and staff member of a
//! class or the school without an account a login and a one-time password (to replace at the
//! first login), and every parent a fresh invitation code per child not yet linked. What comes
//! back is shown once — as login letters (PDF) or a CSV for a mail merge — and never stored:
//! only hashes are kept.

use crate::{App, AppError, Client, check};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use tabel_domain::access::Principal;
use tabel_domain::school::{Relation, Role};
use tabel_domain::text::{Login, latin};
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_store::accounts::{self as repo, Holder};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as school_repo;
use tabel_store::user::{self as user_repo, NewUser};
use time::{Date, Duration};

/// How long an invitation code stays valid.
pub const INVITATION_DAYS: i64 = 30;

/// Failed redemptions an account may make in [`ATTEMPT_WINDOW_MINUTES`].
pub const MAX_FAILED_ATTEMPTS: i64 = 5;

/// The window of [`MAX_FAILED_ATTEMPTS`].
pub const ATTEMPT_WINDOW_MINUTES: i64 = 60;

/// Letters without 0/O, 1/I/L: what a person reads off paper and types.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Whom to hand accounts out to.
#[derive(Debug, Clone, Deserialize)]
pub struct IssueAccounts {
    /// One class (its pupils and their parents); none: the whole school (and its staff).
    #[serde(default)]
    pub class: Option<GroupId>,
    #[serde(default = "yes")]
    pub pupils: bool,
    #[serde(default = "yes")]
    pub parents: bool,
    #[serde(default = "yes")]
    pub staff: bool,
}

fn yes() -> bool {
    true
}

/// One person's letter.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub person: PersonId,
    pub name: String,
    /// «Ученик 5А», «Родитель», «Учитель».
    pub role: String,
    pub login: String,
    /// The one-time password; none when the person already had an account.
    pub password: Option<String>,
    /// A parent's children with their invitation codes.
    pub children: Vec<LetterChild>,
}

/// A child a parent's code links to.
#[derive(Debug, Clone, Serialize)]
pub struct LetterChild {
    pub name: String,
    pub class: String,
    pub code: String,
    pub expires_on: Date,
}

/// What one hand-out made.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub school: String,
    pub issued_on: Date,
    /// Accounts created.
    pub accounts: usize,
    /// Invitation codes made.
    pub codes: usize,
    pub letters: Vec<Letter>,
}

/// The login a person's name suggests: `petrov.as` (surname, then the initials).
fn login_base(h: &Holder) -> String {
    let initial = |s: &str| {
        latin(s)
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default()
    };
    let mut base = latin(&h.last_name);
    base.truncate(40);
    let initials = format!(
        "{}{}",
        initial(&h.first_name),
        h.middle_name.as_deref().map(initial).unwrap_or_default()
    );
    let base = if initials.is_empty() {
        base
    } else {
        format!("{base}.{initials}")
    };
    if base.len() < 3 {
        format!("user.{base}")
    } else {
        base
    }
}

/// A random text of `n` symbols of [`ALPHABET`], in groups of four.
pub(crate) fn random_code(n: usize) -> Result<String, AppError> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    let mut out = String::new();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        // 248 = 8 × 31: bytes above it would make the first symbols likelier; drawing them again
        // is not worth it for a one-time secret, but the bias is kept away all the same.
        let mut v = *b;
        while v >= 248 {
            v = v.wrapping_mul(31).wrapping_add(7);
        }
        out.push(char::from(ALPHABET[usize::from(v) % ALPHABET.len()]));
    }
    Ok(out)
}

/// The hash a code or one-time password is kept as: fast, as they are random (60 bits for a
/// password, 40 for a code that also expires and allows five wrong tries an hour).
pub fn secret_hash(secret: &str) -> String {
    let normal: String = secret
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(|c| c.to_uppercase())
        .collect();
    let digest = Sha256::digest(normal.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn full_name(last: &str, first: &str, middle: Option<&str>) -> String {
    match middle {
        Some(m) => format!("{last} {first} {m}"),
        None => format!("{last} {first}"),
    }
}

impl App {
    /// Hands out accounts (administrators): see the module's documentation.
    pub async fn issue_accounts(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &IssueAccounts,
        client: &Client,
    ) -> Result<Issued, AppError> {
        check(p.may_administer(school))?;
        let today = self.today();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let year = school_repo::academic_year_on(&mut tx.conn(), school, today)
            .await?
            .ok_or_else(|| AppError::invalid("class", "the school has no academic year yet"))?;
        if let Some(class) = input.class {
            match school_repo::get_group(&mut tx.conn(), class, today).await? {
                Some(g) if g.school == school => {}
                _ => return Err(AppError::NotFound),
            }
        }
        let holders = repo::holders(
            &mut tx.conn(),
            school,
            year.id,
            today,
            input.class,
            input.pupils,
            input.parents,
            input.staff,
        )
        .await?;
        let pending = if input.parents {
            repo::pending_invitations(&mut tx.conn(), school, today).await?
        } else {
            Vec::new()
        };
        let school_name = self
            .system_schools()
            .await?
            .into_iter()
            .find(|s| s.id == school)
            .map(|s| s.name)
            .unwrap_or_default();
        let expires = now + Duration::days(INVITATION_DAYS);
        let expires_on = today + Duration::days(INVITATION_DAYS);
        let mut taken: HashSet<String> = HashSet::new();
        let mut letters = Vec::new();
        let mut seen = HashSet::new();
        let (mut accounts, mut codes) = (0, 0);
        for h in &holders {
            if !seen.insert((h.id, h.kind.clone())) {
                continue;
            }
            let name = full_name(&h.last_name, &h.first_name, h.middle_name.as_deref());
            let children: Vec<_> = pending.iter().filter(|i| i.parent_id == h.id).collect();
            if h.kind == "parent" && children.is_empty() && h.user_id.is_some() {
                // Linked to every child already and has an account: nothing to hand out.
                continue;
            }
            if h.kind != "parent" && h.user_id.is_some() {
                continue;
            }
            let (login, password) = match (&h.user_id, &h.login) {
                (Some(_), Some(login)) => (login.clone(), None),
                _ => {
                    let base = login_base(h);
                    let existing: HashSet<String> = repo::logins_like(&mut tx.conn(), &base)
                        .await?
                        .into_iter()
                        .collect();
                    let login = (1..)
                        .map(|n| {
                            if n == 1 {
                                base.clone()
                            } else {
                                format!("{base}{n}")
                            }
                        })
                        .find(|l| !existing.contains(l) && !taken.contains(l))
                        .unwrap_or_default();
                    taken.insert(login.clone());
                    let parsed = Login::parse(&login)
                        .map_err(|e| AppError::Internal(format!("login {login}: {e}")))?;
                    let password = random_code(12)?;
                    let user = user_repo::insert_user(
                        &mut tx.conn(),
                        &NewUser {
                            login: parsed.as_str(),
                            password_hash: None,
                            person: Some(PersonId::new(h.id)),
                            display_name: &tabel_domain::text::short_name(
                                &h.last_name,
                                &h.first_name,
                                h.middle_name.as_deref(),
                            ),
                            school: Some(school),
                            locale: "ru",
                            created_at: now,
                        },
                    )
                    .await?;
                    let hash = format!("otp${}", secret_hash(&password));
                    user_repo::set_one_time_password(&mut tx.conn(), user, &hash).await?;
                    if h.kind == "staff" {
                        for code in h.roles.as_deref().unwrap_or("teacher").split(',') {
                            if let Ok(role) = Role::from_code(code.trim())
                                && Role::GRANTABLE.contains(&role)
                            {
                                user_repo::grant_role(&mut tx.conn(), user, role, school).await?;
                            }
                        }
                    }
                    audit::append(
                        &mut tx.conn(),
                        &AuditEntry {
                            chain: school.get(),
                            at: now,
                            actor: Some(p.user.get()),
                            action: "user.issue",
                            entity: "user",
                            entity_id: user.to_string(),
                            before: None,
                            after: Some(serde_json::json!({
                                "login": login, "person_id": h.id.to_string(), "kind": h.kind,
                            })),
                            reason: None,
                            origin: Some(&client.address),
                        },
                    )
                    .await?;
                    accounts += 1;
                    (login, Some(password))
                }
            };
            let mut letter_children = Vec::new();
            for i in &children {
                let code = random_code(8)?;
                repo::set_invitation_code(&mut tx.conn(), i.id, &secret_hash(&code), expires)
                    .await?;
                codes += 1;
                letter_children.push(LetterChild {
                    name: full_name(&i.last_name, &i.first_name, i.middle_name.as_deref()),
                    class: i.class_name.clone().unwrap_or_default(),
                    code,
                    expires_on,
                });
            }
            let role = match h.kind.as_str() {
                "pupil" => format!("Ученик {}", h.class_name.as_deref().unwrap_or("")),
                "parent" => "Родитель".to_owned(),
                _ => {
                    let roles = h.roles.as_deref().unwrap_or("teacher");
                    if roles.contains("admin") {
                        "Администратор".to_owned()
                    } else if roles.contains("deputy") {
                        "Заместитель директора".to_owned()
                    } else {
                        "Учитель".to_owned()
                    }
                }
            };
            letters.push(Letter {
                person: PersonId::new(h.id),
                name,
                role: role.trim().to_owned(),
                login,
                password,
                children: letter_children,
            });
        }
        if codes > 0 {
            audit::append(
                &mut tx.conn(),
                &AuditEntry {
                    chain: school.get(),
                    at: now,
                    actor: Some(p.user.get()),
                    action: "invitation.issue",
                    entity: "invitation",
                    entity_id: school.to_string(),
                    before: None,
                    after: Some(serde_json::json!({ "codes": codes })),
                    reason: None,
                    origin: Some(&client.address),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Issued {
            school: school_name,
            issued_on: today,
            accounts,
            codes,
            letters,
        })
    }

    /// The letters as a PDF: one sheet per person.
    pub async fn login_letters_pdf(
        &self,
        issued: &Issued,
        address: &str,
    ) -> Result<Vec<u8>, AppError> {
        use tabel_reports::docs::{
            LetterChild as DocChild, LoginLetter, LoginLettersDoc, SchoolHeader,
        };
        let doc = LoginLettersDoc {
            school: SchoolHeader {
                name: issued.school.clone(),
                ..SchoolHeader::default()
            },
            address: address.to_owned(),
            issued_on: tabel_present::date(issued.issued_on),
            letters: issued
                .letters
                .iter()
                .map(|l| LoginLetter {
                    name: l.name.clone(),
                    role: l.role.clone(),
                    login: l.login.clone(),
                    password: l.password.clone(),
                    children: l
                        .children
                        .iter()
                        .map(|c| DocChild {
                            name: c.name.clone(),
                            class: c.class.clone(),
                            code: c.code.clone(),
                            expires_on: tabel_present::date(c.expires_on),
                        })
                        .collect(),
                })
                .collect(),
        };
        self.typeset(move |r| r.login_letters(&doc)).await
    }

    /// Links the signed-in parent to the child an invitation code names (single use, expiring,
    /// five wrong codes an hour). The code must be the one printed for this parent.
    pub async fn redeem_invitation(
        &self,
        p: &Principal,
        code: &str,
        client: &Client,
    ) -> Result<PersonId, AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let since = now - Duration::minutes(ATTEMPT_WINDOW_MINUTES);
        if repo::failed_attempts_since(&mut tx.conn(), p.user, since).await? >= MAX_FAILED_ATTEMPTS
        {
            return Err(AppError::LockedOut {
                until: now + Duration::minutes(ATTEMPT_WINDOW_MINUTES),
            });
        }
        let found = repo::invitation_by_code(&mut tx.conn(), &secret_hash(code)).await?;
        let valid = found.filter(|i| {
            i.used_at.is_none()
                && i.expires_at.is_some_and(|e| e > now)
                && p.person.map(PersonId::get) == Some(i.parent_id)
        });
        let Some(inv) = valid else {
            repo::record_failed_attempt(&mut tx.conn(), p.user, now).await?;
            tx.commit().await?;
            return Err(AppError::invalid(
                "code",
                "this code is not valid for your account: check it, or ask the school for a new letter",
            ));
        };
        if !repo::use_invitation(&mut tx.conn(), inv.id, now, p.user).await? {
            return Err(AppError::Conflict("the code has just been used".into()));
        }
        let (school, parent, student) = (
            SchoolId::new(inv.school_id),
            PersonId::new(inv.parent_id),
            PersonId::new(inv.student_id),
        );
        let relation = Relation::from_code(&inv.relation)
            .map_err(|e| AppError::Store(tabel_store::StoreError::from(e)))?;
        if !school_repo::is_linked(&mut tx.conn(), parent, student).await? {
            school_repo::insert_guardianship(
                &mut tx.conn(),
                &school_repo::NewGuardianship {
                    school,
                    parent,
                    student,
                    relation,
                    confirmed_at: now,
                    confirmed_by: Some(p.user),
                },
            )
            .await?;
        }
        audit::append(
            &mut tx.conn(),
            &AuditEntry {
                chain: school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "guardianship.redeem",
                entity: "guardianship",
                entity_id: format!("{parent}:{student}"),
                before: None,
                after: Some(serde_json::json!({
                    "parent_id": parent.to_string(), "student_id": student.to_string(),
                    "relation": relation.code(), "invitation": inv.id,
                })),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(student)
    }
}

/// The letters as CSV (UTF-8 with a BOM, `;`) for a mail merge: one line per person and child.
pub fn letters_csv(issued: &Issued) -> String {
    let mut out = String::from(
        "\u{FEFF}ФИО;Роль;Логин;Временный пароль;Ребёнок;Класс;Код приглашения;Действует до\r\n",
    );
    let field = |s: &str| {
        if s.contains([';', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for l in &issued.letters {
        let head = [
            field(&l.name),
            field(&l.role),
            field(&l.login),
            field(l.password.as_deref().unwrap_or("")),
        ]
        .join(";");
        if l.children.is_empty() {
            out.push_str(&format!("{head};;;;\r\n"));
        }
        for c in &l.children {
            out.push_str(&format!(
                "{head};{};{};{};{}\r\n",
                field(&c.name),
                field(&c.class),
                c.code,
                tabel_present::date(c.expires_on)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn logins_are_latin_and_codes_read_off_paper() {
        assert_eq!(latin("Ёлкина"), "elkina");
        assert_eq!(latin("Щукин-Юрьев"), "shchukinyurev");
        let code = random_code(8).unwrap();
        assert_eq!(code.len(), 9);
        assert!(
            code.chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8)))
        );
        assert_eq!(secret_hash("k7qm-2xpd"), secret_hash("K7QM2XPD"));
    }
}
