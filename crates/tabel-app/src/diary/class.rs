//! What the class has: control works ahead, its teachers, the calendar, homework and recommendations.

use super::*;

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

impl App {
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
            Some(class) => crate::assessment::published_for_student(
                c,
                student,
                class,
                period.ends_on.min(self.today()),
            )
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
}
