//! A pupil's day at a glance: today's lessons, new marks, homework due and control works ahead.

use super::*;

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

impl App {
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
            Some(class) => crate::assessment::published_for_student(c, student, class, today)
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
}
