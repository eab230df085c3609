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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
