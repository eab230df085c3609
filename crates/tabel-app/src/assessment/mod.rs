//! The schedule of assessment procedures: planning checked against the rules of
//! [`tabel_domain::assessment`], overrides with a written reason by a deputy head, the class's
//! and the school's schedule; the schedule as a document ([`schedule`]): approved, published,
//! corrected in versions.

pub mod schedule;

use crate::timetable::may_plan;
use crate::{App, AppError, Client, FieldErrors, check};
use std::collections::HashMap;
use tabel_domain::access::Principal;
use tabel_domain::assessment::{self as rules, Context, Planned, Violation};
use tabel_domain::school::{GroupKind, Level, PeriodKind, Role};
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{AssessmentId, GroupId, SchoolId, SubjectId};
use tabel_store::assessment::{self as repo, Assessment, NewAssessment};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as school_repo;
use tabel_store::timetable as tt;
use tabel_store::{Conn, outbox};
use time::Date;

/// A procedure as a form or API body gives it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AssessmentInput {
    /// The class (`None`: the form named none; with `group` it may be left out).
    pub class: Option<GroupId>,
    /// A subgroup of the class or a stream that writes it instead of the whole class. A stream's
    /// procedure is planned for each class of the stream at once, as one work.
    #[serde(default)]
    pub group: Option<GroupId>,
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
    /// The same work as this procedure of another class of the parallel: the parallel's
    /// frequency rule counts the work once.
    #[serde(default)]
    pub same_work_as: Option<AssessmentId>,
    /// To plan despite the rules (deputy heads only): why.
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// The message of a violation, with the numbers; `other_class` names a class by id (the
/// frequency rule's other procedure may be another class's of the parallel).
pub fn explain(
    v: &Violation,
    subject: &str,
    class: &str,
    grade: u8,
    other_class: &dyn Fn(i64) -> String,
) -> String {
    match v {
        Violation::Duration { minutes } => {
            format!("a procedure lasts at least 30 minutes ({minutes} given)")
        }
        Violation::OnePerDay { .. } => {
            format!("{class} already has an assessment procedure that day")
        }
        Violation::Frequency {
            other_date,
            days,
            other_class: other,
        } => {
            let other = other_class(*other);
            let whose = if other == class {
                String::new()
            } else {
                format!(" of {other}")
            };
            format!(
                "{subject} in parallel {grade}: {days} days from the procedure{whose} of {other_date}; at least {} (once in 2.5 weeks)",
                rules::MIN_DAYS_APART
            )
        }
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
    evaluations: &[Evaluation],
    override_reason: Option<&str>,
) -> Result<(), AppError> {
    if evaluations.iter().all(|e| e.violations.is_empty()) {
        return Ok(());
    }
    match override_reason {
        Some(_) if p.has_role(Role::Deputy, school) => Ok(()),
        Some(_) => Err(AppError::Forbidden),
        None => {
            let mut errors = FieldErrors::new();
            for e in evaluations {
                for (rule, message) in e.messages() {
                    errors
                        .entry(rule.to_owned())
                        .and_modify(|m: &mut String| {
                            m.push_str("; ");
                            m.push_str(&message);
                        })
                        .or_insert(message);
                }
            }
            Err(AppError::Invalid(errors))
        }
    }
}

/// What the rules say about a procedure in one class.
struct Evaluation {
    violations: Vec<Violation>,
    subject_name: String,
    class_name: String,
    grade: u8,
    /// Names of the classes of the parallel, by id (the frequency rule's message).
    names: HashMap<i64, String>,
}

impl Evaluation {
    /// Each broken rule's id and message.
    fn messages(&self) -> Vec<(&'static str, String)> {
        let name = |id: i64| self.names.get(&id).cloned().unwrap_or_default();
        self.violations
            .iter()
            .map(|v| {
                (
                    v.rule(),
                    explain(v, &self.subject_name, &self.class_name, self.grade, &name),
                )
            })
            .collect()
    }
}

/// What the rules look at, read once: a class's lessons of the day, its procedures and the
/// parallel's, its curriculum line and the end of its first half-year.
struct Facts<'a> {
    g: &'a school_repo::Group,
    /// The class's lessons that day, not cancelled.
    day: Vec<&'a tt::Lesson>,
    /// The subject's (tenths a week, hours a year) in the class's curriculum.
    hours: Option<(u32, u32)>,
    class_schedule: &'a [Planned],
    parallel_schedule: &'a [Planned],
    first_half_ends: Date,
    names: &'a HashMap<i64, String>,
}

/// Judges a procedure by the facts: the lesson it is written at must exist (the group's own,
/// for a group's procedure) and the subject be in the class's curriculum.
fn judge(planned: &Planned, minutes: u16, f: &Facts<'_>) -> Result<Evaluation, AppError> {
    let g = f.g;
    let subject = SubjectId::new(planned.subject);
    let subject_name = match f.day.iter().find(|l| {
        l.subject == subject
            && l.number == planned.number
            && planned.group.is_none_or(|grp| l.group.get() == grp)
    }) {
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
    let day_bounds = f
        .day
        .iter()
        .map(|l| l.number)
        .min()
        .zip(f.day.iter().map(|l| l.number).max());
    let (weekly_tenths, yearly_hours) = f.hours.ok_or_else(|| {
        AppError::invalid(
            "subject_id",
            format!("{subject_name} is not in {}'s curriculum", g.name),
        )
    })?;
    let ctx = Context {
        grade: g.grade,
        class_schedule: f.class_schedule,
        parallel_schedule: f.parallel_schedule,
        yearly_hours,
        weekly_tenths,
        day_bounds,
        first_half_ends: f.first_half_ends,
        minutes,
    };
    Ok(Evaluation {
        violations: rules::check(planned, &ctx),
        subject_name,
        class_name: g.name.clone(),
        grade: g.grade,
        names: f.names.clone(),
    })
}

/// Checks a procedure (new, with id 0, or stored) of a class against the rules, the class's
/// lessons of that day, the rest of its schedule and its parallel's for the year.
async fn evaluate(
    c: &mut Conn<'_>,
    (g, year): (&school_repo::Group, &school_repo::AcademicYear),
    planned: &Planned,
    minutes: u16,
) -> Result<Evaluation, AppError> {
    let subject = SubjectId::new(planned.subject);
    let lessons = tt::lessons_of_class(c, g.id, planned.on, planned.on).await?;
    let hours = repo::curriculum_hours(c, year.id, g.id, g.grade, subject).await?;
    let own = repo::assessments_of_class(c, g.id, year.id).await?;
    let parallel = repo::assessments_of_parallel(c, year.id, g.grade, g.id).await?;
    let mut names: HashMap<i64, String> = parallel
        .iter()
        .map(|a| (a.class.get(), a.class_name.clone()))
        .collect();
    names.insert(g.id.get(), g.name.clone());
    let class_schedule: Vec<Planned> = own.iter().map(Assessment::planned).collect();
    let parallel_schedule: Vec<Planned> = parallel.iter().map(Assessment::planned).collect();
    let facts = Facts {
        g,
        day: lessons
            .iter()
            .filter(|l| l.status != LessonStatus::Cancelled)
            .collect(),
        hours,
        class_schedule: &class_schedule,
        parallel_schedule: &parallel_schedule,
        first_half_ends: first_half_ends(c, year, g.grade).await?,
        names: &names,
    };
    judge(planned, minutes, &facts)
}

/// Where a procedure is written: the classes it is planned for and the group that writes it.
struct Target {
    /// Each class concerned, as of the date (a stream's classes; a subgroup's class).
    classes: Vec<school_repo::Group>,
    /// The subgroup or stream (`None`: the whole class).
    group: Option<GroupId>,
}

/// A class of the school as of a date, or the form's error.
async fn class_in(
    c: &mut Conn<'_>,
    school: SchoolId,
    id: GroupId,
    on: Date,
) -> Result<school_repo::Group, AppError> {
    school_repo::get_group(c, id, on)
        .await?
        .filter(|g| g.school == school && g.kind == GroupKind::Class)
        .ok_or_else(|| AppError::invalid("class_id", "no such class in this school"))
}

/// Resolves a form's class and group into the classes concerned.
async fn target(
    c: &mut Conn<'_>,
    school: SchoolId,
    (class, group): (Option<GroupId>, Option<GroupId>),
    on: Date,
) -> Result<Target, AppError> {
    let Some(group) = group else {
        let class = class.ok_or_else(|| AppError::invalid("class_id", "unknown"))?;
        return Ok(Target {
            classes: vec![class_in(c, school, class, on).await?],
            group: None,
        });
    };
    let grp = school_repo::get_group(c, group, on)
        .await?
        .filter(|g| g.school == school)
        .ok_or_else(|| AppError::invalid("group_id", "no such group in this school"))?;
    let classes: Vec<GroupId> = match grp.kind {
        GroupKind::Class => vec![grp.id],
        GroupKind::Subgroup => grp.parent.into_iter().collect(),
        GroupKind::Stream => tabel_store::teaching::stream_classes(c, grp.year)
            .await?
            .into_iter()
            .filter(|(s, _, _)| *s == grp.id)
            .map(|(_, class, _)| class)
            .collect(),
        GroupKind::Individual => {
            return Err(AppError::invalid(
                "group_id",
                "a procedure is written by a class, a subgroup or a stream, not by one pupil",
            ));
        }
    };
    if classes.is_empty() {
        return Err(AppError::invalid("group_id", "the group has no class"));
    }
    if let Some(class) = class
        && !classes.contains(&class)
    {
        return Err(AppError::invalid(
            "group_id",
            format!("{} is not a group of this class", grp.name),
        ));
    }
    let mut out = Vec::with_capacity(classes.len());
    for id in classes {
        out.push(class_in(c, school, id, on).await?);
    }
    Ok(Target {
        classes: out,
        group: (grp.kind != GroupKind::Class).then_some(grp.id),
    })
}

impl App {
    /// Re-checks a planned procedure against the rules as things stand now — the timetable may
    /// have changed since it was planned: the messages of the rules it breaks, empty if none
    /// (planners).
    pub async fn recheck_assessment(
        &self,
        p: &Principal,
        id: AssessmentId,
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
        match evaluate(c, (&g, &year), &a.planned(), a.minutes).await {
            Ok(e) => Ok(e
                .messages()
                .into_iter()
                .map(|(rule, m)| format!("{rule}: {m}"))
                .collect()),
            Err(AppError::Invalid(errors)) => Ok(errors.into_values().collect()),
            Err(e) => Err(e),
        }
    }

    /// Plans a procedure: for a class, for a subgroup of a class, or for a stream (a procedure
    /// in each class of the stream, one work). Broken rules are refused (422, each rule id with
    /// its numbers) unless a deputy head gives an override reason, which is kept with the
    /// procedure and audited. The id of the (first) procedure.
    pub async fn plan_assessment(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &AssessmentInput,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(may_plan(p, school))?;
        let mut errors = FieldErrors::new();
        let subject = input.subject;
        let level = Level::from_code(input.level.trim()).ok();
        let title = input.title.trim();
        if input.class.is_none() && input.group.is_none() {
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
        let (Some(subject), Some(level)) = (subject, level) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let Target { classes, group } =
            target(c, school, (input.class, input.group), input.date).await?;
        let first = &classes[0];
        let year = school_repo::academic_year_on(c, school, input.date)
            .await?
            .filter(|y| y.id == first.year && y.starts_on <= input.date && input.date <= y.ends_on)
            .ok_or_else(|| {
                AppError::invalid("date", "the date is outside the class's school year")
            })?;
        crate::closing::frozen_guard(c, p, school, year.id, override_reason).await?;
        let work = match input.same_work_as {
            None => None,
            Some(other) => {
                let o = repo::get_assessment(c, other)
                    .await?
                    .filter(|o| o.school == school && o.year == year.id)
                    .ok_or_else(|| AppError::invalid("same_work_as", "no such procedure"))?;
                if o.subject != subject || o.grade != first.grade {
                    return Err(AppError::invalid(
                        "same_work_as",
                        format!(
                            "{} in {} is not a work of this subject and parallel",
                            o.subject_name, o.class_name
                        ),
                    ));
                }
                Some(o.work)
            }
        };
        let mut evaluations = Vec::with_capacity(classes.len());
        for g in &classes {
            let planned = Planned {
                id: 0,
                class: g.id.get(),
                subject: subject.get(),
                on: input.date,
                number: input.number,
                group: group.map(GroupId::get),
                work: work.map_or(0, AssessmentId::get),
            };
            evaluations.push(evaluate(c, (g, &year), &planned, input.minutes).await?);
        }
        refuse_unless_overridden(p, school, &evaluations, override_reason)?;
        let overridden: Vec<&'static str> = evaluations
            .iter()
            .flat_map(|e| e.violations.iter().map(Violation::rule))
            .collect();
        let kept = override_reason.filter(|_| !overridden.is_empty());
        let now = self.now();
        let mut work = work;
        let mut ids = Vec::with_capacity(classes.len());
        for g in &classes {
            let id = repo::insert_assessment(
                c,
                &NewAssessment {
                    school,
                    year: year.id,
                    class: g.id,
                    group,
                    work,
                    subject,
                    on: input.date,
                    number: input.number,
                    level,
                    minutes: input.minutes,
                    title,
                    override_reason: kept,
                    created_by: Some(p.user),
                    now,
                },
            )
            .await?;
            work = work.or(Some(AssessmentId::new(id)));
            ids.push(id);
            let after = serde_json::json!({
                "id": id.to_string(), "class_id": g.id.to_string(), "group_id": group.map(|g| g.to_string()),
                "work_id": work.map(|w| w.to_string()), "subject_id": subject.to_string(),
                "date": input.date.to_string(), "number": input.number, "level": level.code(),
                "minutes": input.minutes, "title": title, "overridden": overridden,
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
                    reason: kept,
                    origin: Some(&client.address),
                },
            )
            .await?;
            outbox::emit(c, Some(school), "assessment.planned", &after, now).await?;
        }
        tx.commit().await?;
        Ok(ids[0])
    }

    /// Moves a procedure to another day or lesson of its class's year (planners), checked by
    /// the same rules as planning it: broken rules are refused (422) unless a deputy head gives
    /// an override reason. A stream's procedure moves in every class of the stream. Audited as
    /// `assessment.move`, announced as `assessment.moved`.
    pub async fn move_assessment(
        &self,
        p: &Principal,
        id: AssessmentId,
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
        let year = school_repo::academic_year_on(c, a.school, on)
            .await?
            .filter(|y| y.id == a.year)
            .ok_or_else(|| {
                AppError::invalid("date", "the date is outside the class's school year")
            })?;
        // A stream writes at once: its sittings in every class move together.
        let stream = match a.group {
            Some(grp) => school_repo::get_group(c, grp, a.on)
                .await?
                .is_some_and(|g| g.kind == GroupKind::Stream),
            None => false,
        };
        let rows: Vec<Assessment> = if stream {
            repo::assessments_of_work(c, a.work)
                .await?
                .into_iter()
                .filter(|r| r.group == a.group && r.on == a.on && r.number == a.number)
                .collect()
        } else {
            vec![a.clone()]
        };
        let mut evaluations = Vec::with_capacity(rows.len());
        for r in &rows {
            let g = school_repo::get_group(c, r.class, on)
                .await?
                .ok_or(AppError::NotFound)?;
            let planned = Planned {
                on,
                number,
                ..r.planned()
            };
            evaluations.push(evaluate(c, (&g, &year), &planned, r.minutes).await?);
        }
        refuse_unless_overridden(p, a.school, &evaluations, override_reason)?;
        let overridden: Vec<&'static str> = evaluations
            .iter()
            .flat_map(|e| e.violations.iter().map(Violation::rule))
            .collect();
        let kept = override_reason.filter(|_| !overridden.is_empty());
        let now = self.now();
        for r in &rows {
            repo::move_assessment(c, r.id, (on, number), kept).await?;
            let before = serde_json::json!({"date": r.on.to_string(), "number": r.number});
            let after = serde_json::json!({
                "id": r.id.to_string(), "class_id": r.class.to_string(), "subject_id": r.subject.to_string(),
                "date": on.to_string(), "number": number, "overridden": overridden,
            });
            audit::append(
                c,
                &AuditEntry {
                    chain: a.school.get(),
                    at: now,
                    actor: Some(p.user.get()),
                    action: "assessment.move",
                    entity: "assessment",
                    entity_id: r.id.to_string(),
                    before: Some(before),
                    after: Some(after.clone()),
                    reason: kept,
                    origin: Some(&client.address),
                },
            )
            .await?;
            outbox::emit(c, Some(a.school), "assessment.moved", &after, now).await?;
        }
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

    /// A class's procedures this year: the working schedule for the school's staff, the latest
    /// published version for everyone else who may see the class (its families).
    pub async fn assessments_of_class(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<Assessment>, AppError> {
        let g = self.class(p, class, self.today()).await?;
        let mut c = self.db.acquire().await?;
        if p.is_staff_of(g.school) {
            Ok(repo::assessments_of_class(&mut c.conn(), class, g.year).await?)
        } else {
            Ok(repo::published_of_class(&mut c.conn(), class, g.year).await?)
        }
    }

    /// A class's procedures in the latest published version of the schedule (whoever may see
    /// the class).
    pub async fn published_assessments_of_class(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<Assessment>, AppError> {
        let g = self.class(p, class, self.today()).await?;
        let mut c = self.db.acquire().await?;
        Ok(repo::published_of_class(&mut c.conn(), class, g.year).await?)
    }

    /// What the planning form of a class offers (planners): the groups that may write a
    /// procedure instead of the whole class (its subgroups, the streams it feeds), and the works
    /// of the other classes of its parallel this year that it may join.
    pub async fn assessment_form_choices(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<(Vec<(GroupId, String)>, Vec<Assessment>), AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, class, today)
            .await?
            .ok_or(AppError::NotFound)?;
        check(may_plan(p, g.school))?;
        let streams: Vec<GroupId> = tabel_store::teaching::stream_classes(c, g.year)
            .await?
            .into_iter()
            .filter(|(_, c, _)| *c == class)
            .map(|(s, _, _)| s)
            .collect();
        let groups = school_repo::list_groups(c, g.year, today, None)
            .await?
            .into_iter()
            .filter(|x| {
                (x.kind == GroupKind::Subgroup && x.parent == Some(class))
                    || (x.kind == GroupKind::Stream && streams.contains(&x.id))
            })
            .map(|x| (x.id, x.name))
            .collect();
        let mut works = repo::assessments_of_parallel(c, g.year, g.grade, class).await?;
        works.retain(|a| a.work == a.id);
        Ok((groups, works))
    }

    /// The school's working schedule for the year containing `on` (staff).
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

/// A pupil's procedures in the published schedule of the class: the whole class's, and those of
/// the subgroups and streams the pupil is in on `on` (the diary).
pub(crate) async fn published_for_student(
    c: &mut Conn<'_>,
    student: tabel_domain::PersonId,
    class: &school_repo::Group,
    on: Date,
) -> Result<Vec<Assessment>, AppError> {
    let list = repo::published_of_class(c, class.id, class.year).await?;
    if list.iter().all(|a| a.group.is_none()) {
        return Ok(list);
    }
    let groups: Vec<GroupId> = school_repo::groups_of_student(c, student, on)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    Ok(list
        .into_iter()
        .filter(|a| a.group.is_none_or(|g| groups.contains(&g)))
        .collect())
}
