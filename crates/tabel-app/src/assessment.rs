//! The schedule of assessment procedures: planning checked against the rules of
//! [`tabel_domain::assessment`], overrides with a written reason by a deputy head, the class's
//! and the school's schedule.

use crate::timetable::may_plan;
use crate::{App, AppError, Client, FieldErrors, check};
use tabel_domain::access::Principal;
use tabel_domain::assessment::{self as rules, Context, Planned, Violation};
use tabel_domain::school::{GroupKind, Level, PeriodKind, Role};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, SchoolId, SubjectId};
use tabel_store::assessment::{self as repo, Assessment, NewAssessment};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as school_repo;
use tabel_store::timetable as tt;
use tabel_store::{Conn, outbox};
use time::Date;

/// A procedure as a form or API body gives it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AssessmentInput {
    /// The class (`None`: the form named none, reported with the other fields' errors).
    pub class: Option<GroupId>,
    /// The subject (`None` likewise).
    pub subject: Option<SubjectId>,
    /// The date.
    pub date: Date,
    /// The lesson number.
    pub number: u8,
    /// `school`, `regional` or `federal`.
    pub level: String,
    /// Duration, minutes (at least 30).
    pub minutes: u16,
    /// What is written.
    pub title: String,
    /// To plan despite the rules (deputy heads only): why.
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// The message of a violation, with the numbers.
pub fn explain(v: &Violation, subject: &str, class: &str, grade: u8) -> String {
    match v {
        Violation::Duration { minutes } => {
            format!("a procedure lasts at least 30 minutes ({minutes} given)")
        }
        Violation::OnePerDay { .. } => {
            format!("{class} already has an assessment procedure that day")
        }
        Violation::Frequency { other_date, days } => format!(
            "{subject} in {class}: {days} days from the procedure of {other_date}; at least {} (once in 2.5 weeks)",
            rules::MIN_DAYS_APART
        ),
        Violation::Quota {
            count,
            allowed,
            yearly_hours,
        } => format!(
            "{count} of {allowed} allowed for {subject} in {class} (parallel {grade}: 10 % of {yearly_hours} h a year)"
        ),
        Violation::FirstOrLast { number } => format!(
            "lesson {number} is the first or last of {class}'s day; allowed only for a subject with at most one lesson a week"
        ),
        Violation::FirstGradeFirstHalf => {
            "no assessment procedures in grade 1 in the first half-year".to_owned()
        }
    }
}

/// The last day of the first half-year of a grade (the demo plans by it too): the end of the first half-year, or of the
/// second quarter (or first trimester), or 31 December.
pub async fn first_half_ends(
    conn: &mut Conn<'_>,
    year: &school_repo::AcademicYear,
    grade: u8,
) -> Result<Date, AppError> {
    let kind = school_repo::list_parallels(conn, year.id)
        .await?
        .into_iter()
        .find(|p| p.grade == grade)
        .map(|p| p.period_kind);
    let periods = school_repo::list_periods(conn, year.id).await?;
    let end = periods
        .iter()
        .find(|p| {
            Some(p.kind) == kind
                && matches!(
                    (p.kind, p.number),
                    (PeriodKind::HalfYear, 1) | (PeriodKind::Quarter, 2)
                )
        })
        .map(|p| p.ends_on);
    Ok(end.unwrap_or_else(|| {
        Date::from_calendar_date(year.starts_on.year(), time::Month::December, 31)
            .unwrap_or(year.ends_on)
    }))
}

/// A place that breaks rules is refused (422, each rule with its numbers) unless a deputy head
/// gives an override reason; anyone else giving one is refused (403).
fn refuse_unless_overridden(
    p: &Principal,
    school: SchoolId,
    violations: &[Violation],
    (subject_name, g): (&str, &school_repo::Group),
    override_reason: Option<&str>,
) -> Result<(), AppError> {
    if violations.is_empty() {
        return Ok(());
    }
    match override_reason {
        Some(_) if p.has_role(Role::Deputy, school) => Ok(()),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Invalid(
            violations
                .iter()
                .map(|v| {
                    (
                        v.rule().to_owned(),
                        explain(v, subject_name, &g.name, g.grade),
                    )
                })
                .collect(),
        )),
    }
}

/// What the rules say about a procedure.
struct Evaluation {
    violations: Vec<Violation>,
    subject_name: String,
}

/// Checks a procedure (new, with id 0, or stored) of a class against the rules, the class's
/// lessons of that day and the rest of its schedule for the year.
async fn evaluate(
    c: &mut Conn<'_>,
    (g, year): (&school_repo::Group, &school_repo::AcademicYear),
    planned: &Planned,
    minutes: u16,
) -> Result<Evaluation, AppError> {
    let class = g.id;
    let subject = SubjectId::new(planned.subject);
    let day = tt::lessons_of_class(c, class, planned.on, planned.on).await?;
    let held: Vec<&tt::Lesson> = day
        .iter()
        .filter(|l| l.status != LessonStatus::Cancelled)
        .collect();
    let subject_name = match held
        .iter()
        .find(|l| l.subject == subject && l.number == planned.number)
    {
        Some(l) => l.subject_name.clone(),
        None => {
            return Err(AppError::invalid(
                "number",
                format!(
                    "{} has no lesson of this subject on {} at lesson {}",
                    g.name, planned.on, planned.number
                ),
            ));
        }
    };
    let day_bounds = held
        .iter()
        .map(|l| l.number)
        .min()
        .zip(held.iter().map(|l| l.number).max());
    let (weekly_tenths, yearly_hours) = repo::curriculum_hours(c, year.id, class, g.grade, subject)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "subject_id",
                format!("{subject_name} is not in {}'s curriculum", g.name),
            )
        })?;
    let schedule: Vec<Planned> = repo::assessments_of_class(c, class, year.id)
        .await?
        .into_iter()
        .map(|a| Planned {
            id: a.id.get(),
            class: a.class.get(),
            subject: a.subject.get(),
            on: a.on,
            number: a.number,
        })
        .collect();
    let ctx = Context {
        grade: g.grade,
        class_schedule: &schedule,
        yearly_hours,
        weekly_tenths,
        day_bounds,
        first_half_ends: first_half_ends(c, year, g.grade).await?,
        minutes,
    };
    Ok(Evaluation {
        violations: rules::check(planned, &ctx),
        subject_name,
    })
}

impl App {
    /// Re-checks a planned procedure against the rules as things stand now — the timetable may
    /// have changed since it was planned: the messages of the rules it breaks, empty if none
    /// (planners).
    pub async fn recheck_assessment(
        &self,
        p: &Principal,
        id: tabel_domain::AssessmentId,
    ) -> Result<Vec<String>, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let a = repo::get_assessment(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, a.school))?;
        let g = school_repo::get_group(c, a.class, a.on)
            .await?
            .ok_or(AppError::NotFound)?;
        let year = school_repo::academic_year_on(c, a.school, a.on)
            .await?
            .ok_or(AppError::NotFound)?;
        let planned = Planned {
            id: a.id.get(),
            class: a.class.get(),
            subject: a.subject.get(),
            on: a.on,
            number: a.number,
        };
        match evaluate(c, (&g, &year), &planned, a.minutes).await {
            Ok(e) => Ok(e
                .violations
                .iter()
                .map(|v| {
                    format!(
                        "{}: {}",
                        v.rule(),
                        explain(v, &e.subject_name, &g.name, g.grade)
                    )
                })
                .collect()),
            Err(AppError::Invalid(errors)) => Ok(errors.into_values().collect()),
            Err(e) => Err(e),
        }
    }

    /// Plans a procedure. Broken rules are refused (422, each rule id with its numbers) unless a
    /// deputy head gives an override reason, which is kept with the procedure and audited.
    pub async fn plan_assessment(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &AssessmentInput,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(may_plan(p, school))?;
        let mut errors = FieldErrors::new();
        let (class, subject) = (input.class, input.subject);
        let level = Level::from_code(input.level.trim()).ok();
        let title = input.title.trim();
        if class.is_none() {
            errors.insert("class_id".into(), "unknown".into());
        }
        if subject.is_none() {
            errors.insert("subject_id".into(), "unknown".into());
        }
        if level.is_none() {
            errors.insert("level".into(), "use school, regional or federal".into());
        }
        if title.is_empty() || title.chars().count() > 200 {
            errors.insert("title".into(), "1–200 characters".into());
        }
        let override_reason = input
            .override_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if override_reason.is_some_and(|r| r.chars().count() > 500) {
            errors.insert("override_reason".into(), "at most 500 characters".into());
        }
        let (Some(class), Some(subject), Some(level)) = (class, subject, level) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let g = school_repo::get_group(c, class, input.date)
            .await?
            .filter(|g| g.school == school && g.kind == GroupKind::Class)
            .ok_or_else(|| AppError::invalid("class_id", "no such class in this school"))?;
        let year = school_repo::academic_year_on(c, school, input.date)
            .await?
            .filter(|y| y.id == g.year && y.starts_on <= input.date && input.date <= y.ends_on)
            .ok_or_else(|| {
                AppError::invalid("date", "the date is outside the class's school year")
            })?;
        crate::closing::frozen_guard(c, p, school, year.id, override_reason).await?;
        let Evaluation {
            violations,
            subject_name,
        } = evaluate(
            c,
            (&g, &year),
            &Planned {
                id: 0,
                class: class.get(),
                subject: subject.get(),
                on: input.date,
                number: input.number,
            },
            input.minutes,
        )
        .await?;
        refuse_unless_overridden(p, school, &violations, (&subject_name, &g), override_reason)?;
        let now = self.now();
        let id = repo::insert_assessment(
            c,
            &NewAssessment {
                school,
                year: year.id,
                class,
                subject,
                on: input.date,
                number: input.number,
                level,
                minutes: input.minutes,
                title,
                override_reason: override_reason.filter(|_| !violations.is_empty()),
                created_by: Some(p.user),
                now,
            },
        )
        .await?;
        let after = serde_json::json!({
            "class_id": class.to_string(), "subject_id": subject.to_string(), "date": input.date.to_string(),
            "number": input.number, "level": level.code(), "minutes": input.minutes, "title": title,
            "overridden": violations.iter().map(Violation::rule).collect::<Vec<_>>(),
        });
        audit::append(
            c,
            &AuditEntry {
                chain: school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "assessment.plan",
                entity: "assessment",
                entity_id: id.to_string(),
                before: None,
                after: Some(after.clone()),
                reason: override_reason.filter(|_| !violations.is_empty()),
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(c, Some(school), "assessment.planned", &after, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a procedure to another day or lesson of its class's year (planners), checked by
    /// the same rules as planning it: broken rules are refused (422) unless a deputy head gives
    /// an override reason. Audited as `assessment.move`, announced as `assessment.moved`.
    pub async fn move_assessment(
        &self,
        p: &Principal,
        id: tabel_domain::AssessmentId,
        (on, number): (Date, u8),
        override_reason: Option<&str>,
        client: &Client,
    ) -> Result<Assessment, AppError> {
        let override_reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
        if override_reason.is_some_and(|r| r.chars().count() > 500) {
            return Err(AppError::invalid(
                "override_reason",
                "at most 500 characters",
            ));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let a = repo::get_assessment(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, a.school))?;
        crate::closing::frozen_guard(c, p, a.school, a.year, override_reason).await?;
        let g = school_repo::get_group(c, a.class, on)
            .await?
            .ok_or(AppError::NotFound)?;
        let year = school_repo::academic_year_on(c, a.school, on)
            .await?
            .filter(|y| y.id == a.year)
            .ok_or_else(|| {
                AppError::invalid("date", "the date is outside the class's school year")
            })?;
        let Evaluation {
            violations,
            subject_name,
        } = evaluate(
            c,
            (&g, &year),
            &Planned {
                id: a.id.get(),
                class: a.class.get(),
                subject: a.subject.get(),
                on,
                number,
            },
            a.minutes,
        )
        .await?;
        refuse_unless_overridden(
            p,
            a.school,
            &violations,
            (&subject_name, &g),
            override_reason,
        )?;
        let kept = override_reason.filter(|_| !violations.is_empty());
        repo::move_assessment(c, id, (on, number), kept).await?;
        let now = self.now();
        let before = serde_json::json!({"date": a.on.to_string(), "number": a.number});
        let after = serde_json::json!({
            "id": id.to_string(), "class_id": a.class.to_string(), "subject_id": a.subject.to_string(),
            "date": on.to_string(), "number": number,
            "overridden": violations.iter().map(Violation::rule).collect::<Vec<_>>(),
        });
        audit::append(
            c,
            &AuditEntry {
                chain: a.school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "assessment.move",
                entity: "assessment",
                entity_id: id.to_string(),
                before: Some(before),
                after: Some(after.clone()),
                reason: kept,
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(c, Some(a.school), "assessment.moved", &after, now).await?;
        let moved = repo::get_assessment(c, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(moved)
    }

    /// A class's procedures from today on that the rules no longer allow where they stand — the
    /// timetable changed under them (a transfer, a cancelled or extra lesson, a shortened day,
    /// another shift) — each with the rules it now breaks (planners). A procedure a deputy head
    /// placed over the rules with a reason is not listed: the reason stands.
    pub async fn assessments_to_move(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<(Assessment, Vec<String>)>, AppError> {
        let today = self.today();
        let list = {
            let mut c = self.db.acquire().await?;
            let c = &mut c.conn();
            let g = school_repo::get_group(c, class, today)
                .await?
                .ok_or(AppError::NotFound)?;
            check(may_plan(p, g.school))?;
            repo::assessments_of_class(c, class, g.year).await?
        };
        let mut out = Vec::new();
        for a in list.into_iter().filter(|a| a.on >= today) {
            if a.override_reason.is_some() {
                continue;
            }
            let broken = self.recheck_assessment(p, a.id).await?;
            if !broken.is_empty() {
                out.push((a, broken));
            }
        }
        Ok(out)
    }

    /// Removes a procedure from the schedule (a correction; planners).
    pub async fn remove_assessment(
        &self,
        p: &Principal,
        id: tabel_domain::AssessmentId,
        reason: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        let reason = reason.trim();
        let mut tx = self.db.begin().await?;
        let a = repo::get_assessment(&mut tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, a.school))?;
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "say why"));
        }
        crate::closing::frozen_guard(&mut tx.conn(), p, a.school, a.year, Some(reason)).await?;
        repo::delete_assessment(&mut tx.conn(), id).await?;
        let before = serde_json::to_value(&a).unwrap_or_default();
        audit::append(
            &mut tx.conn(),
            &AuditEntry {
                chain: a.school.get(),
                at: self.now(),
                actor: Some(p.user.get()),
                action: "assessment.remove",
                entity: "assessment",
                entity_id: id.to_string(),
                before: Some(before),
                after: None,
                reason: Some(reason),
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A class's procedures this year (whoever may see the class: its families too).
    pub async fn assessments_of_class(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<Assessment>, AppError> {
        let g = self.class(p, class, self.today()).await?;
        let mut c = self.db.acquire().await?;
        Ok(repo::assessments_of_class(&mut c.conn(), class, g.year).await?)
    }

    /// The school's schedule for the year containing `on` (staff).
    pub async fn assessments_of_school(
        &self,
        p: &Principal,
        school: SchoolId,
        on: Date,
    ) -> Result<Vec<Assessment>, AppError> {
        check(p.may_view_structure(school))?;
        let mut c = self.db.acquire().await?;
        let Some(year) = school_repo::academic_year_on(&mut c.conn(), school, on).await? else {
            return Ok(Vec::new());
        };
        Ok(repo::assessments_of_year(&mut c.conn(), year.id).await?)
    }
}
