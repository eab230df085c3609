//! Paper extracts and the documents printed from the journal (regulation point 2: «формирование
//! выписок в бумажной форме для родителей, не имеющих доступа к вычислительной технике и
//! интернету, либо отказавшихся от получения информации в электронной форме»; point 5: the
//! summary sheet; the year-end archive on paper).
//!
//! - The **print queue** of a class: the pupils whose families get paper (the consent
//!   registry's list — no representative with both consents in force — plus families with
//!   consents but no verified contact to deliver to), and the registry of extracts issued.
//! - **Issuing** extracts for a pupil or a class for a period or a date range: the data is
//!   gathered for the whole class at once (a fixed handful of queries, never one per pupil),
//!   each extract gets a short verification code, the caller's renderer makes the PDF on a
//!   blocking thread, and the registry row (with the PDF's SHA-256), the audit record and the
//!   outbox event are written in one transaction.
//! - **Verification** of a code, for anyone: that it was issued, when, by which school, and the
//!   hash — the pupil's initials at most, never the marks.
//! - The **journal print** of a class for the archive, gathered the same way.
//!
//! Who prints: administrators, deputy heads, and the class teacher for their class (the keepers
//! of the consent registry). A parent may download their own child's extract only with the
//! diary consent in force (the diary's gate); nobody else learns the child exists.

use crate::consent::{ClassRegistry, keeps};
use crate::diary::AttendanceSummary;
use crate::finals::{SubjectForecast, SummarySheet};
use crate::journal::period_of;
use crate::{App, AppError, Client, check};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::extract::ExtractCode;
use tabel_domain::finals::{self as rules, PeriodFacts};
use tabel_domain::journal::{Attendance, Average, Mark};
use tabel_domain::school::{ConsentState, GroupKind, Role};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, PeriodId, PersonId, SchoolId, SubjectId, UserId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::extracts::{
    self as repo, AbsenceFact, FinalFact, IssuedExtract, LessonFact, MarkFact, Pupil, PupilGroup,
    RecommendationFact,
};
use tabel_store::school::{self as school_repo, Group, Period, School};
use tabel_store::{Conn, StoreError, outbox};
use time::{Date, Duration};

mod archive;
mod gather;
mod issue;
mod queue;

pub use archive::*;
use gather::*;
pub use issue::*;
pub use queue::*;

/// The longest range one extract covers (a school year and a little).
pub const MAX_RANGE_DAYS: i64 = 400;
/// How many issued extracts a class's registry page lists.
pub const REGISTRY_LIMIT: i64 = 300;
/// The longest "handed to" note.
pub const MAX_HANDED_TO: usize = 200;
/// Minutes of a lesson, for "late by more than half of it counts as missed".
const LESSON_MINUTES: u16 = 45;
/// How far back homework may have been set for a due date in the range.
const HOMEWORK_LOOKBACK_DAYS: i64 = 31;

/// What period an extract covers: a reporting period, or a date range, or (neither) the class's
/// current period.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RangeInput {
    /// A reporting period.
    #[serde(default)]
    pub period: Option<PeriodId>,
    /// First day.
    #[serde(default)]
    pub from: Option<Date>,
    /// Last day.
    #[serde(default)]
    pub to: Option<Date>,
}

/// Whose extracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One pupil.
    Student(PersonId),
    /// The pupils of a class: all of them, or only those whose families get paper.
    Class {
        /// The class.
        class: GroupId,
        /// Only the print queue (families without electronic delivery).
        only_paper: bool,
    },
}

/// An extract request.
#[derive(Debug, Clone, Default)]
pub struct ExtractRequest {
    /// The period or dates.
    pub range: RangeInput,
    /// Include the homework of the range.
    pub homework: bool,
    /// To whom the paper is handed, when known at once.
    pub handed_to: String,
}

/// A fresh verification code (40 random bits).
fn new_code() -> Result<String, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random source: {e}")))?;
    Ok(ExtractCode::from_random(bytes).to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Refusal for someone who may not print here: 403 for the school's staff, 404 otherwise.
fn refuse(p: &Principal, school: SchoolId) -> AppError {
    if p.is_staff_of(school) {
        AppError::Forbidden
    } else {
        AppError::NotFound
    }
}

/// The grade's periods and the current one (or the last started).
async fn periods_of(
    c: &mut Conn<'_>,
    class: &Group,
    today: Date,
) -> Result<(Option<Period>, Vec<Period>), AppError> {
    period_of(c, class, today).await
}

/// The range asked for, checked: a period of the class's grade, or dates (at most
/// [`MAX_RANGE_DAYS`], the end not before the start), or the current period.
fn resolve_range(
    input: &RangeInput,
    periods: &[Period],
    today: Date,
) -> Result<(Option<Period>, Date, Date), AppError> {
    match (input.period, input.from, input.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(AppError::invalid(
            "period",
            "give a period or dates (from, to), not both",
        )),
        (Some(id), None, None) => {
            let p = periods
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(|| AppError::invalid("period", "no such period for this class"))?;
            Ok((Some(p.clone()), p.starts_on, p.ends_on))
        }
        (None, Some(from), Some(to)) => {
            if to < from {
                return Err(AppError::invalid("to", "the end is before the start"));
            }
            if to - from > Duration::days(MAX_RANGE_DAYS) {
                return Err(AppError::invalid(
                    "to",
                    format!("at most {MAX_RANGE_DAYS} days at a time"),
                ));
            }
            let exact = periods
                .iter()
                .find(|p| p.starts_on == from && p.ends_on == to)
                .cloned();
            Ok((exact, from, to))
        }
        (None, Some(_), None) => Err(AppError::invalid("to", "give the last day too")),
        (None, None, Some(_)) => Err(AppError::invalid("from", "give the first day too")),
        (None, None, None) => {
            let p = periods
                .iter()
                .find(|x| x.starts_on <= today && today <= x.ends_on)
                .or_else(|| periods.iter().rev().find(|x| x.starts_on <= today))
                .or_else(|| periods.first())
                .ok_or_else(|| {
                    AppError::Conflict("the class's year has no reporting periods".into())
                })?;
            Ok((Some(p.clone()), p.starts_on, p.ends_on))
        }
    }
}

/// The school of a deployment by id.
pub(crate) async fn school_of(c: &mut Conn<'_>, id: SchoolId) -> Result<School, AppError> {
    school_repo::list_schools(c)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)
}

/// The class of a pupil: on the range's last day, else today, else the latest membership.
async fn class_of_pupil(
    c: &mut Conn<'_>,
    student: PersonId,
    on: &[Date],
) -> Result<Option<Group>, AppError> {
    for d in on {
        if let Some(g) = school_repo::groups_of_student(c, student, *d)
            .await?
            .into_iter()
            .find(|g| g.kind == GroupKind::Class)
        {
            return Ok(Some(g));
        }
    }
    Ok(None)
}

/// What the extract form of a pupil offers.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractOptions {
    /// The pupil.
    pub student: PersonId,
    /// "Иванов Пётр".
    pub name: String,
    /// The pupil's class.
    pub class: Group,
    /// The periods of the class's grade.
    pub periods: Vec<Period>,
    /// The current one.
    pub current: Option<Period>,
    /// The viewer prints for the school (else: a parent's own download).
    pub keeper: bool,
    /// The extracts issued for the pupil (the school's keepers only).
    pub issued: Vec<IssuedExtract>,
}

impl App {
    /// Who may have a pupil's extract: the keepers of the pupil's class (the school prints it),
    /// or a representative of the pupil with the diary consent in force (a download). The
    /// pupil's class and whether `p` is a keeper.
    async fn student_access(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
        on: &[Date],
    ) -> Result<(Group, bool), AppError> {
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let class = class_of_pupil(c, student, on).await?;
        let keeper = keeps(p, card.school, class.as_ref().map(|g| g.id));
        if !keeper {
            if p.children.iter().any(|ch| ch.student == student) {
                // The diary's gate: a parent's own child needs the diary consent.
                check(p.may_view_student(&StudentFacts {
                    student,
                    school: card.school,
                }))?;
            } else {
                return Err(refuse(p, card.school));
            }
        }
        let class = class.ok_or_else(|| {
            AppError::Conflict("the pupil is not in a class this school year".into())
        })?;
        Ok((class, keeper))
    }

    /// What a pupil's extract form offers: the class's periods; for the school, the extracts
    /// issued for the pupil.
    pub async fn extract_options(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<ExtractOptions, AppError> {
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let (class, keeper) = self.student_access(c, p, student, &[today]).await?;
        let (current, periods) = periods_of(c, &class, today).await?;
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let issued = if keeper {
            repo::of_student(c, student).await?
        } else {
            Vec::new()
        };
        Ok(ExtractOptions {
            student,
            name: format!("{} {}", card.person.last_name, card.person.first_name),
            class,
            periods,
            current,
            keeper,
            issued,
        })
    }
}

/// The console's operator acts as the school's administrator, with no user of its own.
pub fn operator(school: SchoolId) -> Principal {
    Principal {
        user: UserId::new(0),
        person: None,
        grants: vec![(Role::Admin, school)],
        class_teacher_of: Vec::new(),
        children: Vec::new(),
        student_in: None,
        pupils: Vec::new(),
        student_consent: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recommendation_is_dated_by_the_schools_clock() {
        // Written at 22:30 UTC on 25 November: 01:30 on the 26th in Moscow.
        let written = time::macros::datetime!(2026-11-25 22:30 UTC);
        let pupil = Pupil {
            id: PersonId::new(7),
            last_name: "Петров".into(),
            first_name: "Иван".into(),
            middle_name: None,
            birth_date: None,
            from: time::macros::date!(2026 - 09 - 01),
            to: None,
        };
        let gathered = Gathered {
            groups: Vec::new(),
            lessons: Vec::new(),
            marks: Vec::new(),
            attendance: Vec::new(),
            recommendations: vec![RecommendationFact {
                student: pupil.id,
                subject_name: None,
                teacher_name: "Смирнова Е. В.".into(),
                body: "Повторить дроби".into(),
                created_at: written,
            }],
            finals: Vec::new(),
        };
        let zone = tabel_domain::calendar::TimeZoneName::parse("Europe/Moscow").unwrap();
        let day = time::macros::date!(2026 - 11 - 26);
        let e = gathered.pupil_extract(
            pupil,
            &[],
            &tabel_domain::journal::GradingPolicy::default(),
            (day, day),
            None,
            day,
            false,
            &zone,
        );
        assert_eq!(e.recommendations.len(), 1, "the 26th in Moscow");
        assert_eq!(e.recommendations[0].created_at.date(), day);
        assert_eq!(e.recommendations[0].created_at, written, "the same instant");
    }

    #[test]
    fn fresh_codes_are_in_their_stored_form() {
        for _ in 0..200 {
            let code = new_code().unwrap();
            assert_eq!(ExtractCode::parse(&code).map(|c| c.to_string()), Some(code));
        }
    }

    fn period(id: i64, from: Date, to: Date) -> Period {
        Period {
            id: PeriodId::new(id),
            kind: tabel_domain::school::PeriodKind::Quarter,
            number: u8::try_from(id).unwrap(),
            starts_on: from,
            ends_on: to,
            locked_at: None,
        }
    }

    #[test]
    fn a_range_is_a_period_or_dates_in_order_or_the_current_period() {
        use time::macros::date;
        let periods = vec![
            period(1, date!(2026 - 09 - 01), date!(2026 - 10 - 25)),
            period(2, date!(2026 - 11 - 05), date!(2026 - 12 - 28)),
        ];
        let today = date!(2026 - 11 - 28);
        let none = RangeInput::default();
        assert_eq!(
            resolve_range(&none, &periods, today).unwrap().1,
            date!(2026 - 11 - 05)
        );
        let p1 = RangeInput {
            period: Some(PeriodId::new(1)),
            ..RangeInput::default()
        };
        let (p, from, to) = resolve_range(&p1, &periods, today).unwrap();
        assert_eq!(
            (p.unwrap().id.get(), from, to),
            (1, date!(2026 - 09 - 01), date!(2026 - 10 - 25))
        );
        let backwards = RangeInput {
            period: None,
            from: Some(date!(2026 - 11 - 20)),
            to: Some(date!(2026 - 11 - 10)),
        };
        match resolve_range(&backwards, &periods, today) {
            Err(AppError::Invalid(e)) => assert!(e.contains_key("to")),
            other => panic!("{other:?}"),
        }
        let both = RangeInput {
            period: Some(PeriodId::new(1)),
            from: Some(today),
            to: Some(today),
        };
        assert!(matches!(
            resolve_range(&both, &periods, today),
            Err(AppError::Invalid(_))
        ));
        let unknown = RangeInput {
            period: Some(PeriodId::new(9)),
            ..RangeInput::default()
        };
        assert!(matches!(
            resolve_range(&unknown, &periods, today),
            Err(AppError::Invalid(_))
        ));
        let long = RangeInput {
            period: None,
            from: Some(date!(2025 - 01 - 01)),
            to: Some(date!(2026 - 11 - 10)),
        };
        assert!(matches!(
            resolve_range(&long, &periods, today),
            Err(AppError::Invalid(_))
        ));
        let exact = RangeInput {
            period: None,
            from: Some(date!(2026 - 11 - 05)),
            to: Some(date!(2026 - 12 - 28)),
        };
        assert_eq!(
            resolve_range(&exact, &periods, today)
                .unwrap()
                .0
                .unwrap()
                .id
                .get(),
            2
        );
    }
}
