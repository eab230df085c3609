//! Pupils and their families: class sizes, children of the right age with their father's
//! patronymic, one or two legal representatives (sometimes a grandmother as guardian), about a
//! tenth of families with two children in the school, guardianships confirmed by the school and
//! the two consents (diary, electronic delivery) of every representative for every child.

use crate::model::*;
use crate::names::{self, GRANDFATHERS, GRANDMOTHERS, MEN, SURNAMES, WOMEN};
use crate::rng::SplitMix64;
use crate::{CONSENT_TEXT_VERSION, Ctx, DemoError, calendar_date};
use tabel_domain::consent::{Basis, BasisKind};
use tabel_domain::school::{ConsentPurpose, ConsentState, Relation, Sex};
use tabel_domain::text::PersonName;
use tabel_domain::{PersonId, SchoolId};
use tabel_store::Conn;
use tabel_store::consent as consent_repo;
use tabel_store::school::{self as repo, NewGuardianship, NewPerson};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// Inserts a person and returns its record.
pub(crate) async fn insert_person(
    c: &mut Conn<'_>,
    school: SchoolId,
    name: PersonName,
    sex: Sex,
    birth_date: Option<Date>,
) -> Result<DemoPerson, DemoError> {
    let id = repo::insert_person(
        c,
        &NewPerson {
            school,
            name: &name,
            sex,
            birth_date,
        },
    )
    .await?;
    Ok(DemoPerson {
        id,
        name,
        sex,
        birth_date,
    })
}

/// A day in `from..=to`.
pub(crate) fn random_date(rng: &mut SplitMix64, from: Date, to: Date) -> Date {
    from + Duration::days(rng.between(0, (to - from).whole_days()))
}

/// Full years of age on a date.
pub(crate) fn age_on(birth: Date, on: Date) -> i32 {
    let had_birthday = (on.month() as u8, on.day()) >= (birth.month() as u8, birth.day());
    on.year() - birth.year() - i32::from(!had_birthday)
}

/// Pupils per class: 22–28 in grades 1–9, 18–25 in the senior grades, nudged so that the
/// school has 620–690 pupils.
fn class_sizes(school: &DemoSchool, rng: &mut SplitMix64) -> Vec<u32> {
    let mut sizes: Vec<u32> = school
        .classes
        .iter()
        .map(|c| {
            let (lo, hi) = if c.grade >= 10 { (18, 25) } else { (22, 28) };
            u32::try_from(rng.between(lo, hi)).unwrap_or(25)
        })
        .collect();
    loop {
        let total: u32 = sizes.iter().sum();
        let step = if total > 690 {
            sizes.iter_mut().max()
        } else if total < 620 {
            sizes.iter_mut().min()
        } else {
            None
        };
        match step {
            Some(s) if total > 690 => *s -= 1,
            Some(s) => *s += 1,
            None => break,
        }
    }
    sizes
}

/// Which legal representatives a family has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Representatives {
    Both,
    MotherOnly,
    FatherOnly,
    Grandmother,
}

#[derive(Debug)]
struct FamilyPlan {
    role: FamilyRole,
    classes: Vec<usize>,
}

fn plan_families(school: &DemoSchool, rng: &mut SplitMix64) -> Vec<FamilyPlan> {
    let sizes = class_sizes(school, rng);
    let mut free = sizes;
    let take = |ci: Option<usize>, free: &mut Vec<u32>| -> Option<usize> {
        let ci = ci?;
        let slot = free.get_mut(ci)?;
        if *slot == 0 {
            return None;
        }
        *slot -= 1;
        Some(ci)
    };
    let find = |name: &str| school.class_named(name).map(|(i, _)| i);
    let mut plans = Vec::new();
    // The demo accounts' families: a parent of a 5А pupil and of a 3Б pupil, and a mother of a
    // 5А pupil who refused.
    let demo: Vec<usize> = [find("5А"), find("3Б")]
        .into_iter()
        .filter_map(|ci| take(ci, &mut free))
        .collect();
    if !demo.is_empty() {
        plans.push(FamilyPlan {
            role: FamilyRole::DemoParent,
            classes: demo,
        });
    }
    if let Some(ci) = take(find("5А"), &mut free) {
        plans.push(FamilyPlan {
            role: FamilyRole::Refuser,
            classes: vec![ci],
        });
    }
    for ci in 0..free.len() {
        while take(Some(ci), &mut free).is_some() {
            let mut classes = vec![ci];
            if rng.percent(13) {
                let grade = school.classes.get(ci).map_or(0, |c| c.grade);
                let candidates: Vec<usize> = (0..free.len())
                    .filter(|j| {
                        free.get(*j).is_some_and(|f| *f > 0)
                            && school
                                .classes
                                .get(*j)
                                .is_some_and(|c| (1..=6).contains(&c.grade.abs_diff(grade)))
                    })
                    .collect();
                if !candidates.is_empty() {
                    let j = *rng.pick(&candidates);
                    if let Some(j) = take(Some(j), &mut free) {
                        classes.push(j);
                    }
                }
            }
            plans.push(FamilyPlan {
                role: FamilyRole::Ordinary,
                classes,
            });
        }
    }
    plans
}

/// Creates every pupil with their family.
pub(crate) async fn students_and_families(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
) -> Result<(), DemoError> {
    let plans = plan_families(school, rng);
    let mut basis_no = 0u32;
    for plan in plans {
        add_family(c, ctx, school, rng, &plan, &mut basis_no).await?;
    }
    Ok(())
}

fn birth_for_grade(rng: &mut SplitMix64, start_year: i32, grade: u8) -> Result<Date, DemoError> {
    // Grade 1 takes children who are 6½–7½ on 1 September.
    let from = calendar_date(start_year - 6 - i32::from(grade), Month::March, 1)?;
    Ok(from + Duration::days(rng.between(0, 364)))
}

fn enrolled_on(rng: &mut SplitMix64, school: &DemoSchool, grade: u8) -> Result<Date, DemoError> {
    let y = school.year.start_year;
    let first = y - i32::from(grade) + 1;
    let year = if grade >= 10 && rng.percent(20) {
        y
    } else if grade >= 2 && rng.percent(8) {
        i32::try_from(rng.between(i64::from(first + 1), i64::from(y))).unwrap_or(y)
    } else {
        first
    };
    if year == y {
        Ok(school.year.starts_on)
    } else {
        calendar_date(year, Month::September, 1)
    }
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

async fn add_family(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    school: &mut DemoSchool,
    rng: &mut SplitMix64,
    plan: &FamilyPlan,
    basis_no: &mut u32,
) -> Result<(), DemoError> {
    let family = school.families.len();
    let surname = rng.pick_copy(SURNAMES);
    let father_first = rng.pick_copy(MEN);

    let mut children: Vec<usize> = Vec::new();
    let mut used_first: Vec<&str> = Vec::new();
    for ci in &plan.classes {
        let grade = school.classes.get(*ci).map_or(1, |c| c.grade);
        let sex = if rng.percent(51) {
            Sex::Male
        } else {
            Sex::Female
        };
        let table = match sex {
            Sex::Male => names::BOYS,
            Sex::Female => names::GIRLS,
        };
        let mut first = rng.pick_copy(table);
        while used_first.contains(&first) {
            first = rng.pick_copy(table);
        }
        used_first.push(first);
        let name = names::person_name(
            &names::surname_for(surname, sex),
            first,
            &names::patronymic(father_first, sex),
        )?;
        let born = birth_for_grade(rng, school.year.start_year, grade)?;
        let enrolled = enrolled_on(rng, school, grade)?;
        let person = insert_person(c, school.id, name, sex, Some(born)).await?;
        repo::insert_student(c, person.id, school.id, enrolled).await?;
        school.students.push(DemoStudent {
            person,
            class: *ci,
            family,
            enrolled_on: enrolled,
        });
        children.push(school.students.len() - 1);
    }
    let eldest = children
        .iter()
        .filter_map(|i| school.students.get(*i)?.person.birth_date)
        .min()
        .unwrap_or(ctx.calendar.starts_on);

    let reps = match plan.role {
        FamilyRole::DemoParent => Representatives::Both,
        FamilyRole::Refuser => Representatives::MotherOnly,
        FamilyRole::Ordinary => match rng.below(100) {
            0..62 => Representatives::Both,
            62..92 => Representatives::MotherOnly,
            92..97 => Representatives::FatherOnly,
            _ => Representatives::Grandmother,
        },
    };
    let mut adults: Vec<(PersonName, Sex, Date, Option<Relation>)> = Vec::new();
    let years =
        |rng: &mut SplitMix64, lo: i64, hi: i64| Duration::days(rng.between(lo * 365, hi * 365));
    if matches!(reps, Representatives::Both | Representatives::MotherOnly) {
        let last = if rng.percent(88) {
            names::surname_for(surname, Sex::Female)
        } else {
            names::surname_for(rng.pick_copy(SURNAMES), Sex::Female)
        };
        let name = names::person_name(
            &last,
            rng.pick_copy(WOMEN),
            &names::patronymic(rng.pick_copy(GRANDFATHERS), Sex::Female),
        )?;
        let born = eldest - years(rng, 20, 38);
        adults.push((name, Sex::Female, born, Some(Relation::Mother)));
    }
    if matches!(reps, Representatives::Both | Representatives::FatherOnly) {
        let name = names::person_name(
            surname,
            father_first,
            &names::patronymic(rng.pick_copy(GRANDFATHERS), Sex::Male),
        )?;
        let born = eldest - years(rng, 22, 44);
        adults.push((name, Sex::Male, born, Some(Relation::Father)));
    }
    if reps == Representatives::Grandmother {
        let name = names::person_name(
            &names::surname_for(surname, Sex::Female),
            rng.pick_copy(GRANDMOTHERS),
            &names::patronymic(rng.pick_copy(GRANDFATHERS), Sex::Female),
        )?;
        let born = eldest - years(rng, 45, 62);
        // Опекун for a child under 14, попечитель from 14: decided per child below.
        adults.push((name, Sex::Female, born, None));
    }

    let y = school.year.start_year;
    let mut applied_on = random_date(
        rng,
        calendar_date(y, Month::August, 20)?,
        calendar_date(y, Month::August, 31)?,
    );
    // Applications are taken on working days.
    while matches!(applied_on.weekday(), Weekday::Saturday | Weekday::Sunday) {
        applied_on -= Duration::days(1);
    }
    let mut parents = Vec::new();
    for (name, sex, born, relation) in adults {
        let (diary, delivery) = match plan.role {
            FamilyRole::DemoParent => (ConsentState::Given, ConsentState::Given),
            FamilyRole::Refuser => (ConsentState::Refused, ConsentState::Refused),
            FamilyRole::Ordinary if rng.percent(95) => (ConsentState::Given, ConsentState::Given),
            FamilyRole::Ordinary if rng.percent(50) => (ConsentState::Given, ConsentState::Refused),
            FamilyRole::Ordinary => (ConsentState::Refused, ConsentState::Refused),
        };
        let person = insert_person(c, school.id, name, sex, Some(born)).await?;
        let at = office_time(rng, applied_on)?;
        let mut linked = Vec::new();
        for child in &children {
            let Some(student) = school.students.get(*child) else {
                continue;
            };
            let relation = relation.unwrap_or_else(|| {
                let age = student
                    .person
                    .birth_date
                    .map_or(0, |b| age_on(b, ctx.today));
                if age < 14 {
                    Relation::Guardian
                } else {
                    Relation::Trustee
                }
            });
            let student_id: PersonId = student.person.id;
            repo::insert_guardianship(
                c,
                &NewGuardianship {
                    school: school.id,
                    parent: person.id,
                    student: student_id,
                    relation,
                    confirmed_at: at,
                    confirmed_by: None,
                },
            )
            .await?;
            // What the registry holds for this representative, decided by the person's id so
            // that the rest of the generated school does not move: a few never brought an
            // application, a few withdrew the consent in the autumn, some applied through the
            // state services portal instead of on paper.
            let fate = person.id.get() % 100;
            let ordinary = plan.role == FamilyRole::Ordinary;
            if ordinary && (3..6).contains(&fate) {
                linked.push((*child, relation));
                continue;
            }
            let basis = if ordinary && (10..25).contains(&fate) {
                Basis {
                    kind: BasisKind::ElectronicDocument,
                    number: None,
                    date: Some(applied_on),
                    document_id: Some(format!("ЕПГУ-{}-{:07}", applied_on.year(), person.id.get())),
                    signature: Some("УКЭП ЕСИА, ГОСТ Р 34.10-2012".into()),
                }
            } else {
                *basis_no += 1;
                Basis {
                    kind: BasisKind::WrittenApplication,
                    number: Some(basis_no.to_string()),
                    date: Some(applied_on),
                    document_id: None,
                    signature: None,
                }
            };
            for (purpose, state) in [
                (ConsentPurpose::Diary, diary),
                (ConsentPurpose::ElectronicDelivery, delivery),
            ] {
                consent_repo::insert(
                    c,
                    &consent_repo::NewRecord {
                        school: school.id,
                        parent: person.id,
                        student: student_id,
                        purpose,
                        state,
                        text_version: CONSENT_TEXT_VERSION,
                        basis: &basis,
                        note: "",
                        recorded_by: None,
                        recorded_at: at,
                    },
                )
                .await?;
            }
            if ordinary && fate < 3 && diary == ConsentState::Given {
                // Withdrawn in October on a written application: both purposes end.
                let on = calendar_date(y, Month::October, 5 + u8::try_from(fate).unwrap_or(0))?;
                *basis_no += 1;
                let withdrawal = Basis {
                    kind: BasisKind::WrittenApplication,
                    number: Some(basis_no.to_string()),
                    date: Some(on),
                    document_id: None,
                    signature: None,
                };
                let when = office_time(&mut SplitMix64::new(person.id.get().unsigned_abs()), on)?;
                for purpose in [ConsentPurpose::Diary, ConsentPurpose::ElectronicDelivery] {
                    if purpose == ConsentPurpose::ElectronicDelivery
                        && delivery != ConsentState::Given
                    {
                        continue;
                    }
                    consent_repo::insert(
                        c,
                        &consent_repo::NewRecord {
                            school: school.id,
                            parent: person.id,
                            student: student_id,
                            purpose,
                            state: ConsentState::Withdrawn,
                            text_version: CONSENT_TEXT_VERSION,
                            basis: &withdrawal,
                            note: "",
                            recorded_by: None,
                            recorded_at: when,
                        },
                    )
                    .await?;
                }
            }
            linked.push((*child, relation));
        }
        school.parents.push(DemoParent {
            person,
            family,
            children: linked,
            diary,
            delivery,
        });
        parents.push(school.parents.len() - 1);
    }
    school.families.push(DemoFamily {
        role: plan.role,
        children,
        parents,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn ages_count_full_years() {
        assert_eq!(age_on(date!(2012 - 11 - 28), date!(2026 - 11 - 27)), 13);
        assert_eq!(age_on(date!(2012 - 11 - 28), date!(2026 - 11 - 28)), 14);
    }

    #[test]
    fn first_graders_are_six_and_a_half_to_seven_and_a_half() {
        let mut rng = SplitMix64::new(3);
        for _ in 0..1000 {
            let b = birth_for_grade(&mut rng, 2026, 1).unwrap();
            let age = age_on(b, date!(2026 - 09 - 01));
            assert!((6..=7).contains(&age), "{b}");
            let b = birth_for_grade(&mut rng, 2026, 11).unwrap();
            assert!((16..=17).contains(&age_on(b, date!(2026 - 09 - 01))), "{b}");
        }
    }
}
