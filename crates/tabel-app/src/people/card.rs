//! A person's card: who they are, a pupil's record, classes and groups with their dates, the
//! family's links, a staff member's position; and its edits.

use super::{PersonKind, Record, audit_in, free_text, person_of, snapshot};
use crate::{App, AppError, Client, FieldErrors, check};
use tabel_domain::access::Principal;
use tabel_domain::school::{GroupKind, PersonSummary, Relation, Sex};
use tabel_domain::setup::values::{self, Snils};
use tabel_domain::text::{NamePart, PersonName, Title};
use tabel_domain::{GroupId, PersonId, SchoolId};
use tabel_store::people as repo;
use tabel_store::school as school_repo;
use tabel_store::setup as facts;
use tabel_store::{StoreError, user};
use time::Date;

/// A pupil's school record.
#[derive(Debug, Clone)]
pub struct PupilRecord {
    /// The school's own number (личное дело).
    pub school_number: Option<String>,
    pub enrolled_on: Date,
    pub arrived_from: Option<String>,
    pub left_on: Option<Date>,
    pub left_to: Option<String>,
    pub leaving_order_number: Option<String>,
    pub leaving_order_date: Option<Date>,
}

/// A membership in a class, subgroup or stream.
#[derive(Debug, Clone)]
pub struct MembershipView {
    pub group: GroupId,
    pub name: String,
    pub kind: GroupKind,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    /// Running today.
    pub current: bool,
}

/// A link between a legal representative and a child.
#[derive(Debug, Clone)]
pub struct LinkView {
    /// The parent on a pupil's card, the child on a parent's.
    pub other: PersonSummary,
    pub relation: Relation,
    /// Linked (else invited: the code in the login letter is not yet redeemed).
    pub linked: bool,
}

/// A person's card.
#[derive(Debug, Clone)]
pub struct PersonCard {
    pub school: SchoolId,
    pub person: PersonSummary,
    pub snils: Option<Snils>,
    pub kinds: Vec<PersonKind>,
    pub pupil: Option<PupilRecord>,
    /// Every membership, the latest first.
    pub memberships: Vec<MembershipView>,
    pub parents: Vec<LinkView>,
    pub children: Vec<LinkView>,
    /// A staff member's position.
    pub position: Option<String>,
    /// The account's login, if the person has one.
    pub login: Option<String>,
    /// The classes of the current year, for an arrival or a move.
    pub classes: Vec<(GroupId, String)>,
}

/// A card's edit, as a form or a body gives it: every field optional, absent ones stay as
/// they are, an empty optional one is cleared.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CardEdit {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    /// `m`/`f` or «м»/«ж».
    pub sex: Option<String>,
    /// ISO or дд.мм.гггг; not in the future.
    pub birth_date: Option<String>,
    pub snils: Option<String>,
    /// Pupils only.
    pub school_number: Option<String>,
    /// Staff only.
    pub position: Option<String>,
}

fn links(rows: Vec<repo::LinkFacts>) -> Vec<LinkView> {
    rows.into_iter()
        .map(|l| LinkView {
            other: l.other,
            relation: l.relation,
            linked: l.linked,
        })
        .collect()
}

/// The classes of the academic year containing `today`, in order.
pub(super) async fn classes_now(
    conn: &mut tabel_store::Conn<'_>,
    school: SchoolId,
    today: Date,
) -> Result<Vec<(GroupId, String)>, AppError> {
    Ok(
        match school_repo::academic_year_on(conn, school, today).await? {
            Some(year) => school_repo::list_groups(conn, year.id, today, Some(GroupKind::Class))
                .await?
                .into_iter()
                .map(|g| (g.id, g.name))
                .collect(),
            None => Vec::new(),
        },
    )
}

impl App {
    /// A person's card (administrators of the person's school).
    pub async fn person_card(
        &self,
        p: &Principal,
        school: SchoolId,
        person: PersonId,
    ) -> Result<PersonCard, AppError> {
        check(p.may_administer(school))?;
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let conn = &mut c.conn();
        let f = person_of(conn, school, person).await?;
        let memberships = if f.pupil.is_some() {
            repo::memberships(conn, person)
                .await?
                .into_iter()
                .map(|m| MembershipView {
                    current: m.starts_on <= today && m.ends_on.is_none_or(|e| e >= today),
                    group: m.group,
                    name: m.name,
                    kind: m.kind,
                    starts_on: m.starts_on,
                    ends_on: m.ends_on,
                })
                .collect()
        } else {
            Vec::new()
        };
        let parents = links(repo::parents_of(conn, person).await?);
        let children = links(repo::children_of(conn, person).await?);
        let classes = classes_now(conn, school, today).await?;
        let login = user::user_of_person(conn, person).await?.map(|u| u.login);
        let mut kinds = Vec::new();
        if f.pupil.is_some() {
            kinds.push(PersonKind::Pupil);
        }
        if !children.is_empty() {
            kinds.push(PersonKind::Parent);
        }
        if f.staff.is_some() {
            kinds.push(PersonKind::Staff);
        }
        Ok(PersonCard {
            school,
            snils: f.snils.map(Snils::from_stored),
            kinds,
            pupil: f.pupil.map(|s| PupilRecord {
                school_number: s.school_number,
                enrolled_on: s.enrolled_on,
                arrived_from: s.arrived_from,
                left_on: s.left_on,
                left_to: s.left_to,
                leaving_order_number: s.leaving_order_number,
                leaving_order_date: s.leaving_order_date,
            }),
            memberships,
            parents,
            children,
            position: f.staff.map(|(position, _)| position),
            login,
            classes,
            person: f.person,
        })
    }

    /// Edits a person's card (administrators): the name, sex, birth date (not in the future),
    /// СНИЛС (its check number), a pupil's school number (unique in the school), a staff
    /// member's position. Audited as `person.update` with the card before and after.
    pub async fn update_person(
        &self,
        p: &Principal,
        school: SchoolId,
        person: PersonId,
        edit: &CardEdit,
        client: &Client,
    ) -> Result<(), AppError> {
        check(p.may_administer(school))?;
        let today = self.today();
        let mut tx = self.db.begin().await?;
        let before = person_of(&mut tx.conn(), school, person).await?;
        let mut errors = FieldErrors::new();
        let mut part = |field: &str, raw: Option<&String>, now: &str| {
            NamePart::parse(raw.map_or(now, String::as_str))
                .map_err(|e| errors.insert(field.into(), e.to_string()))
                .ok()
        };
        let bp = &before.person;
        let last = part("last_name", edit.last_name.as_ref(), &bp.last_name);
        let first = part("first_name", edit.first_name.as_ref(), &bp.first_name);
        let middle = match &edit.middle_name {
            Some(raw) if raw.trim().is_empty() => Some(None),
            Some(raw) => part("middle_name", Some(raw), "").map(Some),
            None => Some(
                bp.middle_name
                    .as_deref()
                    .and_then(|m| NamePart::parse(m).ok()),
            ),
        };
        let sex = match &edit.sex {
            None => Some(bp.sex),
            Some(raw) => Sex::from_code(raw.trim())
                .ok()
                .or_else(|| values::sex(raw).ok())
                .or_else(|| {
                    errors.insert("sex".into(), "write м or ж".into());
                    None
                }),
        };
        let birth_date = match &edit.birth_date {
            None => Some(bp.birth_date),
            Some(raw) if raw.trim().is_empty() => Some(None),
            Some(raw) => values::birth_date(raw, today)
                .map(Some)
                .map_err(|e| errors.insert("birth_date".into(), e))
                .ok(),
        };
        let snils = match &edit.snils {
            None => Some(before.snils.clone()),
            Some(raw) if raw.trim().is_empty() => Some(None),
            Some(raw) => Snils::parse(raw)
                .map(|s| Some(s.as_str().to_owned()))
                .map_err(|e| errors.insert("snils".into(), e))
                .ok(),
        };
        let number = match (&edit.school_number, &before.pupil) {
            (None, pupil) => Some(pupil.as_ref().and_then(|s| s.school_number.clone())),
            (Some(_), None) => {
                errors.insert("school_number".into(), "only a pupil has one".into());
                None
            }
            (Some(raw), Some(_)) => free_text("school_number", raw, super::MAX_NUMBER_CHARS)
                .map_err(|e| merge_errors(&mut errors, e))
                .ok(),
        };
        let position = match (&edit.position, &before.staff) {
            (None, staff) => Some(staff.as_ref().map(|(p, _)| p.clone())),
            (Some(_), None) => {
                errors.insert("position".into(), "only a staff member has one".into());
                None
            }
            (Some(raw), Some(_)) => Title::parse(raw)
                .map(|t| Some(t.as_str().to_owned()))
                .map_err(|e| errors.insert("position".into(), e.to_string()))
                .ok(),
        };
        let (
            Some(last),
            Some(first),
            Some(middle),
            Some(sex),
            Some(birth_date),
            Some(snils),
            Some(number),
            Some(position),
        ) = (
            last, first, middle, sex, birth_date, snils, number, position,
        )
        else {
            return Err(AppError::Invalid(errors));
        };
        let name = PersonName {
            last,
            first,
            middle,
        };
        let c = &mut tx.conn();
        facts::update_person(c, person, &name, sex, birth_date).await?;
        if snils != before.snils {
            match facts::set_snils(c, person, snils.as_deref()).await {
                Err(StoreError::Duplicate(_)) => {
                    return Err(AppError::invalid(
                        "snils",
                        "another person of the school has this СНИЛС",
                    ));
                }
                r => r?,
            }
        }
        if let Some(pupil) = &before.pupil
            && number != pupil.school_number
        {
            match facts::set_pupil_facts(
                c,
                person,
                number.as_deref(),
                pupil.arrived_from.as_deref(),
            )
            .await
            {
                Err(StoreError::Duplicate(_)) => {
                    return Err(AppError::invalid(
                        "school_number",
                        "another pupil of the school has this number",
                    ));
                }
                r => r?,
            }
        }
        if let (Some((_, roles)), Some(position)) = (&before.staff, &position) {
            facts::set_staff_facts(c, person, position, roles).await?;
        }
        let after = person_of(c, school, person).await?;
        if after == before {
            // Nothing changed: nothing to record.
            return Ok(());
        }
        audit_in(
            &mut tx,
            Record {
                school,
                at: self.now(),
                actor: p.user,
                action: "person.update",
                person,
                before: snapshot(&before),
                after: snapshot(&after),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes how a legal representative is related to a pupil (administrators), linked or
    /// invited. Audited as `person.update` of the parent.
    pub async fn set_relation(
        &self,
        p: &Principal,
        school: SchoolId,
        student: PersonId,
        parent: PersonId,
        relation: Relation,
        client: &Client,
    ) -> Result<(), AppError> {
        check(p.may_administer(school))?;
        let mut tx = self.db.begin().await?;
        person_of(&mut tx.conn(), school, student).await?;
        let link = repo::parents_of(&mut tx.conn(), student)
            .await?
            .into_iter()
            .find(|l| l.other.id == parent)
            .ok_or(AppError::NotFound)?;
        if link.relation == relation {
            return Ok(());
        }
        if link.linked {
            facts::set_guardianship_relation(&mut tx.conn(), parent, student, relation).await?;
        } else {
            facts::set_invitation_relation(&mut tx.conn(), parent, student, relation).await?;
        }
        let pair = |r: Relation| serde_json::json!({ "student_id": student.to_string(), "relation": r.code() });
        audit_in(
            &mut tx,
            Record {
                school,
                at: self.now(),
                actor: p.user,
                action: "person.update",
                person: parent,
                before: pair(link.relation),
                after: pair(relation),
            },
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn merge_errors(into: &mut FieldErrors, e: AppError) {
    if let AppError::Invalid(more) = e {
        into.extend(more);
    }
}
