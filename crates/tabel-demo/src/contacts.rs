//! Parents' contacts (regulation point 7): most families gave a phone and often an e-mail on the
//! written application at the start of the year (registered by the class teacher), some through
//! the state services portal (an electronic document), some typed them in the cabinet later;
//! some use a messenger. Most e-mails and phones are confirmed, some are not yet; a few parents
//! changed their number during the autumn (the old one stays in the history, removed); a few
//! gave no contacts at all — the families who refused electronic delivery among them — and
//! receive paper extracts.
//!
//! The `parent` demo account's contacts are fixed: a confirmed, preferred phone from the
//! application, an e-mail typed in the cabinet and not yet confirmed, and a Telegram handle.

use crate::model::*;
use crate::people::random_date;
use crate::rng::SplitMix64;
use crate::{Ctx, DemoError, calendar_date};
use tabel_domain::contact::{ContactValue, Provenance};
use tabel_domain::school::ConsentState;
use tabel_domain::text::latin;
use tabel_domain::{PersonId, UserId};
use tabel_store::Conn;
use tabel_store::contact::{self as repo, NewContact};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// One contact to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planned {
    /// `email`, `phone` or `messenger`.
    pub(crate) kind: &'static str,
    /// The messenger's network ("" otherwise).
    pub(crate) network: &'static str,
    /// As a person would have written it.
    pub(crate) value: String,
    /// Where it came from.
    pub(crate) provenance: Provenance,
    /// The document.
    pub(crate) basis: String,
    /// The day it was entered.
    pub(crate) entered_on: Date,
    /// Minutes after entry when the parent confirmed it, if they did.
    pub(crate) verified_after: Option<i64>,
    /// A preferred channel.
    pub(crate) preferred: bool,
    /// The day it was removed (a changed number), if it was.
    pub(crate) removed_on: Option<Date>,
}

/// What a parent's contacts are drawn from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Family<'a> {
    /// Why the family is there.
    pub(crate) role: FamilyRole,
    /// The account holder of the demo family (the `parent` login).
    pub(crate) demo_account: bool,
    /// Consent to electronic delivery.
    pub(crate) delivery: ConsentState,
    /// Given name and surname, for e-mail addresses.
    pub(crate) first: &'a str,
    /// Surname.
    pub(crate) last: &'a str,
}

const MAIL_DOMAINS: [&str; 8] = [
    "mail.ru",
    "yandex.ru",
    "gmail.com",
    "bk.ru",
    "list.ru",
    "inbox.ru",
    "rambler.ru",
    "ya.ru",
];

fn mobile(rng: &mut SplitMix64) -> String {
    // Written the way parents write it on a form; the domain normalises it.
    let code = rng.between(900, 999);
    let n = rng.between(0, 9_999_999);
    format!(
        "8 ({code}) {:03}-{:02}-{:02}",
        n / 10_000,
        n / 100 % 100,
        n % 100
    )
}

fn email(rng: &mut SplitMix64, f: &Family<'_>) -> String {
    let (first, last) = (latin(f.first), latin(f.last));
    let local = match rng.below(4) {
        0 => format!("{first}.{last}"),
        1 => format!("{last}{}", rng.between(70, 99)),
        2 => format!("{}{last}", first.chars().next().unwrap_or('m')),
        _ => format!("{last}.{first}{}", rng.between(1, 999)),
    };
    format!("{local}@{}", rng.pick_copy(&MAIL_DOMAINS))
}

/// The contacts of one parent: the application's day, the year's first day and "today" bound
/// the dates; `basis_no` numbers the written applications.
pub(crate) fn plan(
    rng: &mut SplitMix64,
    f: &Family<'_>,
    (applied_on, year_start, today): (Date, Date, Date),
    basis_no: &mut u32,
) -> Vec<Planned> {
    let mut written = |on: Date| {
        *basis_no += 1;
        format!("заявление № {basis_no} от {}", tabel_present::date(on))
    };
    let later = |rng: &mut SplitMix64| random_date(rng, year_start.min(today), today);
    if f.demo_account {
        return vec![
            Planned {
                kind: "phone",
                network: "",
                value: "8 (912) 345-67-89".into(),
                provenance: Provenance::WrittenApplication,
                basis: written(applied_on),
                entered_on: applied_on,
                verified_after: Some(60 * 24 * 2),
                preferred: true,
                removed_on: None,
            },
            Planned {
                kind: "messenger",
                network: "telegram",
                value: "@".to_owned() + &latin(f.last) + "_" + &latin(f.first),
                provenance: Provenance::WrittenApplication,
                basis: written(applied_on),
                entered_on: applied_on,
                verified_after: None,
                preferred: false,
                removed_on: None,
            },
            Planned {
                kind: "email",
                network: "",
                value: format!("{}.{}@mail.ru", latin(f.first), latin(f.last)),
                provenance: Provenance::Cabinet,
                basis: String::new(),
                entered_on: today,
                verified_after: None,
                preferred: false,
                removed_on: None,
            },
        ];
    }
    // Those who refused electronic delivery mostly leave no contacts: paper extracts go home with
    // the child. Some still give a phone for calls; a few other parents give nothing either.
    let refused = f.role == FamilyRole::Refuser || f.delivery != ConsentState::Given;
    if f.role == FamilyRole::Refuser || (refused && !rng.percent(30)) || rng.percent(4) {
        return Vec::new();
    }
    let provenance = match rng.below(100) {
        0..70 => Provenance::WrittenApplication,
        70..88 => Provenance::ElectronicDocument,
        _ => Provenance::Cabinet,
    };
    let (entered_on, basis) = match provenance {
        Provenance::WrittenApplication => (applied_on, written(applied_on)),
        Provenance::ElectronicDocument => (
            applied_on,
            format!(
                "ЕПГУ, заявление {}-{:07}",
                applied_on.year(),
                rng.between(1, 9_999_999)
            ),
        ),
        Provenance::Cabinet => (later(rng), String::new()),
    };
    // Confirmed in a day or two, mostly; cabinet entries are confirmed at once or not at all.
    let verified = |rng: &mut SplitMix64, p: Provenance| match p {
        Provenance::Cabinet if rng.percent(75) => Some(rng.between(1, 30)),
        Provenance::Cabinet => None,
        _ if rng.percent(82) => Some(rng.between(60, 60 * 24 * 3)),
        _ => None,
    };
    let mut out = Vec::new();
    let phone = mobile(rng);
    if !refused && rng.percent(4) {
        // The number the family gave first, changed during the autumn in the cabinet.
        let changed = later(rng).max(entered_on);
        out.push(Planned {
            kind: "phone",
            network: "",
            value: mobile(rng),
            provenance,
            basis: basis.clone(),
            entered_on,
            verified_after: verified(rng, provenance),
            preferred: false,
            removed_on: Some(changed),
        });
    }
    out.push(Planned {
        kind: "phone",
        network: "",
        value: phone.clone(),
        provenance,
        basis: basis.clone(),
        entered_on,
        verified_after: verified(rng, provenance),
        preferred: true,
        removed_on: None,
    });
    if refused {
        out[0].preferred = false;
        return out;
    }
    if rng.percent(62) {
        // Some want the news by mail as well as by phone.
        let by_mail = rng.percent(40);
        out.push(Planned {
            kind: "email",
            network: "",
            value: email(rng, f),
            provenance,
            basis: basis.clone(),
            entered_on,
            verified_after: verified(rng, provenance),
            preferred: by_mail,
            removed_on: None,
        });
    }
    let messenger = match rng.below(100) {
        0..30 => Some(("telegram", phone.clone())),
        30..38 => Some((
            "telegram",
            format!("@{}_{}", latin(f.last), rng.between(10, 99)),
        )),
        38..52 => Some(("max", phone)),
        52..56 => Some((
            "vk",
            format!("vk.com/id{}", rng.between(1_000_000, 899_999_999)),
        )),
        _ => None,
    };
    if let Some((network, value)) = messenger {
        // Often added by the parent later, in the cabinet.
        let cabinet = rng.percent(40);
        out.push(Planned {
            kind: "messenger",
            network,
            value,
            provenance: if cabinet {
                Provenance::Cabinet
            } else {
                provenance
            },
            basis: if cabinet { String::new() } else { basis },
            entered_on: if cabinet {
                later(rng).max(entered_on)
            } else {
                entered_on
            },
            verified_after: None,
            preferred: rng.percent(20),
            removed_on: None,
        });
    }
    out
}

/// A moment of a local (Moscow time) working day, as UTC.
fn office_time(rng: &mut SplitMix64, day: Date) -> Result<OffsetDateTime, DemoError> {
    let hour = u8::try_from(rng.between(9, 17)).unwrap_or(10);
    let minute = u8::try_from(rng.between(0, 59)).unwrap_or(0);
    let bad = |e: time::error::ComponentRange| DemoError::Invalid(e.to_string());
    let local = PrimitiveDateTime::new(day, Time::from_hms(hour, minute, 0).map_err(bad)?);
    let msk = UtcOffset::from_hms(3, 0, 0).map_err(bad)?;
    Ok(local.assume_offset(msk).to_offset(UtcOffset::UTC))
}

/// Writes the contacts of every parent of the school; returns how many were written (removed
/// ones included).
pub(crate) async fn contacts(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &DemoSchool,
    rng: &mut SplitMix64,
) -> Result<u64, DemoError> {
    let y = school.year.start_year;
    let demo_parent = school
        .families
        .iter()
        .find(|f| f.role == FamilyRole::DemoParent)
        .and_then(|f| f.parents.first().copied());
    let parent_user: Option<UserId> = school.account("parent").map(|a| a.user);
    let deputy: Option<PersonId> = school
        .staff
        .iter()
        .find(|s| s.kind == StaffKind::Deputy)
        .map(|s| s.person.id);
    // Nothing is confirmed after the end of "today" (Moscow time).
    let day_end = PrimitiveDateTime::new(
        ctx.today,
        Time::from_hms(20, 59, 0).map_err(|e| DemoError::Invalid(e.to_string()))?,
    )
    .assume_utc();
    let mut basis_no = 0u32;
    let mut written = 0u64;
    for (index, parent) in school.parents.iter().enumerate() {
        let Some(family) = school.families.get(parent.family) else {
            continue;
        };
        let applied_on = random_date(
            rng,
            calendar_date(y, Month::August, 20)?,
            calendar_date(y, Month::September, 10)?,
        )
        .min(ctx.today);
        let f = Family {
            role: family.role,
            demo_account: demo_parent == Some(index),
            delivery: parent.delivery,
            first: parent.person.name.first.as_str(),
            last: parent.person.name.last.as_str(),
        };
        // The class teacher of the eldest child's class registers the application.
        let registrar = family
            .children
            .first()
            .and_then(|s| school.students.get(*s))
            .and_then(|s| school.classes.get(s.class))
            .and_then(|class| class.class_teacher)
            .and_then(|t| school.staff.get(t))
            .map(|s| s.person.id)
            .or(deputy);
        let planned = plan(
            rng,
            &f,
            (applied_on, school.year.starts_on, ctx.today),
            &mut basis_no,
        );
        for p in planned {
            let value = ContactValue::parse(p.kind, p.network, &p.value)
                .map_err(|e| DemoError::Invalid(format!("contact {:?}: {e}", p.value)))?;
            let entered_at = office_time(rng, p.entered_on)?;
            let (entered_by, entered_by_person) = match p.provenance {
                Provenance::Cabinet => (
                    parent_user.filter(|_| f.demo_account),
                    Some(parent.person.id),
                ),
                _ => (None, registrar),
            };
            let id = repo::insert_contact(
                c,
                &NewContact {
                    school: school.id,
                    parent: parent.person.id,
                    value: &value,
                    provenance: p.provenance,
                    basis: &p.basis,
                    preferred: p.preferred,
                    entered_by,
                    entered_by_person,
                    entered_at,
                    verified_at: p.verified_after.map(|m| {
                        (entered_at + Duration::minutes(m))
                            .min(day_end)
                            .max(entered_at)
                    }),
                },
            )
            .await?;
            if let Some(on) = p.removed_on {
                let at = office_time(rng, on)?.max(entered_at + Duration::hours(1));
                repo::remove_contact(c, id, None, at).await?;
            }
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    fn family(role: FamilyRole, delivery: ConsentState) -> Family<'static> {
        Family {
            role,
            demo_account: false,
            delivery,
            first: "Мария",
            last: "Щербакова",
        }
    }

    fn many(seed: u64) -> Vec<Vec<Planned>> {
        let mut rng = SplitMix64::new(seed);
        let mut n = 0;
        (0..1000)
            .map(|_| {
                plan(
                    &mut rng,
                    &family(FamilyRole::Ordinary, ConsentState::Given),
                    (
                        date!(2026 - 08 - 25),
                        date!(2026 - 09 - 01),
                        date!(2026 - 11 - 28),
                    ),
                    &mut n,
                )
            })
            .collect()
    }

    #[test]
    fn names_go_latin_the_way_people_write_them() {
        assert_eq!(latin("Щербакова"), "shcherbakova");
        assert_eq!(latin("Фёдоров"), "fedorov");
        assert_eq!(latin("Юлия"), "yuliya");
    }

    #[test]
    fn contacts_mix_provenance_and_confirmation_and_every_value_parses() {
        let plans = many(11);
        let all: Vec<&Planned> = plans.iter().flatten().collect();
        let share = |pred: &dyn Fn(&Planned) -> bool| {
            all.iter().filter(|p| pred(p)).count() * 100 / all.len()
        };
        let written = share(&|p| p.provenance == Provenance::WrittenApplication);
        let electronic = share(&|p| p.provenance == Provenance::ElectronicDocument);
        let cabinet = share(&|p| p.provenance == Provenance::Cabinet);
        assert!(
            written > electronic && electronic > 0 && cabinet > 0,
            "{written} {electronic} {cabinet}"
        );
        let verifiable: Vec<&&Planned> = all.iter().filter(|p| p.kind != "messenger").collect();
        let confirmed = verifiable
            .iter()
            .filter(|p| p.verified_after.is_some())
            .count();
        assert!(
            confirmed * 100 / verifiable.len() > 60,
            "most are confirmed"
        );
        assert!(confirmed < verifiable.len(), "some are not");
        assert!(plans.iter().any(Vec::is_empty), "a few parents give none");
        assert!(
            all.iter().any(|p| p.removed_on.is_some()),
            "a few changed their number"
        );
        for p in &all {
            ContactValue::parse(p.kind, p.network, &p.value).unwrap();
            assert_eq!(
                p.basis.is_empty(),
                p.provenance == Provenance::Cabinet,
                "{p:?}"
            );
            assert!(p.entered_on <= date!(2026 - 11 - 28));
        }
        for list in &plans {
            let live_preferred = list
                .iter()
                .filter(|p| p.preferred && p.removed_on.is_none())
                .count();
            assert!(list.is_empty() || live_preferred >= 1, "{list:?}");
        }
        assert_eq!(plans, many(11), "the same seed gives the same contacts");
        assert_ne!(plans, many(12));
    }

    #[test]
    fn refusers_mostly_give_nothing_and_the_demo_parent_has_fixed_contacts() {
        let mut rng = SplitMix64::new(3);
        let mut n = 0;
        let dates = (
            date!(2026 - 08 - 25),
            date!(2026 - 09 - 01),
            date!(2026 - 11 - 28),
        );
        assert!(
            plan(
                &mut rng,
                &family(FamilyRole::Refuser, ConsentState::Refused),
                dates,
                &mut n
            )
            .is_empty()
        );
        let refusing: Vec<Vec<Planned>> = (0..200)
            .map(|_| {
                plan(
                    &mut rng,
                    &family(FamilyRole::Ordinary, ConsentState::Refused),
                    dates,
                    &mut n,
                )
            })
            .collect();
        let none = refusing.iter().filter(|l| l.is_empty()).count();
        assert!(none > 100, "{none}");
        assert!(
            refusing
                .iter()
                .flatten()
                .all(|p| p.kind == "phone" && !p.preferred)
        );
        let demo = Family {
            demo_account: true,
            ..family(FamilyRole::DemoParent, ConsentState::Given)
        };
        let fixed = plan(&mut rng, &demo, dates, &mut n);
        assert_eq!(fixed.len(), 3);
        assert!(fixed[0].verified_after.is_some() && fixed[0].preferred);
        assert_eq!(fixed[2].provenance, Provenance::Cabinet);
        assert_eq!(fixed[2].verified_after, None);
        assert_eq!(fixed[1].value, "@shcherbakova_mariya");
    }
}
