//! Why a contact was refused ([`ContactError`]): the field it concerns, its message id and text.

/// Why a contact was refused. Each names the field it concerns; [`ContactError::key`] is the
/// message id for the pages, `Display` the English text for the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    /// Nothing typed.
    #[error("must not be empty")]
    Empty,
    /// Longer than any real value.
    #[error("too long")]
    TooLong,
    /// Not an e-mail address.
    #[error("not an e-mail address (like name@example.ru)")]
    BadEmail,
    /// Not a phone number.
    #[error("not a phone number (like +7 912 345-67-89 or 8 (912) 345-67-89)")]
    BadPhone,
    /// A phone number, but not a Russian one.
    #[error("only Russian numbers (+7, then 3, 4, 8 or 9) are accepted")]
    NotRussianPhone,
    /// Not a Telegram username or phone number.
    #[error(
        "a Telegram username (5–32 Latin letters, digits and _, starting with a letter) or phone number"
    )]
    BadTelegram,
    /// Not a phone number for MAX.
    #[error("a MAX account is its phone number (like +7 912 345-67-89)")]
    BadMax,
    /// Not a VK page.
    #[error("a VK page: id123 or a short address of 5–32 Latin letters, digits, _ and .")]
    BadVk,
    /// A messenger contact without its network.
    #[error("choose the messenger")]
    MissingNetwork,
    /// An unknown network.
    #[error("unknown messenger: use telegram, max or vk")]
    UnknownNetwork,
    /// An unknown kind.
    #[error("unknown kind: use email, phone or messenger")]
    UnknownKind,
    /// A documented provenance without its basis.
    #[error(
        "name the document: the application's number and date, or the electronic document's identifier"
    )]
    MissingBasis,
    /// Control characters in a basis.
    #[error("must not contain control characters")]
    BadBasis,
}

impl ContactError {
    /// The input field the error concerns.
    pub fn field(self) -> &'static str {
        match self {
            ContactError::MissingNetwork | ContactError::UnknownNetwork => "network",
            ContactError::UnknownKind => "kind",
            ContactError::MissingBasis | ContactError::BadBasis => "basis",
            _ => "value",
        }
    }

    /// The Fluent message id of the pages.
    pub fn key(self) -> &'static str {
        match self {
            ContactError::Empty => "contact-error-empty",
            ContactError::TooLong => "contact-error-too-long",
            ContactError::BadEmail => "contact-error-email",
            ContactError::BadPhone => "contact-error-phone",
            ContactError::NotRussianPhone => "contact-error-not-russian",
            ContactError::BadTelegram => "contact-error-telegram",
            ContactError::BadMax => "contact-error-max",
            ContactError::BadVk => "contact-error-vk",
            ContactError::MissingNetwork => "contact-error-network",
            ContactError::UnknownNetwork => "contact-error-network",
            ContactError::UnknownKind => "contact-error-kind",
            ContactError::MissingBasis => "contact-error-basis",
            ContactError::BadBasis => "contact-error-basis",
        }
    }
}
