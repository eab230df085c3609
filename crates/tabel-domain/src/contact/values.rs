//! A contact's value, parsed and normalised by its kind: an e-mail address, a Russian phone
//! number, a messenger handle of its network; and the value as people read it.

use super::ContactError;
use crate::code::coded_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

coded_enum!(
    /// What a contact is.
    ContactKind {
        /// An e-mail address.
        Email = "email",
        /// A Russian phone number (calls, SMS).
        Phone = "phone",
        /// A messenger handle.
        Messenger = "messenger",
    }
);

coded_enum!(
    /// A messenger network.
    Network {
        /// Telegram: a public username or the phone number the account is registered with.
        Telegram = "telegram",
        /// MAX, the national messenger: accounts are phone numbers.
        Max = "max",
        /// VK (ВКонтакте): a page id (`id123`) or its short address.
        Vk = "vk",
    }
);

/// An e-mail address: one `@`, an ASCII local part of at most 64 characters without leading,
/// trailing or doubled dots, a domain of at least two labels (Cyrillic domains such as `.рф`
/// allowed), at most 254 characters. Kept in lower case: the mail services parents use ignore
/// case, and duplicates must be found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// The longest address (RFC 5321's path limit less the brackets).
    pub const MAX: usize = 254;

    /// Parses an address as typed.
    pub fn parse(raw: &str) -> Result<Email, ContactError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ContactError::Empty);
        }
        if s.chars().count() > Self::MAX {
            return Err(ContactError::TooLong);
        }
        let s = s.strip_prefix("mailto:").unwrap_or(s);
        let (local, domain) = s.rsplit_once('@').ok_or(ContactError::BadEmail)?;
        // Checked after case folding: a few letters change length when lowered.
        let domain = domain.to_lowercase();
        let local_ok = (1..=64).contains(&local.len())
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-.".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok || !valid_domain(&domain) {
            return Err(ContactError::BadEmail);
        }
        let address = format!("{}@{domain}", local.to_ascii_lowercase());
        if address.chars().count() > Self::MAX {
            return Err(ContactError::TooLong);
        }
        Ok(Email(address))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.chars().count())
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    domain.chars().count() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

impl TryFrom<String> for Email {
    type Error = ContactError;
    fn try_from(raw: String) -> Result<Self, ContactError> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(v: Email) -> String {
        v.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Russian phone number, kept as `+7XXXXXXXXXX`. Accepts what people write: `+7 912 345-67-89`,
/// `8 (912) 345-67-89`, `89123456789`, `7 912 3456789`, `912 345 67 89`. The national number
/// starts with 3, 4, 8 or 9 (7 is Kazakhstan's, also behind +7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Parses a number as typed.
    pub fn parse(raw: &str) -> Result<Phone, ContactError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ContactError::Empty);
        }
        if s.chars().count() > 40 {
            return Err(ContactError::TooLong);
        }
        let plus = s.starts_with('+');
        let body = if plus { &s[1..] } else { s };
        // Only the separators people use; a letter or an extension ("доб. 12") is not a number.
        if !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.' | '\u{a0}'))
        {
            return Err(ContactError::BadPhone);
        }
        let digits: String = body.chars().filter(char::is_ascii_digit).collect();
        let national = match (plus, digits.len()) {
            (true, 11) if digits.starts_with('7') => &digits[1..],
            (true, _) if !digits.starts_with('7') && digits.len() >= 8 => {
                return Err(ContactError::NotRussianPhone);
            }
            (false, 11) if digits.starts_with('8') || digits.starts_with('7') => &digits[1..],
            (false, 10) => &digits[..],
            _ => return Err(ContactError::BadPhone),
        };
        if !national.starts_with(['3', '4', '8', '9']) {
            return Err(ContactError::NotRussianPhone);
        }
        Ok(Phone(format!("+7{national}")))
    }

    /// `+79123456789`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A mobile number (национальный номер 9XX): one that can receive an SMS.
    pub fn is_mobile(&self) -> bool {
        self.0.starts_with("+79")
    }

    /// `+7 912 345-67-89`, for showing.
    pub fn pretty(&self) -> String {
        pretty_phone(&self.0)
    }
}

/// `+7 912 345-67-89` from `+79123456789` (anything else unchanged).
pub fn pretty_phone(stored: &str) -> String {
    match stored.strip_prefix("+7") {
        Some(n) if n.len() == 10 && n.chars().all(|c| c.is_ascii_digit()) => {
            format!("+7 {} {}-{}-{}", &n[0..3], &n[3..6], &n[6..8], &n[8..10])
        }
        _ => stored.to_owned(),
    }
}

impl TryFrom<String> for Phone {
    type Error = ContactError;
    fn try_from(raw: String) -> Result<Self, ContactError> {
        Self::parse(&raw)
    }
}

impl From<Phone> for String {
    fn from(v: Phone) -> String {
        v.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A messenger handle, normalised per network: Telegram `@username` or `+7…`; MAX `+7…`; VK
/// `id123` or a lower-case short address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle {
    network: Network,
    value: String,
}

fn strip_prefixes<'a>(mut s: &'a str, prefixes: &[&str]) -> &'a str {
    for p in prefixes {
        if s.len() >= p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p)
        {
            s = &s[p.len()..];
        }
    }
    s
}

fn looks_like_phone(s: &str) -> bool {
    s.starts_with('+') || s.starts_with(|c: char| c.is_ascii_digit())
}

impl Handle {
    /// Parses a handle of a network as typed (`@name`, `t.me/name`, `https://vk.com/name`, a
    /// phone number).
    pub fn parse(network: Network, raw: &str) -> Result<Handle, ContactError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ContactError::Empty);
        }
        if s.chars().count() > 100 {
            return Err(ContactError::TooLong);
        }
        let value = match network {
            Network::Telegram => {
                let s = strip_prefixes(
                    s,
                    &["https://", "http://", "www.", "t.me/", "telegram.me/", "@"],
                );
                if looks_like_phone(s) {
                    Phone::parse(s).map_err(|_| ContactError::BadTelegram)?.0
                } else {
                    let name = s.trim_end_matches('/').to_ascii_lowercase();
                    let ok = (5..=32).contains(&name.len())
                        && name.starts_with(|c: char| c.is_ascii_lowercase())
                        && !name.ends_with('_')
                        && name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if !ok {
                        return Err(ContactError::BadTelegram);
                    }
                    format!("@{name}")
                }
            }
            Network::Max => Phone::parse(s).map_err(|_| ContactError::BadMax)?.0,
            Network::Vk => {
                let s = strip_prefixes(
                    s,
                    &[
                        "https://",
                        "http://",
                        "www.",
                        "m.vk.com/",
                        "m.vk.ru/",
                        "vk.com/",
                        "vk.ru/",
                        "@",
                    ],
                );
                let name = s.trim_end_matches('/').to_ascii_lowercase();
                let is_id = name.strip_prefix("id").is_some_and(|n| {
                    !n.is_empty()
                        && n.len() <= 12
                        && n.chars().all(|c| c.is_ascii_digit())
                        && !n.starts_with('0')
                });
                // "id" and digits is a page id, never a short address.
                let id_shaped = name
                    .strip_prefix("id")
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
                let is_short = (5..=32).contains(&name.len())
                    && !id_shaped
                    && name.starts_with(|c: char| c.is_ascii_lowercase())
                    && !name.contains("..")
                    && !name.ends_with('.')
                    && name.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    });
                if !(is_id || is_short) {
                    return Err(ContactError::BadVk);
                }
                name
            }
        };
        Ok(Handle { network, value })
    }

    /// The network.
    pub fn network(&self) -> Network {
        self.network
    }

    /// The normalised handle.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A contact's value, parsed by its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContactValue {
    /// An e-mail address.
    Email(Email),
    /// A phone number.
    Phone(Phone),
    /// A messenger handle.
    Messenger(Handle),
}

impl ContactValue {
    /// Parses what a form or request gives: the kind's code, the network's code (only read for
    /// messengers; empty otherwise) and the value as typed.
    pub fn parse(kind: &str, network: &str, raw: &str) -> Result<ContactValue, ContactError> {
        let kind = ContactKind::from_code(kind.trim()).map_err(|_| ContactError::UnknownKind)?;
        Ok(match kind {
            ContactKind::Email => ContactValue::Email(Email::parse(raw)?),
            ContactKind::Phone => ContactValue::Phone(Phone::parse(raw)?),
            ContactKind::Messenger => {
                let network = match network.trim() {
                    "" => return Err(ContactError::MissingNetwork),
                    code => Network::from_code(code).map_err(|_| ContactError::UnknownNetwork)?,
                };
                ContactValue::Messenger(Handle::parse(network, raw)?)
            }
        })
    }

    /// The kind.
    pub fn kind(&self) -> ContactKind {
        match self {
            ContactValue::Email(_) => ContactKind::Email,
            ContactValue::Phone(_) => ContactKind::Phone,
            ContactValue::Messenger(_) => ContactKind::Messenger,
        }
    }

    /// The network of a messenger handle.
    pub fn network(&self) -> Option<Network> {
        match self {
            ContactValue::Messenger(h) => Some(h.network),
            _ => None,
        }
    }

    /// The normalised value, as stored.
    pub fn as_str(&self) -> &str {
        match self {
            ContactValue::Email(e) => e.as_str(),
            ContactValue::Phone(p) => p.as_str(),
            ContactValue::Messenger(h) => h.as_str(),
        }
    }
}

/// A contact's value as people read it: phones grouped (`+7 912 345-67-89`), VK pages as
/// `vk.com/…`, the rest as stored.
pub fn display_value(kind: ContactKind, network: Option<Network>, stored: &str) -> String {
    match (kind, network) {
        (ContactKind::Phone, _) | (ContactKind::Messenger, Some(Network::Max)) => {
            pretty_phone(stored)
        }
        (ContactKind::Messenger, Some(Network::Telegram)) if stored.starts_with('+') => {
            pretty_phone(stored)
        }
        (ContactKind::Messenger, Some(Network::Vk)) => format!("vk.com/{stored}"),
        _ => stored.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::contact::{Provenance, parse_basis, typed_code};

    use proptest::prelude::*;

    #[test]
    fn russian_phones_are_normalised_from_the_forms_people_write() {
        for raw in [
            "8 (912) 345-67-89",
            "+7 912 345-67-89",
            "+7(912)3456789",
            "89123456789",
            "79123456789",
            "7 912 345 67 89",
            "912 345 67 89",
            " 8-912-345-67-89 ",
            "8.912.345.67.89",
            "+7\u{a0}912\u{a0}345\u{a0}67\u{a0}89",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "+79123456789", "{raw}");
        }
        assert_eq!(
            Phone::parse("8 (495) 123-45-67").unwrap().as_str(),
            "+74951234567"
        );
        assert_eq!(
            Phone::parse("8 800 555-35-35").unwrap().as_str(),
            "+78005553535"
        );
        assert!(Phone::parse("+79123456789").unwrap().is_mobile());
        assert!(!Phone::parse("+74951234567").unwrap().is_mobile());
        assert_eq!(
            Phone::parse("+79123456789").unwrap().pretty(),
            "+7 912 345-67-89"
        );
    }

    #[test]
    fn phones_that_are_not_russian_or_not_numbers_are_refused() {
        assert_eq!(Phone::parse(""), Err(ContactError::Empty));
        for raw in ["+375 29 123-45-67", "+49 30 1234567", "+1 202 555 0123"] {
            assert_eq!(
                Phone::parse(raw),
                Err(ContactError::NotRussianPhone),
                "{raw}"
            );
        }
        // 7XX behind +7 is Kazakhstan; 0, 1, 2, 5, 6 start no Russian number.
        for raw in ["+7 701 123-45-67", "8 (123) 456-78-90", "5551234567"] {
            assert_eq!(
                Phone::parse(raw),
                Err(ContactError::NotRussianPhone),
                "{raw}"
            );
        }
        for raw in [
            "912-345-67",
            "8 912 345-67-89 доб. 12",
            "+7 912 345-67-89-0",
            "abc",
            "++79123456789",
            "9123456789+",
            "8 (912) 345-67",
        ] {
            assert!(Phone::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn emails_get_a_sanity_check_and_lower_case() {
        assert_eq!(
            Email::parse(" Ivan.Petrov@Mail.RU ").unwrap().as_str(),
            "ivan.petrov@mail.ru"
        );
        assert_eq!(
            Email::parse("mailto:a+b@school.example").unwrap().as_str(),
            "a+b@school.example"
        );
        assert_eq!(
            Email::parse("мама@ШКОЛА.РФ"),
            Err(ContactError::BadEmail),
            "the local part must be ASCII"
        );
        assert_eq!(
            Email::parse("mama@школа.РФ").unwrap().as_str(),
            "mama@школа.рф"
        );
        for bad in [
            "ivan",
            "ivan@",
            "@mail.ru",
            "ivan@mail",
            "ivan@@mail.ru",
            "iv an@mail.ru",
            ".ivan@mail.ru",
            "ivan.@mail.ru",
            "iv..an@mail.ru",
            "ivan@-mail.ru",
            "ivan@mail..ru",
            "ivan@mail.r",
            "ivan@1.23",
            "ivan@mail.ru.",
        ] {
            assert_eq!(Email::parse(bad), Err(ContactError::BadEmail), "{bad}");
        }
        assert_eq!(Email::parse("  "), Err(ContactError::Empty));
        let long = format!("{}@{}.ru", "a".repeat(64), "b".repeat(200));
        assert_eq!(Email::parse(&long), Err(ContactError::TooLong));
    }

    #[test]
    fn messenger_handles_follow_their_networks_rules() {
        let tg = |s| Handle::parse(Network::Telegram, s).map(|h| h.as_str().to_owned());
        assert_eq!(tg("@Ivan_Petrov").unwrap(), "@ivan_petrov");
        assert_eq!(tg("https://t.me/ivan_petrov").unwrap(), "@ivan_petrov");
        assert_eq!(tg("t.me/ivan_petrov/").unwrap(), "@ivan_petrov");
        assert_eq!(tg("8 912 345-67-89").unwrap(), "+79123456789");
        for bad in [
            "@ivan",
            "@1ivan_petrov",
            "@ivan_",
            "@иван_петров",
            "@ivan-petrov",
        ] {
            assert_eq!(tg(bad), Err(ContactError::BadTelegram), "{bad}");
        }
        assert_eq!(
            Handle::parse(Network::Max, "+7 912 345 67 89")
                .unwrap()
                .as_str(),
            "+79123456789"
        );
        assert_eq!(
            Handle::parse(Network::Max, "@ivan_petrov"),
            Err(ContactError::BadMax)
        );
        let vk = |s| Handle::parse(Network::Vk, s).map(|h| h.as_str().to_owned());
        assert_eq!(vk("https://vk.com/id12345").unwrap(), "id12345");
        assert_eq!(vk("vk.com/Ivan.Petrov").unwrap(), "ivan.petrov");
        assert_eq!(vk("@ivan_petrov").unwrap(), "ivan_petrov");
        for bad in ["id", "id0123", "iv", "ivan..petrov", "1ivan", "ivan petrov"] {
            assert_eq!(vk(bad), Err(ContactError::BadVk), "{bad}");
        }
        assert_eq!(
            display_value(ContactKind::Messenger, Some(Network::Vk), "id12345"),
            "vk.com/id12345"
        );
    }

    #[test]
    fn a_value_is_parsed_by_its_kind_and_errors_name_their_field() {
        let v = ContactValue::parse("phone", "telegram", "8 (912) 345-67-89").unwrap();
        assert_eq!((v.kind(), v.network()), (ContactKind::Phone, None));
        let m = ContactValue::parse("messenger", "telegram", "@ivan_petrov").unwrap();
        assert_eq!(m.network(), Some(Network::Telegram));
        let e = ContactValue::parse("messenger", "", "@ivan_petrov").unwrap_err();
        assert_eq!((e, e.field()), (ContactError::MissingNetwork, "network"));
        let e = ContactValue::parse("messenger", "icq", "123").unwrap_err();
        assert_eq!(e.field(), "network");
        assert_eq!(
            ContactValue::parse("fax", "", "1").unwrap_err().field(),
            "kind"
        );
        assert_eq!(
            ContactValue::parse("email", "", "nope")
                .unwrap_err()
                .field(),
            "value"
        );
    }

    proptest! {

        /// Normalising a normalised number gives it back: what is stored parses to itself.
        #[test]
        fn phone_normalisation_is_idempotent(
            prefix in prop::sample::select(vec!["+7", "8", "7", "", "+7 ", "8 ("]),
            national in "[3489][0-9]{9}",
            sep in prop::sample::select(vec!["", " ", "-", ".", ") "]),
        ) {
            let raw = format!("{prefix}{}{sep}{}{sep}{}", &national[..3], &national[3..6], &national[6..]);
            let once = Phone::parse(&raw).unwrap();
            prop_assert_eq!(once.as_str(), format!("+7{national}"));
            let twice = Phone::parse(once.as_str()).unwrap();
            prop_assert_eq!(&twice, &once);
            prop_assert_eq!(Phone::parse(&once.pretty()).unwrap(), once);
        }

        /// Whatever arrives gives a value or an error, never a panic; accepted values are
        /// stable under parsing again.
        #[test]
        fn contact_parsers_never_panic_and_are_idempotent(s in "\\PC{0,60}") {
            if let Ok(p) = Phone::parse(&s) {
                prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p);
            }
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e);
            }
            for n in Network::ALL {
                if let Ok(h) = Handle::parse(*n, &s) {
                    prop_assert_eq!(Handle::parse(*n, h.as_str()).unwrap(), h);
                }
            }
            let _ = typed_code(&s);
            let _ = parse_basis(Provenance::WrittenApplication, &s);
        }

    }
}
