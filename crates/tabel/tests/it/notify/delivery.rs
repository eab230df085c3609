//! Delivery: final marks reach each verified, consenting parent once, a killed worker neither
//! repeats nor loses, verification links reach the mailbox, the server's own worker and
//! `tabel notify run-once`.

use super::{
    MONDAY_NOON, add_contact, add_guardian, deliveries, families, publish_finals, recipients,
    settings, worker,
};
use crate::journal::{id, timetable};
use crate::support::{Backend, TestApp, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tabel_domain::notify::DeliveryState;
use tabel_domain::school::ConsentState;
use tabel_notify::NotifyConfig;
use tabel_notify::test_support::SmtpSink;

async fn final_mails_reach_consenting_verified_parents_once(app: &TestApp, sink: &SmtpSink) {
    families(app).await;
    timetable(app).await;
    publish_finals(app, &[(app.f.ivan, "5"), (app.f.oleg, "3")]).await;
    let w = worker(app, settings(Some(sink)));
    let r = w.run_once_at(MONDAY_NOON).await.unwrap();
    assert_eq!(r.sent, 2, "{r:?}");
    assert_eq!(
        recipients(sink),
        ["maria@example.org", "sergey@example.org"]
    );
    let mail = &sink.mails()[0];
    assert_eq!(mail.subject(), "Итоговая отметка: Математика, Петров Иван");
    let text = mail.text();
    assert!(text.contains("«Математика» за 2-ю четверть: 5."), "{text}");
    assert!(
        text.contains("https://tabel.school1.test/account/notifications"),
        "{text}"
    );
    assert!(
        mail.header("Message-ID").unwrap().starts_with("<e"),
        "{:?}",
        mail.header("Message-ID")
    );
    // Another round, and another worker: nothing twice.
    let again = worker(app, settings(Some(sink)))
        .run_once_at(MONDAY_NOON + time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((again.created, again.sent), (0, 0), "{again:?}");
    assert_eq!(sink.count(), 2);
    assert_eq!(deliveries(app, DeliveryState::Sent).await.len(), 2);
}

both_backends!(publishing_a_final_mark_mails_each_verified_consenting_parent_once(backend));
async fn publishing_a_final_mark_mails_each_verified_consenting_parent_once(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    final_mails_reach_consenting_verified_parents_once(&app, &sink).await;
}

both_backends!(a_worker_killed_mid_batch_sends_no_duplicate_and_loses_none(
    backend
));
async fn a_worker_killed_mid_batch_sends_no_duplicate_and_loses_none(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    families(&app).await;
    let mut expected = vec![
        "maria@example.org".to_owned(),
        "sergey@example.org".to_owned(),
    ];
    for n in 1..=4 {
        let g = add_guardian(
            &app,
            ("Петров", "Родственник"),
            app.f.ivan,
            ConsentState::Given,
        )
        .await;
        let address = format!("relative{n}@example.org");
        add_contact(&app, g, "email", &address, true).await;
        expected.push(address);
    }
    expected.sort();
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let config = NotifyConfig {
        concurrency: 1,
        lease: Duration::from_millis(800),
        ..settings(Some(&sink))
    };
    // The server hangs on the third message; the worker is killed while it waits.
    sink.stall_after(Some(2));
    let first = worker(&app, config.clone());
    let running = tokio::spawn(async move { first.run_once_at(MONDAY_NOON).await });
    assert!(sink.wait_for(2, Duration::from_secs(20)).await);
    assert!(sink.wait_held(Duration::from_secs(20)).await);
    running.abort();
    let _ = running.await;
    assert_eq!(sink.count(), 2);
    assert_eq!(deliveries(&app, DeliveryState::Sent).await.len(), 2);
    // Restarted once the claims' lease ran out: the rest goes, nothing twice.
    sink.stall_after(None);
    let r = worker(&app, config)
        .run_once_at(MONDAY_NOON + time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(r.sent, 4, "{r:?}");
    assert_eq!(recipients(&sink), expected);
    assert_eq!(deliveries(&app, DeliveryState::Sent).await.len(), 6);
}

both_backends!(a_verification_link_reaches_the_mailbox_and_confirms_the_address(backend));
async fn a_verification_link_reaches_the_mailbox_and_confirms_the_address(backend: Backend) {
    let sink = SmtpSink::start().await;
    let smtp = sink.smtp_config();
    let app = TestApp::with(backend, |c| {
        c.notify = NotifyConfig {
            smtp: Some(smtp),
            worker: false,
            public_url: "https://tabel.school1.test".into(),
            ..NotifyConfig::default()
        };
    })
    .await;
    let parent = app.token("parent").await;
    let res = post(
        &app,
        &parent,
        &format!("/api/v1/parents/{}/contacts", app.f.parent),
        json!({"kind": "email", "value": "Maria.Petrova@Example.org"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let contact = id(&res.json::<Value>().await.unwrap());
    let res = post(
        &app,
        &parent,
        &format!("/api/v1/contacts/{contact}/verification"),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert!(sink.wait_for(1, Duration::from_secs(10)).await);
    let mail = &sink.mails()[0];
    assert_eq!(mail.to, ["maria.petrova@example.org"]);
    assert_eq!(mail.subject(), "Подтвердите адрес электронной почты");
    let text = mail.text();
    let start = text
        .find("https://tabel.school1.test/contacts/verify/")
        .unwrap();
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let token = link.rsplit('/').next().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    // Only the hash is stored.
    let mut c = app.db.db.acquire().await.unwrap();
    let code = tabel_store::contact::latest_code(&mut c.conn(), contact.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(code.code_hash, token);
    drop(c);
    let res = app
        .http
        .get(app.url(link.trim_start_matches("https://tabel.school1.test")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mine = app
        .get_json(
            &format!("/api/v1/parents/{}/contacts", app.f.parent),
            &parent,
        )
        .await;
    let confirmed = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == contact.as_str())
        .unwrap();
    assert!(confirmed["verified_at"].is_string(), "{confirmed}");
}

both_backends!(the_server_runs_the_worker_and_a_final_mark_arrives_by_itself(backend));
async fn the_server_runs_the_worker_and_a_final_mark_arrives_by_itself(backend: Backend) {
    let sink = SmtpSink::start().await;
    let smtp = sink.smtp_config();
    let app = TestApp::with(backend, |c| {
        c.notify = NotifyConfig {
            smtp: Some(smtp),
            worker: true,
            interval: Duration::from_millis(200),
            ..NotifyConfig::default()
        };
    })
    .await;
    families(&app).await;
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    // (On a Friday evening the week's forecasts go out too; only the final marks count here.)
    let finals = || {
        let mut to: Vec<String> = sink
            .mails()
            .into_iter()
            .filter(|m| m.subject().starts_with("Итоговая отметка"))
            .flat_map(|m| m.to)
            .collect();
        to.sort();
        to
    };
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    while finals().len() < 2 && tokio::time::Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(finals(), ["maria@example.org", "sergey@example.org"]);
}

both_backends!(tabel_notify_run_once_sends_what_is_due_and_says_so(backend));
async fn tabel_notify_run_once_sends_what_is_due_and_says_so(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    families(&app).await;
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let (url, port) = (app.db.url.clone(), sink.port().to_string());
    let out = tokio::task::spawn_blocking(move || {
        crate::cli::tabel(
            &[
                "notify",
                "run-once",
                "--db",
                &url,
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                &port,
                "--smtp-tls",
                "none",
                "--smtp-from",
                "Школа № 1 <noreply@school1.test>",
            ],
            None,
        )
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Deliveries by state:") && stdout.contains("sent"),
        "{stdout}"
    );
    let mut finals: Vec<String> = sink
        .mails()
        .into_iter()
        .filter(|m| m.subject().starts_with("Итоговая отметка"))
        .flat_map(|m| m.to)
        .collect();
    finals.sort();
    assert_eq!(finals, ["maria@example.org", "sergey@example.org"]);
    // Settings that cannot work stop it with a message, before anything is done.
    let url = app.db.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        crate::cli::tabel(
            &[
                "notify",
                "run-once",
                "--db",
                &url,
                "--smtp-host",
                "127.0.0.1",
            ],
            None,
        )
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--smtp-from"));
}
