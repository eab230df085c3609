//! The schedule of assessment procedures as a document: the working schedule is a draft; a
//! deputy head approves it (dated, with its basis), which records a numbered version holding
//! the procedures as they stand; the version is then published to families, who see the latest
//! published version and when it changed. A correction of the working schedule after that is a
//! draft of the next version until it is approved and published in turn.

use super::{Facts, judge};
use crate::timetable::may_plan;
use crate::{App, AppError, Client, check};
use std::collections::HashMap;
use tabel_domain::access::Principal;
use tabel_domain::assessment::{Assessment, Planned, ScheduleVersion};
use tabel_domain::school::Role;
use tabel_domain::timetable::LessonStatus;
use tabel_domain::{GroupId, SchoolId, SubjectId};
use tabel_store::assessment::{self as repo, NewScheduleVersion};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as school_repo;
use tabel_store::timetable as tt;
use tabel_store::{Conn, outbox};
use time::{Date, OffsetDateTime};

/// Where the working schedule stands against its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScheduleState {
    /// Changed since the latest version (or never approved).
    Draft,
    /// The latest version holds it, not yet published.
    Approved,
    /// The latest version holds it and families see it.
    Published,
}

impl ScheduleState {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ScheduleState::Draft => "draft",
            ScheduleState::Approved => "approved",
            ScheduleState::Published => "published",
        }
    }
}

/// How a procedure differs between two versions of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Planned since.
    Added,
    /// Removed since.
    Removed,
    /// Another date or lesson.
    Moved,
    /// Another title, level or duration.
    Changed,
}

impl ChangeKind {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Moved => "moved",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One procedure's change between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// The procedure as it was (`None`: added).
    pub before: Option<Assessment>,
    /// The procedure as it is (`None`: removed).
    pub after: Option<Assessment>,
}

impl Change {
    /// The procedure's class, as it is or was.
    pub fn class(&self) -> GroupId {
        self.after
            .as_ref()
            .or(self.before.as_ref())
            .map_or(GroupId::new(0), |a| a.class)
    }
}

/// The changes from one list of procedures to another, by date of the procedure.
pub fn changes(before: &[Assessment], after: &[Assessment]) -> Vec<Change> {
    let old: HashMap<_, &Assessment> = before.iter().map(|a| (a.id, a)).collect();
    let new: HashMap<_, &Assessment> = after.iter().map(|a| (a.id, a)).collect();
    let mut out: Vec<Change> = Vec::new();
    for a in after {
        let kind = match old.get(&a.id) {
            None => Some(ChangeKind::Added),
            Some(b) if (b.on, b.number) != (a.on, a.number) => Some(ChangeKind::Moved),
            Some(b) if (&b.title, b.level, b.minutes) != (&a.title, a.level, a.minutes) => {
                Some(ChangeKind::Changed)
            }
            Some(_) => None,
        };
        if let Some(kind) = kind {
            out.push(Change {
                kind,
                before: old.get(&a.id).map(|b| (*b).clone()),
                after: Some(a.clone()),
            });
        }
    }
    for b in before.iter().filter(|b| !new.contains_key(&b.id)) {
        out.push(Change {
            kind: ChangeKind::Removed,
            before: Some(b.clone()),
            after: None,
        });
    }
    out.sort_by_key(|c| {
        let a = c.after.as_ref().or(c.before.as_ref());
        (a.map(|a| a.on), a.map(|a| a.class_name.clone()))
    });
    out
}

/// The school's schedule as a document for a year (staff).
#[derive(Debug, Clone)]
pub struct ScheduleDocument {
    /// The year.
    pub year: school_repo::AcademicYear,
    /// Where the working schedule stands.
    pub state: ScheduleState,
    /// Every version, the latest first.
    pub versions: Vec<ScheduleVersion>,
    /// What the working schedule changes against the latest version (everything, before the
    /// first approval).
    pub pending: Vec<Change>,
}

/// What families see of the schedule: the version they are shown and when it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedSchedule {
    /// The version's number.
    pub version: i64,
    /// The date of its approval.
    pub approved_on: Date,
    /// The basis.
    pub basis: String,
    /// When it was published.
    pub published_at: OffsetDateTime,
    /// For a correction, what changed (as the deputy head wrote it).
    pub note: String,
    /// The class's procedures that changed against the previous published version.
    pub changed: Vec<Change>,
}

/// An approval as the form or API body gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ApproveInput {
    /// The date of the approval (default today; not in the future).
    #[serde(default)]
    pub approved_on: Option<Date>,
    /// The basis, e.g. "приказ № 112 от 01.09.2026".
    #[serde(default)]
    pub basis: String,
    /// What changed: required for a correction of a published version.
    #[serde(default)]
    pub note: String,
}

/// The procedures of the working schedule that `must_hold` selects and that break a rule with no
/// override reason, each as "5А, Математика, 2026-10-14: rule: message", read in one pass over
/// the year (each class's lessons once, each curriculum line once).
async fn broken_rules(
    c: &mut Conn<'_>,
    year: &school_repo::AcademicYear,
    working: &[Assessment],
    must_hold: &(dyn Fn(&Assessment) -> bool + Sync),
) -> Result<Vec<String>, AppError> {
    let mut by_class: HashMap<GroupId, Vec<&Assessment>> = HashMap::new();
    for a in working {
        by_class.entry(a.class).or_default().push(a);
    }
    let names: HashMap<i64, String> = working
        .iter()
        .map(|a| (a.class.get(), a.class_name.clone()))
        .collect();
    let mut half_ends: HashMap<u8, Date> = HashMap::new();
    let mut out = Vec::new();
    let mut classes: Vec<GroupId> = by_class.keys().copied().collect();
    classes.sort_by_key(|g| names.get(&g.get()).cloned());
    for class in classes {
        let own = &by_class[&class];
        if !own
            .iter()
            .any(|a| a.override_reason.is_none() && must_hold(a))
        {
            continue;
        }
        let Some(g) = school_repo::get_group(c, class, own[0].on).await? else {
            continue;
        };
        let first_half_ends = match half_ends.get(&g.grade) {
            Some(d) => *d,
            None => {
                let d = super::first_half_ends(c, year, g.grade).await?;
                half_ends.insert(g.grade, d);
                d
            }
        };
        let class_schedule: Vec<Planned> = own.iter().map(|a| a.planned()).collect();
        let parallel_schedule: Vec<Planned> = working
            .iter()
            .filter(|a| a.grade == g.grade && a.class != class)
            .map(Assessment::planned)
            .collect();
        let lessons = tt::lessons_of_class(c, class, year.starts_on, year.ends_on).await?;
        let mut hours: HashMap<SubjectId, Option<(u32, u32)>> = HashMap::new();
        for a in own
            .iter()
            .filter(|a| a.override_reason.is_none() && must_hold(a))
        {
            let h = match hours.get(&a.subject) {
                Some(h) => *h,
                None => {
                    let h = repo::curriculum_hours(c, year.id, class, g.grade, a.subject).await?;
                    hours.insert(a.subject, h);
                    h
                }
            };
            let facts = Facts {
                g: &g,
                day: lessons
                    .iter()
                    .filter(|l| l.on == a.on && l.status != LessonStatus::Cancelled)
                    .collect(),
                hours: h,
                class_schedule: &class_schedule,
                parallel_schedule: &parallel_schedule,
                first_half_ends,
                names: &names,
            };
            let messages: Vec<String> = match judge(&a.planned(), a.minutes, &facts) {
                Ok(e) => e
                    .messages()
                    .into_iter()
                    .map(|(rule, m)| format!("{rule}: {m}"))
                    .collect(),
                Err(AppError::Invalid(errors)) => errors.into_values().collect(),
                Err(e) => return Err(e),
            };
            out.extend(
                messages
                    .into_iter()
                    .map(|m| format!("{}, {}, {}: {m}", a.class_name, a.subject_name, a.on)),
            );
        }
    }
    Ok(out)
}

impl App {
    /// The school's schedule as a document for the year containing `on`: its state, versions
    /// and the changes awaiting approval (staff).
    pub async fn assessment_schedule(
        &self,
        p: &Principal,
        school: SchoolId,
        on: Date,
    ) -> Result<ScheduleDocument, AppError> {
        check(p.may_view_structure(school))?;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let year = school_repo::academic_year_on(c, school, on)
            .await?
            .ok_or(AppError::NotFound)?;
        document(c, school, year).await
    }

    /// The procedures of one version (staff).
    pub async fn assessment_schedule_version(
        &self,
        p: &Principal,
        school: SchoolId,
        version: i64,
    ) -> Result<(ScheduleVersion, Vec<Assessment>), AppError> {
        let doc = self.assessment_schedule(p, school, self.today()).await?;
        let v = doc
            .versions
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(AppError::NotFound)?;
        let mut c = self.db.acquire().await?;
        let items = repo::version_items(&mut c.conn(), v.id).await?;
        Ok((v, items))
    }

    /// Approves the working schedule as the next version (deputy heads): refused while nothing
    /// changed since the latest version (409), while a procedure breaks a rule without an
    /// override reason (422, each listed), and for a correction of a published version without
    /// a note of what changed (422). Audited as `assessment-schedule.approve`. The version's number.
    pub async fn approve_assessment_schedule(
        &self,
        p: &Principal,
        school: SchoolId,
        input: &ApproveInput,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(may_plan(p, school))?;
        if !p.has_role(Role::Deputy, school) {
            return Err(AppError::Forbidden);
        }
        let today = self.today();
        let approved_on = input.approved_on.unwrap_or(today);
        let (basis, note) = (input.basis.trim(), input.note.trim());
        if approved_on > today {
            return Err(AppError::invalid(
                "approved_on",
                "the approval cannot be dated in the future",
            ));
        }
        if basis.chars().count() > 200 {
            return Err(AppError::invalid("basis", "at most 200 characters"));
        }
        if note.chars().count() > 1000 {
            return Err(AppError::invalid("note", "at most 1000 characters"));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let year = school_repo::academic_year_on(c, school, today)
            .await?
            .ok_or(AppError::NotFound)?;
        crate::closing::frozen_guard(c, p, school, year.id, None).await?;
        let doc = document(c, school, year.clone()).await?;
        if doc.versions.is_empty() && doc.pending.is_empty() {
            return Err(AppError::Conflict(
                "the schedule has no procedures yet".into(),
            ));
        }
        if doc.state != ScheduleState::Draft {
            return Err(AppError::Conflict(format!(
                "nothing changed since version {}",
                doc.versions.first().map_or(0, |v| v.version)
            )));
        }
        if doc.versions.iter().any(|v| v.published_at.is_some()) && note.is_empty() {
            return Err(AppError::invalid(
                "note",
                "say what the correction changes: families read it",
            ));
        }
        // What is approved must hold: every procedure from today on, and those added or moved
        // since the latest version (a past procedure whose lesson was cancelled after it was
        // approved is history, not a new decision).
        let working = repo::assessments_of_year(c, year.id).await?;
        let touched: std::collections::HashSet<_> = doc
            .pending
            .iter()
            .filter_map(|c| c.after.as_ref().map(|a| a.id))
            .collect();
        let must_hold = |a: &Assessment| a.on >= today || touched.contains(&a.id);
        let broken = broken_rules(c, &year, &working, &must_hold).await?;
        if !broken.is_empty() {
            return Err(AppError::invalid("schedule", broken.join("\n")));
        }
        let now = self.now();
        let (_, version) = repo::approve_schedule(
            c,
            &NewScheduleVersion {
                school,
                year: year.id,
                approved_on,
                approved_by: p.user,
                basis,
                note,
                now,
            },
        )
        .await?;
        let after = serde_json::json!({
            "year": year.id.to_string(), "version": version, "approved_on": approved_on.to_string(),
            "basis": basis, "note": note, "procedures": working.len(),
            "added": doc.pending.iter().filter(|c| c.kind == ChangeKind::Added).count(),
            "removed": doc.pending.iter().filter(|c| c.kind == ChangeKind::Removed).count(),
            "moved": doc.pending.iter().filter(|c| c.kind == ChangeKind::Moved).count(),
        });
        audit::append(
            c,
            &AuditEntry {
                chain: school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "assessment-schedule.approve",
                entity: "assessment-schedule",
                entity_id: format!("{}/{version}", year.id),
                before: None,
                after: Some(after),
                reason: (!note.is_empty()).then_some(note),
                origin: Some(&client.address),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Publishes the latest approved version to families (planners): refused when it is
    /// published already or none is approved (409). Announced as
    /// `assessment-schedule.published` (families' notifications follow it). The version's number.
    pub async fn publish_assessment_schedule(
        &self,
        p: &Principal,
        school: SchoolId,
        client: &Client,
    ) -> Result<i64, AppError> {
        check(may_plan(p, school))?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let year = school_repo::academic_year_on(c, school, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        crate::closing::frozen_guard(c, p, school, year.id, None).await?;
        let versions = repo::schedule_versions(c, school, year.id).await?;
        let latest = versions
            .first()
            .ok_or_else(|| AppError::Conflict("no version is approved yet".into()))?;
        let now = self.now();
        if !repo::publish_schedule(c, latest.id, p.user, now).await? {
            return Err(AppError::Conflict(format!(
                "version {} is published already",
                latest.version
            )));
        }
        let previous = versions
            .iter()
            .skip(1)
            .find(|v| v.published_at.is_some())
            .map(|v| v.version);
        let after = serde_json::json!({
            "school_id": school.to_string(), "year": year.id.to_string(), "version": latest.version,
            "approved_on": latest.approved_on.to_string(), "previous_version": previous,
            "note": latest.note, "procedures": latest.items,
        });
        audit::append(
            c,
            &AuditEntry {
                chain: school.get(),
                at: now,
                actor: Some(p.user.get()),
                action: "assessment-schedule.publish",
                entity: "assessment-schedule",
                entity_id: format!("{}/{}", year.id, latest.version),
                before: None,
                after: Some(after.clone()),
                reason: None,
                origin: Some(&client.address),
            },
        )
        .await?;
        outbox::emit(
            c,
            Some(school),
            "assessment-schedule.published",
            &after,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(latest.version)
    }

    /// What families of a class are shown of the schedule: the latest published version, when
    /// it changed and what changed for the class; `None` before the school publishes one
    /// (whoever may see the class).
    pub async fn published_assessment_schedule(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Option<PublishedSchedule>, AppError> {
        let g = self.class(p, class, self.today()).await?;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let versions = repo::schedule_versions(c, g.school, g.year).await?;
        let mut published = versions.iter().filter(|v| v.published_at.is_some());
        let Some(current) = published.next() else {
            return Ok(None);
        };
        let changed = match published.next() {
            Some(previous) => {
                let of_class = |list: Vec<Assessment>| -> Vec<Assessment> {
                    list.into_iter().filter(|a| a.class == class).collect()
                };
                let before = of_class(repo::version_items(c, previous.id).await?);
                let after = of_class(repo::version_items(c, current.id).await?);
                changes(&before, &after)
            }
            None => Vec::new(),
        };
        Ok(Some(PublishedSchedule {
            version: current.version,
            approved_on: current.approved_on,
            basis: current.basis.clone(),
            published_at: current.published_at.unwrap_or(current.approved_at),
            note: current.note.clone(),
            changed,
        }))
    }
}

/// The document of a school's year as it stands.
async fn document(
    c: &mut Conn<'_>,
    school: SchoolId,
    year: school_repo::AcademicYear,
) -> Result<ScheduleDocument, AppError> {
    let versions = repo::schedule_versions(c, school, year.id).await?;
    let working: Vec<Assessment> = repo::assessments_of_year(c, year.id)
        .await?
        .into_iter()
        .filter(|a| a.school == school)
        .collect();
    let approved = match versions.first() {
        Some(v) => repo::version_items(c, v.id).await?,
        None => Vec::new(),
    };
    let pending = changes(&approved, &working);
    let state = match versions.first() {
        Some(v) if pending.is_empty() && v.published_at.is_some() => ScheduleState::Published,
        Some(_) if pending.is_empty() => ScheduleState::Approved,
        _ => ScheduleState::Draft,
    };
    Ok(ScheduleDocument {
        year,
        state,
        versions,
        pending,
    })
}
