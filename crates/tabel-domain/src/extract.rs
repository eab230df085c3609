//! The verification code printed on an extract (regulation point 5: a paper extract can be
//! checked against the register): 8 characters of Crockford's base 32 as `XXXX-XXXX`, read as
//! people type it — any case, with or without the dash, O for 0, I or L for 1.

use crate::{GroupId, PeriodId, PersonId, SchoolId};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use time::{Date, OffsetDateTime};

/// The characters of a code: digits and Latin capitals without I, L, O and U.
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A verification code in its stored form, `XXXX-XXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExtractCode(String);

/// Text that cannot be a verification code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a verification code")]
pub struct InvalidCode;

impl ExtractCode {
    /// A code from 8 random bytes (5 bits of each are used: 40 bits in all).
    pub fn from_random(bytes: [u8; 8]) -> ExtractCode {
        let mut out = String::with_capacity(9);
        for (i, b) in bytes.iter().enumerate() {
            if i == 4 {
                out.push('-');
            }
            out.push(char::from(CODE_ALPHABET[usize::from(b & 31)]));
        }
        ExtractCode(out)
    }

    /// A code as typed, in its stored form; `None` when it cannot be one.
    pub fn parse(raw: &str) -> Option<ExtractCode> {
        let mut chars = String::with_capacity(9);
        let mut n = 0;
        for c in raw.trim().chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if n == 8 || !CODE_ALPHABET.contains(&u8::try_from(c).ok()?) {
                return None;
            }
            if n == 4 {
                chars.push('-');
            }
            chars.push(c);
            n += 1;
        }
        (n == 8).then_some(ExtractCode(chars))
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ExtractCode {
    type Err = InvalidCode;
    fn from_str(s: &str) -> Result<Self, InvalidCode> {
        ExtractCode::parse(s).ok_or(InvalidCode)
    }
}

impl fmt::Display for ExtractCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ExtractCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ExtractCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn codes_are_eight_unambiguous_characters_and_read_back_as_typed(bytes in any::<[u8; 8]>()) {
            let code = ExtractCode::from_random(bytes);
            let s = code.as_str();
            prop_assert_eq!(s.len(), 9);
            prop_assert_eq!(&s[4..5], "-");
            prop_assert!(s.chars().filter(|c| *c != '-').all(|c| CODE_ALPHABET.contains(&(c as u8))));
            prop_assert_eq!(ExtractCode::parse(s), Some(code.clone()));
            prop_assert_eq!(ExtractCode::parse(&s.to_lowercase().replace('-', " ")), Some(code));
        }
    }

    #[test]
    fn look_alike_letters_are_read_as_digits_and_anything_else_is_refused() {
        assert_eq!(
            ExtractCode::parse("o1il-2345").map(|c| c.to_string()),
            Some("0111-2345".to_owned())
        );
        for bad in [
            "",
            "1234",
            "1234-567",
            "1234-56789",
            "UUUU-0000",
            "абвг-дежз",
            "12;4-5678",
        ] {
            assert_eq!(ExtractCode::parse(bad), None, "{bad:?}");
        }
    }
}

/// An issued extract as the registry shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedExtract {
    /// Id.
    pub id: i64,
    /// The school.
    pub school: SchoolId,
    /// Its full name.
    pub school_name: String,
    /// The verification code.
    pub code: String,
    /// The print run.
    pub batch: String,
    /// The pupil.
    pub student: PersonId,
    /// "Иванов Пётр".
    pub student_name: String,
    /// "И. П." — all the verification page may show of the pupil.
    pub student_initials: String,
    /// The class.
    pub class: Option<GroupId>,
    /// Its name.
    pub class_name: Option<String>,
    /// The period.
    pub period: Option<PeriodId>,
    /// First day covered.
    pub from: Date,
    /// Last day covered.
    pub to: Date,
    /// Homework included.
    pub with_homework: bool,
    /// `paper` or `download`.
    pub channel: String,
    /// SHA-256 of the PDF.
    pub pdf_sha256: String,
    /// SHA-256 of the pupil's printed data.
    pub content_sha256: String,
    /// The signer printed on it.
    pub signer: String,
    /// Who issued it (display name; none for the command line).
    pub issued_by: Option<String>,
    /// When.
    pub issued_at: OffsetDateTime,
    /// To whom the paper was handed ("" while not recorded).
    pub handed_to: String,
    /// When that was recorded.
    pub handed_at: Option<OffsetDateTime>,
}

/// A pupil of the class in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pupil {
    /// The person.
    pub id: PersonId,
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// Patronymic.
    pub middle_name: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// In the class from.
    pub from: Date,
    /// In the class until (inclusive), if they left.
    pub to: Option<Date>,
}

impl Pupil {
    /// "Иванов Пётр Сергеевич".
    pub fn full_name(&self) -> String {
        match self.middle_name.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => format!("{} {} {m}", self.last_name, self.first_name),
            None => format!("{} {}", self.last_name, self.first_name),
        }
    }
}
