//! A pupil's record (регламент, п. 3: учёт индивидуальных результатов освоения основных
//! образовательных программ): every year, exam and итоговая mark and the periods' marks, exam
//! results, deferrals and academic debts, by level of education → academic year (with the
//! class the pupil was in) → subject, across every class and school of the deployment.
//!
//! The record follows the person: a year spent in another school of the deployment is there,
//! with that school's subject names. A year is a school year of the pupil's life (its start
//! year): a pupil who changed school during a year has one year with both classes.
//!
//! Families (the pupil, a parent with the diary consent) see what has been published to them;
//! the school's administration, the class teacher and the pupil's teachers see everything, and
//! which results the family does not see yet. Deferrals and debts are sections of a year of
//! their own, read from their tables as they are.

use crate::diary::DiaryChild;
use crate::personal_file::{ReceivedSummary, RecordSource, imported_years, merge_years};
use crate::{App, AppError, check};
use serde::Serialize;
use std::collections::BTreeMap;
use tabel_domain::access::{Principal, StudentFacts};
use tabel_domain::debts::{DebtState, debt_stage};
use tabel_domain::finals::FinalValue;
use tabel_domain::personal_file::FileAttendance;
use tabel_domain::record::{EducationLevel, RecordReader, infer_grades, record_reader};
use tabel_domain::school::{GroupKind, PeriodKind};
use tabel_domain::text::sort_key;
use tabel_domain::{AcademicYearId, PersonId, SchoolId, SubjectId};
use tabel_store::finals::Slot;
use tabel_store::record::{
    self as repo, RecordClass, RecordDebt, RecordDeferral, RecordExam, RecordFinal,
};
use tabel_store::school as school_repo;
use time::{Date, OffsetDateTime};

/// A final mark in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinalEntry {
    /// The school that set it.
    pub school: SchoolId,
    /// Its academic year (of that school).
    pub year: AcademicYearId,
    /// The subject (of that school).
    pub subject: SubjectId,
    /// The slot.
    pub slot: Slot,
    /// The period of a period's slot: kind and number.
    pub period: Option<(PeriodKind, u8)>,
    /// The stored code (`5`, `na`, `exempt`, `pass`, `fail`).
    pub code: String,
    /// As shown: "5", "н/а", "осв.", "зач.", "незач.".
    pub shown: String,
    /// When set.
    pub set_at: OffsetDateTime,
    /// When the family could first see it.
    pub published_at: Option<OffsetDateTime>,
}

/// A subject of a year: its marks in the periods, for the year, the exam and the итоговая.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectLine {
    /// The name, as the school that set the marks writes it.
    pub name: String,
    /// The name's key (case- and ё-folded): one subject across schools and years.
    pub key: String,
    /// Its place in the school's order.
    pub order: i64,
    /// The periods' marks, in order (quarters, trimesters, half-years).
    pub periods: Vec<FinalEntry>,
    /// The year's mark.
    pub year: Option<FinalEntry>,
    /// The exam's mark.
    pub exam: Option<FinalEntry>,
    /// The итоговая (for the level's certificate).
    pub final_mark: Option<FinalEntry>,
}

impl SubjectLine {
    pub(crate) fn new(name: &str, order: i64) -> SubjectLine {
        SubjectLine {
            name: name.to_owned(),
            key: sort_key(name.trim()),
            order,
            periods: Vec::new(),
            year: None,
            exam: None,
            final_mark: None,
        }
    }

    /// Every mark of the line: the periods', then year, exam, итоговая.
    pub fn entries(&self) -> impl Iterator<Item = &FinalEntry> {
        self.periods
            .iter()
            .chain(&self.year)
            .chain(&self.exam)
            .chain(&self.final_mark)
    }
}

/// A school year of the pupil's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearRecord {
    /// The calendar year it starts in.
    pub start_year: i32,
    /// "2025/2026".
    pub label: String,
    /// The pupil's grade (from the class, else inferred from the neighbouring years).
    pub grade: Option<u8>,
    /// The classes the pupil was in, in order (two when moved during the year).
    pub classes: Vec<RecordClass>,
    /// Subjects with marks, in the school's order.
    pub subjects: Vec<SubjectLine>,
    /// Exam results (for families: the published ones).
    pub exams: Vec<RecordExam>,
    /// Deferrals of final marks.
    pub deferrals: Vec<RecordDeferral>,
    /// Academic debts with their retakes.
    pub debts: Vec<RecordDebt>,
    /// For a year from a personal file received from another deployment: where it comes from
    /// (its entries' ids are 0: they name no row here).
    pub source: Option<RecordSource>,
    /// The attendance totals a received personal file gave for the year.
    pub attendance: Option<FileAttendance>,
}

impl YearRecord {
    pub(crate) fn new(start_year: i32) -> YearRecord {
        YearRecord {
            start_year,
            label: format!("{}/{}", start_year, start_year + 1),
            grade: None,
            classes: Vec::new(),
            subjects: Vec::new(),
            exams: Vec::new(),
            deferrals: Vec::new(),
            debts: Vec::new(),
            source: None,
            attendance: None,
        }
    }

    /// "5А", or "5А → 5Б" for a pupil moved during the year ("" when no class is kept).
    pub fn class_names(&self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for c in &self.classes {
            if names.last() != Some(&c.name.as_str()) {
                names.push(&c.name);
            }
        }
        names.join(" → ")
    }

    /// The line of a subject by its key.
    pub fn subject(&self, key: &str) -> Option<&SubjectLine> {
        self.subjects.iter().find(|s| s.key == key)
    }
}

/// A level of education in the record, with its years in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelRecord {
    /// The level (`None`: years whose grade is unknown).
    pub level: Option<EducationLevel>,
    /// Its years, oldest first.
    pub years: Vec<YearRecord>,
}

impl LevelRecord {
    /// The subjects of the level across its years, `(key, name)` by the order of the latest
    /// year that has each: the rows of the level's table.
    pub fn subjects(&self) -> Vec<(String, String)> {
        let mut latest: BTreeMap<String, (i64, String)> = BTreeMap::new();
        for y in &self.years {
            for s in &y.subjects {
                latest.insert(s.key.clone(), (s.order, s.name.clone()));
            }
        }
        let mut rows: Vec<(i64, String, String)> = latest
            .into_iter()
            .map(|(key, (order, name))| (order, key, name))
            .collect();
        rows.sort();
        rows.into_iter().map(|(_, k, n)| (k, n)).collect()
    }
}

/// A pupil's record.
#[derive(Debug, Clone, Serialize)]
pub struct StudentRecord {
    /// The pupil with today's class and groups (the page's head).
    pub child: DiaryChild,
    /// Who reads it, which decides what is shown.
    pub reader: RecordReader,
    /// The levels, in the order the pupil went through them.
    pub levels: Vec<LevelRecord>,
    /// Personal files received for the pupil from other deployments, the latest issued first
    /// (the record shows the years of that one).
    pub received: Vec<ReceivedSummary>,
    /// The reader may issue the pupil's personal file (the school's administrators and
    /// deputy heads).
    pub may_issue_file: bool,
    /// The reader may import a personal file for the pupil (the school's administrators).
    pub may_import_file: bool,
}

impl StudentRecord {
    /// Every year of the record, oldest first.
    pub fn years(&self) -> impl Iterator<Item = (Option<EducationLevel>, &YearRecord)> {
        self.levels
            .iter()
            .flat_map(|l| l.years.iter().map(move |y| (l.level, y)))
    }
}

fn shown(code: &str) -> String {
    FinalValue::from_code(code).map_or_else(|| code.to_owned(), |v| v.to_string())
}

/// Where a slot goes in a subject line: the periods by kind and number, then the year, the
/// exam and the итоговая.
fn slot_rank(e: &FinalEntry) -> (u8, Option<(PeriodKind, u8)>, i64) {
    match e.slot {
        Slot::Period(p) => (0, e.period, p.get()),
        Slot::Year => (1, None, 0),
        Slot::Exam => (2, None, 0),
        Slot::Final => (3, None, 0),
    }
}

/// Puts a final mark on its subject line; the later of two marks of one slot (a pupil who
/// changed school during the year) wins.
fn place(line: &mut SubjectLine, f: RecordFinal) {
    let entry = FinalEntry {
        school: f.school,
        year: f.year,
        subject: f.subject,
        slot: f.slot,
        period: f.period,
        shown: shown(&f.value),
        code: f.value,
        set_at: f.set_at,
        published_at: f.published_at,
    };
    let keep_later = |cell: &mut Option<FinalEntry>, e: FinalEntry| {
        if cell.as_ref().is_none_or(|old| old.set_at <= e.set_at) {
            *cell = Some(e);
        }
    };
    match entry.slot {
        Slot::Period(_) => line.periods.push(entry),
        Slot::Year => keep_later(&mut line.year, entry),
        Slot::Exam => keep_later(&mut line.exam, entry),
        Slot::Final => keep_later(&mut line.final_mark, entry),
    }
}

/// Everything read about a pupil, assembled into levels → years → subjects.
struct Parts {
    classes: Vec<RecordClass>,
    finals: Vec<RecordFinal>,
    exams: Vec<RecordExam>,
    deferrals: Vec<RecordDeferral>,
    debts: Vec<RecordDebt>,
}

fn assemble(parts: Parts, reader: RecordReader) -> Vec<LevelRecord> {
    let mut years: BTreeMap<i32, YearRecord> = BTreeMap::new();
    let mut journal_grades: BTreeMap<i32, u8> = BTreeMap::new();
    for c in parts.classes {
        years
            .entry(c.start_year)
            .or_insert_with(|| YearRecord::new(c.start_year))
            .classes
            .push(c);
    }
    for f in parts.finals {
        // Families see what was published to them (a final mark is, as soon as it is set).
        if f.published_at.is_none() && !reader.sees_unpublished() {
            continue;
        }
        if let Some(g) = f.grade {
            let e = journal_grades.entry(f.start_year).or_insert(g);
            *e = (*e).max(g);
        }
        let y = years
            .entry(f.start_year)
            .or_insert_with(|| YearRecord::new(f.start_year));
        let key = sort_key(f.subject_name.trim());
        let at = match y.subjects.iter().position(|s| s.key == key) {
            Some(i) => i,
            None => {
                y.subjects
                    .push(SubjectLine::new(&f.subject_name, f.subject_order));
                y.subjects.len() - 1
            }
        };
        if let Some(line) = y.subjects.get_mut(at) {
            place(line, f);
        }
    }
    for e in parts.exams {
        if e.published_at.is_none() && !reader.sees_unpublished() {
            continue;
        }
        years
            .entry(e.start_year)
            .or_insert_with(|| YearRecord::new(e.start_year))
            .exams
            .push(e);
    }
    for d in parts.deferrals {
        years
            .entry(d.start_year)
            .or_insert_with(|| YearRecord::new(d.start_year))
            .deferrals
            .push(d);
    }
    for d in parts.debts {
        years
            .entry(d.start_year)
            .or_insert_with(|| YearRecord::new(d.start_year))
            .debts
            .push(d);
    }
    // The grade of a year: its (latest) class's, else the journals', else the neighbours'.
    let mut grades: Vec<(i32, Option<u8>)> = years
        .values()
        .map(|y| {
            let class = y.classes.last().map(|c| c.grade);
            (
                y.start_year,
                class.or_else(|| journal_grades.get(&y.start_year).copied()),
            )
        })
        .collect();
    infer_grades(&mut grades);
    let mut levels: Vec<LevelRecord> = Vec::new();
    for ((_, grade), mut y) in grades.into_iter().zip(years.into_values()) {
        y.grade = grade;
        for s in &mut y.subjects {
            s.periods.sort_by_key(slot_rank);
        }
        y.subjects
            .sort_by(|a, b| (a.order, &a.key).cmp(&(b.order, &b.key)));
        let level = grade.and_then(EducationLevel::of_grade);
        match levels.iter_mut().find(|l| l.level == level) {
            Some(l) => l.years.push(y),
            None => levels.push(LevelRecord {
                level,
                years: vec![y],
            }),
        }
    }
    // Levels in the order of education; years without a known grade last.
    levels.sort_by_key(|l| (l.level.is_none(), l.level));
    levels
}

impl App {
    /// A pupil's record across the years and levels: every final mark (periods, year, exam,
    /// итоговая), exam result, deferral and academic debt, by level → year (with the class) →
    /// subject, from every class and school of the deployment the pupil was in. Who may read it
    /// and how much: [`record_reader`] (a parent only with the diary consent; a teacher only of
    /// the pupil). Eight or nine queries, whatever the length of the record.
    #[tracing::instrument(skip_all, fields(student = %student))]
    pub async fn student_record(
        &self,
        p: &Principal,
        student: PersonId,
    ) -> Result<StudentRecord, AppError> {
        let today = self.today();
        let mut pooled = self.db.acquire().await?;
        let c = &mut pooled.conn();
        let card = school_repo::get_student(c, student)
            .await?
            .ok_or(AppError::NotFound)?;
        let facts = StudentFacts {
            student,
            school: card.school,
        };
        let reader = match record_reader(p, &facts) {
            Ok(r) => r,
            Err(d) => {
                check(d)?;
                return Err(AppError::Forbidden);
            }
        };
        let groups = school_repo::groups_of_student(c, student, today).await?;
        let parts = Parts {
            classes: repo::classes_of(c, student).await?,
            finals: repo::finals_of(c, student).await?,
            exams: repo::exams_of(c, student).await?,
            deferrals: repo::deferrals_of(c, student).await?,
            debts: repo::debts_of(c, student)
                .await?
                .into_iter()
                .map(|d| staged(d, today))
                .collect(),
        };
        let (received, shown) = crate::personal_file::received(c, student).await?;
        let class = groups.iter().find(|g| g.kind == GroupKind::Class).cloned();
        let mut levels = assemble(parts, reader);
        if let Some(file) = shown {
            merge_years(&mut levels, imported_years(&file, reader, today)?);
        }
        Ok(StudentRecord {
            child: DiaryChild {
                card,
                class,
                groups,
            },
            reader,
            levels,
            received,
            may_issue_file: crate::personal_file::may_issue(p, &facts)
                == tabel_domain::access::Decision::Allow,
            may_import_file: p.is_admin_of(facts.school),
        })
    }
}

/// A debt as it stands today: an open one past its deadline reads `expired` (expiry is
/// computed, never stored).
fn staged(mut d: RecordDebt, today: Date) -> RecordDebt {
    if let Ok(state) = DebtState::from_code(&d.state) {
        d.state = debt_stage(state, d.deadline, today).code().to_owned();
    }
    d
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tabel_domain::exams::{ExamKind, ExamMark};
    use tabel_domain::{GroupId, PeriodId};
    use time::macros::{date, datetime};

    #[test]
    fn an_open_debt_past_its_deadline_reads_expired() {
        let debt = |state: &str| RecordDebt {
            id: tabel_domain::DebtId::new(1),
            school: SchoolId::new(1),
            year: AcademicYearId::new(1),
            start_year: 2025,
            subject: SubjectId::new(1),
            subject_name: "Математика".into(),
            slot: "year".into(),
            period: None,
            arisen_on: date!(2026 - 05 - 30),
            deadline: date!(2027 - 05 - 30),
            state: state.into(),
            result: None,
            retakes: Vec::new(),
        };
        let on = |state: &str, today| staged(debt(state), today).state;
        assert_eq!(on("open", date!(2027 - 05 - 30)), "open", "the last day");
        assert_eq!(on("open", date!(2027 - 05 - 31)), "expired");
        assert_eq!(on("expired", date!(2026 - 11 - 29)), "open", "older rows");
        assert_eq!(on("closed", date!(2028 - 01 - 01)), "closed");
        assert_eq!(on("exhausted", date!(2028 - 01 - 01)), "exhausted");
    }

    /// A level with its years: (start year, grade, classes).
    type Shape = (Option<EducationLevel>, Vec<(i32, Option<u8>, String)>);

    const A: SchoolId = SchoolId::new(1);
    const B: SchoolId = SchoolId::new(2);

    fn class(school: SchoolId, start_year: i32, name: &str, grade: u8) -> RecordClass {
        RecordClass {
            school,
            school_name: format!("Школа {school}"),
            year: AcademicYearId::new(i64::from(start_year)),
            start_year,
            class: GroupId::new(i64::from(grade)),
            name: name.into(),
            grade,
            from: date!(2020 - 09 - 01),
            to: None,
        }
    }

    fn mark(
        school: SchoolId,
        start_year: i32,
        subject: &str,
        slot: Slot,
        value: &str,
    ) -> RecordFinal {
        RecordFinal {
            school,
            year: AcademicYearId::new(i64::from(start_year)),
            start_year,
            subject: SubjectId::new(if school == A { 10 } else { 20 }),
            subject_name: subject.into(),
            subject_order: if subject == "Математика" {
                1
            } else {
                2
            },
            period: slot
                .period()
                .map(|p| (PeriodKind::Quarter, u8::try_from(p.get()).unwrap())),
            slot,
            grade: None,
            value: value.into(),
            set_at: datetime!(2026-05-30 09:00 UTC),
            published_at: Some(datetime!(2026-05-30 09:00 UTC)),
        }
    }

    fn exam(start_year: i32, published: bool) -> RecordExam {
        RecordExam {
            id: tabel_domain::ExamResultId::new(1),
            school: B,
            year: AcademicYearId::new(i64::from(start_year)),
            start_year,
            exam: ExamKind::Oge,
            subject: None,
            subject_name: "Математика".into(),
            taken_on: None,
            score: Some(20),
            mark: ExamMark::Mark(4),
            received_at: datetime!(2026-06-10 09:00 UTC),
            published_at: published.then_some(datetime!(2026-06-10 10:00 UTC)),
        }
    }

    fn parts() -> Parts {
        Parts {
            classes: vec![
                class(B, 2024, "4А", 4),
                class(A, 2025, "5Б", 5),
                class(A, 2026, "5Б", 5),
            ],
            finals: vec![
                // Year 2023 has no class kept: grade 3 from its neighbour.
                mark(B, 2023, "математика", Slot::Year, "5"),
                mark(B, 2024, "Математика", Slot::Year, "4"),
                mark(B, 2024, "Окружающий мир", Slot::Year, "exempt"),
                mark(A, 2026, "Математика", Slot::Period(PeriodId::new(2)), "na"),
                mark(A, 2026, "Математика", Slot::Period(PeriodId::new(1)), "5"),
            ],
            exams: vec![exam(2025, true), exam(2025, false)],
            deferrals: Vec::new(),
            debts: Vec::new(),
        }
    }

    #[test]
    fn years_fall_into_levels_by_the_grade_of_their_class() {
        let levels = assemble(parts(), RecordReader::Staff);
        let shape: Vec<Shape> = levels
            .iter()
            .map(|l| {
                (
                    l.level,
                    l.years
                        .iter()
                        .map(|y| (y.start_year, y.grade, y.class_names()))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                (
                    Some(EducationLevel::Primary),
                    vec![(2023, Some(3), String::new()), (2024, Some(4), "4А".into())]
                ),
                (
                    Some(EducationLevel::Basic),
                    vec![(2025, Some(5), "5Б".into()), (2026, Some(5), "5Б".into())]
                ),
            ]
        );
        // One subject across schools and spellings; the school's order.
        let primary = &levels[0];
        assert_eq!(
            primary.subjects(),
            [
                ("математика".to_owned(), "Математика".to_owned()),
                ("окружающий мир".to_owned(), "Окружающий мир".to_owned())
            ]
        );
        let y2024 = &primary.years[1];
        assert_eq!(
            y2024
                .subject("окружающий мир")
                .unwrap()
                .year
                .as_ref()
                .unwrap()
                .shown,
            "осв."
        );
        // Periods in order, shown as the diary shows them.
        let now = &levels[1].years[1];
        let math = now.subject("математика").unwrap();
        let periods: Vec<&str> = math.periods.iter().map(|e| e.shown.as_str()).collect();
        assert_eq!(periods, ["5", "н/а"]);
        assert!(math.year.is_none());
        assert_eq!(levels[1].years[0].exams.len(), 2, "staff see every result");
    }

    #[test]
    fn families_see_only_what_was_published_to_them() {
        let mut p = parts();
        p.finals[0].published_at = None;
        let levels = assemble(p, RecordReader::Family);
        let basic = levels
            .iter()
            .find(|l| l.level == Some(EducationLevel::Basic))
            .unwrap();
        assert_eq!(basic.years[0].exams.len(), 1);
        let primary = &levels[0];
        assert_eq!(
            primary.years[0].start_year, 2024,
            "the unpublished year's only mark is gone"
        );
    }

    #[test]
    fn the_later_mark_of_a_slot_wins_when_two_schools_set_one() {
        let mut p = parts();
        let mut late = mark(A, 2024, "Математика", Slot::Year, "3");
        late.set_at = datetime!(2026-06-30 09:00 UTC);
        p.finals.push(late);
        let levels = assemble(p, RecordReader::Staff);
        let y = &levels[0].years[1];
        assert_eq!(
            y.subject("математика")
                .unwrap()
                .year
                .as_ref()
                .unwrap()
                .shown,
            "3"
        );
        assert_eq!(y.subjects.len(), 2);
    }
}
