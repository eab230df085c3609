//! The school model's enumerations: roles, kinds of study groups and reporting periods,
//! relations of legal representatives, consent states. Each is stored as a short text code.

use crate::calendar;
pub use crate::code::UnknownCode;
use crate::code::coded_enum;
use crate::{AcademicYearId, GroupId, PeriodId, PersonId, SchoolId};
use crate::{AssignmentId, HolidayId, SubjectId, UserId};
use serde::Serialize;
use time::{Date, OffsetDateTime};

coded_enum!(
    /// A role a user holds in a school. Scopes (which classes, which children) come from the
    /// school model: assignments, class-teacher appointments, parent↔child links.
    Role {
        /// School administrator: accounts, structure, settings.
        Admin = "admin",
        /// Deputy head (завуч): reads everything of the school, plans, reports.
        Deputy = "deputy",
        /// A teacher: writes where assigned.
        Teacher = "teacher",
        /// Class teacher (классный руководитель) of one or more classes.
        ClassTeacher = "class_teacher",
        /// A legal representative: sees linked children with a valid consent.
        Parent = "parent",
        /// A student: sees self.
        Student = "student",
    }
);

impl Role {
    /// Roles that are granted directly; the others follow from the school model.
    pub const GRANTABLE: &'static [Role] = &[Role::Admin, Role::Deputy, Role::Teacher];
}

coded_enum!(
    /// What a study group is.
    GroupKind {
        /// A class, e.g. 5А.
        Class = "class",
        /// A subgroup of a class, e.g. English group 1.
        Subgroup = "subgroup",
        /// A stream across classes of a parallel, e.g. a profile group in grade 10.
        Stream = "stream",
        /// A group of one: a student on an individual curriculum (ИУП).
        Individual = "individual",
    }
);

coded_enum!(
    /// How a parallel's year is divided for attestation.
    PeriodKind {
        /// Четверть: four a year.
        Quarter = "quarter",
        /// Триместр: three a year.
        Trimester = "trimester",
        /// Полугодие: two a year.
        HalfYear = "half_year",
    }
);

impl PeriodKind {
    /// How many periods of this kind a year has.
    pub const fn per_year(self) -> u8 {
        match self {
            PeriodKind::Quarter => 4,
            PeriodKind::Trimester => 3,
            PeriodKind::HalfYear => 2,
        }
    }
}

coded_enum!(
    /// How a legal representative is related to the child.
    Relation {
        /// Мать.
        Mother = "mother",
        /// Отец.
        Father = "father",
        /// Опекун (guardian of a child under 14).
        Guardian = "guardian",
        /// Попечитель (guardian of a child 14–18).
        Trustee = "trustee",
        /// Another legal representative (e.g. a foster parent).
        Other = "other",
    }
);

coded_enum!(
    /// A person's sex, for the grammatical forms of names and documents.
    Sex {
        /// Male.
        Male = "m",
        /// Female.
        Female = "f",
    }
);

coded_enum!(
    /// What a holiday row means.
    DayOffKind {
        /// Каникулы: a holiday range.
        Holiday = "holiday",
        /// A public non-working day.
        NonWorking = "non_working",
        /// A working day that is normally off (a worked Saturday).
        WorkingDay = "working_day",
    }
);

coded_enum!(
    /// The purpose a consent is given for (152-ФЗ: specific and separate).
    ConsentPurpose {
        /// Processing personal data for the electronic diary.
        Diary = "diary",
        /// Delivering the diary's information electronically (otherwise: paper extracts).
        ElectronicDelivery = "electronic_delivery",
    }
);

coded_enum!(
    /// Who sets an assessment procedure.
    Level {
        /// The school's own.
        School = "school",
        /// Regional.
        Regional = "regional",
        /// Federal (e.g. ВПР).
        Federal = "federal",
    }
);

coded_enum!(
    /// The state a consent record puts a parent × child × purpose in.
    ConsentState {
        /// Consent given.
        Given = "given",
        /// Consent refused.
        Refused = "refused",
        /// A consent given earlier and withdrawn.
        Withdrawn = "withdrawn",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()).unwrap(), *r);
        }
        for k in GroupKind::ALL {
            assert_eq!(GroupKind::from_code(k.code()).unwrap(), *k);
        }
        assert!(Role::from_code("root").is_err());
    }
}

/// A reporting period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// Id.
    pub id: PeriodId,
    /// Quarter, trimester or half-year.
    pub kind: PeriodKind,
    /// 1-based number within the year.
    pub number: u8,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// When it was closed, if it is.
    pub locked_at: Option<OffsetDateTime>,
}

/// A school as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct School {
    /// Id.
    pub id: SchoolId,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Municipality name.
    pub municipality: String,
    /// Region name.
    pub region: String,
}

/// A study group as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Id.
    pub id: GroupId,
    /// The school.
    pub school: SchoolId,
    /// The year.
    pub year: AcademicYearId,
    /// Kind.
    pub kind: GroupKind,
    /// Name.
    pub name: String,
    /// Grade.
    pub grade: u8,
    /// The class of a subgroup.
    pub parent: Option<GroupId>,
    /// The subject of a subgroup or stream.
    pub subject: Option<String>,
    /// Current members (on the date asked for).
    pub members: i64,
    /// The class teacher's short name (classes only).
    pub class_teacher: Option<String>,
}

/// A person as lists show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonSummary {
    /// Id.
    pub id: PersonId,
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// Patronymic.
    pub middle_name: Option<String>,
    /// Sex.
    pub sex: Sex,
    /// Birth date.
    pub birth_date: Option<Date>,
}

impl PersonSummary {
    /// "Иванова М. П.".
    pub fn short_name(&self) -> String {
        crate::text::short_name(
            &self.last_name,
            &self.first_name,
            self.middle_name.as_deref(),
        )
    }
    /// "Иванова Мария Петровна".
    pub fn full_name(&self) -> String {
        match &self.middle_name {
            Some(m) => format!("{} {} {}", self.last_name, self.first_name, m),
            None => format!("{} {}", self.last_name, self.first_name),
        }
    }

    /// The same person with the name and birth date taken out: what a family without a consent
    /// in force may hold of a child (the id, which the API shows too). Screens show a neutral
    /// label in place of the empty name ([`PersonSummary::is_withheld`]).
    pub fn withheld(&self) -> PersonSummary {
        PersonSummary {
            id: self.id,
            last_name: String::new(),
            first_name: String::new(),
            middle_name: None,
            sex: self.sex,
            birth_date: None,
        }
    }

    /// Whether the name was taken out by [`PersonSummary::withheld`].
    pub fn is_withheld(&self) -> bool {
        self.last_name.is_empty() && self.first_name.is_empty()
    }
}

/// A student's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudentCard {
    /// The person.
    pub person: PersonSummary,
    /// The school.
    pub school: SchoolId,
    /// When enrolled.
    pub enrolled_on: Date,
    /// When left, if so.
    pub left_on: Option<Date>,
}

/// A holiday range, non-working day or worked day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    /// Id.
    pub id: HolidayId,
    /// What it is.
    pub kind: DayOffKind,
    /// Name, e.g. "Осенние каникулы".
    pub name: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// Only for one grade (e.g. the extra February week of grade 1).
    pub only_grade: Option<u8>,
}

/// An academic year of a school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcademicYear {
    /// Id.
    pub id: AcademicYearId,
    /// The school.
    pub school: SchoolId,
    /// "2026/2027".
    pub label: String,
    /// First day of lessons.
    pub starts_on: Date,
    /// Last day of lessons.
    pub ends_on: Date,
}

/// A curriculum line as the curriculum page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurriculumLine {
    /// The grade, for a parallel line.
    pub grade: Option<u8>,
    /// The group's name, for a group line.
    pub group: Option<String>,
    /// The subject.
    pub subject: String,
    /// Hours a week.
    pub weekly: calendar::WeeklyHours,
    /// Hours a year.
    pub yearly: i64,
}

/// A child of a parent, with the state of the diary consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildLink {
    /// The child.
    pub student: PersonSummary,
    /// The child's school.
    pub school: SchoolId,
    /// How related.
    pub relation: Relation,
    /// The latest consent record for the diary, if any.
    pub diary_consent: Option<ConsentState>,
    /// The latest consent record for electronic delivery, if any.
    pub delivery_consent: Option<ConsentState>,
}

/// A subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// Id.
    pub id: SubjectId,
    /// Name, e.g. "Русский язык".
    pub name: String,
    /// Short name for narrow columns, e.g. "Рус. яз.".
    pub short_name: String,
}

/// A staff member with what they teach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffMember {
    /// The person.
    pub person: PersonSummary,
    /// Position, e.g. "учитель математики".
    pub position: String,
    /// Subjects taught this year, comma-separated in curriculum order.
    pub subjects: Vec<String>,
    /// Classes led as class teacher.
    pub class_teacher_of: Vec<String>,
}

/// Counts of a school's structure, for the admin's overview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SchoolCounts {
    /// Students enrolled and not left.
    pub students: i64,
    /// Staff members.
    pub staff: i64,
    /// Classes this year.
    pub classes: i64,
    /// Subgroups, streams and individual curricula this year.
    pub other_groups: i64,
    /// Linked legal representatives.
    pub parents: i64,
}

/// A teaching assignment as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// Id.
    pub id: AssignmentId,
    /// The teacher.
    pub teacher: PersonId,
    /// The teacher's short name.
    pub teacher_name: String,
    /// The subject.
    pub subject: String,
    /// The group.
    pub group: GroupId,
    /// The group's name.
    pub group_name: String,
}

/// A teacher of one of a pupil's groups, for one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupTeacher {
    /// The teacher.
    pub teacher: PersonId,
    /// "Смирнова Елена Викторовна".
    pub name: String,
    /// The subject.
    pub subject: String,
    /// The group (class, subgroup, stream, ИУП).
    pub group: GroupId,
    /// Its name.
    pub group_name: String,
    /// Its kind code (`class`, `subgroup`, `stream`, `individual`).
    pub group_kind: String,
}

/// An account as the admin's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSummary {
    /// Id.
    pub id: UserId,
    /// Login.
    pub login: String,
    /// Name.
    pub display_name: String,
    /// The person behind the account.
    pub person: Option<PersonId>,
    /// Granted roles, comma-separated codes.
    pub roles: Vec<Role>,
    /// Whether a password is set.
    pub has_password: bool,
    /// Locked by an administrator.
    pub disabled: bool,
    /// Locked after failures until then.
    pub locked_until: Option<OffsetDateTime>,
    /// When created.
    pub created_at: OffsetDateTime,
}
