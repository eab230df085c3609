//! The pupil's record (регламент, п. 3: учёт индивидуальных результатов освоения основных
//! образовательных программ начального общего, основного общего и среднего общего образования):
//! the three levels of general education, who may read a record and how much of it, and how a
//! year without a known class finds its grade.
//!
//! A record follows the person, not the class: it gathers every year of the pupil within the
//! deployment, whichever class or school the pupil was in.

use crate::access::{Decision, Principal, StudentFacts};
use crate::exams::{ExamKind, ExamMark};
use crate::finals::Slot;
use crate::school::PeriodKind;
use crate::{AcademicYearId, DebtId, DeferralId, ExamResultId, SubjectId};
use crate::{GroupId, SchoolId};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, OffsetDateTime};

/// A level of general education (уровень общего образования).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EducationLevel {
    /// Начальное общее образование: grades 1–4.
    Primary,
    /// Основное общее образование: grades 5–9.
    Basic,
    /// Среднее общее образование: grades 10–11.
    Secondary,
}

impl EducationLevel {
    /// Every level, in the order a pupil goes through them.
    pub const ALL: [EducationLevel; 3] = [
        EducationLevel::Primary,
        EducationLevel::Basic,
        EducationLevel::Secondary,
    ];

    /// The level a grade belongs to; `None` outside 1–11.
    pub const fn of_grade(grade: u8) -> Option<EducationLevel> {
        match grade {
            1..=4 => Some(EducationLevel::Primary),
            5..=9 => Some(EducationLevel::Basic),
            10 | 11 => Some(EducationLevel::Secondary),
            _ => None,
        }
    }

    /// The first and the last grade of the level.
    pub const fn grades(self) -> (u8, u8) {
        match self {
            EducationLevel::Primary => (1, 4),
            EducationLevel::Basic => (5, 9),
            EducationLevel::Secondary => (10, 11),
        }
    }

    /// The stable code: `primary`, `basic`, `secondary`.
    pub const fn code(self) -> &'static str {
        match self {
            EducationLevel::Primary => "primary",
            EducationLevel::Basic => "basic",
            EducationLevel::Secondary => "secondary",
        }
    }

    /// The level's name as documents write it.
    pub const fn russian(self) -> &'static str {
        match self {
            EducationLevel::Primary => "начальное общее образование",
            EducationLevel::Basic => "основное общее образование",
            EducationLevel::Secondary => "среднее общее образование",
        }
    }
}

impl fmt::Display for EducationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who reads a record, which decides how much of it they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordReader {
    /// The pupil: what the family sees.
    Pupil,
    /// A legal representative with the diary consent in force: what has been published.
    Family,
    /// The school's administration, the class teacher or a teacher of the pupil: everything,
    /// including exam results not yet published to the family.
    Staff,
}

impl RecordReader {
    /// Whether results not yet published to the family are shown (marked as such).
    pub fn sees_unpublished(self) -> bool {
        self == RecordReader::Staff
    }
}

/// Who may read a pupil's record, and how much: exactly who may see the pupil
/// ([`Principal::may_view_student`]: the school's administrators and deputy heads, a teacher or
/// class teacher of the pupil, the pupil, a legal representative with the diary consent in
/// force). Staff who read the pupil see everything; the pupil and the family what is published.
pub fn record_reader(p: &Principal, f: &StudentFacts) -> Result<RecordReader, Decision> {
    match p.may_view_student(f) {
        Decision::Allow if p.reads_as_staff(f) => Ok(RecordReader::Staff),
        Decision::Allow if p.person == Some(f.student) => Ok(RecordReader::Pupil),
        Decision::Allow => Ok(RecordReader::Family),
        refused => Err(refused),
    }
}

/// Fills the grade of each year that has none (no class membership kept for it) from the
/// nearest year that has one, a grade a year, within 1–11. `years` are `(start year, grade)`;
/// a year stays unknown when no year is known.
pub fn infer_grades(years: &mut [(i32, Option<u8>)]) {
    let known: Vec<(i32, u8)> = years
        .iter()
        .filter_map(|(y, g)| g.map(|g| (*y, g)))
        .collect();
    for (year, grade) in years.iter_mut().filter(|(_, g)| g.is_none()) {
        let nearest = known
            .iter()
            .min_by_key(|(y, _)| (y.abs_diff(*year), *y > *year));
        if let Some((y, g)) = nearest {
            let inferred = i32::from(*g) + (*year - *y);
            *grade = u8::try_from(inferred.clamp(1, 11)).ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::LinkedChild;
    use crate::school::Role;
    use crate::{PersonId, UserId};

    const S1: SchoolId = SchoolId::new(1);
    const S2: SchoolId = SchoolId::new(2);
    const PUPIL: PersonId = PersonId::new(5);
    const CLASS: GroupId = GroupId::new(7);

    fn nobody() -> Principal {
        Principal {
            user: UserId::new(1),
            person: Some(PersonId::new(100)),
            grants: vec![],
            class_teacher_of: vec![],
            children: vec![],
            student_in: None,
            pupils: vec![],
            student_consent: false,
        }
    }

    fn facts() -> StudentFacts {
        StudentFacts {
            student: PUPIL,
            school: S1,
        }
    }

    #[test]
    fn levels_follow_the_grades() {
        let levels: Vec<Option<EducationLevel>> = (0..=12).map(EducationLevel::of_grade).collect();
        use EducationLevel::*;
        assert_eq!(
            levels,
            [
                None,
                Some(Primary),
                Some(Primary),
                Some(Primary),
                Some(Primary),
                Some(Basic),
                Some(Basic),
                Some(Basic),
                Some(Basic),
                Some(Basic),
                Some(Secondary),
                Some(Secondary),
                None
            ]
        );
        for l in EducationLevel::ALL {
            let (a, b) = l.grades();
            assert_eq!(EducationLevel::of_grade(a), Some(l));
            assert_eq!(EducationLevel::of_grade(b), Some(l));
        }
        assert!(Primary < Basic && Basic < Secondary);
    }

    #[test]
    fn the_administration_the_class_teacher_and_the_pupils_teachers_read_everything() {
        let mut admin = nobody();
        admin.grants.push((Role::Admin, S1));
        assert_eq!(record_reader(&admin, &facts()), Ok(RecordReader::Staff));
        let mut deputy = nobody();
        deputy.grants.push((Role::Deputy, S1));
        assert_eq!(record_reader(&deputy, &facts()), Ok(RecordReader::Staff));
        let mut class_teacher = nobody();
        class_teacher.grants.push((Role::Teacher, S1));
        class_teacher.class_teacher_of.push((S1, CLASS));
        class_teacher.pupils = vec![PUPIL];
        assert_eq!(
            record_reader(&class_teacher, &facts()),
            Ok(RecordReader::Staff)
        );
        let mut teacher = nobody();
        teacher.grants.push((Role::Teacher, S1));
        teacher.pupils = vec![PUPIL];
        assert_eq!(record_reader(&teacher, &facts()), Ok(RecordReader::Staff));
        assert!(RecordReader::Staff.sees_unpublished());
    }

    #[test]
    fn a_teacher_without_the_pupil_is_refused_and_other_schools_see_nothing() {
        let mut teacher = nobody();
        teacher.grants.push((Role::Teacher, S1));
        teacher.class_teacher_of.push((S1, GroupId::new(8)));
        assert_eq!(record_reader(&teacher, &facts()), Err(Decision::Forbidden));
        let mut other = nobody();
        other.grants.push((Role::Admin, S2));
        other.grants.push((Role::Teacher, S2));
        other.pupils = vec![PUPIL];
        assert_eq!(record_reader(&other, &facts()), Err(Decision::Hidden));
        assert_eq!(record_reader(&nobody(), &facts()), Err(Decision::Hidden));
    }

    #[test]
    fn the_pupil_and_a_consenting_parent_read_what_the_family_sees() {
        let mut pupil = nobody();
        pupil.person = Some(PUPIL);
        pupil.student_in = Some(S1);
        // Without a representative's consent the pupil's own record is closed too.
        assert_eq!(record_reader(&pupil, &facts()), Err(Decision::NoConsent));
        pupil.student_consent = true;
        assert_eq!(record_reader(&pupil, &facts()), Ok(RecordReader::Pupil));
        let mut parent = nobody();
        parent.children.push(LinkedChild {
            student: PUPIL,
            school: S1,
            consent: true,
        });
        assert_eq!(record_reader(&parent, &facts()), Ok(RecordReader::Family));
        assert!(!RecordReader::Family.sees_unpublished());
        parent.children[0].consent = false;
        assert_eq!(record_reader(&parent, &facts()), Err(Decision::NoConsent));
        let mut stranger = nobody();
        stranger.children.push(LinkedChild {
            student: PersonId::new(6),
            school: S1,
            consent: true,
        });
        assert_eq!(record_reader(&stranger, &facts()), Err(Decision::Hidden));
    }

    #[test]
    fn unknown_grades_come_from_the_nearest_known_year() {
        let mut years = [
            (2021, None),
            (2022, Some(2)),
            (2023, None),
            (2024, Some(4)),
            (2025, Some(4)),
            (2026, None),
        ];
        infer_grades(&mut years);
        assert_eq!(
            years.map(|(_, g)| g),
            [Some(1), Some(2), Some(3), Some(4), Some(4), Some(5)]
        );
        let mut clamped = [(2010, None), (2030, None), (2020, Some(2))];
        infer_grades(&mut clamped);
        assert_eq!(clamped.map(|(_, g)| g), [Some(1), Some(11), Some(2)]);
        let mut unknown = [(2020, None)];
        infer_grades(&mut unknown);
        assert_eq!(unknown[0].1, None);
    }
}

/// An academic debt in a record, with its retakes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordDebt {
    /// Id.
    pub id: DebtId,
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// The calendar year the academic year starts in.
    pub start_year: i32,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The final mark's slot that is owed, as stored.
    pub slot: String,
    /// The period of a period's slot: kind and number.
    pub period: Option<(PeriodKind, u8)>,
    /// When it arose.
    pub arisen_on: Date,
    /// The last day to retake it.
    pub deadline: Date,
    /// As stored: `open`, `closed`, `exhausted` (the record use case turns an open one past its
    /// deadline into `expired`).
    pub state: String,
    /// The passing result that closed it, if any.
    pub result: Option<String>,
    /// Retakes, in order.
    pub retakes: Vec<RecordRetake>,
}

/// A retake of an academic debt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordRetake {
    /// 1 or 2.
    pub attempt: i64,
    /// When.
    pub on: Date,
    /// The result's code.
    pub value: String,
}

/// A deferral of a final mark in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordDeferral {
    /// Id.
    pub id: DeferralId,
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// The calendar year the academic year starts in.
    pub start_year: i32,
    /// The subject.
    pub subject: SubjectId,
    /// Its name.
    pub subject_name: String,
    /// The final mark's slot it defers (`p<id>`, `year`…), as stored.
    pub slot: String,
    /// The period of a period's slot: kind and number.
    pub period: Option<(PeriodKind, u8)>,
    /// From.
    pub starts_on: Date,
    /// To.
    pub ends_on: Date,
    /// The order or the medical document it rests on.
    pub basis: String,
    /// `open`, `resolved`, `lapsed`.
    pub state: String,
}

/// An exam result in a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordExam {
    /// Id.
    pub id: ExamResultId,
    /// The school that received it.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// The calendar year the academic year starts in.
    pub start_year: i32,
    /// Which exam.
    pub exam: ExamKind,
    /// The school's subject, when the name is one.
    pub subject: Option<SubjectId>,
    /// The subject as received.
    pub subject_name: String,
    /// When taken.
    pub taken_on: Option<Date>,
    /// Primary score.
    pub score: Option<i64>,
    /// The result.
    pub mark: ExamMark,
    /// When the school received it.
    pub received_at: OffsetDateTime,
    /// When the family could first see it (`None`: not yet).
    pub published_at: Option<OffsetDateTime>,
}

/// A class a pupil was in during a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordClass {
    /// The school.
    pub school: SchoolId,
    /// Its short name ("СОШ № 1").
    pub school_name: String,
    /// The year.
    pub year: AcademicYearId,
    /// The calendar year the academic year starts in.
    pub start_year: i32,
    /// The class.
    pub class: GroupId,
    /// "5А".
    pub name: String,
    /// Its grade.
    pub grade: u8,
    /// From.
    pub from: Date,
    /// To (inclusive), if the membership ended.
    pub to: Option<Date>,
}

/// A final mark as the record shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordFinal {
    /// The school that set it.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// The calendar year the academic year starts in.
    pub start_year: i32,
    /// The subject (of the school that set it).
    pub subject: SubjectId,
    /// Its name there.
    pub subject_name: String,
    /// Its place in that school's order.
    pub subject_order: i64,
    /// The slot.
    pub slot: Slot,
    /// The period of a period's slot: kind and number.
    pub period: Option<(PeriodKind, u8)>,
    /// The grade of the journal it was set in, if known.
    pub grade: Option<u8>,
    /// The value's code (`5`, `na`, `exempt`, `pass`, `fail`).
    pub value: String,
    /// When set.
    pub set_at: OffsetDateTime,
    /// When the family could first see it.
    pub published_at: Option<OffsetDateTime>,
}
