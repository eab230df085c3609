//! One pupil's extract built from the class's data gathered once: marks, averages, forecasts, homework, attendance.

use super::*;

/// The class's data of one print run, matched to pupils in memory.
pub(super) struct Gathered {
    pub(super) groups: Vec<PupilGroup>,
    pub(super) lessons: Vec<LessonFact>,
    pub(super) marks: Vec<MarkFact>,
    pub(super) attendance: Vec<AbsenceFact>,
    pub(super) recommendations: Vec<RecommendationFact>,
    pub(super) finals: Vec<FinalFact>,
}

impl Gathered {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pupil_extract(
        &self,
        pupil: Pupil,
        subjects: &[tabel_store::school::Subject],
        policy: &tabel_domain::journal::GradingPolicy,
        (from, to): (Date, Date),
        forecast_period: Option<&Period>,
        today: Date,
        with_homework: bool,
        zone: &tabel_domain::calendar::TimeZoneName,
    ) -> PupilExtract {
        let id = pupil.id;
        let groups: Vec<&PupilGroup> = self.groups.iter().filter(|g| g.student == id).collect();
        let mine = |l: &&LessonFact| groups.iter().any(|g| g.group == l.group && g.covers(l.on));
        let lessons: Vec<&LessonFact> = self.lessons.iter().filter(mine).collect();
        let held_by = to.min(today);
        let held = |l: &LessonFact| l.status != LessonStatus::Cancelled.code() && l.on <= held_by;
        let in_range = |d: Date| from <= d && d <= to;
        let absences: HashMap<i64, &AbsenceFact> = self
            .attendance
            .iter()
            .filter(|a| a.student == id)
            .map(|a| (a.lesson, a))
            .collect();

        let mut attendance = AttendanceSummary::default();
        let mut per_subject: HashMap<SubjectId, (u32, u32)> = HashMap::new();
        for l in lessons.iter().filter(|l| in_range(l.on)) {
            let counted = held(l);
            if counted {
                attendance.lessons += 1;
                per_subject.entry(l.subject).or_default().0 += 1;
            }
            let Some(kind) = absences
                .get(&l.id)
                .and_then(|a| Attendance::from_code(&a.code).ok())
            else {
                continue;
            };
            match kind {
                Attendance::Ill => attendance.ill += 1,
                Attendance::Excused => attendance.excused += 1,
                Attendance::Unexcused => attendance.unexcused += 1,
                Attendance::Late => attendance.late += 1,
            }
            if kind.is_absence() && counted {
                per_subject.entry(l.subject).or_default().1 += 1;
            }
        }
        let mut marks_by: HashMap<SubjectId, Vec<MarkFact>> = HashMap::new();
        for m in self
            .marks
            .iter()
            .filter(|m| m.student == id && in_range(m.on))
        {
            marks_by.entry(m.subject).or_default().push(m.clone());
        }
        let mut lines = Vec::new();
        for s in subjects {
            let marks = marks_by.remove(&s.id).unwrap_or_default();
            let (lessons_held, missed) = per_subject.get(&s.id).copied().unwrap_or_default();
            if marks.is_empty() && lessons_held == 0 {
                continue;
            }
            let mut average = Average::default();
            for m in &marks {
                if let Ok(mark) = policy.parse_mark(&m.value, s.id.get()) {
                    average.add(mark, m.weight);
                }
            }
            lines.push(SubjectLine {
                subject: s.id,
                name: s.name.clone(),
                marks,
                average,
                lessons: lessons_held,
                missed,
            });
        }

        // The forecast: the period's facts so far and the lessons left, as the diary's.
        let mut forecast = Vec::new();
        if let Some(fp) = forecast_period {
            let in_fp = |d: Date| fp.starts_on <= d && d <= fp.ends_on;
            let mut facts: BTreeMap<SubjectId, (PeriodFacts, u32)> = BTreeMap::new();
            for l in lessons.iter().filter(|l| in_fp(l.on)) {
                let e = facts.entry(l.subject).or_default();
                if l.status == LessonStatus::Cancelled.code() {
                    continue;
                }
                if l.on <= today {
                    e.0.lessons_held += 1;
                    let missed = absences.get(&l.id).is_some_and(|a| {
                        Attendance::from_code(&a.code).ok().is_some_and(|c| {
                            c.missed_lesson(a.minutes_late.unwrap_or(0), LESSON_MINUTES)
                        })
                    });
                    if missed {
                        e.0.lessons_missed += 1;
                    }
                } else {
                    e.1 += 1;
                }
            }
            for m in self.marks.iter().filter(|m| m.student == id && in_fp(m.on)) {
                let e = facts.entry(m.subject).or_default();
                match policy.parse_mark(&m.value, m.subject.get()) {
                    Ok(Mark::Pass) => e.0.passes += 1,
                    Ok(Mark::Fail) => e.0.fails += 1,
                    Ok(mark) => {
                        e.0.has_two |= mark.has_two();
                        e.0.average.add(mark, m.weight);
                    }
                    Err(_) => {}
                }
            }
            for s in subjects {
                let Some((f, left)) = facts.remove(&s.id) else {
                    continue;
                };
                let scale = policy.scale_of(s.id.get());
                forecast.push(SubjectForecast {
                    subject: s.id,
                    subject_name: s.name.clone(),
                    average: f.average,
                    marks: f.average.count + f.passes + f.fails,
                    forecast: rules::forecast(policy, scale, &f, left),
                });
            }
        }

        let names: HashMap<SubjectId, &str> =
            subjects.iter().map(|s| (s.id, s.name.as_str())).collect();
        let homework = if with_homework {
            let mut items: Vec<HomeworkLine> = lessons
                .iter()
                .filter(|l| {
                    l.status != LessonStatus::Cancelled.code() && !l.homework.trim().is_empty()
                })
                .filter_map(|l| {
                    let due = l.homework_due_on.unwrap_or(l.on);
                    in_range(due).then(|| HomeworkLine {
                        due,
                        subject: names
                            .get(&l.subject)
                            .copied()
                            .unwrap_or_default()
                            .to_owned(),
                        text: l.homework.clone(),
                    })
                })
                .collect();
            items.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.subject.cmp(&b.subject)));
            items
        } else {
            Vec::new()
        };
        PupilExtract {
            code: String::new(),
            subjects: lines,
            attendance,
            finals: self
                .finals
                .iter()
                .filter(|f| f.student == id && f.published)
                .cloned()
                .collect(),
            forecast,
            recommendations: self
                .recommendations
                .iter()
                .filter(|r| r.student == id && in_range(zone.local_date(r.created_at)))
                // In the school's local time: the date printed is the one on its wall.
                .map(|r| RecommendationFact {
                    created_at: zone.local(r.created_at),
                    ..r.clone()
                })
                .collect(),
            homework,
            pupil,
        }
    }
}
