//! Proposed final marks from the journal's weighted averages, for a school in one pass.

use super::*;

/// A pupil × subject proposal of a school-wide run.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalLine {
    /// The class.
    pub class: String,
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub name: String,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The weighted average.
    pub average: Average,
    /// Lessons held while the pupil was in the group.
    pub lessons_held: u32,
    /// Of them, missed.
    pub lessons_missed: u32,
    /// The proposal, if any.
    pub proposal: Option<Proposal>,
}

impl App {
    /// The journal's proposals for a reporting period across the school (or one class): every
    /// pupil × subject with lessons or marks in the period, from a handful of aggregate reads —
    /// the period's marks of the school added up, the lessons held, the absences and the
    /// classes' members — and no per-pupil query. The plain marks are added up on one pooled
    /// connection while the rest is read on another (the two take about as long each). Administrators
    /// and deputy heads (a class teacher for their class).
    pub async fn school_proposals(
        &self,
        p: &Principal,
        school: SchoolId,
        period: PeriodId,
        only: Option<GroupId>,
    ) -> Result<Vec<ProposalLine>, AppError> {
        let today = self.today();
        let mut first = self.db.acquire().await?;
        let c = &mut first.conn();
        let all = p.is_admin_of(school) || p.has_role(Role::Deputy, school);
        let mine = only.is_some_and(|k| p.class_teacher_of.contains(&(school, k)));
        if !all && !mine {
            return Err(if p.is_staff_of(school) {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        let year = school_repo::academic_year_on(c, school, today)
            .await?
            .ok_or(AppError::NotFound)?;
        let policy = self.policy_of(c, school).await?;
        let frame = ProposalFrame::read(c, (school, year.id), period, today).await?;
        let mut second = self.db.acquire().await?;
        let d = &mut second.conn();
        let (sums, reads) = tokio::join!(frame.mark_sums(c), Reads::read(d, &frame));
        Ok(frame.assemble(&policy.policy, only, sums?, reads?))
    }
}

/// The proposals of a school's period (see [`App::school_proposals`]) on one connection, for
/// callers inside a transaction (the demo generator).
pub async fn proposals_in(
    c: &mut Conn<'_>,
    policy: &GradingPolicy,
    (school, year): (SchoolId, AcademicYearId),
    period: PeriodId,
    only: Option<GroupId>,
    today: Date,
) -> Result<Vec<ProposalLine>, AppError> {
    let frame = ProposalFrame::read(c, (school, year), period, today).await?;
    let sums = frame.mark_sums(c).await?;
    let reads = Reads::read(c, &frame).await?;
    Ok(frame.assemble(policy, only, sums, reads))
}

/// What a school-wide proposal run is about: the school, its year, the period, the grades
/// that report by the period's kind and the subjects' names.
struct ProposalFrame {
    school: SchoolId,
    year: AcademicYearId,
    period: Period,
    /// The last day counted: today within the period, else its end.
    until: Date,
    grades: Vec<u8>,
    names: HashMap<SubjectId, String>,
}

/// The rest of what the proposals read besides the plain marks' sums (which take about as
/// long as all of this): the period's other marks one by one, the lessons held, the absences,
/// the year's memberships and the classes.
struct Reads {
    others: Vec<repo::OtherMark>,
    members: Vec<repo::Member>,
    lessons: Vec<repo::GroupLessons>,
    part_members: Vec<repo::PupilLessons>,
    absences: Vec<repo::AbsenceCount>,
    classes: Vec<Group>,
    rosters: Vec<repo::ClassMember>,
}

impl ProposalFrame {
    async fn read(
        c: &mut Conn<'_>,
        (school, year): (SchoolId, AcademicYearId),
        period: PeriodId,
        today: Date,
    ) -> Result<Self, AppError> {
        let period = school_repo::list_periods(c, year)
            .await?
            .into_iter()
            .find(|x| x.id == period)
            .ok_or_else(|| AppError::invalid("period", "no such period in this school's year"))?;
        let grades = school_repo::list_parallels(c, year)
            .await?
            .into_iter()
            .filter(|x| x.period_kind == period.kind)
            .map(|x| x.grade)
            .collect();
        let names = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        Ok(Self {
            school,
            year,
            until: today.min(period.ends_on),
            period,
            grades,
            names,
        })
    }

    /// The whole period: the marks' range.
    fn whole(&self) -> (Date, Date) {
        (self.period.starts_on, self.period.ends_on)
    }

    /// The period up to `until`: the range of lessons held and of memberships.
    fn to_date(&self) -> (Date, Date) {
        (self.period.starts_on, self.until)
    }

    /// The period's plain point marks of the school, added up per pupil × subject.
    async fn mark_sums(&self, c: &mut Conn<'_>) -> Result<Vec<repo::MarkSums>, AppError> {
        Ok(repo::mark_sums_of_school(c, self.school, self.whole()).await?)
    }

    /// The proposals from what was read, in memory.
    fn assemble(
        &self,
        policy: &GradingPolicy,
        only: Option<GroupId>,
        sums: Vec<repo::MarkSums>,
        reads: Reads,
    ) -> Vec<ProposalLine> {
        let mut facts: BTreeMap<(i64, i64), PeriodFacts> = BTreeMap::new();
        // Plain point marks arrive added up; a scale that does not take points (зачёт)
        // ignores them, as reading them one by one would.
        for m in sums {
            if scale_of(policy, SubjectId::new(m.subject_id)) == Scale::PassFail {
                continue;
            }
            let f = facts.entry((m.student_id, m.subject_id)).or_default();
            f.has_two |= m.lowest <= 2;
            f.average.sum += u64::try_from(m.sum).unwrap_or(0);
            f.average.weights += u64::try_from(m.weights).unwrap_or(0);
            f.average.count += u32::try_from(m.count).unwrap_or(0);
        }
        for m in reads.others {
            let f = facts.entry((m.student_id, m.subject_id)).or_default();
            match policy.parse_mark(&m.value, m.subject_id) {
                Ok(Mark::Pass) => f.passes += 1,
                Ok(Mark::Fail) => f.fails += 1,
                Ok(mark) => {
                    f.has_two |= mark.has_two();
                    f.average.add(mark, u8::try_from(m.weight).unwrap_or(1));
                }
                Err(_) => {}
            }
        }
        // Lessons held per pupil × subject: a group's count for each pupil there throughout,
        // the database's count within the dates for one who came or left in the middle.
        let mut held: HashMap<i64, Vec<(i64, u32)>> = HashMap::new();
        for l in reads.lessons {
            let count = u32::try_from(l.count).unwrap_or(0);
            held.entry(l.group_id)
                .or_default()
                .push((l.subject_id, count));
        }
        for m in reads.members {
            for &(subject, count) in held.get(&m.group_id).map(Vec::as_slice).unwrap_or_default() {
                facts
                    .entry((m.student_id, subject))
                    .or_default()
                    .lessons_held += count;
            }
        }
        for m in reads.part_members {
            facts
                .entry((m.student_id, m.subject_id))
                .or_default()
                .lessons_held += u32::try_from(m.count).unwrap_or(0);
        }
        for a in reads.absences {
            let missed = Attendance::from_code(&a.code).ok().is_some_and(|code| {
                code.missed_lesson(
                    u16::try_from(a.minutes_late.unwrap_or(0)).unwrap_or(u16::MAX),
                    LESSON_MINUTES,
                )
            });
            if missed && let Some(f) = facts.get_mut(&(a.student_id, a.subject_id)) {
                f.lessons_missed += u32::try_from(a.count).unwrap_or(0);
            }
        }
        let mut rosters: HashMap<i64, Vec<repo::ClassMember>> = HashMap::new();
        for m in reads.rosters {
            rosters.entry(m.group_id).or_default().push(m);
        }
        let mut out = Vec::new();
        // Grade 1 has no marks and so no final marks (first-grade rules).
        for class in reads.classes.into_iter().filter(|g| {
            g.grade > 1 && self.grades.contains(&g.grade) && only.is_none_or(|k| k == g.id)
        }) {
            let roster = rosters
                .get(&class.id.get())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let of = |s: &repo::ClassMember| {
                facts.range((s.student_id, i64::MIN)..=(s.student_id, i64::MAX))
            };
            // A subject nobody of the class has a mark in is not graded there (a course
            // without marks): no proposals for it.
            let graded: std::collections::HashSet<i64> = roster
                .iter()
                .flat_map(|s| of(s).filter(|(_, f)| f.average.count + f.passes + f.fails > 0))
                .map(|(&(_, subject), _)| subject)
                .collect();
            for s in roster {
                for (&(_, subject), f) in of(s).filter(|(k, _)| graded.contains(&k.1)) {
                    let subject = SubjectId::new(subject);
                    out.push(ProposalLine {
                        class: class.name.clone(),
                        student: PersonId::new(s.student_id),
                        name: format!("{} {}", s.last_name, s.first_name),
                        subject_name: self.names.get(&subject).cloned().unwrap_or_default(),
                        average: f.average,
                        lessons_held: f.lessons_held,
                        lessons_missed: f.lessons_missed,
                        proposal: rules::propose(policy, scale_of(policy, subject), f),
                        subject,
                    });
                }
            }
        }
        out
    }
}

impl Reads {
    async fn read(c: &mut Conn<'_>, frame: &ProposalFrame) -> Result<Self, AppError> {
        let range = frame.to_date();
        Ok(Self {
            others: repo::other_marks_of_school(c, frame.school, frame.whole()).await?,
            members: repo::members_throughout(c, frame.year, range).await?,
            lessons: repo::lessons_held(c, frame.year, range).await?,
            part_members: repo::lessons_of_part_members(c, frame.year, range).await?,
            absences: repo::absences_of_year(c, frame.year, range).await?,
            classes: school_repo::list_groups(c, frame.year, frame.until, Some(GroupKind::Class))
                .await?,
            rosters: repo::class_members(c, frame.year, range).await?,
        })
    }
}
