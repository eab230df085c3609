use std::collections::BTreeMap;
use tabel_store::StoreError;
use time::OffsetDateTime;

/// Field → message, for validation errors.
pub type FieldErrors = BTreeMap<String, String>;

/// Why a use case did not happen. The web layer maps each to a status (DESIGN.md: 401, 403, 404,
/// 409, 422, 429) and the CLI to a message.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No session, an expired one, or wrong login/password.
    #[error("wrong login or password")]
    BadCredentials,
    /// Too many failed attempts: try again after the instant.
    #[error("too many failed attempts; try again later")]
    LockedOut {
        /// When the lock ends.
        until: OffsetDateTime,
    },
    /// Too many failed logins with this login: refused, even with the right password, until the
    /// instant. Any login typed gets it alike, whether or not an account has it.
    #[error("too many failed logins with this login; try again later")]
    AccountLocked {
        /// When the lock ends.
        until: OffsetDateTime,
    },
    /// Too many attempts from this client address: try again after the instant.
    #[error("too many attempts from this address; try again later")]
    TooManyAttempts {
        /// When the window allows another attempt.
        until: OffsetDateTime,
    },
    /// An administrator locked the account.
    #[error("this account is locked by the school administrator")]
    Disabled,
    /// Not authenticated.
    #[error("not logged in")]
    Unauthenticated,
    /// The user may not do this.
    #[error("not allowed")]
    Forbidden,
    /// A parent's own child, without the diary consent in force: nothing of the child is shown
    /// until the school registers the consent.
    #[error(
        "no consent to the processing of personal data for the diary is in force for this child"
    )]
    NoConsent,
    /// Does not exist, or is not visible to the user.
    #[error("not found")]
    NotFound,
    /// The input breaks a rule.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Someone changed it first, or it already exists.
    #[error("{0}")]
    Conflict(String),
    /// A versioned write named a version the row no longer has (or raced for an empty cell):
    /// nothing was written; `current` is what the row holds now (none if it is gone).
    #[error("{detail}")]
    Stale {
        /// What happened.
        detail: String,
        /// The current value, for the client to show instead of overwriting.
        current: Option<serde_json::Value>,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing failed or a background task died.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// One field's validation error.
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        let mut e = FieldErrors::new();
        e.insert(field.to_owned(), message.into());
        AppError::Invalid(e)
    }
}

/// Turns an access decision into a result: `Forbidden` → 403, `Hidden` → 404.
pub fn check(d: tabel_domain::access::Decision) -> Result<(), AppError> {
    use tabel_domain::access::Decision;
    match d {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(AppError::Forbidden),
        Decision::Hidden => Err(AppError::NotFound),
        Decision::NoConsent => Err(AppError::NoConsent),
    }
}
