//! Parents' contacts (regulation point 7): information is delivered "in the agreed form, to the
//! contact data the parents gave or entered themselves; the contact data are passed on by the
//! parents in writing or through electronic document systems".
//!
//! A contact is an e-mail address, a phone number or a messenger handle of a legal
//! representative, kept with its provenance (a written application, an electronic document, or
//! entered by the parent in the cabinet), who entered it, whether the parent confirmed it (an
//! e-mail by a link, a phone by a code) and whether it is one of the parent's preferred channels.
//!
//! This module holds the values and rules: parsing and normalising what people type (an e-mail,
//! `8 (912) 345-67-89`, `t.me/ivan_petrov`), the verification codes' lifetimes and hashing, and
//! who may manage whose contacts.

use crate::access::{Decision, Principal};
use crate::school::Role;
use crate::{GroupId, PersonId, SchoolId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use time::Duration;

use crate::code::coded_enum;
use crate::{ContactId, UserId};
use time::OffsetDateTime;

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

/// How many live contacts a parent may have.
pub const MAX_CONTACTS_PER_PARENT: usize = 10;

/// Longest basis kept (an application's number and date, a document's identifier).
pub const MAX_BASIS: usize = 200;

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

/// Where a parent's child is, as access to the parent's contacts sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildPlace {
    /// The child.
    pub student: PersonId,
    /// The child's school.
    pub school: SchoolId,
    /// The child's class on the day, if in one.
    pub class: Option<GroupId>,
}

/// Facts about a parent that access to their contacts depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentFacts {
    /// The legal representative.
    pub parent: PersonId,
    /// The children they are linked to now (live guardianships).
    pub children: Vec<ChildPlace>,
}

/// Who is managing a parent's contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactAccess {
    /// The parent themself (contacts they add are entered in the cabinet).
    Own,
    /// A school administrator, a deputy head, or the class teacher of the parent's child: they
    /// register contacts from written applications and electronic documents.
    Staff,
}

/// Whether a staff member may manage the contacts of a child's parents: the school's
/// administrator or deputy head, or the class teacher of the child's class. Other teachers of
/// the school are refused (they know the family exists), everyone else does not see it.
pub fn staff_access_for_child(p: &Principal, child: &ChildPlace) -> Decision {
    let school_wide = p.grants.contains(&(Role::Admin, child.school))
        || p.grants.contains(&(Role::Deputy, child.school));
    let class_teacher = child
        .class
        .is_some_and(|g| p.class_teacher_of.contains(&(child.school, g)));
    if school_wide || class_teacher {
        Decision::Allow
    } else if p.is_staff_of(child.school) {
        Decision::Forbidden
    } else {
        Decision::Hidden
    }
}

/// Who may manage a parent's contacts: the parent themself, or staff as in
/// [`staff_access_for_child`] for one of the parent's children. Default deny: a person with no
/// live link to a child is nobody's parent here, and their contacts are nobody's to manage.
pub fn contact_access(p: &Principal, f: &ParentFacts) -> Result<ContactAccess, Decision> {
    if f.children.is_empty() {
        return Err(Decision::Hidden);
    }
    if p.person == Some(f.parent) {
        return Ok(ContactAccess::Own);
    }
    let mut best = Decision::Hidden;
    for child in &f.children {
        match staff_access_for_child(p, child) {
            Decision::Allow => return Ok(ContactAccess::Staff),
            Decision::Forbidden => best = Decision::Forbidden,
            _ => {}
        }
    }
    Err(best)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::access::LinkedChild;
    use crate::{ContactId, UserId};
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

    const S1: SchoolId = SchoolId::new(1);
    const S2: SchoolId = SchoolId::new(2);

    fn someone(person: i64) -> Principal {
        Principal {
            user: UserId::new(person),
            person: Some(PersonId::new(person)),
            grants: vec![],
            class_teacher_of: vec![],
            children: vec![],
            student_in: None,
        }
    }

    fn mother() -> ParentFacts {
        ParentFacts {
            parent: PersonId::new(10),
            children: vec![ChildPlace {
                student: PersonId::new(20),
                school: S1,
                class: Some(GroupId::new(5)),
            }],
        }
    }

    #[test]
    fn the_parent_manages_their_own_contacts_and_no_one_elses() {
        let mut me = someone(10);
        me.children.push(LinkedChild {
            student: PersonId::new(20),
            school: S1,
            consent: true,
        });
        assert_eq!(contact_access(&me, &mother()), Ok(ContactAccess::Own));
        let other = ParentFacts {
            parent: PersonId::new(11),
            ..mother()
        };
        assert_eq!(contact_access(&me, &other), Err(Decision::Hidden));
        let unlinked = ParentFacts {
            children: vec![],
            ..mother()
        };
        assert_eq!(contact_access(&me, &unlinked), Err(Decision::Hidden));
    }

    #[test]
    fn staff_need_a_school_wide_role_or_the_childs_class() {
        let f = mother();
        let mut admin = someone(1);
        admin.grants.push((Role::Admin, S1));
        assert_eq!(contact_access(&admin, &f), Ok(ContactAccess::Staff));
        let mut deputy = someone(2);
        deputy.grants.push((Role::Deputy, S1));
        assert_eq!(contact_access(&deputy, &f), Ok(ContactAccess::Staff));
        let mut class_teacher = someone(3);
        class_teacher.grants.push((Role::Teacher, S1));
        class_teacher.class_teacher_of.push((S1, GroupId::new(5)));
        assert_eq!(contact_access(&class_teacher, &f), Ok(ContactAccess::Staff));
        let mut other_class = someone(4);
        other_class.grants.push((Role::Teacher, S1));
        other_class.class_teacher_of.push((S1, GroupId::new(6)));
        assert_eq!(contact_access(&other_class, &f), Err(Decision::Forbidden));
        let mut other_school = someone(5);
        other_school.grants.push((Role::Admin, S2));
        assert_eq!(contact_access(&other_school, &f), Err(Decision::Hidden));
        assert_eq!(contact_access(&someone(6), &f), Err(Decision::Hidden));
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

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Id.
    pub id: ContactId,
    /// The parent's school.
    pub school: SchoolId,
    /// The legal representative.
    pub parent: PersonId,
    /// E-mail, phone or messenger.
    pub kind: ContactKind,
    /// The messenger's network.
    pub network: Option<Network>,
    /// The normalised value.
    pub value: String,
    /// Where it came from.
    pub provenance: Provenance,
    /// The document (empty for the cabinet).
    pub basis: String,
    /// One of the parent's preferred channels.
    pub preferred: bool,
    /// The account that entered it.
    pub entered_by: Option<UserId>,
    /// Who entered it, as lists show them ("Смирнова Е. В."; the account's name when the
    /// account has no person).
    pub entered_by_name: Option<String>,
    /// When.
    pub entered_at: OffsetDateTime,
    /// When the parent confirmed it.
    pub verified_at: Option<OffsetDateTime>,
    /// When it was removed (kept for the history).
    pub removed_at: Option<OffsetDateTime>,
    /// Who removed it.
    pub removed_by: Option<UserId>,
    /// The latest verification code, if one was ever requested.
    pub code: Option<CodeState>,
}

/// The latest verification code of a contact, without its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeState {
    /// Link or SMS code.
    pub purpose: CodePurpose,
    /// Until when it may be used.
    pub expires_at: OffsetDateTime,
    /// Tries so far.
    pub attempts: i64,
    /// When it was used, if it was.
    pub used_at: Option<OffsetDateTime>,
}
