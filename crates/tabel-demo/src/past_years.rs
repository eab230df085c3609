//! The pupils' earlier years (регламент, п. 3), so that a record spans the levels of
//! education: the academic years before the current one, the classes pupils were in (a pupil of
//! 5Б was in 4Б last year and in 1Б four years ago; the senior classes were formed anew after
//! grade 9, so a pupil of 10А may come from 9А, 9Б or 9В), memberships from the year of
//! enrolment on, and the year marks (slot `year`) of every subject taught with marks in grades
//! 2–11 (none in grade 1; ОРКСЭ is зачёт; now and then a pupil exempted from physical education).
//! Today's 10th and 11th graders also get their 9th grade's state exams: the итоговое
//! собеседование in February, the ОГЭ in Russian, mathematics and two subjects of choice (exam
//! results as the regional centre sends them, published at once), the exam marks (slot `exam`)
//! and the итоговые отметки of the certificate (slot `final`: the mean of the year's and the
//! exam's mark, rounded in the pupil's favour, where there was an exam; else the year mark of
//! the last grade that studied the subject).
//!
//! Marks follow the pupil: a pupil's centre is the mean of their first-quarter final marks this
//! year (drawn like the journal's abilities when there are none yet), with the subject's own
//! offset, a little higher in primary school. A strong pupil stays strong.
//!
//! Everything is written in bulk (memberships and final marks in multi-row statements); the
//! years and classes one by one, as they are first needed.

use crate::calendar;
use crate::curriculum::SubjectCode;
use crate::model::DemoSchool;
use crate::rng::SplitMix64;
use crate::{DemoError, calendar_date};
use std::collections::{BTreeMap, HashMap};
use tabel_domain::calendar::SchoolYear;
use tabel_domain::exams::{ExamKind, ExamMark};
use tabel_domain::finals::FinalValue;
use tabel_domain::school::GroupKind;
use tabel_domain::{AcademicYearId, GroupId, PersonId, SubjectId};
use tabel_store::Conn;
use tabel_store::exams::{self as exam_repo, NewResult};
use tabel_store::finals::{self as finals_repo, NewFinal, Slot};
use tabel_store::record::{self as repo, NewMembership};
use tabel_store::school::{self as school_repo, NewGroup};
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

/// What the phase wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PastYears {
    /// Academic years created.
    pub years: u64,
    /// Classes of those years.
    pub classes: u64,
    /// Memberships in them.
    pub memberships: u64,
    /// Final marks (year, exam, итоговая).
    pub finals: u64,
    /// Exam results (ОГЭ, собеседование).
    pub exams: u64,
}

/// Percent of pupil-years exempted from physical education (a medical group).
const PE_EXEMPT: u64 = 1;

/// The ОГЭ subjects: the school's subjects they give exam marks in, the exam's name, the
/// highest primary score and the lowest score for a 3, a 4 and a 5 (close to the scales the
/// federal institute recommends), and how often pupils choose it (the two compulsory: 0).
struct Oge {
    subjects: &'static [SubjectCode],
    name: &'static str,
    max: u16,
    three: u16,
    four: u16,
    five: u16,
    weight: u64,
}

const OGE: [Oge; 11] = [
    oge(&[SubjectCode::Russian], "Русский язык", 33, [15, 23, 29], 0),
    oge(
        &[SubjectCode::Algebra, SubjectCode::Geometry],
        "Математика",
        31,
        [8, 15, 22],
        0,
    ),
    oge(
        &[SubjectCode::SocialStudies],
        "Обществознание",
        37,
        [14, 24, 32],
        30,
    ),
    oge(
        &[SubjectCode::Informatics],
        "Информатика",
        19,
        [5, 11, 17],
        22,
    ),
    oge(&[SubjectCode::Geography], "География", 31, [12, 19, 26], 18),
    oge(&[SubjectCode::Biology], "Биология", 48, [13, 26, 38], 12),
    oge(
        &[SubjectCode::English],
        "Английский язык",
        68,
        [29, 46, 58],
        6,
    ),
    oge(&[SubjectCode::Chemistry], "Химия", 40, [10, 21, 31], 4),
    oge(&[SubjectCode::Physics], "Физика", 45, [11, 23, 35], 4),
    oge(&[SubjectCode::History], "История", 37, [11, 21, 30], 2),
    oge(
        &[SubjectCode::Literature],
        "Литература",
        37,
        [16, 27, 32],
        2,
    ),
];

const fn oge(
    subjects: &'static [SubjectCode],
    name: &'static str,
    max: u16,
    [three, four, five]: [u16; 3],
    weight: u64,
) -> Oge {
    Oge {
        subjects,
        name,
        max,
        three,
        four,
        five,
        weight,
    }
}

impl Oge {
    /// A primary score that gives `mark` on this exam's scale.
    fn score(&self, mark: u8, rng: &mut SplitMix64) -> u16 {
        let (lo, hi) = match mark {
            5 => (self.five, self.max),
            4 => (self.four, self.five - 1),
            3 => (self.three, self.four - 1),
            _ => (0, self.three - 1),
        };
        u16::try_from(rng.between(i64::from(lo), i64::from(hi))).unwrap_or(lo)
    }
}

/// A mark 3–5 from a value in hundredths (2 and н/а are not left in earlier years: they were
/// retaken).
fn mark_of(v: i64) -> u8 {
    u8::try_from(((v + 50) / 100).clamp(3, 5)).unwrap_or(4)
}

/// A mark around a centre in hundredths.
fn mark_around(center: i64, spread: i64, rng: &mut SplitMix64) -> u8 {
    mark_of(center + rng.between(-spread, spread))
}

/// The итоговая from the year's and the exam's mark: their mean, rounded in the pupil's favour.
fn certificate_mark(year: u8, exam: u8) -> u8 {
    (year + exam).div_ceil(2)
}

/// Noon-ish UTC of a day (a Moscow school's working morning).
fn morning(d: Date) -> OffsetDateTime {
    OffsetDateTime::new_utc(d, Time::from_hms(7, 0, 0).unwrap_or(Time::MIDNIGHT))
}

/// The day itself, or the Monday after a weekend.
fn weekday_from(mut d: Date) -> Date {
    while matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        d += Duration::days(1);
    }
    d
}

/// A final mark of an earlier year, before it is written (published when set).
struct PastFinal {
    year: AcademicYearId,
    group: GroupId,
    student: PersonId,
    subject: SubjectId,
    slot: Slot,
    value: String,
    at: OffsetDateTime,
}

/// Everything the pupils' earlier years produce, before it is written.
struct Pending {
    memberships: Vec<NewMembership>,
    finals: Vec<PastFinal>,
    exams: Vec<NewResult<'static>>,
}

/// The phase's lazily created years and classes.
struct Frame {
    years: BTreeMap<i32, (AcademicYearId, Date, Date)>,
    classes: HashMap<(i32, u8, char), GroupId>,
}

impl Frame {
    async fn year(
        &mut self,
        c: &mut Conn<'_>,
        school: &DemoSchool,
        y: i32,
    ) -> Result<(AcademicYearId, Date, Date), DemoError> {
        if let Some(found) = self.years.get(&y) {
            return Ok(*found);
        }
        let bad = |e: tabel_domain::calendar::InvalidSchoolYear| DemoError::Invalid(e.to_string());
        let plan = calendar::plan(SchoolYear::starting(y).map_err(bad)?)
            .map_err(|e| DemoError::Invalid(e.to_string()))?;
        let id = school_repo::insert_academic_year(c, school.id, y, plan.starts_on, plan.ends_on)
            .await?;
        let entry = (id, plan.starts_on, plan.ends_on);
        self.years.insert(y, entry);
        Ok(entry)
    }

    async fn class(
        &mut self,
        c: &mut Conn<'_>,
        school: &DemoSchool,
        (y, year): (i32, AcademicYearId),
        grade: u8,
        letter: char,
    ) -> Result<GroupId, DemoError> {
        if let Some(id) = self.classes.get(&(y, grade, letter)) {
            return Ok(*id);
        }
        let name = tabel_domain::text::ClassName::new(grade, letter)
            .map_err(|e| DemoError::Invalid(e.to_string()))?
            .to_string();
        let id = school_repo::insert_group(
            c,
            &NewGroup {
                school: school.id,
                year,
                kind: GroupKind::Class,
                name: &name,
                grade,
                parent: None,
                subject: None,
            },
        )
        .await?;
        self.classes.insert((y, grade, letter), id);
        Ok(id)
    }
}

/// A pupil's centre (hundredths of a mark) and each subject's offset from it.
struct Ability {
    base: i64,
    offsets: [i64; SubjectCode::ALL.len()],
}

impl Ability {
    fn center(&self, code: SubjectCode, grade: u8) -> i64 {
        // Primary school marks run a little higher.
        let primary = if grade <= 4 { 20 } else { 0 };
        self.base + self.offsets.get(code.index()).copied().unwrap_or(0) + primary
    }
}

/// Draws the same number of values for every pupil, so that one pupil's data never shifts
/// another's.
fn ability(rng: &mut SplitMix64, quarter: Option<&BTreeMap<SubjectCode, u8>>) -> Ability {
    let drawn = match rng.below(100) {
        0..10 => rng.between(465, 495),
        10..20 => rng.between(280, 320),
        _ => rng.between(350, 460),
    };
    let mut offsets = [0i64; SubjectCode::ALL.len()];
    for o in &mut offsets {
        *o = rng.between(-30, 30);
    }
    let Some(q) = quarter.filter(|q| !q.is_empty()) else {
        return Ability {
            base: drawn,
            offsets,
        };
    };
    let n = i64::try_from(q.len()).unwrap_or(1);
    let base = q.values().map(|m| i64::from(*m) * 100).sum::<i64>() / n;
    for (code, mark) in q {
        if let Some(o) = offsets.get_mut(code.index()) {
            *o = (i64::from(*mark) * 100 - base) * 6 / 10;
        }
    }
    Ability { base, offsets }
}

/// Writes the earlier years of every pupil; what was written.
pub(crate) async fn past_years(
    c: &mut Conn<'_>,
    school: &DemoSchool,
    rng: &mut SplitMix64,
) -> Result<PastYears, DemoError> {
    let started = std::time::Instant::now();
    let current = school.year.start_year;
    let code_of: HashMap<SubjectId, SubjectCode> =
        school.subjects.iter().map(|s| (s.id, s.code)).collect();
    // The first quarter's final marks (written by the finals phase) give the pupils' centres.
    let mut quarter: HashMap<PersonId, BTreeMap<SubjectCode, u8>> = HashMap::new();
    for f in finals_repo::of_school_year(c, school.id, school.year.id).await? {
        if let (Slot::Period(_), Some(FinalValue::Points(p)), Some(code)) = (
            f.slot,
            FinalValue::from_code(&f.value),
            code_of.get(&f.subject),
        ) {
            quarter.entry(f.student).or_default().insert(*code, p);
        }
    }
    let mut frame = Frame {
        years: BTreeMap::new(),
        classes: HashMap::new(),
    };
    let mut out = Pending {
        memberships: Vec::new(),
        finals: Vec::new(),
        exams: Vec::new(),
    };
    let letters = ['А', 'Б', 'В'];
    for student in &school.students {
        let Some(class) = school.classes.get(student.class) else {
            continue;
        };
        let person = student.person.id;
        let a = ability(rng, quarter.get(&person));
        let senior_letter = *rng.pick(&letters);
        let electives = choose_electives(rng);
        // Enrolled on 1 September of a year; earlier years were spent outside the deployment.
        let first = if student.enrolled_on < school.year.starts_on {
            student.enrolled_on.year()
        } else {
            current
        };
        // The pupil's year marks by grade and subject, oldest first.
        let mut marks: BTreeMap<(u8, SubjectCode), String> = BTreeMap::new();
        let mut ninth: Option<(i32, AcademicYearId, GroupId)> = None;
        for back in (1..class.grade).rev() {
            let y = current - i32::from(back);
            let grade = class.grade - back;
            let pe_exempt = rng.percent(PE_EXEMPT);
            let noise: Vec<u64> = SubjectCode::ALL.iter().map(|_| rng.below(91)).collect();
            if y < first {
                continue;
            }
            let (year, starts_on, ends_on) = frame.year(c, school, y).await?;
            // The senior classes were formed after grade 9; until then the pupil kept the letter.
            let letter = if class.grade >= 10 && grade <= 9 {
                senior_letter
            } else {
                class.letter
            };
            let group = frame.class(c, school, (y, year), grade, letter).await?;
            out.memberships.push(NewMembership {
                school: school.id,
                group,
                student: person,
                starts_on,
                ends_on: Some(ends_on),
            });
            if grade == 9 {
                ninth = Some((y, year, group));
            }
            if grade < 2 {
                continue;
            }
            let at = morning(ends_on + Duration::days(2));
            for (code, spread) in SubjectCode::ALL.iter().zip(&noise) {
                if code.weekly_tenths(grade) == 0 {
                    continue;
                }
                let Some(subject) = school.subject_id(*code) else {
                    continue;
                };
                let value = match code {
                    SubjectCode::Orkse => FinalValue::Pass.code(),
                    SubjectCode::PhysicalEducation if pe_exempt => FinalValue::Exempt.code(),
                    _ => {
                        let shift = i64::try_from(*spread).unwrap_or(45) - 45;
                        mark_of(a.center(*code, grade) + shift).to_string()
                    }
                };
                marks.insert((grade, *code), value.clone());
                out.finals.push(PastFinal {
                    year,
                    group,
                    student: person,
                    subject,
                    slot: Slot::Year,
                    value,
                    at,
                });
            }
        }
        if let Some(ninth) = ninth {
            let pupil = Pupil {
                person,
                ability: &a,
                electives,
                marks: &marks,
            };
            state_exams(school, &pupil, ninth, rng, &mut out)?;
        }
    }
    let mut summary = PastYears {
        years: frame.years.len() as u64,
        classes: frame.classes.len() as u64,
        ..PastYears::default()
    };
    summary.memberships = repo::insert_memberships(c, &out.memberships).await?;
    let finals: Vec<NewFinal<'_>> = out
        .finals
        .iter()
        .map(|f| NewFinal {
            school: school.id,
            year: f.year,
            student: f.student,
            subject: f.subject,
            group: Some(f.group),
            slot: f.slot,
            value: &f.value,
            proposal: None,
            proposal_basis: None,
            reason: "",
            set_by: None,
            at: f.at,
        })
        .collect();
    summary.finals = repo::insert_finals(c, &finals).await?;
    for r in &out.exams {
        exam_repo::insert_result(c, r).await?;
        summary.exams += 1;
    }
    tracing::info!(school = %school.short_name, finals = summary.finals, memberships = summary.memberships,
        elapsed_ms = started.elapsed().as_millis(), "earlier years written");
    Ok(summary)
}

/// Two ОГЭ subjects of choice, by how often pupils take them.
fn choose_electives(rng: &mut SplitMix64) -> [usize; 2] {
    let total: u64 = OGE.iter().map(|o| o.weight).sum();
    let mut pick = |skip: Option<usize>| {
        let skipped = skip.and_then(|i| OGE.get(i)).map_or(0, |o| o.weight);
        let mut r = rng.below(total - skipped);
        for (i, o) in OGE.iter().enumerate() {
            if Some(i) == skip || o.weight == 0 {
                continue;
            }
            if r < o.weight {
                return i;
            }
            r -= o.weight;
        }
        2
    };
    let first = pick(None);
    let second = pick(Some(first));
    [first, second]
}

/// What the 9th grade's exams of a pupil depend on.
struct Pupil<'a> {
    person: PersonId,
    ability: &'a Ability,
    /// The ОГЭ subjects of choice (indices into [`OGE`]).
    electives: [usize; 2],
    /// The year marks by grade and subject.
    marks: &'a BTreeMap<(u8, SubjectCode), String>,
}

/// Where the exam results pretend to come from.
const SOURCE: &str = "РЦОИ: протоколы ГИА-9";

/// The 9th grade's итоговое собеседование and ОГЭ of a pupil, the exam marks and the
/// certificate's итоговые отметки.
fn state_exams(
    school: &DemoSchool,
    p: &Pupil<'_>,
    (y, year, group): (i32, AcademicYearId, GroupId),
    rng: &mut SplitMix64,
    out: &mut Pending,
) -> Result<(), DemoError> {
    let spring = y + 1;
    // The собеседование: the second Wednesday of February.
    let mut feb = calendar_date(spring, Month::February, 1)?;
    while feb.weekday() != Weekday::Wednesday {
        feb += Duration::days(1);
    }
    let taken_on = feb + Duration::days(7);
    let received = morning(taken_on + Duration::days(7));
    out.exams.push(NewResult {
        school: school.id,
        year,
        batch: None,
        student: p.person,
        exam: ExamKind::Interview,
        subject: school.subject_id(SubjectCode::Russian),
        subject_name: "Русский язык",
        taken_on: Some(taken_on),
        score: u16::try_from(rng.between(12, 20)).ok(),
        mark: ExamMark::Pass,
        source: SOURCE,
        received_at: received,
        imported_by: None,
        published_at: Some(received + Duration::hours(3)),
    });
    // The ОГЭ: Russian and mathematics in June, the subjects of choice in May.
    let [first, second] = p.electives;
    let mut exam_marks: BTreeMap<SubjectCode, u8> = BTreeMap::new();
    for (i, month, day) in [
        (0, Month::June, 3),
        (1, Month::June, 9),
        (first, Month::May, 21),
        (second, Month::May, 27),
    ] {
        let Some(o) = OGE.get(i) else { continue };
        let n = i64::try_from(o.subjects.len()).unwrap_or(1).max(1);
        let center = o
            .subjects
            .iter()
            .map(|s| p.ability.center(*s, 9))
            .sum::<i64>()
            / n;
        let mark = mark_around(center, 60, rng);
        let score = o.score(mark, rng);
        let taken_on = weekday_from(calendar_date(spring, month, day)?);
        let received = morning(taken_on + Duration::days(10));
        // The school's subject of the same name (mathematics of grades 1–6 for the ОГЭ's).
        let subject = if o.name == "Математика" {
            school.subject_id(SubjectCode::Mathematics)
        } else {
            o.subjects.first().and_then(|s| school.subject_id(*s))
        };
        out.exams.push(NewResult {
            school: school.id,
            year,
            batch: None,
            student: p.person,
            exam: ExamKind::Oge,
            subject,
            subject_name: o.name,
            taken_on: Some(taken_on),
            score: Some(score),
            mark: ExamMark::Mark(mark),
            source: SOURCE,
            received_at: received,
            imported_by: None,
            published_at: Some(received + Duration::hours(3)),
        });
        for code in o.subjects {
            let Some(subject) = school.subject_id(*code) else {
                continue;
            };
            exam_marks.insert(*code, mark);
            out.finals.push(PastFinal {
                year,
                group,
                student: p.person,
                subject,
                slot: Slot::Exam,
                value: mark.to_string(),
                at: received + Duration::days(1),
            });
        }
    }
    // The certificate: every subject of grades 5–9, from the last grade that studied it.
    let at = morning(calendar_date(spring, Month::June, 20)?);
    for code in SubjectCode::ALL {
        let Some(year_mark) = (5..=9u8).rev().find_map(|g| p.marks.get(&(g, code))) else {
            continue;
        };
        let Some(subject) = school.subject_id(code) else {
            continue;
        };
        let value = match (exam_marks.get(&code), year_mark.parse::<u8>()) {
            (Some(exam), Ok(year_points)) => certificate_mark(year_points, *exam).to_string(),
            _ => year_mark.clone(),
        };
        out.finals.push(PastFinal {
            year,
            group,
            student: p.person,
            subject,
            slot: Slot::Final,
            value,
            at,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_mark_is_the_mean_rounded_in_the_pupils_favour() {
        assert_eq!(certificate_mark(4, 5), 5);
        assert_eq!(certificate_mark(4, 3), 4);
        assert_eq!(certificate_mark(3, 3), 3);
    }

    #[test]
    fn scores_fall_within_the_marks_band_of_each_scale() {
        let mut rng = SplitMix64::new(9);
        for o in &OGE {
            assert!(
                o.three < o.four && o.four < o.five && o.five <= o.max,
                "{}",
                o.name
            );
            for mark in 3..=5u8 {
                for _ in 0..50 {
                    let s = o.score(mark, &mut rng);
                    let back = if s >= o.five {
                        5
                    } else if s >= o.four {
                        4
                    } else if s >= o.three {
                        3
                    } else {
                        2
                    };
                    assert_eq!(back, mark, "{} {s}", o.name);
                }
            }
        }
    }

    #[test]
    fn two_different_subjects_of_choice_and_never_a_compulsory_one() {
        let mut rng = SplitMix64::new(4);
        for _ in 0..500 {
            let [a, b] = choose_electives(&mut rng);
            assert_ne!(a, b);
            assert!(a >= 2 && b >= 2);
        }
    }

    #[test]
    fn a_strong_pupil_stays_strong() {
        let mut rng = SplitMix64::new(1);
        let q: BTreeMap<SubjectCode, u8> =
            [(SubjectCode::Russian, 5), (SubjectCode::Mathematics, 5)].into();
        let strong = ability(&mut rng, Some(&q));
        assert_eq!(strong.base, 500);
        let marks: Vec<u8> = (0..200)
            .map(|_| mark_around(strong.center(SubjectCode::Russian, 3), 45, &mut rng))
            .collect();
        assert!(marks.iter().all(|m| *m >= 4), "{marks:?}");
        let q: BTreeMap<SubjectCode, u8> =
            [(SubjectCode::Russian, 3), (SubjectCode::Mathematics, 3)].into();
        let weak = ability(&mut rng, Some(&q));
        let marks: Vec<u8> = (0..200)
            .map(|_| mark_around(weak.center(SubjectCode::Russian, 6), 45, &mut rng))
            .collect();
        assert!(marks.iter().all(|m| *m <= 4), "{marks:?}");
    }
}
