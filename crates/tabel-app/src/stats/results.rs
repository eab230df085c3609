//! Results of learning: progress, quality, СОУ and average per class and subject, and the mark distribution.

use super::*;

/// One line of the results: counts of final (or proposed) marks and who is outside N.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResultLine {
    /// The class's or subject's id ("" for the total).
    pub key: String,
    /// Its name.
    pub label: String,
    /// The marks counted.
    pub counts: ResultCounts,
    /// Exempt (осв.): outside N.
    pub exempt: u32,
    /// Without any mark: outside N.
    pub without_marks: u32,
    /// Left before the period's end: outside N.
    pub left: u32,
    /// Of N, those counted by a final mark.
    pub from_finals: u32,
    /// Of N, those counted by the journal's average (no final mark yet).
    pub from_journal: u32,
}

impl ResultLine {
    /// N.
    pub fn n(&self) -> u32 {
        self.counts.n()
    }
    /// % успеваемости, hundredths.
    pub fn progress(&self) -> Option<u32> {
        self.counts.progress()
    }
    /// % качества, hundredths.
    pub fn quality(&self) -> Option<u32> {
        self.counts.quality()
    }
    /// СОУ, hundredths.
    pub fn sou(&self) -> Option<u32> {
        self.counts.sou()
    }
    /// Average mark, hundredths.
    pub fn average(&self) -> Option<u32> {
        self.counts.average()
    }

    fn absorb(&mut self, o: &ResultLine) {
        let (a, b) = (&mut self.counts, &o.counts);
        a.n5 += b.n5;
        a.n4 += b.n4;
        a.n3 += b.n3;
        a.n2 += b.n2;
        a.na += b.na;
        a.pass += b.pass;
        a.fail += b.fail;
        self.exempt += o.exempt;
        self.without_marks += o.without_marks;
        self.left += o.left;
        self.from_finals += o.from_finals;
        self.from_journal += o.from_journal;
    }
}

/// Current marks by value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MarkDistribution {
    /// The subject's id ("" for the total).
    pub key: String,
    /// Its name.
    pub label: String,
    /// Marks 5, 4, 3, 2, 1 (index 0 is 5).
    pub points: [u32; 5],
    /// зач.
    pub pass: u32,
    /// незач.
    pub fail: u32,
}

impl MarkDistribution {
    /// All marks.
    pub fn total(&self) -> u32 {
        self.points.iter().sum::<u32>() + self.pass + self.fail
    }

    pub(super) fn add(&mut self, mark: Mark, n: u32) {
        match mark {
            Mark::Pass => self.pass += n,
            Mark::Fail => self.fail += n,
            m => {
                for p in m.points() {
                    if let Some(slot) = usize::from(p)
                        .checked_sub(1)
                        .and_then(|i| 4usize.checked_sub(i))
                        .and_then(|i| self.points.get_mut(i))
                    {
                        *slot += n;
                    }
                }
            }
        }
    }

    fn absorb(&mut self, o: &MarkDistribution) {
        for (a, b) in self.points.iter_mut().zip(o.points) {
            *a += b;
        }
        self.pass += o.pass;
        self.fail += o.fail;
    }
}

/// Results of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultsReport {
    /// What and when.
    pub frame: Frame,
    /// By class.
    pub by_class: Vec<ResultLine>,
    /// By subject.
    pub by_subject: Vec<ResultLine>,
    /// All together.
    pub total: ResultLine,
    /// Current marks by subject.
    pub marks: Vec<MarkDistribution>,
    /// All current marks.
    pub marks_total: MarkDistribution,
}

const RESULT_HEADERS: [&str; 17] = [
    "N",
    "«5»",
    "«4»",
    "«3»",
    "«2»",
    "н/а",
    "зач.",
    "незач.",
    "осв.",
    "без отметок",
    "выбыли",
    "% успеваемости",
    "% качества",
    "СОУ, %",
    "Средний балл",
    "по итоговым",
    "по журналу",
];

fn result_row(first: &str, l: &ResultLine) -> Vec<String> {
    let c = &l.counts;
    vec![
        first.to_owned(),
        l.n().to_string(),
        c.n5.to_string(),
        c.n4.to_string(),
        c.n3.to_string(),
        c.n2.to_string(),
        c.na.to_string(),
        c.pass.to_string(),
        c.fail.to_string(),
        l.exempt.to_string(),
        l.without_marks.to_string(),
        l.left.to_string(),
        pct(l.progress()),
        pct(l.quality()),
        pct(l.sou()),
        pct(l.average()),
        l.from_finals.to_string(),
        l.from_journal.to_string(),
    ]
}

impl ResultsReport {
    /// The report's tables for a spreadsheet.
    pub fn tables(&self) -> Vec<Table> {
        let headers = |first: &str| {
            std::iter::once(first.to_owned())
                .chain(RESULT_HEADERS.iter().map(|h| (*h).to_owned()))
                .collect::<Vec<_>>()
        };
        let mut widths = vec![28.0];
        widths.extend([6.0; 11]);
        widths.extend([13.0, 11.0, 9.0, 9.0, 11.0, 11.0]);
        let lines = |first: &str, list: &[ResultLine]| {
            let mut rows: Vec<Vec<String>> = list.iter().map(|l| result_row(&l.label, l)).collect();
            rows.push(result_row(first, &self.total));
            rows
        };
        let dist_row = |d: &MarkDistribution| {
            let mut row = vec![d.label.clone()];
            row.extend(d.points.iter().map(ToString::to_string));
            row.extend([
                d.pass.to_string(),
                d.fail.to_string(),
                d.total().to_string(),
            ]);
            row
        };
        let mut dist: Vec<Vec<String>> = self.marks.iter().map(dist_row).collect();
        dist.push(dist_row(&MarkDistribution {
            label: "Всего".into(),
            ..self.marks_total.clone()
        }));
        let subtitle = self.frame.subtitle();
        vec![
            Table {
                name: "Итоги по классам".into(),
                title: "Итоги успеваемости по классам".into(),
                subtitle: subtitle.clone(),
                headers: headers("Класс"),
                widths: widths.clone(),
                rows: lines("Итого", &self.by_class),
            },
            Table {
                name: "Итоги по предметам".into(),
                title: "Итоги успеваемости по предметам".into(),
                subtitle: subtitle.clone(),
                headers: headers("Предмет"),
                widths,
                rows: lines("Итого", &self.by_subject),
            },
            Table {
                name: "Текущие отметки".into(),
                title: "Распределение текущих отметок".into(),
                subtitle,
                headers: [
                    "Предмет",
                    "«5»",
                    "«4»",
                    "«3»",
                    "«2»",
                    "«1»",
                    "зач.",
                    "незач.",
                    "Всего",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![28.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 9.0],
                rows: dist,
            },
        ]
    }
}

// ---------------------------------------------------------------------------- curriculum

pub(super) async fn results(c: &mut Conn<'_>, ctx: &Ctx) -> Result<ResultsReport, AppError> {
    let f = &ctx.frame;
    let members = repo::members(c, f.scope.school, f.year, (f.from, f.to)).await?;
    let (classes, population) = ctx.population(&members);
    let finals: HashMap<(PersonId, SubjectId), FinalValue> =
        repo::final_codes(c, f.scope.school, f.year, &f.slot)
            .await?
            .into_iter()
            .filter_map(|r| FinalValue::from_code(&r.value).map(|v| ((r.student, r.subject), v)))
            .collect();
    let marks = repo::mark_counts(c, f.scope.school, (f.from, f.to)).await?;

    // The journal's standing of each pupil in each subject, and the current marks by value.
    let mut facts: HashMap<(PersonId, SubjectId), PeriodFacts> = HashMap::new();
    let mut dist: BTreeMap<SubjectId, MarkDistribution> = BTreeMap::new();
    for m in &marks {
        let key = (m.student, m.subject);
        if !population.contains_key(&key) {
            continue;
        }
        let scale = ctx.policy.scale_of(m.subject.get());
        if matches!(scale, Scale::Ten | Scale::Hundred) {
            continue;
        }
        let Ok(mark) = ctx.policy.parse_mark(&m.value, m.subject.get()) else {
            continue;
        };
        dist.entry(m.subject).or_default().add(mark, m.n);
        let fact = facts.entry(key).or_default();
        match mark {
            Mark::Pass => fact.passes += m.n,
            Mark::Fail => fact.fails += m.n,
            _ => {
                for p in mark.points() {
                    fact.average.sum += u64::from(p) * m.weights;
                    fact.average.weights += m.weights;
                    fact.average.count += m.n;
                }
                fact.has_two |= mark.has_two();
            }
        }
    }

    // Without a final mark, the proposal the marks so far give (no minimum count: the period
    // may be under way; н/а comes from final marks only).
    let relaxed = GradingPolicy {
        min_marks: 0,
        ..ctx.policy.clone()
    };
    let mut by_class: BTreeMap<GroupId, ResultLine> = BTreeMap::new();
    let mut by_subject: BTreeMap<SubjectId, ResultLine> = BTreeMap::new();
    for (&(student, subject), &(_, present)) in &population {
        let scale = ctx.policy.scale_of(subject.get());
        if matches!(scale, Scale::Ten | Scale::Hundred) {
            continue;
        }
        let mut line = ResultLine::default();
        if !present {
            line.left = 1;
        } else {
            match finals.get(&(student, subject)) {
                Some(FinalValue::Exempt) => line.exempt = 1,
                Some(v) => {
                    line.counts.add(*v);
                    line.from_finals = 1;
                }
                None => {
                    let fact = facts.get(&(student, subject)).copied().unwrap_or_default();
                    match propose(&relaxed, scale, &fact) {
                        Some(p) if p.value != FinalValue::NotAttested => {
                            line.counts.add(p.value);
                            line.from_journal = 1;
                        }
                        _ => line.without_marks = 1,
                    }
                }
            }
        }
        if let Some(class) = classes.get(&student) {
            by_class.entry(*class).or_default().absorb(&line);
        }
        by_subject.entry(subject).or_default().absorb(&line);
    }
    let mut by_class: Vec<(GroupId, ResultLine)> = by_class.into_iter().collect();
    by_class.sort_by_key(|(g, _)| ctx.group_rank(*g));
    let by_class: Vec<ResultLine> = by_class
        .into_iter()
        .map(|(g, mut l)| {
            l.key = g.to_string();
            l.label = ctx.group_name(g);
            l
        })
        .collect();
    let mut by_subject: Vec<(SubjectId, ResultLine)> = by_subject.into_iter().collect();
    by_subject.sort_by_key(|(s, _)| ctx.subject_rank(*s));
    // Every pupil counted is in one subject line (not every one has a class of the year).
    let mut total = ResultLine {
        label: "Итого".into(),
        ..ResultLine::default()
    };
    let by_subject: Vec<ResultLine> = by_subject
        .into_iter()
        .map(|(s, mut l)| {
            total.absorb(&l);
            l.key = s.to_string();
            l.label = ctx.subject_name(s);
            l
        })
        .collect();
    let mut marks_list: Vec<(SubjectId, MarkDistribution)> = dist.into_iter().collect();
    marks_list.sort_by_key(|(s, _)| ctx.subject_rank(*s));
    let mut marks_total = MarkDistribution {
        label: "Всего".into(),
        ..MarkDistribution::default()
    };
    let marks_list = marks_list
        .into_iter()
        .map(|(s, mut d)| {
            marks_total.absorb(&d);
            d.key = s.to_string();
            d.label = ctx.subject_name(s);
            d
        })
        .collect();
    Ok(ResultsReport {
        frame: ctx.frame.clone(),
        by_class,
        by_subject,
        total,
        marks: marks_list,
        marks_total,
    })
}
