//! Parsed text values: names, logins, passwords, class names. Code past the boundary sees only
//! valid values.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text value was refused. The message is shown to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but white space.
    #[error("must not be empty")]
    Empty,
    /// Longer than allowed (counted in characters).
    #[error("must be at most {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Shorter than allowed (counted in characters).
    #[error("must be at least {min} characters")]
    TooShort {
        /// The limit.
        min: usize,
    },
    /// A character outside the allowed set.
    #[error("{0}")]
    Invalid(&'static str),
}

fn bounded(raw: &str, max: usize) -> Result<String, TextError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(TextError::Invalid("must not contain control characters"));
    }
    // Collapse inner runs of white space: "Иванов   Иван" is a typo, not a name.
    Ok(trimmed.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The sort and search key of a Russian text: case-folded, `ё` → `е`, so that `Ёлкин` sorts
/// among the `Е…` names and searches ignore case (SQLite's `lower()` ignores Cyrillic).
pub fn sort_key(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

/// Latin letters for a Russian name, as people pick them for mail addresses (Фёдорова →
/// fedorova, Щербакова → shcherbakova); other Latin letters and digits stay, the rest goes.
/// Mail addresses and the logins of handed-out accounts are made with it.
pub fn latin(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            match c {
                'а' => "a",
                'б' => "b",
                'в' => "v",
                'г' => "g",
                'д' => "d",
                'е' | 'ё' | 'э' => "e",
                'ж' => "zh",
                'з' => "z",
                'и' => "i",
                'й' | 'ы' => "y",
                'к' => "k",
                'л' => "l",
                'м' => "m",
                'н' => "n",
                'о' => "o",
                'п' => "p",
                'р' => "r",
                'с' => "s",
                'т' => "t",
                'у' => "u",
                'ф' => "f",
                'х' => "kh",
                'ц' => "ts",
                'ч' => "ch",
                'ш' => "sh",
                'щ' => "shch",
                'ю' => "yu",
                'я' => "ya",
                c if c.is_ascii_alphanumeric() => return c.to_string(),
                _ => "",
            }
            .to_owned()
        })
        .collect()
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest accepted value, in characters.
            pub const MAX: usize = $max;
            /// Parses a value: trimmed, inner white space collapsed, bounded length.
            pub fn parse(raw: &str) -> Result<Self, TextError> {
                bounded(raw, $max).map(Self)
            }
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(raw: String) -> Result<Self, TextError> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// One part of a person's name (surname, given name or patronymic).
    NamePart,
    60
);
bounded_text!(
    /// A title: a school's, a subject's, a group's name.
    Title,
    200
);

/// A person's full name. The patronymic is optional (not every name has one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// Фамилия.
    pub last: NamePart,
    /// Имя.
    pub first: NamePart,
    /// Отчество.
    pub middle: Option<NamePart>,
}

impl PersonName {
    /// "Иванова Мария Петровна".
    pub fn full(&self) -> String {
        match &self.middle {
            Some(m) => format!("{} {} {}", self.last, self.first, m),
            None => format!("{} {}", self.last, self.first),
        }
    }

    /// "Иванова М. П." — the form used in journals and lists.
    pub fn short(&self) -> String {
        short_name(
            self.last.as_str(),
            self.first.as_str(),
            self.middle.as_ref().map(NamePart::as_str),
        )
    }

    /// The key to sort people by: surname, given name, patronymic, case-folded.
    pub fn sort_key(&self) -> String {
        sort_key(&self.full())
    }
}

/// "Иванова М. П." from the parts of a name.
pub fn short_name(last: &str, first: &str, middle: Option<&str>) -> String {
    let initial = |s: &str| {
        s.chars()
            .next()
            .map(|c| format!(" {c}."))
            .unwrap_or_default()
    };
    format!(
        "{last}{}{}",
        initial(first),
        middle.map(initial).unwrap_or_default()
    )
}

/// A login: 3–64 characters of Latin letters, digits, `.`, `_`, `-`, `@`; case-insensitive
/// (kept in lower case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Login(String);

impl Login {
    /// The longest accepted login.
    pub const MAX: usize = 64;

    /// Parses a login typed by a person.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let s = raw.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(TextError::Empty);
        }
        if s.chars().count() > Self::MAX {
            return Err(TextError::TooLong { max: Self::MAX });
        }
        if s.len() < 3 {
            return Err(TextError::TooShort { min: 3 });
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(TextError::Invalid(
                "only Latin letters, digits and . _ - @ are allowed",
            ));
        }
        Ok(Self(s))
    }

    /// The login.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Login {
    type Error = TextError;
    fn try_from(raw: String) -> Result<Self, TextError> {
        Self::parse(&raw)
    }
}

impl From<Login> for String {
    fn from(v: Login) -> String {
        v.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password as chosen by a person: 8–128 characters. (The demo's `demo` password is
/// written by the generator directly and never passes through here.) Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// The shortest accepted password.
    pub const MIN: usize = 8;
    /// The longest accepted password: Argon2 cost does not depend on it, but a bound keeps
    /// request bodies small.
    pub const MAX: usize = 128;

    /// Checks the length rules.
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let n = raw.chars().count();
        if n == 0 {
            return Err(TextError::Empty);
        }
        if n < Self::MIN {
            return Err(TextError::TooShort { min: Self::MIN });
        }
        if n > Self::MAX {
            return Err(TextError::TooLong { max: Self::MAX });
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// A class name: grade 1–11 and a Cyrillic letter, as in "5А" or "11Б".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClassName {
    grade: u8,
    letter: char,
}

impl ClassName {
    /// Builds a class name from its parts.
    pub fn new(grade: u8, letter: char) -> Result<Self, TextError> {
        if !(1..=11).contains(&grade) {
            return Err(TextError::Invalid("the grade must be from 1 to 11"));
        }
        let letter = letter.to_uppercase().next().unwrap_or(letter);
        if !('А'..='Я').contains(&letter) && letter != 'Ё' {
            return Err(TextError::Invalid("the letter must be a Cyrillic letter"));
        }
        Ok(Self { grade, letter })
    }

    /// Parses "5А", "5 а", "11-Б".
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if s.is_empty() {
            return Err(TextError::Empty);
        }
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        let rest: Vec<char> = s.chars().skip(digits.chars().count()).collect();
        let grade = digits
            .parse::<u8>()
            .map_err(|_| TextError::Invalid("a class name is a grade and a letter, e.g. 5А"))?;
        match rest.as_slice() {
            [letter] => Self::new(grade, *letter),
            _ => Err(TextError::Invalid(
                "a class name is a grade and a letter, e.g. 5А",
            )),
        }
    }

    /// The grade, 1–11.
    pub fn grade(&self) -> u8 {
        self.grade
    }

    /// The letter.
    pub fn letter(&self) -> char {
        self.letter
    }
}

impl fmt::Display for ClassName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.grade, self.letter)
    }
}

impl TryFrom<String> for ClassName {
    type Error = TextError;
    fn try_from(raw: String) -> Result<Self, TextError> {
        Self::parse(&raw)
    }
}

impl From<ClassName> for String {
    fn from(v: ClassName) -> String {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn class_names_parse_in_the_forms_schools_write() {
        assert_eq!(ClassName::parse("5А").unwrap().to_string(), "5А");
        assert_eq!(ClassName::parse(" 11 б ").unwrap().to_string(), "11Б");
        assert_eq!(ClassName::parse("7-В").unwrap().grade(), 7);
        for bad in ["", "А5", "12А", "0А", "5", "5AB", "5A"] {
            assert!(ClassName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sort_key_folds_case_and_yo() {
        assert_eq!(sort_key("Ёлкин"), "елкин");
        assert!(sort_key("Ёлкин") < sort_key("Жуков"));
        assert!(sort_key("Алексеев") < sort_key("ёлкин"));
    }

    #[test]
    fn short_names_use_initials() {
        let n = PersonName {
            last: NamePart::parse("Иванова").unwrap(),
            first: NamePart::parse("Мария").unwrap(),
            middle: Some(NamePart::parse("Петровна").unwrap()),
        };
        assert_eq!(n.short(), "Иванова М. П.");
        assert_eq!(n.full(), "Иванова Мария Петровна");
    }

    #[test]
    fn logins_are_case_insensitive_and_bounded() {
        assert_eq!(Login::parse(" Admin ").unwrap().as_str(), "admin");
        assert!(Login::parse("ab").is_err());
        assert!(Login::parse("учитель").is_err());
        assert!(Login::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn passwords_have_bounds_and_hide_in_debug() {
        assert!(NewPassword::parse("short").is_err());
        let p = NewPassword::parse("correct horse").unwrap();
        assert_eq!(format!("{p:?}"), "NewPassword(***)");
    }

    proptest! {
        #[test]
        fn every_valid_class_name_round_trips(grade in 1u8..=11, letter in prop::sample::select(vec!['А','Б','В','Г','Д','Е','Ж','И','К','Л','М'])) {
            let name = ClassName::new(grade, letter).unwrap();
            prop_assert_eq!(ClassName::parse(&name.to_string()).unwrap(), name);
        }

        // Parsers meet whatever a form, a file or an API client sends: arbitrary Unicode must
        // give a value or an error, never a panic, and an accepted value must satisfy its rule.
        #[test]
        fn parsers_never_panic_and_accepted_values_keep_their_rules(s in "\\PC{0,80}") {
            if let Ok(l) = Login::parse(&s) {
                prop_assert!((3..=64).contains(&l.as_str().len()));
                prop_assert_eq!(l.as_str().to_lowercase(), l.as_str());
            }
            if let Ok(c) = ClassName::parse(&s) {
                prop_assert!((1..=11).contains(&c.grade()));
                prop_assert_eq!(ClassName::parse(&c.to_string()).unwrap(), c);
            }
            if let Ok(n) = NamePart::parse(&s) {
                prop_assert!(!n.as_str().is_empty() && n.as_str().chars().count() <= 60);
                prop_assert_eq!(n.as_str().trim(), n.as_str());
            }
            let _ = NewPassword::parse(&s);
            let _ = sort_key(&s);
        }

        #[test]
        fn sort_keys_ignore_case_and_yo(s in "[а-яёА-ЯЁ]{1,20}") {
            prop_assert_eq!(sort_key(&s.to_uppercase()), sort_key(&s.to_lowercase()));
            prop_assert!(!sort_key(&s).contains('ё'));
        }

        #[test]
        fn bounded_text_never_exceeds_its_limit(s in ".{0,300}") {
            if let Ok(t) = Title::parse(&s) {
                prop_assert!(t.as_str().chars().count() <= Title::MAX);
                prop_assert!(!t.as_str().is_empty());
            }
        }
    }
}
