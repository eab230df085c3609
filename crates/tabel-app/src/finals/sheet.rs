//! The finals sheet of a journal: each pupil's period and year marks, the proposal, and what the user may do with each row.

use super::*;

/// A pupil's row of a journal's final marks.
#[derive(Debug, Clone, Serialize)]
pub struct FinalRow {
    /// The pupil with membership dates.
    pub entry: RosterEntry,
    /// The weighted average of the period ("4.43" or "—"); for the year, the periods' marks.
    pub average: Average,
    /// Marks counted.
    pub marks: u32,
    /// Lessons held while the pupil was in the group.
    pub lessons_held: u32,
    /// Of them, missed.
    pub lessons_missed: u32,
    /// What the journal proposes.
    pub proposal: Option<Proposal>,
    /// The final mark set, if any.
    pub current: Option<FinalRecord>,
    /// An open deferral of the cell: the teacher sets the mark even after the period closed.
    pub deferral: Option<Deferral>,
}

/// A journal's final marks for a slot.
#[derive(Debug, Clone, Serialize)]
pub struct FinalsSheet {
    /// The journal (group, subject, the period, the policy, the roster).
    pub journal: JournalView,
    /// The slot.
    pub slot: Slot,
    /// The subject's scale.
    pub scale: Scale,
    /// A row per pupil.
    pub rows: Vec<FinalRow>,
    /// The viewer may set them (the journal's teacher in an open period).
    pub may_set: bool,
    /// The viewer may correct them with a reason (an administrator; the period is closed).
    pub may_correct: bool,
    /// The viewer keeps this journal (set them while the period is open).
    pub teaches: bool,
    /// The slot is locked: its period is closed (for the year: the year's last period).
    pub closed: bool,
}

impl FinalsSheet {
    /// Whether a row's mark is a correction: the viewer may not set marks here now, and the row
    /// is not a deferred cell of the viewer's journal.
    pub fn is_correction(&self, row: &FinalRow) -> bool {
        !(self.may_set || row.deferral.is_some() && self.teaches)
    }

    /// Whether the viewer may write the row at all (set, set a deferred cell, or correct).
    pub fn may_write_row(&self, row: &FinalRow) -> bool {
        !self.is_correction(row) || self.may_correct
    }

    /// Whether the viewer plans the school's work (administrators, deputy heads): opens
    /// deferrals and the timetable desk. First grades get no final marks, so nothing to plan.
    pub fn may_plan(&self) -> bool {
        self.journal.may_close && self.journal.group.grade > 1
    }

    /// Refuses (403) a viewer who does not plan the school's work.
    pub fn require_planner(&self) -> Result<(), AppError> {
        if self.journal.may_close {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the viewer may defer a row's mark: they plan, and the row has neither a mark nor
    /// a deferral yet.
    pub fn may_defer(&self, row: &FinalRow) -> bool {
        self.may_plan() && row.current.is_none() && row.deferral.is_none()
    }
}

impl App {
    /// A journal's final marks for a period (or the year): each pupil's facts, the proposal and
    /// the mark set. Whoever may read the journal.
    pub async fn finals_sheet(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
        slot: Option<Slot>,
    ) -> Result<FinalsSheet, AppError> {
        let period = slot.and_then(Slot::period);
        let v = self.journal(p, group, subject, period).await?;
        let slot = match slot {
            Some(Slot::Year) => Slot::Year,
            _ => Slot::Period(v.period.id),
        };
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let year = v.group.year;
        let current: HashMap<PersonId, FinalRecord> = repo::of_subject(c, year, subject, slot)
            .await?
            .into_iter()
            .map(|f| (f.student, f))
            .collect();
        let deferred: HashMap<PersonId, Deferral> =
            debts_repo::open_deferrals_of_subject(c, year, subject, slot)
                .await?
                .into_iter()
                .map(|d| (d.student, d))
                .collect();
        let policy = v.policy.policy.clone();
        let scale = scale_of(&policy, subject);
        let today = self.today();
        let rows = match slot {
            Slot::Year => {
                // The year's proposal from the periods' finals of the subject.
                let mut by_student: HashMap<PersonId, Vec<FinalValue>> = HashMap::new();
                for period in &v.periods {
                    for f in repo::of_subject(c, year, subject, Slot::Period(period.id)).await? {
                        if let Some(value) = FinalValue::from_code(&f.value) {
                            by_student.entry(f.student).or_default().push(value);
                        }
                    }
                }
                v.students
                    .iter()
                    .map(|s| {
                        let periods = by_student
                            .get(&s.entry.student)
                            .cloned()
                            .unwrap_or_default();
                        let mut avg = Average::default();
                        for value in &periods {
                            if let FinalValue::Points(p) = value {
                                avg.add(Mark::Points(*p), 1);
                            }
                        }
                        FinalRow {
                            average: avg,
                            marks: avg.count,
                            lessons_held: 0,
                            lessons_missed: 0,
                            proposal: rules::propose_year(&policy, scale, &periods),
                            current: current.get(&s.entry.student).cloned(),
                            deferral: deferred.get(&s.entry.student).cloned(),
                            entry: s.entry.clone(),
                        }
                    })
                    .collect()
            }
            _ => {
                let until = today.min(v.period.ends_on);
                v.students
                    .iter()
                    .map(|s| {
                        let f = facts_of(&v, &s.entry, until);
                        FinalRow {
                            average: f.average,
                            marks: f.average.count + f.passes + f.fails,
                            lessons_held: f.lessons_held,
                            lessons_missed: f.lessons_missed,
                            // Grade 1: no marks, no final marks.
                            proposal: (v.group.grade > 1)
                                .then(|| rules::propose(&policy, scale, &f))
                                .flatten(),
                            current: current.get(&s.entry.student).cloned(),
                            deferral: deferred.get(&s.entry.student).cloned(),
                            entry: s.entry.clone(),
                        }
                    })
                    .collect()
            }
        };
        let closed = match slot {
            Slot::Year => v.periods.last().is_some_and(|x| x.locked_at.is_some()),
            _ => v.period.locked_at.is_some(),
        };
        let may_correct = p.is_admin_of(v.group.school);
        let teaches = v.may_write
            || match p.person {
                Some(me) => {
                    p.has_role(Role::Teacher, v.group.school)
                        && journal_repo::is_assigned(c, me, group, subject).await?
                }
                None => false,
            };
        Ok(FinalsSheet {
            closed,
            teaches,
            may_set: teaches && !closed,
            may_correct,
            slot,
            scale,
            rows,
            journal: v,
        })
    }
}
