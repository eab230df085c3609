//! Verification codes: what they are for, their lifetimes and limits, e-mail link tokens, six
//! digits for a phone, and how codes are hashed and compared.

use super::ContactKind;
use crate::code::coded_enum;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::Duration;

coded_enum!(
    /// What a verification code is for.
    CodePurpose {
        /// A long random token in a link sent to an e-mail address.
        EmailLink = "email_link",
        /// A six-digit code sent to a phone.
        PhoneCode = "phone_code",
    }
);

impl CodePurpose {
    /// How to confirm a contact of a kind; `None` for messengers (confirmed once the messenger
    /// channel exists).
    pub fn for_kind(kind: ContactKind) -> Option<CodePurpose> {
        match kind {
            ContactKind::Email => Some(CodePurpose::EmailLink),
            ContactKind::Phone => Some(CodePurpose::PhoneCode),
            ContactKind::Messenger => None,
        }
    }

    /// How long a code is valid: a day for a link (mail is read later), a quarter of an hour
    /// for an SMS code (read at once; six digits must not live long).
    pub fn lifetime(self) -> Duration {
        match self {
            CodePurpose::EmailLink => Duration::hours(24),
            CodePurpose::PhoneCode => Duration::minutes(15),
        }
    }
}

/// How many times a code may be tried (right or wrong) before it is dead.
pub const MAX_ATTEMPTS: i64 = 5;

/// How many codes a contact may be sent in [`CODE_WINDOW`]: a bound on the messages anyone
/// can make the school send to someone's phone or mailbox.
pub const MAX_CODES_PER_WINDOW: usize = 5;

/// The window of [`MAX_CODES_PER_WINDOW`].
pub const CODE_WINDOW: Duration = Duration::hours(24);

/// The token of a confirmation link sent to an e-mail address: 64 hexadecimal digits, kept in
/// lower case (a mail client may change the case of a link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailToken(String);

/// Text that cannot be a link's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a confirmation token")]
pub struct InvalidToken;

impl EmailToken {
    /// The token as it appears in the link.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for EmailToken {
    type Err = InvalidToken;
    fn from_str(raw: &str) -> Result<Self, InvalidToken> {
        let raw = raw.trim();
        if raw.len() == 64 && raw.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(EmailToken(raw.to_ascii_lowercase()))
        } else {
            Err(InvalidToken)
        }
    }
}

impl<'de> Deserialize<'de> for EmailToken {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The stored hash of a verification code: SHA-256, hex. A phone code is hashed with its
/// contact (six digits alone would repeat across contacts and fall to a precomputed table); an
/// e-mail token alone, since the link is looked up by it.
pub fn code_hash(purpose: CodePurpose, contact: crate::ContactId, code: &str) -> String {
    let input = match purpose {
        CodePurpose::EmailLink => format!("email_link:{code}"),
        CodePurpose::PhoneCode => format!("phone_code:{contact}:{code}"),
    };
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// Compares two hashes in time that depends only on their lengths, so that the time a wrong
/// code takes does not tell how close it was.
pub fn hashes_match(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A six-digit code from 32 random bits, or `None` for the few values above the largest
/// multiple of a million (draw again: taking them modulo would favour low codes).
pub fn six_digits(random: u32) -> Option<String> {
    const LIMIT: u32 = u32::MAX / 1_000_000 * 1_000_000;
    (random < LIMIT).then(|| format!("{:06}", random % 1_000_000))
}

/// A code as a person typed it: spaces and dashes dropped ("123 456", "123-456").
pub fn typed_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use crate::ContactId;

    #[test]
    fn codes_are_six_digits_hashed_with_their_contact_and_compared_whole() {
        assert_eq!(six_digits(42).unwrap(), "000042");
        assert_eq!(six_digits(u32::MAX), None);
        assert_eq!(six_digits(4_293_999_999).unwrap(), "999999");
        let c1 = ContactId::new(1);
        let h = code_hash(CodePurpose::PhoneCode, c1, "123456");
        assert_eq!(h.len(), 64);
        assert_ne!(
            h,
            code_hash(CodePurpose::PhoneCode, ContactId::new(2), "123456")
        );
        assert!(hashes_match(
            &h,
            &code_hash(CodePurpose::PhoneCode, c1, "123456")
        ));
        assert!(!hashes_match(
            &h,
            &code_hash(CodePurpose::PhoneCode, c1, "123457")
        ));
        assert!(!hashes_match(&h, &h[1..]));
        assert_eq!(typed_code(" 123 456 "), "123456");
        assert_eq!(typed_code("123-456"), "123456");
        assert!(CodePurpose::PhoneCode.lifetime() < CodePurpose::EmailLink.lifetime());
    }
}
