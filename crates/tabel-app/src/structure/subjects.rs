//! Subjects: create, rename and reorder, set the scale (a new version of the grading policy),
//! retire and bring back, and delete one nothing refers to.

use super::{Change, audit_change, in_use, may_edit_structure};
use crate::{App, AppError, Client, FieldErrors, check};
use serde::{Deserialize, Serialize};
use tabel_domain::access::Principal;
use tabel_domain::journal::Scale;
use tabel_domain::text::Title;
use tabel_domain::{SchoolId, SubjectId};
use tabel_store::structure::{self as store, SubjectCard};
use tabel_store::{Conn, StoreError};
use time::Date;

/// The longest short name (it heads a narrow column).
pub const SHORT_NAME_MAX: usize = 40;

/// A subject as a form or an API body gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SubjectInput {
    /// Name, e.g. "Русский язык".
    pub name: String,
    /// Short name for narrow columns, e.g. "Рус. яз." (default: the name).
    #[serde(default)]
    pub short_name: Option<String>,
    /// Place in the curriculum order (default: after the others).
    #[serde(default)]
    pub sort_order: Option<i64>,
}

/// A subject on the administrators' list.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectView {
    /// Id.
    pub id: SubjectId,
    /// Name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// Place in the curriculum order.
    pub sort_order: i64,
    /// Its mark scale (the school's unless the policy names one for it).
    pub scale: Scale,
    /// Whether the scale is the subject's own rather than the school's.
    pub own_scale: bool,
    /// Retired from this date: kept in history, no longer offered.
    pub retired_on: Option<Date>,
}

struct ValidSubject {
    name: String,
    short_name: String,
    sort_order: Option<i64>,
}

fn validate(input: &SubjectInput) -> Result<ValidSubject, AppError> {
    let mut errors = FieldErrors::new();
    let name = Title::parse(&input.name)
        .map_err(|e| errors.insert("name".into(), e.to_string()))
        .ok();
    let short_name = match input.short_name.as_deref().map(str::trim) {
        None | Some("") => name.as_ref().map(|n| n.as_str().to_owned()),
        Some(s) => Title::parse(s)
            .map_err(|e| errors.insert("short_name".into(), e.to_string()))
            .ok()
            .map(|t| t.as_str().to_owned()),
    };
    if short_name
        .as_ref()
        .is_some_and(|s| s.chars().count() > SHORT_NAME_MAX)
    {
        errors.insert(
            "short_name".into(),
            format!("at most {SHORT_NAME_MAX} characters"),
        );
    }
    if let Some(o) = input.sort_order
        && !(0..=100_000).contains(&o)
    {
        errors.insert("sort_order".into(), "a number from 0 to 100000".into());
    }
    match (name, short_name) {
        (Some(name), Some(short_name)) if errors.is_empty() => Ok(ValidSubject {
            name: name.as_str().to_owned(),
            short_name,
            sort_order: input.sort_order,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

fn subject_json(s: &SubjectCard) -> serde_json::Value {
    serde_json::json!({
        "name": s.name, "short_name": s.short_name, "sort_order": s.sort_order,
        "retired_on": s.retired_on.map(|d| d.to_string()),
    })
}

/// The subject, if it is the school's (else 404).
async fn subject_of(
    conn: &mut Conn<'_>,
    school: SchoolId,
    id: SubjectId,
) -> Result<SubjectCard, AppError> {
    match store::subject_card(conn, id).await? {
        Some(s) if s.school == school => Ok(s),
        _ => Err(AppError::NotFound),
    }
}

fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate(_) => {
            AppError::invalid("name", "the school already has a subject of this name")
        }
        e => e.into(),
    }
}

impl App {
    /// The school's subjects, retired ones too, with their scales (administrators and deputy
    /// heads).
    pub async fn subject_list(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<Vec<SubjectView>, AppError> {
        check(may_edit_structure(p, school))?;
        let mut c = self.db.acquire().await?;
        let policy = self.policy_of(&mut c.conn(), school).await?;
        Ok(store::subject_cards(&mut c.conn(), school)
            .await?
            .into_iter()
            .map(|s| SubjectView {
                scale: policy.policy.scale_of(s.id.get()),
                own_scale: policy.policy.subject_scales.contains_key(&s.id.to_string()),
                id: s.id,
                name: s.name,
                short_name: s.short_name,
                sort_order: s.sort_order,
                retired_on: s.retired_on,
            })
            .collect())
    }

    /// The subjects offered for new curriculum lines, assignments and timetable lines: those
    /// not retired (anyone with a role in the school).
    pub async fn offered_subjects(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<Vec<tabel_domain::school::Subject>, AppError> {
        check(p.may_view_school(school))?;
        let mut c = self.db.acquire().await?;
        Ok(store::subject_cards(&mut c.conn(), school)
            .await?
            .into_iter()
            .filter(|s| s.retired_on.is_none())
            .map(|s| tabel_domain::school::Subject {
                id: s.id,
                name: s.name,
                short_name: s.short_name,
            })
            .collect())
    }

    /// Adds a subject; audited as `subject.create`.
    pub async fn create_subject(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &SubjectInput,
        client: &Client,
    ) -> Result<SubjectId, AppError> {
        check(may_edit_structure(p, school))?;
        let v = validate(input)?;
        let mut tx = self.db.begin().await?;
        let order = match v.sort_order {
            Some(o) => o,
            None => {
                store::subject_cards(&mut tx.conn(), school)
                    .await?
                    .iter()
                    .map(|s| s.sort_order)
                    .max()
                    .unwrap_or(0)
                    + 10
            }
        };
        let id = tabel_store::school::insert_subject(
            &mut tx.conn(),
            school,
            &v.name,
            &v.short_name,
            order,
        )
        .await
        .map_err(name_taken)?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "subject.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "name": v.name, "short_name": v.short_name, "sort_order": order
                })),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Renames a subject or moves it in the order; audited as `subject.update`.
    pub async fn update_subject(
        &self,
        p: &Principal,
        school: SchoolId,
        id: SubjectId,
        input: &SubjectInput,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let v = validate(input)?;
        let mut tx = self.db.begin().await?;
        let before = subject_of(&mut tx.conn(), school, id).await?;
        let after = SubjectCard {
            name: v.name,
            short_name: v.short_name,
            sort_order: v.sort_order.unwrap_or(before.sort_order),
            ..before.clone()
        };
        if after == before {
            return Ok(());
        }
        store::update_subject(
            &mut tx.conn(),
            id,
            &after.name,
            &after.short_name,
            after.sort_order,
        )
        .await
        .map_err(name_taken)?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "subject.update",
                entity_id: id.to_string(),
                before: Some(subject_json(&before)),
                after: Some(subject_json(&after)),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a subject's mark scale (`None`: the school's), writing a new version of the grading
    /// policy; audited as `subject.scale`.
    pub async fn set_subject_scale(
        &self,
        p: &Principal,
        school: SchoolId,
        id: SubjectId,
        scale: Option<Scale>,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(may_edit_structure(p, school))?;
        let mut tx = self.db.begin().await?;
        subject_of(&mut tx.conn(), school, id).await?;
        let current = self.policy_of(&mut tx.conn(), school).await?;
        let mut policy = current.policy.clone();
        let key = id.to_string();
        let before = policy.subject_scales.get(&key).copied();
        match scale {
            Some(s) => policy.subject_scales.insert(key, s),
            None => policy.subject_scales.remove(&key),
        };
        if before == scale {
            return Ok(current.version);
        }
        policy
            .validate()
            .map_err(|e| AppError::invalid(e.field, e.message))?;
        let body = serde_json::to_string(&policy).map_err(|e| AppError::Internal(e.to_string()))?;
        let version = current.version + 1;
        let now = self.now();
        tabel_store::journal::insert_policy(
            &mut tx.conn(),
            school,
            version,
            &body,
            (Some(p.user), now),
        )
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => {
                AppError::Conflict("the grading policy changed meanwhile; try again".into())
            }
            e => e.into(),
        })?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: now,
                actor: p.user.get(),
                action: "subject.scale",
                entity_id: id.to_string(),
                before: Some(
                    serde_json::json!({"scale": before, "policy_version": current.version}),
                ),
                after: Some(serde_json::json!({"scale": scale, "policy_version": version})),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Retires a subject from today (`retire`) or brings it back; audited as `subject.retire`
    /// or `subject.unretire`. Its marks, lessons and finals stay where they are.
    pub async fn set_subject_retired(
        &self,
        p: &Principal,
        school: SchoolId,
        id: SubjectId,
        retire: bool,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let mut tx = self.db.begin().await?;
        let before = subject_of(&mut tx.conn(), school, id).await?;
        if before.retired_on.is_some() == retire {
            return Ok(());
        }
        let on = retire.then(|| self.today());
        store::set_subject_retired(&mut tx.conn(), id, on).await?;
        let after = SubjectCard {
            retired_on: on,
            ..before.clone()
        };
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: if retire {
                    "subject.retire"
                } else {
                    "subject.unretire"
                },
                entity_id: id.to_string(),
                before: Some(subject_json(&before)),
                after: Some(subject_json(&after)),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What refers to a subject, by kind, e.g. `[("marks", 1240), ("lessons", 96)]`.
    pub async fn subject_dependants(
        &self,
        p: &Principal,
        school: SchoolId,
        id: SubjectId,
    ) -> Result<Vec<(String, i64)>, AppError> {
        check(may_edit_structure(p, school))?;
        let mut c = self.db.acquire().await?;
        subject_of(&mut c.conn(), school, id).await?;
        Ok(store::subject_dependants(&mut c.conn(), id).await?)
    }

    /// Deletes a subject nothing refers to; otherwise 422 naming what does ("retire it
    /// instead"). Audited as `subject.delete`.
    pub async fn delete_subject(
        &self,
        p: &Principal,
        school: SchoolId,
        id: SubjectId,
        client: &Client,
    ) -> Result<(), AppError> {
        check(may_edit_structure(p, school))?;
        let mut tx = self.db.begin().await?;
        let before = subject_of(&mut tx.conn(), school, id).await?;
        let deps = store::subject_dependants(&mut tx.conn(), id).await?;
        if !deps.is_empty() {
            return Err(in_use(&deps, "retire it instead"));
        }
        store::delete_subject(&mut tx.conn(), id).await?;
        audit_change(
            &mut tx.conn(),
            Change {
                school,
                at: self.now(),
                actor: p.user.get(),
                action: "subject.delete",
                entity_id: id.to_string(),
                before: Some(subject_json(&before)),
                after: None,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Refuses a retired subject for a new line (curriculum, assignment, timetable).
pub(crate) async fn refuse_retired(
    conn: &mut Conn<'_>,
    school: SchoolId,
    subject: SubjectId,
) -> Result<(), AppError> {
    if store::retired_subjects(conn, school)
        .await?
        .contains(&subject)
    {
        return Err(AppError::invalid(
            "subject_id",
            "this subject is retired: bring it back on the subjects page first",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_needs_a_name_and_a_short_name_fits_a_column() {
        let v = validate(&SubjectInput {
            name: " Русский   язык ".into(),
            short_name: None,
            sort_order: None,
        })
        .unwrap();
        assert_eq!(v.name, "Русский язык");
        assert_eq!(v.short_name, "Русский язык");
        let Err(AppError::Invalid(e)) = validate(&SubjectInput {
            name: " ".into(),
            short_name: Some("я".repeat(41)),
            sort_order: Some(-1),
        }) else {
            panic!("accepted")
        };
        assert_eq!(e.len(), 3, "{e:?}");
    }
}
