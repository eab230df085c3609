//! The diary's week: a pupil's lessons day by day with marks, attendance, homework and changes, cached briefly.

use super::*;

/// A mark as the diary shows it: with the work type's name.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryMark {
    /// The stored mark (value, weight it was given, comment).
    pub mark: MarkEntry,
    /// The subject's name.
    pub subject_name: String,
    /// The school's name of the work type ("контрольная работа").
    pub work_name: String,
}

/// A lesson of the pupil with everything the diary shows on it.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryLessonView {
    /// The lesson: subject, teacher, room, change (substitution, transfer, cancellation).
    pub lesson: Lesson,
    /// The teacher's record: topic, homework set on it.
    pub record: LessonRecord,
    /// Bell times, minutes after midnight (none outside the bell schedule).
    pub starts: Option<u16>,
    /// End.
    pub ends: Option<u16>,
    /// Files of the homework.
    pub files: Vec<HomeworkFile>,
    /// The pupil's marks on it.
    pub marks: Vec<DiaryMark>,
    /// The pupil's attendance on it (none = present or not recorded).
    pub attendance: Option<AttendanceEntry>,
}

/// A day of the diary.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryDay {
    /// The date.
    pub on: Date,
    /// A holiday or non-working day covering it, by name.
    pub day_off: Option<Holiday>,
    /// The lessons, by number.
    pub lessons: Vec<DiaryLessonView>,
}

/// Week diaries built recently: (pupil, Monday, today) → (the school's audit sequence when
/// built, when, the week). Every change a week shows — marks, attendance, topics and homework,
/// files, lessons and their changes, bells — is audited, and each audited change moves the
/// school's sequence, so an entry is used only while nothing of the school has changed; the
/// time limit bounds what unaudited changes (a pupil moved between classes by an import) may
/// leave on screen.
pub type WeekCache = HashMap<(PersonId, Date, Date), (i64, Instant, Arc<DiaryWeek>)>;

/// How long a built week may be reused while the school's sequence stands still.
const WEEK_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Weeks kept at most (a school's families reading this and next week fit many times over).
const WEEK_CACHE_ENTRIES: usize = 20_000;

/// The week diary.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryWeek {
    /// The pupil.
    pub child: DiaryChild,
    /// Its Monday.
    pub monday: Date,
    /// Monday to Friday, or to Saturday for a six-day week (or when lessons fall on it).
    pub days: Vec<DiaryDay>,
    /// Marks of the week not given on a lesson (standalone works).
    pub other_marks: Vec<DiaryMark>,
}

impl App {
    /// The week diary of a pupil: each day's lessons with bell times, changes, topic, homework
    /// and its files, the pupil's marks and attendance.
    #[tracing::instrument(skip_all, fields(student = %student, monday = %monday))]
    pub async fn diary_week(
        &self,
        p: &Principal,
        student: PersonId,
        monday: Date,
    ) -> Result<Arc<DiaryWeek>, AppError> {
        let monday = monday_of(monday);
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        // The gate first, always; then the school's change counter says whether a week built
        // earlier still holds.
        let school = self.diary_school(c, p, student).await?;
        let seq = audit::head_seq(c, school.get()).await?;
        let key = (student, monday, self.today());
        let now = Instant::now();
        {
            let cache = self.weeks.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((at_seq, built, week)) = cache.get(&key)
                && *at_seq == seq
                && now.duration_since(*built) < WEEK_CACHE_TTL
            {
                return Ok(Arc::clone(week));
            }
        }
        let week = Arc::new(self.build_week(c, p, student, monday).await?);
        let mut cache = self.weeks.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= WEEK_CACHE_ENTRIES {
            cache.retain(|_, (at_seq, built, _)| {
                *at_seq == seq && now.duration_since(*built) < WEEK_CACHE_TTL
            });
            if cache.len() >= WEEK_CACHE_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(key, (seq, now, Arc::clone(&week)));
        Ok(week)
    }

    /// The pupil's school, once the gate lets the viewer through. A parent's child and the pupil
    /// themself are known from the session; anyone else costs a read of the pupil's card.
    async fn diary_school(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
    ) -> Result<SchoolId, AppError> {
        let known = p
            .children
            .iter()
            .find(|ch| ch.student == student)
            .map(|ch| ch.school)
            .or(p.student_in.filter(|_| p.person == Some(student)));
        match known {
            Some(school) => {
                check(p.may_view_student(&StudentFacts { student, school }))?;
                Ok(school)
            }
            None => Ok(self.diary_gate(c, p, student).await?.school),
        }
    }

    async fn build_week(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
        monday: Date,
    ) -> Result<DiaryWeek, AppError> {
        let sunday = monday + Duration::days(6);
        let child = self.diary_child(c, p, student).await?;
        let lessons = repo::lessons_of_student(c, student, (monday, sunday)).await?;
        let marks = journal_repo::marks_of_student(c, student, (monday, sunday)).await?;
        let attendance = repo::attendance_of_student(c, student, (monday, sunday)).await?;
        let parts = self
            .diary_parts(c, &child, lessons, (monday, sunday), marks, attendance)
            .await?;
        let year = school_repo::academic_year_on(c, child.card.school, monday).await?;
        let grade = child.class.as_ref().map(|g| g.grade);
        let (week_days, holidays) = match (&year, grade) {
            (Some(y), Some(grade)) => {
                let week = school_repo::list_parallels(c, y.id)
                    .await?
                    .into_iter()
                    .find(|x| x.grade == grade)
                    .map_or(5, |x| x.week_days);
                let holidays = school_repo::list_holidays(c, y.id)
                    .await?
                    .into_iter()
                    .filter(|h| h.only_grade.is_none_or(|g| g == grade))
                    .collect();
                (week, holidays)
            }
            _ => (5, Vec::new()),
        };
        let saturday = monday + Duration::days(5);
        let last = if week_days >= 6 || parts.lessons.iter().any(|l| l.lesson.on >= saturday) {
            6
        } else {
            5
        };
        let mut by_day: HashMap<Date, Vec<DiaryLessonView>> = HashMap::new();
        for l in parts.lessons {
            by_day.entry(l.lesson.on).or_default().push(l);
        }
        let days = (0..last)
            .map(|i| {
                let on = monday + Duration::days(i);
                DiaryDay {
                    on,
                    day_off: day_off(&holidays, on),
                    lessons: by_day.remove(&on).unwrap_or_default(),
                }
            })
            .collect();
        Ok(DiaryWeek {
            child,
            monday,
            days,
            other_marks: parts.other_marks,
        })
    }
}
