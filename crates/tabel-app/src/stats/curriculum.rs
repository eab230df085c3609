//! Lessons held against the curriculum, per subject and class, with the hours of the plan prorated to the day.

use super::*;

/// Curriculum compliance of one journal (group × subject).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CurriculumLine {
    /// The group.
    pub group: Option<GroupId>,
    /// Its name ("Итого" for the total).
    pub group_name: String,
    /// The subject.
    pub subject: Option<SubjectId>,
    /// Its name.
    pub subject_name: String,
    /// Teachers.
    pub teachers: String,
    /// Hours a year by the curriculum (`None` without a curriculum line).
    pub planned_year: Option<u32>,
    /// Hours of the period by the curriculum.
    pub planned_period: Option<u32>,
    /// Hours up to the cut by the curriculum.
    pub planned_to_date: Option<u32>,
    /// Lessons in the period's timetable, not cancelled (held and still to come).
    pub scheduled: u32,
    /// Lessons held up to the cut (substitutions included).
    pub held: u32,
    /// Of them, substitutions.
    pub substituted: u32,
    /// Plan to date − held (`None` without a plan).
    pub lag: Option<i64>,
    /// Cancelled for the teacher's absence (illness, courses…).
    pub cancelled_teacher: u32,
    /// Cancelled for other reasons (quarantine…).
    pub cancelled_other: u32,
    /// Lost to public holidays, net of worked days.
    pub holidays: i64,
    /// Recorded by the teacher as not held.
    pub not_held: u32,
    /// Moved from the dates so far to a later date.
    pub moved_out: u32,
    /// The rest: the timetable gives more (negative) or fewer lessons than the curriculum.
    pub other: Option<i64>,
}

impl CurriculumLine {
    /// Held / plan to date, hundredths of a percent.
    pub fn done(&self) -> Option<u32> {
        self.planned_to_date.and_then(|p| share(self.held, p))
    }

    fn absorb(&mut self, o: &CurriculumLine) {
        let add = |a: Option<u32>, b: Option<u32>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        let add_i = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        self.planned_year = add(self.planned_year, o.planned_year);
        self.planned_period = add(self.planned_period, o.planned_period);
        self.planned_to_date = add(self.planned_to_date, o.planned_to_date);
        self.scheduled += o.scheduled;
        self.held += o.held;
        self.substituted += o.substituted;
        self.lag = add_i(self.lag, o.lag);
        self.cancelled_teacher += o.cancelled_teacher;
        self.cancelled_other += o.cancelled_other;
        self.holidays += o.holidays;
        self.not_held += o.not_held;
        self.moved_out += o.moved_out;
        self.other = add_i(self.other, o.other);
    }
}

/// Plan against held, by subject (for the chart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectCompliance {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// Planned to date (journals with a plan).
    pub planned_to_date: u32,
    /// Held (the same journals).
    pub held: u32,
}

/// Curriculum compliance of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurriculumReport {
    /// What and when.
    pub frame: Frame,
    /// By journal.
    pub lines: Vec<CurriculumLine>,
    /// All together.
    pub total: CurriculumLine,
    /// By subject.
    pub by_subject: Vec<SubjectCompliance>,
}

impl CurriculumReport {
    /// The report's tables for a spreadsheet.
    pub fn tables(&self) -> Vec<Table> {
        let opt = |v: Option<u32>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
        let opt_i = |v: Option<i64>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
        let row = |l: &CurriculumLine| {
            vec![
                l.group_name.clone(),
                l.subject_name.clone(),
                l.teachers.clone(),
                opt(l.planned_year),
                opt(l.planned_period),
                opt(l.planned_to_date),
                l.scheduled.to_string(),
                l.held.to_string(),
                l.substituted.to_string(),
                pct(l.done()),
                opt_i(l.lag),
                l.cancelled_teacher.to_string(),
                l.cancelled_other.to_string(),
                l.holidays.to_string(),
                l.not_held.to_string(),
                l.moved_out.to_string(),
                opt_i(l.other),
            ]
        };
        let mut rows: Vec<Vec<String>> = self.lines.iter().map(row).collect();
        rows.push(row(&self.total));
        vec![Table {
            name: "Выполнение программы".into(),
            title: "Выполнение учебного плана".into(),
            subtitle: self.frame.subtitle(),
            headers: [
                "Группа",
                "Предмет",
                "Учитель",
                "План на год",
                "План на период",
                "План на дату",
                "По расписанию",
                "Проведено",
                "из них заменой",
                "% выполнения",
                "Отставание",
                "Отменено: отсутствие учителя",
                "Отменено: иные причины",
                "Праздничные дни",
                "Не проведено (отметка учителя)",
                "Перенесено",
                "Прочее (расписание и план)",
            ]
            .map(String::from)
            .to_vec(),
            widths: vec![
                14.0, 26.0, 22.0, 8.0, 8.0, 8.0, 9.0, 9.0, 9.0, 10.0, 10.0, 12.0, 12.0, 10.0, 12.0,
                10.0, 12.0,
            ],
            rows,
        }]
    }
}

// --------------------------------------------------------------------------- lesson types

async fn grade_cals(c: &mut Conn<'_>, ctx: &Ctx) -> Result<HashMap<u8, GradeCalendar>, AppError> {
    let days_off = tabel_store::timetable::days_off(c, ctx.frame.year).await?;
    let (first, last) = ctx.year_bounds;
    Ok(school_repo::list_parallels(c, ctx.frame.year)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.grade,
                GradeCalendar {
                    grade: p.grade,
                    first_day: first,
                    last_day: last,
                    week_days: p.week_days,
                    days_off: days_off.clone(),
                },
            )
        })
        .collect())
}

pub(super) async fn curriculum(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    lessons: &[LessonCount],
) -> Result<CurriculumReport, AppError> {
    let f = &ctx.frame;
    let items = repo::curriculum(c, f.year).await?;
    let weekly = repo::weekly_lessons(c, f.year).await?;
    let cals = grade_cals(c, ctx).await?;
    let mut by_journal: HashMap<(GroupId, SubjectId), Vec<&LessonCount>> = HashMap::new();
    for l in lessons {
        by_journal.entry((l.group, l.subject)).or_default().push(l);
    }
    let mut lines_of: HashMap<(GroupId, SubjectId), Vec<&repo::WeeklyLessons>> = HashMap::new();
    for w in &weekly {
        lines_of.entry((w.group, w.subject)).or_default().push(w);
    }
    let mut lines = Vec::new();
    let mut total = CurriculumLine {
        group_name: "Итого".into(),
        ..CurriculumLine::default()
    };
    let mut by_subject: BTreeMap<SubjectId, (u32, u32)> = BTreeMap::new();
    for j in &ctx.journals {
        let grade = ctx.grade_of(j.group).unwrap_or(0);
        let hours = items
            .iter()
            .find(|i| i.group == Some(j.group) && i.subject == j.subject)
            .or_else(|| {
                items
                    .iter()
                    .find(|i| i.group.is_none() && i.grade == Some(grade) && i.subject == j.subject)
            })
            .map(|i| i.hours_per_year);
        let cal = cals.get(&grade);
        let mut line = CurriculumLine {
            group: Some(j.group),
            group_name: ctx.group_name(j.group),
            subject: Some(j.subject),
            subject_name: ctx.subject_name(j.subject),
            teachers: ctx.teachers_of(j),
            ..CurriculumLine::default()
        };
        if let (Some(h), Some(cal)) = (hours, cal) {
            let whole = cal.study_days(ctx.year_bounds.0, ctx.year_bounds.1);
            line.planned_year = Some(h);
            line.planned_period = Some(prorate(h, cal.study_days(f.from, f.to), whole));
            line.planned_to_date = Some(if f.cut < f.from {
                0
            } else {
                prorate(h, cal.study_days(f.from, f.cut), whole)
            });
        }
        for l in by_journal.get(&(j.group, j.subject)).into_iter().flatten() {
            let cancelled = l.status == "cancelled";
            if l.at.in_period() && !cancelled {
                line.scheduled += l.n;
            }
            if is_held(l) {
                line.held += l.n;
                if l.status == "substituted" {
                    line.substituted += l.n;
                }
            }
            if l.at == Bucket::ToDate && cancelled {
                if teacher_absent(l.cause.as_deref(), l.reason.as_deref()) {
                    line.cancelled_teacher += l.n;
                } else {
                    line.cancelled_other += l.n;
                }
            }
            if l.at == Bucket::ToDate && !cancelled && !l.held {
                line.not_held += l.n;
            }
            if l.was == Some(Bucket::ToDate) && l.at != Bucket::ToDate && !cancelled {
                line.moved_out += l.n;
            }
        }
        if let Some(cal) = cal
            && f.cut >= f.from
        {
            let list: Vec<&repo::WeeklyLessons> = lines_of
                .get(&(j.group, j.subject))
                .map(|v| v.to_vec())
                .unwrap_or_default();
            line.holidays = holiday_shift(cal, &list, f.from, f.cut);
        }
        if let Some(plan) = line.planned_to_date {
            let lag = i64::from(plan) - i64::from(line.held);
            line.lag = Some(lag);
            line.other = Some(
                lag - i64::from(line.cancelled_teacher)
                    - i64::from(line.cancelled_other)
                    - line.holidays
                    - i64::from(line.not_held)
                    - i64::from(line.moved_out),
            );
            let e = by_subject.entry(j.subject).or_default();
            e.0 += plan;
            e.1 += line.held;
        }
        total.absorb(&line);
        lines.push(line);
    }
    let mut by_subject: Vec<SubjectCompliance> = by_subject
        .into_iter()
        .map(|(s, (planned_to_date, held))| SubjectCompliance {
            subject: s,
            subject_name: ctx.subject_name(s),
            planned_to_date,
            held,
        })
        .collect();
    by_subject.sort_by_key(|s| ctx.subject_rank(s.subject));
    Ok(CurriculumReport {
        frame: ctx.frame.clone(),
        lines,
        total,
        by_subject,
    })
}
