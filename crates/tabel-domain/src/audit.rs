//! The audit log's hash chain. Each school's records form a chain: a record's hash covers its
//! content and the previous record's hash, so that editing or deleting any record breaks every
//! hash after it. Storage and verification live elsewhere; the arithmetic is here.

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
    /// The record's hash, given the previous record's hash (hex, lower case).
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        // Every field is length-prefixed so that no two different records serialise alike.
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
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
        for opt in [self.before, self.after, self.reason, self.origin] {
            match opt {
                Some(s) => {
                    field(b"1");
                    field(s.as_bytes());
                }
                None => field(b"0"),
            }
        }
        hex::encode(h.finalize())
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
}

/// The result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Chains checked.
    pub chains: u64,
    /// Records checked.
    pub records: u64,
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
