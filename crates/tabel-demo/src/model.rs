//! What the generator made: the ids and facts of everything it created in a school, so that
//! later phases (timetable, marks, attendance, homework…) can hang their data on it without
//! reading the database back. Indices (`usize`) point into the vectors of the same
//! [`DemoSchool`].

use crate::DemoSummary;
use crate::calendar::CalendarPlan;
use crate::curriculum::SubjectCode;
use crate::teaching::Specialty;
use std::time::Duration;
use tabel_domain::calendar::{TimeZoneName, WeekLength, WeeklyHours};
use tabel_domain::school::{ConsentState, DayOffKind, GroupKind, PeriodKind, Relation, Role, Sex};
use tabel_domain::text::{ClassName, PersonName};
use tabel_domain::timetable::BellSlot;
use tabel_domain::{
    AcademicYearId, AssignmentId, CurriculumItemId, GroupId, HolidayId, MunicipalityId, ParallelId,
    PeriodId, PersonId, RegionId, SchoolId, SubjectId, UserId,
};
use time::Date;

/// The generated region: its schools in order (the first holds the demo accounts).
#[derive(Debug, Clone)]
pub struct DemoRegion {
    /// The region.
    pub id: RegionId,
    /// Its name.
    pub name: String,
    /// Municipalities, in order of creation.
    pub municipalities: Vec<DemoMunicipality>,
    /// Schools, in order of creation.
    pub schools: Vec<DemoSchool>,
}

impl DemoRegion {
    /// Totals over the schools.
    pub fn summary(&self) -> DemoSummary {
        let mut s = DemoSummary {
            schools: u32::try_from(self.schools.len()).unwrap_or(u32::MAX),
            ..DemoSummary::default()
        };
        for school in &self.schools {
            s.students += school.students.len() as u64;
            s.staff += school.staff.len() as u64;
            s.parents += school.parents.len() as u64;
            s.accounts += school.accounts.len() as u64;
            s.marks += school.journal.marks;
        }
        s
    }
}

/// A municipality.
#[derive(Debug, Clone)]
pub struct DemoMunicipality {
    /// Id.
    pub id: MunicipalityId,
    /// Name.
    pub name: String,
}

/// One generated school.
#[derive(Debug, Clone)]
pub struct DemoSchool {
    /// 0-based position in the region (school 0 holds the demo accounts).
    pub index: u32,
    /// Id.
    pub id: SchoolId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// Time zone.
    pub time_zone: TimeZoneName,
    /// The academic year.
    pub year: DemoYear,
    /// The year's calendar as planned (dates of periods and holidays).
    pub calendar: CalendarPlan,
    /// Parallels, grades 1–11.
    pub parallels: Vec<DemoParallel>,
    /// Reporting periods: quarters 1–4, then half-years 1–2.
    pub periods: Vec<DemoPeriod>,
    /// Holidays, public holidays, transfers.
    pub days_off: Vec<DemoDayOff>,
    /// Subjects, indexed by [`SubjectCode::index`].
    pub subjects: Vec<DemoSubject>,
    /// Classes, by grade and letter.
    pub classes: Vec<DemoClass>,
    /// Subgroups, streams and individual curricula.
    pub groups: Vec<DemoGroup>,
    /// Curriculum lines: per parallel, then per group.
    pub curriculum: Vec<DemoCurriculumItem>,
    /// Staff: administration first, then teachers.
    pub staff: Vec<DemoStaff>,
    /// Students.
    pub students: Vec<DemoStudent>,
    /// Legal representatives.
    pub parents: Vec<DemoParent>,
    /// Families: children with their representatives.
    pub families: Vec<DemoFamily>,
    /// Pupils moved from one class to another during the year.
    pub moves: Vec<DemoMove>,
    /// Teaching assignments.
    pub assignments: Vec<DemoAssignment>,
    /// Demo login accounts (only in school 0).
    pub accounts: Vec<DemoAccount>,
    /// The bell schedule, the weekly timetable, the year's lessons and their changes.
    pub timetable: DemoTimetable,
    /// The year's schedule of assessment procedures.
    pub assessments: Vec<DemoAssessment>,
    /// The class journal filled up to "today".
    pub journal: DemoJournal,
}

/// A planned assessment procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAssessment {
    /// Id.
    pub id: i64,
    /// The class, by index into [`DemoSchool::classes`].
    pub class: usize,
    /// Subject.
    pub subject: SubjectId,
    /// Date.
    pub on: Date,
    /// Lesson number.
    pub number: u8,
    /// Level.
    pub level: tabel_domain::school::Level,
}

impl DemoSchool {
    /// A subject's id.
    pub fn subject_id(&self, code: SubjectCode) -> Option<SubjectId> {
        self.subjects.get(code.index()).map(|s| s.id)
    }

    /// A class by name, e.g. "5А": its index and record.
    pub fn class_named(&self, name: &str) -> Option<(usize, &DemoClass)> {
        self.classes
            .iter()
            .enumerate()
            .find(|(_, c)| c.name.to_string() == name)
    }

    /// The id of a class or group.
    pub fn group_id(&self, g: GroupRef) -> Option<GroupId> {
        match g {
            GroupRef::Class(i) => self.classes.get(i).map(|c| c.id),
            GroupRef::Group(i) => self.groups.get(i).map(|g| g.id),
        }
    }

    /// The class a student is in on a date.
    pub fn class_of(&self, student: usize, on: Date) -> Option<usize> {
        self.classes.iter().position(|c| {
            c.members
                .iter()
                .any(|m| m.student == student && m.covers(on))
        })
    }

    /// A demo account by login.
    pub fn account(&self, login: &str) -> Option<&DemoAccount> {
        self.accounts.iter().find(|a| a.login == login)
    }

    /// The staff member who teaches a subject to a class (or to one of its subgroups).
    pub fn teacher_of(&self, class: usize, subject: SubjectCode) -> Option<usize> {
        self.assignments
            .iter()
            .find(|a| {
                a.subject == subject
                    && match a.group {
                        GroupRef::Class(c) => c == class,
                        GroupRef::Group(g) => {
                            self.groups.get(g).and_then(|g| g.class) == Some(class)
                        }
                    }
            })
            .map(|a| a.teacher)
    }
}

/// The academic year.
#[derive(Debug, Clone)]
pub struct DemoYear {
    /// Id.
    pub id: AcademicYearId,
    /// The calendar year of September.
    pub start_year: i32,
    /// First day of lessons.
    pub starts_on: Date,
    /// Last day of lessons.
    pub ends_on: Date,
}

/// A parallel.
#[derive(Debug, Clone)]
pub struct DemoParallel {
    /// Id.
    pub id: ParallelId,
    /// Grade.
    pub grade: u8,
    /// Days in the school week.
    pub week: WeekLength,
    /// Kind of reporting periods.
    pub periods: PeriodKind,
}

/// A reporting period.
#[derive(Debug, Clone)]
pub struct DemoPeriod {
    /// Id.
    pub id: PeriodId,
    /// Kind.
    pub kind: PeriodKind,
    /// Number within the year.
    pub number: u8,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
}

/// A holiday row.
#[derive(Debug, Clone)]
pub struct DemoDayOff {
    /// Id.
    pub id: HolidayId,
    /// Kind.
    pub kind: DayOffKind,
    /// Name.
    pub name: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// Only for one grade.
    pub only_grade: Option<u8>,
}

/// A subject.
#[derive(Debug, Clone)]
pub struct DemoSubject {
    /// Which.
    pub code: SubjectCode,
    /// Id.
    pub id: SubjectId,
}

/// A class or another group, by index into [`DemoSchool::classes`] or [`DemoSchool::groups`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupRef {
    /// A class.
    Class(usize),
    /// A subgroup, stream or individual curriculum.
    Group(usize),
}

/// A dated membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoMember {
    /// Index into [`DemoSchool::students`].
    pub student: usize,
    /// First day in the group.
    pub from: Date,
    /// Last day, if it ended.
    pub to: Option<Date>,
}

impl DemoMember {
    /// Whether the membership covers a date.
    pub fn covers(&self, on: Date) -> bool {
        self.from <= on && self.to.is_none_or(|to| on <= to)
    }
}

/// A class.
#[derive(Debug, Clone)]
pub struct DemoClass {
    /// Id.
    pub id: GroupId,
    /// "5А".
    pub name: ClassName,
    /// Grade.
    pub grade: u8,
    /// Letter.
    pub letter: char,
    /// Members over the year (a moved pupil has an end date here).
    pub members: Vec<DemoMember>,
    /// The English subgroups (indices into [`DemoSchool::groups`]), grades 2–11.
    pub english: Vec<usize>,
    /// The informatics subgroups, grades 7–11.
    pub informatics: Vec<usize>,
    /// The class teacher (index into [`DemoSchool::staff`]).
    pub class_teacher: Option<usize>,
}

impl DemoClass {
    /// Members on a date, in insertion order.
    pub fn members_on(&self, on: Date) -> impl Iterator<Item = usize> + '_ {
        self.members
            .iter()
            .filter(move |m| m.covers(on))
            .map(|m| m.student)
    }
}

/// A subgroup, stream or individual curriculum.
#[derive(Debug, Clone)]
pub struct DemoGroup {
    /// Id.
    pub id: GroupId,
    /// Kind.
    pub kind: GroupKind,
    /// Name, e.g. "5А англ. 1".
    pub name: String,
    /// Grade.
    pub grade: u8,
    /// The class of a subgroup or individual curriculum.
    pub class: Option<usize>,
    /// The subject of a subgroup or stream.
    pub subject: Option<SubjectCode>,
    /// The classes a stream draws from.
    pub classes: Vec<usize>,
    /// Members over the year.
    pub members: Vec<DemoMember>,
}

/// A curriculum line.
#[derive(Debug, Clone)]
pub struct DemoCurriculumItem {
    /// Id.
    pub id: CurriculumItemId,
    /// For a parallel…
    pub grade: Option<u8>,
    /// …or a group.
    pub group: Option<GroupRef>,
    /// Subject.
    pub subject: SubjectCode,
    /// Hours a week.
    pub weekly: WeeklyHours,
    /// Hours a year.
    pub yearly: u16,
}

/// A generated person.
#[derive(Debug, Clone)]
pub struct DemoPerson {
    /// Id.
    pub id: PersonId,
    /// Name.
    pub name: PersonName,
    /// Sex.
    pub sex: Sex,
    /// Birth date.
    pub birth_date: Option<Date>,
}

/// What a staff member does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffKind {
    /// Директор.
    Director,
    /// Заместитель директора.
    Deputy,
    /// A teacher of a specialty.
    Teacher(Specialty),
    /// Psychologist, librarian and other staff who keep no journal.
    Support,
}

/// A staff member.
#[derive(Debug, Clone)]
pub struct DemoStaff {
    /// The person.
    pub person: DemoPerson,
    /// Position, e.g. "учитель математики".
    pub position: String,
    /// Kind.
    pub kind: StaffKind,
    /// Weekly teaching load in tenths of an hour.
    pub load_tenths: u32,
}

/// A student.
#[derive(Debug, Clone)]
pub struct DemoStudent {
    /// The person.
    pub person: DemoPerson,
    /// The class at the start of the year.
    pub class: usize,
    /// The family.
    pub family: usize,
    /// When enrolled in the school.
    pub enrolled_on: Date,
}

/// A legal representative.
#[derive(Debug, Clone)]
pub struct DemoParent {
    /// The person.
    pub person: DemoPerson,
    /// The family.
    pub family: usize,
    /// The children (indices into [`DemoSchool::students`]) and how related.
    pub children: Vec<(usize, Relation)>,
    /// The diary consent the family's application states for every child (the registry may
    /// hold none — a few never applied — or a later withdrawal).
    pub diary: ConsentState,
    /// The electronic delivery consent the application states.
    pub delivery: ConsentState,
}

/// Why a family is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyRole {
    /// An ordinary family.
    Ordinary,
    /// The family of the `parent` and `student` demo accounts.
    DemoParent,
    /// The family of the `refuser` demo account.
    Refuser,
}

/// A family: children in the school and their legal representatives.
#[derive(Debug, Clone)]
pub struct DemoFamily {
    /// Why it is there.
    pub role: FamilyRole,
    /// Indices into [`DemoSchool::students`].
    pub children: Vec<usize>,
    /// Indices into [`DemoSchool::parents`].
    pub parents: Vec<usize>,
}

/// A pupil moved from one class to another.
#[derive(Debug, Clone, Copy)]
pub struct DemoMove {
    /// The student.
    pub student: usize,
    /// From this class…
    pub from_class: usize,
    /// …to this one…
    pub to_class: usize,
    /// …from this day.
    pub on: Date,
}

/// A teaching assignment.
#[derive(Debug, Clone, Copy)]
pub struct DemoAssignment {
    /// Id.
    pub id: AssignmentId,
    /// The teacher (index into [`DemoSchool::staff`]).
    pub teacher: usize,
    /// The subject.
    pub subject: SubjectCode,
    /// The class or group.
    pub group: GroupRef,
    /// Hours a week.
    pub weekly: WeeklyHours,
}

/// A demo login account.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Login.
    pub login: &'static str,
    /// Id.
    pub user: UserId,
    /// The person behind it.
    pub person: PersonId,
    /// Roles granted.
    pub roles: Vec<Role>,
}

/// The timetable of a school: bells, weekly lines, the dated lessons made from them and the
/// changes recorded around "today".
#[derive(Debug, Clone, Default)]
pub struct DemoTimetable {
    /// The regular bell schedule (first shift).
    pub bells: Vec<BellSlot>,
    /// The shortened-day bell schedule (30-minute lessons).
    pub short_bells: Vec<BellSlot>,
    /// The dates that follow the shortened schedule.
    pub short_days: Vec<Date>,
    /// Each primary class's home room, by index into [`DemoSchool::classes`].
    pub home_rooms: Vec<Option<String>>,
    /// Each teacher's room, by index into [`DemoSchool::staff`] (`None` for staff who do not
    /// teach).
    pub teacher_rooms: Vec<Option<String>>,
    /// The weekly lines, valid all year, by group, weekday and number.
    pub entries: Vec<DemoEntry>,
    /// Weekly lessons the generator could not place without a conflict.
    pub skipped: Vec<DemoSkipped>,
    /// Free lessons ("окна") inside a class's day, over the week.
    pub gaps: u32,
    /// Dated lessons created for the year.
    pub lessons: u64,
    /// Substitutions, cancellations and transfers, in the order recorded.
    pub changes: Vec<DemoLessonChange>,
    /// How long the timetable phase took (wall time; not part of the data).
    pub elapsed: Duration,
}

impl DemoTimetable {
    /// The weekly lines of a class or group.
    pub fn entries_of(&self, group: GroupRef) -> impl Iterator<Item = &DemoEntry> + '_ {
        self.entries.iter().filter(move |e| e.group == group)
    }

    /// Weekly lessons that could not be placed.
    pub fn skipped_lessons(&self) -> u32 {
        self.skipped.iter().map(|s| u32::from(s.lessons)).sum()
    }

    /// The changes of one kind.
    pub fn changes_of(&self, kind: ChangeKind) -> impl Iterator<Item = &DemoLessonChange> + '_ {
        self.changes.iter().filter(move |c| c.kind == kind)
    }
}

/// A weekly timetable line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEntry {
    /// Id of the stored line.
    pub id: i64,
    /// The class or group.
    pub group: GroupRef,
    /// The subject.
    pub subject: SubjectCode,
    /// The teacher (index into [`DemoSchool::staff`]).
    pub teacher: usize,
    /// 1 = Monday … 6 = Saturday.
    pub weekday: u8,
    /// Lesson number.
    pub number: u8,
    /// The room.
    pub room: String,
}

/// Weekly lessons of a curriculum line that found no place (or no teacher).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSkipped {
    /// The class or group.
    pub group: GroupRef,
    /// The subject.
    pub subject: SubjectCode,
    /// How many lessons a week are missing.
    pub lessons: u8,
}

/// What a change did to a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Another teacher gave it (замена).
    Substitution,
    /// It was not held (отмена).
    Cancellation,
    /// It moved to another date and number (перенос).
    Transfer,
}

/// A recorded change to a dated lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLessonChange {
    /// The lesson's id.
    pub lesson: i64,
    /// What was done.
    pub kind: ChangeKind,
    /// The class or group.
    pub group: GroupRef,
    /// The subject.
    pub subject: SubjectCode,
    /// The date now (after a transfer: the new date).
    pub on: Date,
    /// The number now.
    pub number: u8,
    /// The teacher now (index into [`DemoSchool::staff`]).
    pub teacher: usize,
    /// The teacher replaced by a substitution.
    pub original_teacher: Option<usize>,
    /// Where a transferred lesson was: date and number.
    pub original: Option<(Date, u8)>,
    /// Why.
    pub reason: String,
}

/// What the journal phase wrote: the class journal from the first day of the year up to
/// "today" (inclusive).
#[derive(Debug, Clone, Default)]
pub struct DemoJournal {
    /// Lessons with a record (topic, type, homework): every held lesson up to today.
    pub records: u64,
    /// Of them, lessons with homework.
    pub homework: u64,
    /// Marks.
    pub marks: u64,
    /// Of them, marks for assessment procedures (work type `control`).
    pub control_marks: u64,
    /// Attendance records (absences and lateness).
    pub attendance: u64,
    /// Of them, absences for illness.
    pub ill: u64,
    /// Illness episodes (a pupil away for several school days).
    pub illnesses: u64,
    /// How long the journal phase took (wall time; not part of the data).
    pub elapsed: Duration,
}

impl DemoJournal {
    /// The counts, without the elapsed time: equal for the same seed and "today".
    pub fn counts(&self) -> [u64; 7] {
        [
            self.records,
            self.homework,
            self.marks,
            self.control_marks,
            self.attendance,
            self.ill,
            self.illnesses,
        ]
    }
}
