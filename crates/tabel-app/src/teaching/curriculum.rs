//! The curriculum (учебный план) of a year: hours a week per subject for each parallel, and
//! lines for one class or group; its two parts, and hours a year derived as the import derives
//! them.

use super::*;
use crate::App;
use serde::Serialize;
use tabel_domain::calendar::WeeklyHours;
use tabel_domain::school::{Group, Subject};
use tabel_domain::setup::values::CurriculumPart;
use tabel_domain::teaching::{PlanLine, parallel_totals};
use tabel_domain::{CurriculumItemId, GroupId, SubjectId};

/// The curriculum of a year.
#[derive(Debug, Clone, Serialize)]
pub struct CurriculumView {
    pub year: AcademicYear,
    pub years: Vec<AcademicYear>,
    pub lines: Vec<PlanLine>,
    /// Per parallel: grade, hours a week of the compulsory part, of the chosen part.
    pub totals: Vec<(u8, WeeklyHours, WeeklyHours)>,
    /// The year's grades (parallels).
    pub grades: Vec<u8>,
    /// The year's groups, for a group's line.
    pub groups: Vec<Group>,
    /// Subjects a new line may take.
    pub subjects: Vec<Subject>,
}

/// Whom a line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFor {
    /// A parallel.
    Grade(u8),
    /// A class or group.
    Group(GroupId),
}

/// A new curriculum line.
#[derive(Debug, Clone)]
pub struct NewPlanLine {
    pub year: Option<AcademicYearId>,
    pub target: PlanFor,
    pub subject: SubjectId,
    pub weekly: WeeklyHours,
    pub part: CurriculumPart,
}

fn plan_json(l: &PlanLine) -> serde_json::Value {
    serde_json::json!({
        "grade": l.grade, "group": l.group, "subject": l.subject,
        "hours_tenths": l.weekly.tenths(), "hours_per_year": l.yearly, "part": l.part.code(),
    })
}

impl App {
    /// The curriculum of a year (administrators and deputy heads).
    pub async fn curriculum(
        &self,
        p: &Principal,
        school: SchoolId,
        year: Option<AcademicYearId>,
    ) -> Result<CurriculumView, AppError> {
        may_plan(p, school)?;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let (year, years) = year_of(c, school, year, self.today()).await?;
        let on = self.today().clamp(year.starts_on, year.ends_on);
        let lines = store::plan_lines(c, year.id).await?;
        let grades: Vec<u8> = repo::list_parallels(c, year.id)
            .await?
            .into_iter()
            .map(|p| p.grade)
            .collect();
        let hours = |t: u32| WeeklyHours::from_tenths(u16::try_from(t).unwrap_or(u16::MAX));
        let totals = grades
            .iter()
            .map(|g| {
                let (compulsory, chosen) = parallel_totals(&lines, *g);
                (*g, hours(compulsory), hours(chosen))
            })
            .collect();
        let groups = repo::list_groups(c, year.id, on, None).await?;
        // Subjects a school has retired are not offered here once the school model knows them.
        // Retired subjects keep their history but are not offered for new lines.
        let retired = tabel_store::structure::retired_subjects(c, school).await?;
        let mut subjects = repo::list_subjects(c, school).await?;
        subjects.retain(|s| !retired.contains(&s.id));
        Ok(CurriculumView {
            year,
            years,
            lines,
            totals,
            grades,
            groups,
            subjects,
        })
    }

    /// Adds a line (administrators and deputy heads); one line per subject and parallel or
    /// group.
    pub async fn add_plan_line(
        &self,
        p: &Principal,
        school: SchoolId,
        cmd: &NewPlanLine,
        client: &Client,
    ) -> Result<CurriculumItemId, AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let today = self.today();
        let (year, _) = year_of(c, school, cmd.year, today).await?;
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
        let (grade, group, for_grade) = match cmd.target {
            PlanFor::Grade(g) => {
                if !repo::list_parallels(c, year.id)
                    .await?
                    .iter()
                    .any(|x| x.grade == g)
                {
                    return Err(AppError::invalid(
                        "grade",
                        format!("the year has no parallel of grade {g}"),
                    ));
                }
                (Some(g), None, g)
            }
            PlanFor::Group(id) => {
                let g = repo::get_group(c, id, today)
                    .await?
                    .filter(|g| g.school == school && g.year == year.id)
                    .ok_or_else(|| AppError::invalid("group_id", "no such group in this year"))?;
                (None, Some(id), g.grade)
            }
        };
        if store::plan_line_exists(c, year.id, grade, group, cmd.subject).await? {
            return Err(AppError::Conflict(
                "the curriculum already has this subject for this parallel or group: change that line".into(),
            ));
        }
        let yearly = crate::setup::yearly_hours(for_grade, cmd.weekly);
        let id = repo::insert_curriculum_item(
            c,
            &repo::NewCurriculumItem {
                school,
                year: year.id,
                grade,
                group,
                subject: cmd.subject,
                weekly: cmd.weekly,
                yearly,
            },
        )
        .await?;
        tabel_store::setup::set_plan_part(c, id, cmd.part.code()).await?;
        let line = store::plan_line(c, id)
            .await?
            .ok_or_else(|| AppError::Internal("the line just added is gone".into()))?
            .0;
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "curriculum.create",
                entity_id: id.to_string(),
                before: None,
                after: Some(plan_json(&line)),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a line's hours a week (hours a year follow) and part.
    pub async fn update_plan_line(
        &self,
        p: &Principal,
        school: SchoolId,
        id: CurriculumItemId,
        weekly: WeeklyHours,
        part: CurriculumPart,
        client: &Client,
    ) -> Result<(), AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (line, owner, _) = store::plan_line(c, id).await?.ok_or(AppError::NotFound)?;
        if owner != school {
            return Err(AppError::NotFound);
        }
        if line.weekly == weekly && line.part == part {
            return Ok(());
        }
        let yearly = crate::setup::yearly_hours(line.for_grade, weekly);
        tabel_store::setup::update_plan(c, id, weekly, yearly, part.code()).await?;
        let after = PlanLine {
            weekly,
            yearly: i64::from(yearly),
            part,
            ..line.clone()
        };
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "curriculum.update",
                entity_id: id.to_string(),
                before: Some(plan_json(&line)),
                after: Some(plan_json(&after)),
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a line.
    pub async fn delete_plan_line(
        &self,
        p: &Principal,
        school: SchoolId,
        id: CurriculumItemId,
        client: &Client,
    ) -> Result<(), AppError> {
        may_plan(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let (line, owner, _) = store::plan_line(c, id).await?.ok_or(AppError::NotFound)?;
        if owner != school {
            return Err(AppError::NotFound);
        }
        store::delete_plan_line(c, id).await?;
        audit(
            c,
            Audit {
                school,
                at: self.now(),
                actor: p,
                action: "curriculum.delete",
                entity_id: id.to_string(),
                before: Some(plan_json(&line)),
                after: None,
                client,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
