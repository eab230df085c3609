//! Exemptions (освобождение) of a pupil from a subject, e.g. physical education on a medical
//! document: a record with the subject, the dates and the document. Its finals read «осв.» and
//! leave the statistics' denominators (DOMAIN.md, "Exemption").

use crate::{ExemptionId, PersonId, SchoolId, SubjectId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// The longest exemption: a school year and its summer.
pub const MAX_EXEMPTION_DAYS: i64 = 400;
/// The longest document number and note.
pub const MAX_DOCUMENT_CHARS: usize = 200;

/// What kind of document an exemption rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A medical certificate (справка), e.g. of the health group for physical education.
    Medical,
    /// The school's order (приказ).
    Order,
    /// Another document (a ПМПК conclusion, a federation's certificate…).
    Other,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::Medical,
        DocumentKind::Order,
        DocumentKind::Other,
    ];

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            DocumentKind::Medical => "medical",
            DocumentKind::Order => "order",
            DocumentKind::Other => "other",
        }
    }

    /// The Russian name.
    pub const fn russian(self) -> &'static str {
        match self {
            DocumentKind::Medical => "медицинская справка",
            DocumentKind::Order => "приказ",
            DocumentKind::Other => "иной документ",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

/// The document an exemption rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExemptionDocument {
    /// Which kind.
    pub kind: DocumentKind,
    /// Its number.
    pub number: String,
    /// Its date.
    pub issued_on: Date,
    /// Anything else the office notes (optional).
    pub note: String,
}

/// Why an exemption was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExemptionError {
    /// The last day is before the first.
    #[error("the exemption ends before it starts")]
    EndsBeforeStarts,
    /// Longer than a year.
    #[error("an exemption lasts at most {MAX_EXEMPTION_DAYS} days; record the next one later")]
    TooLong,
    /// The document has no number.
    #[error("the document's number is required")]
    NoNumber,
    /// A number or note is too long.
    #[error("at most {MAX_DOCUMENT_CHARS} characters")]
    TooLongText,
    /// The document is dated after the exemption's end.
    #[error("the document is dated after the exemption ends")]
    DocumentAfterEnd,
}

impl ExemptionError {
    /// The field it names.
    pub fn field(&self) -> &'static str {
        match self {
            ExemptionError::EndsBeforeStarts | ExemptionError::TooLong => "ends_on",
            ExemptionError::NoNumber => "document_number",
            ExemptionError::TooLongText => "document_note",
            ExemptionError::DocumentAfterEnd => "document_date",
        }
    }
}

/// Checks an exemption's dates and document as the office wrote them (trimmed).
pub fn check_exemption(
    starts_on: Date,
    ends_on: Date,
    document: &ExemptionDocument,
) -> Result<(), ExemptionError> {
    if ends_on < starts_on {
        return Err(ExemptionError::EndsBeforeStarts);
    }
    if (ends_on - starts_on).whole_days() >= MAX_EXEMPTION_DAYS {
        return Err(ExemptionError::TooLong);
    }
    if document.number.trim().is_empty() {
        return Err(ExemptionError::NoNumber);
    }
    if document.number.chars().count() > MAX_DOCUMENT_CHARS
        || document.note.chars().count() > MAX_DOCUMENT_CHARS
    {
        return Err(ExemptionError::TooLongText);
    }
    if document.issued_on > ends_on {
        return Err(ExemptionError::DocumentAfterEnd);
    }
    Ok(())
}

/// A stored exemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exemption {
    /// Id.
    pub id: ExemptionId,
    /// School.
    pub school: SchoolId,
    /// Pupil.
    pub student: PersonId,
    /// Subject.
    pub subject: SubjectId,
    /// The subject's name.
    pub subject_name: String,
    /// First day.
    pub starts_on: Date,
    /// Last day (moved earlier when the exemption is ended).
    pub ends_on: Date,
    /// The document.
    pub document: ExemptionDocument,
    /// Who recorded it (user id).
    pub created_by: Option<i64>,
    /// When.
    pub created_at: OffsetDateTime,
    /// When it was ended early, if it was.
    pub ended_at: Option<OffsetDateTime>,
    /// Version.
    pub version: i64,
}

impl Exemption {
    /// Whether it covers every day from `from` to `to`: a period falling inside it.
    pub fn covers(&self, from: Date, to: Date) -> bool {
        self.starts_on <= from && to <= self.ends_on
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn doc(number: &str, issued_on: Date) -> ExemptionDocument {
        ExemptionDocument {
            kind: DocumentKind::Medical,
            number: number.into(),
            issued_on,
            note: String::new(),
        }
    }

    #[test]
    fn an_exemption_needs_ordered_dates_and_a_numbered_document() {
        let d = doc("17/к", date!(2026 - 09 - 01));
        let ok = check_exemption(date!(2026 - 09 - 01), date!(2027 - 05 - 31), &d);
        assert_eq!(ok, Ok(()));
        assert_eq!(
            check_exemption(date!(2026 - 10 - 01), date!(2026 - 09 - 30), &d),
            Err(ExemptionError::EndsBeforeStarts)
        );
        assert_eq!(
            check_exemption(date!(2026 - 09 - 01), date!(2027 - 12 - 31), &d),
            Err(ExemptionError::TooLong)
        );
        assert_eq!(
            check_exemption(
                date!(2026 - 09 - 01),
                date!(2026 - 12 - 31),
                &doc(" ", date!(2026 - 09 - 01))
            ),
            Err(ExemptionError::NoNumber)
        );
        assert_eq!(
            check_exemption(
                date!(2026 - 09 - 01),
                date!(2026 - 12 - 31),
                &doc("1", date!(2027 - 01 - 10))
            ),
            Err(ExemptionError::DocumentAfterEnd)
        );
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.code()), Some(k));
        }
    }
}
