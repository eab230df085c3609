//! The calendar of a class (study days, holidays, bells) and the teachers of a class.

use super::*;

/// The calendar of a class for its parents and teachers.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarView {
    /// The year.
    pub year: repo::AcademicYear,
    /// Grade.
    pub grade: u8,
    /// School days a week.
    pub week_days: u8,
    /// Reporting periods.
    pub periods: Vec<repo::Period>,
    /// Holidays, non-working and worked days that apply to the grade.
    pub days_off: Vec<repo::Holiday>,
    /// The bell schedule (regular variant, first shift).
    pub bells: Vec<BellSlot>,
}

impl App {
    /// The calendar of a class: year, periods, days off for its grade, week length, bells.
    pub async fn calendar_of(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<CalendarView, AppError> {
        let g = self.class(p, class, self.today()).await?;
        let mut c = self.db.acquire().await?;
        let year = year_of(&mut c.conn(), g.school, self.today()).await?;
        let week_days = repo::list_parallels(&mut c.conn(), year.id)
            .await?
            .into_iter()
            .find(|x| x.grade == g.grade)
            .map_or(5, |x| x.week_days);
        let periods = repo::list_periods(&mut c.conn(), year.id).await?;
        let kind = repo::list_parallels(&mut c.conn(), year.id)
            .await?
            .into_iter()
            .find(|x| x.grade == g.grade)
            .map(|x| x.period_kind);
        let periods = periods
            .into_iter()
            .filter(|x| Some(x.kind) == kind)
            .collect();
        let days_off = repo::list_holidays(&mut c.conn(), year.id)
            .await?
            .into_iter()
            .filter(|h| h.only_grade.is_none_or(|gr| gr == g.grade))
            .collect();
        let shift = tt::group_shift(&mut c.conn(), class).await?;
        let bells = tt::bell_slots(&mut c.conn(), year.id, shift, tt::REGULAR).await?;
        Ok(CalendarView {
            year,
            grade: g.grade,
            week_days,
            periods,
            days_off,
            bells,
        })
    }

    /// Who teaches a class, subgroup, stream or ИУП group: teacher and subjects, from the teaching
    /// assignments of the group and the groups tied to it, and from the timetable.
    pub async fn teachers_of(
        &self,
        p: &Principal,
        group: GroupId,
    ) -> Result<Vec<(String, String, Vec<String>)>, AppError> {
        let g = self.class(p, group, self.today()).await?;
        let mut c = self.db.acquire().await?;
        let mut groups = vec![group];
        if g.kind == tabel_domain::school::GroupKind::Class {
            let year = year_of(&mut c.conn(), g.school, self.today()).await?;
            for other in repo::list_groups(&mut c.conn(), year.id, self.today(), None).await? {
                if other.parent == Some(group)
                    || tt::classes_of_group(&mut c.conn(), other.id)
                        .await?
                        .contains(&group.get())
                        && other.id != group
                {
                    groups.push(other.id);
                }
            }
        }
        let mut by_teacher: Vec<(String, String, Vec<String>)> = Vec::new();
        let mut add = |id: String, name: String, subject: String| match by_teacher
            .iter_mut()
            .find(|t| t.0 == id)
        {
            Some(t) => {
                if !t.2.contains(&subject) {
                    t.2.push(subject);
                }
            }
            None => by_teacher.push((id, name, vec![subject])),
        };
        for gid in &groups {
            for a in repo::assignments_of_group(&mut c.conn(), *gid).await? {
                add(a.teacher.to_string(), a.teacher_name, a.subject);
            }
            for e in tt::entries_of_group(&mut c.conn(), *gid).await? {
                add(e.teacher.to_string(), e.teacher_name, e.subject_name);
            }
        }
        by_teacher.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(by_teacher)
    }
}
