//! Where a contact came from ([`Provenance`]), the basis a documented one needs, and whether
//! the notifier may deliver to it.

use super::ContactError;
use crate::code::coded_enum;

coded_enum!(
    /// Where a contact came from (regulation point 7: given in writing, by an electronic
    /// document, or entered by the parent).
    Provenance {
        /// A written application (заявление) on paper, registered by the school: its number and
        /// date are the basis.
        WrittenApplication = "written_application",
        /// An electronic document (e.g. through the state services portal): its identifier is
        /// the basis.
        ElectronicDocument = "electronic_document",
        /// Entered by the parent in the cabinet, authenticated by their session.
        Cabinet = "cabinet",
    }
);

impl Provenance {
    /// Provenances the school registers from a document; these need a basis.
    pub const DOCUMENTED: [Provenance; 2] = [
        Provenance::WrittenApplication,
        Provenance::ElectronicDocument,
    ];

    /// Whether the school registers it from a document (and a basis is required).
    pub fn is_documented(self) -> bool {
        self != Provenance::Cabinet
    }
}

/// Longest basis kept (an application's number and date, a document's identifier).
pub const MAX_BASIS: usize = 200;

/// The basis of a contact the school registers from a document: trimmed, 1–200 characters,
/// no control characters. For a contact entered in the cabinet the basis is empty (the
/// parent's session is the basis).
pub fn parse_basis(provenance: Provenance, raw: &str) -> Result<String, ContactError> {
    let s = raw.trim();
    if !provenance.is_documented() {
        return Ok(String::new());
    }
    if s.is_empty() {
        return Err(ContactError::MissingBasis);
    }
    if s.chars().count() > MAX_BASIS {
        return Err(ContactError::TooLong);
    }
    if s.chars().any(char::is_control) {
        return Err(ContactError::BadBasis);
    }
    Ok(s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Whether the notifier may deliver to a contact: a confirmed one, or one the parent gave in a
/// signed document (a written application or an electronic document: the parent vouched for it
/// there). A contact typed in the cabinet is used only once confirmed: anyone holding the session
/// could have typed it.
pub fn deliverable(provenance: Provenance, verified: bool) -> bool {
    verified || provenance.is_documented()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn documented_provenances_need_a_basis() {
        assert_eq!(
            parse_basis(Provenance::WrittenApplication, "  "),
            Err(ContactError::MissingBasis)
        );
        assert_eq!(
            parse_basis(
                Provenance::WrittenApplication,
                " заявление  № 12 от 01.09.2026 "
            )
            .unwrap(),
            "заявление № 12 от 01.09.2026"
        );
        assert_eq!(parse_basis(Provenance::Cabinet, "whatever").unwrap(), "");
        assert!(deliverable(Provenance::WrittenApplication, false));
        assert!(!deliverable(Provenance::Cabinet, false));
        assert!(deliverable(Provenance::Cabinet, true));
    }
}
