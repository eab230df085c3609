//! Closing a reporting period for a class, a parallel or the whole school, with what is still
//! missing there (pupils without a final mark, lessons without a topic, exam results received
//! and not published); closing (freezing) the school year, which archives it once
//! ([`year`]); and the refusal of plain writes into a frozen year.
//!
//! A period closed for a class locks the journals of the class, of its subgroups and of the
//! streams it takes part in (a stream is locked as soon as one of its classes is). Closing and
//! reopening are for administrators and deputy heads, audited (`period.close`,
//! `period.reopen`) with the scope, the classes and, on closing, the list of what was missing.
//! A frozen year's periods cannot be reopened.

use crate::timetable::may_plan;
use crate::{App, AppError, Client, check};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use tabel_domain::access::Principal;
use tabel_domain::{AcademicYearId, GroupId, PeriodId, PersonId, SchoolId, SubjectId};
use tabel_store::Conn;
use tabel_store::audit::{self, AuditEntry};
use tabel_store::closing as repo;
use tabel_store::school::{self as school_repo, Period};
use time::Date;

mod year;

pub use tabel_store::closing::{
    ArchiveFile, LessonWithoutTopic, PeriodClass, UnpublishedResult, YearState,
};
pub use year::*;

/// For whom a period is closed or reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseScope {
    /// Every class of the parallels that report by the period.
    School,
    /// The classes of one grade.
    Parallel(u8),
    /// One class.
    Class(GroupId),
}

impl CloseScope {
    /// Parses `school`, `grade:5` or `class:<id>`.
    pub fn parse(raw: &str) -> Result<CloseScope, AppError> {
        let bad = || AppError::invalid("scope", "use school, grade:<1–11> or class:<id>");
        let raw = raw.trim();
        if raw.is_empty() || raw == "school" {
            return Ok(CloseScope::School);
        }
        match raw.split_once(':') {
            Some(("grade", g)) => match g.parse::<u8>() {
                Ok(g) if (1..=11).contains(&g) => Ok(CloseScope::Parallel(g)),
                _ => Err(bad()),
            },
            Some(("class", id)) => id.parse().map(CloseScope::Class).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }

    /// The code [`CloseScope::parse`] reads.
    pub fn code(&self) -> String {
        match self {
            CloseScope::School => "school".into(),
            CloseScope::Parallel(g) => format!("grade:{g}"),
            CloseScope::Class(id) => format!("class:{id}"),
        }
    }
}

/// A pupil without a final mark in a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFinal {
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub student_name: String,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
}

/// What a class still lacks for a period (or the year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassMissing {
    /// The class.
    pub class: GroupId,
    /// "5А".
    pub class_name: String,
    /// Pupils without the final mark of the slot, per subject (none for grade 1).
    pub finals: Vec<MissingFinal>,
    /// Lessons held up to today without a topic.
    pub lessons: Vec<LessonWithoutTopic>,
    /// The year's exam results received and not published.
    pub results: Vec<UnpublishedResult>,
}

impl ClassMissing {
    /// Nothing is missing.
    pub fn is_empty(&self) -> bool {
        self.finals.is_empty() && self.lessons.is_empty() && self.results.is_empty()
    }

    /// The list as the audit entry keeps it.
    fn to_json(&self) -> serde_json::Value {
        json!({
            "class": self.class_name,
            "finals": self.finals.iter()
                .map(|f| format!("{}: {}", f.student_name, f.subject_name))
                .collect::<Vec<_>>(),
            "lessons_without_topic": self.lessons.iter()
                .map(|l| format!("{} №{} {} {}", l.on, l.number, l.group_name, l.subject_name))
                .collect::<Vec<_>>(),
            "unpublished_results": self.results.iter()
                .map(|r| format!("{}: {} {}", r.student_name, r.exam, r.subject_name))
                .collect::<Vec<_>>(),
        })
    }
}

/// The audit's form of a list of what is missing: only the classes that lack something.
fn missing_json(list: &[ClassMissing]) -> serde_json::Value {
    serde_json::Value::Array(
        list.iter()
            .filter(|m| !m.is_empty())
            .map(ClassMissing::to_json)
            .collect(),
    )
}

/// A period as the closing page shows it for a scope.
#[derive(Debug, Clone)]
pub struct PeriodClosing {
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// The period (`locked_at`: closed for the whole school).
    pub period: Period,
    /// The scope asked for.
    pub scope: CloseScope,
    /// Every class of the period's parallels with its lock.
    pub classes: Vec<PeriodClass>,
    /// What the classes of the scope still lack.
    pub missing: Vec<ClassMissing>,
    /// The year is closed: nothing here can be reopened.
    pub year_frozen: bool,
}

impl PeriodClosing {
    /// The classes of the scope.
    pub fn scoped(&self) -> Vec<&PeriodClass> {
        self.classes
            .iter()
            .filter(|c| in_scope(self.scope, c))
            .collect()
    }
}

fn in_scope(scope: CloseScope, c: &PeriodClass) -> bool {
    match scope {
        CloseScope::School => true,
        CloseScope::Parallel(g) => c.grade == g,
        CloseScope::Class(id) => c.class == id,
    }
}

/// The classes of a scope, refused (422) when the scope names none of the period's classes.
fn scoped_classes(
    classes: &[PeriodClass],
    scope: CloseScope,
) -> Result<Vec<&PeriodClass>, AppError> {
    let out: Vec<&PeriodClass> = classes.iter().filter(|c| in_scope(scope, c)).collect();
    if out.is_empty() && scope != CloseScope::School {
        return Err(AppError::invalid(
            "scope",
            "no class of this period's parallels is in the scope",
        ));
    }
    Ok(out)
}

/// What a class lacks for the final marks of `slot` (`p<id>` or `year`) over `range`: pupils
/// in the class at the range's end without that final mark in a subject of their journals,
/// lessons held by `today` without a topic, the year's unpublished exam results.
pub(crate) async fn missing_of_class(
    c: &mut Conn<'_>,
    class: &PeriodClass,
    (year, slot): (AcademicYearId, &str),
    (from, to): (Date, Date),
    today: Date,
) -> Result<ClassMissing, AppError> {
    let mut finals = Vec::new();
    if class.grade > 1 {
        let roster = tabel_store::journal::roster(c, class.class, (from, to)).await?;
        // Pupils who left before the range's end get no final mark here.
        let pupils: HashMap<PersonId, String> = roster
            .into_iter()
            .filter(|r| r.to.is_none_or(|t| t >= to))
            .map(|r| (r.student, format!("{} {}", r.last_name, r.first_name)))
            .collect();
        let set: HashSet<(PersonId, SubjectId)> =
            tabel_store::finals::of_class(c, class.class, year)
                .await?
                .into_iter()
                .filter(|f| f.slot.code() == slot)
                .map(|f| (f.student, f.subject))
                .collect();
        let mut seen: HashSet<(PersonId, SubjectId)> = HashSet::new();
        let mut journals: Vec<(GroupId, SubjectId, String)> = Vec::new();
        for j in tabel_store::journal::journals_of_class(c, class.class).await? {
            if !journals
                .iter()
                .any(|(g, s, _)| *g == j.group && *s == j.subject)
            {
                journals.push((j.group, j.subject, j.subject_name));
            }
        }
        for (group, subject, subject_name) in journals {
            let members = tabel_store::journal::roster(c, group, (from, to)).await?;
            let mut lacking: Vec<(String, PersonId)> = members
                .into_iter()
                .filter(|m| m.to.is_none_or(|t| t >= to))
                .filter_map(|m| pupils.get(&m.student).map(|n| (n.clone(), m.student)))
                .filter(|(_, s)| !set.contains(&(*s, subject)) && seen.insert((*s, subject)))
                .collect();
            lacking.sort();
            finals.extend(lacking.into_iter().map(|(name, student)| MissingFinal {
                student,
                student_name: name,
                subject,
                subject_name: subject_name.clone(),
            }));
        }
    }
    let lessons = if today >= from {
        repo::lessons_without_topic(c, class.class, (from, to.min(today))).await?
    } else {
        Vec::new()
    };
    let results = repo::unpublished_results(c, class.class, year).await?;
    Ok(ClassMissing {
        class: class.class,
        class_name: class.name.clone(),
        finals,
        lessons,
        results,
    })
}

/// Refuses a write into a closed (frozen) year — 409 — unless an administrator of the school
/// gives a reason (a correction, audited by the write itself).
pub(crate) async fn frozen_guard(
    c: &mut Conn<'_>,
    p: &Principal,
    school: SchoolId,
    year: AcademicYearId,
    reason: Option<&str>,
) -> Result<(), AppError> {
    if repo::year_frozen(c, year).await?.is_none() {
        return Ok(());
    }
    let given = reason.map(str::trim).is_some_and(|r| !r.is_empty());
    if p.is_admin_of(school) && given {
        Ok(())
    } else {
        Err(crate::journal::frozen())
    }
}

impl App {
    /// A period for a scope with what its classes still lack (administrators, deputy heads).
    pub async fn period_closing(
        &self,
        p: &Principal,
        period: PeriodId,
        scope: CloseScope,
    ) -> Result<PeriodClosing, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let (school, year, from, to) = repo::period_frame(c, period)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, school))?;
        let classes = repo::period_classes(c, period).await?;
        let today = self.today();
        let mut missing = Vec::new();
        for class in scoped_classes(&classes, scope)? {
            let slot = format!("p{period}");
            missing.push(missing_of_class(c, class, (year, &slot), (from, to), today).await?);
        }
        let period = school_repo::list_periods(c, year)
            .await?
            .into_iter()
            .find(|x| x.id == period)
            .ok_or(AppError::NotFound)?;
        let year_frozen = repo::year_frozen(c, year).await?.is_some();
        Ok(PeriodClosing {
            school,
            year,
            period,
            scope,
            classes,
            missing,
            year_frozen,
        })
    }

    /// Closes (`close = true`) or reopens a reporting period for the whole school
    /// (administrators and deputy heads); see [`App::close_period_for`].
    pub async fn close_period(
        &self,
        p: &Principal,
        period: PeriodId,
        close: bool,
        client: &Client,
    ) -> Result<(), AppError> {
        self.close_period_for(p, period, CloseScope::School, close, client)
            .await
            .map(|_| ())
    }

    /// Closes (`close = true`) or reopens a reporting period for a class, a parallel or the
    /// whole school (administrators and deputy heads), whatever is still missing: the list of
    /// it goes into the audit entry (`period.close`). A frozen year's periods stay as they are
    /// (409).
    pub async fn close_period_for(
        &self,
        p: &Principal,
        period: PeriodId,
        scope: CloseScope,
        close: bool,
        client: &Client,
    ) -> Result<PeriodClosing, AppError> {
        let now = self.now();
        let today = self.today();
        {
            let mut tx = self.db.begin().await?;
            let c = &mut tx.conn();
            let (school, year, from, to) = repo::period_frame(c, period)
                .await?
                .ok_or(AppError::NotFound)?;
            check(may_plan(p, school))?;
            if repo::year_frozen(c, year).await?.is_some() {
                return Err(AppError::Conflict(
                    "the school year is closed: its periods stay closed".into(),
                ));
            }
            let classes = repo::period_classes(c, period).await?;
            let scoped: Vec<PeriodClass> = scoped_classes(&classes, scope)?
                .into_iter()
                .cloned()
                .collect();
            let ids: Vec<GroupId> = scoped.iter().map(|x| x.class).collect();
            // A period closed for the whole school without rows of its own (closed before
            // classes had locks, or before a class was added): every class gets its row
            // first, so that closing or reopening one class leaves the others closed.
            let whole = school_repo::list_periods(c, year)
                .await?
                .into_iter()
                .find(|x| x.id == period)
                .and_then(|x| x.locked_at);
            if let Some(at) = whole {
                let all: Vec<GroupId> = classes.iter().map(|x| x.class).collect();
                repo::lock_classes(c, school, period, &all, p.user, at).await?;
            }
            let mut missing = Vec::new();
            if close {
                let slot = format!("p{period}");
                for class in &scoped {
                    missing
                        .push(missing_of_class(c, class, (year, &slot), (from, to), today).await?);
                }
                repo::lock_classes(c, school, period, &ids, p.user, now).await?;
            } else {
                repo::unlock_classes(c, period, &ids).await?;
            }
            match (scope, close) {
                (CloseScope::School, true) => {
                    tabel_store::journal::set_period_lock(c, period, whole.or(Some(now))).await?;
                }
                (CloseScope::School, false) => {
                    tabel_store::journal::set_period_lock(c, period, None).await?;
                }
                _ => {
                    repo::sync_whole_lock(c, period, now).await?;
                }
            }
            let mut after = json!({
                "closed": close,
                "scope": scope.code(),
                "classes": scoped.iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
            });
            if close {
                after["missing"] = missing_json(&missing);
            }
            audit::append(
                c,
                &AuditEntry {
                    chain: school.get(),
                    at: now,
                    actor: Some(p.user.get()),
                    action: if close {
                        "period.close"
                    } else {
                        "period.reopen"
                    },
                    entity: "period",
                    entity_id: period.to_string(),
                    before: None,
                    after: Some(after),
                    reason: None,
                    origin: Some(&client.address),
                },
            )
            .await?;
            tx.commit().await?;
        }
        self.period_closing(p, period, scope).await
    }
}
