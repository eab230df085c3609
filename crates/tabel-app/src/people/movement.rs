//! A pupil's movement, dated: arrival (from where, into which class), leaving (the last day,
//! where to, the order), and a move to another class of the year from a date. Memberships keep
//! their dates, so the journal, the diary, statistics and final marks — which read membership
//! dates — show the pupil in the old class before the date and in the new one from it.

use super::{MAX_NUMBER_CHARS, MAX_TEXT_CHARS, Record, audit_in, free_text, person_of, snapshot};
use crate::{App, AppError, Client, FieldErrors, check};
use tabel_domain::access::Principal;
use tabel_domain::school::{Group, GroupKind, Sex};
use tabel_domain::setup::values::{self, Snils};
use tabel_domain::text::{NamePart, PersonName};
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_store::people as repo;
use tabel_store::school as school_repo;
use tabel_store::setup as facts;
use tabel_store::{Conn, StoreError, outbox};
use time::{Date, Duration};

/// An arrival: from the date, into the class, from where (another school, a family
/// education …).
#[derive(Debug, Clone)]
pub struct Arrival {
    pub on: Date,
    pub class: GroupId,
    pub from: String,
}

/// A leaving as the order records it.
#[derive(Debug, Clone)]
pub struct Leaving {
    /// The last day at school.
    pub last_day: Date,
    pub to: String,
    pub order_number: String,
    pub order_date: Date,
}

/// A move to another class of the same year, from a date (the first day in the new class).
#[derive(Debug, Clone)]
pub struct Transfer {
    pub class: GroupId,
    pub from: Date,
}

/// A pupil new to the school, with their arrival. Fields as typed; `sex` may be left empty when
/// the patronymic says it.
#[derive(Debug, Clone)]
pub struct NewPupil {
    pub last_name: String,
    pub first_name: String,
    pub middle_name: String,
    pub sex: String,
    pub birth_date: String,
    pub snils: String,
    pub school_number: String,
    pub arrival: Arrival,
}

/// How far from today a movement may be dated: the current year and its neighbours.
const MAX_DAYS_AWAY: i64 = 400;

fn near_today(field: &str, d: Date, today: Date) -> Result<(), AppError> {
    if (d - today).whole_days().abs() > MAX_DAYS_AWAY {
        return Err(AppError::invalid(field, "must be within a year of today"));
    }
    Ok(())
}

/// A class of the school in the academic year containing `on`, or the field's error.
async fn class_on(
    c: &mut Conn<'_>,
    school: SchoolId,
    class: GroupId,
    on: Date,
) -> Result<Group, AppError> {
    let unknown = || AppError::invalid("class_id", "no such class in this school's year");
    let group = school_repo::get_group(c, class, on)
        .await?
        .filter(|g| g.school == school && g.kind == GroupKind::Class)
        .ok_or_else(unknown)?;
    match school_repo::academic_year_on(c, school, on).await? {
        Some(y) if y.id == group.year && y.starts_on <= on && on <= y.ends_on => Ok(group),
        _ => Err(unknown()),
    }
}

impl App {
    /// A pupil new to the school arrives (administrators): the person, the pupil's record and
    /// the class from the day, audited as `pupil.arrive`. Returns the new person.
    pub async fn add_pupil(
        &self,
        p: &Principal,
        school: SchoolId,
        n: &NewPupil,
        client: &Client,
    ) -> Result<PersonId, AppError> {
        check(p.may_administer(school))?;
        let today = self.today();
        let mut errors = FieldErrors::new();
        let mut part = |field: &str, raw: &str| {
            NamePart::parse(raw)
                .map_err(|e| errors.insert(field.into(), e.to_string()))
                .ok()
        };
        let last = part("last_name", &n.last_name);
        let first = part("first_name", &n.first_name);
        let middle = if n.middle_name.trim().is_empty() {
            Some(None)
        } else {
            part("middle_name", &n.middle_name).map(Some)
        };
        let sex = if n.sex.trim().is_empty() {
            values::sex_of_patronymic(&n.middle_name)
        } else {
            Sex::from_code(n.sex.trim())
                .ok()
                .or_else(|| values::sex(&n.sex).ok())
        };
        if sex.is_none() {
            errors.insert("sex".into(), "write м or ж".into());
        }
        let birth_date = match n.birth_date.trim() {
            "" => Some(None),
            raw => values::birth_date(raw, today)
                .map(Some)
                .map_err(|e| errors.insert("birth_date".into(), e))
                .ok(),
        };
        let snils = match n.snils.trim() {
            "" => Some(None),
            raw => Snils::parse(raw)
                .map(Some)
                .map_err(|e| errors.insert("snils".into(), e))
                .ok(),
        };
        let number = free_text("school_number", &n.school_number, MAX_NUMBER_CHARS)
            .map_err(|e| collect(&mut errors, e))
            .ok();
        let from = free_text("from", &n.arrival.from, MAX_TEXT_CHARS)
            .map_err(|e| collect(&mut errors, e))
            .ok();
        let _ = near_today("on", n.arrival.on, today).map_err(|e| collect(&mut errors, e));
        let (
            Some(last),
            Some(first),
            Some(middle),
            Some(sex),
            Some(birth_date),
            Some(snils),
            Some(number),
            Some(from),
        ) = (last, first, middle, sex, birth_date, snils, number, from)
        else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let name = PersonName {
            last,
            first,
            middle,
        };
        let on = n.arrival.on;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let class = class_on(c, school, n.arrival.class, on).await?;
        let person = school_repo::insert_person(
            c,
            &school_repo::NewPerson {
                school,
                name: &name,
                sex,
                birth_date,
            },
        )
        .await?;
        school_repo::insert_student(c, person, school, on).await?;
        if let Some(snils) = &snils {
            match facts::set_snils(c, person, Some(snils.as_str())).await {
                Err(StoreError::Duplicate(_)) => {
                    return Err(AppError::invalid(
                        "snils",
                        "another person of the school has this СНИЛС",
                    ));
                }
                r => r?,
            }
        }
        match facts::set_pupil_facts(c, person, number.as_deref(), from.as_deref()).await {
            Err(StoreError::Duplicate(_)) => {
                return Err(AppError::invalid(
                    "school_number",
                    "another pupil of the school has this number",
                ));
            }
            r => r?,
        }
        school_repo::insert_membership(c, school, class.id, person, on, None).await?;
        let after = person_of(c, school, person).await?;
        let mut after_json = snapshot(&after);
        after_json["class"] = serde_json::json!({ "id": class.id.to_string(), "name": class.name, "from": on.to_string() });
        let now = self.now();
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "pupil.arrived",
            &serde_json::json!({ "student_id": person.to_string(), "class_id": class.id.to_string(), "on": on.to_string() }),
            now,
        )
        .await?;
        audit_in(
            &mut tx,
            Record {
                school,
                at: now,
                actor: p.user,
                action: "pupil.arrive",
                person,
                before: serde_json::Value::Null,
                after: after_json,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(person)
    }

    /// A pupil arrives (administrators): enrolled from the date, from where, a member of the
    /// class from that day. A person of the school who is not yet a pupil (and is no staff
    /// member or parent) becomes one; a former pupil returns. Audited as `pupil.arrive`.
    pub async fn arrive(
        &self,
        p: &Principal,
        school: SchoolId,
        person: PersonId,
        a: &Arrival,
        client: &Client,
    ) -> Result<(), AppError> {
        check(p.may_administer(school))?;
        let from = free_text("from", &a.from, MAX_TEXT_CHARS)?;
        near_today("on", a.on, self.today())?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let before = person_of(c, school, person).await?;
        let class = class_on(c, school, a.class, a.on).await?;
        match &before.pupil {
            None => {
                if before.staff.is_some() || !repo::children_of(c, person).await?.is_empty() {
                    return Err(AppError::Conflict(
                        "this person is a staff member or a parent, not a pupil".into(),
                    ));
                }
                school_repo::insert_student(c, person, school, a.on).await?;
            }
            Some(pupil) => {
                if pupil.left_on.is_none_or(|l| l >= a.on) {
                    let current = repo::memberships(c, person).await?.into_iter().find(|m| {
                        m.kind == GroupKind::Class
                            && m.starts_on <= a.on
                            && m.ends_on.is_none_or(|e| e >= a.on)
                    });
                    if let Some(m) = current {
                        return Err(AppError::Conflict(format!(
                            "the pupil is in {} on that day: move them to another class instead",
                            m.name
                        )));
                    }
                }
            }
        }
        repo::set_arrival(c, person, a.on, from.as_deref()).await?;
        school_repo::insert_membership(c, school, class.id, person, a.on, None).await?;
        let after = person_of(c, school, person).await?;
        let mut after_json = snapshot(&after);
        after_json["class"] = serde_json::json!({ "id": class.id.to_string(), "name": class.name, "from": a.on.to_string() });
        let now = self.now();
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "pupil.arrived",
            &serde_json::json!({ "student_id": person.to_string(), "class_id": class.id.to_string(), "on": a.on.to_string() }),
            now,
        )
        .await?;
        audit_in(
            &mut tx,
            Record {
                school,
                at: now,
                actor: p.user,
                action: "pupil.arrive",
                person,
                before: snapshot(&before),
                after: after_json,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A pupil leaves (administrators): the last day, where to, the order's number and date.
    /// Every membership running on the last day ends on it (later ones are dropped); the
    /// history stays. Audited as `pupil.leave`.
    pub async fn leave(
        &self,
        p: &Principal,
        school: SchoolId,
        person: PersonId,
        l: &Leaving,
        client: &Client,
    ) -> Result<(), AppError> {
        check(p.may_administer(school))?;
        let today = self.today();
        let mut errors = FieldErrors::new();
        let to = free_text("to", &l.to, MAX_TEXT_CHARS)
            .map_err(|e| collect(&mut errors, e))
            .ok()
            .flatten();
        if to.is_none() && !errors.contains_key("to") {
            errors.insert("to".into(), "say where the pupil goes".into());
        }
        let number = free_text("order_number", &l.order_number, MAX_NUMBER_CHARS)
            .map_err(|e| collect(&mut errors, e))
            .ok()
            .flatten();
        if number.is_none() && !errors.contains_key("order_number") {
            errors.insert("order_number".into(), "the order's number is needed".into());
        }
        if l.order_date > today {
            errors.insert("order_date".into(), "must not be in the future".into());
        }
        let _ = near_today("last_day", l.last_day, today).map_err(|e| collect(&mut errors, e));
        let (Some(to), Some(number)) = (to, number) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let before = person_of(c, school, person).await?;
        let Some(pupil) = &before.pupil else {
            return Err(AppError::Conflict("this person is not a pupil".into()));
        };
        if let Some(left) = pupil.left_on {
            return Err(AppError::Conflict(format!(
                "the pupil already left on {left}"
            )));
        }
        if l.last_day < pupil.enrolled_on {
            return Err(AppError::invalid(
                "last_day",
                format!("must not be before the arrival ({})", pupil.enrolled_on),
            ));
        }
        let ended = repo::end_memberships(c, person, l.last_day).await?;
        repo::set_leaving(
            c,
            person,
            &repo::Leaving {
                last_day: l.last_day,
                to: &to,
                order_number: &number,
                order_date: l.order_date,
            },
        )
        .await?;
        let after = person_of(c, school, person).await?;
        let mut after_json = snapshot(&after);
        after_json["memberships_ended"] = ended.into();
        let now = self.now();
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "pupil.left",
            &serde_json::json!({ "student_id": person.to_string(), "last_day": l.last_day.to_string() }),
            now,
        )
        .await?;
        audit_in(
            &mut tx,
            Record {
                school,
                at: now,
                actor: p.user,
                action: "pupil.leave",
                person,
                before: snapshot(&before),
                after: after_json,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a pupil to another class of the same year from a date (administrators): the old
    /// class's membership, its subgroups' and those of the streams the new class is not in end
    /// the day before; the new class's starts on the date (its subgroups are for the
    /// administrator to choose). Audited as `pupil.transfer`.
    pub async fn transfer(
        &self,
        p: &Principal,
        school: SchoolId,
        person: PersonId,
        t: &Transfer,
        client: &Client,
    ) -> Result<(), AppError> {
        check(p.may_administer(school))?;
        near_today("from", t.from, self.today())?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let before = person_of(c, school, person).await?;
        let Some(pupil) = &before.pupil else {
            return Err(AppError::Conflict("this person is not a pupil".into()));
        };
        if pupil.left_on.is_some_and(|l| l < t.from) {
            return Err(AppError::Conflict(
                "the pupil has left the school by that day".into(),
            ));
        }
        let old = repo::memberships(c, person)
            .await?
            .into_iter()
            .find(|m| {
                m.kind == GroupKind::Class
                    && m.starts_on <= t.from
                    && m.ends_on.is_none_or(|e| e >= t.from)
            })
            .ok_or_else(|| {
                AppError::invalid(
                    "from",
                    "the pupil is in no class on that day: record an arrival instead",
                )
            })?;
        let new = class_on(c, school, t.class, t.from).await?;
        if new.id == old.group {
            return Err(AppError::invalid(
                "class_id",
                "the pupil is already in this class",
            ));
        }
        if new.year != old.year {
            return Err(AppError::invalid(
                "class_id",
                "the new class must be of the same year",
            ));
        }
        if old.starts_on >= t.from {
            return Err(AppError::invalid(
                "from",
                format!(
                    "must be after the pupil joined {} ({})",
                    old.name, old.starts_on
                ),
            ));
        }
        let last_day = t.from - Duration::days(1);
        repo::end_class_memberships(c, person, old.group, last_day).await?;
        repo::end_streams_left(c, person, old.group, new.id, last_day).await?;
        school_repo::insert_membership(c, school, new.id, person, t.from, None).await?;
        let now = self.now();
        let change = |id: GroupId, name: &str| serde_json::json!({ "student": snapshot(&before), "class": { "id": id.to_string(), "name": name } });
        let mut after = change(new.id, &new.name);
        after["from"] = t.from.to_string().into();
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "pupil.transferred",
            &serde_json::json!({ "student_id": person.to_string(), "from_class_id": old.group.to_string(),
                "to_class_id": new.id.to_string(), "from": t.from.to_string() }),
            now,
        )
        .await?;
        audit_in(
            &mut tx,
            Record {
                school,
                at: now,
                actor: p.user,
                action: "pupil.transfer",
                person,
                before: change(old.group, &old.name),
                after,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn collect(into: &mut FieldErrors, e: AppError) {
    if let AppError::Invalid(more) = e {
        into.extend(more);
    }
}
