//! The next year built from the previous one, as a draft the deputy head confirms.

use super::{audit_promotion, may_promote};
use crate::structure::{federal_plan, insert_year};
use crate::{App, AppError, Client};
use serde::Serialize;
use tabel_domain::access::Principal;
use tabel_domain::calendar::{SchoolYear, WeekLength};
use tabel_domain::promotion::carried_name;
use tabel_domain::school::{AcademicYear, GroupKind, PeriodKind};
use tabel_domain::{AcademicYearId, SchoolId};
use tabel_store::Conn;
use tabel_store::promotion::{self as repo, DraftAssignment};
use tabel_store::school::{self as school_repo, NewGroup};
use tabel_store::structure as structure_repo;
use time::OffsetDateTime;

/// A class of the next year and the class it was carried from.
#[derive(Debug, Clone, Serialize)]
pub struct CarriedClass {
    pub name: String,
    pub from: Option<String>,
}

/// A year built from the previous one, for its review.
#[derive(Debug, Clone, Serialize)]
pub struct NextYearView {
    pub year: AcademicYear,
    /// The year it was built from.
    pub built_from: Option<AcademicYear>,
    /// Not yet confirmed.
    pub draft: bool,
    pub confirmed_at: Option<OffsetDateTime>,
    pub classes: Vec<CarriedClass>,
    /// Per grade: curriculum lines and hours a week (tenths).
    pub curriculum: Vec<(u8, i64, i64)>,
    pub assignments: Vec<DraftAssignment>,
    /// Pupils placed by issued orders, waiting for the confirmation.
    pub waiting: usize,
    pub may_confirm: bool,
}

async fn year_of(
    c: &mut Conn<'_>,
    school: SchoolId,
    id: AcademicYearId,
) -> Result<AcademicYear, AppError> {
    match structure_repo::academic_year(c, id).await? {
        Some(y) if y.school == school => Ok(y),
        _ => Err(AppError::NotFound),
    }
}

impl App {
    /// Builds the year after `from` as a draft: the federal calendar with `from`'s parallels'
    /// settings and their periods, the bells, the classes 1–10 carried up a grade, the
    /// parallels' curriculum, and the carried classes' assignments and class teachers. Audited
    /// as `year.build`.
    pub async fn build_next_year(
        &self,
        p: &Principal,
        school: SchoolId,
        from: AcademicYearId,
        client: &Client,
    ) -> Result<AcademicYearId, AppError> {
        may_promote(p, school)?;
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let old = year_of(c, school, from).await?;
        let start_year = SchoolYear::containing(old.starts_on).start_year() + 1;
        if structure_repo::academic_years(c, school)
            .await?
            .iter()
            .any(|y| SchoolYear::containing(y.starts_on).start_year() == start_year)
        {
            return Err(AppError::Conflict(format!(
                "the school already has the year {start_year}/{}",
                start_year + 1
            )));
        }
        let plan = SchoolYear::starting(start_year)
            .map_err(|e| AppError::invalid("year_id", e.to_string()))?;
        let plan = federal_plan(
            time::Date::from_calendar_date(plan.start_year(), time::Month::September, 1)
                .map_err(|e| AppError::invalid("year_id", e.to_string()))?,
        )?;
        let mut parallels: Vec<(u8, WeekLength, PeriodKind)> = Vec::new();
        for par in school_repo::list_parallels(c, old.id).await? {
            let week = WeekLength::try_from(par.week_days)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            parallels.push((par.grade, week, par.period_kind));
        }
        let old_classes = repo::classes_of_year(c, old.id).await?;
        // A carried class needs its grade's parallel next year.
        for class in &old_classes {
            let Some(name) = carried_name(&class.name) else {
                continue;
            };
            if !parallels.iter().any(|(g, _, _)| *g == name.grade()) {
                let kind = parallels
                    .iter()
                    .find(|(g, _, _)| *g == class.grade)
                    .map_or(PeriodKind::Quarter, |(_, _, k)| *k);
                parallels.push((name.grade(), WeekLength::FIVE, kind));
            }
        }
        parallels.sort_by_key(|(g, _, _)| *g);
        let (id, holidays) = insert_year(
            c,
            school,
            (start_year, plan.starts_on, plan.ends_on),
            &parallels,
            Some(&plan),
        )
        .await?;
        repo::mark_draft(c, id, old.id).await?;
        let bells = repo::copy_bells(c, old.id, id).await?;
        let mut carried = Vec::new();
        for class in &old_classes {
            let Some(carried_to) = carried_name(&class.name) else {
                continue;
            };
            let name = carried_to.to_string();
            let new = school_repo::insert_group(
                c,
                &NewGroup {
                    school,
                    year: id,
                    kind: GroupKind::Class,
                    name: &name,
                    grade: carried_to.grade(),
                    parent: None,
                    subject: None,
                },
            )
            .await?;
            repo::set_carried(c, new, class.id, class.shift).await?;
            carried.push(serde_json::json!({ "from": class.name, "to": name }));
        }
        let class_teachers = repo::carry_class_teachers(c, id, plan.starts_on, old.ends_on).await?;
        let curriculum = repo::copy_curriculum(c, old.id, id).await?;
        let assignments =
            repo::carry_assignments(c, old.id, id, plan.starts_on, old.ends_on).await?;
        audit_promotion(
            c,
            school,
            (self.now(), p, client),
            ("year.build", id.to_string()),
            (
                None,
                serde_json::json!({
                    "from_year_id": old.id.to_string(), "start_year": start_year,
                    "starts_on": plan.starts_on.to_string(), "ends_on": plan.ends_on.to_string(),
                    "parallels": parallels.len(), "holidays": holidays, "bells": bells,
                    "classes": carried, "class_teachers": class_teachers,
                    "curriculum_lines": curriculum, "assignments": assignments, "draft": true,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A year with what it was built from, its classes, curriculum and assignments, for the
    /// deputy head's review.
    pub async fn next_year_draft(
        &self,
        p: &Principal,
        school: SchoolId,
        year: AcademicYearId,
    ) -> Result<NextYearView, AppError> {
        may_promote(p, school)?;
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let y = year_of(c, school, year).await?;
        let draft = repo::year_draft(c, year).await?.ok_or(AppError::NotFound)?;
        let built_from = match draft.built_from {
            Some(from) => structure_repo::academic_year(c, from).await?,
            None => None,
        };
        let old_names: Vec<(tabel_domain::GroupId, String)> = match &built_from {
            Some(b) => repo::classes_of_year(c, b.id)
                .await?
                .into_iter()
                .map(|k| (k.id, k.name))
                .collect(),
            None => Vec::new(),
        };
        let classes = repo::classes_of_year(c, year)
            .await?
            .into_iter()
            .map(|k| CarriedClass {
                from: k.carried_from.and_then(|f| {
                    old_names
                        .iter()
                        .find(|(id, _)| *id == f)
                        .map(|(_, n)| n.clone())
                }),
                name: k.name,
            })
            .collect();
        Ok(NextYearView {
            curriculum: repo::curriculum_by_grade(c, year).await?,
            assignments: repo::assignments_of_year(c, year).await?,
            waiting: repo::unplaced_into(c, year).await?.len(),
            may_confirm: draft.draft,
            draft: draft.draft,
            confirmed_at: draft.confirmed_at,
            built_from,
            classes,
            year: y,
        })
    }

    /// Confirms a draft year: it takes effect, and the pupils the issued orders place into its
    /// classes join them from its first day. A year that is not a draft: 409. Audited as
    /// `year.confirm`.
    pub async fn confirm_year(
        &self,
        p: &Principal,
        school: SchoolId,
        year: AcademicYearId,
        client: &Client,
    ) -> Result<(), AppError> {
        may_promote(p, school)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let y = year_of(c, school, year).await?;
        if !repo::confirm_year(c, year, p.user, now).await? {
            return Err(AppError::Conflict(
                "the year is not a draft: it was confirmed already".into(),
            ));
        }
        let mut placed = Vec::new();
        for line in repo::unplaced_into(c, year).await? {
            let Some(class) = line.to_class else {
                continue;
            };
            school_repo::insert_membership(c, school, class, line.student, y.starts_on, None)
                .await?;
            repo::set_placement(c, line.id, Some(class), true, None).await?;
            placed.push(line.student.to_string());
        }
        audit_promotion(
            c,
            school,
            (now, p, client),
            ("year.confirm", year.to_string()),
            (
                Some(serde_json::json!({ "draft": true })),
                serde_json::json!({ "draft": false, "placed": placed }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
