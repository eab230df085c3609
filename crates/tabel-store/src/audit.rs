//! The append-only audit log, hash-chained per school (see [`tabel_domain::audit`]).
//!
//! Appending takes the chain's head row with an `UPDATE … RETURNING`, which locks it until the
//! transaction ends: two writers to one school's chain queue up instead of forking it, while
//! different schools never wait for each other.

use crate::{Conn, Result};
use serde::Serialize;
use tabel_domain::audit::{AuditContent, GENESIS};
use time::OffsetDateTime;

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

/// The position a record takes and the hash of the one before it.
struct HeadRow {
    seq: i64,
    hash: String,
}

#[derive(sqlx::FromRow)]
struct SeqRow {
    seq: i64,
}

#[derive(sqlx::FromRow)]
struct HashRow {
    hash: String,
}

/// Appends a record to its chain; returns its position. Call inside the transaction that makes
/// the change.
pub async fn append(conn: &mut Conn<'_>, e: &AuditEntry<'_>) -> Result<i64> {
    const ENSURE_HEAD: &str = "INSERT INTO audit_heads (chain_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (chain_id) DO NOTHING";
    // Takes the next position, locking the chain's head until this transaction ends.
    const TAKE_HEAD: &str =
        "UPDATE audit_heads SET seq = seq + 1 WHERE chain_id = $1 RETURNING seq";
    // The previous record's hash, read in a statement of its own: on PostgreSQL (read
    // committed) a statement that waited for the head's lock still reads the snapshot it began
    // with, so a subquery of TAKE_HEAD would miss a record committed while it waited and link to
    // the wrong one; a new statement sees it.
    const PREVIOUS: &str = "SELECT hash FROM audit_log WHERE chain_id = $1 AND seq = $2";
    const INSERT: &str = concat!(
        "INSERT INTO audit_log (chain_id, seq, at_micros, actor_user_id, action, entity, entity_id, ",
        "before_json, after_json, reason, origin, prev_hash, hash) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    );

    // The chain's head exists after its first record: take it, and create it only when missing.
    let seq: i64 = match fetch_optional!(conn, SeqRow, TAKE_HEAD, e.chain)? {
        Some(h) => h.seq,
        None => {
            execute!(conn, ENSURE_HEAD, e.chain, GENESIS)?;
            fetch_one!(conn, SeqRow, TAKE_HEAD, e.chain)?.seq
        }
    };
    let previous = match fetch_optional!(conn, HashRow, PREVIOUS, e.chain, seq - 1)? {
        Some(p) => p.hash,
        None => GENESIS.to_owned(),
    };
    let head = HeadRow {
        seq,
        hash: previous,
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
    let hash = content.hash(&head.hash);
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
        &hash
    )?;
    // The head keeps the last record's hash: a tail removed and the head's position set back
    // then no longer matches the record the head points to.
    const KEEP: &str = "UPDATE audit_heads SET hash = $2 WHERE chain_id = $1";
    execute!(conn, KEEP, e.chain, &hash)?;
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
}

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
        "SELECT id, chain_id, seq, at_micros, actor_user_id, action, entity, entity_id, before_json, ",
        "after_json, reason, origin, prev_hash, hash FROM audit_log WHERE entity = $1 AND entity_id = $2 ",
        "ORDER BY id DESC LIMIT $3"
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
        "SELECT id, chain_id, seq, at_micros, actor_user_id, action, entity, entity_id, before_json, ",
        "after_json, reason, origin, prev_hash, hash FROM audit_log WHERE actor_user_id = $1 ",
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
        "SELECT id, chain_id, seq, at_micros, actor_user_id, action, entity, entity_id, before_json, ",
        "after_json, reason, origin, prev_hash, hash FROM audit_log WHERE chain_id = $1 AND seq > $2 ",
        "ORDER BY seq LIMIT 2000"
    );
    #[derive(sqlx::FromRow)]
    struct ChainRow {
        chain_id: i64,
        seq: i64,
        hash: String,
    }
    let heads = fetch_all!(conn, ChainRow, CHAINS)?;
    let mut report = VerifyReport::default();
    for head in heads {
        report.chains += 1;
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
                } else if r.content().hash(&prev) != r.hash {
                    Some("the record's content does not match its hash (edited)".to_owned())
                } else {
                    None
                };
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
