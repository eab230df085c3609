//! The notifier's storage on both backends: its own claim on outbox events (other readers keep
//! theirs), deliveries made once per idempotency key, claims with a lease that concurrent
//! workers never share, retries, dead letters and re-sends, settings and webhooks.

use serde_json::json;
use std::collections::HashSet;
use tabel_domain::notify::{
    Channel, ChannelChoice, DeliveryState, EventKind, EventSetting, Mode, QuietHours,
};
use tabel_store::delivery::{self as repo, NewDelivery, NewWebhook, Retry, Settings};
use tabel_store::test_support::Fixture;
use tabel_store::{Db, both_backends, now_micros, outbox};
use time::{Duration, OffsetDateTime};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";

fn delivery<'a>(f: &Fixture, key: &'a str, due: OffsetDateTime) -> NewDelivery<'a> {
    NewDelivery {
        school: Some(f.school),
        key,
        event: None,
        kind: "final",
        channel: Channel::Email,
        parent: Some(f.parent),
        student: Some(f.ivan),
        contact: None,
        webhook: None,
        address: "maria@example.org",
        subject: "Итоговая отметка",
        body: "Петров Иван: 5",
        urgent: true,
        due,
        at: due,
    }
}

async fn insert(db: &Db, d: &NewDelivery<'_>) -> Option<i64> {
    let mut tx = db.begin().await.unwrap();
    let id = repo::insert_delivery(&mut tx.conn(), d).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn claim(db: &Db, now: OffsetDateTime, limit: i64) -> Vec<repo::Delivery> {
    let mut tx = db.begin().await.unwrap();
    let got = repo::claim_due(&mut tx.conn(), now, now + Duration::minutes(2), limit)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    got
}

both_backends! {
    async fn the_notifier_claims_events_apart_from_other_readers(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let now = now_micros();
        let mut tx = db.begin().await.unwrap();
        for n in 0..3 {
            outbox::emit(&mut tx.conn(), Some(f.school), "final.published", &json!({"n": n}), now).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let c = &mut tx.conn();
        let events = repo::unnotified(c, 2).await.unwrap();
        assert_eq!(events.len(), 2);
        for e in &events {
            repo::mark_notified(c, e.id, now).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut c = db.acquire().await.unwrap();
        assert_eq!(repo::count_unnotified(&mut c.conn()).await.unwrap(), 1);
        // The change feed's `processed_at` is untouched.
        assert_eq!(outbox::pending(&mut c.conn(), 10).await.unwrap().len(), 3);
    }

    async fn a_delivery_is_made_once_per_key_and_claimed_until_its_lease_ends(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let now = now_micros();
        let first = insert(db, &delivery(&f, "e1:email:c1", now)).await;
        assert!(first.is_some());
        assert_eq!(insert(db, &delivery(&f, "e1:email:c1", now)).await, None, "same key: nothing new");
        // Not due yet: not claimed.
        insert(db, &delivery(&f, "e2:email:c1", now + Duration::hours(1))).await.unwrap();
        let got = claim(db, now, 10).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].state, DeliveryState::Sending);
        assert_eq!(got[0].subject, "Итоговая отметка");
        assert_eq!(got[0].student, Some(f.ivan));
        assert!(claim(db, now + Duration::minutes(1), 10).await.is_empty(), "held by its lease");
        // The worker died: once the lease ran out, another takes it over.
        let again = claim(db, now + Duration::minutes(3), 10).await;
        assert_eq!(again.iter().map(|d| d.id).collect::<Vec<_>>(), [got[0].id]);
        let mut tx = db.begin().await.unwrap();
        assert!(repo::mark_sent(&mut tx.conn(), got[0].id, now).await.unwrap());
        assert!(!repo::mark_sent(&mut tx.conn(), got[0].id, now).await.unwrap(), "sent once");
        tx.commit().await.unwrap();
        let mut c = db.acquire().await.unwrap();
        let counts = repo::count_by_state(&mut c.conn()).await.unwrap();
        assert_eq!(counts[&DeliveryState::Sent], 1);
        assert_eq!(counts[&DeliveryState::Pending], 1);
    }

    async fn failures_are_retried_then_dead_and_a_resend_starts_afresh(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let now = now_micros();
        let id = insert(db, &delivery(&f, "e7:email:c2", now)).await.unwrap();
        claim(db, now, 10).await;
        let mut tx = db.begin().await.unwrap();
        let retry = Retry::At(now + Duration::seconds(30));
        assert!(repo::mark_failed(&mut tx.conn(), (id, 1), "SMTP: 535 bad credentials", retry, now).await.unwrap());
        tx.commit().await.unwrap();
        assert!(claim(db, now + Duration::seconds(10), 10).await.is_empty(), "waits for its backoff");
        assert_eq!(claim(db, now + Duration::seconds(31), 10).await.len(), 1);
        let mut tx = db.begin().await.unwrap();
        repo::mark_failed(&mut tx.conn(), (id, 2), "SMTP: connection refused", Retry::Dead, now).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.acquire().await.unwrap();
        let dead = repo::deliveries_of_school(&mut c.conn(), f.school, DeliveryState::Dead, 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].attempts, 2);
        assert_eq!(dead[0].last_error.as_deref(), Some("SMTP: connection refused"));
        let tries = repo::attempts_of(&mut c.conn(), id).await.unwrap();
        assert_eq!(tries.iter().map(|a| a.error.as_str()).collect::<Vec<_>>(),
            ["SMTP: 535 bad credentials", "SMTP: connection refused"]);
        drop(c);
        assert!(claim(db, now + Duration::days(1), 10).await.is_empty(), "dead letters wait for a person");
        let mut tx = db.begin().await.unwrap();
        assert!(repo::requeue(&mut tx.conn(), id, Some(f.user("admin")), now).await.unwrap());
        assert!(!repo::requeue(&mut tx.conn(), id, None, now).await.unwrap(), "only a dead one");
        tx.commit().await.unwrap();
        let back = claim(db, now + Duration::seconds(1), 10).await;
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].attempts, 0);
        assert!(back[0].resent_at.is_some());
    }

    async fn concurrent_workers_never_claim_the_same_delivery(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let now = now_micros();
        let keys: Vec<String> = (0..60).map(|n| format!("e{n}:email:c9")).collect();
        let mut tx = db.begin().await.unwrap();
        for k in &keys {
            repo::insert_delivery(&mut tx.conn(), &delivery(&f, k, now)).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut workers = Vec::new();
        for _ in 0..4 {
            let db = db.clone();
            workers.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = claim(&db, now, 7).await;
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|d| d.id));
                }
            }));
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap());
        }
        let unique: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), 60, "every delivery claimed");
        assert_eq!(unique.len(), 60, "none twice");
    }

    async fn settings_and_webhooks_round_trip(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let now = now_micros();
        let mut c = db.acquire().await.unwrap();
        let none = repo::settings_of(&mut c.conn(), f.parent).await.unwrap();
        assert_eq!(none.for_kind(EventKind::Mark).mode, Mode::Daily);
        assert!(none.updated_at.is_none());
        drop(c);
        let mut s = Settings { quiet: Some(QuietHours::parse("22:00", "07:00").unwrap()), ..Settings::default() };
        s.events.insert(EventKind::Final, EventSetting { channel: ChannelChoice::Sms, mode: Mode::Immediate });
        let mut tx = db.begin().await.unwrap();
        repo::save_settings(&mut tx.conn(), (f.school, f.parent), &s, (Some(f.user("parent")), now)).await.unwrap();
        s.events.insert(EventKind::Mark, EventSetting { channel: ChannelChoice::Email, mode: Mode::Off });
        repo::save_settings(&mut tx.conn(), (f.school, f.parent), &s, (Some(f.user("parent")), now)).await.unwrap();
        let id = repo::insert_webhook(&mut tx.conn(), &NewWebhook {
            school: f.school, url: "https://region.example/hook", secret: "s3cret",
            topics: "final.published", description: "регион", by: Some(f.user("admin")), at: now,
        }).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.acquire().await.unwrap();
        let back = repo::settings_of(&mut c.conn(), f.parent).await.unwrap();
        assert_eq!(back.quiet, s.quiet);
        assert_eq!(back.events, s.events);
        assert_eq!(back.for_kind(EventKind::Homework), EventKind::Homework.default_setting());
        let hooks = repo::live_webhooks(&mut c.conn()).await.unwrap();
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].secret, "s3cret");
        assert!(!format!("{:?}", hooks[0]).contains("s3cret"));
        drop(c);
        let mut tx = db.begin().await.unwrap();
        assert!(repo::remove_webhook(&mut tx.conn(), id, now).await.unwrap());
        tx.commit().await.unwrap();
        let mut c = db.acquire().await.unwrap();
        assert!(repo::live_webhooks(&mut c.conn()).await.unwrap().is_empty());
        assert_eq!(repo::webhooks_of_school(&mut c.conn(), f.school).await.unwrap().len(), 1);
        let guardians = repo::guardians_of(&mut c.conn(), f.oleg).await.unwrap();
        assert_eq!(guardians.len(), 1);
        assert!(!guardians[0].consents(), "the refuser");
        let pairs = repo::consenting_pairs(&mut c.conn(), f.school).await.unwrap();
        assert_eq!(pairs.len(), 2, "Мария for Иван and Анна: {pairs:?}");
    }
}
