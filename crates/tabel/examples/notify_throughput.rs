//! Throughput of the notification worker (issue 7, budget: ≥ 500 e-mails a second to a local
//! SMTP sink). Generates the demo school into a fresh SQLite file (or uses the given empty
//! database), has every consenting parent take final marks by e-mail, writes N
//! `final.published` events for the school's pupils in one transaction, and runs the worker
//! against the loopback SMTP sink of `tabel_notify::test_support`: first the fan-out (events →
//! deliveries, recipients resolved), then the sending (claims, SMTP over pooled connections,
//! each delivery marked at once). Prints both phases and e-mails per second.
//!
//! ```sh
//! cargo run --release -p tabel --example notify_throughput -- 3000
//! cargo run --release -p tabel --example notify_throughput -- 3000 postgres://postgres@127.0.0.1:5432/empty
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::collections::BTreeSet;
use std::time::Instant;
use tabel_app::{App, AppConfig};
use tabel_domain::notify::{ChannelChoice, EventKind, EventSetting, Mode};
use tabel_notify::test_support::SmtpSink;
use tabel_notify::{NotifyConfig, Worker};
use tabel_store::delivery::{self as repo, Settings};
use tabel_store::{now_micros, outbox};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map_or(3000, |a| a.parse().expect("a number of events"));
    let dir = tempfile::tempdir().unwrap();
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("notify.db").display()));
    let db = tabel::open_db(&url).await.unwrap();
    let today = time::macros::date!(2026 - 11 - 28);
    let started = Instant::now();
    tabel_demo::generate(
        &db,
        &tabel_demo::DemoOptions {
            schools: 1,
            seed: 1,
            today,
        },
    )
    .await
    .unwrap();
    println!(
        "demo school generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let (school, subject, pairs) = {
        let mut c = db.acquire().await.unwrap();
        let c = &mut c.conn();
        let school = tabel_store::school::list_schools(c).await.unwrap()[0].id;
        let subject = tabel_store::school::list_subjects(c, school).await.unwrap()[0].id;
        (
            school,
            subject,
            repo::consenting_pairs(c, school).await.unwrap(),
        )
    };
    // Everyone who may be told takes final marks by e-mail (the demo prefers phones often).
    let now = now_micros();
    let mut tx = db.begin().await.unwrap();
    let parents: BTreeSet<_> = pairs.iter().map(|p| p.parent).collect();
    for parent in &parents {
        let mut s = Settings::default();
        s.events.insert(
            EventKind::Final,
            EventSetting {
                channel: ChannelChoice::Email,
                mode: Mode::Immediate,
            },
        );
        repo::save_settings(&mut tx.conn(), (school, *parent), &s, (None, now))
            .await
            .unwrap();
    }
    let students: Vec<_> = pairs
        .iter()
        .map(|p| p.student)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for i in 0..n {
        let student = students[i % students.len()];
        let payload = serde_json::json!({
            "id": i.to_string(), "student_id": student.to_string(), "subject_id": subject.to_string(),
            "slot": "year", "period_id": null, "value": "5", "version": 1,
        });
        outbox::emit(
            &mut tx.conn(),
            Some(school),
            "final.published",
            &payload,
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    println!(
        "{n} final.published events for {} pupils, {} consenting parents",
        students.len(),
        parents.len()
    );

    let sink = SmtpSink::start().await;
    let config = NotifyConfig {
        smtp: Some(sink.smtp_config()),
        worker: false,
        forecast_weekday: None,
        ..NotifyConfig::default()
    };
    let app = App::new(
        db.clone(),
        AppConfig {
            today: Some(today),
            ..AppConfig::default()
        },
    );
    let worker = Worker::new(app, config).unwrap();
    let at = now_micros();
    let t0 = Instant::now();
    let fanned = worker.fan_out_all(at).await.unwrap();
    let fan_out = t0.elapsed();
    println!(
        "fan-out: {} events → {} deliveries in {:.2} s ({:.0} events/s)",
        fanned.events,
        fanned.created,
        fan_out.as_secs_f64(),
        fanned.events as f64 / fan_out.as_secs_f64()
    );
    let t1 = Instant::now();
    let sent = worker.send_due(at).await.unwrap();
    let sending = t1.elapsed();
    let mails = sink.count();
    println!(
        "sending: {} e-mails accepted by the sink in {:.2} s = {:.0} e-mails/s \
         ({} retried, {} dead; {} SMTP connections opened)",
        mails,
        sending.as_secs_f64(),
        mails as f64 / sending.as_secs_f64(),
        sent.retried,
        sent.dead,
        sink.connections()
    );
    println!(
        "end to end (fan-out + sending): {:.0} e-mails/s",
        mails as f64 / (fan_out + sending).as_secs_f64()
    );
    assert_eq!(sent.sent, mails, "every delivery reached the sink");
    db.close().await;
}
