//! Lessons by type, and the results of control works.

use super::*;

/// A lesson type of one journal: planned against held.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TypeLine {
    /// The group (`None` for totals).
    pub group: Option<GroupId>,
    /// Its name ("Итого" for totals).
    pub group_name: String,
    /// The subject.
    pub subject: Option<SubjectId>,
    /// Its name.
    pub subject_name: String,
    /// The lesson type's code.
    pub lesson_type: String,
    /// Its name.
    pub type_name: String,
    /// Hours of the type in the thematic plan.
    pub planned_year: u32,
    /// Of them, on the period's lessons.
    pub planned_period: u32,
    /// Of them, on the period's lessons to date.
    pub planned_to_date: u32,
    /// Held to date with the type.
    pub held: u32,
}

/// Marks of the control works of a journal.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ControlResults {
    /// The group (`None` for the total).
    pub group: Option<GroupId>,
    /// Its name.
    pub group_name: String,
    /// The subject.
    pub subject: Option<SubjectId>,
    /// Its name.
    pub subject_name: String,
    /// Marks by value (each mark counted like a final mark: N is the marks).
    pub counts: ResultCounts,
}

/// Lesson types of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonTypesReport {
    /// What and when.
    pub frame: Frame,
    /// By journal and type.
    pub lines: Vec<TypeLine>,
    /// By type.
    pub totals: Vec<TypeLine>,
    /// Control works' marks by journal.
    pub control: Vec<ControlResults>,
    /// Control works' marks in all.
    pub control_total: ControlResults,
}

impl LessonTypesReport {
    /// The report's tables for a spreadsheet.
    pub fn tables(&self) -> Vec<Table> {
        let subtitle = self.frame.subtitle();
        let row = |l: &TypeLine| {
            vec![
                l.group_name.clone(),
                l.subject_name.clone(),
                l.type_name.clone(),
                l.planned_year.to_string(),
                l.planned_period.to_string(),
                l.planned_to_date.to_string(),
                l.held.to_string(),
                (i64::from(l.planned_to_date) - i64::from(l.held)).to_string(),
            ]
        };
        let mut rows: Vec<Vec<String>> = self.lines.iter().map(row).collect();
        rows.extend(self.totals.iter().map(|t| {
            let mut r = row(t);
            if let Some(first) = r.first_mut() {
                "Итого".clone_into(first);
            }
            r
        }));
        let control_row = |c: &ControlResults| {
            let k = &c.counts;
            vec![
                c.group_name.clone(),
                c.subject_name.clone(),
                k.n().to_string(),
                k.n5.to_string(),
                k.n4.to_string(),
                k.n3.to_string(),
                k.n2.to_string(),
                pct(k.progress()),
                pct(k.quality()),
                pct(k.average()),
            ]
        };
        let mut control: Vec<Vec<String>> = self.control.iter().map(control_row).collect();
        control.push(control_row(&self.control_total));
        vec![
            Table {
                name: "Виды уроков".into(),
                title: "Контрольные, практические и лабораторные работы: план и проведено".into(),
                subtitle: subtitle.clone(),
                headers: [
                    "Группа",
                    "Предмет",
                    "Вид урока",
                    "По КТП на год",
                    "По КТП на период",
                    "По КТП на дату",
                    "Проведено",
                    "Отставание",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![14.0, 26.0, 24.0, 10.0, 10.0, 10.0, 10.0, 10.0],
                rows,
            },
            Table {
                name: "Контрольные работы".into(),
                title: "Результаты контрольных работ".into(),
                subtitle,
                headers: [
                    "Группа",
                    "Предмет",
                    "Отметок",
                    "«5»",
                    "«4»",
                    "«3»",
                    "«2»",
                    "% успеваемости",
                    "% качества",
                    "Средний балл",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![14.0, 26.0, 9.0, 6.0, 6.0, 6.0, 6.0, 13.0, 11.0, 10.0],
                rows: control,
            },
        ]
    }
}

// ----------------------------------------------------------------------------- attendance

pub(super) async fn lesson_types(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    lessons: &[LessonCount],
) -> Result<LessonTypesReport, AppError> {
    let f = &ctx.frame;
    let planned = repo::planned_types(c, f.scope.school, f.year, (f.from, f.cut, f.to)).await?;
    // The default lesson type (an ordinary lesson) is not a "work".
    let types: Vec<(String, String)> = ctx
        .policy
        .lesson_types
        .iter()
        .skip(1)
        .map(|t| (t.code.clone(), t.name.clone()))
        .collect();
    let mut lines = Vec::new();
    let mut totals: Vec<TypeLine> = types
        .iter()
        .map(|(code, name)| TypeLine {
            group_name: "Итого".into(),
            lesson_type: code.clone(),
            type_name: name.clone(),
            ..TypeLine::default()
        })
        .collect();
    let mut held: HashMap<(GroupId, SubjectId, &str), u32> = HashMap::new();
    for l in lessons.iter().filter(|l| is_held(l)) {
        if let Some(t) = l.lesson_type.as_deref() {
            *held.entry((l.group, l.subject, t)).or_default() += l.n;
        }
    }
    for j in &ctx.journals {
        for (i, (code, name)) in types.iter().enumerate() {
            let p = planned
                .iter()
                .find(|p| p.group == j.group && p.subject == j.subject && p.lesson_type == *code);
            let line = TypeLine {
                group: Some(j.group),
                group_name: ctx.group_name(j.group),
                subject: Some(j.subject),
                subject_name: ctx.subject_name(j.subject),
                lesson_type: code.clone(),
                type_name: name.clone(),
                planned_year: p.map_or(0, |p| p.year),
                planned_period: p.map_or(0, |p| p.period),
                planned_to_date: p.map_or(0, |p| p.to_date),
                held: held
                    .get(&(j.group, j.subject, code.as_str()))
                    .copied()
                    .unwrap_or(0),
            };
            if line.planned_year + line.planned_period + line.held == 0 {
                continue;
            }
            if let Some(t) = totals.get_mut(i) {
                t.planned_year += line.planned_year;
                t.planned_period += line.planned_period;
                t.planned_to_date += line.planned_to_date;
                t.held += line.held;
            }
            lines.push(line);
        }
    }

    // Control works' marks: the work type a control lesson's marks get.
    let control_work = ctx
        .policy
        .lesson_type("control")
        .map_or("control", |t| t.default_work.as_str());
    let in_scope: HashSet<(GroupId, SubjectId)> =
        ctx.journals.iter().map(|j| (j.group, j.subject)).collect();
    let mut control: BTreeMap<(usize, usize, GroupId, SubjectId), ResultCounts> = BTreeMap::new();
    if f.cut >= f.from {
        for m in repo::work_marks(c, f.scope.school, f.year, control_work, (f.from, f.cut)).await? {
            if !in_scope.contains(&(m.group, m.subject)) {
                continue;
            }
            let Ok(mark) = ctx.policy.parse_mark(&m.value, m.subject.get()) else {
                continue;
            };
            if ctx.policy.scale_of(m.subject.get()) != Scale::Five {
                continue;
            }
            let e = control
                .entry((
                    ctx.group_rank(m.group),
                    ctx.subject_rank(m.subject),
                    m.group,
                    m.subject,
                ))
                .or_default();
            for p in mark.points() {
                for _ in 0..m.n {
                    e.add(FinalValue::Points(p));
                }
            }
        }
    }
    let mut control_total = ControlResults {
        group_name: "Итого".into(),
        ..ControlResults::default()
    };
    let control = control
        .into_iter()
        .map(|((_, _, g, s), counts)| {
            let t = &mut control_total.counts;
            t.n5 += counts.n5;
            t.n4 += counts.n4;
            t.n3 += counts.n3;
            t.n2 += counts.n2;
            ControlResults {
                group: Some(g),
                group_name: ctx.group_name(g),
                subject: Some(s),
                subject_name: ctx.subject_name(s),
                counts,
            }
        })
        .collect();
    Ok(LessonTypesReport {
        frame: ctx.frame.clone(),
        lines,
        totals,
        control,
        control_total,
    })
}
