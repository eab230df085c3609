//! Deferrals of final marks and academic debts (DOMAIN.md «Final marks»; 273-ФЗ ст. 58).
//!
//! A **deferral** (отсрочка) holds a final-mark cell open for a pupil who was ill: it runs from
//! one date to another on a basis (an order, a medical document). While it is open the period may
//! close without the mark; the journal's teacher sets it later. When it ends without a mark the
//! teacher and the deputy head are reminded; if nobody sets one, the deputy records the lapse:
//! the pupil is н/а in that cell, which is an **academic debt**.
//!
//! A debt (a failing final mark or н/а) may be retaken **at most twice within a year** of arising;
//! the time the pupil is ill in that year is not counted, so each documented illness moves the
//! deadline by its days. A passing retake closes the debt; two failing ones exhaust the
//! attempts (the pedagogical council decides); a deadline passed with the debt open has expired.

use crate::code::coded_enum;
use crate::finals::Slot;
use crate::{AcademicYearId, DeferralId, GroupId, PersonId, SchoolId, SubjectId};
use serde::Serialize;
use std::fmt;
use time::OffsetDateTime;
use time::{Date, Duration, Month};

/// How many times a debt may be retaken.
pub const MAX_RETAKES: u8 = 2;
/// The longest a deferral may run (a school year is never longer).
pub const MAX_DEFERRAL_DAYS: i64 = 366;
/// The longest basis text.
pub const MAX_BASIS_CHARS: usize = 500;

coded_enum!(
    /// The state of a deferral as stored.
    DeferralState {
        /// Running or ended without a decision.
        Open = "open",
        /// A mark was set.
        Resolved = "resolved",
        /// Ended without a mark: н/а and a debt.
        Lapsed = "lapsed",
    }
);

/// Where an open deferral stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeferralStage {
    /// Not begun yet.
    Pending,
    /// Running (the end day included).
    Running,
    /// Its end has passed and no mark is set: a reminder is due, the deputy decides.
    Overdue,
}

/// Where an open deferral from `starts_on` to `ends_on` stands on `today`.
pub fn deferral_stage(starts_on: Date, ends_on: Date, today: Date) -> DeferralStage {
    if today < starts_on {
        DeferralStage::Pending
    } else if today <= ends_on {
        DeferralStage::Running
    } else {
        DeferralStage::Overdue
    }
}

/// Why a deferral was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeferralError {
    /// It ends before it starts.
    #[error("the deferral ends ({ends}) before it starts ({starts})")]
    EndsBeforeStarts {
        /// Start.
        starts: Date,
        /// End.
        ends: Date,
    },
    /// Longer than a school year.
    #[error("a deferral runs at most {MAX_DEFERRAL_DAYS} days")]
    TooLong,
    /// No basis.
    #[error("name the basis: the order or the medical document (number and date)")]
    NoBasis,
    /// Basis too long.
    #[error("the basis is at most {MAX_BASIS_CHARS} characters")]
    BasisTooLong,
}

/// Checks a deferral's dates and basis.
pub fn check_deferral(starts_on: Date, ends_on: Date, basis: &str) -> Result<(), DeferralError> {
    if ends_on < starts_on {
        return Err(DeferralError::EndsBeforeStarts {
            starts: starts_on,
            ends: ends_on,
        });
    }
    if (ends_on - starts_on).whole_days() > MAX_DEFERRAL_DAYS {
        return Err(DeferralError::TooLong);
    }
    check_basis(basis)
}

fn check_basis(basis: &str) -> Result<(), DeferralError> {
    let basis = basis.trim();
    if basis.is_empty() {
        return Err(DeferralError::NoBasis);
    }
    if basis.chars().count() > MAX_BASIS_CHARS {
        return Err(DeferralError::BasisTooLong);
    }
    Ok(())
}

coded_enum!(
    /// The state of a debt as stored.
    DebtState {
        /// Not yet passed (`expired` of older rows reads as open: expiry is computed).
        Open = "open" | "expired",
        /// Passed (by a retake, or the mark was corrected).
        Closed = "closed",
        /// Both retakes failed: the pedagogical council decides.
        Exhausted = "exhausted",
    }
);

/// A debt as it stands on a day: its state, and for an open one whether the time ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DebtStage {
    /// Open, retakes left, the deadline ahead.
    Open,
    /// Open past its deadline.
    Expired,
    /// Passed.
    Closed,
    /// Both retakes failed.
    Exhausted,
}

impl DebtStage {
    /// The stage's code (`open`, `expired`, `closed`, `exhausted`).
    pub fn code(self) -> &'static str {
        match self {
            DebtStage::Open => "open",
            DebtStage::Expired => "expired",
            DebtStage::Closed => "closed",
            DebtStage::Exhausted => "exhausted",
        }
    }
}

/// Where a debt stands on `today`.
pub fn debt_stage(state: DebtState, deadline: Date, today: Date) -> DebtStage {
    match state {
        DebtState::Open if today > deadline => DebtStage::Expired,
        DebtState::Open => DebtStage::Open,
        DebtState::Closed => DebtStage::Closed,
        DebtState::Exhausted => DebtStage::Exhausted,
    }
}

/// The same day a year later (29 February → 28 February).
pub fn a_year_after(d: Date) -> Date {
    let year = d.year() + 1;
    Date::from_calendar_date(year, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(d)
}

/// A documented illness, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Illness {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
}

/// The deadline of a debt that arose on `arisen_on`: a year later, moved by every day of
/// illness from the day after it arose up to the deadline as moved so far (illness after the
/// deadline does not revive a debt). Overlapping illnesses count each day once. With the days of
/// illness counted.
pub fn debt_deadline(arisen_on: Date, illnesses: &[Illness]) -> (Date, i64) {
    let mut spans: Vec<(Date, Date)> = illnesses
        .iter()
        .filter(|i| i.from <= i.to)
        .map(|i| (i.from.max(arisen_on + Duration::days(1)), i.to))
        .filter(|(from, to)| from <= to)
        .collect();
    spans.sort();
    let mut deadline = a_year_after(arisen_on);
    let mut counted = 0;
    // The first day not yet counted (merges overlaps).
    let mut next = arisen_on + Duration::days(1);
    for (from, to) in spans {
        let from = from.max(next);
        if from > to {
            continue;
        }
        if from > deadline {
            break;
        }
        let days = (to - from).whole_days() + 1;
        counted += days;
        deadline += Duration::days(days);
        next = to + Duration::days(1);
    }
    (deadline, counted)
}

/// Why a retake was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetakeError {
    /// Both retakes are used.
    #[error("the debt was retaken {MAX_RETAKES} times already; the pedagogical council decides")]
    NoAttemptsLeft,
    /// The debt is closed.
    #[error("the debt is closed already")]
    Closed,
    /// Dated before the debt arose.
    #[error("the retake ({on}) is dated before the debt arose ({arisen})")]
    BeforeArising {
        /// The retake's date.
        on: Date,
        /// When the debt arose.
        arisen: Date,
    },
    /// After the deadline.
    #[error("the retake ({on}) is after the deadline ({deadline}); record an illness to move it")]
    AfterDeadline {
        /// The retake's date.
        on: Date,
        /// The deadline.
        deadline: Date,
    },
    /// In the future.
    #[error("the retake ({on}) has not happened yet (today is {today})")]
    InFuture {
        /// The retake's date.
        on: Date,
        /// Today.
        today: Date,
    },
    /// Not after the previous retake.
    #[error("the retake ({on}) must come after the previous one ({previous})")]
    NotAfterPrevious {
        /// The retake's date.
        on: Date,
        /// The previous retake's date.
        previous: Date,
    },
}

/// What a debt looks like to the retake check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebtFacts {
    /// Stored state.
    pub state: DebtState,
    /// When it arose.
    pub arisen_on: Date,
    /// The deadline (illness counted).
    pub deadline: Date,
    /// Retakes so far.
    pub attempts: u8,
    /// The last retake's date.
    pub last_retake: Option<Date>,
}

/// Checks a retake on `on`: attempts left, within the debt's year, not in the future, after the
/// previous one. The attempt's number when allowed.
pub fn check_retake(debt: &DebtFacts, on: Date, today: Date) -> Result<u8, RetakeError> {
    match debt.state {
        DebtState::Closed => return Err(RetakeError::Closed),
        DebtState::Exhausted => return Err(RetakeError::NoAttemptsLeft),
        DebtState::Open => {}
    }
    if debt.attempts >= MAX_RETAKES {
        return Err(RetakeError::NoAttemptsLeft);
    }
    if on < debt.arisen_on {
        return Err(RetakeError::BeforeArising {
            on,
            arisen: debt.arisen_on,
        });
    }
    if on > today {
        return Err(RetakeError::InFuture { on, today });
    }
    if on > debt.deadline {
        return Err(RetakeError::AfterDeadline {
            on,
            deadline: debt.deadline,
        });
    }
    if let Some(previous) = debt.last_retake
        && on <= previous
    {
        return Err(RetakeError::NotAfterPrevious { on, previous });
    }
    Ok(debt.attempts + 1)
}

/// The state after a retake: passed closes; the last attempt failed exhausts; else still open.
pub fn after_retake(attempt: u8, passed: bool) -> DebtState {
    if passed {
        DebtState::Closed
    } else if attempt >= MAX_RETAKES {
        DebtState::Exhausted
    } else {
        DebtState::Open
    }
}

impl fmt::Display for DebtStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn a_deferral_ending_before_it_starts_is_refused() {
        assert_eq!(
            check_deferral(date!(2026 - 11 - 20), date!(2026 - 11 - 19), "Справка №5"),
            Err(DeferralError::EndsBeforeStarts {
                starts: date!(2026 - 11 - 20),
                ends: date!(2026 - 11 - 19)
            })
        );
        assert_eq!(
            check_deferral(date!(2026 - 11 - 20), date!(2026 - 11 - 20), "Справка №5"),
            Ok(())
        );
        assert_eq!(
            check_deferral(date!(2026 - 11 - 20), date!(2026 - 12 - 20), "  "),
            Err(DeferralError::NoBasis)
        );
        assert_eq!(
            check_deferral(date!(2026 - 01 - 01), date!(2027 - 01 - 03), "Приказ"),
            Err(DeferralError::TooLong)
        );
    }

    #[test]
    fn stages_of_a_deferral() {
        let (s, e) = (date!(2026 - 11 - 01), date!(2026 - 11 - 15));
        assert_eq!(
            deferral_stage(s, e, date!(2026 - 10 - 31)),
            DeferralStage::Pending
        );
        assert_eq!(deferral_stage(s, e, s), DeferralStage::Running);
        assert_eq!(deferral_stage(s, e, e), DeferralStage::Running);
        assert_eq!(
            deferral_stage(s, e, date!(2026 - 11 - 16)),
            DeferralStage::Overdue
        );
    }

    #[test]
    fn a_year_after_keeps_the_day_or_falls_back_from_29_february() {
        assert_eq!(a_year_after(date!(2026 - 05 - 30)), date!(2027 - 05 - 30));
        assert_eq!(a_year_after(date!(2028 - 02 - 29)), date!(2029 - 02 - 28));
    }

    #[test]
    fn illness_moves_the_deadline_by_its_days_counted_once() {
        let arisen = date!(2026 - 05 - 30);
        assert_eq!(debt_deadline(arisen, &[]), (date!(2027 - 05 - 30), 0));
        let ill = |a, b| Illness { from: a, to: b };
        // Ten days in October.
        assert_eq!(
            debt_deadline(arisen, &[ill(date!(2026 - 10 - 01), date!(2026 - 10 - 10))]),
            (date!(2027 - 06 - 09), 10)
        );
        // Overlapping periods count each day once; a period before arising does not count.
        assert_eq!(
            debt_deadline(
                arisen,
                &[
                    ill(date!(2026 - 10 - 05), date!(2026 - 10 - 12)),
                    ill(date!(2026 - 10 - 01), date!(2026 - 10 - 10)),
                    ill(date!(2026 - 05 - 01), date!(2026 - 05 - 20)),
                ]
            ),
            (date!(2027 - 06 - 11), 12)
        );
        // Starting before it arose: only the days after it count.
        assert_eq!(
            debt_deadline(arisen, &[ill(date!(2026 - 05 - 25), date!(2026 - 06 - 02))]),
            (date!(2027 - 06 - 02), 3)
        );
        // An illness within the moved window counts; one after the deadline does not.
        assert_eq!(
            debt_deadline(
                arisen,
                &[
                    ill(date!(2027 - 05 - 20), date!(2027 - 06 - 03)),
                    ill(date!(2027 - 06 - 15), date!(2027 - 06 - 20)),
                ]
            ),
            (date!(2027 - 06 - 14), 15)
        );
    }

    fn debt(attempts: u8, last: Option<Date>) -> DebtFacts {
        DebtFacts {
            state: DebtState::Open,
            arisen_on: date!(2026 - 05 - 30),
            deadline: date!(2027 - 05 - 30),
            attempts,
            last_retake: last,
        }
    }

    #[test]
    fn at_most_two_retakes_within_the_year() {
        let today = date!(2026 - 11 - 29);
        assert_eq!(
            check_retake(&debt(0, None), date!(2026 - 09 - 15), today),
            Ok(1)
        );
        assert_eq!(
            check_retake(
                &debt(1, Some(date!(2026 - 09 - 15))),
                date!(2026 - 10 - 15),
                today
            ),
            Ok(2)
        );
        assert_eq!(
            check_retake(
                &debt(2, Some(date!(2026 - 10 - 15))),
                date!(2026 - 11 - 15),
                today
            ),
            Err(RetakeError::NoAttemptsLeft)
        );
        assert_eq!(
            check_retake(
                &debt(1, Some(date!(2026 - 10 - 15))),
                date!(2026 - 10 - 15),
                today
            ),
            Err(RetakeError::NotAfterPrevious {
                on: date!(2026 - 10 - 15),
                previous: date!(2026 - 10 - 15)
            })
        );
        assert!(matches!(
            check_retake(&debt(0, None), date!(2026 - 05 - 01), today),
            Err(RetakeError::BeforeArising { .. })
        ));
        assert!(matches!(
            check_retake(&debt(0, None), date!(2026 - 12 - 01), today),
            Err(RetakeError::InFuture { .. })
        ));
        assert!(matches!(
            check_retake(&debt(0, None), date!(2027 - 06 - 01), date!(2027 - 06 - 02)),
            Err(RetakeError::AfterDeadline { .. })
        ));
        let closed = DebtFacts {
            state: DebtState::Closed,
            ..debt(1, None)
        };
        assert_eq!(
            check_retake(&closed, date!(2026 - 10 - 01), today),
            Err(RetakeError::Closed)
        );
    }

    #[test]
    fn a_retake_closes_exhausts_or_leaves_open() {
        assert_eq!(after_retake(1, true), DebtState::Closed);
        assert_eq!(after_retake(1, false), DebtState::Open);
        assert_eq!(after_retake(2, false), DebtState::Exhausted);
        assert_eq!(after_retake(2, true), DebtState::Closed);
    }

    #[test]
    fn debt_stages() {
        let d = date!(2027 - 05 - 30);
        assert_eq!(debt_stage(DebtState::Open, d, d), DebtStage::Open);
        assert_eq!(
            debt_stage(DebtState::Open, d, date!(2027 - 05 - 31)),
            DebtStage::Expired
        );
        assert_eq!(
            debt_stage(DebtState::Closed, d, date!(2028 - 01 - 01)),
            DebtStage::Closed
        );
        assert_eq!(DebtState::from_code("expired").ok(), Some(DebtState::Open));
    }

    fn day() -> impl Strategy<Value = Date> {
        (0i64..800).prop_map(|n| date!(2026 - 01 - 01) + Duration::days(n))
    }

    proptest! {
        #[test]
        fn the_deadline_moves_by_exactly_the_days_counted(
            arisen in day(),
            spans in proptest::collection::vec((day(), 0i64..40), 0..6),
        ) {
            let ills: Vec<Illness> = spans
                .iter()
                .map(|(from, len)| Illness { from: *from, to: *from + Duration::days(*len) })
                .collect();
            let (deadline, counted) = debt_deadline(arisen, &ills);
            prop_assert_eq!(deadline, a_year_after(arisen) + Duration::days(counted));
            prop_assert!(counted >= 0);
            // No day is counted twice: at most the union's size.
            let mut days = std::collections::BTreeSet::new();
            for i in &ills {
                let mut d = i.from;
                while d <= i.to {
                    if d > arisen { days.insert(d); }
                    d += Duration::days(1);
                }
            }
            prop_assert!(usize::try_from(counted).unwrap_or(usize::MAX) <= days.len());
        }

        #[test]
        fn more_illness_never_brings_the_deadline_earlier(
            arisen in day(),
            spans in proptest::collection::vec((day(), 0i64..40), 0..5),
            extra in (day(), 0i64..40),
        ) {
            let ills: Vec<Illness> = spans
                .iter()
                .map(|(from, len)| Illness { from: *from, to: *from + Duration::days(*len) })
                .collect();
            let mut more = ills.clone();
            more.push(Illness { from: extra.0, to: extra.0 + Duration::days(extra.1) });
            prop_assert!(debt_deadline(arisen, &more).0 >= debt_deadline(arisen, &ills).0);
        }
    }
}

/// A deferral as stored, with names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deferral {
    /// Id.
    pub id: DeferralId,
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub student_name: String,
    /// Subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The journal it was opened for.
    pub group: Option<GroupId>,
    /// The cell's slot.
    pub slot: Slot,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// The order or medical document.
    pub basis: String,
    /// State.
    #[serde(skip)]
    pub state: DeferralState,
    /// Who opened it (user).
    pub created_by: Option<i64>,
    /// When.
    pub created_at: OffsetDateTime,
    /// When resolved or lapsed.
    pub resolved_at: Option<OffsetDateTime>,
    /// Who resolved it.
    pub resolved_by: Option<i64>,
    /// When the reminder at its end went out.
    pub reminded_at: Option<OffsetDateTime>,
}

/// An academic debt as stored, with names and its retakes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Debt {
    /// Id.
    pub id: i64,
    /// School.
    pub school: SchoolId,
    /// Year it arose in.
    pub year: AcademicYearId,
    /// Pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub student_name: String,
    /// Subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The journal.
    pub group: Option<GroupId>,
    /// The final-mark cell's slot.
    pub slot: Slot,
    /// `final` or `deferral`.
    pub origin: String,
    /// The failing value's code it arose with.
    pub arisen_value: String,
    /// When it arose.
    pub arisen_on: Date,
    /// The deadline, illness counted.
    pub deadline: Date,
    /// Days of illness counted.
    pub illness_days: i64,
    /// Stored state.
    #[serde(skip)]
    pub state: DebtState,
    /// The passing value's code that closed it.
    pub result: Option<String>,
    /// When closed or exhausted.
    pub closed_at: Option<OffsetDateTime>,
    /// Version (retakes and illnesses change it).
    pub version: i64,
    /// When recorded.
    pub created_at: OffsetDateTime,
}

/// A retake of a debt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retake {
    /// Id.
    pub id: i64,
    /// The debt.
    pub debt_id: i64,
    /// 1 or 2.
    pub attempt: i64,
    /// When.
    pub on_date: Date,
    /// The value's code.
    pub value: String,
    /// The commission, the work.
    pub note: String,
    /// Who recorded it (user).
    pub recorded_by: Option<i64>,
    /// When recorded.
    pub recorded_at: OffsetDateTime,
}
