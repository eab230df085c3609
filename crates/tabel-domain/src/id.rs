//! Typed ids. Every id is an `i64` in storage and an opaque string on the wire.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a raw database id.
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }
            /// The raw database id.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                match s.parse::<i64>() {
                    Ok(raw) if raw > 0 && !s.starts_with('+') => Ok(Self(raw)),
                    _ => Err(InvalidId),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )*};
}

/// An id that is not a positive decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id")]
pub struct InvalidId;

typed_id!(
    /// A region (субъект РФ).
    RegionId,
    /// A municipality within a region.
    MunicipalityId,
    /// A school (образовательная организация).
    SchoolId,
    /// An academic year of a school.
    AcademicYearId,
    /// A reporting period (quarter, trimester, half-year).
    PeriodId,
    /// A file of a closed year's archive (a PDF or the export).
    ArchiveFileId,
    /// A parallel: all classes of one grade in one academic year.
    ParallelId,
    /// A study group: a class, a subgroup, a stream or an individual curriculum.
    GroupId,
    /// A subject of a school.
    SubjectId,
    /// A person: student, legal representative or staff member.
    PersonId,
    /// A login account.
    UserId,
    /// A server-side session.
    SessionId,
    /// A teaching assignment (teacher × subject × group).
    AssignmentId,
    /// A dated membership of a student in a group.
    MembershipId,
    /// A parent↔child link.
    GuardianshipId,
    /// A curriculum line (учебный план).
    CurriculumItemId,
    /// A holiday or non-working day range.
    HolidayId,
    /// An audit record.
    AuditId,
    /// A parent's contact (e-mail, phone, messenger handle).
    ContactId,
    /// A dated lesson of a group.
    LessonId,
    /// A mark in the journal (on a lesson or for a standalone work).
    MarkId,
    /// An attendance record of a pupil on a lesson.
    AttendanceId,
    /// A file attached to a lesson's homework.
    HomeworkFileId,
    /// A registered consent or refusal to personal-data processing.
    ConsentId,
    /// A planned assessment (control work) in the schedule.
    AssessmentId,
    /// A line of the regular timetable.
    TimetableLineId,
    /// A webhook subscription.
    WebhookId,
    /// A delivery of a notification to one recipient over one channel.
    DeliveryId,
    /// A deferred final assessment of a pupil.
    DeferralId,
    /// An academic debt of a pupil.
    DebtId,
    /// An uploaded batch of exam results.
    ExamBatchId,
    /// One pupil's exam result.
    ExamResultId,
    /// An exemption of a pupil from a subject (освобождение).
    ExemptionId,
    /// A family's absence note (объяснительная, справка) about a pupil's absence.
    AbsenceNoteId,
    PromotionOrderId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_strings_on_the_wire() {
        let id = SchoolId::new(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"42\"");
        let back: SchoolId = serde_json::from_str("\"42\"").unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in ["", "0", "-3", "+3", "abc", "1.5", "99999999999999999999"] {
            assert!(bad.parse::<GroupId>().is_err(), "{bad}");
        }
    }
}
