//! The school's teaching structure as its administrators edit it: teaching assignments
//! (нагрузка), study groups and their pupils, the curriculum (учебный план), staff with roles.
//! The read models the pages and the API show, and the rules of dates that keep the journal,
//! the diary and the statistics reading the right rows.

use crate::calendar::WeeklyHours;
use crate::school::{GroupKind, Role};
use crate::setup::values::CurriculumPart;
use crate::{
    AcademicYearId, AssignmentId, CurriculumItemId, GroupId, MembershipId, PersonId, SchoolId,
    SubjectId, UserId,
};
use serde::Serialize;
use time::Date;

/// A dated range, both days inclusive; no end = open.
pub type Span = (Date, Option<Date>);

/// Whether two dated ranges share a day.
pub fn overlaps(a: Span, b: Span) -> bool {
    a.0 <= b.1.unwrap_or(Date::MAX) && b.0 <= a.1.unwrap_or(Date::MAX)
}

/// Where a membership starting `from` fits inside the memberships it depends on (a subgroup's
/// inside the class's, a stream's inside one of its classes'): `None` when none covers `from`,
/// else the last day it may run to (`Some(None)`: open, as the covering one is).
pub fn fit_within(outer: &[Span], from: Date) -> Option<Option<Date>> {
    outer
        .iter()
        .filter(|(s, e)| *s <= from && e.is_none_or(|e| from <= e))
        .map(|(_, e)| *e)
        .max_by_key(|e| e.unwrap_or(Date::MAX))
}

/// How removing a pupil from a group on `last_day` (their last day in it) treats the
/// membership: ended on that day, or — when they leave on the day they came, so the
/// membership covers no day at all — deleted; a last day before that is no date of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Keep the row with `ends_on` = the last day.
    End(Date),
    /// The membership never covered a day: delete it (only if nothing was written for it).
    Delete,
}

/// The removal of a membership `span` with `last_day`, or why not.
pub fn removal(span: Span, last_day: Date) -> Result<Removal, &'static str> {
    let (starts, ends) = span;
    if ends.is_some_and(|e| last_day >= e) {
        return Err("the pupil is already out of the group by then");
    }
    if last_day >= starts {
        Ok(Removal::End(last_day))
    } else if last_day.next_day() == Some(starts) {
        Ok(Removal::Delete)
    } else {
        Err("the last day is before the membership starts")
    }
}

/// What depends on something an administrator wants to delete or end, by kind, with counts:
/// a refusal names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dependants(pub Vec<(&'static str, i64)>);

impl Dependants {
    /// Adds a kind with its count (a zero count adds nothing).
    pub fn add(&mut self, what: &'static str, n: i64) {
        if n > 0 {
            self.0.push((what, n));
        }
    }

    /// Whether nothing depends on it.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// «lessons with journal data: 3, marks: 12».
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|(what, n)| format!("{what}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A teaching assignment as the load table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentLine {
    pub id: AssignmentId,
    pub school: SchoolId,
    pub year: AcademicYearId,
    pub teacher: PersonId,
    /// «Смирнова Е. В.».
    pub teacher_name: String,
    pub group: GroupId,
    pub group_name: String,
    pub group_kind: GroupKind,
    pub subject: SubjectId,
    pub subject_name: String,
    /// Hours a week, where the school said.
    pub hours: Option<WeeklyHours>,
    pub starts_on: Date,
    /// The last day, when ended.
    pub ends_on: Option<Date>,
}

impl AssignmentLine {
    /// Its dates.
    pub fn span(&self) -> Span {
        (self.starts_on, self.ends_on)
    }

    /// Whether it runs on a day.
    pub fn runs_on(&self, day: Date) -> bool {
        overlaps(self.span(), (day, Some(day)))
    }
}

/// A teacher's load: the hours a week of their assignments running on a day.
pub fn load_tenths(lines: &[AssignmentLine], teacher: PersonId, on: Date) -> u32 {
    lines
        .iter()
        .filter(|a| a.teacher == teacher && a.runs_on(on))
        .filter_map(|a| a.hours)
        .map(|h| u32::from(h.tenths()))
        .sum()
}

/// A pupil's dated membership of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembershipLine {
    pub id: MembershipId,
    pub group: GroupId,
    pub student: PersonId,
    /// «Петров Иван Сергеевич».
    pub name: String,
    pub starts_on: Date,
    /// The last day in the group, when they left it.
    pub ends_on: Option<Date>,
}

/// A curriculum line with what an editor needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanLine {
    pub id: CurriculumItemId,
    /// A parallel's line…
    pub grade: Option<u8>,
    /// …or a class's or group's.
    pub group: Option<GroupId>,
    pub group_name: Option<String>,
    /// The grade the line is for (the group's, for a group line).
    pub for_grade: u8,
    pub subject: SubjectId,
    pub subject_name: String,
    pub weekly: WeeklyHours,
    pub yearly: i64,
    pub part: CurriculumPart,
}

/// Hours a week of a parallel's lines, per part: (compulsory, chosen), in tenths.
pub fn parallel_totals(lines: &[PlanLine], grade: u8) -> (u32, u32) {
    lines
        .iter()
        .filter(|l| l.grade == Some(grade))
        .fold((0, 0), |(c, ch), l| {
            let t = u32::from(l.weekly.tenths());
            match l.part {
                CurriculumPart::Compulsory => (c + t, ch),
                CurriculumPart::Chosen => (c, ch + t),
            }
        })
}

/// A staff member as the staff page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffLine {
    pub person: PersonId,
    /// «Смирнова Елена Викторовна».
    pub name: String,
    pub position: String,
    /// The roles the staff row lists (an account gets them).
    pub roles: Vec<Role>,
    /// The last day at the school, when they have left.
    pub left_on: Option<Date>,
    /// The account, if one is handed out.
    pub user: Option<UserId>,
    pub login: Option<String>,
    /// Assignments running today.
    pub assignments: i64,
    /// Classes they lead as class teacher today.
    pub class_teacher_of: Vec<String>,
}

/// The roles as the staff row stores them: codes, comma-separated, teacher when none.
pub fn roles_text(roles: &[Role]) -> String {
    let granted: Vec<&str> = Role::GRANTABLE
        .iter()
        .filter(|r| roles.contains(r))
        .map(|r| r.code())
        .collect();
    if granted.is_empty() {
        Role::Teacher.code().to_owned()
    } else {
        granted.join(",")
    }
}

/// The roles a staff row's text lists (unknown codes are skipped).
pub fn roles_of_text(text: &str) -> Vec<Role> {
    text.split(',')
        .filter_map(|c| Role::from_code(c.trim()).ok())
        .filter(|r| Role::GRANTABLE.contains(r))
        .collect()
}

/// Whether a group of `kind` takes pupils through the group pages (classes are filled by
/// enrolment and transfers).
pub fn takes_pupils_here(kind: GroupKind) -> bool {
    !matches!(kind, GroupKind::Class)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn ranges_overlap_when_they_share_a_day() {
        let a = (date!(2026 - 09 - 01), Some(date!(2026 - 11 - 30)));
        assert!(overlaps(a, (date!(2026 - 11 - 30), None)));
        assert!(!overlaps(a, (date!(2026 - 12 - 01), None)));
        assert!(overlaps(
            (date!(2026 - 09 - 01), None),
            (date!(2027 - 05 - 01), None)
        ));
        assert!(!overlaps(
            (date!(2026 - 12 - 01), Some(date!(2026 - 12 - 05))),
            (date!(2026 - 09 - 01), Some(date!(2026 - 11 - 30)))
        ));
    }

    #[test]
    fn a_membership_fits_inside_the_one_covering_its_first_day() {
        let class = [
            (date!(2026 - 09 - 01), Some(date!(2026 - 10 - 31))),
            (date!(2026 - 11 - 10), None),
        ];
        assert_eq!(
            fit_within(&class, date!(2026 - 09 - 15)),
            Some(Some(date!(2026 - 10 - 31)))
        );
        assert_eq!(fit_within(&class, date!(2026 - 11 - 05)), None);
        assert_eq!(fit_within(&class, date!(2026 - 12 - 01)), Some(None));
        assert_eq!(fit_within(&[], date!(2026 - 12 - 01)), None);
    }

    #[test]
    fn leaving_on_the_first_day_deletes_and_a_later_day_ends() {
        let span = (date!(2026 - 12 - 01), None);
        assert_eq!(
            removal(span, date!(2026 - 12 - 10)),
            Ok(Removal::End(date!(2026 - 12 - 10)))
        );
        assert_eq!(
            removal(span, date!(2026 - 12 - 01)),
            Ok(Removal::End(date!(2026 - 12 - 01)))
        );
        assert_eq!(removal(span, date!(2026 - 11 - 30)), Ok(Removal::Delete));
        assert!(removal(span, date!(2026 - 11 - 20)).is_err());
        let ended = (date!(2026 - 09 - 01), Some(date!(2026 - 10 - 31)));
        assert!(removal(ended, date!(2026 - 11 - 15)).is_err());
        assert_eq!(
            removal(ended, date!(2026 - 10 - 01)),
            Ok(Removal::End(date!(2026 - 10 - 01)))
        );
    }

    #[test]
    fn dependants_name_only_what_is_there() {
        let mut d = Dependants::default();
        d.add("lessons with journal data", 0);
        assert!(d.is_empty());
        d.add("lessons with journal data", 3);
        d.add("marks", 12);
        assert_eq!(d.describe(), "lessons with journal data: 3, marks: 12");
    }

    #[test]
    fn a_teachers_load_counts_only_assignments_running_that_day() {
        let line = |teacher: i64, tenths: Option<u16>, ends: Option<Date>| AssignmentLine {
            id: AssignmentId::new(1),
            school: SchoolId::new(1),
            year: AcademicYearId::new(1),
            teacher: PersonId::new(teacher),
            teacher_name: String::new(),
            group: GroupId::new(1),
            group_name: String::new(),
            group_kind: GroupKind::Class,
            subject: SubjectId::new(1),
            subject_name: String::new(),
            hours: tenths.map(WeeklyHours::from_tenths),
            starts_on: date!(2026 - 09 - 01),
            ends_on: ends,
        };
        let lines = [
            line(1, Some(50), None),
            line(1, Some(35), Some(date!(2026 - 10 - 31))),
            line(1, None, None),
            line(2, Some(20), None),
        ];
        let me = PersonId::new(1);
        assert_eq!(load_tenths(&lines, me, date!(2026 - 10 - 01)), 85);
        assert_eq!(load_tenths(&lines, me, date!(2026 - 11 - 01)), 50);
    }

    #[test]
    fn roles_are_stored_as_codes_and_read_back() {
        assert_eq!(roles_text(&[]), "teacher");
        assert_eq!(roles_text(&[Role::Teacher, Role::Admin]), "admin,teacher");
        assert_eq!(
            roles_of_text("deputy, teacher,root"),
            vec![Role::Deputy, Role::Teacher]
        );
    }

    #[test]
    fn parallels_total_their_parts() {
        let line = |grade: Option<u8>, tenths: u16, part| PlanLine {
            id: CurriculumItemId::new(1),
            grade,
            group: None,
            group_name: None,
            for_grade: 5,
            subject: SubjectId::new(1),
            subject_name: String::new(),
            weekly: WeeklyHours::from_tenths(tenths),
            yearly: 0,
            part,
        };
        let lines = [
            line(Some(5), 50, CurriculumPart::Compulsory),
            line(Some(5), 10, CurriculumPart::Chosen),
            line(Some(6), 40, CurriculumPart::Compulsory),
            line(None, 20, CurriculumPart::Compulsory),
        ];
        assert_eq!(parallel_totals(&lines, 5), (50, 10));
        assert_eq!(parallel_totals(&lines, 6), (40, 0));
    }
}
