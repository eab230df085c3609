//! The slot of a year a final mark fills, and a stored final mark.

use crate::{AcademicYearId, GroupId, PeriodId, PersonId, SchoolId, SubjectId};
use serde::Serialize;
use time::OffsetDateTime;

/// The slot of a year a final mark fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Slot {
    /// A reporting period (quarter, trimester, half-year).
    Period(PeriodId),
    /// The year.
    Year,
    /// The exam (school or state).
    Exam,
    /// The итоговая (final for the level of education).
    Final,
}

impl Slot {
    /// The stored code: `p12`, `year`, `exam`, `final`.
    pub fn code(self) -> String {
        match self {
            Slot::Period(p) => format!("p{p}"),
            Slot::Year => "year".into(),
            Slot::Exam => "exam".into(),
            Slot::Final => "final".into(),
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Slot> {
        match code {
            "year" => Some(Slot::Year),
            "exam" => Some(Slot::Exam),
            "final" => Some(Slot::Final),
            p => p.strip_prefix('p')?.parse().ok().map(Slot::Period),
        }
    }

    /// The period, for a period's slot.
    pub fn period(self) -> Option<PeriodId> {
        match self {
            Slot::Period(p) => Some(p),
            _ => None,
        }
    }
}

/// A stored final mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinalRecord {
    /// Id.
    pub id: i64,
    /// School.
    pub school: SchoolId,
    /// Year.
    pub year: AcademicYearId,
    /// Pupil.
    pub student: PersonId,
    /// Subject.
    pub subject: SubjectId,
    /// The journal it was proposed from.
    pub group: Option<GroupId>,
    /// The slot.
    pub slot: Slot,
    /// The value's code (`5`, `na`, `exempt`, `pass`, `fail`).
    pub value: String,
    /// What the journal proposed.
    pub proposal: Option<String>,
    /// Why it proposed that.
    pub proposal_basis: Option<String>,
    /// Why the value differs, or why a closed period was corrected.
    pub reason: String,
    /// Version.
    pub version: i64,
    /// Who set it (user id).
    pub set_by: Option<i64>,
    /// When.
    pub set_at: OffsetDateTime,
    /// When the family could first see it.
    pub published_at: Option<OffsetDateTime>,
}
