//! A pupil's marks by subject with averages, attendance, final marks and the forecast of the final mark.

use super::*;

/// A subject's marks in a period.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectMarks {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub name: String,
    /// Every mark, by date.
    pub marks: Vec<DiaryMark>,
    /// The weighted average (the same function as the teacher's grid).
    #[serde(skip)]
    pub average: Average,
    /// Lessons of the period up to today (not cancelled).
    pub lessons: u32,
    /// Lessons missed (absent for any reason).
    pub absences: u32,
    /// Times late.
    pub lates: u32,
}

/// Attendance over a period, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AttendanceSummary {
    /// Absent for illness (Б).
    pub ill: u32,
    /// Absent for a valid reason (УП).
    pub excused: u32,
    /// Absent without a reason (Н).
    pub unexcused: u32,
    /// Late (ОП).
    pub late: u32,
    /// Lessons of the period up to today (not cancelled).
    pub lessons: u32,
}

impl AttendanceSummary {
    /// Lessons missed, for any reason.
    pub fn missed(&self) -> u32 {
        self.ill + self.excused + self.unexcused
    }
}

/// Marks by subject for a period.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryMarks {
    /// The pupil.
    pub child: DiaryChild,
    /// The period shown.
    pub period: Period,
    /// Every period of the pupil's grade this year.
    pub periods: Vec<Period>,
    /// Subjects with lessons or marks in the period, in the school's order.
    pub subjects: Vec<SubjectMarks>,
    /// Attendance over the period.
    pub attendance: AttendanceSummary,
}

/// A final mark of a period or the year, as families will see it once published. Filled by the
/// final-marks issue; until then the list is empty and the page explains when marks appear.
#[derive(Debug, Clone, Serialize)]
pub struct FinalMarkView {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The period, or none for the year's mark.
    pub period: Option<PeriodId>,
    /// The mark or code as published ("5", "н/а", "осв.", "зач.").
    pub value: String,
}

/// A forecast of a period's final mark (the regulation's point 4).
#[derive(Debug, Clone, Serialize)]
pub struct ForecastView {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The weighted average so far.
    pub average: Average,
    /// The forecast: the projection, how sure, risks, what it takes.
    pub forecast: tabel_domain::finals::Forecast,
    /// The school's name of the work type "what it takes" names (next mark up).
    pub next_up_work: String,
    /// The same for avoiding a 2.
    pub avoid_two_work: String,
}

/// Final marks and the forecast.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryFinals {
    /// The pupil.
    pub child: DiaryChild,
    /// The periods of the pupil's grade, with whether each is closed.
    pub periods: Vec<Period>,
    /// Published final marks.
    pub marks: Vec<FinalMarkView>,
    /// The forecast for the current period.
    pub forecast: Vec<ForecastView>,
}

impl App {
    /// Marks by subject for a period (the current one by default): every mark with its date,
    /// work type and weight, the weighted average, lessons and absences; attendance by reason.
    #[tracing::instrument(skip_all, fields(student = %student))]
    pub async fn diary_marks(
        &self,
        p: &Principal,
        student: PersonId,
        period: Option<PeriodId>,
    ) -> Result<DiaryMarks, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let child = self.diary_child(c, p, student).await?;
        let (period, periods) = self.period_of_child(c, &child, period).await?;
        let range = (period.starts_on, period.ends_on);
        let marks = journal_repo::marks_of_student(c, student, range).await?;
        let attendance = repo::attendance_of_student(c, student, range).await?;
        // Lessons so far: the rest of the period is not missed yet.
        let counted_to = period.ends_on.min(self.today());
        let counts: HashMap<SubjectId, u32> = if counted_to < period.starts_on {
            HashMap::new()
        } else {
            repo::lesson_counts_of_student(c, student, (period.starts_on, counted_to))
                .await?
                .into_iter()
                .collect()
        };
        let policy = self.policy_of(c, child.card.school).await?;
        let subjects = school_repo::list_subjects(c, child.card.school).await?;
        let names: HashMap<SubjectId, String> =
            subjects.iter().map(|s| (s.id, s.name.clone())).collect();
        let mut summary = AttendanceSummary {
            lessons: counts.values().sum(),
            ..AttendanceSummary::default()
        };
        let mut absences: HashMap<SubjectId, (u32, u32)> = HashMap::new();
        for a in &attendance {
            let kind = a.attendance.code;
            let entry = absences.entry(a.subject).or_default();
            match kind {
                Attendance::Ill => summary.ill += 1,
                Attendance::Excused => summary.excused += 1,
                Attendance::Unexcused => summary.unexcused += 1,
                Attendance::Late => summary.late += 1,
            }
            if kind.is_absence() {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
        let mut by_subject: HashMap<SubjectId, Vec<MarkEntry>> = HashMap::new();
        for m in marks {
            by_subject.entry(m.subject).or_default().push(m);
        }
        let mut out = Vec::new();
        for s in &subjects {
            let marks = by_subject.remove(&s.id).unwrap_or_default();
            let lessons = counts.get(&s.id).copied().unwrap_or(0);
            if marks.is_empty() && lessons == 0 {
                continue;
            }
            let mut average = Average::default();
            for m in &marks {
                if let Ok(mark) = policy.policy.parse_mark(&m.value, s.id.get()) {
                    average.add(mark, m.weight);
                }
            }
            let (absent, late) = absences.get(&s.id).copied().unwrap_or_default();
            out.push(SubjectMarks {
                subject: s.id,
                name: s.name.clone(),
                marks: marks
                    .into_iter()
                    .map(|m| diary_mark(&policy.policy, &names, m))
                    .collect(),
                average,
                lessons,
                absences: absent,
                lates: late,
            });
        }
        Ok(DiaryMarks {
            child,
            period,
            periods,
            subjects: out,
            attendance: summary,
        })
    }
}

impl App {
    /// Final marks and the forecast: the periods of the pupil's grade with their state; the
    /// marks and the forecast come with the final-marks issue (empty until then).
    pub async fn diary_finals(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<DiaryFinals, AppError> {
        // The gate is the forecast's first step too.
        let forecast = self.student_forecast(p, student).await?;
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let child = self.diary_child(c, p, student).await?;
        let periods = match &child.class {
            Some(class) => grade_periods(c, class).await?,
            None => Vec::new(),
        };
        let names = subject_names(c, child.card.school).await?;
        let policy = self.policy_of(c, child.card.school).await?;
        let work = |need: Option<&tabel_domain::finals::Need>| {
            need.map(|n| tabel_present::work_name(&policy.policy, &n.work_type).to_owned())
                .unwrap_or_default()
        };
        let year = child.class.as_ref().map(|g| g.year);
        let marks = tabel_store::finals::of_student(c, student)
            .await?
            .into_iter()
            .filter(|f| Some(f.year) == year && f.published_at.is_some())
            .filter(|f| matches!(f.slot, Slot::Period(_) | Slot::Year))
            .map(|f| FinalMarkView {
                subject_name: names.get(&f.subject).cloned().unwrap_or_default(),
                subject: f.subject,
                period: f.slot.period(),
                value: tabel_domain::finals::FinalValue::from_code(&f.value)
                    .map_or_else(|| f.value.clone(), |v| v.to_string()),
            })
            .collect();
        Ok(DiaryFinals {
            child,
            periods,
            marks,
            forecast: forecast
                .subjects
                .into_iter()
                .map(|s| ForecastView {
                    next_up_work: work(s.forecast.next_up.as_ref()),
                    avoid_two_work: work(s.forecast.avoid_two.as_ref()),
                    subject: s.subject,
                    subject_name: s.subject_name,
                    average: s.average,
                    forecast: s.forecast,
                })
                .collect(),
        })
    }
}
