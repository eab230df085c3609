//! Teaching assignments (нагрузка): teacher × group × subject × hours a week, dated. The
//! journal's and the lessons' access follows their dates: a teacher writes a group's lessons on
//! the days an assignment of theirs runs.

use super::*;
use crate::App;
use serde::Serialize;
use tabel_domain::calendar::WeeklyHours;
use tabel_domain::school::{Group, Subject};
use tabel_domain::teaching::{AssignmentLine, load_tenths};
use tabel_domain::{AssignmentId, GroupId, PersonId, SubjectId};

/// The load table of a year.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentsView {
    pub year: AcademicYear,
    pub years: Vec<AcademicYear>,
    /// The day loads are counted on: today, within the year.
    pub on: Date,
    pub lines: Vec<AssignmentLine>,
    /// Each teacher's load on `on`.
    pub loads: Vec<TeacherLoad>,
    /// Staff who may be given an assignment (not left by `on`).
    pub teachers: Vec<(PersonId, String)>,
    pub groups: Vec<Group>,
    pub subjects: Vec<Subject>,
}

/// A teacher's hours a week.
#[derive(Debug, Clone, Serialize)]
pub struct TeacherLoad {
    pub teacher: PersonId,
    pub name: String,
    pub hours: WeeklyHours,
    /// Assignments running on the day.
    pub running: usize,
}

/// A new assignment.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub teacher: PersonId,
    pub group: GroupId,
    pub subject: SubjectId,
    pub hours: Option<WeeklyHours>,
    /// The first day; by default today (or the year's first day, if later).
    pub starts_on: Option<Date>,
}

impl App {
    /// The load table of a year (administrators and deputy heads).
    pub async fn assignments(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
    ) -> Result<AssignmentsView, AppError> {
        may_plan(p, school)?;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let (year, years) = year_of(c, school, year, self.today()).await?;
        let on = self.today().clamp(year.starts_on, year.ends_on);
        let lines = store::assignment_lines(c, year.id).await?;
        let mut loads: Vec<TeacherLoad> = Vec::new();
        for a in &lines {
            if loads.iter().any(|l| l.teacher == a.teacher) {
                continue;
            }
            let tenths = load_tenths(&lines, a.teacher, on);
            loads.push(TeacherLoad {
                teacher: a.teacher,
                name: a.teacher_name.clone(),
                hours: WeeklyHours::from_tenths(u16::try_from(tenths).unwrap_or(u16::MAX)),
                running: lines
                    .iter()
                    .filter(|l| l.teacher == a.teacher && l.runs_on(on))
                    .count(),
            });
        }
        let teachers = store::staff_records(c, school, on)
            .await?
            .into_iter()
            .filter(|s| s.left_on.is_none_or(|l| l >= on))
            .map(|s| {
                (
                    s.person,
                    tabel_domain::text::short_name(
                        &s.last_name,
                        &s.first_name,
                        s.middle_name.as_deref(),
                    ),
                )
            })
            .collect();
        let groups = repo::list_groups(c, year.id, on, None).await?;
        // Retired subjects keep their history but are not offered for new lines.
        let retired = tabel_store::structure::retired_subjects(c, school).await?;
        let mut subjects = repo::list_subjects(c, school).await?;
        subjects.retain(|s| !retired.contains(&s.id));
        Ok(AssignmentsView {
            year,
            years,
            on,
            lines,
            loads,
            teachers,
            groups,
            subjects,
        })
    }

    /// Gives a teacher a group and subject from a date (administrators and deputy heads).
    /// Refused: a teacher who is not on the school's staff (or has left by then), a group of
    /// another school, a day outside the group's year, an assignment of the same teacher,
    /// group and subject sharing a day with it.
    pub async fn create_assignment(
        &self,
        p: &Principal,
        school: SchoolId,
        cmd: &NewAssignment,
        client: &Client,
    ) -> Result<AssignmentId, AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let today = self.today();
        let group = repo::get_group(c, cmd.group, today)
            .await?
            .filter(|g| g.school == school)
            .ok_or_else(|| AppError::invalid("group_id", "no such group in this school"))?;
        let (year, _) = year_of(c, school, Some(group.year), today).await?;
        let staff = store::staff_record(c, school, cmd.teacher, today)
            .await?
            .ok_or_else(|| AppError::invalid("teacher_id", "not a staff member of this school"))?;
        if !repo::list_subjects(c, school)
            .await?
            .iter()
            .any(|s| s.id == cmd.subject)
        {
            return Err(AppError::invalid(
                "subject_id",
                "no such subject in this school",
            ));
        }
        crate::structure::refuse_retired(c, school, cmd.subject).await?;
        let starts_on = cmd
            .starts_on
            .unwrap_or_else(|| today.clamp(year.starts_on, year.ends_on));
        if starts_on < year.starts_on || starts_on > year.ends_on {
            return Err(AppError::invalid(
                "starts_on",
                format!(
                    "the group's year runs {} – {}",
                    year.starts_on, year.ends_on
                ),
            ));
        }
        if let Some(left) = staff.left_on
            && left < starts_on
        {
            return Err(AppError::invalid(
                "teacher_id",
                format!("the staff member left the school on {left}"),
            ));
        }
        let same = store::overlapping_assignments(
            c,
            cmd.teacher,
            cmd.group,
            cmd.subject,
            (starts_on, None),
            None,
        )
        .await?;
        if same > 0 {
            return Err(AppError::Conflict(
                "this teacher already has this subject in this group on these dates".into(),
            ));
        }
        let id = repo::insert_assignment(
            c,
            school,
            group.year,
            cmd.teacher,
            cmd.subject,
            cmd.group,
            starts_on,
        )
        .await?;
        if cmd.hours.is_some() {
            tabel_store::setup::set_assignment_hours(c, id, cmd.hours).await?;
        }
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "assignment.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "teacher": cmd.teacher, "group": cmd.group, "subject": cmd.subject,
                    "hours_tenths": cmd.hours.map(WeeklyHours::tenths),
                    "starts_on": starts_on.to_string(),
                })),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One assignment of the school, for the caller to see (administrators and deputy heads).
    pub async fn assignment(
        &self,
        p: &Principal,
        school: SchoolId,
        id: AssignmentId,
    ) -> Result<AssignmentLine, AppError> {
        may_plan(p, school)?;
        let mut c = self.db.acquire().await?;
        store::assignment_line(&mut c.conn(), id)
            .await?
            .filter(|a| a.school == school)
            .ok_or(AppError::NotFound)
    }

    /// Changes an assignment's hours a week (`None`: not said).
    pub async fn set_assignment_hours(
        &self,
        p: &Principal,
        school: SchoolId,
        id: AssignmentId,
        hours: Option<WeeklyHours>,
        client: &Client,
    ) -> Result<(), AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let a = store::assignment_line(c, id)
            .await?
            .filter(|a| a.school == school)
            .ok_or(AppError::NotFound)?;
        if a.hours == hours {
            return Ok(());
        }
        tabel_store::setup::set_assignment_hours(c, id, hours).await?;
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "assignment.update",
                entity_id: id.to_string(),
                before: Some(serde_json::json!({"hours_tenths": a.hours.map(WeeklyHours::tenths)})),
                after: Some(serde_json::json!({"hours_tenths": hours.map(WeeklyHours::tenths)})),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends an assignment on its last day: from the next day the teacher no longer writes the
    /// group's lessons of the subject. Refused when the teacher already wrote on later days
    /// (naming what), or the day is before it starts (delete it instead).
    pub async fn end_assignment(
        &self,
        p: &Principal,
        school: SchoolId,
        id: AssignmentId,
        last_day: Date,
        client: &Client,
    ) -> Result<(), AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let a = store::assignment_line(c, id)
            .await?
            .filter(|a| a.school == school)
            .ok_or(AppError::NotFound)?;
        if last_day < a.starts_on {
            return Err(AppError::invalid(
                "ends_on",
                format!(
                    "the assignment starts on {}: the last day cannot be earlier (delete it instead)",
                    a.starts_on
                ),
            ));
        }
        if a.ends_on == Some(last_day) {
            return Ok(());
        }
        let (year, _) = year_of(c, school, Some(a.year), self.today()).await?;
        if last_day > year.ends_on {
            return Err(AppError::invalid(
                "ends_on",
                format!("the year ends on {}", year.ends_on),
            ));
        }
        if a.ends_on.is_none_or(|e| last_day > e) {
            // Running longer: it must not run into another of the same.
            let span = (a.starts_on, Some(last_day));
            if store::overlapping_assignments(c, a.teacher, a.group, a.subject, span, Some(id))
                .await?
                > 0
            {
                return Err(AppError::Conflict(
                    "another assignment of this teacher, group and subject runs on these dates"
                        .into(),
                ));
            }
        }
        if let Some(after) = last_day.next_day() {
            let written = store::assignment_dependants(c, &a, after, None).await?;
            if !written.is_empty() {
                return Err(depends(
                    &format!("the teacher has written in this journal after {last_day}"),
                    &written,
                    "end the assignment on a later day",
                ));
            }
        }
        store::set_assignment_end(c, id, Some(last_day)).await?;
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "assignment.end",
                entity_id: id.to_string(),
                before: Some(serde_json::json!({"ends_on": a.ends_on.map(|d| d.to_string())})),
                after: Some(serde_json::json!({"ends_on": last_day.to_string()})),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an assignment nothing was written under (a mistake); otherwise refused, naming
    /// what was written, with ending offered instead.
    pub async fn delete_assignment(
        &self,
        p: &Principal,
        school: SchoolId,
        id: AssignmentId,
        client: &Client,
    ) -> Result<(), AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let a = store::assignment_line(c, id)
            .await?
            .filter(|a| a.school == school)
            .ok_or(AppError::NotFound)?;
        let written = store::assignment_dependants(c, &a, a.starts_on, a.ends_on).await?;
        if !written.is_empty() {
            return Err(depends(
                "work was written under this assignment",
                &written,
                "end it instead (POST …/assignments/{id}/end)",
            ));
        }
        store::delete_assignment(c, id).await?;
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "assignment.delete",
                entity_id: id.to_string(),
                before: Some(serde_json::json!({
                    "teacher": a.teacher, "group": a.group, "subject": a.subject,
                    "hours_tenths": a.hours.map(WeeklyHours::tenths),
                    "starts_on": a.starts_on.to_string(),
                    "ends_on": a.ends_on.map(|d| d.to_string()),
                })),
                after: None,
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
