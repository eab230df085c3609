//! The audit log's hash chain. Each school's records form a chain: a record's hash covers its
//! content and the previous record's hash, so that editing or deleting any record breaks every
//! hash after it. Storage and verification live elsewhere; the arithmetic is here.

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash a chain starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit record that the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent<'a> {
    /// The chain: the school's id, or 0 for deployment-wide records.
    pub chain: i64,
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, as Unix time in microseconds (what both databases store exactly).
    pub at_micros: i64,
    /// Who: a user id, or `None` for the system (CLI, generator).
    pub actor: Option<i64>,
    /// What was done, e.g. `user.create`.
    pub action: &'a str,
    /// The kind of thing changed, e.g. `user`.
    pub entity: &'a str,
    /// Which one.
    pub entity_id: &'a str,
    /// JSON before the change (`None` for creation).
    pub before: Option<&'a str>,
    /// JSON after the change (`None` for deletion).
    pub after: Option<&'a str>,
    /// Why, where a reason is required.
    pub reason: Option<&'a str>,
    /// From where: the client address.
    pub origin: Option<&'a str>,
}

impl AuditContent<'_> {
    /// The record's hash by the first formula ([`HashAlg::Sha256`]), given the previous record's
    /// hash (hex, lower case): anyone can recompute it, so it only finds changes made by someone
    /// who did not recompute the chain after them.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        self.feed(prev_hash, &Sealed::default(), &mut |b| h.update(b));
        hex::encode(h.finalize())
    }

    /// The record's hash by the keyed formula ([`HashAlg::HmacSha256`]): an HMAC under the
    /// deployment's audit key, covering the digests in `sealed` instead of the details they seal,
    /// so that a detail can later be redacted without breaking the chain.
    pub fn keyed_hash(&self, prev_hash: &str, key: &AuditKey, sealed: &Sealed) -> String {
        let mut m = key.mac();
        m.update(b"tabel-audit-v2");
        self.feed(prev_hash, sealed, &mut |b| m.update(b));
        hex::encode(m.finalize().into_bytes())
    }

    fn feed(&self, prev_hash: &str, sealed: &Sealed, out: &mut dyn FnMut(&[u8])) {
        // Every field is length-prefixed so that no two different records serialise alike.
        let mut field = |bytes: &[u8]| {
            out(&(bytes.len() as u64).to_be_bytes());
            out(bytes);
        };
        field(prev_hash.as_bytes());
        field(&self.chain.to_be_bytes());
        field(&self.seq.to_be_bytes());
        field(&self.at_micros.to_be_bytes());
        field(
            self.actor
                .map(|a| a.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(self.action.as_bytes());
        field(self.entity.as_bytes());
        field(self.entity_id.as_bytes());
        let details = [
            (self.before, sealed.before.as_deref()),
            (self.after, sealed.after.as_deref()),
            (self.reason, None),
            (self.origin, sealed.origin.as_deref()),
        ];
        for (clear, digest) in details {
            match (digest, clear) {
                // A sealed detail: only its digest is covered ("2" never occurs in the first
                // formula, so the two forms cannot be confused).
                (Some(d), _) => {
                    field(b"2");
                    field(d.as_bytes());
                }
                (None, Some(s)) => {
                    field(b"1");
                    field(s.as_bytes());
                }
                (None, None) => field(b"0"),
            }
        }
    }
}

/// Which formula a record's hash follows; stored with each record (`hash_alg`), so that records
/// written before the key existed still verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HashAlg {
    /// 1: plain SHA-256 over the clear content (records written before issue 17).
    Sha256,
    /// 2: HMAC-SHA-256 under the audit key, over sealed details.
    HmacSha256,
}

impl HashAlg {
    /// The stored number.
    pub fn code(self) -> i64 {
        match self {
            HashAlg::Sha256 => 1,
            HashAlg::HmacSha256 => 2,
        }
    }

    /// From the stored number.
    pub fn from_code(code: i64) -> Option<HashAlg> {
        match code {
            1 => Some(HashAlg::Sha256),
            2 => Some(HashAlg::HmacSha256),
            _ => None,
        }
    }
}

/// The digests a keyed record's hash covers in place of its personal details: the client's
/// address always, the before/after JSON of records whose details may be erased on request
/// ([`details_redactable`]). `None`: the detail is covered in clear (or absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sealed {
    /// Digest of `before`.
    pub before: Option<String>,
    /// Digest of `after`.
    pub after: Option<String>,
    /// Digest of `origin`.
    pub origin: Option<String>,
}

/// Whether the before/after JSON of records about `entity` is sealed (and so may be redacted):
/// contacts, whose values (phone numbers, e-mail addresses, messenger names) a parent may ask to
/// erase. Every other entity's details stay in clear under the hash.
pub fn details_redactable(entity: &str) -> bool {
    entity == "contact"
}

/// Why a detail was replaced: stored in its place as a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Redaction {
    /// The retention period ran out (client addresses).
    Retention,
    /// The person asked for erasure.
    Request,
}

impl Redaction {
    /// The marker stored in place of the detail (neither JSON nor an address).
    pub fn marker(self) -> &'static str {
        match self {
            Redaction::Retention => "redacted:retention",
            Redaction::Request => "redacted:request",
        }
    }

    /// The redaction a stored value marks, if it is a marker.
    pub fn of(stored: &str) -> Option<Redaction> {
        match stored {
            "redacted:retention" => Some(Redaction::Retention),
            "redacted:request" => Some(Redaction::Request),
            _ => None,
        }
    }
}

/// The deployment's audit key: 32 secret bytes kept outside the database. Its `Debug` shows
/// only its id.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id())
    }
}

impl AuditKey {
    /// A key from its bytes (e.g. fresh random ones).
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// A key file's text: 64 hex digits (surrounding white space ignored).
    pub fn parse(text: &str) -> Result<AuditKey, String> {
        let text = text.trim();
        let mut bytes = [0_u8; 32];
        match hex::decode_to_slice(text, &mut bytes) {
            Ok(()) => Ok(AuditKey(bytes)),
            Err(_) => Err("an audit key file holds 64 hex digits (32 bytes)".to_owned()),
        }
    }

    /// The text a key file holds.
    pub fn to_file_text(&self) -> String {
        format!("{}\n", hex::encode(self.0))
    }

    /// The key's public id: an HMAC of a fixed text under it. Stored in the database, it tells
    /// whether a key given at start is the one the chain was written with, without revealing it.
    pub fn id(&self) -> String {
        let mut m = self.mac();
        m.update(b"tabel-audit-key-id");
        hex::encode(m.finalize().into_bytes())
    }

    /// The digest sealing one detail (`what`: `before`, `after` or `origin`) of the record at
    /// `seq` of `chain`. Keyed, so that a redacted address or phone number cannot be found again
    /// by trying every candidate against it; bound to the record, so that two records with the
    /// same detail do not show it.
    pub fn digest(&self, what: &str, chain: i64, seq: i64, value: &str) -> String {
        let mut m = self.mac();
        for part in [
            b"tabel-audit-detail".as_slice(),
            what.as_bytes(),
            &chain.to_be_bytes(),
            &seq.to_be_bytes(),
            value.as_bytes(),
        ] {
            m.update(&(part.len() as u64).to_be_bytes());
            m.update(part);
        }
        hex::encode(m.finalize().into_bytes())
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length: 32 bytes cannot be refused.
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts 32-byte keys"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AuditContent<'static> {
        AuditContent {
            chain: 1,
            seq: 1,
            at_micros: 1_764_000_000_000_000,
            actor: Some(7),
            action: "user.create",
            entity: "user",
            entity_id: "12",
            before: None,
            after: Some("{\"login\":\"x\"}"),
            reason: None,
            origin: Some("127.0.0.1"),
        }
    }

    #[test]
    fn any_change_changes_the_hash() {
        let base = sample().hash(GENESIS);
        assert_eq!(base.len(), 64);
        assert_eq!(base, sample().hash(GENESIS));
        let mut other = sample();
        other.after = Some("{\"login\":\"y\"}");
        assert_ne!(other.hash(GENESIS), base);
        let mut moved = sample();
        moved.before = moved.after.take();
        assert_ne!(moved.hash(GENESIS), base);
        assert_ne!(sample().hash(&base), base);
    }

    #[test]
    fn the_keyed_hash_needs_the_key_and_covers_the_sealed_digests() {
        let key = AuditKey::from_bytes([7; 32]);
        let other = AuditKey::from_bytes([8; 32]);
        let sealed = Sealed {
            origin: Some(key.digest("origin", 1, 1, "127.0.0.1")),
            ..Sealed::default()
        };
        let base = sample().keyed_hash(GENESIS, &key, &sealed);
        assert_eq!(base.len(), 64);
        assert_ne!(base, sample().hash(GENESIS));
        assert_ne!(base, sample().keyed_hash(GENESIS, &other, &sealed));
        // The address itself is not covered, its digest is: it can be redacted.
        let mut redacted = sample();
        redacted.origin = Some(Redaction::Retention.marker());
        assert_eq!(redacted.keyed_hash(GENESIS, &key, &sealed), base);
        assert_ne!(sample().keyed_hash(GENESIS, &key, &Sealed::default()), base);
        // The digest is bound to the key, the record and the value.
        assert_ne!(
            key.digest("origin", 1, 2, "127.0.0.1"),
            sealed.origin.clone().unwrap()
        );
        assert_ne!(
            other.digest("origin", 1, 1, "127.0.0.1"),
            sealed.origin.unwrap()
        );
        assert_ne!(key.id(), other.id());
    }

    #[test]
    fn a_key_file_reads_back_and_a_bad_one_is_refused() {
        let key = AuditKey::from_bytes([0xab; 32]);
        assert_eq!(AuditKey::parse(&key.to_file_text()), Ok(key.clone()));
        assert!(AuditKey::parse("abc").is_err());
        assert!(!format!("{key:?}").contains("abab"));
    }
}

/// The result of [`verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Chains checked.
    pub chains: u64,
    /// Records checked.
    pub records: u64,
    /// Details found redacted (each accepted against its digest's place in the hash).
    pub redacted: u64,
    /// Keyed records whose hash could not be checked (the key was not given): only their links
    /// to each other were.
    pub unchecked: u64,
    /// The id of the key the log is kept under, when this process does not hold it.
    pub key_missing: Option<String>,
    /// The first broken record of each broken chain.
    pub breaks: Vec<Break>,
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The chain.
    pub chain: i64,
    /// The record's position (or the expected one, for a gap).
    pub seq: i64,
    /// The record's row id, when there is a row.
    pub id: Option<i64>,
    /// What is wrong.
    pub problem: String,
}

/// Where a chain stood when a checkpoint was taken: its position and its last record's hash.
/// Kept outside the database, it anchors everything up to that record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// The chain (school id, 0 = deployment).
    pub chain_id: i64,
    /// The last record's position.
    pub seq: i64,
    /// Its hash (hex).
    pub hash: String,
}

impl Checkpoint {
    /// One line of a checkpoint file: `chain seq hash`.
    pub fn line(&self) -> String {
        format!("{} {} {}", self.chain_id, self.seq, self.hash)
    }

    /// A checkpoint file's lines (blank lines and `#` comments skipped); an error names the
    /// line (from 1).
    pub fn parse_file(text: &str) -> Result<Vec<Checkpoint>, String> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || format!("line {}: expected «chain position hash»", i + 1);
            let mut parts = line.split_whitespace();
            let (Some(chain), Some(seq), Some(hash), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(bad());
            };
            let (Ok(chain_id), Ok(seq)) = (chain.parse(), seq.parse()) else {
                return Err(bad());
            };
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("line {}: the hash is not 64 hex digits", i + 1));
            }
            out.push(Checkpoint {
                chain_id,
                seq,
                hash: hash.to_ascii_lowercase(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod checkpoint_tests {
    use super::*;

    #[test]
    fn a_checkpoint_file_reads_back_and_names_a_bad_line() {
        let p = Checkpoint {
            chain_id: 3,
            seq: 41,
            hash: "ab".repeat(32),
        };
        let text = format!("# taken 2026-12-07\n\n{}\n", p.line());
        assert_eq!(Checkpoint::parse_file(&text), Ok(vec![p]));
        assert_eq!(
            Checkpoint::parse_file("1 2\n"),
            Err("line 1: expected «chain position hash»".to_owned())
        );
        assert_eq!(
            Checkpoint::parse_file("# x\n1 2 zz\n"),
            Err("line 2: the hash is not 64 hex digits".to_owned())
        );
    }
}
