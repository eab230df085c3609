//! The demo's deferrals and academic debt (first school only, in a class the `teacher` login
//! teaches, so that the reminder shows on that teacher's home page): a first-quarter deferral
//! that ended without a mark (overdue: the deputy head has to decide), a deferral running now
//! in the current quarter, and a first-quarter deferral that lapsed into н/а and an academic
//! debt with one failed retake. Pupils of ordinary families only (the demo accounts' children
//! keep plain diaries).

use crate::DemoError;
use crate::model::{DemoSchool, FamilyRole, GroupRef};
use std::collections::HashSet;
use tabel_domain::debts::{self as rules, DebtState, DeferralState};
use tabel_domain::finals::FinalValue;
use tabel_domain::{GroupId, PeriodId, PersonId, SubjectId, UserId};
use tabel_store::Conn;
use tabel_store::debts::{self as repo, NewDebt, NewDeferral};
use tabel_store::finals::{self as finals_repo, NewFinal, Slot};
use time::{Date, Duration, OffsetDateTime, Time};

/// The cells the demo defers, chosen from the school's model before the final marks are
/// written (the deferred first-quarter cells get no mark).
#[derive(Debug, Clone)]
pub(crate) struct Picks {
    group: GroupId,
    subject: SubjectId,
    first: (PeriodId, Date),
    current: PeriodId,
    overdue: PersonId,
    running: PersonId,
    lapsed: PersonId,
    deputy: UserId,
}

impl Picks {
    /// The (pupil, subject, period) cells the final marks leave empty.
    pub(crate) fn skipped(&self) -> HashSet<(PersonId, SubjectId, PeriodId)> {
        [self.overdue, self.lapsed]
            .into_iter()
            .map(|s| (s, self.subject, self.first.0))
            .collect()
    }
}

/// Chooses the cells: `None` for schools without the demo accounts, or before the first
/// quarter has ended.
pub(crate) fn pick(school: &DemoSchool, today: Date) -> Option<Picks> {
    let account = |login: &str| school.accounts.iter().find(|a| a.login == login);
    let teacher = account("teacher")?.person;
    let deputy = account("zavuch")?.user;
    let staff = school.staff.iter().position(|s| s.person.id == teacher)?;
    let (class_ix, code) = school.assignments.iter().find_map(|a| match a.group {
        GroupRef::Class(c) if a.teacher == staff && school.classes.get(c)?.grade >= 5 => {
            Some((c, a.subject))
        }
        _ => None,
    })?;
    let class = school.classes.get(class_ix)?;
    let subject = school.subjects.iter().find(|s| s.code == code)?.id;
    let kind = school
        .parallels
        .iter()
        .find(|p| p.grade == class.grade)?
        .periods;
    let mut periods = school.periods.iter().filter(|p| p.kind == kind);
    let first = periods.next().filter(|p| p.ends_on < today)?;
    let current = school
        .periods
        .iter()
        .find(|p| p.kind == kind && p.starts_on <= today && today <= p.ends_on)?;
    let ordinary: Vec<PersonId> = class
        .members
        .iter()
        .filter(|m| m.to.is_none() && m.from <= first.starts_on)
        .filter_map(|m| school.students.get(m.student))
        .filter(|s| {
            school
                .families
                .get(s.family)
                .is_some_and(|f| f.role == FamilyRole::Ordinary)
        })
        .map(|s| s.person.id)
        .collect();
    let [overdue, running, lapsed, ..] = ordinary.as_slice() else {
        return None;
    };
    Some(Picks {
        group: class.id,
        subject,
        first: (first.id, first.ends_on),
        current: current.id,
        overdue: *overdue,
        running: *running,
        lapsed: *lapsed,
        deputy,
    })
}

fn at(d: Date) -> OffsetDateTime {
    OffsetDateTime::new_utc(d, Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT))
}

/// Writes the three deferrals, the lapse's н/а and the debt with its failed retake; how many
/// deferrals and debts.
pub(crate) async fn write(
    c: &mut Conn<'_>,
    school: &DemoSchool,
    picks: &Picks,
    today: Date,
) -> Result<(u64, u64), DemoError> {
    let (first, first_end) = picks.first;
    let deferral = |student, slot, starts_on, ends_on, basis| NewDeferral {
        school: school.id,
        year: school.year.id,
        student,
        subject: picks.subject,
        group: Some(picks.group),
        slot,
        starts_on,
        ends_on,
        basis,
        by: picks.deputy,
        at: at(starts_on.max(first_end - Duration::days(7))),
    };
    // Ill at the quarter's end, the deferral ended five days ago: overdue.
    let overdue_end = (today - Duration::days(5)).max(first_end + Duration::days(1));
    repo::insert_deferral(
        c,
        &deferral(
            picks.overdue,
            Slot::Period(first),
            first_end - Duration::days(6),
            overdue_end,
            "Справка ГБУЗ «Детская поликлиника № 3» № 214",
        ),
    )
    .await?;
    // Ill now: the current quarter's mark is deferred for two weeks after today.
    repo::insert_deferral(
        c,
        &deferral(
            picks.running,
            Slot::Period(picks.current),
            today - Duration::days(4),
            today + Duration::days(14),
            "Приказ № 57-у о переносе аттестации",
        ),
    )
    .await?;
    // A deferral that lapsed three days after it ended: н/а and a debt.
    let lapsed_end = first_end + Duration::days(10);
    let lapsed_on = (lapsed_end + Duration::days(3)).min(today - Duration::days(1));
    let id = repo::insert_deferral(
        c,
        &deferral(
            picks.lapsed,
            Slot::Period(first),
            first_end - Duration::days(10),
            lapsed_end,
            "Справка № 198, больничный лист",
        ),
    )
    .await?;
    repo::close_deferral(c, id, DeferralState::Lapsed, picks.deputy, at(lapsed_on)).await?;
    let na = FinalValue::NotAttested.code();
    let reason = format!(
        "Отсрочка до {} истекла без отметки",
        tabel_present::date(lapsed_end)
    );
    finals_repo::write(
        c,
        &NewFinal {
            school: school.id,
            year: school.year.id,
            student: picks.lapsed,
            subject: picks.subject,
            group: Some(picks.group),
            slot: Slot::Period(first),
            value: &na,
            proposal: None,
            proposal_basis: None,
            reason: &reason,
            set_by: Some(picks.deputy),
            at: at(lapsed_on),
        },
        0,
    )
    .await?;
    let debt = repo::upsert_debt(
        c,
        &NewDebt {
            school: school.id,
            year: school.year.id,
            student: picks.lapsed,
            subject: picks.subject,
            group: Some(picks.group),
            slot: Slot::Period(first),
            origin: "deferral",
            arisen_value: &na,
            arisen_on: lapsed_on,
            deadline: rules::a_year_after(lapsed_on),
            at: at(lapsed_on),
        },
    )
    .await?;
    // The first retake two weeks later went badly; one attempt is left.
    let retake_on = lapsed_on + Duration::days(14);
    if retake_on < today {
        repo::insert_retake(
            c,
            debt,
            1,
            retake_on,
            "2",
            "комиссия: учитель предмета, заместитель директора",
            picks.deputy,
            at(retake_on),
        )
        .await?;
        repo::set_debt_state(c, debt, 1, DebtState::Open, None, None).await?;
    }
    Ok((3, 1))
}
