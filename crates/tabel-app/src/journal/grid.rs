//! The journal grid: the journals a user keeps, a journal's pupils, lessons and cells, a cell's history, the class's journals and the lesson sheet.

use super::*;

/// A pupil's row of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct JournalStudent {
    /// Who, with membership dates.
    #[serde(flatten)]
    pub entry: RosterEntry,
    /// The weighted average in the period.
    pub average: Average,
    /// Marks counted in it.
    pub marks: u32,
    /// Absences in the period.
    pub absences: u32,
}

/// A column of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct JournalLesson {
    /// The lesson.
    pub lesson: Lesson,
    /// Its record.
    pub record: VersionedRecord,
}

/// The teacher's grid of one journal (group × subject) for one period.
#[derive(Debug, Clone, Serialize)]
pub struct JournalView {
    /// The group.
    pub group: Group,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The period shown.
    pub period: Period,
    /// The periods of the group's parallel, to switch.
    pub periods: Vec<Period>,
    /// The policy in force.
    pub policy: PolicyView,
    /// Pupils.
    pub students: Vec<JournalStudent>,
    /// Lessons.
    pub lessons: Vec<JournalLesson>,
    /// Marks.
    pub marks: Vec<MarkEntry>,
    /// Attendance.
    pub attendance: Vec<AttendanceEntry>,
    /// Whether the viewer may write here (as a teacher).
    pub may_write: bool,
    /// Whether the viewer may close or reopen the period (administrators, deputy heads).
    pub may_close: bool,
    /// Whether the viewer may correct the period with a reason: it is closed and they administer
    /// the school.
    pub may_correct: bool,
}

impl JournalView {
    /// Whether a lesson takes marks and attendance on `today`: not cancelled, not in the future.
    pub fn lesson_open(l: &Lesson, today: Date) -> bool {
        l.status != LessonStatus::Cancelled && l.on <= today
    }

    /// Who may write a pupil's cell of a lesson: `(writable, correction)`. Its teacher writes
    /// while the period is open; an administrator corrects a closed one with a reason; nobody
    /// writes a cancelled or future lesson, or for a pupil who was not in the group that day.
    pub fn cell_access(&self, l: &Lesson, today: Date, member: bool) -> (bool, bool) {
        let open = member && Self::lesson_open(l, today);
        let correction = open && self.may_correct;
        ((self.may_write && open) || correction, correction)
    }
}

/// A change in a cell's history.
#[derive(Debug, Clone, Serialize)]
pub struct CellChange {
    /// When.
    pub at: OffsetDateTime,
    /// Who (user id).
    pub actor: Option<i64>,
    /// What (`mark.record`, `attendance.delete`…).
    pub action: String,
    /// Before.
    pub before: Option<serde_json::Value>,
    /// After.
    pub after: Option<serde_json::Value>,
    /// Why.
    pub reason: Option<String>,
    /// From where (`None` when redacted).
    pub origin: Option<String>,
    /// Why the client's address is not shown, when it was redacted.
    pub origin_redacted: Option<tabel_domain::audit::Redaction>,
    /// Why before and after are not shown, when they were redacted.
    pub details_redacted: Option<tabel_domain::audit::Redaction>,
}

/// A journal a teacher keeps.
#[derive(Debug, Clone, Serialize)]
pub struct JournalRef {
    /// Group.
    pub group: GroupId,
    /// Group name.
    pub group_name: String,
    /// Subject.
    pub subject: SubjectId,
    /// Subject name.
    pub subject_name: String,
}

impl App {
    /// The journals the user keeps this year (a teacher's assignments).
    pub async fn my_journals(&self, p: &Principal) -> Result<Vec<JournalRef>, AppError> {
        let Some(me) = p.person else {
            return Ok(Vec::new());
        };
        let mut c = self.db.acquire().await?;
        let mut out = Vec::new();
        for school in p.schools() {
            if !p.has_role(Role::Teacher, school) {
                continue;
            }
            let Some(year) =
                school_repo::academic_year_on(&mut c.conn(), school, self.today()).await?
            else {
                continue;
            };
            for (group, group_name, subject, subject_name) in
                repo::journals_of_teacher(&mut c.conn(), me, year.id).await?
            {
                out.push(JournalRef {
                    group,
                    group_name,
                    subject,
                    subject_name,
                });
            }
        }
        Ok(out)
    }

    /// The grid of a journal for a period (the current one when `period` is `None`): teachers
    /// of the journal, the class teacher, deputies and administrators.
    pub async fn journal(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
        period: Option<PeriodId>,
    ) -> Result<JournalView, AppError> {
        self.journal_as(p, group, subject, period, false).await
    }

    /// The grid; `substitute` = the viewer teaches a lesson of it without being assigned (a
    /// substitution), which lets them read and write for that lesson's page.
    async fn journal_as(
        &self,
        p: &Principal,
        group: GroupId,
        subject: SubjectId,
        period: Option<PeriodId>,
        substitute: bool,
    ) -> Result<JournalView, AppError> {
        let today = self.today();
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, group, today)
            .await?
            .ok_or(AppError::NotFound)?;
        let assigned = substitute
            || match p.person {
                Some(me) => {
                    p.has_role(Role::Teacher, g.school)
                        && repo::is_assigned(c, me, group, subject).await?
                }
                None => false,
            };
        let class = g.parent.unwrap_or(g.id);
        let reader = assigned
            || p.is_admin_of(g.school)
            || p.has_role(Role::Deputy, g.school)
            || p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == g.school && *k == class);
        if !reader {
            return Err(
                if p.is_staff_of(g.school) || p.schools().contains(&g.school) {
                    AppError::Forbidden
                } else {
                    AppError::NotFound
                },
            );
        }
        let (current, periods) = period_of(c, &g, today).await?;
        let period = match period {
            Some(id) => periods
                .iter()
                .find(|x| x.id == id)
                .cloned()
                .ok_or_else(|| AppError::invalid("period", "no such period for this class"))?,
            None => current
                .or_else(|| periods.iter().rev().find(|x| x.starts_on <= today).cloned())
                .or_else(|| periods.first().cloned())
                .ok_or_else(|| {
                    AppError::Conflict("the class's year has no reporting periods".into())
                })?,
        };
        let range = (period.starts_on, period.ends_on);
        let lessons = tt::lessons_of_journal(c, group, subject, range.0, range.1).await?;
        // Lessons of a teacher who substitutes (not assigned) are visible to them through the
        // lesson itself; the grid needs the assignment or a reading role.
        let records: HashMap<LessonId, VersionedRecord> =
            repo::records_of_group(c, group, subject, range)
                .await?
                .into_iter()
                .map(|r| (r.lesson, r))
                .collect();
        let subject_name = match lessons.first() {
            Some(l) => l.subject_name.clone(),
            None => school_repo::list_subjects(c, g.school)
                .await?
                .into_iter()
                .find(|s| s.id == subject)
                .map(|s| s.name)
                .ok_or(AppError::NotFound)?,
        };
        // Writing follows the assignment's dates: an assignment ended before the period (or
        // starting after it) reads the period but writes none of it.
        let may_write = assigned
            && period.locked_at.is_none()
            && match (substitute, p.person) {
                (false, Some(me)) => {
                    tabel_store::teaching::assigned_within(c, me, group, subject, range).await?
                }
                _ => true,
            };
        let roster = repo::roster(c, group, range).await?;
        let marks = repo::marks_of_group(c, group, subject, range).await?;
        let attendance = repo::attendance_of_group(c, group, subject, range).await?;
        let policy = (*self.policy_of(c, g.school).await?).clone();
        let mut averages: HashMap<PersonId, Average> = HashMap::new();
        for m in &marks {
            if let Ok(mark) = policy.policy.parse_mark(&m.value, subject.get()) {
                averages.entry(m.student).or_default().add(mark, m.weight);
            }
        }
        let mut absences: HashMap<PersonId, u32> = HashMap::new();
        for a in &attendance {
            if a.code.is_absence() {
                *absences.entry(a.student).or_default() += 1;
            }
        }
        let students = roster
            .into_iter()
            .map(|entry| {
                let avg = averages.get(&entry.student).copied().unwrap_or_default();
                JournalStudent {
                    average: avg,
                    marks: avg.count,
                    absences: absences.get(&entry.student).copied().unwrap_or(0),
                    entry,
                }
            })
            .collect();
        let lessons = lessons
            .into_iter()
            .map(|l| {
                let record = records.get(&l.id).cloned().unwrap_or(VersionedRecord {
                    lesson: l.id,
                    record: LessonRecord::default(),
                    version: 0,
                });
                JournalLesson { lesson: l, record }
            })
            .collect();
        Ok(JournalView {
            subject,
            subject_name,
            may_write,
            may_correct: period.locked_at.is_some() && p.is_admin_of(g.school),
            may_close: crate::timetable::may_plan(p, g.school).allowed(),
            period,
            periods,
            policy,
            students,
            lessons,
            marks,
            attendance,
            group: g,
        })
    }
}

impl App {
    /// The history of a cell (pupil × lesson): marks and attendance, newest first (whoever may
    /// read the journal).
    pub async fn cell_history(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
        student: PersonId,
    ) -> Result<Vec<CellChange>, AppError> {
        let l = {
            let mut c = self.db.acquire().await?;
            tt::get_lesson(&mut c.conn(), lesson)
                .await?
                .ok_or(AppError::NotFound)?
        };
        // Reading the journal is the permission to read its history.
        self.journal_reader(p, &l).await?;
        let mut c = self.db.acquire().await?;
        let key = cell_key(lesson.get(), student);
        let mut out = Vec::new();
        for entity in ["mark", "attendance"] {
            for r in audit::history_of(&mut c.conn(), entity, &key, 200).await? {
                let (origin_redacted, details_redacted) =
                    (r.origin_redacted(), r.details_redacted());
                out.push(CellChange {
                    origin_redacted,
                    details_redacted,
                    at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.at_micros) * 1000)
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    actor: r.actor_user_id,
                    action: r.action,
                    before: r.before_json.and_then(|b| serde_json::from_str(&b).ok()),
                    after: r.after_json.and_then(|a| serde_json::from_str(&a).ok()),
                    reason: r.reason,
                    origin: r.origin.filter(|_| origin_redacted.is_none()),
                });
            }
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.at));
        Ok(out)
    }
}

impl App {
    /// The journals of a class for its page: all of them for whoever reads the class's
    /// journals (administrators, deputy heads, the class teacher), a teacher's own otherwise;
    /// refused to families (403 for their own class, 404 for any other).
    pub async fn class_journals(
        &self,
        p: &Principal,
        class: GroupId,
    ) -> Result<Vec<repo::ClassJournal>, AppError> {
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let g = school_repo::get_group(c, class, self.today())
            .await?
            .ok_or(AppError::NotFound)?;
        let all = repo::journals_of_class(c, class).await?;
        let reads_all = p.is_admin_of(g.school)
            || p.has_role(Role::Deputy, g.school)
            || p.class_teacher_of
                .iter()
                .any(|(s, k)| *s == g.school && *k == class);
        if reads_all {
            return Ok(all);
        }
        if !p.is_staff_of(g.school) {
            // A family knows its own class and is refused; anyone else is told nothing, exactly
            // as for a class that does not exist (not an empty list).
            let facts = crate::school::group_facts(c, p, &g, self.today()).await?;
            return Err(if p.may_view_group(&facts).allowed() {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let mine = |j: &repo::ClassJournal| {
            p.has_role(Role::Teacher, g.school) && p.person == Some(j.teacher)
        };
        Ok(all.into_iter().filter(mine).collect())
    }
}

/// One lesson of a journal: the lesson and the grid of the period it falls in.
#[derive(Debug, Clone, Serialize)]
pub struct LessonSheet {
    /// The lesson.
    pub lesson: Lesson,
    /// The grid of its period (the lesson is one of its columns).
    pub journal: JournalView,
    /// The viewer reaches this lesson only as its teacher (a substitute): the lesson is
    /// theirs to write, the rest of the journal is not theirs to open.
    pub substitute: bool,
}

impl App {
    /// The journal of one lesson, for the lesson page: whoever may read the journal.
    pub async fn lesson_sheet(
        &self,
        p: &Principal,
        lesson: tabel_domain::LessonId,
    ) -> Result<LessonSheet, AppError> {
        let (l, period) = {
            let mut c = self.db.acquire().await?;
            let c = &mut c.conn();
            let l = tt::get_lesson(c, lesson).await?.ok_or(AppError::NotFound)?;
            let period = repo::period_on(c, l.year, l.grade, l.on, l.group)
                .await?
                .map(|(id, _)| id);
            (l, period)
        };
        // The teacher on the lesson (a substitute) or the one it was taken from writes it even
        // without being assigned to the journal; everyone else reads as the journal allows.
        let teaches = p.has_role(Role::Teacher, l.school)
            && p.person
                .is_some_and(|me| l.teacher == me || l.original_teacher == Some(me));
        let (journal, substitute) = match self.journal(p, l.group, l.subject, period).await {
            Err(AppError::Forbidden) if teaches => (
                self.journal_as(p, l.group, l.subject, period, true).await?,
                true,
            ),
            // A reader of the journal (its class teacher, say) substituting on this lesson.
            Ok(j) if teaches && !j.may_write && j.period.locked_at.is_none() => (
                JournalView {
                    may_write: true,
                    may_correct: false,
                    ..j
                },
                false,
            ),
            other => (other?, false),
        };
        Ok(LessonSheet {
            lesson: l,
            journal,
            substitute,
        })
    }
}
