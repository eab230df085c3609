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

/// One line of the results: counts of final (or proposed) marks and who is outside N.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResultLine {
    /// The class's or subject's id ("" for the total).
    pub key: String,
    /// Its name.
    pub label: String,
    /// The marks counted.
    pub counts: ResultCounts,
    /// Exempt (осв.): outside N.
    pub exempt: u32,
    /// Without any mark: outside N.
    pub without_marks: u32,
    /// Left before the period's end: outside N.
    pub left: u32,
    /// Of N, those counted by a final mark.
    pub from_finals: u32,
    /// Of N, those counted by the journal's average (no final mark yet).
    pub from_journal: u32,
}

impl ResultLine {
    /// N.
    pub fn n(&self) -> u32 {
        self.counts.n()
    }
    /// % успеваемости, hundredths.
    pub fn progress(&self) -> Option<u32> {
        self.counts.progress()
    }
    /// % качества, hundredths.
    pub fn quality(&self) -> Option<u32> {
        self.counts.quality()
    }
    /// СОУ, hundredths.
    pub fn sou(&self) -> Option<u32> {
        self.counts.sou()
    }
    /// Average mark, hundredths.
    pub fn average(&self) -> Option<u32> {
        self.counts.average()
    }

    fn absorb(&mut self, o: &ResultLine) {
        let (a, b) = (&mut self.counts, &o.counts);
        a.n5 += b.n5;
        a.n4 += b.n4;
        a.n3 += b.n3;
        a.n2 += b.n2;
        a.na += b.na;
        a.pass += b.pass;
        a.fail += b.fail;
        self.exempt += o.exempt;
        self.without_marks += o.without_marks;
        self.left += o.left;
        self.from_finals += o.from_finals;
        self.from_journal += o.from_journal;
    }
}

/// Current marks by value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MarkDistribution {
    /// The subject's id ("" for the total).
    pub key: String,
    /// Its name.
    pub label: String,
    /// Marks 5, 4, 3, 2, 1 (index 0 is 5).
    pub points: [u32; 5],
    /// зач.
    pub pass: u32,
    /// незач.
    pub fail: u32,
}

impl MarkDistribution {
    /// All marks.
    pub fn total(&self) -> u32 {
        self.points.iter().sum::<u32>() + self.pass + self.fail
    }

    fn add(&mut self, mark: Mark, n: u32) {
        match mark {
            Mark::Pass => self.pass += n,
            Mark::Fail => self.fail += n,
            m => {
                for p in m.points() {
                    if let Some(slot) = usize::from(p)
                        .checked_sub(1)
                        .and_then(|i| 4usize.checked_sub(i))
                        .and_then(|i| self.points.get_mut(i))
                    {
                        *slot += n;
                    }
                }
            }
        }
    }

    fn absorb(&mut self, o: &MarkDistribution) {
        for (a, b) in self.points.iter_mut().zip(o.points) {
            *a += b;
        }
        self.pass += o.pass;
        self.fail += o.fail;
    }
}

/// Results of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultsReport {
    /// What and when.
    pub frame: Frame,
    /// By class.
    pub by_class: Vec<ResultLine>,
    /// By subject.
    pub by_subject: Vec<ResultLine>,
    /// All together.
    pub total: ResultLine,
    /// Current marks by subject.
    pub marks: Vec<MarkDistribution>,
    /// All current marks.
    pub marks_total: MarkDistribution,
}

const RESULT_HEADERS: [&str; 17] = [
    "N",
    "«5»",
    "«4»",
    "«3»",
    "«2»",
    "н/а",
    "зач.",
    "незач.",
    "осв.",
    "без отметок",
    "выбыли",
    "% успеваемости",
    "% качества",
    "СОУ, %",
    "Средний балл",
    "по итоговым",
    "по журналу",
];

fn result_row(first: &str, l: &ResultLine) -> Vec<String> {
    let c = &l.counts;
    vec![
        first.to_owned(),
        l.n().to_string(),
        c.n5.to_string(),
        c.n4.to_string(),
        c.n3.to_string(),
        c.n2.to_string(),
        c.na.to_string(),
        c.pass.to_string(),
        c.fail.to_string(),
        l.exempt.to_string(),
        l.without_marks.to_string(),
        l.left.to_string(),
        pct(l.progress()),
        pct(l.quality()),
        pct(l.sou()),
        pct(l.average()),
        l.from_finals.to_string(),
        l.from_journal.to_string(),
    ]
}

impl ResultsReport {
    /// The report's tables for a spreadsheet.
    pub fn tables(&self) -> Vec<Table> {
        let headers = |first: &str| {
            std::iter::once(first.to_owned())
                .chain(RESULT_HEADERS.iter().map(|h| (*h).to_owned()))
                .collect::<Vec<_>>()
        };
        let mut widths = vec![28.0];
        widths.extend([6.0; 11]);
        widths.extend([13.0, 11.0, 9.0, 9.0, 11.0, 11.0]);
        let lines = |first: &str, list: &[ResultLine]| {
            let mut rows: Vec<Vec<String>> = list.iter().map(|l| result_row(&l.label, l)).collect();
            rows.push(result_row(first, &self.total));
            rows
        };
        let dist_row = |d: &MarkDistribution| {
            let mut row = vec![d.label.clone()];
            row.extend(d.points.iter().map(ToString::to_string));
            row.extend([
                d.pass.to_string(),
                d.fail.to_string(),
                d.total().to_string(),
            ]);
            row
        };
        let mut dist: Vec<Vec<String>> = self.marks.iter().map(dist_row).collect();
        dist.push(dist_row(&MarkDistribution {
            label: "Всего".into(),
            ..self.marks_total.clone()
        }));
        let subtitle = self.frame.subtitle();
        vec![
            Table {
                name: "Итоги по классам".into(),
                title: "Итоги успеваемости по классам".into(),
                subtitle: subtitle.clone(),
                headers: headers("Класс"),
                widths: widths.clone(),
                rows: lines("Итого", &self.by_class),
            },
            Table {
                name: "Итоги по предметам".into(),
                title: "Итоги успеваемости по предметам".into(),
                subtitle: subtitle.clone(),
                headers: headers("Предмет"),
                widths,
                rows: lines("Итого", &self.by_subject),
            },
            Table {
                name: "Текущие отметки".into(),
                title: "Распределение текущих отметок".into(),
                subtitle,
                headers: [
                    "Предмет",
                    "«5»",
                    "«4»",
                    "«3»",
                    "«2»",
                    "«1»",
                    "зач.",
                    "незач.",
                    "Всего",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![28.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 9.0],
                rows: dist,
            },
        ]
    }
}

// ---------------------------------------------------------------------------- curriculum

/// Curriculum compliance of one journal (group × subject).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CurriculumLine {
    /// The group.
    pub group: Option<GroupId>,
    /// Its name ("Итого" for the total).
    pub group_name: String,
    /// The subject.
    pub subject: Option<SubjectId>,
    /// Its name.
    pub subject_name: String,
    /// Teachers.
    pub teachers: String,
    /// Hours a year by the curriculum (`None` without a curriculum line).
    pub planned_year: Option<u32>,
    /// Hours of the period by the curriculum.
    pub planned_period: Option<u32>,
    /// Hours up to the cut by the curriculum.
    pub planned_to_date: Option<u32>,
    /// Lessons in the period's timetable, not cancelled (held and still to come).
    pub scheduled: u32,
    /// Lessons held up to the cut (substitutions included).
    pub held: u32,
    /// Of them, substitutions.
    pub substituted: u32,
    /// Plan to date − held (`None` without a plan).
    pub lag: Option<i64>,
    /// Cancelled for the teacher's absence (illness, courses…).
    pub cancelled_teacher: u32,
    /// Cancelled for other reasons (quarantine…).
    pub cancelled_other: u32,
    /// Lost to public holidays, net of worked days.
    pub holidays: i64,
    /// Recorded by the teacher as not held.
    pub not_held: u32,
    /// Moved from the dates so far to a later date.
    pub moved_out: u32,
    /// The rest: the timetable gives more (negative) or fewer lessons than the curriculum.
    pub other: Option<i64>,
}

impl CurriculumLine {
    /// Held / plan to date, hundredths of a percent.
    pub fn done(&self) -> Option<u32> {
        self.planned_to_date.and_then(|p| share(self.held, p))
    }

    fn absorb(&mut self, o: &CurriculumLine) {
        let add = |a: Option<u32>, b: Option<u32>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        let add_i = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        self.planned_year = add(self.planned_year, o.planned_year);
        self.planned_period = add(self.planned_period, o.planned_period);
        self.planned_to_date = add(self.planned_to_date, o.planned_to_date);
        self.scheduled += o.scheduled;
        self.held += o.held;
        self.substituted += o.substituted;
        self.lag = add_i(self.lag, o.lag);
        self.cancelled_teacher += o.cancelled_teacher;
        self.cancelled_other += o.cancelled_other;
        self.holidays += o.holidays;
        self.not_held += o.not_held;
        self.moved_out += o.moved_out;
        self.other = add_i(self.other, o.other);
    }
}

/// Plan against held, by subject (for the chart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectCompliance {
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// Planned to date (journals with a plan).
    pub planned_to_date: u32,
    /// Held (the same journals).
    pub held: u32,
}

/// Curriculum compliance of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurriculumReport {
    /// What and when.
    pub frame: Frame,
    /// By journal.
    pub lines: Vec<CurriculumLine>,
    /// All together.
    pub total: CurriculumLine,
    /// By subject.
    pub by_subject: Vec<SubjectCompliance>,
}

impl CurriculumReport {
    /// The report's tables for a spreadsheet.
    pub fn tables(&self) -> Vec<Table> {
        let opt = |v: Option<u32>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
        let opt_i = |v: Option<i64>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
        let row = |l: &CurriculumLine| {
            vec![
                l.group_name.clone(),
                l.subject_name.clone(),
                l.teachers.clone(),
                opt(l.planned_year),
                opt(l.planned_period),
                opt(l.planned_to_date),
                l.scheduled.to_string(),
                l.held.to_string(),
                l.substituted.to_string(),
                pct(l.done()),
                opt_i(l.lag),
                l.cancelled_teacher.to_string(),
                l.cancelled_other.to_string(),
                l.holidays.to_string(),
                l.not_held.to_string(),
                l.moved_out.to_string(),
                opt_i(l.other),
            ]
        };
        let mut rows: Vec<Vec<String>> = self.lines.iter().map(row).collect();
        rows.push(row(&self.total));
        vec![Table {
            name: "Выполнение программы".into(),
            title: "Выполнение учебного плана".into(),
            subtitle: self.frame.subtitle(),
            headers: [
                "Группа",
                "Предмет",
                "Учитель",
                "План на год",
                "План на период",
                "План на дату",
                "По расписанию",
                "Проведено",
                "из них заменой",
                "% выполнения",
                "Отставание",
                "Отменено: отсутствие учителя",
                "Отменено: иные причины",
                "Праздничные дни",
                "Не проведено (отметка учителя)",
                "Перенесено",
                "Прочее (расписание и план)",
            ]
            .map(String::from)
            .to_vec(),
            widths: vec![
                14.0, 26.0, 22.0, 8.0, 8.0, 8.0, 9.0, 9.0, 9.0, 10.0, 10.0, 12.0, 12.0, 10.0, 12.0,
                10.0, 12.0,
            ],
            rows,
        }]
    }
}

// --------------------------------------------------------------------------- lesson types

/// A lesson type of one journal: planned against held.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TypeLine {
    /// The group (`None` for totals).
    pub group: Option<GroupId>,
    /// Its name ("Итого" for totals).
    pub group_name: String,
    /// The subject.
    pub subject: Option<SubjectId>,
    /// Its name.
    pub subject_name: String,
    /// The lesson type's code.
    pub lesson_type: String,
    /// Its name.
    pub type_name: String,
    /// Hours of the type in the thematic plan.
    pub planned_year: u32,
    /// Of them, on the period's lessons.
    pub planned_period: u32,
    /// Of them, on the period's lessons to date.
    pub planned_to_date: u32,
    /// Held to date with the type.
    pub held: u32,
}

/// Marks of the control works of a journal.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ControlResults {
    /// The group (`None` for the total).
    pub group: Option<GroupId>,
    /// Its name.
    pub group_name: String,
    /// The subject.
    pub subject: Option<SubjectId>,
    /// Its name.
    pub subject_name: String,
    /// Marks by value (each mark counted like a final mark: N is the marks).
    pub counts: ResultCounts,
}

/// Lesson types of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonTypesReport {
    /// What and when.
    pub frame: Frame,
    /// By journal and type.
    pub lines: Vec<TypeLine>,
    /// By type.
    pub totals: Vec<TypeLine>,
    /// Control works' marks by journal.
    pub control: Vec<ControlResults>,
    /// Control works' marks in all.
    pub control_total: ControlResults,
}

impl LessonTypesReport {
    /// The report's tables for a spreadsheet.
    pub fn tables(&self) -> Vec<Table> {
        let subtitle = self.frame.subtitle();
        let row = |l: &TypeLine| {
            vec![
                l.group_name.clone(),
                l.subject_name.clone(),
                l.type_name.clone(),
                l.planned_year.to_string(),
                l.planned_period.to_string(),
                l.planned_to_date.to_string(),
                l.held.to_string(),
                (i64::from(l.planned_to_date) - i64::from(l.held)).to_string(),
            ]
        };
        let mut rows: Vec<Vec<String>> = self.lines.iter().map(row).collect();
        rows.extend(self.totals.iter().map(|t| {
            let mut r = row(t);
            if let Some(first) = r.first_mut() {
                "Итого".clone_into(first);
            }
            r
        }));
        let control_row = |c: &ControlResults| {
            let k = &c.counts;
            vec![
                c.group_name.clone(),
                c.subject_name.clone(),
                k.n().to_string(),
                k.n5.to_string(),
                k.n4.to_string(),
                k.n3.to_string(),
                k.n2.to_string(),
                pct(k.progress()),
                pct(k.quality()),
                pct(k.average()),
            ]
        };
        let mut control: Vec<Vec<String>> = self.control.iter().map(control_row).collect();
        control.push(control_row(&self.control_total));
        vec![
            Table {
                name: "Виды уроков".into(),
                title: "Контрольные, практические и лабораторные работы: план и проведено".into(),
                subtitle: subtitle.clone(),
                headers: [
                    "Группа",
                    "Предмет",
                    "Вид урока",
                    "По КТП на год",
                    "По КТП на период",
                    "По КТП на дату",
                    "Проведено",
                    "Отставание",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![14.0, 26.0, 24.0, 10.0, 10.0, 10.0, 10.0, 10.0],
                rows,
            },
            Table {
                name: "Контрольные работы".into(),
                title: "Результаты контрольных работ".into(),
                subtitle,
                headers: [
                    "Группа",
                    "Предмет",
                    "Отметок",
                    "«5»",
                    "«4»",
                    "«3»",
                    "«2»",
                    "% успеваемости",
                    "% качества",
                    "Средний балл",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![14.0, 26.0, 9.0, 6.0, 6.0, 6.0, 6.0, 13.0, 11.0, 10.0],
                rows: control,
            },
        ]
    }
}

// ----------------------------------------------------------------------------- attendance

/// Missed lessons of a group of pupils by reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct AbsenceLine {
    /// The class's or subject's id ("" for the total).
    pub key: String,
    /// Its name.
    pub label: String,
    /// Pupils counted.
    pub pupils: u32,
    /// Pupil-lessons held so far.
    pub lessons: u32,
    /// Absent for illness.
    pub ill: u32,
    /// Absent for a valid reason.
    pub excused: u32,
    /// Absent without a reason.
    pub unexcused: u32,
    /// Late.
    pub late: u32,
    /// Of them, late by more than half the lesson (a missed lesson).
    pub late_missed: u32,
}

impl AbsenceLine {
    /// Missed lessons: absences and lateness over half a lesson.
    pub fn missed(&self) -> u32 {
        self.ill + self.excused + self.unexcused + self.late_missed
    }

    /// Missed / held, hundredths of a percent.
    pub fn share(&self) -> Option<u32> {
        share(self.missed(), self.lessons)
    }

    fn absorb(&mut self, o: &AbsenceLine) {
        self.pupils += o.pupils;
        self.lessons += o.lessons;
        self.ill += o.ill;
        self.excused += o.excused;
        self.unexcused += o.unexcused;
        self.late += o.late;
        self.late_missed += o.late_missed;
    }
}

/// A pupil over the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PupilAbsences {
    /// The pupil.
    pub student: PersonId,
    /// Name.
    pub name: String,
    /// Class.
    pub class_name: String,
    /// The pupil's lessons and absences.
    pub line: AbsenceLine,
    /// Subjects of which more than half the lessons were missed (н/а may follow).
    pub over_half: Vec<String>,
}

/// Attendance of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceReport {
    /// What and when.
    pub frame: Frame,
    /// By class.
    pub by_class: Vec<AbsenceLine>,
    /// By subject.
    pub by_subject: Vec<AbsenceLine>,
    /// All together.
    pub total: AbsenceLine,
    /// The threshold, percent.
    pub threshold: u8,
    /// Pupils who missed more than the threshold of their lessons, or more than half of a
    /// subject's.
    pub pupils: Vec<PupilAbsences>,
}

impl AttendanceReport {
    /// The report's tables for a spreadsheet.
    pub fn tables(&self) -> Vec<Table> {
        let subtitle = self.frame.subtitle();
        let row = |first: &str, l: &AbsenceLine| {
            vec![
                first.to_owned(),
                l.pupils.to_string(),
                l.lessons.to_string(),
                l.missed().to_string(),
                l.ill.to_string(),
                l.excused.to_string(),
                l.unexcused.to_string(),
                l.late.to_string(),
                l.late_missed.to_string(),
                pct(l.share()),
            ]
        };
        let headers = |first: &str, pupils: &str| {
            [
                first,
                pupils,
                "Уроков",
                "Пропущено",
                "по болезни",
                "по уважительной причине",
                "без уважительной причины",
                "Опозданий",
                "из них более половины урока",
                "% пропусков",
            ]
            .map(String::from)
            .to_vec()
        };
        let widths = vec![24.0, 9.0, 9.0, 11.0, 11.0, 13.0, 13.0, 11.0, 13.0, 11.0];
        let lines = |list: &[AbsenceLine]| {
            let mut rows: Vec<Vec<String>> = list.iter().map(|l| row(&l.label, l)).collect();
            rows.push(row("Итого", &self.total));
            rows
        };
        let pupils = self
            .pupils
            .iter()
            .map(|p| {
                let mut r = row(&p.name, &p.line);
                r[1] = p.class_name.clone();
                r.push(p.over_half.join(", "));
                r
            })
            .collect();
        let mut pupil_headers = headers("Ученик", "Класс");
        pupil_headers.push("Пропущено более половины уроков".into());
        let mut pupil_widths = widths.clone();
        pupil_widths[0] = 30.0;
        pupil_widths.push(30.0);
        vec![
            Table {
                name: "Пропуски по классам".into(),
                title: "Пропуски уроков по причинам: по классам".into(),
                subtitle: subtitle.clone(),
                headers: headers("Класс", "Учеников"),
                widths: widths.clone(),
                rows: lines(&self.by_class),
            },
            Table {
                name: "Пропуски по предметам".into(),
                title: "Пропуски уроков по причинам: по предметам".into(),
                subtitle: subtitle.clone(),
                headers: headers("Предмет", "Учеников"),
                widths,
                rows: lines(&self.by_subject),
            },
            Table {
                name: "Ученики выше порога".into(),
                title: format!(
                    "Ученики, пропустившие более {} % уроков или более половины уроков предмета",
                    self.threshold
                ),
                subtitle,
                headers: pupil_headers,
                widths: pupil_widths,
                rows: pupils,
            },
        ]
    }
}

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

    /// Resolves the frame and checks the user (`None`: the system).
    async fn stats_ctx(
        &self,
        c: &mut Conn<'_>,
        p: Option<&Principal>,
        q: &StatsQuery,
    ) -> Result<Ctx, AppError> {
        let scope = q.scope;
        let school = scope.school;
        if let Some(p) = p {
            // Families and strangers are turned away before anything is looked up.
            standing(p, school)?;
        }
        let today = self.today();
        let school_name = school_name(c, school).await?;
        let (year, period) = match q.period {
            PeriodChoice::Period(id) => {
                let py = repo::period_year(c, id)
                    .await?
                    .filter(|py| py.school == school)
                    .ok_or(AppError::NotFound)?;
                let year = school_repo::academic_year_on(c, school, py.starts_on)
                    .await?
                    .filter(|y| y.id == py.year)
                    .ok_or(AppError::NotFound)?;
                let kind = PeriodKind::from_code(&py.kind)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                (year, Some((id, kind, py.number, py.starts_on, py.ends_on)))
            }
            PeriodChoice::Year | PeriodChoice::Current => {
                let year = school_repo::academic_year_on(c, school, today)
                    .await?
                    .ok_or_else(|| {
                        AppError::Conflict("the school has no academic year yet".into())
                    })?;
                (year, None)
            }
        };
        let groups = repo::groups(c, school, year.id).await?;
        let subjects: Vec<(SubjectId, String)> = school_repo::list_subjects(c, school)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let journals_all = repo::journals(c, school, year.id).await?;

        // The ids of the scope must be the school's.
        let class_name = match scope.class {
            Some(id) => Some(
                groups
                    .iter()
                    .find(|g| g.id == id && g.kind == "class")
                    .map(|g| g.name.clone())
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let subject_name = match scope.subject {
            Some(id) => Some(
                subjects
                    .iter()
                    .find(|(s, _)| *s == id)
                    .map(|(_, n)| n.clone())
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let teacher_name = match scope.teacher {
            Some(id) => Some(match journals_all.iter().find(|j| j.teacher == id) {
                Some(j) => j.teacher_name.clone(),
                None if school_repo::is_staff(c, id, school).await? => String::new(),
                None => return Err(AppError::NotFound),
            }),
            None => None,
        };
        if let Some(p) = p
            && !may_see(p, &scope)
        {
            return Err(AppError::Forbidden);
        }

        let period = match (q.period, period) {
            (_, Some(p)) => Some(p),
            (PeriodChoice::Year, None) => None,
            _ => {
                let parallels = school_repo::list_parallels(c, year.id).await?;
                let grade = scope
                    .class
                    .and_then(|id| groups.iter().find(|g| g.id == id).map(|g| g.grade))
                    .or(scope.grade);
                let mut tally: BTreeMap<PeriodKind, usize> = BTreeMap::new();
                for x in &parallels {
                    *tally.entry(x.period_kind).or_default() += 1;
                }
                let kind = grade
                    .and_then(|g| parallels.iter().find(|x| x.grade == g))
                    .map(|x| x.period_kind)
                    .or_else(|| tally.iter().max_by_key(|(_, n)| **n).map(|(k, _)| *k));
                let periods = school_repo::list_periods(c, year.id).await?;
                let of_kind: Vec<&school_repo::Period> = periods
                    .iter()
                    .filter(|x| kind.is_none_or(|k| x.kind == k))
                    .collect();
                let pick = of_kind
                    .iter()
                    .find(|x| x.starts_on <= today && today <= x.ends_on)
                    .or_else(|| of_kind.iter().rev().find(|x| x.starts_on <= today))
                    .or_else(|| of_kind.first())
                    .ok_or_else(|| {
                        AppError::Conflict("the year has no reporting periods".into())
                    })?;
                Some((
                    pick.id,
                    pick.kind,
                    pick.number,
                    pick.starts_on,
                    pick.ends_on,
                ))
            }
        };
        let (from, to, slot) = match period {
            Some((id, _, _, a, b)) => (a, b, format!("p{id}")),
            None => (year.starts_on, year.ends_on, "year".to_owned()),
        };
        let cut = if today < from {
            from - Duration::days(1)
        } else {
            today.min(to)
        };

        let order: HashMap<GroupId, usize> =
            groups.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        let groups: HashMap<GroupId, StatsGroup> = groups.into_iter().map(|g| (g.id, g)).collect();
        let mut journals: Vec<Journal> = Vec::new();
        for j in journals_all {
            match journals
                .iter_mut()
                .find(|x| x.group == j.group && x.subject == j.subject)
            {
                Some(x) => x.teachers.push((j.teacher, j.teacher_name)),
                None => journals.push(Journal {
                    group: j.group,
                    subject: j.subject,
                    teachers: vec![(j.teacher, j.teacher_name)],
                }),
            }
        }
        journals.retain(|j| {
            let g = groups.get(&j.group);
            let classes: Vec<GroupId> = match g {
                Some(g) if g.kind == "class" => vec![g.id],
                Some(g) => g
                    .parent
                    .into_iter()
                    .chain(g.stream_classes.iter().copied())
                    .collect(),
                None => Vec::new(),
            };
            scope.subject.is_none_or(|s| s == j.subject)
                && scope
                    .teacher
                    .is_none_or(|t| j.teachers.iter().any(|(x, _)| *x == t))
                && scope.class.is_none_or(|c| classes.contains(&c))
                && scope
                    .grade
                    .is_none_or(|gr| g.is_some_and(|g| g.grade == gr))
        });
        let mut ctx = Ctx {
            frame: Frame {
                scope,
                school_name,
                year: year.id,
                year_label: year.label.clone(),
                period: period.map(|p| p.0),
                period_kind: period.map(|p| p.1),
                period_number: period.map(|p| p.2),
                from,
                to,
                cut,
                slot,
                class_name,
                subject_name,
                teacher_name,
            },
            year_bounds: (year.starts_on, year.ends_on),
            groups,
            order,
            subjects,
            journals,
            policy: self.policy_of(c, school).await?.policy.clone(),
        };
        let mut js = std::mem::take(&mut ctx.journals);
        js.sort_by_key(|j| (ctx.group_rank(j.group), ctx.subject_rank(j.subject)));
        ctx.journals = js;
        Ok(ctx)
    }
}

async fn school_name(c: &mut Conn<'_>, school: SchoolId) -> Result<String, AppError> {
    school_repo::list_schools(c)
        .await?
        .into_iter()
        .find(|s| s.id == school)
        .map(|s| s.name)
        .ok_or(AppError::NotFound)
}

async fn lesson_counts(c: &mut Conn<'_>, ctx: &Ctx) -> Result<Vec<LessonCount>, AppError> {
    let f = &ctx.frame;
    Ok(repo::lesson_counts(c, f.scope.school, f.year, (f.from, f.cut, f.to)).await?)
}

async fn results(c: &mut Conn<'_>, ctx: &Ctx) -> Result<ResultsReport, AppError> {
    let f = &ctx.frame;
    let members = repo::members(c, f.scope.school, f.year, (f.from, f.to)).await?;
    let (classes, population) = ctx.population(&members);
    let finals: HashMap<(PersonId, SubjectId), FinalValue> =
        repo::final_codes(c, f.scope.school, f.year, &f.slot)
            .await?
            .into_iter()
            .filter_map(|r| FinalValue::from_code(&r.value).map(|v| ((r.student, r.subject), v)))
            .collect();
    let marks = repo::mark_counts(c, f.scope.school, (f.from, f.to)).await?;

    // The journal's standing of each pupil in each subject, and the current marks by value.
    let mut facts: HashMap<(PersonId, SubjectId), PeriodFacts> = HashMap::new();
    let mut dist: BTreeMap<SubjectId, MarkDistribution> = BTreeMap::new();
    for m in &marks {
        let key = (m.student, m.subject);
        if !population.contains_key(&key) {
            continue;
        }
        let scale = ctx.policy.scale_of(m.subject.get());
        if matches!(scale, Scale::Ten | Scale::Hundred) {
            continue;
        }
        let Ok(mark) = ctx.policy.parse_mark(&m.value, m.subject.get()) else {
            continue;
        };
        dist.entry(m.subject).or_default().add(mark, m.n);
        let fact = facts.entry(key).or_default();
        match mark {
            Mark::Pass => fact.passes += m.n,
            Mark::Fail => fact.fails += m.n,
            _ => {
                for p in mark.points() {
                    fact.average.sum += u64::from(p) * m.weights;
                    fact.average.weights += m.weights;
                    fact.average.count += m.n;
                }
                fact.has_two |= mark.has_two();
            }
        }
    }

    // Without a final mark, the proposal the marks so far give (no minimum count: the period
    // may be under way; н/а comes from final marks only).
    let relaxed = GradingPolicy {
        min_marks: 0,
        ..ctx.policy.clone()
    };
    let mut by_class: BTreeMap<GroupId, ResultLine> = BTreeMap::new();
    let mut by_subject: BTreeMap<SubjectId, ResultLine> = BTreeMap::new();
    for (&(student, subject), &(_, present)) in &population {
        let scale = ctx.policy.scale_of(subject.get());
        if matches!(scale, Scale::Ten | Scale::Hundred) {
            continue;
        }
        let mut line = ResultLine::default();
        if !present {
            line.left = 1;
        } else {
            match finals.get(&(student, subject)) {
                Some(FinalValue::Exempt) => line.exempt = 1,
                Some(v) => {
                    line.counts.add(*v);
                    line.from_finals = 1;
                }
                None => {
                    let fact = facts.get(&(student, subject)).copied().unwrap_or_default();
                    match propose(&relaxed, scale, &fact) {
                        Some(p) if p.value != FinalValue::NotAttested => {
                            line.counts.add(p.value);
                            line.from_journal = 1;
                        }
                        _ => line.without_marks = 1,
                    }
                }
            }
        }
        if let Some(class) = classes.get(&student) {
            by_class.entry(*class).or_default().absorb(&line);
        }
        by_subject.entry(subject).or_default().absorb(&line);
    }
    let mut by_class: Vec<(GroupId, ResultLine)> = by_class.into_iter().collect();
    by_class.sort_by_key(|(g, _)| ctx.group_rank(*g));
    let by_class: Vec<ResultLine> = by_class
        .into_iter()
        .map(|(g, mut l)| {
            l.key = g.to_string();
            l.label = ctx.group_name(g);
            l
        })
        .collect();
    let mut by_subject: Vec<(SubjectId, ResultLine)> = by_subject.into_iter().collect();
    by_subject.sort_by_key(|(s, _)| ctx.subject_rank(*s));
    // Every pupil counted is in one subject line (not every one has a class of the year).
    let mut total = ResultLine {
        label: "Итого".into(),
        ..ResultLine::default()
    };
    let by_subject: Vec<ResultLine> = by_subject
        .into_iter()
        .map(|(s, mut l)| {
            total.absorb(&l);
            l.key = s.to_string();
            l.label = ctx.subject_name(s);
            l
        })
        .collect();
    let mut marks_list: Vec<(SubjectId, MarkDistribution)> = dist.into_iter().collect();
    marks_list.sort_by_key(|(s, _)| ctx.subject_rank(*s));
    let mut marks_total = MarkDistribution {
        label: "Всего".into(),
        ..MarkDistribution::default()
    };
    let marks_list = marks_list
        .into_iter()
        .map(|(s, mut d)| {
            marks_total.absorb(&d);
            d.key = s.to_string();
            d.label = ctx.subject_name(s);
            d
        })
        .collect();
    Ok(ResultsReport {
        frame: ctx.frame.clone(),
        by_class,
        by_subject,
        total,
        marks: marks_list,
        marks_total,
    })
}

async fn grade_cals(c: &mut Conn<'_>, ctx: &Ctx) -> Result<HashMap<u8, GradeCalendar>, AppError> {
    let days_off = tabel_store::timetable::days_off(c, ctx.frame.year).await?;
    let (first, last) = ctx.year_bounds;
    Ok(school_repo::list_parallels(c, ctx.frame.year)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.grade,
                GradeCalendar {
                    grade: p.grade,
                    first_day: first,
                    last_day: last,
                    week_days: p.week_days,
                    days_off: days_off.clone(),
                },
            )
        })
        .collect())
}

async fn curriculum(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    lessons: &[LessonCount],
) -> Result<CurriculumReport, AppError> {
    let f = &ctx.frame;
    let items = repo::curriculum(c, f.year).await?;
    let weekly = repo::weekly_lessons(c, f.year).await?;
    let cals = grade_cals(c, ctx).await?;
    let mut by_journal: HashMap<(GroupId, SubjectId), Vec<&LessonCount>> = HashMap::new();
    for l in lessons {
        by_journal.entry((l.group, l.subject)).or_default().push(l);
    }
    let mut lines_of: HashMap<(GroupId, SubjectId), Vec<&repo::WeeklyLessons>> = HashMap::new();
    for w in &weekly {
        lines_of.entry((w.group, w.subject)).or_default().push(w);
    }
    let mut lines = Vec::new();
    let mut total = CurriculumLine {
        group_name: "Итого".into(),
        ..CurriculumLine::default()
    };
    let mut by_subject: BTreeMap<SubjectId, (u32, u32)> = BTreeMap::new();
    for j in &ctx.journals {
        let grade = ctx.grade_of(j.group).unwrap_or(0);
        let hours = items
            .iter()
            .find(|i| i.group == Some(j.group) && i.subject == j.subject)
            .or_else(|| {
                items
                    .iter()
                    .find(|i| i.group.is_none() && i.grade == Some(grade) && i.subject == j.subject)
            })
            .map(|i| i.hours_per_year);
        let cal = cals.get(&grade);
        let mut line = CurriculumLine {
            group: Some(j.group),
            group_name: ctx.group_name(j.group),
            subject: Some(j.subject),
            subject_name: ctx.subject_name(j.subject),
            teachers: ctx.teachers_of(j),
            ..CurriculumLine::default()
        };
        if let (Some(h), Some(cal)) = (hours, cal) {
            let whole = cal.study_days(ctx.year_bounds.0, ctx.year_bounds.1);
            line.planned_year = Some(h);
            line.planned_period = Some(prorate(h, cal.study_days(f.from, f.to), whole));
            line.planned_to_date = Some(if f.cut < f.from {
                0
            } else {
                prorate(h, cal.study_days(f.from, f.cut), whole)
            });
        }
        for l in by_journal.get(&(j.group, j.subject)).into_iter().flatten() {
            let cancelled = l.status == "cancelled";
            if l.at.in_period() && !cancelled {
                line.scheduled += l.n;
            }
            if is_held(l) {
                line.held += l.n;
                if l.status == "substituted" {
                    line.substituted += l.n;
                }
            }
            if l.at == Bucket::ToDate && cancelled {
                if teacher_absent(l.cause.as_deref(), l.reason.as_deref()) {
                    line.cancelled_teacher += l.n;
                } else {
                    line.cancelled_other += l.n;
                }
            }
            if l.at == Bucket::ToDate && !cancelled && !l.held {
                line.not_held += l.n;
            }
            if l.was == Some(Bucket::ToDate) && l.at != Bucket::ToDate && !cancelled {
                line.moved_out += l.n;
            }
        }
        if let Some(cal) = cal
            && f.cut >= f.from
        {
            let list: Vec<&repo::WeeklyLessons> = lines_of
                .get(&(j.group, j.subject))
                .map(|v| v.to_vec())
                .unwrap_or_default();
            line.holidays = holiday_shift(cal, &list, f.from, f.cut);
        }
        if let Some(plan) = line.planned_to_date {
            let lag = i64::from(plan) - i64::from(line.held);
            line.lag = Some(lag);
            line.other = Some(
                lag - i64::from(line.cancelled_teacher)
                    - i64::from(line.cancelled_other)
                    - line.holidays
                    - i64::from(line.not_held)
                    - i64::from(line.moved_out),
            );
            let e = by_subject.entry(j.subject).or_default();
            e.0 += plan;
            e.1 += line.held;
        }
        total.absorb(&line);
        lines.push(line);
    }
    let mut by_subject: Vec<SubjectCompliance> = by_subject
        .into_iter()
        .map(|(s, (planned_to_date, held))| SubjectCompliance {
            subject: s,
            subject_name: ctx.subject_name(s),
            planned_to_date,
            held,
        })
        .collect();
    by_subject.sort_by_key(|s| ctx.subject_rank(s.subject));
    Ok(CurriculumReport {
        frame: ctx.frame.clone(),
        lines,
        total,
        by_subject,
    })
}

async fn lesson_types(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    lessons: &[LessonCount],
) -> Result<LessonTypesReport, AppError> {
    let f = &ctx.frame;
    let planned = repo::planned_types(c, f.scope.school, f.year, (f.from, f.cut, f.to)).await?;
    // The default lesson type (an ordinary lesson) is not a "work".
    let types: Vec<(String, String)> = ctx
        .policy
        .lesson_types
        .iter()
        .skip(1)
        .map(|t| (t.code.clone(), t.name.clone()))
        .collect();
    let mut lines = Vec::new();
    let mut totals: Vec<TypeLine> = types
        .iter()
        .map(|(code, name)| TypeLine {
            group_name: "Итого".into(),
            lesson_type: code.clone(),
            type_name: name.clone(),
            ..TypeLine::default()
        })
        .collect();
    let mut held: HashMap<(GroupId, SubjectId, &str), u32> = HashMap::new();
    for l in lessons.iter().filter(|l| is_held(l)) {
        if let Some(t) = l.lesson_type.as_deref() {
            *held.entry((l.group, l.subject, t)).or_default() += l.n;
        }
    }
    for j in &ctx.journals {
        for (i, (code, name)) in types.iter().enumerate() {
            let p = planned
                .iter()
                .find(|p| p.group == j.group && p.subject == j.subject && p.lesson_type == *code);
            let line = TypeLine {
                group: Some(j.group),
                group_name: ctx.group_name(j.group),
                subject: Some(j.subject),
                subject_name: ctx.subject_name(j.subject),
                lesson_type: code.clone(),
                type_name: name.clone(),
                planned_year: p.map_or(0, |p| p.year),
                planned_period: p.map_or(0, |p| p.period),
                planned_to_date: p.map_or(0, |p| p.to_date),
                held: held
                    .get(&(j.group, j.subject, code.as_str()))
                    .copied()
                    .unwrap_or(0),
            };
            if line.planned_year + line.planned_period + line.held == 0 {
                continue;
            }
            if let Some(t) = totals.get_mut(i) {
                t.planned_year += line.planned_year;
                t.planned_period += line.planned_period;
                t.planned_to_date += line.planned_to_date;
                t.held += line.held;
            }
            lines.push(line);
        }
    }

    // Control works' marks: the work type a control lesson's marks get.
    let control_work = ctx
        .policy
        .lesson_type("control")
        .map_or("control", |t| t.default_work.as_str());
    let in_scope: HashSet<(GroupId, SubjectId)> =
        ctx.journals.iter().map(|j| (j.group, j.subject)).collect();
    let mut control: BTreeMap<(usize, usize, GroupId, SubjectId), ResultCounts> = BTreeMap::new();
    if f.cut >= f.from {
        for m in repo::work_marks(c, f.scope.school, f.year, control_work, (f.from, f.cut)).await? {
            if !in_scope.contains(&(m.group, m.subject)) {
                continue;
            }
            let Ok(mark) = ctx.policy.parse_mark(&m.value, m.subject.get()) else {
                continue;
            };
            if ctx.policy.scale_of(m.subject.get()) != Scale::Five {
                continue;
            }
            let e = control
                .entry((
                    ctx.group_rank(m.group),
                    ctx.subject_rank(m.subject),
                    m.group,
                    m.subject,
                ))
                .or_default();
            for p in mark.points() {
                for _ in 0..m.n {
                    e.add(FinalValue::Points(p));
                }
            }
        }
    }
    let mut control_total = ControlResults {
        group_name: "Итого".into(),
        ..ControlResults::default()
    };
    let control = control
        .into_iter()
        .map(|((_, _, g, s), counts)| {
            let t = &mut control_total.counts;
            t.n5 += counts.n5;
            t.n4 += counts.n4;
            t.n3 += counts.n3;
            t.n2 += counts.n2;
            ControlResults {
                group: Some(g),
                group_name: ctx.group_name(g),
                subject: Some(s),
                subject_name: ctx.subject_name(s),
                counts,
            }
        })
        .collect();
    Ok(LessonTypesReport {
        frame: ctx.frame.clone(),
        lines,
        totals,
        control,
        control_total,
    })
}

async fn attendance(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    lessons: &[LessonCount],
    threshold: u8,
) -> Result<AttendanceReport, AppError> {
    let f = &ctx.frame;
    let members = repo::members(c, f.scope.school, f.year, (f.from, f.to)).await?;
    let (classes, population) = ctx.population(&members);
    let mut held: HashMap<(GroupId, SubjectId), u32> = HashMap::new();
    for l in lessons.iter().filter(|l| is_held(l)) {
        *held.entry((l.group, l.subject)).or_default() += l.n;
    }
    // Each pupil's lessons per subject (in the journal they are counted in).
    let mut per: BTreeMap<(PersonId, SubjectId), AbsenceLine> = BTreeMap::new();
    let mut journal_of: HashMap<(PersonId, SubjectId), GroupId> = HashMap::new();
    for (&(student, subject), &(group, present)) in &population {
        if !present {
            continue;
        }
        journal_of.insert((student, subject), group);
        per.insert(
            (student, subject),
            AbsenceLine {
                lessons: held.get(&(group, subject)).copied().unwrap_or(0),
                ..AbsenceLine::default()
            },
        );
    }
    if f.cut >= f.from {
        for a in repo::absence_counts(c, f.scope.school, f.year, (f.from, f.cut)).await? {
            if journal_of.get(&(a.student, a.subject)) != Some(&a.group) {
                continue;
            }
            let Some(line) = per.get_mut(&(a.student, a.subject)) else {
                continue;
            };
            match Attendance::from_code(&a.code).ok() {
                Some(Attendance::Ill) => line.ill += a.n,
                Some(Attendance::Excused) => line.excused += a.n,
                Some(Attendance::Unexcused) => line.unexcused += a.n,
                Some(Attendance::Late) => {
                    line.late += a.n;
                    if Attendance::Late.missed_lesson(
                        a.minutes_late.unwrap_or(0),
                        a.lesson_minutes.unwrap_or(DEFAULT_LESSON_MINUTES),
                    ) {
                        line.late_missed += a.n;
                    }
                }
                None => {}
            }
        }
    }
    let mut by_class: BTreeMap<GroupId, (AbsenceLine, HashSet<PersonId>)> = BTreeMap::new();
    let mut by_subject: BTreeMap<SubjectId, AbsenceLine> = BTreeMap::new();
    let mut by_pupil: BTreeMap<PersonId, (AbsenceLine, Vec<SubjectId>)> = BTreeMap::new();
    for (&(student, subject), line) in &per {
        if let Some(class) = classes.get(&student) {
            let e = by_class.entry(*class).or_default();
            e.0.absorb(line);
            e.1.insert(student);
        }
        let s = by_subject.entry(subject).or_default();
        s.absorb(line);
        s.pupils += 1;
        let p = by_pupil.entry(student).or_default();
        p.0.absorb(line);
        if u64::from(line.missed()) * 2 > u64::from(line.lessons) && line.lessons > 0 {
            p.1.push(subject);
        }
    }
    let mut total = AbsenceLine {
        label: "Итого".into(),
        pupils: u32::try_from(by_pupil.len()).unwrap_or(u32::MAX),
        ..AbsenceLine::default()
    };
    for (l, _) in by_pupil.values() {
        let pupils = total.pupils;
        total.absorb(l);
        total.pupils = pupils;
    }
    let mut by_class: Vec<(GroupId, (AbsenceLine, HashSet<PersonId>))> =
        by_class.into_iter().collect();
    by_class.sort_by_key(|(g, _)| ctx.group_rank(*g));
    let by_class = by_class
        .into_iter()
        .map(|(g, (mut l, pupils))| {
            l.key = g.to_string();
            l.label = ctx.group_name(g);
            l.pupils = u32::try_from(pupils.len()).unwrap_or(u32::MAX);
            l
        })
        .collect();
    let mut by_subject: Vec<(SubjectId, AbsenceLine)> = by_subject.into_iter().collect();
    by_subject.sort_by_key(|(s, _)| ctx.subject_rank(*s));
    let by_subject = by_subject
        .into_iter()
        .map(|(s, mut l)| {
            l.key = s.to_string();
            l.label = ctx.subject_name(s);
            l
        })
        .collect();
    let over: Vec<(PersonId, AbsenceLine, Vec<SubjectId>)> = by_pupil
        .into_iter()
        .filter(|(_, (l, half))| {
            !half.is_empty()
                || u64::from(l.missed()) * 100 > u64::from(threshold) * u64::from(l.lessons)
        })
        .map(|(s, (l, half))| (s, l, half))
        .collect();
    let ids: Vec<PersonId> = over.iter().map(|o| o.0).collect();
    let names = if ids.is_empty() {
        Vec::new()
    } else {
        repo::pupil_names(c, &ids).await?
    };
    let mut pupils: Vec<PupilAbsences> = over
        .into_iter()
        .map(|(student, mut line, half)| {
            line.pupils = 1;
            let mut subjects: Vec<SubjectId> = half;
            subjects.sort_by_key(|s| ctx.subject_rank(*s));
            PupilAbsences {
                student,
                name: names
                    .iter()
                    .find(|n| n.student == student)
                    .map(|n| n.name.clone())
                    .unwrap_or_default(),
                class_name: classes
                    .get(&student)
                    .map(|g| ctx.group_name(*g))
                    .unwrap_or_default(),
                line,
                over_half: subjects.into_iter().map(|s| ctx.subject_name(s)).collect(),
            }
        })
        .collect();
    let rank = |p: &PupilAbsences| {
        names
            .iter()
            .position(|n| n.student == p.student)
            .unwrap_or(usize::MAX)
    };
    pupils.sort_by_key(|p| {
        (
            classes
                .get(&p.student)
                .map_or(usize::MAX, |g| ctx.group_rank(*g)),
            rank(p),
        )
    });
    Ok(AttendanceReport {
        frame: ctx.frame.clone(),
        by_class,
        by_subject,
        total,
        threshold,
        pupils,
    })
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
