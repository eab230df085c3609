//! The summary sheet of a class: final marks by subject and pupil.

use super::*;

/// The summary sheet (сводная ведомость) of a class for a year: final marks only.
#[derive(Debug, Clone, Serialize)]
pub struct SummarySheet {
    /// The class.
    pub class: Group,
    /// The year's periods of the class's grade.
    pub periods: Vec<Period>,
    /// Subjects, in the school's order.
    pub subjects: Vec<(SubjectId, String)>,
    /// Pupils of the class in the year (those who left included), with membership dates.
    pub students: Vec<RosterEntry>,
    /// Cells: (pupil, subject, slot code) → value as shown ("5", "н/а").
    pub cells: HashMap<(PersonId, SubjectId, String), String>,
}

impl App {
    /// The summary sheet of a class for its year, from final marks only (administrators,
    /// deputy heads, the class teacher).
    pub async fn summary_sheet(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<SummarySheet, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = crate::school::class_group(c, class, today).await?;
        let reads = p.is_admin_of(g.school)
            || p.has_role(Role::Deputy, g.school)
            || p.class_teacher_of.contains(&(g.school, g.id));
        if !reads {
            return Err(if p.is_staff_of(g.school) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let (_, first, last) = repo::year(c, g.year).await?.ok_or(AppError::NotFound)?;
        let (_, periods) = period_of(c, &g, today).await?;
        let students = journal_repo::roster(c, class, (first, last)).await?;
        let finals = repo::of_class(c, class, g.year).await?;
        // The school's subjects come in its order.
        let mut order: HashMap<SubjectId, (i64, String)> = school_repo::list_subjects(c, g.school)
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s.id, (i64::try_from(i).unwrap_or(i64::MAX), s.name)))
            .collect();
        let mut cells = HashMap::new();
        let mut present: Vec<SubjectId> = Vec::new();
        for f in finals {
            if !present.contains(&f.subject) {
                present.push(f.subject);
            }
            cells.insert((f.student, f.subject, f.slot.code()), value_of(&f.value));
        }
        // Subjects of the class's journals too, so an empty column says "not set yet".
        for j in journal_repo::journals_of_class(c, class).await? {
            if !present.contains(&j.subject) {
                present.push(j.subject);
            }
        }
        let mut subjects: Vec<(i64, SubjectId, String)> = present
            .into_iter()
            .map(|s| {
                let (order, name) = order.remove(&s).unwrap_or((i64::MAX, String::new()));
                (order, s, name)
            })
            .collect();
        subjects.sort();
        Ok(SummarySheet {
            class: g,
            periods,
            subjects: subjects.into_iter().map(|(_, s, n)| (s, n)).collect(),
            students,
            cells,
        })
    }
}
