//! Delivery: due deliveries claimed with a lease and sent a few at a time, each marked sent,
//! retried after a backoff or put on the dead-letter list at once.

use super::recipients::usable;
use super::{Report, Worker, WorkerError};
use crate::channel::Outgoing;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use tabel_domain::PersonId;
use tabel_domain::WebhookId;
use tabel_domain::notify::DeliveryState;
use tabel_store::Conn;
use tabel_store::contact as contacts;
use tabel_store::delivery::{self as repo, Delivery, Guardian, Retry, Webhook};
use time::{Duration, OffsetDateTime};
use tokio::sync::Semaphore;

impl Worker {
    /// Claims a batch of due deliveries and sends them; how many were claimed.
    pub(super) async fn deliver(
        &self,
        now: OffsetDateTime,
    ) -> Result<(usize, Report), WorkerError> {
        let mut report = Report::default();
        let lease = Duration::try_from(self.config.lease).unwrap_or(Duration::minutes(2));
        let limit = i64::try_from(self.config.batch.max(1)).unwrap_or(500);
        let claimed = {
            let mut tx = self.db().begin().await?;
            let list = repo::claim_due(&mut tx.conn(), now, now + lease, limit).await?;
            tx.commit().await?;
            list
        };
        let n = claimed.len();
        if n == 0 {
            return Ok((0, report));
        }
        // Look again, just before sending: a consent withdrawn, a contact removed or a
        // subscription ended since the delivery was made stops it.
        let mut ready = Vec::new();
        {
            let mut conn = self.db().acquire().await?;
            let c = &mut conn.conn();
            let mut guardians: HashMap<PersonId, Vec<Guardian>> = HashMap::new();
            let mut hooks: HashMap<i64, Option<Webhook>> = HashMap::new();
            for d in claimed {
                match self
                    .check_still_wanted(c, &d, &mut guardians, &mut hooks)
                    .await?
                {
                    Ok(secret) => ready.push((d, secret)),
                    Err(why) => {
                        let mut tx = self.db().begin().await?;
                        repo::mark_cancelled(&mut tx.conn(), d.id, why, now).await?;
                        tx.commit().await?;
                        report.cancelled += 1;
                    }
                }
            }
        }
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for (d, secret) in ready {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                break;
            };
            let worker = self.clone();
            tasks.spawn(async move {
                let outcome = worker.send_one(&d, secret.as_deref(), now).await;
                drop(permit);
                outcome
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(Ok(r)) => report += r,
                Ok(Err(e)) => return Err(e),
                Err(e) => tracing::error!(error = %e, "a delivery task failed"),
            }
        }
        Ok((n, report))
    }

    /// `Ok(webhook secret)` when the delivery may still go; `Err(why)` otherwise.
    async fn check_still_wanted(
        &self,
        c: &mut Conn<'_>,
        d: &Delivery,
        guardians: &mut HashMap<PersonId, Vec<Guardian>>,
        hooks: &mut HashMap<i64, Option<Webhook>>,
    ) -> Result<Result<Option<String>, &'static str>, WorkerError> {
        if let Some(w) = d.webhook {
            if let Entry::Vacant(e) = hooks.entry(w) {
                e.insert(repo::get_webhook(c, WebhookId::new(w)).await?);
            }
            if let Some(student) = d.student
                && !tabel_store::school::family_consents(c, student).await?
            {
                return Ok(Err(
                    "the family's consent to the processing for the diary is no longer in force",
                ));
            }
            return Ok(match &hooks[&w] {
                Some(h) if h.removed_at.is_none() => Ok(Some(h.secret.clone())),
                _ => Err("the webhook subscription was removed"),
            });
        }
        if let (Some(parent), Some(student)) = (d.parent, d.student) {
            if let Entry::Vacant(e) = guardians.entry(student) {
                e.insert(repo::guardians_of(c, student).await?);
            }
            if !guardians[&student]
                .iter()
                .any(|g| g.parent == parent && g.consents())
            {
                return Ok(Err(
                    "the consent to electronic delivery is no longer in force",
                ));
            }
        }
        if let Some(contact) = d.contact {
            let live = contacts::get_contact(c, contact)
                .await?
                .is_some_and(|k| usable(&k) && k.value == d.address);
            if !live {
                return Ok(Err("the contact was removed or changed"));
            }
        }
        Ok(Ok(None))
    }

    /// Sends one claimed delivery and records the outcome at once.
    async fn send_one(
        &self,
        d: &Delivery,
        secret: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Report, WorkerError> {
        let mut report = Report::default();
        let result = self
            .channels
            .send(&Outgoing {
                channel: d.channel,
                address: &d.address,
                subject: &d.subject,
                body: &d.body,
                key: &d.key,
                secret,
            })
            .await;
        let at = self.app.now().max(now);
        let mut tx = self.db().begin().await?;
        let c = &mut tx.conn();
        match result {
            Ok(()) => {
                repo::mark_sent(c, d.id, at).await?;
                report.sent += 1;
            }
            Err(e) => {
                let failures = d.attempts + 1;
                let retry = match self
                    .config
                    .backoff
                    .after(u32::try_from(failures).unwrap_or(u32::MAX))
                {
                    Some(wait) => Retry::At(now + wait),
                    None => Retry::Dead,
                };
                let message = e.to_string();
                repo::mark_failed(c, (d.id, failures), &message, retry, at).await?;
                match retry {
                    Retry::Dead => {
                        tracing::warn!(delivery = d.id, channel = %d.channel, error = %message, "delivery failed for good: on the dead-letter list");
                        report.dead += 1;
                    }
                    Retry::At(_) => {
                        tracing::info!(delivery = d.id, channel = %d.channel, attempt = failures, error = %message, "delivery failed; will retry");
                        report.retried += 1;
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Counts of deliveries by state (for the CLI and `/metrics`).
    pub async fn counts(&self) -> Result<Vec<(DeliveryState, i64)>, WorkerError> {
        let mut c = self.db().acquire().await?;
        let c = &mut c.conn();
        Ok(repo::count_by_state(c).await?.into_iter().collect())
    }
}
