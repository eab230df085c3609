//! Notifying families and services: the notifier's claim on outbox events, parents' settings,
//! webhook subscriptions, deliveries (one per event, recipient and channel, by a unique
//! idempotency key) with their retries and dead letters, and the lines waiting for a daily
//! digest.
//!
//! Two queries differ by backend, and only in a suffix: on PostgreSQL several workers may run
//! at once, so claims take `FOR UPDATE SKIP LOCKED` (each worker gets other rows and nobody
//! waits); SQLite has one writer at a time (`BEGIN IMMEDIATE`), which is claim enough.
//! Instants the worker compares in SQL are integer microseconds (see the migration).
//!
//! A file per kind of row; everything public is re-exported here, so `tabel_store::delivery::X`
//! names it wherever it lives.

use crate::Conn;
use time::OffsetDateTime;

mod briefs;
mod deliveries;
mod digests;
mod events;
mod guardians;
mod runs;
mod settings;
mod webhooks;

pub use briefs::*;
pub use deliveries::*;
pub use digests::*;
pub use events::*;
pub use guardians::*;
pub use runs::*;
pub use settings::*;
pub use webhooks::*;

/// Microseconds since the epoch, as the scheduling columns keep instants.
pub fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The instant of a microsecond count.
pub fn from_micros(us: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn is_postgres(conn: &Conn<'_>) -> bool {
    matches!(conn, Conn::Postgres(_))
}
