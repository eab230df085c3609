//! Attendance: missed lessons per pupil, class and subject, and the pupils over the absence threshold.

use super::*;

/// Missed lessons of a group of pupils by reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AbsenceLine {
    /// The class's or subject's id ("" for the total).
    pub key: String,
    /// Its name.
    pub label: String,
    /// Pupils counted.
    pub pupils: u32,
    /// Pupil-lessons held so far.
    pub lessons: u32,
    /// Absent for illness.
    pub ill: u32,
    /// Absent for a valid reason.
    pub excused: u32,
    /// Absent without a reason.
    pub unexcused: u32,
    /// Late.
    pub late: u32,
    /// Of them, late by more than half the lesson (a missed lesson).
    pub late_missed: u32,
}

impl AbsenceLine {
    /// Missed lessons: absences and lateness over half a lesson.
    pub fn missed(&self) -> u32 {
        self.ill + self.excused + self.unexcused + self.late_missed
    }

    /// Missed / held, hundredths of a percent.
    pub fn share(&self) -> Option<u32> {
        share(self.missed(), self.lessons)
    }

    fn absorb(&mut self, o: &AbsenceLine) {
        self.pupils += o.pupils;
        self.lessons += o.lessons;
        self.ill += o.ill;
        self.excused += o.excused;
        self.unexcused += o.unexcused;
        self.late += o.late;
        self.late_missed += o.late_missed;
    }
}

/// A pupil over the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PupilAbsences {
    /// The pupil.
    pub student: PersonId,
    /// Name.
    pub name: String,
    /// Class.
    pub class_name: String,
    /// The pupil's lessons and absences.
    pub line: AbsenceLine,
    /// Subjects of which more than half the lessons were missed (н/а may follow).
    pub over_half: Vec<String>,
}

/// Attendance of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceReport {
    /// What and when.
    pub frame: Frame,
    /// By class.
    pub by_class: Vec<AbsenceLine>,
    /// By subject.
    pub by_subject: Vec<AbsenceLine>,
    /// All together.
    pub total: AbsenceLine,
    /// The threshold, percent.
    pub threshold: u8,
    /// Pupils who missed more than the threshold of their lessons, or more than half of a
    /// subject's.
    pub pupils: Vec<PupilAbsences>,
}

impl AttendanceReport {
    /// The report's tables for a spreadsheet.
    pub fn tables(&self) -> Vec<Table> {
        let subtitle = self.frame.subtitle();
        let row = |first: &str, l: &AbsenceLine| {
            vec![
                first.to_owned(),
                l.pupils.to_string(),
                l.lessons.to_string(),
                l.missed().to_string(),
                l.ill.to_string(),
                l.excused.to_string(),
                l.unexcused.to_string(),
                l.late.to_string(),
                l.late_missed.to_string(),
                pct(l.share()),
            ]
        };
        let headers = |first: &str, pupils: &str| {
            [
                first,
                pupils,
                "Уроков",
                "Пропущено",
                "по болезни",
                "по уважительной причине",
                "без уважительной причины",
                "Опозданий",
                "из них более половины урока",
                "% пропусков",
            ]
            .map(String::from)
            .to_vec()
        };
        let widths = vec![24.0, 9.0, 9.0, 11.0, 11.0, 13.0, 13.0, 11.0, 13.0, 11.0];
        let lines = |list: &[AbsenceLine]| {
            let mut rows: Vec<Vec<String>> = list.iter().map(|l| row(&l.label, l)).collect();
            rows.push(row("Итого", &self.total));
            rows
        };
        let pupils = self
            .pupils
            .iter()
            .map(|p| {
                let mut r = row(&p.name, &p.line);
                r[1] = p.class_name.clone();
                r.push(p.over_half.join(", "));
                r
            })
            .collect();
        let mut pupil_headers = headers("Ученик", "Класс");
        pupil_headers.push("Пропущено более половины уроков".into());
        let mut pupil_widths = widths.clone();
        pupil_widths[0] = 30.0;
        pupil_widths.push(30.0);
        vec![
            Table {
                name: "Пропуски по классам".into(),
                title: "Пропуски уроков по причинам: по классам".into(),
                subtitle: subtitle.clone(),
                headers: headers("Класс", "Учеников"),
                widths: widths.clone(),
                rows: lines(&self.by_class),
            },
            Table {
                name: "Пропуски по предметам".into(),
                title: "Пропуски уроков по причинам: по предметам".into(),
                subtitle: subtitle.clone(),
                headers: headers("Предмет", "Учеников"),
                widths,
                rows: lines(&self.by_subject),
            },
            Table {
                name: "Ученики выше порога".into(),
                title: format!(
                    "Ученики, пропустившие более {} % уроков или более половины уроков предмета",
                    self.threshold
                ),
                subtitle,
                headers: pupil_headers,
                widths: pupil_widths,
                rows: pupils,
            },
        ]
    }
}

pub(super) async fn attendance(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    lessons: &[LessonCount],
    threshold: u8,
) -> Result<AttendanceReport, AppError> {
    let f = &ctx.frame;
    let members = repo::members(c, f.scope.school, f.year, (f.from, f.to)).await?;
    let (classes, population) = ctx.population(&members);
    let mut held: HashMap<(GroupId, SubjectId), u32> = HashMap::new();
    for l in lessons.iter().filter(|l| is_held(l)) {
        *held.entry((l.group, l.subject)).or_default() += l.n;
    }
    // Each pupil's lessons per subject (in the journal they are counted in).
    let mut per: BTreeMap<(PersonId, SubjectId), AbsenceLine> = BTreeMap::new();
    let mut journal_of: HashMap<(PersonId, SubjectId), GroupId> = HashMap::new();
    for (&(student, subject), &(group, present)) in &population {
        if !present {
            continue;
        }
        journal_of.insert((student, subject), group);
        per.insert(
            (student, subject),
            AbsenceLine {
                lessons: held.get(&(group, subject)).copied().unwrap_or(0),
                ..AbsenceLine::default()
            },
        );
    }
    if f.cut >= f.from {
        for a in repo::absence_counts(c, f.scope.school, f.year, (f.from, f.cut)).await? {
            if journal_of.get(&(a.student, a.subject)) != Some(&a.group) {
                continue;
            }
            let Some(line) = per.get_mut(&(a.student, a.subject)) else {
                continue;
            };
            match Attendance::from_code(&a.code).ok() {
                Some(Attendance::Ill) => line.ill += a.n,
                Some(Attendance::Excused) => line.excused += a.n,
                Some(Attendance::Unexcused) => line.unexcused += a.n,
                Some(Attendance::Late) => {
                    line.late += a.n;
                    if Attendance::Late.missed_lesson(
                        a.minutes_late.unwrap_or(0),
                        a.lesson_minutes.unwrap_or(DEFAULT_LESSON_MINUTES),
                    ) {
                        line.late_missed += a.n;
                    }
                }
                None => {}
            }
        }
    }
    let mut by_class: BTreeMap<GroupId, (AbsenceLine, HashSet<PersonId>)> = BTreeMap::new();
    let mut by_subject: BTreeMap<SubjectId, AbsenceLine> = BTreeMap::new();
    let mut by_pupil: BTreeMap<PersonId, (AbsenceLine, Vec<SubjectId>)> = BTreeMap::new();
    for (&(student, subject), line) in &per {
        if let Some(class) = classes.get(&student) {
            let e = by_class.entry(*class).or_default();
            e.0.absorb(line);
            e.1.insert(student);
        }
        let s = by_subject.entry(subject).or_default();
        s.absorb(line);
        s.pupils += 1;
        let p = by_pupil.entry(student).or_default();
        p.0.absorb(line);
        if u64::from(line.missed()) * 2 > u64::from(line.lessons) && line.lessons > 0 {
            p.1.push(subject);
        }
    }
    let mut total = AbsenceLine {
        label: "Итого".into(),
        pupils: u32::try_from(by_pupil.len()).unwrap_or(u32::MAX),
        ..AbsenceLine::default()
    };
    for (l, _) in by_pupil.values() {
        let pupils = total.pupils;
        total.absorb(l);
        total.pupils = pupils;
    }
    let mut by_class: Vec<(GroupId, (AbsenceLine, HashSet<PersonId>))> =
        by_class.into_iter().collect();
    by_class.sort_by_key(|(g, _)| ctx.group_rank(*g));
    let by_class = by_class
        .into_iter()
        .map(|(g, (mut l, pupils))| {
            l.key = g.to_string();
            l.label = ctx.group_name(g);
            l.pupils = u32::try_from(pupils.len()).unwrap_or(u32::MAX);
            l
        })
        .collect();
    let mut by_subject: Vec<(SubjectId, AbsenceLine)> = by_subject.into_iter().collect();
    by_subject.sort_by_key(|(s, _)| ctx.subject_rank(*s));
    let by_subject = by_subject
        .into_iter()
        .map(|(s, mut l)| {
            l.key = s.to_string();
            l.label = ctx.subject_name(s);
            l
        })
        .collect();
    let over: Vec<(PersonId, AbsenceLine, Vec<SubjectId>)> = by_pupil
        .into_iter()
        .filter(|(_, (l, half))| {
            !half.is_empty()
                || u64::from(l.missed()) * 100 > u64::from(threshold) * u64::from(l.lessons)
        })
        .map(|(s, (l, half))| (s, l, half))
        .collect();
    let ids: Vec<PersonId> = over.iter().map(|o| o.0).collect();
    let names = if ids.is_empty() {
        Vec::new()
    } else {
        repo::pupil_names(c, &ids).await?
    };
    let mut pupils: Vec<PupilAbsences> = over
        .into_iter()
        .map(|(student, mut line, half)| {
            line.pupils = 1;
            let mut subjects: Vec<SubjectId> = half;
            subjects.sort_by_key(|s| ctx.subject_rank(*s));
            PupilAbsences {
                student,
                name: names
                    .iter()
                    .find(|n| n.student == student)
                    .map(|n| n.name.clone())
                    .unwrap_or_default(),
                class_name: classes
                    .get(&student)
                    .map(|g| ctx.group_name(*g))
                    .unwrap_or_default(),
                line,
                over_half: subjects.into_iter().map(|s| ctx.subject_name(s)).collect(),
            }
        })
        .collect();
    let rank = |p: &PupilAbsences| {
        names
            .iter()
            .position(|n| n.student == p.student)
            .unwrap_or(usize::MAX)
    };
    pupils.sort_by_key(|p| {
        (
            classes
                .get(&p.student)
                .map_or(usize::MAX, |g| ctx.group_rank(*g)),
            rank(p),
        )
    });
    Ok(AttendanceReport {
        frame: ctx.frame.clone(),
        by_class,
        by_subject,
        total,
        threshold,
        pupils,
    })
}
