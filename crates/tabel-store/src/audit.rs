//! The append-only audit log, hash-chained per school (see [`tabel_domain::audit`]).
//!
//! Appending takes the chain's head row with an `UPDATE … RETURNING`, which locks it until the
//! transaction ends: two writers to one school's chain queue up instead of forking it, while
//! different schools never wait for each other.
//!
//! Records are hashed under the deployment's audit key ([`AuditKey`], kept outside the
//! database): [`use_key`] puts it in this process's memory once at start, [`adopt_key`] checks it
//! against the id the database holds. Which key a database wants comes back with the chain's head
//! in the statement that takes it, so an append costs no extra query; a database that never had
//! a key (a test's, before the server started on it) gets records of the first formula.

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};
use tabel_domain::audit::{AuditContent, GENESIS, HashAlg, Redaction, Sealed, details_redactable};
use time::OffsetDateTime;

pub use tabel_domain::audit::AuditKey;

/// The audit keys this process holds, by id: one in a server, several in a test process that
/// runs servers on many databases.
static KEYS: LazyLock<RwLock<HashMap<String, AuditKey>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

/// Holds `key` in this process's memory: appends to a database whose key id is the key's then
/// hash under it, and [`verify`] checks their records. Returns the key's id.
pub fn use_key(key: AuditKey) -> String {
    let id = key.id();
    KEYS.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(id.clone(), key);
    id
}

fn key_by_id(id: &str) -> Option<AuditKey> {
    KEYS.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(id)
        .cloned()
}

/// What [`adopt_key`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    /// The database's key is this one.
    Matches,
    /// The database had no key: this one is its key from now on.
    Adopted,
    /// The database's chain was written under another key (its id).
    Other(String),
    /// The database holds keyed records but its key's id is gone (removed behind the
    /// application's back).
    Lost,
}

#[derive(sqlx::FromRow)]
struct KeyIdRow {
    key_id: String,
}

fn plain_until_mac(key: &AuditKey, plain_until: &str) -> String {
    key.digest("plain_until", 0, 0, plain_until)
}

/// Where each chain stood when the key was adopted (records up to there may have plain
/// hashes), if the list's MAC holds under `key`.
async fn plain_until(conn: &mut Conn<'_>, key: &AuditKey) -> Result<Option<HashMap<i64, i64>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        plain_until: String,
        plain_until_mac: String,
    }
    const SQL: &str = "SELECT plain_until, plain_until_mac FROM audit_key WHERE id = 1";
    let Some(r) = fetch_optional!(conn, Row, SQL)? else {
        return Ok(Some(HashMap::new()));
    };
    if plain_until_mac(key, &r.plain_until) != r.plain_until_mac {
        return Ok(None);
    }
    Ok(Some(
        r.plain_until
            .split(',')
            .filter_map(|p| p.split_once(':'))
            .filter_map(|(c, s)| Some((c.parse().ok()?, s.parse().ok()?)))
            .collect(),
    ))
}

/// The id of the key the database's chain is written under, if it has one.
pub async fn key_id(conn: &mut Conn<'_>) -> Result<Option<String>> {
    const SQL: &str = "SELECT key_id FROM audit_key WHERE id = 1";
    Ok(fetch_optional!(conn, KeyIdRow, SQL)?.map(|r| r.key_id))
}

/// Checks `key` against the id the database holds, and makes it the database's key when it has
/// none yet (records written from then on are keyed). Call once at start, in a transaction.
pub async fn adopt_key(
    conn: &mut Conn<'_>,
    key: &AuditKey,
    now: OffsetDateTime,
) -> Result<KeyCheck> {
    const KEYED: &str = "SELECT COUNT(*) FROM audit_log WHERE hash_alg <> 1";
    const HEADS: &str = "SELECT chain_id, seq FROM audit_heads WHERE seq > 0 ORDER BY chain_id";
    const ADOPT: &str = "INSERT INTO audit_key (id, key_id, since_micros, plain_until, \
         plain_until_mac) VALUES (1, $1, $2, $3, $4)";
    #[derive(sqlx::FromRow)]
    struct Head {
        chain_id: i64,
        seq: i64,
    }
    let id = key.id();
    match key_id(conn).await? {
        Some(stored) if stored == id => Ok(KeyCheck::Matches),
        Some(stored) => Ok(KeyCheck::Other(stored)),
        None => {
            if fetch_scalar!(conn, i64, KEYED)? > 0 {
                return Ok(KeyCheck::Lost);
            }
            let plain_until = fetch_all!(conn, Head, HEADS)?
                .iter()
                .map(|h| format!("{}:{}", h.chain_id, h.seq))
                .collect::<Vec<_>>()
                .join(",");
            let mac = plain_until_mac(key, &plain_until);
            execute!(conn, ADOPT, &id, micros(now), &plain_until, &mac)?;
            Ok(KeyCheck::Adopted)
        }
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// The chain: the school's id, or 0 for deployment-wide changes.
    pub chain: i64,
    /// When.
    pub at: OffsetDateTime,
    /// Who (a user id), `None` for the system.
    pub actor: Option<i64>,
    /// What, e.g. `user.create`.
    pub action: &'a str,
    /// Kind of thing, e.g. `user`.
    pub entity: &'a str,
    /// Which one.
    pub entity_id: String,
    /// JSON before.
    pub before: Option<serde_json::Value>,
    /// JSON after.
    pub after: Option<serde_json::Value>,
    /// Why.
    pub reason: Option<&'a str>,
    /// The client's address.
    pub origin: Option<&'a str>,
}

/// Unix time in microseconds, as the chain hashes it.
fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The position a record takes, the hash of the one before it (the head keeps the hash of its
/// chain's last record), and the id of the database's audit key, if it has one.
#[derive(sqlx::FromRow)]
struct HeadRow {
    seq: i64,
    hash: String,
    key_id: Option<String>,
}

/// Appends a record to its chain; returns its position. Call inside the transaction that makes
/// the change.
///
/// Two statements hold the write: taking the head (its next position and the hash of the record
/// before it, in one `UPDATE … RETURNING` that locks the head until the transaction ends), and the
/// insert, whose trigger (`audit_log_keeps_head`) sets the head's hash to the new record's. On
/// PostgreSQL (read committed) an `UPDATE` that waited for the head's lock works on the row the
/// other transaction committed, so the hash it returns is that transaction's last record's.
pub async fn append(conn: &mut Conn<'_>, e: &AuditEntry<'_>) -> Result<i64> {
    const ENSURE_HEAD: &str = "INSERT INTO audit_heads (chain_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (chain_id) DO NOTHING";
    // It also names the database's audit key, if it has one (a one-row table).
    const TAKE_HEAD: &str = "UPDATE audit_heads SET seq = seq + 1 WHERE chain_id = $1 \
         RETURNING seq, hash, (SELECT key_id FROM audit_key WHERE id = 1) AS key_id";
    const INSERT: &str = concat!(
        "INSERT INTO audit_log (chain_id, seq, at_micros, actor_user_id, action, entity, entity_id, ",
        "before_json, after_json, reason, origin, prev_hash, hash, hash_alg, origin_digest, ",
        "before_digest, after_digest) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    );

    // The chain's head exists after its first record: take it, and create it only when missing.
    let head = match fetch_optional!(conn, HeadRow, TAKE_HEAD, e.chain)? {
        Some(h) => h,
        None => {
            execute!(conn, ENSURE_HEAD, e.chain, GENESIS)?;
            fetch_one!(conn, HeadRow, TAKE_HEAD, e.chain)?
        }
    };
    let key = match &head.key_id {
        None => None,
        Some(id) => Some(key_by_id(id).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "the audit log is kept under the key {id}, which this process does not hold"
            ))
        })?),
    };
    let before = e.before.as_ref().map(|v| v.to_string());
    let after = e.after.as_ref().map(|v| v.to_string());
    let content = AuditContent {
        chain: e.chain,
        seq: head.seq,
        at_micros: micros(e.at),
        actor: e.actor,
        action: e.action,
        entity: e.entity,
        entity_id: &e.entity_id,
        before: before.as_deref(),
        after: after.as_deref(),
        reason: e.reason,
        origin: e.origin,
    };
    let (alg, sealed, hash) = match &key {
        None => (HashAlg::Sha256, Sealed::default(), content.hash(&head.hash)),
        Some(key) => {
            let seal =
                |what: &str, v: Option<&str>| v.map(|v| key.digest(what, e.chain, head.seq, v));
            let details = details_redactable(e.entity);
            let sealed = Sealed {
                before: seal("before", before.as_deref().filter(|_| details)),
                after: seal("after", after.as_deref().filter(|_| details)),
                origin: seal("origin", e.origin),
            };
            let hash = content.keyed_hash(&head.hash, key, &sealed);
            (HashAlg::HmacSha256, sealed, hash)
        }
    };
    execute!(
        conn,
        INSERT,
        e.chain,
        head.seq,
        content.at_micros,
        e.actor,
        e.action,
        e.entity,
        &e.entity_id,
        before.as_deref(),
        after.as_deref(),
        e.reason,
        e.origin,
        &head.hash,
        &hash,
        alg.code(),
        sealed.origin.as_deref(),
        sealed.before.as_deref(),
        sealed.after.as_deref()
    )?;
    Ok(head.seq)
}

/// A stored audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditRecord {
    /// Row id.
    pub id: i64,
    /// Chain (school id, 0 = deployment).
    pub chain_id: i64,
    /// Position in the chain.
    pub seq: i64,
    /// Unix microseconds.
    pub at_micros: i64,
    /// Actor's user id.
    pub actor_user_id: Option<i64>,
    /// Action.
    pub action: String,
    /// Entity kind.
    pub entity: String,
    /// Entity id.
    pub entity_id: String,
    /// JSON before.
    pub before_json: Option<String>,
    /// JSON after.
    pub after_json: Option<String>,
    /// Reason.
    pub reason: Option<String>,
    /// Origin.
    pub origin: Option<String>,
    /// The previous record's hash as stored.
    pub prev_hash: String,
    /// This record's hash as stored.
    pub hash: String,
    /// The formula of its hash ([`HashAlg::code`]).
    pub hash_alg: i64,
    /// The digest sealing `origin` (keyed records).
    pub origin_digest: Option<String>,
    /// The digest sealing `before_json` (keyed contact records).
    pub before_digest: Option<String>,
    /// The digest sealing `after_json` (keyed contact records).
    pub after_digest: Option<String>,
}

/// The columns an [`AuditRecord`] is read from (a macro, so that `concat!` builds static SQL).
macro_rules! record_columns {
    () => {
        "id, chain_id, seq, at_micros, actor_user_id, action, entity, entity_id, before_json, \
         after_json, reason, origin, prev_hash, hash, hash_alg, origin_digest, before_digest, \
         after_digest"
    };
}

/// The columns an [`AuditRecord`] is read from.
pub const RECORD_COLUMNS: &str = record_columns!();

impl AuditRecord {
    fn content(&self) -> AuditContent<'_> {
        AuditContent {
            chain: self.chain_id,
            seq: self.seq,
            at_micros: self.at_micros,
            actor: self.actor_user_id,
            action: &self.action,
            entity: &self.entity,
            entity_id: &self.entity_id,
            before: self.before_json.as_deref(),
            after: self.after_json.as_deref(),
            reason: self.reason.as_deref(),
            origin: self.origin.as_deref(),
        }
    }

    fn sealed(&self) -> Sealed {
        Sealed {
            before: self.before_digest.clone(),
            after: self.after_digest.clone(),
            origin: self.origin_digest.clone(),
        }
    }

    /// Why the client's address is not shown, when it was redacted.
    pub fn origin_redacted(&self) -> Option<Redaction> {
        self.origin.as_deref().and_then(Redaction::of)
    }

    /// Why the details (before/after JSON) are not shown, when they were redacted.
    pub fn details_redacted(&self) -> Option<Redaction> {
        [&self.before_json, &self.after_json]
            .into_iter()
            .find_map(|j| j.as_deref().and_then(Redaction::of))
    }

    /// What is wrong with the record's hash given the previous one; `Ok(redacted details)` when
    /// it holds. `None` for the key: a keyed record is then only counted as unchecked.
    fn check(&self, prev: &str, key: Option<&AuditKey>) -> std::result::Result<u64, Checked> {
        match HashAlg::from_code(self.hash_alg) {
            Some(HashAlg::Sha256) => {
                if self.content().hash(prev) == self.hash {
                    Ok(0)
                } else {
                    Err(Checked::Broken(
                        "the record's content does not match its hash (edited)".to_owned(),
                    ))
                }
            }
            Some(HashAlg::HmacSha256) => {
                let Some(key) = key else {
                    return Err(Checked::NoKey);
                };
                let mut redacted = 0;
                for (what, clear, digest) in [
                    ("origin", &self.origin, &self.origin_digest),
                    ("before", &self.before_json, &self.before_digest),
                    ("after", &self.after_json, &self.after_digest),
                ] {
                    let Some(digest) = digest else { continue };
                    match clear.as_deref() {
                        Some(v) if Redaction::of(v).is_some() => redacted += 1,
                        Some(v) if key.digest(what, self.chain_id, self.seq, v) == *digest => {}
                        _ => {
                            return Err(Checked::Broken(format!(
                                "the record's «{what}» does not match its digest (edited)"
                            )));
                        }
                    }
                }
                if self.content().keyed_hash(prev, key, &self.sealed()) == self.hash {
                    Ok(redacted)
                } else {
                    Err(Checked::Broken(
                        "the record's content does not match its keyed hash (edited, or \
                         rewritten without the audit key)"
                            .to_owned(),
                    ))
                }
            }
            None => Err(Checked::Broken(format!(
                "the record names an unknown hash formula {}",
                self.hash_alg
            ))),
        }
    }
}

enum Checked {
    Broken(String),
    NoKey,
}

/// How many records a chain holds (0 before its first): every audited change of a school moves
/// it, so it tells a cache whether anything of the school's journal and timetable has changed
/// since — one indexed read of one row.
pub async fn head_seq(conn: &mut Conn<'_>, chain: i64) -> Result<i64> {
    #[derive(sqlx::FromRow)]
    struct Row {
        seq: i64,
    }
    const SQL: &str = "SELECT seq FROM audit_heads WHERE chain_id = $1";
    Ok(fetch_optional!(conn, Row, SQL, chain)?.map_or(0, |r| r.seq))
}

/// The latest records about one entity, newest first.
pub async fn history_of(
    conn: &mut Conn<'_>,
    entity: &str,
    entity_id: &str,
    limit: i64,
) -> Result<Vec<AuditRecord>> {
    const SQL: &str = concat!(
        "SELECT ",
        record_columns!(),
        " FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC LIMIT $3"
    );
    fetch_all!(conn, AuditRecord, SQL, entity, entity_id, limit).map_err(Into::into)
}

/// The records about a person and their account, oldest first, at most `limit`: what the
/// account did (actor), and what was done to the account (`user`) or the person (`person`).
pub async fn records_about(
    conn: &mut Conn<'_>,
    user: Option<i64>,
    person: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRecord>> {
    const SQL: &str = concat!(
        "SELECT ",
        record_columns!(),
        " FROM audit_log WHERE actor_user_id = $1 ",
        "OR (entity = 'user' AND entity_id = $2) OR (entity = 'person' AND entity_id = $3) ",
        "ORDER BY id LIMIT $4"
    );
    let user_id = user.map_or_else(|| "-".to_owned(), |u| u.to_string());
    let person_id = person.map_or_else(|| "-".to_owned(), |p| p.to_string());
    fetch_all!(
        conn,
        AuditRecord,
        SQL,
        user.unwrap_or(-1),
        user_id,
        person_id,
        limit
    )
    .map_err(Into::into)
}

pub use tabel_domain::audit::Break;

pub use tabel_domain::audit::VerifyReport;

/// Recomputes every chain and reports the first broken record of each.
pub async fn verify(conn: &mut Conn<'_>) -> Result<VerifyReport> {
    const CHAINS: &str = concat!(
        "SELECT chain_id, seq, hash FROM audit_heads UNION ",
        "SELECT DISTINCT chain_id, CAST(-1 AS BIGINT), '' FROM audit_log ",
        "WHERE chain_id NOT IN (SELECT chain_id FROM audit_heads) ORDER BY chain_id"
    );
    const PAGE: &str = concat!(
        "SELECT ",
        record_columns!(),
        " FROM audit_log WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT 2000"
    );
    #[derive(sqlx::FromRow)]
    struct ChainRow {
        chain_id: i64,
        seq: i64,
        hash: String,
    }
    let heads = fetch_all!(conn, ChainRow, CHAINS)?;
    let mut report = VerifyReport::default();
    let wanted = key_id(conn).await?;
    let key = wanted.as_deref().and_then(key_by_id);
    let mut limits = HashMap::new();
    match &key {
        None => report.key_missing.clone_from(&wanted),
        Some(key) => match plain_until(conn, key).await? {
            Some(l) => limits = l,
            None => report.breaks.push(Break {
                chain: 0,
                seq: 0,
                id: None,
                problem: "the list of records older than the audit key was altered".to_owned(),
            }),
        },
    }
    for head in heads {
        report.chains += 1;
        let mut keyed = false;
        let mut prev = GENESIS.to_owned();
        let mut expected = 1_i64;
        let mut broken = None;
        'pages: loop {
            let page = fetch_all!(conn, AuditRecord, PAGE, head.chain_id, expected - 1)?;
            if page.is_empty() {
                break;
            }
            for r in &page {
                report.records += 1;
                let problem = if r.seq != expected {
                    Some(format!(
                        "record {expected} is missing (next present is {})",
                        r.seq
                    ))
                } else if r.prev_hash != prev {
                    Some("the link to the previous record does not match".to_owned())
                } else if r.hash_alg == HashAlg::Sha256.code()
                    && key.is_some()
                    && r.seq > limits.get(&head.chain_id).copied().unwrap_or(0)
                {
                    Some(
                        "a record with a plain hash where the audit key was in force (written \
                         without the audit key)"
                            .to_owned(),
                    )
                } else if r.hash_alg != HashAlg::Sha256.code() && wanted.is_none() {
                    Some(
                        "a keyed record, but the database names no audit key (its record was \
                         removed)"
                            .to_owned(),
                    )
                } else if keyed && r.hash_alg == HashAlg::Sha256.code() {
                    // Once a chain is keyed, a record of the first formula is one written by
                    // someone without the key.
                    Some(
                        "a record with a plain hash after keyed ones (written without the audit key)"
                            .to_owned(),
                    )
                } else {
                    match r.check(&prev, key.as_ref()) {
                        Ok(redacted) => {
                            report.redacted += redacted;
                            None
                        }
                        Err(Checked::NoKey) => {
                            report.unchecked += 1;
                            None
                        }
                        Err(Checked::Broken(problem)) => Some(problem),
                    }
                };
                keyed |= r.hash_alg != HashAlg::Sha256.code();
                if let Some(problem) = problem {
                    broken = Some(Break {
                        chain: head.chain_id,
                        seq: expected,
                        id: Some(r.id),
                        problem,
                    });
                    break 'pages;
                }
                prev.clone_from(&r.hash);
                expected += 1;
            }
        }
        if broken.is_none() {
            let last = expected - 1;
            if head.seq < 0 {
                broken = Some(Break {
                    chain: head.chain_id,
                    seq: 1,
                    id: None,
                    problem: "the chain has no head record".to_owned(),
                });
            } else if head.seq != last {
                broken = Some(Break {
                    chain: head.chain_id,
                    seq: last + 1,
                    id: None,
                    problem: format!(
                        "the chain ends at record {last} but its head says {} (records removed)",
                        head.seq
                    ),
                });
            } else if last > 0 && head.hash != prev {
                broken = Some(Break {
                    chain: head.chain_id,
                    seq: last,
                    id: None,
                    problem: "the chain's last record is not the one its head holds \
                              (records removed and the head set back)"
                        .to_owned(),
                });
            }
        }
        report.breaks.extend(broken);
    }
    Ok(report)
}

/// Where each chain stands: its position and the hash of its last record. Kept outside the
/// database (`tabel audit checkpoint`), it anchors the log: a later `verify` against it finds
/// any record up to that position rewritten, even by someone who recomputed the whole chain.
pub async fn checkpoint(conn: &mut Conn<'_>) -> Result<Vec<Checkpoint>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        chain_id: i64,
        seq: i64,
        hash: String,
    }
    const SQL: &str = "SELECT chain_id, seq, hash FROM audit_heads WHERE seq > 0 ORDER BY chain_id";
    Ok(fetch_all!(conn, Row, SQL)?
        .into_iter()
        .map(|r| Checkpoint {
            chain_id: r.chain_id,
            seq: r.seq,
            hash: r.hash,
        })
        .collect())
}

pub use tabel_domain::audit::Checkpoint;

/// Checks the log against checkpoints taken earlier: the record at each checkpoint's position
/// must still hold its hash. Run after [`verify`], which checks that every record up to it links
/// to it.
pub async fn verify_checkpoints(conn: &mut Conn<'_>, points: &[Checkpoint]) -> Result<Vec<Break>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        hash: String,
    }
    const SQL: &str = "SELECT id, hash FROM audit_log WHERE chain_id = $1 AND seq = $2";
    let mut breaks = Vec::new();
    for p in points {
        let problem = match fetch_optional!(conn, Row, SQL, p.chain_id, p.seq)? {
            None => Some((None, "the record the checkpoint names is gone".to_owned())),
            Some(r) if r.hash != p.hash => Some((
                Some(r.id),
                "the record differs from the checkpoint (the chain was rewritten)".to_owned(),
            )),
            Some(_) => None,
        };
        if let Some((id, problem)) = problem {
            breaks.push(Break {
                chain: p.chain_id,
                seq: p.seq,
                id,
                problem,
            });
        }
    }
    Ok(breaks)
}

/// The journal's rows against the log: a mark or an attendance record whose row differs from
/// what the log last recorded of it (or that the log says was deleted, or that is gone without
/// a record of its deletion). Rows written by a loader (the demo's generator) have no record of
/// their own and are only counted.
pub async fn verify_journal(conn: &mut Conn<'_>) -> Result<JournalCheck> {
    let mut check = JournalCheck::default();
    for table in [Audited::Marks, Audited::Attendance] {
        let last = last_audited(conn, table.entity()).await?;
        let mut seen = std::collections::HashSet::new();
        let mut after = 0_i64;
        loop {
            let page = table.rows(conn, after).await?;
            let Some((last_id, _, _)) = page.last() else {
                break;
            };
            after = *last_id;
            for (id, school, fields) in page {
                match last.get(&id) {
                    None => *check.unaudited.entry(table.entity()).or_default() += 1,
                    Some((_, None)) => check.push(table, id, school, "the log says it was deleted"),
                    Some((_, Some(audited))) => {
                        seen.insert(id);
                        if let Some(field) = table.differs(audited, &fields) {
                            check.push(
                                table,
                                id,
                                school,
                                &format!("«{field}» differs from its last audited value"),
                            );
                        }
                    }
                }
            }
        }
        for (id, (school, state)) in &last {
            if state.is_some() && !seen.contains(id) {
                check.push(
                    table,
                    *id,
                    *school,
                    "it is gone without a record of its deletion",
                );
            }
        }
    }
    Ok(check)
}

/// What [`verify_journal`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JournalCheck {
    /// Rows that differ from the log, the first [`JournalCheck::SHOWN`] of them.
    pub mismatches: Vec<Mismatch>,
    /// How many rows differ in all.
    pub mismatched: u64,
    /// Rows with no record of their own in the log, by entity (`mark`, `attendance`).
    pub unaudited: std::collections::BTreeMap<&'static str, u64>,
}

impl JournalCheck {
    /// Mismatches listed; the rest are counted.
    pub const SHOWN: usize = 100;

    fn push(&mut self, table: Audited, id: i64, school: i64, problem: &str) {
        self.mismatched += 1;
        if self.mismatches.len() < Self::SHOWN {
            self.mismatches.push(Mismatch {
                entity: table.entity(),
                id,
                school,
                problem: problem.to_owned(),
            });
        }
    }
}

/// A journal row that differs from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// `mark` or `attendance`.
    pub entity: &'static str,
    /// The row's id.
    pub id: i64,
    /// Its school.
    pub school: i64,
    /// What differs.
    pub problem: String,
}

#[derive(Debug, Clone, Copy)]
enum Audited {
    Marks,
    Attendance,
}

/// A row's audited fields, as the log's JSON writes them.
type Fields = Vec<(&'static str, serde_json::Value)>;

impl Audited {
    fn entity(self) -> &'static str {
        match self {
            Audited::Marks => "mark",
            Audited::Attendance => "attendance",
        }
    }

    /// The fields compared: what the row says, not where it hangs (a merge of two persons moves
    /// a mark to the kept one under a record of the merge, not of the mark).
    fn differs(self, audited: &serde_json::Value, row: &Fields) -> Option<&'static str> {
        row.iter()
            .find(|(name, value)| audited.get(name).unwrap_or(&serde_json::Value::Null) != value)
            .map(|(name, _)| *name)
    }

    async fn rows(self, conn: &mut Conn<'_>, after: i64) -> Result<Vec<(i64, i64, Fields)>> {
        use serde_json::json;
        #[derive(sqlx::FromRow)]
        struct MarkRow {
            id: i64,
            school_id: i64,
            value: String,
            work_type: String,
            weight: i64,
            comment: String,
            debt_until: Option<time::Date>,
        }
        #[derive(sqlx::FromRow)]
        struct AttendanceRow {
            id: i64,
            school_id: i64,
            code: String,
            minutes_late: Option<i64>,
            reason: String,
        }
        const MARKS: &str = "SELECT id, school_id, value, work_type, weight, comment, debt_until \
             FROM marks WHERE id > $1 ORDER BY id LIMIT 5000";
        const ATTENDANCE: &str = "SELECT id, school_id, code, minutes_late, reason \
             FROM attendance WHERE id > $1 ORDER BY id LIMIT 5000";
        Ok(match self {
            Audited::Marks => fetch_all!(conn, MarkRow, MARKS, after)?
                .into_iter()
                .map(|r| {
                    let fields = vec![
                        ("value", json!(r.value)),
                        ("work_type", json!(r.work_type)),
                        ("weight", json!(r.weight)),
                        ("comment", json!(r.comment)),
                        ("debt_until", json!(r.debt_until.map(|d| d.to_string()))),
                    ];
                    (r.id, r.school_id, fields)
                })
                .collect(),
            Audited::Attendance => fetch_all!(conn, AttendanceRow, ATTENDANCE, after)?
                .into_iter()
                .map(|r| {
                    let fields = vec![
                        ("code", json!(r.code)),
                        ("minutes_late", json!(r.minutes_late)),
                        ("reason", json!(r.reason)),
                    ];
                    (r.id, r.school_id, fields)
                })
                .collect(),
        })
    }
}

/// What the log last says of each row of an entity, by the row's id (the `id` its JSON
/// carries): its school and its state after the change, `None` once deleted.
async fn last_audited(
    conn: &mut Conn<'_>,
    entity: &str,
) -> Result<std::collections::HashMap<i64, (i64, Option<serde_json::Value>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        chain_id: i64,
        before_json: Option<String>,
        after_json: Option<String>,
    }
    const SQL: &str = "SELECT id, chain_id, before_json, after_json FROM audit_log \
         WHERE entity = $1 AND id > $2 ORDER BY id LIMIT 5000";
    let mut last = std::collections::HashMap::new();
    let mut after = 0_i64;
    loop {
        let page = fetch_all!(conn, Row, SQL, entity, after)?;
        let Some(end) = page.last() else {
            break;
        };
        after = end.id;
        for r in page {
            let parse = |j: &Option<String>| {
                j.as_deref()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            };
            let (before, state) = (parse(&r.before_json), parse(&r.after_json));
            let id = state
                .as_ref()
                .or(before.as_ref())
                .and_then(|v| v.get("id"))
                .and_then(|v| {
                    v.as_str()
                        .and_then(|s| s.parse().ok())
                        .or_else(|| v.as_i64())
                });
            if let Some(id) = id {
                last.insert(id, (r.chain_id, state));
            }
        }
    }
    Ok(last)
}

/// How many keyed records made before `cutoff` still hold the client's address in clear (what
/// [`redact_addresses_before`] would replace).
pub async fn addresses_before(conn: &mut Conn<'_>, cutoff: OffsetDateTime) -> Result<u64> {
    const SQL: &str = concat!(
        "SELECT COUNT(*) FROM audit_log WHERE at_micros < $1 AND origin_digest IS NOT NULL ",
        "AND origin NOT IN ('redacted:retention', 'redacted:request')"
    );
    let n = fetch_scalar!(conn, i64, SQL, micros(cutoff))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Replaces the client's address of every record made before `cutoff` with the retention
/// marker; returns how many. Only keyed records hold a sealed address: those of the first
/// formula (written before the audit key) keep theirs, since their hash covers it in clear.
/// The database admits this change and no other (see the migration `20261214000001`); `verify`
/// still passes, the digest standing in for the address.
pub async fn redact_addresses_before(conn: &mut Conn<'_>, cutoff: OffsetDateTime) -> Result<u64> {
    const SQL: &str = concat!(
        "UPDATE audit_log SET origin = $2 WHERE at_micros < $1 AND origin_digest IS NOT NULL ",
        "AND origin NOT IN ('redacted:retention', 'redacted:request')"
    );
    Ok(execute!(
        conn,
        SQL,
        micros(cutoff),
        Redaction::Retention.marker()
    )?)
}

/// Replaces the details (before/after JSON, where the contact's value is) of every record of
/// `school` about a contact of `person` with the marker of an erasure request; returns how many
/// records. A contact belongs to a person through its `parent_id` (parents' contacts; a pupil's,
/// should pupils get contacts, through `person_id`). Records of the first formula, written
/// before the audit key, cannot be redacted without breaking the chain and are left; the count
/// leaves them out. Call inside the transaction that records the erasure.
pub async fn redact_contacts_of(
    conn: &mut Conn<'_>,
    school: tabel_domain::SchoolId,
    person: tabel_domain::PersonId,
) -> Result<u64> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        before_json: Option<String>,
        after_json: Option<String>,
        before_digest: Option<String>,
        after_digest: Option<String>,
    }
    // The records about contacts of one school (the entity index narrows it); whose contact
    // each is, is read from its JSON here rather than matched as text in SQL.
    const CANDIDATES: &str = "SELECT id, before_json, after_json, before_digest, after_digest \
         FROM audit_log WHERE entity = 'contact' AND chain_id = $1 AND hash_alg = 2";
    const REDACT: &str = concat!(
        "UPDATE audit_log SET ",
        "before_json = CASE WHEN before_digest IS NOT NULL AND before_json IS NOT NULL ",
        "THEN $2 ELSE before_json END, ",
        "after_json = CASE WHEN after_digest IS NOT NULL AND after_json IS NOT NULL ",
        "THEN $2 ELSE after_json END WHERE id = $1"
    );
    let wanted = person.to_string();
    let owner = |json: &Option<String>| {
        json.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .is_some_and(|v| {
                ["parent_id", "person_id"].iter().any(|k| {
                    v.get(k).is_some_and(|id| {
                        id.as_str() == Some(wanted.as_str()) || id.as_i64() == Some(person.get())
                    })
                })
            })
    };
    let mut redacted = 0;
    for r in fetch_all!(conn, Row, CANDIDATES, school.get())? {
        let sealed_clear = |json: &Option<String>, digest: &Option<String>| {
            digest.is_some() && json.as_deref().is_some_and(|j| Redaction::of(j).is_none())
        };
        let open = sealed_clear(&r.before_json, &r.before_digest)
            || sealed_clear(&r.after_json, &r.after_digest);
        if open && (owner(&r.before_json) || owner(&r.after_json)) {
            execute!(conn, REDACT, r.id, Redaction::Request.marker())?;
            redacted += 1;
        }
    }
    Ok(redacted)
}
