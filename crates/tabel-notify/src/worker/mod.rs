//! The worker: drains the outbox into deliveries, makes the daily digests and the weekly
//! forecasts, and sends what is due through the channels, with retries and dead letters.
//!
//! One round ([`Worker::run_once`]):
//! 1. **Fan-out.** Events the notifier has not handled are claimed in batches (on PostgreSQL
//!    with `FOR UPDATE SKIP LOCKED`, so several workers share the work); for each, the
//!    webhooks subscribed to its topic get a delivery, and for events families hear about the
//!    pupil's representatives are resolved — only those whose consents to the diary and to
//!    electronic delivery are both in force, only their deliverable contacts, as their
//!    settings say (a delivery now, a digest line, or nothing). Deliveries carry an
//!    idempotency key unique per event, recipient and channel, and the event is marked handled
//!    in the same transaction: a crash repeats the batch, and the keys make the repeat a no-op.
//! 2. **Digests** of the day's lines, once the school's local clock passes the digest hour;
//!    **forecasts** once a week per child (regulation point 4).
//! 3. **Delivery.** Due deliveries are claimed with a lease, sent a few at a time, and each is
//!    marked sent (or failed: a retry after a backoff, or the dead-letter list) at once, in its
//!    own short transaction: a worker killed mid-batch leaves only the messages in flight
//!    unmarked, and they are taken over when their lease runs out. Delivery is at least once;
//!    the key goes out as the e-mail's Message-ID and the webhook's `X-Tabel-Delivery` so a
//!    receiver can drop the rare second copy.

mod delivery;
mod digest;
mod fan_out;
mod recipients;

use crate::channel::{Channels, ConfigError};
use crate::config::NotifyConfig;
use std::sync::Arc;
use tabel_app::{App, AppError};
use tabel_store::{Db, StoreError};
use time::OffsetDateTime;

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Outbox events handled.
    pub events: usize,
    /// Deliveries made (events, digests, forecasts).
    pub created: usize,
    /// Lines put aside for digests.
    pub digest_lines: usize,
    /// Messages accepted by a server or gateway.
    pub sent: usize,
    /// Failures that will be retried.
    pub retried: usize,
    /// Failures that went to the dead-letter list.
    pub dead: usize,
    /// Deliveries cancelled (consent withdrawn, contact removed).
    pub cancelled: usize,
}

impl std::ops::AddAssign for Report {
    fn add_assign(&mut self, o: Report) {
        self.events += o.events;
        self.created += o.created;
        self.digest_lines += o.digest_lines;
        self.sent += o.sent;
        self.retried += o.retried;
        self.dead += o.dead;
        self.cancelled += o.cancelled;
    }
}

/// Why a round stopped early (the next round tries again).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A use case.
    #[error(transparent)]
    App(#[from] AppError),
}

/// The notifier's worker. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Worker {
    app: App,
    channels: Arc<Channels>,
    config: Arc<NotifyConfig>,
}

impl Worker {
    /// A worker over the application's database with the configured channels.
    pub fn new(app: App, config: NotifyConfig) -> Result<Worker, ConfigError> {
        let channels = Channels::new(&config)?;
        Ok(Worker {
            app,
            channels: Arc::new(channels),
            config: Arc::new(config),
        })
    }

    /// A worker sending through channels built already (shared with the code courier).
    pub fn with_channels(app: App, config: NotifyConfig, channels: Arc<Channels>) -> Worker {
        Worker {
            app,
            channels,
            config: Arc::new(config),
        }
    }

    /// The channels (the code courier shares them).
    pub fn channels(&self) -> Arc<Channels> {
        self.channels.clone()
    }

    /// The settings.
    pub fn config(&self) -> &NotifyConfig {
        &self.config
    }

    fn db(&self) -> &Db {
        self.app.db()
    }

    /// Runs rounds until `stop` completes, pausing `interval` between them. A failed round is
    /// logged and the next one tries again; nothing here ends the process.
    pub async fn run(self, stop: impl std::future::Future<Output = ()> + Send) {
        tokio::pin!(stop);
        tracing::info!(
            email = self.channels.has_email(),
            sms = self.channels.has_sms(),
            interval_ms = u64::try_from(self.config.interval.as_millis()).unwrap_or(u64::MAX),
            "notification worker started"
        );
        loop {
            match self.run_once().await {
                Ok(r) if r != Report::default() => tracing::info!(?r, "notification round"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "notification round failed; trying again later")
                }
            }
            tokio::select! {
                () = &mut stop => break,
                () = tokio::time::sleep(self.config.interval) => {}
            }
        }
        tracing::info!("notification worker stopped");
    }

    /// One round at the application clock's time ([`App::now`]).
    pub async fn run_once(&self) -> Result<Report, WorkerError> {
        self.run_once_at(self.app.now()).await
    }

    /// One round as if it were `now` (tests pin the clock for quiet hours, digests, retries).
    #[tracing::instrument(skip_all)]
    pub async fn run_once_at(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = self.fan_out_all(now).await?;
        report += self.digests(now).await?;
        report += self.forecasts(now).await?;
        report += self.send_due(now).await?;
        Ok(report)
    }

    /// The first step of a round alone: every event not handled yet becomes deliveries and
    /// digest lines (benchmarks time the steps apart).
    pub async fn fan_out_all(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        loop {
            let r = self.fan_out(now).await?;
            let done = r.events == 0;
            report += r;
            if done {
                return Ok(report);
            }
        }
    }

    /// The last step of a round alone: everything due at `now` is sent (or retried later, or
    /// dead).
    pub async fn send_due(&self, now: OffsetDateTime) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        loop {
            let (claimed, r) = self.deliver(now).await?;
            report += r;
            if claimed == 0 {
                return Ok(report);
            }
        }
    }
}
