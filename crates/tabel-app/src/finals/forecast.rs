//! A pupil's final marks and the forecast of each subject's final mark, and the pupils at risk in a class.

use super::*;

/// A subject's line of the forecast.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectForecast {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The weighted average so far.
    pub average: Average,
    /// Marks so far.
    pub marks: u32,
    /// The forecast.
    pub forecast: Forecast,
}

/// A pupil's forecast for the current period.
#[derive(Debug, Clone, Serialize)]
pub struct StudentForecast {
    /// The period.
    pub period: Option<Period>,
    /// One line per subject with lessons in the period.
    pub subjects: Vec<SubjectForecast>,
}

impl App {
    /// A pupil's published final marks of the current year (the diary) — whoever may see the
    /// pupil (a parent only with consent).
    pub async fn student_finals(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<Vec<FinalRecord>, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        gate(c, p, student).await?;
        Ok(repo::of_student(c, student).await?)
    }

    /// The forecast of a pupil's final marks for the current period, per subject: the proposal
    /// the marks so far give, how sure it is, risks, and what it takes. Whoever may see the
    /// pupil.
    pub async fn student_forecast(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentForecast, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let school = gate(c, p, student).await?;
        let class = school_repo::groups_of_student(c, student, today)
            .await?
            .into_iter()
            .find(|g| g.kind == GroupKind::Class);
        let Some(class) = class else {
            return Ok(StudentForecast {
                period: None,
                subjects: Vec::new(),
            });
        };
        let (current, _) = period_of(c, &class, today).await?;
        let Some(period) = current else {
            return Ok(StudentForecast {
                period: None,
                subjects: Vec::new(),
            });
        };
        let range = (period.starts_on, period.ends_on);
        let policy = self.policy_of(c, school).await?;
        let policy = &policy.policy;
        let lessons = tabel_store::diary::lessons_of_student(c, student, range).await?;
        let marks = journal_repo::marks_of_student(c, student, range).await?;
        let attendance = tabel_store::diary::attendance_of_student(c, student, range).await?;
        let names: HashMap<SubjectId, String> = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let mut by_subject: BTreeMap<SubjectId, (PeriodFacts, u32)> = BTreeMap::new();
        let mut held: HashMap<LessonId, SubjectId> = HashMap::new();
        for l in &lessons {
            let e = by_subject.entry(l.lesson.subject).or_default();
            if l.lesson.status == LessonStatus::Cancelled {
                continue;
            }
            if l.lesson.on <= today {
                e.0.lessons_held += 1;
                held.insert(l.lesson.id, l.lesson.subject);
            } else {
                e.1 += 1;
            }
        }
        for m in &marks {
            let e = by_subject.entry(m.subject).or_default();
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
        for a in &attendance {
            let Some(subject) = held.get(&a.attendance.lesson) else {
                continue;
            };
            let missed = a
                .attendance
                .code
                .missed_lesson(a.attendance.minutes_late.unwrap_or(0), LESSON_MINUTES);
            if missed && let Some(e) = by_subject.get_mut(subject) {
                e.0.lessons_missed += 1;
            }
        }
        let mut subjects: Vec<SubjectForecast> = by_subject
            .into_iter()
            .map(|(subject, (facts, left))| SubjectForecast {
                subject,
                subject_name: names.get(&subject).cloned().unwrap_or_default(),
                average: facts.average,
                marks: facts.average.count + facts.passes + facts.fails,
                forecast: rules::forecast(policy, scale_of(policy, subject), &facts, left),
            })
            .collect();
        subjects.sort_by(|a, b| a.subject_name.cmp(&b.subject_name));
        Ok(StudentForecast {
            period: Some(period),
            subjects,
        })
    }
}

/// A pupil of a class at risk in a subject.
#[derive(Debug, Clone, Serialize)]
pub struct AtRisk {
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub name: String,
    /// The subject's forecast, with at least one risk.
    pub subject: SubjectForecast,
    /// The school's name of the work type "what it takes" names.
    pub work: String,
}

impl App {
    /// The pupils of a class at risk in the current period — too few marks, many absences, a
    /// projected 2 or н/а — with what it takes (the class teacher, deputy heads,
    /// administrators).
    pub async fn class_risks(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<AtRisk>, AppError> {
        let today = self.today();
        let (members, policy) = {
            let mut c = self.db.acquire().await?;
            let c = &mut c.conn();
            let g = school_repo::get_group(c, class, today)
                .await?
                .ok_or(AppError::NotFound)?;
            let reads = p.is_admin_of(g.school)
                || p.has_role(Role::Deputy, g.school)
                || p.class_teacher_of.contains(&(g.school, g.id));
            if g.kind != GroupKind::Class || !reads {
                return Err(if p.is_staff_of(g.school) && g.kind == GroupKind::Class {
                    AppError::Forbidden
                } else {
                    AppError::NotFound
                });
            }
            (
                school_repo::group_members(c, class, today).await?,
                self.policy_of(c, g.school).await?,
            )
        };
        let mut out = Vec::new();
        for m in members {
            let f = self.student_forecast(p, m.id).await?;
            for s in f
                .subjects
                .into_iter()
                .filter(|s| !s.forecast.risks.is_empty())
            {
                let need = s
                    .forecast
                    .avoid_two
                    .as_ref()
                    .or(s.forecast.next_up.as_ref());
                out.push(AtRisk {
                    work: need
                        .map(|n| tabel_present::work_name(&policy.policy, &n.work_type).to_owned())
                        .unwrap_or_default(),
                    student: m.id,
                    name: format!("{} {}", m.last_name, m.first_name),
                    subject: s,
                });
            }
        }
        Ok(out)
    }
}
