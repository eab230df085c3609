//! Statistics (regulation point 5, issue 6 point 5), derived from the journal only: results
//! (% успеваемости, % качества, СОУ, average mark, distributions), curriculum compliance (hours
//! planned against lessons held, the lag and its reasons), lesson types (control, practical and
//! laboratory works planned in the thematic plan against those held) and attendance (missed
//! lessons by reason, pupils over a threshold) — for a school, a parallel, a class, a subject or
//! a teacher, for a reporting period or the year.
//!
//! Who may see what (default deny): administrators and deputy heads the whole school; a class
//! teacher a scope narrowed to their class; a teacher a scope narrowed to themself (their own
//! groups × subjects); families nothing.
//!
//! Definitions (DOMAIN.md "Statistics"):
//! - **Results.** A pupil counts in a subject when they are in one of the subject's journals on
//!   the period's last day (those who left before are excluded), are not exempt (осв.), and
//!   have a mark: the final mark of the slot (`p<period>` or `year`) where one is set, otherwise
//!   the journal's weighted average of the period through the school's thresholds (н/а comes
//!   only from a final mark). Pupils with neither are "without marks" and outside N. The
//!   formulas are [`ResultCounts`]'. The distribution of current marks counts the journal's
//!   marks of the period (a double mark is two marks). Subjects on 10- or 100-point scales are
//!   left out of the 5-point figures.
//! - **Curriculum.** The year's hours of a journal (its group's line of the curriculum, else its
//!   parallel's) are spread over the study days of the grade's calendar (school days of the
//!   week outside holidays; public non-working days count, since their lessons are lost), so
//!   the plan for a period or up to a date is `hours × study days in it / study days of the
//!   year`, rounded half up. Held: lessons not cancelled, not recorded as not held, dated up to
//!   the cut (today, or the period's end); substitutions are held lessons. The lag is plan to
//!   date − held, explained by lessons cancelled for the teacher's absence, cancelled for other
//!   reasons, lost to public holidays (net of worked days), recorded as not held and moved out of
//!   the dates so far; the rest is the timetable giving more or fewer lessons than the
//!   curriculum.
//! - **Lesson types.** The thematic plan's typed hours laid over the journal's lessons in order
//!   (the i-th lesson of the year not cancelled carries the i-th planned hour, as the plan
//!   flows), against held lessons recorded with that type. Control works' marks by value.
//! - **Attendance.** Missed lessons by reason (ill, excused, unexcused, and lateness over half
//!   the lesson) of the pupils counted, against the lessons held in their journals so far.

use crate::{App, AppError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use tabel_domain::access::Principal;
use tabel_domain::finals::{FinalValue, PeriodFacts, ResultCounts, hundredths_text, propose};
use tabel_domain::journal::{Attendance, GradingPolicy, Mark, Scale};
use tabel_domain::school::{PeriodKind, Role};
use tabel_domain::stats::{holiday_shift, is_held, prorate, teacher_absent};
use tabel_domain::timetable::GradeCalendar;
use tabel_domain::{AcademicYearId, GroupId, PeriodId, PersonId, SchoolId, SubjectId};
use tabel_present::Lang;
use tabel_store::Conn;
use tabel_store::school as school_repo;
use tabel_store::stats::{self as repo, Bucket, LessonCount, StatsGroup};
use time::{Date, Duration};

mod attendance;
mod context;
mod curriculum;
mod lesson_types;
mod results;

pub use attendance::*;
use context::*;
pub use curriculum::*;
pub use lesson_types::*;
pub use results::*;

/// The lesson length assumed for lateness when the school has no bells.
const DEFAULT_LESSON_MINUTES: u16 = 45;

/// The default threshold of missed lessons, in percent, above which a pupil is listed.
pub const DEFAULT_ABSENCE_THRESHOLD: u8 = 30;

/// What the statistics are of: a school, narrowed by any of class or parallel, subject and
/// teacher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// The school.
    pub school: SchoolId,
    /// One class (its pupils; its subgroups' and streams' journals).
    pub class: Option<GroupId>,
    /// One parallel.
    pub grade: Option<u8>,
    /// One subject.
    pub subject: Option<SubjectId>,
    /// One teacher's journals.
    pub teacher: Option<PersonId>,
}

impl Scope {
    /// The whole school.
    pub fn school(school: SchoolId) -> Scope {
        Scope {
            school,
            class: None,
            grade: None,
            subject: None,
            teacher: None,
        }
    }
}

/// Which stretch of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeriodChoice {
    /// The reporting period under way (or the last one started).
    #[default]
    Current,
    /// A reporting period.
    Period(PeriodId),
    /// The whole year (the year's final marks).
    Year,
    /// A given academic year as a whole, whatever today is (the archive of a closed year).
    YearOf(AcademicYearId),
}

impl PeriodChoice {
    /// Parses `year`, a period id, or nothing (the current period).
    pub fn parse(raw: Option<&str>) -> Result<PeriodChoice, AppError> {
        match raw.map(str::trim) {
            None | Some("") | Some("current") => Ok(PeriodChoice::Current),
            Some("year") => Ok(PeriodChoice::Year),
            Some(s) => s.parse().map(PeriodChoice::Period).map_err(|_| {
                AppError::invalid(
                    "period",
                    "a reporting period's id, or «year» for the whole year",
                )
            }),
        }
    }
}

/// A request for statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsQuery {
    /// Of what.
    pub scope: Scope,
    /// For when.
    pub period: PeriodChoice,
    /// Pupils who missed more than this share of their lessons (percent) are listed.
    pub absence_threshold: u8,
}

impl StatsQuery {
    /// The current period of a scope, with the default threshold.
    pub fn of(scope: Scope) -> StatsQuery {
        StatsQuery {
            scope,
            period: PeriodChoice::Current,
            absence_threshold: DEFAULT_ABSENCE_THRESHOLD,
        }
    }
}

/// What a report covers, resolved: names and dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// The scope asked for.
    #[serde(skip)]
    pub scope: Scope,
    /// The school's name.
    pub school_name: String,
    /// The year.
    pub year: AcademicYearId,
    /// "2026/2027".
    pub year_label: String,
    /// The reporting period (`None` for the year).
    pub period: Option<PeriodId>,
    /// Its kind.
    pub period_kind: Option<PeriodKind>,
    /// Its number.
    pub period_number: Option<u8>,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The last day counted as "to date": today, or the last day when the period is over
    /// (before `from` when it has not begun).
    pub cut: Date,
    /// The final marks' slot (`p12`, `year`).
    pub slot: String,
    /// The class's name, when narrowed to one.
    pub class_name: Option<String>,
    /// The subject's name, when narrowed to one.
    pub subject_name: Option<String>,
    /// The teacher's name, when narrowed to one.
    pub teacher_name: Option<String>,
}

impl Frame {
    /// "2 четверть 2026/2027" or "2026/2027 учебный год" (documents are in Russian).
    pub fn period_ru(&self) -> String {
        match (self.period_kind, self.period_number) {
            (Some(k), Some(n)) => format!(
                "{} {}",
                tabel_present::period_name(Lang::Ru, k, n),
                self.year_label
            ),
            _ => format!("{} учебный год", self.year_label),
        }
    }

    /// The scope in words: "МБОУ «Школа № 1», 5А, Математика, учитель Смирнова Е. В.".
    pub fn scope_ru(&self) -> String {
        let mut parts = vec![self.school_name.clone()];
        if let Some(c) = &self.class_name {
            parts.push(format!("класс {c}"));
        } else if let Some(g) = self.scope.grade {
            parts.push(format!("{g} классы"));
        }
        if let Some(s) = &self.subject_name {
            parts.push(s.clone());
        }
        if let Some(t) = &self.teacher_name {
            parts.push(format!("учитель {t}"));
        }
        parts.join(", ")
    }

    fn subtitle(&self) -> String {
        format!(
            "{}; {}; по данным журнала на {}",
            self.scope_ru(),
            self.period_ru(),
            tabel_present::date(self.cut.max(self.from).min(self.to))
        )
    }
}

/// A table for a spreadsheet: the statistics export every table they show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Sheet name.
    pub name: String,
    /// Heading.
    pub title: String,
    /// The line under it (scope, period, date).
    pub subtitle: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Column widths in characters.
    pub widths: Vec<f64>,
    /// Rows of text cells.
    pub rows: Vec<Vec<String>>,
}

fn pct(v: Option<u32>) -> String {
    v.map(hundredths_text).unwrap_or_else(|| "—".to_owned())
}

fn share(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| {
        let q = (u64::from(part) * 20_000 + u64::from(whole)) / (2 * u64::from(whole));
        u32::try_from(q).unwrap_or(u32::MAX)
    })
}

// ------------------------------------------------------------------------------- results

/// All four reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllStats {
    /// Results.
    pub results: ResultsReport,
    /// Curriculum compliance.
    pub curriculum: CurriculumReport,
    /// Lesson types.
    pub lesson_types: LessonTypesReport,
    /// Attendance.
    pub attendance: AttendanceReport,
}

impl AllStats {
    /// Every table, for one workbook.
    pub fn tables(&self) -> Vec<Table> {
        let mut t = self.results.tables();
        t.extend(self.curriculum.tables());
        t.extend(self.lesson_types.tables());
        t.extend(self.attendance.tables());
        t
    }
}

/// What the scope picker offers a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsOptions {
    /// The school.
    pub school: SchoolId,
    /// Its name.
    pub school_name: String,
    /// The user may see the whole school.
    pub whole_school: bool,
    /// The year's reporting periods.
    pub periods: Vec<school_repo::Period>,
    /// Classes the user may pick: (id, name, grade).
    pub classes: Vec<(GroupId, String, u8)>,
    /// Parallels.
    pub grades: Vec<u8>,
    /// Subjects.
    pub subjects: Vec<(SubjectId, String)>,
    /// Teachers the user may pick.
    pub teachers: Vec<(PersonId, String)>,
    /// The scope shown when none is asked for.
    pub default_scope: Scope,
}

// ---------------------------------------------------------------------------- assembling

/// Each (pupil, subject) counted: the journal they are counted in, and whether they were still
/// there on the period's last day.
type Population = BTreeMap<(PersonId, SubjectId), (GroupId, bool)>;

/// A journal of the scope.
#[derive(Debug, Clone)]
struct Journal {
    group: GroupId,
    subject: SubjectId,
    teachers: Vec<(PersonId, String)>,
}

/// Everything the reports share: the frame, the year's groups and journals (narrowed to the
/// scope), subjects and the policy.
struct Ctx {
    frame: Frame,
    year_bounds: (Date, Date),
    groups: HashMap<GroupId, StatsGroup>,
    /// Groups in grade and name order.
    order: HashMap<GroupId, usize>,
    subjects: Vec<(SubjectId, String)>,
    journals: Vec<Journal>,
    policy: GradingPolicy,
}

impl Ctx {
    fn subject_name(&self, s: SubjectId) -> String {
        self.subjects
            .iter()
            .find(|(id, _)| *id == s)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }

    fn subject_rank(&self, s: SubjectId) -> usize {
        self.subjects
            .iter()
            .position(|(id, _)| *id == s)
            .unwrap_or(usize::MAX)
    }

    fn group_name(&self, g: GroupId) -> String {
        self.groups
            .get(&g)
            .map(|g| g.name.clone())
            .unwrap_or_default()
    }

    fn group_rank(&self, g: GroupId) -> usize {
        self.order.get(&g).copied().unwrap_or(usize::MAX)
    }

    fn grade_of(&self, g: GroupId) -> Option<u8> {
        self.groups.get(&g).map(|g| g.grade)
    }

    /// Whether a pupil's class fits the scope.
    fn class_fits(&self, class: Option<GroupId>) -> bool {
        let s = &self.frame.scope;
        if let Some(c) = s.class {
            return class == Some(c);
        }
        if let Some(g) = s.grade {
            return class.and_then(|c| self.grade_of(c)) == Some(g);
        }
        true
    }

    /// Each pupil's class (the one held on the period's last day, else the latest joined).
    fn classes_of(&self, members: &[repo::Member]) -> HashMap<PersonId, GroupId> {
        let mut best: HashMap<PersonId, (bool, Date, GroupId)> = HashMap::new();
        for m in members {
            if self.groups.get(&m.group).is_none_or(|g| g.kind != "class") {
                continue;
            }
            let cand = (m.present, m.since, m.group);
            best.entry(m.student)
                .and_modify(|b| {
                    if (cand.0, cand.1) > (b.0, b.1) {
                        *b = cand;
                    }
                })
                .or_insert(cand);
        }
        best.into_iter().map(|(s, (_, _, g))| (s, g)).collect()
    }

    fn teachers_of(&self, j: &Journal) -> String {
        j.teachers
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The pupils counted for each (pupil, subject), with the journal they are counted in and
    /// whether they were still there at the end.
    fn population(&self, members: &[repo::Member]) -> (HashMap<PersonId, GroupId>, Population) {
        let classes = self.classes_of(members);
        let mut by_group: HashMap<GroupId, Vec<&repo::Member>> = HashMap::new();
        for m in members {
            by_group.entry(m.group).or_default().push(m);
        }
        let mut out = Population::new();
        for j in &self.journals {
            for m in by_group.get(&j.group).into_iter().flatten() {
                if !self.class_fits(classes.get(&m.student).copied()) {
                    continue;
                }
                out.entry((m.student, j.subject))
                    .and_modify(|e| {
                        if m.present && !e.1 {
                            *e = (j.group, true);
                        }
                    })
                    .or_insert((j.group, m.present));
            }
        }
        (classes, out)
    }
}

/// The user's standing for statistics in a school.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// Administrator or deputy head: everything.
    School,
    /// Class teacher and/or teacher: narrowed scopes.
    Narrow,
}

fn standing(p: &Principal, school: SchoolId) -> Result<Standing, AppError> {
    if p.is_admin_of(school) || p.has_role(Role::Deputy, school) {
        return Ok(Standing::School);
    }
    if p.has_role(Role::Teacher, school) || p.class_teacher_of.iter().any(|(s, _)| *s == school) {
        return Ok(Standing::Narrow);
    }
    if p.schools().contains(&school) {
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether the user may see a scope: the school's administration anything; a class teacher a
/// scope narrowed to their class; a teacher a scope narrowed to themself.
pub fn may_see(p: &Principal, scope: &Scope) -> bool {
    let school = scope.school;
    if p.is_admin_of(school) || p.has_role(Role::Deputy, school) {
        return true;
    }
    if let Some(c) = scope.class
        && p.class_teacher_of.contains(&(school, c))
    {
        return true;
    }
    if let (Some(t), Some(me)) = (scope.teacher, p.person)
        && t == me
        && p.has_role(Role::Teacher, school)
    {
        return true;
    }
    false
}

impl App {
    /// Results of a scope (see the module).
    pub async fn stats_results(
        &self,
        p: &Principal,
        q: &StatsQuery,
    ) -> Result<ResultsReport, AppError> {
        let mut c = self.db.acquire().await?;
        let ctx = self.stats_ctx(&mut c.conn(), Some(p), q).await?;
        results(&mut c.conn(), &ctx).await
    }

    /// Curriculum compliance of a scope (see the module).
    pub async fn stats_curriculum(
        &self,
        p: &Principal,
        q: &StatsQuery,
    ) -> Result<CurriculumReport, AppError> {
        let mut c = self.db.acquire().await?;
        let ctx = self.stats_ctx(&mut c.conn(), Some(p), q).await?;
        let lessons = lesson_counts(&mut c.conn(), &ctx).await?;
        curriculum(&mut c.conn(), &ctx, &lessons).await
    }

    /// Lesson types of a scope (see the module).
    pub async fn stats_lesson_types(
        &self,
        p: &Principal,
        q: &StatsQuery,
    ) -> Result<LessonTypesReport, AppError> {
        let mut c = self.db.acquire().await?;
        let ctx = self.stats_ctx(&mut c.conn(), Some(p), q).await?;
        let lessons = lesson_counts(&mut c.conn(), &ctx).await?;
        lesson_types(&mut c.conn(), &ctx, &lessons).await
    }

    /// Attendance of a scope (see the module).
    pub async fn stats_attendance(
        &self,
        p: &Principal,
        q: &StatsQuery,
    ) -> Result<AttendanceReport, AppError> {
        let mut c = self.db.acquire().await?;
        let ctx = self.stats_ctx(&mut c.conn(), Some(p), q).await?;
        let lessons = lesson_counts(&mut c.conn(), &ctx).await?;
        attendance(&mut c.conn(), &ctx, &lessons, q.absence_threshold).await
    }

    /// All four reports of a scope.
    pub async fn stats_all(&self, p: &Principal, q: &StatsQuery) -> Result<AllStats, AppError> {
        self.all_stats(Some(p), q).await
    }

    /// All four reports, without a user: the command line on the server (it has the database
    /// already).
    pub async fn system_stats(&self, q: &StatsQuery) -> Result<AllStats, AppError> {
        self.all_stats(None, q).await
    }

    async fn all_stats(&self, p: Option<&Principal>, q: &StatsQuery) -> Result<AllStats, AppError> {
        let mut c = self.db.acquire().await?;
        let ctx = self.stats_ctx(&mut c.conn(), p, q).await?;
        let lessons = lesson_counts(&mut c.conn(), &ctx).await?;
        Ok(AllStats {
            results: results(&mut c.conn(), &ctx).await?,
            curriculum: curriculum(&mut c.conn(), &ctx, &lessons).await?,
            lesson_types: lesson_types(&mut c.conn(), &ctx, &lessons).await?,
            attendance: attendance(&mut c.conn(), &ctx, &lessons, q.absence_threshold).await?,
        })
    }

    /// What the scope picker offers the user in a school: everything for the administration;
    /// their classes and themself for teachers. Families are refused.
    pub async fn stats_options(
        &self,
        p: &Principal,
        school: SchoolId,
    ) -> Result<StatsOptions, AppError> {
        let whole = standing(p, school)? == Standing::School;
        let mut c = self.db.acquire().await?;
        let c = &mut c.conn();
        let school_name = school_name(c, school).await?;
        let year = school_repo::academic_year_on(c, school, self.today())
            .await?
            .ok_or_else(|| AppError::Conflict("the school has no academic year yet".into()))?;
        let periods = school_repo::list_periods(c, year.id).await?;
        let groups = repo::groups(c, school, year.id).await?;
        let journals = repo::journals(c, school, year.id).await?;
        let me = p.person;
        let led: Vec<GroupId> = p
            .class_teacher_of
            .iter()
            .filter(|(s, _)| *s == school)
            .map(|(_, g)| *g)
            .collect();
        let teaches = p.has_role(Role::Teacher, school);
        let my_groups: HashSet<GroupId> = journals
            .iter()
            .filter(|j| teaches && Some(j.teacher) == me)
            .map(|j| j.group)
            .collect();
        let classes_of = |g: &StatsGroup| -> Vec<GroupId> {
            match (g.kind.as_str(), g.parent) {
                ("class", _) => vec![g.id],
                (_, Some(parent)) => vec![parent],
                _ => g.stream_classes.clone(),
            }
        };
        let mine: HashSet<GroupId> = groups
            .iter()
            .filter(|g| my_groups.contains(&g.id))
            .flat_map(classes_of)
            .collect();
        let classes: Vec<(GroupId, String, u8)> = groups
            .iter()
            .filter(|g| g.kind == "class")
            .filter(|g| whole || led.contains(&g.id) || mine.contains(&g.id))
            .map(|g| (g.id, g.name.clone(), g.grade))
            .collect();
        let mut grades: Vec<u8> = classes.iter().map(|c| c.2).collect();
        grades.dedup();
        let subjects = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let mut teachers: Vec<(PersonId, String)> = journals
            .iter()
            .filter(|j| whole || (teaches && Some(j.teacher) == me))
            .map(|j| (j.teacher, j.teacher_name.clone()))
            .collect();
        teachers.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        teachers.dedup();
        let default_scope = if whole {
            Scope::school(school)
        } else if let Some(class) = led.first() {
            Scope {
                class: Some(*class),
                ..Scope::school(school)
            }
        } else {
            Scope {
                teacher: me,
                ..Scope::school(school)
            }
        };
        Ok(StatsOptions {
            school,
            school_name,
            whole_school: whole,
            periods,
            classes,
            grades,
            subjects,
            teachers,
            default_scope,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_double_mark_counts_as_two_in_the_distribution() {
        let mut d = MarkDistribution::default();
        d.add(Mark::Double(3, 5), 2);
        d.add(Mark::Points(2), 1);
        d.add(Mark::Pass, 1);
        assert_eq!(d.points, [2, 0, 2, 1, 0]);
        assert_eq!(d.total(), 6);
    }

    #[test]
    fn only_the_administration_sees_the_school_teachers_their_own_scopes() {
        let school = SchoolId::new(1);
        let class = GroupId::new(7);
        let mut p = Principal {
            user: tabel_domain::UserId::new(1),
            person: Some(PersonId::new(10)),
            grants: vec![(Role::Teacher, school)],
            class_teacher_of: vec![(school, class)],
            children: vec![],
            student_in: None,
            pupils: Vec::new(),
            student_consent: false,
        };
        let whole = Scope::school(school);
        assert!(!may_see(&p, &whole));
        assert!(may_see(
            &p,
            &Scope {
                class: Some(class),
                ..whole
            }
        ));
        assert!(!may_see(
            &p,
            &Scope {
                class: Some(GroupId::new(8)),
                ..whole
            }
        ));
        assert!(may_see(
            &p,
            &Scope {
                teacher: Some(PersonId::new(10)),
                ..whole
            }
        ));
        assert!(!may_see(
            &p,
            &Scope {
                teacher: Some(PersonId::new(11)),
                ..whole
            }
        ));
        p.grants.push((Role::Deputy, school));
        assert!(may_see(&p, &whole));
        assert!(!may_see(
            &p,
            &Scope {
                school: SchoolId::new(2),
                ..whole
            }
        ));
    }
}
