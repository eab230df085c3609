//! Staff with their positions and roles: the roles a staff member's account holds change with
//! the staff row, in the same transaction; a staff member who leaves has their account locked
//! at once.

use super::*;
use crate::App;
use serde::Serialize;
use tabel_domain::PersonId;
use tabel_domain::school::{Role, Sex};
use tabel_domain::teaching::{StaffLine, roles_text};
use tabel_domain::text::PersonName;

/// The school's staff.
#[derive(Debug, Clone, Serialize)]
pub struct StaffView {
    pub lines: Vec<StaffLine>,
    pub today: Date,
}

/// What changes on a staff member (`None`: stays).
#[derive(Debug, Clone, Default)]
pub struct StaffEdit {
    pub position: Option<String>,
    pub roles: Option<Vec<Role>>,
}

/// A new staff member.
#[derive(Debug, Clone)]
pub struct NewStaffMember {
    pub name: PersonName,
    /// By the patronymic when not given.
    pub sex: Option<Sex>,
    pub birth_date: Option<Date>,
    pub position: String,
    pub roles: Vec<Role>,
}

fn line_of(r: store::StaffRecord, classes: Vec<String>) -> StaffLine {
    let name = match &r.middle_name {
        Some(m) => format!("{} {} {m}", r.last_name, r.first_name),
        None => format!("{} {}", r.last_name, r.first_name),
    };
    StaffLine {
        person: r.person,
        name,
        position: r.position,
        roles: r.roles,
        left_on: r.left_on,
        user: r.user,
        login: r.login,
        assignments: r.assignments,
        class_teacher_of: classes,
    }
}

fn roles_checked(roles: &[Role]) -> Result<Vec<Role>, AppError> {
    let mut out: Vec<Role> = Vec::new();
    for r in roles {
        if !Role::GRANTABLE.contains(r) {
            return Err(AppError::invalid(
                "roles",
                format!(
                    "{} is not granted directly: use admin, deputy, teacher",
                    r.code()
                ),
            ));
        }
        if !out.contains(r) {
            out.push(*r);
        }
    }
    if out.is_empty() {
        return Err(AppError::invalid("roles", "at least one role"));
    }
    out.sort();
    Ok(out)
}

impl App {
    /// The school's staff with positions, roles, accounts, running assignments and classes
    /// led (administrators).
    pub async fn staff_lines(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<StaffView, AppError> {
        crate::check(p.may_administer(school))?;
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let records = store::staff_records(c, school, today).await?;
        let led = match repo::academic_year_on(c, school, today).await? {
            Some(y) => repo::list_staff(c, school, y.id, today).await?,
            None => Vec::new(),
        };
        let lines = records
            .into_iter()
            .map(|r| {
                let classes = led
                    .iter()
                    .find(|m| m.person.id == r.person)
                    .map(|m| m.class_teacher_of.clone())
                    .unwrap_or_default();
                line_of(r, classes)
            })
            .collect();
        Ok(StaffView { lines, today })
    }

    /// Changes a staff member's position and roles (administrators). With an account, its
    /// roles in the school become the same, in the same transaction. An administrator cannot
    /// take the administrator's role from themselves.
    pub async fn update_staff(
        &self,
        p: &Principal,
        school: SchoolId,
        person: PersonId,
        edit: &StaffEdit,
        client: &Client,
    ) -> Result<(), AppError> {
        crate::check(p.may_administer(school))?;
        let position = edit
            .position
            .as_deref()
            .map(|t| text_field("position", t, MAX_NAME_CHARS))
            .transpose()?;
        let roles = edit.roles.as_deref().map(roles_checked).transpose()?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let today = self.today();
        let r = store::staff_record(c, school, person, today)
            .await?
            .ok_or(AppError::NotFound)?;
        let position = position.unwrap_or_else(|| r.position.clone());
        let mut roles = roles.unwrap_or_else(|| r.roles.clone());
        roles.sort();
        let mut before_roles = r.roles.clone();
        before_roles.sort();
        if position == r.position && roles == before_roles {
            return Ok(());
        }
        if r.user == Some(p.user) && !roles.contains(&Role::Admin) {
            return Err(AppError::Conflict(
                "you cannot take the administrator's role from yourself".into(),
            ));
        }
        tabel_store::setup::set_staff_facts(c, person, &position, &roles_text(&roles)).await?;
        let mut account = serde_json::Value::Null;
        if let Some(user) = r.user
            && roles != before_roles
        {
            let granted: Vec<&str> = tabel_store::user::roles_of(c, user)
                .await?
                .into_iter()
                .filter(|(_, s)| *s == school)
                .map(|(role, _)| role.code())
                .collect();
            store::replace_granted_roles(c, user, school, &roles).await?;
            account = serde_json::json!({"user": user, "roles_before": granted});
        }
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "staff.update",
                entity_id: person.to_string(),
                before: Some(serde_json::json!({
                    "position": r.position, "roles": roles_text(&before_roles),
                })),
                after: Some(serde_json::json!({
                    "position": position, "roles": roles_text(&roles), "account": account,
                })),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        // Sessions remembered with the old roles are read again.
        self.forget_sessions();
        Ok(())
    }

    /// Adds a staff member (administrators): the person and the staff row; an account is
    /// handed out later with the login letters.
    pub async fn add_staff(
        &self,
        p: &Principal,
        school: SchoolId,
        cmd: &NewStaffMember,
        client: &Client,
    ) -> Result<PersonId, AppError> {
        crate::check(p.may_administer(school))?;
        let position = text_field("position", &cmd.position, MAX_NAME_CHARS)?;
        let roles = roles_checked(&cmd.roles)?;
        let sex = match cmd.sex {
            Some(s) => s,
            None => cmd
                .name
                .middle
                .as_ref()
                .and_then(|m| tabel_domain::setup::values::sex_of_patronymic(m.as_str()))
                .ok_or_else(|| {
                    AppError::invalid("sex", "say the sex: the patronymic does not tell it")
                })?,
        };
        if cmd.birth_date.is_some_and(|b| b > self.today()) {
            return Err(AppError::invalid("birth_date", "in the future"));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let key = cmd.name.sort_key();
        let namesakes = tabel_store::setup::staff(c, school)
            .await?
            .into_iter()
            .filter(|s| {
                tabel_domain::setup::values::person_name(
                    &s.person.last_name,
                    &s.person.first_name,
                    s.person.middle_name.as_deref().unwrap_or(""),
                )
                .is_ok_and(|n| n.sort_key() == key)
                    && (cmd.birth_date.is_none()
                        || s.person.birth_date.is_none()
                        || s.person.birth_date == cmd.birth_date)
            })
            .count();
        if namesakes > 0 {
            return Err(AppError::Conflict(format!(
                "{} is already on the staff (give the birth date to add a namesake)",
                cmd.name.full()
            )));
        }
        let id = repo::insert_person(
            c,
            &repo::NewPerson {
                school,
                name: &cmd.name,
                sex,
                birth_date: cmd.birth_date,
            },
        )
        .await?;
        repo::insert_staff(c, id, school, &position).await?;
        tabel_store::setup::set_staff_facts(c, id, &position, &roles_text(&roles)).await?;
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "staff.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "name": cmd.name.full(), "sex": sex.code(), "position": position,
                    "roles": roles_text(&roles),
                    "birth_date": cmd.birth_date.map(|d| d.to_string()),
                })),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records that a staff member left the school after `last_day` (administrators). Refused
    /// while they hold assignments or class-teacher appointments running past it (naming
    /// them): end those first. Their account is locked at once and its sessions end.
    pub async fn staff_left(
        &self,
        p: &Principal,
        school: SchoolId,
        person: PersonId,
        last_day: Date,
        client: &Client,
    ) -> Result<(), AppError> {
        crate::check(p.may_administer(school))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let r = store::staff_record(c, school, person, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        if r.user == Some(p.user) {
            return Err(AppError::Conflict(
                "you cannot record your own leaving".into(),
            ));
        }
        let (assignments, classes) = store::held_after(c, person, last_day).await?;
        if !assignments.is_empty() || !classes.is_empty() {
            let mut held = Vec::new();
            if !assignments.is_empty() {
                held.push(format!(
                    "assignments ({}): {}",
                    assignments.len(),
                    assignments.join("; ")
                ));
            }
            if !classes.is_empty() {
                held.push(format!(
                    "class teacher ({}): {}",
                    classes.len(),
                    classes.join(", ")
                ));
            }
            return Err(AppError::Conflict(format!(
                "{} still teaches after {last_day} — {}; end those first",
                r.last_name,
                held.join("; ")
            )));
        }
        store::set_staff_left(c, person, Some(last_day)).await?;
        if let Some(user) = r.user {
            tabel_store::user::set_disabled(c, user, Some(now)).await?;
            tabel_store::session::revoke_sessions_of(c, user, None, now).await?;
        }
        audit(
            c,
            Audit {
                school,
                at: now,
                actor: p,
                action: "staff.leave",
                entity_id: person.to_string(),
                before: Some(serde_json::json!({"left_on": r.left_on.map(|d| d.to_string())})),
                after: Some(serde_json::json!({
                    "left_on": last_day.to_string(), "account_locked": r.user,
                })),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        self.forget_sessions();
        Ok(())
    }
}
