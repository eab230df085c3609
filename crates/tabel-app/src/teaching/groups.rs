//! Study groups beyond classes — subgroups of a class, streams across a parallel's classes,
//! individual curricula (ИУП) — and their pupils' dated memberships, which the journal, the
//! diary, the statistics and the finals read.

use super::*;
use crate::App;
use serde::Serialize;
use tabel_domain::school::{Group, GroupKind, Subject};
use tabel_domain::teaching::{self as rules, MembershipLine, Removal};
use tabel_domain::{GroupId, MembershipId, PersonId, SubjectId};
use time::Duration;

/// The groups of a year.
#[derive(Debug, Clone, Serialize)]
pub struct GroupsView {
    pub year: AcademicYear,
    pub years: Vec<AcademicYear>,
    pub on: Date,
    /// Every group of the year, classes first; members counted on `on`.
    pub groups: Vec<GroupLine>,
    pub subjects: Vec<Subject>,
    /// The year's pupils on `on`, «Петров Иван Сергеевич (5А)», for an individual curriculum.
    pub pupils: Vec<(PersonId, String)>,
}

/// A group with the classes a stream draws from.
#[derive(Debug, Clone, Serialize)]
pub struct GroupLine {
    pub group: Group,
    /// A stream's classes (names).
    pub classes: Vec<String>,
    /// A subgroup's class (name).
    pub parent_name: Option<String>,
}

/// A new subgroup, stream or individual curriculum.
#[derive(Debug, Clone)]
pub struct NewStudyGroup {
    pub year: Option<AcademicYearId>,
    pub kind: GroupKind,
    pub name: String,
    /// A subgroup's class.
    pub parent: Option<GroupId>,
    /// A subgroup's (required) or stream's subject.
    pub subject: Option<SubjectId>,
    /// A stream's classes (one parallel).
    pub classes: Vec<GroupId>,
    /// An individual curriculum's pupil…
    pub pupil: Option<PersonId>,
    /// …from this day (by default today, within the year).
    pub starts_on: Option<Date>,
}

/// A group's pupils, past and present.
#[derive(Debug, Clone, Serialize)]
pub struct PupilsView {
    pub group: Group,
    pub year: AcademicYear,
    pub memberships: Vec<MembershipLine>,
    /// Pupils who may join (the class's, the stream's classes' on today).
    pub candidates: Vec<(PersonId, String)>,
    pub today: Date,
}

async fn group_of(
    c: &mut Conn<'_>,
    school: SchoolId,
    id: GroupId,
    on: Date,
) -> Result<Group, AppError> {
    repo::get_group(c, id, on)
        .await?
        .filter(|g| g.school == school)
        .ok_or(AppError::NotFound)
}

impl App {
    /// The groups of a year (administrators and deputy heads).
    pub async fn study_groups(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
    ) -> Result<GroupsView, AppError> {
        may_plan(p, school)?;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let (year, years) = year_of(c, school, year, self.today()).await?;
        let on = self.today().clamp(year.starts_on, year.ends_on);
        let all = repo::list_groups(c, year.id, on, None).await?;
        let streams = store::stream_classes(c, year.id).await?;
        let groups = all
            .iter()
            .map(|g| GroupLine {
                classes: streams
                    .iter()
                    .filter(|(s, _, _)| *s == g.id)
                    .map(|(_, _, n)| n.clone())
                    .collect(),
                parent_name: g
                    .parent
                    .and_then(|p| all.iter().find(|x| x.id == p))
                    .map(|x| x.name.clone()),
                group: g.clone(),
            })
            .collect();
        // Retired subjects keep their history but are not offered for new lines.
        let retired = tabel_store::structure::retired_subjects(c, school).await?;
        let mut subjects = repo::list_subjects(c, school).await?;
        subjects.retain(|s| !retired.contains(&s.id));
        let mut pupils = Vec::new();
        for k in all.iter().filter(|g| g.kind == GroupKind::Class) {
            for s in repo::group_members(c, k.id, on).await? {
                pupils.push((s.id, format!("{} ({})", s.full_name(), k.name)));
            }
        }
        Ok(GroupsView {
            year,
            years,
            on,
            groups,
            subjects,
            pupils,
        })
    }

    /// Creates a subgroup, a stream or an individual curriculum (administrators and deputy
    /// heads); an individual curriculum's pupil joins it from its first day.
    pub async fn create_study_group(
        &self,
        p: &Principal,
        school: SchoolId,
        cmd: &NewStudyGroup,
        client: &Client,
    ) -> Result<GroupId, AppError> {
        may_plan(p, school)?;
        let name = text_field("name", &cmd.name, MAX_NAME_CHARS)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let today = self.today();
        let (year, _) = year_of(c, school, cmd.year, today).await?;
        let on = today.clamp(year.starts_on, year.ends_on);
        let existing = repo::list_groups(c, year.id, on, None).await?;
        if existing
            .iter()
            .any(|g| tabel_domain::text::sort_key(&g.name) == tabel_domain::text::sort_key(&name))
        {
            return Err(AppError::invalid(
                "name",
                "the year already has a group of this name",
            ));
        }
        let class_of = |id: GroupId, field: &str| {
            existing
                .iter()
                .find(|g| g.id == id && g.kind == GroupKind::Class)
                .cloned()
                .ok_or_else(|| AppError::invalid(field, "no such class in this year"))
        };
        if let Some(s) = cmd.subject
            && !repo::list_subjects(c, school)
                .await?
                .iter()
                .any(|x| x.id == s)
        {
            return Err(AppError::invalid(
                "subject_id",
                "no such subject in this school",
            ));
        }
        if let Some(s) = cmd.subject {
            crate::structure::refuse_retired(c, school, s).await?;
        }
        let mut pupil_span = None;
        let (grade, parent, classes) = match cmd.kind {
            GroupKind::Class => {
                return Err(AppError::invalid(
                    "kind",
                    "classes are made on the classes page; here: subgroup, stream or individual",
                ));
            }
            GroupKind::Subgroup => {
                let parent = class_of(
                    cmd.parent
                        .ok_or_else(|| AppError::invalid("parent_id", "a subgroup's class"))?,
                    "parent_id",
                )?;
                if cmd.subject.is_none() {
                    return Err(AppError::invalid("subject_id", "a subgroup's subject"));
                }
                (parent.grade, Some(parent.id), Vec::new())
            }
            GroupKind::Stream => {
                if cmd.classes.is_empty() {
                    return Err(AppError::invalid("class_ids", "a stream's classes"));
                }
                let mut classes = Vec::new();
                for id in &cmd.classes {
                    let k = class_of(*id, "class_ids")?;
                    if !classes.iter().any(|x: &Group| x.id == k.id) {
                        classes.push(k);
                    }
                }
                let grade = classes[0].grade;
                if classes.iter().any(|k| k.grade != grade) {
                    return Err(AppError::invalid(
                        "class_ids",
                        "a stream draws from classes of one parallel",
                    ));
                }
                (grade, None, classes)
            }
            GroupKind::Individual => {
                let pupil = cmd
                    .pupil
                    .ok_or_else(|| AppError::invalid("pupil_id", "the pupil"))?;
                let from = cmd.starts_on.unwrap_or(on);
                if from < year.starts_on || from > year.ends_on {
                    return Err(AppError::invalid(
                        "starts_on",
                        format!("the year runs {} – {}", year.starts_on, year.ends_on),
                    ));
                }
                let classes = repo::groups_of_student(c, pupil, from).await?;
                let class = classes
                    .iter()
                    .find(|g| g.kind == GroupKind::Class && g.school == school && g.year == year.id)
                    .ok_or_else(|| {
                        AppError::invalid("pupil_id", "the pupil is in no class of this year then")
                    })?;
                pupil_span = Some((pupil, from, class.id));
                (class.grade, None, Vec::new())
            }
        };
        let id = repo::insert_group(
            c,
            &repo::NewGroup {
                school,
                year: year.id,
                kind: cmd.kind,
                name: &name,
                grade,
                parent,
                subject: cmd.subject,
            },
        )
        .await?;
        for k in &classes {
            repo::insert_stream_class(c, id, k.id).await?;
        }
        let at = self.now();
        audit(
            c,
            Audit {
                school,
                at,
                actor: p,
                action: "group.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "kind": cmd.kind.code(), "name": name, "grade": grade, "parent": parent,
                    "subject": cmd.subject, "classes": classes.iter().map(|k| k.id).collect::<Vec<_>>(),
                })),
                client,
            },
        )
        .await?;
        if let Some((pupil, from, class)) = pupil_span {
            // The pupil's class membership bounds the individual curriculum's.
            let spans: Vec<_> = store::spans_in_group(c, pupil, class)
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect();
            let until = rules::fit_within(&spans, from).flatten();
            let m = repo::insert_membership(c, school, id, pupil, from, until).await?;
            audit(
                c,
                Audit {
                    school,
                    at,
                    actor: p,
                    action: "membership.create",
                    entity_id: m.to_string(),
                    before: None,
                    after: Some(serde_json::json!({
                        "group": id, "student": pupil, "starts_on": from.to_string(),
                        "ends_on": until.map(|d| d.to_string()),
                    })),
                    client,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Renames a group (administrators and deputy heads).
    pub async fn rename_study_group(
        &self,
        p: &Principal,
        school: SchoolId,
        id: GroupId,
        name: &str,
        client: &Client,
    ) -> Result<(), AppError> {
        may_plan(p, school)?;
        let name = text_field("name", name, MAX_NAME_CHARS)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let g = group_of(c, school, id, self.today()).await?;
        if g.name == name {
            return Ok(());
        }
        let taken = repo::list_groups(c, g.year, self.today(), None)
            .await?
            .iter()
            .any(|x| {
                x.id != id
                    && tabel_domain::text::sort_key(&x.name) == tabel_domain::text::sort_key(&name)
            });
        if taken {
            return Err(AppError::invalid(
                "name",
                "the year already has a group of this name",
            ));
        }
        store::rename_group(c, id, g.grade, &name).await?;
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "group.update",
                entity_id: id.to_string(),
                before: Some(serde_json::json!({"name": g.name})),
                after: Some(serde_json::json!({"name": name})),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a subgroup, stream or individual curriculum nothing refers to (lessons, the
    /// timetable, assignments, marks, final marks, plans …): its memberships go with it.
    /// Otherwise refused, naming what depends on it.
    pub async fn delete_study_group(
        &self,
        p: &Principal,
        school: SchoolId,
        id: GroupId,
        client: &Client,
    ) -> Result<(), AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let g = group_of(c, school, id, self.today()).await?;
        if g.kind == GroupKind::Class {
            return Err(AppError::Conflict(
                "classes are deleted on the classes page".into(),
            ));
        }
        let d = store::group_dependants(c, id).await?;
        if !d.is_empty() {
            return Err(depends(
                &format!("{} is in use", g.name),
                &d,
                "it cannot be deleted",
            ));
        }
        let memberships = store::memberships_of_group(c, id).await?;
        store::delete_group(c, id).await?;
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "group.delete",
                entity_id: id.to_string(),
                before: Some(serde_json::json!({
                    "kind": g.kind.code(), "name": g.name, "grade": g.grade,
                    "memberships": memberships.iter().map(|m| serde_json::json!({
                        "student": m.student, "starts_on": m.starts_on.to_string(),
                        "ends_on": m.ends_on.map(|d| d.to_string()),
                    })).collect::<Vec<_>>(),
                })),
                after: None,
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A group's pupils, past and present, and who may join it (administrators and deputy
    /// heads).
    pub async fn group_pupils(
        &self,
        p: &Principal,
        school: SchoolId,
        id: GroupId,
    ) -> Result<PupilsView, AppError> {
        may_plan(p, school)?;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let today = self.today();
        let g = group_of(c, school, id, today).await?;
        let (year, _) = year_of(c, school, Some(g.year), today).await?;
        let on = today.clamp(year.starts_on, year.ends_on);
        let memberships = store::memberships_of_group(c, id).await?;
        let sources: Vec<GroupId> = match g.kind {
            GroupKind::Class => Vec::new(),
            GroupKind::Subgroup => g.parent.into_iter().collect(),
            GroupKind::Stream => store::stream_classes(c, g.year)
                .await?
                .into_iter()
                .filter(|(s, _, _)| *s == id)
                .map(|(_, k, _)| k)
                .collect(),
            GroupKind::Individual => repo::list_groups(c, g.year, on, Some(GroupKind::Class))
                .await?
                .into_iter()
                .filter(|k| k.grade == g.grade)
                .map(|k| k.id)
                .collect(),
        };
        let mut candidates: Vec<(PersonId, String)> = Vec::new();
        for k in sources {
            for s in repo::group_members(c, k, on).await? {
                if !candidates.iter().any(|(x, _)| *x == s.id) {
                    candidates.push((s.id, s.full_name()));
                }
            }
        }
        candidates.sort_by_key(|(_, n)| tabel_domain::text::sort_key(n));
        Ok(PupilsView {
            group: g,
            year,
            memberships,
            candidates,
            today,
        })
    }

    /// Adds pupils to a subgroup, stream or individual curriculum from a day, all or none. A
    /// subgroup's pupil must be in its class on that day, a stream's in one of its classes; the
    /// membership runs as long as that one does. Refused naming the pupil.
    pub async fn add_group_pupils(
        &self,
        p: &Principal,
        school: SchoolId,
        id: GroupId,
        pupils: &[PersonId],
        from: Date,
        client: &Client,
    ) -> Result<Vec<MembershipId>, AppError> {
        may_plan(p, school)?;
        if pupils.is_empty() {
            return Err(AppError::invalid(
                "student_ids",
                "choose at least one pupil",
            ));
        }
        if pupils.len() > 200 {
            return Err(AppError::invalid(
                "student_ids",
                "at most 200 pupils at once",
            ));
        }
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let g = group_of(c, school, id, self.today()).await?;
        if !rules::takes_pupils_here(g.kind) {
            return Err(AppError::invalid(
                "group",
                "a class's pupils are enrolled and transferred on the pupils' pages",
            ));
        }
        let (year, _) = year_of(c, school, Some(g.year), self.today()).await?;
        if from < year.starts_on || from > year.ends_on {
            return Err(AppError::invalid(
                "starts_on",
                format!("the year runs {} – {}", year.starts_on, year.ends_on),
            ));
        }
        let at = self.now();
        let mut made = Vec::new();
        let mut seen = Vec::new();
        for pupil in pupils {
            if seen.contains(pupil) {
                continue;
            }
            seen.push(*pupil);
            let card = repo::get_student(c, *pupil)
                .await?
                .filter(|s| s.school == school)
                .ok_or_else(|| AppError::invalid("student_ids", "no such pupil in this school"))?;
            let who = card.person.full_name();
            let refuse = |why: &str| AppError::invalid("student_ids", format!("{who}: {why}"));
            let until = match g.kind {
                GroupKind::Individual => {
                    if store::other_pupils(c, id, *pupil).await? > 0 {
                        return Err(refuse("an individual curriculum has one pupil"));
                    }
                    let classes = repo::groups_of_student(c, *pupil, from).await?;
                    match classes
                        .iter()
                        .find(|k| k.kind == GroupKind::Class && k.year == g.year)
                    {
                        Some(k) => {
                            let spans: Vec<_> = store::spans_in_group(c, *pupil, k.id)
                                .await?
                                .into_iter()
                                .map(|(_, s)| s)
                                .collect();
                            rules::fit_within(&spans, from).flatten()
                        }
                        None => return Err(refuse("in no class of this year on that day")),
                    }
                }
                _ => {
                    let outer = store::outer_spans(c, *pupil, id).await?;
                    match rules::fit_within(&outer, from) {
                        Some(until) => until,
                        None => {
                            return Err(refuse(if g.kind == GroupKind::Stream {
                                "not in any of the stream's classes on that day"
                            } else {
                                "not in the subgroup's class on that day"
                            }));
                        }
                    }
                }
            };
            if card.left_on.is_some_and(|l| l < from) {
                return Err(refuse("left the school before that day"));
            }
            let span = (from, until);
            if store::spans_in_group(c, *pupil, id)
                .await?
                .iter()
                .any(|(_, s)| rules::overlaps(*s, span))
            {
                return Err(refuse("already in the group on these days"));
            }
            let m = repo::insert_membership(c, school, id, *pupil, from, until).await?;
            audit(
                c,
                Audit {
                    school,
                    at,
                    actor: p,
                    action: "membership.create",
                    entity_id: m.to_string(),
                    before: None,
                    after: Some(serde_json::json!({
                        "group": id, "student": pupil, "starts_on": from.to_string(),
                        "ends_on": until.map(|d| d.to_string()),
                    })),
                    client,
                },
            )
            .await?;
            made.push(m);
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Takes a pupil out of a group after `last_day` (their last day in it): the membership is
    /// ended on that day, or — when it is the day before it started — deleted. Refused when
    /// marks or attendance were written for the pupil in the group after that day (naming
    /// them).
    pub async fn end_group_membership(
        &self,
        p: &Principal,
        school: SchoolId,
        group: GroupId,
        id: MembershipId,
        last_day: Date,
        client: &Client,
    ) -> Result<(), AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let g = group_of(c, school, group, self.today()).await?;
        if !rules::takes_pupils_here(g.kind) {
            return Err(AppError::invalid(
                "group",
                "a class's pupils are transferred on the pupils' pages",
            ));
        }
        let m = store::membership_line(c, id)
            .await?
            .filter(|m| m.group == group)
            .ok_or(AppError::NotFound)?;
        let removal = rules::removal((m.starts_on, m.ends_on), last_day)
            .map_err(|why| AppError::invalid("ends_on", why))?;
        let after = last_day + Duration::days(1);
        let whole = removal == Removal::Delete;
        let written = store::written_for_pupil(c, group, m.student, after, whole).await?;
        if !written.is_empty() {
            return Err(depends(
                &format!("{} has records in {} after {last_day}", m.name, g.name),
                &written,
                "choose a later day",
            ));
        }
        let (action, after_json) = match removal {
            Removal::End(day) => {
                tabel_store::setup::end_membership_row(c, id, day).await?;
                (
                    "membership.end",
                    Some(serde_json::json!({"ends_on": day.to_string()})),
                )
            }
            Removal::Delete => {
                tabel_store::setup::delete_membership(c, id).await?;
                ("membership.delete", None)
            }
        };
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action,
                entity_id: id.to_string(),
                before: Some(serde_json::json!({
                    "group": group, "student": m.student, "starts_on": m.starts_on.to_string(),
                    "ends_on": m.ends_on.map(|d| d.to_string()),
                })),
                after: after_json,
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
