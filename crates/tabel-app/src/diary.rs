//! The family's cabinet — the electronic diary (регламент, п. 2): a pupil's day, week, marks by
//! subject with the weighted average, the schedule of control works, teachers, calendar,
//! homework and teachers' recommendations, for the pupil and the pupil's legal representatives.
//!
//! Every use case here starts with the same gate: the pupil's card is read and
//! [`Principal::may_view_student`] decides — staff of the school, the pupil, a parent whose consent
//! to the processing for the diary is in force. A parent's own child without that consent gets
//! [`AppError::NoConsent`] (nothing of the child is read past the card); anyone else gets
//! [`AppError::NotFound`], whether the pupil exists or not.
//!
//! Each view is read in a fixed handful of queries (see `tabel_store::diary`): one per list,
//! never one per lesson.

use crate::{App, AppError, check};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::Instant;
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::journal::{Attendance, Average};
use tabel_domain::school::{ConsentState, DayOffKind, GroupKind};
use tabel_domain::{LessonId, PeriodId, PersonId, SchoolId, SubjectId};
use tabel_store::assessment::{self as assessment_repo, Assessment};
use tabel_store::diary::{self as repo, DatedAttendance, DiaryLesson, GroupTeacher, YearBell};
use tabel_store::finals::Slot;
use tabel_store::homework_files::{self as files_repo, HomeworkFile};
use tabel_store::journal::{self as journal_repo, AttendanceEntry, LessonRecord, MarkEntry};
use tabel_store::school::{self as school_repo, ChildLink, Group, Holiday, Period, StudentCard};
use tabel_store::timetable::{Lesson, REGULAR};
use tabel_store::{Conn, audit};
use time::{Date, Duration, Weekday};

pub use tabel_store::diary::NamedRecommendation;

/// How many days back "new marks" reach on the day page (today included).
pub const NEW_MARKS_DAYS: i64 = 3;
/// How many days ahead the day page lists control works.
pub const ASSESSMENTS_AHEAD_DAYS: i64 = 14;
/// How many recommendations the day page shows.
pub const LATEST_RECOMMENDATIONS: usize = 3;
/// The longest homework range asked for at once.
pub const MAX_HOMEWORK_DAYS: i64 = 62;

/// `2026-W48`: the ISO week of a date.
pub fn iso_week(d: Date) -> String {
    let (year, week, _) = d.to_iso_week_date();
    format!("{year}-W{week:02}")
}

/// The Monday of an ISO week written `2026-W48` (or `2026-w48`); `None` when malformed or when
/// the year has no such week.
pub fn parse_iso_week(raw: &str) -> Option<Date> {
    let (year, week) = raw.trim().split_once(['W', 'w'])?;
    let year: i32 = year.strip_suffix('-')?.parse().ok()?;
    if week.len() != 2 || !tabel_domain::calendar::PLAUSIBLE_YEARS.contains(&year) {
        return None;
    }
    let week: u8 = week.parse().ok()?;
    Date::from_iso_week_date(year, week, Weekday::Monday).ok()
}

/// Monday of the week containing `d`.
pub fn monday_of(d: Date) -> Date {
    d - Duration::days(i64::from(d.weekday().number_days_from_monday()))
}

/// The pupil whose diary is read, as every view carries it (the page header).
#[derive(Debug, Clone, Serialize)]
pub struct DiaryChild {
    /// The pupil's card.
    pub card: StudentCard,
    /// The pupil's class today, if any.
    pub class: Option<Group>,
    /// Every group the pupil is in today (class, subgroups, streams, ИУП).
    pub groups: Vec<Group>,
}

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

/// Homework as the lists show it: what was set on which lesson, due when.
#[derive(Debug, Clone, Serialize)]
pub struct HomeworkItem {
    /// The lesson it was set on.
    pub lesson: Lesson,
    /// The text, minutes, due date.
    pub record: LessonRecord,
    /// When it is due (the due date, else the lesson's date).
    pub due: Date,
    /// Files.
    pub files: Vec<HomeworkFile>,
}

/// The day page: what a family looks at every evening.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryToday {
    /// The pupil.
    pub child: DiaryChild,
    /// Today.
    pub today: Date,
    /// Today's lessons with their changes (none on a day without lessons).
    pub day: DiaryDay,
    /// The next day with lessons within a week, if any.
    pub next: Option<DiaryDay>,
    /// Marks dated in the last [`NEW_MARKS_DAYS`] days, newest first.
    pub new_marks: Vec<DiaryMark>,
    /// Homework due today or on the next day with lessons.
    pub homework: Vec<HomeworkItem>,
    /// Control works of the class in the next [`ASSESSMENTS_AHEAD_DAYS`] days.
    pub assessments: Vec<Assessment>,
    /// The latest recommendations.
    pub recommendations: Vec<NamedRecommendation>,
}

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

/// The control works of the pupil's class in a period.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryAssessments {
    /// The pupil.
    pub child: DiaryChild,
    /// The period shown.
    pub period: Period,
    /// Every period of the pupil's grade this year.
    pub periods: Vec<Period>,
    /// The procedures, by date.
    pub assessments: Vec<Assessment>,
}

/// Who teaches the pupil.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryTeachers {
    /// The pupil.
    pub child: DiaryChild,
    /// The class teacher, "Смирнова Е. В.".
    pub class_teacher: Option<String>,
    /// Teachers by subject and group (class, subgroup, stream, ИУП), in the school's subject order.
    pub teachers: Vec<GroupTeacher>,
}

/// The calendar of the pupil's class.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryCalendar {
    /// The pupil.
    pub child: DiaryChild,
    /// Year, periods, holidays, bells (none without a class this year).
    pub calendar: Option<crate::timetable::CalendarView>,
}

/// Homework by due date.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryHomework {
    /// The pupil.
    pub child: DiaryChild,
    /// First due date.
    pub from: Date,
    /// Last due date.
    pub to: Date,
    /// The homework, by due date.
    pub items: Vec<HomeworkItem>,
}

/// The pupil's recommendations.
#[derive(Debug, Clone, Serialize)]
pub struct DiaryRecommendations {
    /// The pupil.
    pub child: DiaryChild,
    /// Newest first.
    pub items: Vec<NamedRecommendation>,
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
    /// The weighted average so far ("4.43", "—").
    pub average: String,
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

/// A linked child on the parent's own page.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyChild {
    /// The link with the consent states.
    pub link: ChildLink,
    /// Whether the diary of the child is open to the parent now.
    pub visible: bool,
}

impl App {
    /// The gate of every diary use case: the pupil exists and `p` may see them (staff, the
    /// pupil, a parent with consent); `NoConsent` for a parent's own child without consent,
    /// `NotFound` otherwise.
    async fn diary_gate(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentCard, AppError> {
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        check(p.may_view_student(&StudentFacts {
            student,
            school: card.school,
        }))?;
        Ok(card)
    }

    /// The gate, then the pupil with today's groups.
    async fn diary_child(
        &self,
        c: &mut Conn<'_>,
        p: &Principal,
        student: PersonId,
    ) -> Result<DiaryChild, AppError> {
        let card = self.diary_gate(c, p, student).await?;
        let groups = school_repo::groups_of_student(c, student, self.today()).await?;
        let class = groups.iter().find(|g| g.kind == GroupKind::Class).cloned();
        Ok(DiaryChild {
            card,
            class,
            groups,
        })
    }

    /// The family of the user: a parent's linked children with consent states (for the child
    /// picker and the parent's own page); empty for anyone else.
    pub async fn family(&self, p: &Principal) -> Result<Vec<FamilyChild>, AppError> {
        if p.children.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .my_children(p)
            .await?
            .into_iter()
            .map(|link| FamilyChild {
                visible: link.diary_consent == Some(ConsentState::Given)
                    && p.may_view_student(&StudentFacts {
                        student: link.student.id,
                        school: link.school,
                    })
                    .allowed(),
                link,
            })
            .collect())
    }

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

    /// The day page: today's lessons with changes (or the next day's), new marks, homework due
    /// today and on the next day with lessons, control works of the next two weeks, the latest
    /// recommendations.
    #[tracing::instrument(skip_all, fields(student = %student))]
    pub async fn diary_today(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<DiaryToday, AppError> {
        let today = self.today();
        let week_on = today + Duration::days(7);
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let child = self.diary_child(c, p, student).await?;
        let lessons = repo::lessons_of_student(c, student, (today, week_on)).await?;
        let marks_from = today - Duration::days(NEW_MARKS_DAYS - 1);
        let marks = journal_repo::marks_of_student(c, student, (marks_from, today)).await?;
        let attendance = repo::attendance_of_student(c, student, (today, today)).await?;
        let parts = self
            .diary_parts(c, &child, lessons, (today, week_on), marks, attendance)
            .await?;
        let next_on = parts
            .lessons
            .iter()
            .map(|l| l.lesson.on)
            .find(|d| *d > today);
        let mut day = DiaryDay {
            on: today,
            day_off: None,
            lessons: Vec::new(),
        };
        let mut next = next_on.map(|on| DiaryDay {
            on,
            day_off: None,
            lessons: Vec::new(),
        });
        for l in parts.lessons {
            if l.lesson.on == today {
                day.lessons.push(l);
            } else if let Some(n) = next.as_mut().filter(|n| n.on == l.lesson.on) {
                n.lessons.push(l);
            }
        }
        // Marks of the days before today are on lessons outside the list: they come apart.
        let mut new_marks: Vec<DiaryMark> = day
            .lessons
            .iter()
            .flat_map(|l| l.marks.iter().cloned())
            .chain(parts.other_marks)
            .collect();
        new_marks.sort_by(|a, b| b.mark.on.cmp(&a.mark.on).then(b.mark.id.cmp(&a.mark.id)));
        let due_to = next_on.unwrap_or(today);
        let homework = self.homework_items(c, student, (today, due_to)).await?;
        let assessments = match &child.class {
            Some(class) => assessment_repo::assessments_of_class(c, class.id, class.year)
                .await?
                .into_iter()
                .filter(|a| today <= a.on && a.on <= today + Duration::days(ASSESSMENTS_AHEAD_DAYS))
                .collect(),
            None => Vec::new(),
        };
        let recommendations = repo::recommendations_of_student(
            c,
            student,
            i64::try_from(LATEST_RECOMMENDATIONS).unwrap_or(3),
        )
        .await?;
        Ok(DiaryToday {
            child,
            today,
            day,
            next,
            new_marks,
            homework,
            assessments,
            recommendations,
        })
    }

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
            let Some(kind) = Attendance::from_code(&a.attendance.code).ok() else {
                continue;
            };
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

    /// The control works (assessment procedures) of the pupil's class in a period (the current
    /// one by default), by date.
    pub async fn diary_assessments(
        &self,
        p: &Principal,
        student: PersonId,
        period: Option<PeriodId>,
    ) -> Result<DiaryAssessments, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let child = self.diary_child(c, p, student).await?;
        let (period, periods) = self.period_of_child(c, &child, period).await?;
        let assessments = match &child.class {
            Some(class) => assessment_repo::assessments_of_class(c, class.id, class.year)
                .await?
                .into_iter()
                .filter(|a| period.starts_on <= a.on && a.on <= period.ends_on)
                .collect(),
            None => Vec::new(),
        };
        Ok(DiaryAssessments {
            child,
            period,
            periods,
            assessments,
        })
    }

    /// Who teaches the pupil today: the class teacher, and the teachers of every group the pupil
    /// is in (class, subgroups, streams, individual curriculum), by subject.
    pub async fn diary_teachers(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<DiaryTeachers, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let child = self.diary_child(c, p, student).await?;
        let teachers = repo::teachers_of_student(c, student, self.today()).await?;
        Ok(DiaryTeachers {
            class_teacher: child.class.as_ref().and_then(|g| g.class_teacher.clone()),
            child,
            teachers,
        })
    }

    /// The calendar of the pupil's class: periods, holidays, week length, bells.
    pub async fn diary_calendar(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<DiaryCalendar, AppError> {
        let child = {
            let mut pooled = self.db.acquire().await?;
            self.diary_child(&mut pooled.conn(), p, student).await?
        };
        let calendar = match &child.class {
            // The pupil's class is visible to whoever passed the gate (its member, a parent
            // with consent, the school's staff); calendar_of checks that again.
            Some(class) => Some(self.calendar_of(p, class.id).await?),
            None => None,
        };
        Ok(DiaryCalendar { child, calendar })
    }

    /// Homework due in a range (at most [`MAX_HOMEWORK_DAYS`] days), by due date, with files.
    pub async fn diary_homework(
        &self,
        p: &Principal,
        student: PersonId,
        (from, to): (Date, Date),
    ) -> Result<DiaryHomework, AppError> {
        if to < from {
            return Err(AppError::invalid("to", "the end is before the start"));
        }
        if to - from > Duration::days(MAX_HOMEWORK_DAYS) {
            return Err(AppError::invalid(
                "to",
                format!("at most {MAX_HOMEWORK_DAYS} days at a time"),
            ));
        }
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let child = self.diary_child(c, p, student).await?;
        let items = self.homework_items(c, student, (from, to)).await?;
        Ok(DiaryHomework {
            child,
            from,
            to,
            items,
        })
    }

    /// The pupil's recommendations with teacher and subject names, newest first.
    pub async fn diary_recommendations(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<DiaryRecommendations, AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let child = self.diary_child(c, p, student).await?;
        let items = repo::recommendations_of_student(c, student, 500).await?;
        Ok(DiaryRecommendations { child, items })
    }

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

    /// The requested period of the pupil's grade, or the current one (else the last started,
    /// else the first), with every period of the grade.
    async fn period_of_child(
        &self,
        c: &mut Conn<'_>,
        child: &DiaryChild,
        wanted: Option<PeriodId>,
    ) -> Result<(Period, Vec<Period>), AppError> {
        let class = child.class.as_ref().ok_or_else(|| {
            AppError::Conflict("the pupil is not in a class this school year".into())
        })?;
        let periods = grade_periods(c, class).await?;
        let today = self.today();
        let period = match wanted {
            Some(id) => periods
                .iter()
                .find(|x| x.id == id)
                .cloned()
                .ok_or_else(|| AppError::invalid("period", "no such period for this pupil"))?,
            None => periods
                .iter()
                .find(|x| x.starts_on <= today && today <= x.ends_on)
                .or_else(|| periods.iter().rev().find(|x| x.starts_on <= today))
                .or_else(|| periods.first())
                .cloned()
                .ok_or_else(|| {
                    AppError::Conflict("the class's year has no reporting periods".into())
                })?,
        };
        Ok((period, periods))
    }

    /// Homework due in a range with its files: two queries.
    async fn homework_items(
        &self,
        c: &mut Conn<'_>,
        student: PersonId,
        range: (Date, Date),
    ) -> Result<Vec<HomeworkItem>, AppError> {
        let lessons = repo::homework_of_student(c, student, range).await?;
        let ids: Vec<i64> = lessons.iter().map(|l| l.lesson.id.get()).collect();
        let mut files = files_by_lesson(files_repo::files_of_lessons(c, &ids).await?);
        Ok(lessons
            .into_iter()
            .map(|DiaryLesson { lesson, record }| HomeworkItem {
                due: record.record.homework_due_on.unwrap_or(lesson.on),
                files: files.remove(&lesson.id).unwrap_or_default(),
                record: record.record,
                lesson,
            })
            .collect())
    }

    /// Lessons with bells, files, marks and attendance put on them; marks not on any of the
    /// lessons are returned apart. Four queries (files, bells, bell days, policy) and the
    /// subjects' names when a mark needs one.
    async fn diary_parts(
        &self,
        c: &mut Conn<'_>,
        child: &DiaryChild,
        lessons: Vec<DiaryLesson>,
        range: (Date, Date),
        marks: Vec<MarkEntry>,
        attendance: Vec<DatedAttendance>,
    ) -> Result<Parts, AppError> {
        let ids: Vec<i64> = lessons.iter().map(|l| l.lesson.id.get()).collect();
        let mut files = files_by_lesson(files_repo::files_of_lessons(c, &ids).await?);
        let year = lessons
            .first()
            .map(|l| l.lesson.year)
            .or(child.class.as_ref().map(|g| g.year));
        let (bells, variants): (Vec<YearBell>, HashMap<Date, String>) = match year {
            Some(y) if !lessons.is_empty() => (
                repo::bells_of_year(c, y).await?,
                repo::bell_days_between(c, y, range)
                    .await?
                    .into_iter()
                    .collect(),
            ),
            _ => (Vec::new(), HashMap::new()),
        };
        let policy = self.policy_of(c, child.card.school).await?;
        let lesson_subjects: HashMap<LessonId, String> = lessons
            .iter()
            .map(|l| (l.lesson.id, l.lesson.subject_name.clone()))
            .collect();
        let needs_names = marks
            .iter()
            .any(|m| m.lesson.is_none_or(|id| !lesson_subjects.contains_key(&id)));
        let names = if needs_names {
            subject_names(c, child.card.school).await?
        } else {
            lessons
                .iter()
                .map(|l| (l.lesson.subject, l.lesson.subject_name.clone()))
                .collect()
        };
        let mut marks_by_lesson: HashMap<LessonId, Vec<DiaryMark>> = HashMap::new();
        let mut other_marks = Vec::new();
        for m in marks {
            let lesson = m.lesson.filter(|id| lesson_subjects.contains_key(id));
            let dm = diary_mark(&policy.policy, &names, m);
            match lesson {
                Some(id) => marks_by_lesson.entry(id).or_default().push(dm),
                None => other_marks.push(dm),
            }
        }
        let mut attendance_by_lesson: HashMap<LessonId, AttendanceEntry> = attendance
            .into_iter()
            .map(|a| (a.attendance.lesson, a.attendance))
            .collect();
        let views = lessons
            .into_iter()
            .map(|DiaryLesson { lesson, record }| {
                let slot = bell_of(&bells, &variants, &lesson);
                DiaryLessonView {
                    starts: slot.map(|s| s.0),
                    ends: slot.map(|s| s.1),
                    files: files.remove(&lesson.id).unwrap_or_default(),
                    marks: marks_by_lesson.remove(&lesson.id).unwrap_or_default(),
                    attendance: attendance_by_lesson.remove(&lesson.id),
                    record: record.record,
                    lesson,
                }
            })
            .collect();
        Ok(Parts {
            lessons: views,
            other_marks,
        })
    }

    /// Whether `p` may download the homework files of a lesson as family: a pupil of the
    /// lesson's group on its date, or a parent of one with the diary consent in force (through
    /// the same gate as the diary). A parent of a pupil of the group without consent gets
    /// [`AppError::NoConsent`]; anyone else gets `denied` (the journal's answer).
    pub(crate) async fn lesson_family_reader(
        &self,
        p: &Principal,
        l: &Lesson,
        denied: AppError,
    ) -> Result<(), AppError> {
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let mut candidates: Vec<PersonId> = Vec::new();
        if let Some(me) = p.person.filter(|_| p.student_in == Some(l.school)) {
            candidates.push(me);
        }
        candidates.extend(
            p.children
                .iter()
                .filter(|x| x.school == l.school)
                .map(|x| x.student),
        );
        let mut no_consent = false;
        for pupil in candidates {
            if !journal_repo::was_member(c, l.group, pupil, l.on).await? {
                continue;
            }
            match check(p.may_view_student(&StudentFacts {
                student: pupil,
                school: l.school,
            })) {
                Ok(()) => return Ok(()),
                Err(AppError::NoConsent) => no_consent = true,
                Err(_) => {}
            }
        }
        Err(if no_consent {
            AppError::NoConsent
        } else {
            denied
        })
    }
}

/// What [`App::diary_parts`] puts together.
struct Parts {
    lessons: Vec<DiaryLessonView>,
    other_marks: Vec<DiaryMark>,
}

/// The reporting periods of a class's grade (the kind its parallel uses), by number.
async fn grade_periods(c: &mut Conn<'_>, class: &Group) -> Result<Vec<Period>, AppError> {
    let kind = school_repo::list_parallels(c, class.year)
        .await?
        .into_iter()
        .find(|x| x.grade == class.grade)
        .map(|x| x.period_kind);
    Ok(school_repo::list_periods(c, class.year)
        .await?
        .into_iter()
        .filter(|x| Some(x.kind) == kind)
        .collect())
}

async fn subject_names(
    c: &mut Conn<'_>,
    school: tabel_domain::SchoolId,
) -> Result<HashMap<SubjectId, String>, AppError> {
    Ok(school_repo::list_subjects(c, school)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

fn diary_mark(
    policy: &tabel_domain::journal::GradingPolicy,
    names: &HashMap<SubjectId, String>,
    m: MarkEntry,
) -> DiaryMark {
    DiaryMark {
        subject_name: names.get(&m.subject).cloned().unwrap_or_default(),
        work_name: tabel_present::work_name(policy, &m.work_type).to_owned(),
        mark: m,
    }
}

fn files_by_lesson(files: Vec<HomeworkFile>) -> HashMap<LessonId, Vec<HomeworkFile>> {
    let mut out: HashMap<LessonId, Vec<HomeworkFile>> = HashMap::new();
    for f in files {
        out.entry(f.lesson).or_default().push(f);
    }
    out
}

/// The bell times of a lesson: its shift's slot in the day's variant, else the regular one.
fn bell_of(bells: &[YearBell], variants: &HashMap<Date, String>, l: &Lesson) -> Option<(u16, u16)> {
    let variant = variants.get(&l.on).map_or(REGULAR, String::as_str);
    let find = |v: &str| {
        bells
            .iter()
            .find(|(shift, var, slot)| *shift == l.shift && var == v && slot.number == l.number)
            .map(|(_, _, s)| (s.starts, s.ends))
    };
    find(variant).or_else(|| find(REGULAR))
}

/// The holiday or non-working day covering a date (a worked day is a school day).
fn day_off(holidays: &[Holiday], on: Date) -> Option<Holiday> {
    holidays
        .iter()
        .find(|h| h.kind != DayOffKind::WorkingDay && h.starts_on <= on && on <= h.ends_on)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn iso_weeks_round_trip_and_bad_ones_are_refused() {
        assert_eq!(iso_week(date!(2026 - 11 - 28)), "2026-W48");
        assert_eq!(parse_iso_week("2026-W48"), Some(date!(2026 - 11 - 23)));
        assert_eq!(parse_iso_week("2026-w48"), Some(date!(2026 - 11 - 23)));
        // 1 January 2027 is a Friday: it belongs to the last week of 2026.
        assert_eq!(iso_week(date!(2027 - 01 - 01)), "2026-W53");
        assert_eq!(parse_iso_week("2026-W53"), Some(date!(2026 - 12 - 28)));
        for bad in [
            "",
            "2026",
            "2026-48",
            "2026-W",
            "2026-W4",
            "2026-W480",
            "2025-W53",
            "2026-W00",
            "x-W10",
            "2026W48",
        ] {
            assert_eq!(parse_iso_week(bad), None, "{bad:?}");
        }
        for d in [
            date!(2026 - 09 - 01),
            date!(2027 - 05 - 31),
            date!(2026 - 12 - 31),
        ] {
            let monday = parse_iso_week(&iso_week(d)).unwrap();
            assert_eq!(monday, monday_of(d));
        }
    }

    #[test]
    fn the_shortened_day_takes_its_bells_and_falls_back_to_the_regular_ones() {
        let slot = |n, s, e| tabel_domain::timetable::BellSlot {
            number: n,
            starts: s,
            ends: e,
        };
        let bells: Vec<YearBell> = vec![
            (1, REGULAR.into(), slot(1, 510, 555)),
            (1, REGULAR.into(), slot(2, 565, 610)),
            (1, "short".into(), slot(1, 510, 540)),
            (2, REGULAR.into(), slot(1, 810, 855)),
        ];
        let mut l = Lesson {
            id: LessonId::new(1),
            school: tabel_domain::SchoolId::new(1),
            year: tabel_domain::AcademicYearId::new(1),
            group: tabel_domain::GroupId::new(1),
            group_name: "5А".into(),
            grade: 5,
            on: date!(2026 - 11 - 23),
            number: 1,
            subject: SubjectId::new(1),
            subject_name: "Математика".into(),
            teacher: PersonId::new(1),
            teacher_name: "Смирнова Е. В.".into(),
            room: String::new(),
            status: tabel_domain::timetable::LessonStatus::Planned,
            original_teacher: None,
            original_teacher_name: None,
            original_date: None,
            original_number: None,
            reason: None,
            cause: None,
            has_journal_data: false,
            version: 1,
            shift: 1,
            lesson_type: None,
        };
        let mut days = HashMap::new();
        assert_eq!(bell_of(&bells, &days, &l), Some((510, 555)));
        days.insert(l.on, "short".to_owned());
        assert_eq!(bell_of(&bells, &days, &l), Some((510, 540)));
        l.number = 2;
        assert_eq!(bell_of(&bells, &days, &l), Some((565, 610)));
        l.shift = 2;
        l.number = 1;
        assert_eq!(bell_of(&bells, &days, &l), Some((810, 855)));
        l.number = 7;
        assert_eq!(bell_of(&bells, &days, &l), None);
    }
}
