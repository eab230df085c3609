//! Retention (issue 17): what the server forgets on schedule, and the redaction of personal
//! details in the audit log. The job runs inside `tabel serve` (once at start, then hourly) and
//! as `tabel retention run`; "now" is a parameter so that tests pin it.

use crate::{App, AppError};
use serde::Serialize;
use tabel_domain::{PersonId, SchoolId, UserId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::retention as repo;
use time::{Duration, OffsetDateTime};

/// How long each kind is kept, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Sessions are deleted this long after they expired (or were revoked).
    pub sessions_days: u32,
    /// Client addresses (sessions, the audit log) are kept this long.
    pub addresses_days: u32,
    /// The delivery log of notifications (sent, dead or cancelled) is kept this long.
    pub deliveries_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            sessions_days: 30,
            addresses_days: 180,
            deliveries_days: 365,
        }
    }
}

/// What one run removed or redacted (or, for a dry run, would have), by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Sessions deleted.
    pub sessions: u64,
    /// Sessions whose client address was cleared.
    pub session_addresses: u64,
    /// Login throttles deleted (their keys name client addresses).
    pub throttles: u64,
    /// Deliveries of notifications deleted, with their attempts and digest lines.
    pub deliveries: u64,
    /// Audit records whose client address was redacted.
    pub audit_addresses: u64,
    /// Nothing was changed: the figures are what a run would do.
    pub dry_run: bool,
}

fn before(now: OffsetDateTime, days: u32) -> OffsetDateTime {
    now - Duration::days(i64::from(days))
}

impl App {
    /// Forgets what `policy` says is kept no longer, as of `now`, in one transaction; with
    /// `dry_run`, only counts. The audit log's addresses are redacted (the chain still verifies),
    /// and the run appends a record of its own saying how many (deployment chain).
    pub async fn run_retention(
        &self,
        policy: RetentionPolicy,
        now: OffsetDateTime,
        dry_run: bool,
    ) -> Result<RetentionReport, AppError> {
        let apply = !dry_run;
        let addresses = before(now, policy.addresses_days);
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let mut report = RetentionReport {
            sessions: repo::expired_sessions(c, before(now, policy.sessions_days), apply).await?,
            session_addresses: repo::session_addresses(c, addresses, apply).await?,
            throttles: repo::stale_throttles(c, now, apply).await?,
            deliveries: repo::old_deliveries(c, before(now, policy.deliveries_days), apply).await?,
            audit_addresses: 0,
            dry_run,
        };
        report.audit_addresses = if apply {
            let n = audit::redact_addresses_before(c, addresses).await?;
            if n > 0 {
                record_redaction(c, 0, None, "addresses", &retention_json(addresses, n), now)
                    .await?;
            }
            n
        } else {
            audit::addresses_before(c, addresses).await?
        };
        if apply {
            tx.commit().await?;
        }
        Ok(report)
    }

    /// Erases the contact values of `person` (a parent, or a pupil) from the audit log of
    /// `school`: every record about one of their contacts keeps its place in the chain, its
    /// action and its time, and shows «удалено по запросу» in place of the details. Appends a
    /// record saying how many records were redacted (never the values). Returns that count.
    ///
    /// No permission is checked here: the erasure request's use case decides who may ask.
    /// Records written before the audit key (first formula) keep their details and are not
    /// counted.
    pub async fn redact_contacts_of(
        &self,
        school: SchoolId,
        person: PersonId,
        actor: Option<UserId>,
    ) -> Result<u64, AppError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let c = &mut tx.conn();
        let n = audit::redact_contacts_of(c, school, person).await?;
        let what = serde_json::json!({
            "kind": "request", "person_id": person.to_string(), "contact_records": n,
        });
        record_redaction(c, school.get(), actor, &person.to_string(), &what, now).await?;
        tx.commit().await?;
        Ok(n)
    }
}

fn retention_json(cutoff: OffsetDateTime, n: u64) -> serde_json::Value {
    serde_json::json!({
        "kind": "retention", "detail": "origin", "before_micros":
            i64::try_from(cutoff.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX),
        "records": n,
    })
}

/// The record of a redaction: which details, how many records; never the values.
async fn record_redaction(
    c: &mut tabel_store::Conn<'_>,
    chain: i64,
    actor: Option<UserId>,
    entity_id: &str,
    what: &serde_json::Value,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    audit::append(
        c,
        &AuditEntry {
            chain,
            at,
            actor: actor.map(UserId::get),
            action: "audit.redact",
            entity: "audit",
            entity_id: entity_id.to_owned(),
            before: None,
            after: Some(what.clone()),
            reason: None,
            origin: None,
        },
    )
    .await?;
    Ok(())
}
