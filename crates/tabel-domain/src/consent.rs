//! The consent registry's rules (regulation point 1; 152-ФЗ art. 9): a legal representative's
//! consent to the processing of a child's personal data for the electronic diary, and separately
//! to electronic delivery, is given, refused or withdrawn on a basis — a written application
//! (its number and date) or an electronic document (its identifier, optionally its signature).
//! A withdrawal may also be made by the parent in the cabinet. Records are appended; the latest
//! one for a parent × child × purpose is in force.

use crate::code::coded_enum;
use crate::school::ConsentPurpose;
use crate::school::ConsentState;
use crate::school::Relation;
use crate::{ConsentId, PersonId, SchoolId};
use serde::{Deserialize, Serialize};
use time::Date;
use time::OffsetDateTime;

/// The version of the consent text the school's forms carry now. A record keeps the version the
/// parent signed.
pub const CURRENT_TEXT_VERSION: &str = "2026-1";

/// Longest document number, identifier and note kept.
const MAX_NUMBER: usize = 40;
const MAX_DOCUMENT_ID: usize = 200;
const MAX_SIGNATURE: usize = 4000;
/// Longest note.
pub const MAX_NOTE: usize = 1000;

coded_enum!(
    /// What a consent record rests on.
    BasisKind {
        /// A written application (заявление) on paper: its number and date.
        WrittenApplication = "written_application",
        /// An electronic document (e.g. through the state services portal): its identifier.
        ElectronicDocument = "electronic_document",
        /// The parent's own act in the cabinet (a withdrawal), authenticated by their session.
        Cabinet = "cabinet",
    }
);

/// The basis of a record, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// What kind.
    pub kind: BasisKind,
    /// The application's number (written).
    pub number: Option<String>,
    /// The application's or document's date.
    pub date: Option<Date>,
    /// The electronic document's identifier.
    pub document_id: Option<String>,
    /// The electronic signature (its text or fingerprint), when the document carries one.
    pub signature: Option<String>,
}

/// A basis as a form or request gives it, before checking.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BasisInput {
    /// `written_application`, `electronic_document` (`cabinet` is never typed by staff).
    pub kind: String,
    /// Application number.
    #[serde(default)]
    pub number: Option<String>,
    /// Date.
    #[serde(default)]
    pub date: Option<Date>,
    /// Document identifier.
    #[serde(default)]
    pub document_id: Option<String>,
    /// Signature.
    #[serde(default)]
    pub signature: Option<String>,
}

/// A rule a basis or a change breaks: the field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentError {
    /// The field.
    pub field: &'static str,
    /// Why.
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> ConsentError {
    ConsentError {
        field,
        message: message.into(),
    }
}

fn text(
    raw: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, ConsentError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > max => Err(err(field, format!("at most {max} characters"))),
        Some(s) if s.chars().any(char::is_control) => {
            Err(err(field, "no control characters, please"))
        }
        Some(s) => Ok(Some(s.to_owned())),
    }
}

impl BasisInput {
    /// Checks the basis a member of staff records: a written application needs its number and
    /// a date not after `today`; an electronic document needs its identifier.
    pub fn check(&self, today: Date) -> Result<Basis, ConsentError> {
        let kind = match self.kind.trim() {
            "written_application" | "" => BasisKind::WrittenApplication,
            "electronic_document" => BasisKind::ElectronicDocument,
            other => {
                return Err(err(
                    "basis.kind",
                    format!("{other:?}: use written_application or electronic_document"),
                ));
            }
        };
        let number = text(self.number.as_deref(), "basis.number", MAX_NUMBER)?;
        let document_id = text(
            self.document_id.as_deref(),
            "basis.document_id",
            MAX_DOCUMENT_ID,
        )?;
        let signature = text(self.signature.as_deref(), "basis.signature", MAX_SIGNATURE)?;
        if let Some(d) = self.date {
            if d > today {
                return Err(err(
                    "basis.date",
                    "the document cannot be dated in the future",
                ));
            }
            if d.year() < 2000 {
                return Err(err("basis.date", "the date is too old"));
            }
        }
        match kind {
            BasisKind::WrittenApplication => {
                if number.is_none() {
                    return Err(err(
                        "basis.number",
                        "the written application's number is required",
                    ));
                }
                if self.date.is_none() {
                    return Err(err(
                        "basis.date",
                        "the written application's date is required",
                    ));
                }
            }
            BasisKind::ElectronicDocument => {
                if document_id.is_none() {
                    return Err(err(
                        "basis.document_id",
                        "the electronic document's identifier is required",
                    ));
                }
            }
            BasisKind::Cabinet => {}
        }
        Ok(Basis {
            kind,
            number,
            date: self.date,
            document_id,
            signature,
        })
    }
}

impl Basis {
    /// A parent's act in the cabinet on a date.
    pub fn cabinet(on: Date) -> Basis {
        Basis {
            kind: BasisKind::Cabinet,
            number: None,
            date: Some(on),
            document_id: None,
            signature: None,
        }
    }

    /// The basis in words, as the registry and the printed form show it: "заявление № 12 от
    /// 01.09.2026", "электронный документ 7f3a…", "в личном кабинете 28.11.2026".
    pub fn summary(&self) -> String {
        let date = self
            .date
            .map(|d| format!(" от {:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year()))
            .unwrap_or_default();
        match self.kind {
            BasisKind::WrittenApplication => format!(
                "заявление № {}{date}",
                self.number.as_deref().unwrap_or("б/н")
            ),
            BasisKind::ElectronicDocument => format!(
                "электронный документ {}{date}",
                self.document_id.as_deref().unwrap_or_default()
            ),
            BasisKind::Cabinet => format!("в личном кабинете{date}"),
        }
    }
}

/// Where a parent × child × purpose stands: the latest record's state, or none yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Consent in force.
    Given,
    /// Refused.
    Refused,
    /// Given, then withdrawn.
    Withdrawn,
    /// No record: nothing was submitted yet.
    None,
}

impl Status {
    /// Every status, in the order lists count them.
    pub const ALL: [Status; 4] = [
        Status::Given,
        Status::Refused,
        Status::Withdrawn,
        Status::None,
    ];

    /// From the latest record's state.
    pub fn of(latest: Option<ConsentState>) -> Status {
        match latest {
            Some(ConsentState::Given) => Status::Given,
            Some(ConsentState::Refused) => Status::Refused,
            Some(ConsentState::Withdrawn) => Status::Withdrawn,
            None => Status::None,
        }
    }

    /// The code.
    pub const fn code(self) -> &'static str {
        match self {
            Status::Given => "given",
            Status::Refused => "refused",
            Status::Withdrawn => "withdrawn",
            Status::None => "none",
        }
    }

    /// Whether the data may be processed (shown in the diary, delivered electronically).
    pub fn in_force(self) -> bool {
        self == Status::Given
    }
}

/// Whether a new record may follow the latest one. Giving and refusing are always possible (a
/// new application replaces the old one; a parent may change their mind); a withdrawal needs a
/// consent in force to withdraw.
pub fn may_follow(latest: Option<ConsentState>, next: ConsentState) -> Result<(), ConsentError> {
    match (latest, next) {
        (Some(ConsentState::Given), ConsentState::Withdrawn) => Ok(()),
        (_, ConsentState::Withdrawn) => {
            Err(err("state", "there is no consent in force to withdraw"))
        }
        _ => Ok(()),
    }
}

/// Checks a note.
pub fn check_note(raw: &str) -> Result<String, ConsentError> {
    Ok(text(Some(raw), "note", MAX_NOTE)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    fn written(number: &str, on: Option<Date>) -> BasisInput {
        BasisInput {
            kind: "written_application".into(),
            number: Some(number.into()),
            date: on,
            ..BasisInput::default()
        }
    }

    #[test]
    fn a_written_application_needs_its_number_and_date() {
        let b = written("12", Some(date!(2026 - 09 - 01)))
            .check(TODAY)
            .unwrap();
        assert_eq!(b.summary(), "заявление № 12 от 01.09.2026");
        assert_eq!(
            written("  ", Some(TODAY)).check(TODAY).unwrap_err().field,
            "basis.number"
        );
        assert_eq!(
            written("12", None).check(TODAY).unwrap_err().field,
            "basis.date"
        );
        let future = written("12", Some(date!(2026 - 11 - 29))).check(TODAY);
        assert_eq!(future.unwrap_err().field, "basis.date");
        let long = written(&"1".repeat(41), Some(TODAY)).check(TODAY);
        assert_eq!(long.unwrap_err().field, "basis.number");
        let control = written("12\u{7}", Some(TODAY)).check(TODAY);
        assert_eq!(control.unwrap_err().field, "basis.number");
    }

    #[test]
    fn an_electronic_document_needs_its_identifier() {
        let mut input = BasisInput {
            kind: "electronic_document".into(),
            ..BasisInput::default()
        };
        assert_eq!(input.check(TODAY).unwrap_err().field, "basis.document_id");
        input.document_id = Some("EPGU-2026-000123".into());
        input.signature = Some("ГОСТ Р 34.10-2012: 3F2A…".into());
        let b = input.check(TODAY).unwrap();
        assert_eq!(b.kind, BasisKind::ElectronicDocument);
        assert!(
            b.summary()
                .starts_with("электронный документ EPGU-2026-000123")
        );
        let bad = BasisInput {
            kind: "fax".into(),
            ..BasisInput::default()
        };
        assert_eq!(bad.check(TODAY).unwrap_err().field, "basis.kind");
        let typed_cabinet = BasisInput {
            kind: "cabinet".into(),
            ..BasisInput::default()
        };
        assert!(
            typed_cabinet.check(TODAY).is_err(),
            "staff never type a cabinet act"
        );
    }

    #[test]
    fn only_a_consent_in_force_can_be_withdrawn() {
        use ConsentState::*;
        assert!(may_follow(Some(Given), Withdrawn).is_ok());
        for latest in [None, Some(Refused), Some(Withdrawn)] {
            assert!(may_follow(latest, Withdrawn).is_err(), "{latest:?}");
            assert!(may_follow(latest, Given).is_ok());
            assert!(may_follow(latest, Refused).is_ok());
        }
        assert!(Status::of(Some(Given)).in_force());
        assert!(!Status::of(None).in_force());
        assert_eq!(Status::of(Some(Withdrawn)).code(), "withdrawn");
    }

    #[test]
    fn codes_round_trip() {
        for k in BasisKind::ALL {
            assert_eq!(BasisKind::from_code(k.code()).ok(), Some(*k));
        }
        assert!(BasisKind::from_code("fax").is_err());
        assert_eq!(
            Basis::cabinet(TODAY).summary(),
            "в личном кабинете от 28.11.2026"
        );
    }
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentRecord {
    /// Id.
    pub id: ConsentId,
    /// School.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// The child.
    pub student: PersonId,
    /// What for.
    pub purpose: ConsentPurpose,
    /// The state it put the pair in.
    pub state: ConsentState,
    /// The consent text's version.
    pub text_version: String,
    /// The basis in words, as recorded.
    pub basis_text: String,
    /// The basis.
    pub basis: Basis,
    /// A note.
    pub note: String,
    /// Who recorded it (their login), if anyone (imports and the demo record without a user).
    pub recorded_by: Option<String>,
    /// When.
    pub recorded_at: OffsetDateTime,
    /// Whether a scan of the paper is kept.
    pub has_scan: bool,
}

/// A line of a class's registry: a pupil and one of their representatives (none when the pupil
/// has no representative on record), with the states in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryLine {
    /// The pupil.
    pub student: PersonId,
    /// "Петров Иван".
    pub student_name: String,
    /// The representative.
    pub parent: Option<PersonId>,
    /// "Петрова Мария Ивановна".
    pub parent_name: String,
    /// How related.
    pub relation: Option<Relation>,
    /// The diary consent's state.
    pub diary: Option<ConsentState>,
    /// The electronic delivery consent's state.
    pub delivery: Option<ConsentState>,
    /// When the latest record of the pair was made.
    pub updated_at: Option<OffsetDateTime>,
}

/// A scan of the paper a record rests on.
#[derive(Debug, Clone)]
pub struct Scan {
    /// The record.
    pub consent: i64,
    /// School.
    pub school: SchoolId,
    /// File name.
    pub file_name: String,
    /// Content type.
    pub content_type: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// The bytes.
    pub content: Vec<u8>,
}
