//! One read of what every report needs: the scope's classes, journals, members, marks and calendars.

use super::*;

impl App {
    /// Resolves the frame and checks the user (`None`: the system).
    pub(super) async fn stats_ctx(
        &self,
        c: &mut Conn<'_>,
        p: Option<&Principal>,
        q: &StatsQuery,
    ) -> Result<Ctx, AppError> {
        let scope = q.scope;
        let school = scope.school;
        if let Some(p) = p {
            // Families and strangers are turned away before anything is looked up.
            standing(p, school)?;
        }
        let today = self.today();
        let school_name = school_name(c, school).await?;
        let (year, period) = match q.period {
            PeriodChoice::Period(id) => {
                let py = repo::period_year(c, id)
                    .await?
                    .filter(|py| py.school == school)
                    .ok_or(AppError::NotFound)?;
                let year = school_repo::academic_year_on(c, school, py.starts_on)
                    .await?
                    .filter(|y| y.id == py.year)
                    .ok_or(AppError::NotFound)?;
                let kind = PeriodKind::from_code(&py.kind)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                (year, Some((id, kind, py.number, py.starts_on, py.ends_on)))
            }
            PeriodChoice::YearOf(id) => {
                let (owner, y) = tabel_store::closing::year_state(c, id)
                    .await?
                    .filter(|(s, _)| *s == school)
                    .ok_or(AppError::NotFound)?;
                (
                    school_repo::AcademicYear {
                        id: y.year,
                        school: owner,
                        label: y.label,
                        starts_on: y.starts_on,
                        ends_on: y.ends_on,
                    },
                    None,
                )
            }
            PeriodChoice::Year | PeriodChoice::Current => {
                let year = school_repo::academic_year_on(c, school, today)
                    .await?
                    .ok_or_else(|| {
                        AppError::Conflict("the school has no academic year yet".into())
                    })?;
                (year, None)
            }
        };
        let groups = repo::groups(c, school, year.id).await?;
        let subjects: Vec<(SubjectId, String)> = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let journals_all = repo::journals(c, school, year.id).await?;

        // The ids of the scope must be the school's.
        let class_name = match scope.class {
            Some(id) => Some(
                groups
                    .iter()
                    .find(|g| g.id == id && g.kind == "class")
                    .map(|g| g.name.clone())
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let subject_name = match scope.subject {
            Some(id) => Some(
                subjects
                    .iter()
                    .find(|(s, _)| *s == id)
                    .map(|(_, n)| n.clone())
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let teacher_name = match scope.teacher {
            Some(id) => Some(match journals_all.iter().find(|j| j.teacher == id) {
                Some(j) => j.teacher_name.clone(),
                None if school_repo::is_staff(c, id, school).await? => String::new(),
                None => return Err(AppError::NotFound),
            }),
            None => None,
        };
        if let Some(p) = p
            && !may_see(p, &scope)
        {
            return Err(AppError::Forbidden);
        }

        let period = match (q.period, period) {
            (_, Some(p)) => Some(p),
            (PeriodChoice::Year | PeriodChoice::YearOf(_), None) => None,
            _ => {
                let parallels = school_repo::list_parallels(c, year.id).await?;
                let grade = scope
                    .class
                    .and_then(|id| groups.iter().find(|g| g.id == id).map(|g| g.grade))
                    .or(scope.grade);
                let mut tally: BTreeMap<PeriodKind, usize> = BTreeMap::new();
                for x in &parallels {
                    *tally.entry(x.period_kind).or_default() += 1;
                }
                let kind = grade
                    .and_then(|g| parallels.iter().find(|x| x.grade == g))
                    .map(|x| x.period_kind)
                    .or_else(|| tally.iter().max_by_key(|(_, n)| **n).map(|(k, _)| *k));
                let periods = school_repo::list_periods(c, year.id).await?;
                let of_kind: Vec<&school_repo::Period> = periods
                    .iter()
                    .filter(|x| kind.is_none_or(|k| x.kind == k))
                    .collect();
                let pick = of_kind
                    .iter()
                    .find(|x| x.starts_on <= today && today <= x.ends_on)
                    .or_else(|| of_kind.iter().rev().find(|x| x.starts_on <= today))
                    .or_else(|| of_kind.first())
                    .ok_or_else(|| {
                        AppError::Conflict("the year has no reporting periods".into())
                    })?;
                Some((
                    pick.id,
                    pick.kind,
                    pick.number,
                    pick.starts_on,
                    pick.ends_on,
                ))
            }
        };
        let (from, to, slot) = match period {
            Some((id, _, _, a, b)) => (a, b, format!("p{id}")),
            None => (year.starts_on, year.ends_on, "year".to_owned()),
        };
        let cut = if today < from {
            from - Duration::days(1)
        } else {
            today.min(to)
        };

        let order: HashMap<GroupId, usize> =
            groups.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        let groups: HashMap<GroupId, StatsGroup> = groups.into_iter().map(|g| (g.id, g)).collect();
        let mut journals: Vec<Journal> = Vec::new();
        for j in journals_all {
            match journals
                .iter_mut()
                .find(|x| x.group == j.group && x.subject == j.subject)
            {
                Some(x) => x.teachers.push((j.teacher, j.teacher_name)),
                None => journals.push(Journal {
                    group: j.group,
                    subject: j.subject,
                    teachers: vec![(j.teacher, j.teacher_name)],
                }),
            }
        }
        journals.retain(|j| {
            let g = groups.get(&j.group);
            let classes: Vec<GroupId> = match g {
                Some(g) if g.kind == "class" => vec![g.id],
                Some(g) => g
                    .parent
                    .into_iter()
                    .chain(g.stream_classes.iter().copied())
                    .collect(),
                None => Vec::new(),
            };
            scope.subject.is_none_or(|s| s == j.subject)
                && scope
                    .teacher
                    .is_none_or(|t| j.teachers.iter().any(|(x, _)| *x == t))
                && scope.class.is_none_or(|c| classes.contains(&c))
                && scope
                    .grade
                    .is_none_or(|gr| g.is_some_and(|g| g.grade == gr))
        });
        let mut ctx = Ctx {
            frame: Frame {
                scope,
                school_name,
                year: year.id,
                year_label: year.label.clone(),
                period: period.map(|p| p.0),
                period_kind: period.map(|p| p.1),
                period_number: period.map(|p| p.2),
                from,
                to,
                cut,
                slot,
                class_name,
                subject_name,
                teacher_name,
            },
            year_bounds: (year.starts_on, year.ends_on),
            groups,
            order,
            subjects,
            journals,
            policy: self.policy_of(c, school).await?.policy.clone(),
        };
        let mut js = std::mem::take(&mut ctx.journals);
        js.sort_by_key(|j| (ctx.group_rank(j.group), ctx.subject_rank(j.subject)));
        ctx.journals = js;
        Ok(ctx)
    }
}

pub(super) async fn school_name(c: &mut Conn<'_>, school: SchoolId) -> Result<String, AppError> {
    school_repo::list_schools(c)
        .await?
        .into_iter()
        .find(|s| s.id == school)
        .map(|s| s.name)
        .ok_or(AppError::NotFound)
}

pub(super) async fn lesson_counts(
    c: &mut Conn<'_>,
    ctx: &Ctx,
) -> Result<Vec<LessonCount>, AppError> {
    let f = &ctx.frame;
    Ok(repo::lesson_counts(c, f.scope.school, f.year, (f.from, f.cut, f.to)).await?)
}
