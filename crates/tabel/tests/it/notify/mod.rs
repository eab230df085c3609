//! Notifications end to end (issue 7, points 4 and 5): a real SMTP server on loopback (the
//! notifier's test sink), a real HTTP receiver for the SMS gateway and webhooks; final marks
//! reach each verified, consenting parent once and nobody else; a worker killed mid-batch
//! neither repeats nor loses a message; a wrong SMTP password or an unreachable gateway shows
//! up as retries, then dead letters with the error, and the administrator sends them again;
//! signed webhooks; quiet hours, daily digests and the weekly forecast; verification codes
//! reach the mailbox; the settings pages and who may use them.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{Backend, TestApp, assert_problem, both_backends, post};
use axum::extract::State;
use axum::http::HeaderMap;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tabel_domain::PersonId;
use tabel_domain::contact::{ContactValue, Provenance};
use tabel_domain::notify::{Backoff, DeliveryState};
use tabel_domain::school::{ConsentPurpose, ConsentState, Relation, Sex};
use tabel_domain::text::{NamePart, PersonName};
use tabel_notify::test_support::SmtpSink;
use tabel_notify::{NotifyConfig, SmsConfig, SmsMethod, Worker};
use tabel_store::contact::{NewContact, insert_contact};
use tabel_store::delivery as repo;
use tabel_store::now_micros;
use tabel_store::test_support::Fixture;
use time::OffsetDateTime;

/// The worker's clock in most tests: Monday 23.11.2026, 12:00 in Moscow (no forecast is due
/// on a Monday, and the digest hour is far).
const MONDAY_NOON: OffsetDateTime = time::macros::datetime!(2026-11-23 09:00 UTC);

/// Notifier settings for tests: the worker is driven by the test, not the server.
fn settings(sink: Option<&SmtpSink>) -> NotifyConfig {
    NotifyConfig {
        smtp: sink.map(SmtpSink::smtp_config),
        worker: false,
        public_url: "https://tabel.school1.test".into(),
        forecast_weekday: None,
        ..NotifyConfig::default()
    }
}

/// A worker on the test's database (the application layer pinned to the fixture's today).
fn worker(app: &TestApp, config: NotifyConfig) -> Worker {
    let layer = tabel_app::App::new(
        app.db.db.clone(),
        tabel_app::AppConfig {
            today: Some(Fixture::TODAY),
            ..tabel_app::AppConfig::default()
        },
    );
    Worker::new(layer, config).unwrap()
}

async fn add_contact(app: &TestApp, parent: PersonId, kind: &str, value: &str, verified: bool) {
    let v = ContactValue::parse(kind, "", value).unwrap();
    let now = now_micros();
    let mut tx = app.db.db.begin().await.unwrap();
    insert_contact(
        &mut tx.conn(),
        &NewContact {
            school: app.f.school,
            parent,
            value: &v,
            provenance: Provenance::Cabinet,
            basis: "",
            preferred: false,
            entered_by: None,
            entered_by_person: Some(parent),
            entered_at: now,
            verified_at: verified.then_some(now),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Another legal representative of a pupil, with both consents in `state`.
async fn add_guardian(
    app: &TestApp,
    (last, first): (&str, &str),
    student: PersonId,
    state: ConsentState,
) -> PersonId {
    use tabel_store::school::{
        NewConsent, NewGuardianship, NewPerson, insert_consent, insert_guardianship, insert_person,
    };
    let now = now_micros();
    let mut tx = app.db.db.begin().await.unwrap();
    let c = &mut tx.conn();
    let name = PersonName {
        last: NamePart::parse(last).unwrap(),
        first: NamePart::parse(first).unwrap(),
        middle: None,
    };
    let school = app.f.school;
    let parent = insert_person(
        c,
        &NewPerson {
            school,
            name: &name,
            sex: Sex::Male,
            birth_date: None,
        },
    )
    .await
    .unwrap();
    insert_guardianship(
        c,
        &NewGuardianship {
            school,
            parent,
            student,
            relation: Relation::Father,
            confirmed_at: now,
            confirmed_by: None,
        },
    )
    .await
    .unwrap();
    for purpose in ConsentPurpose::ALL {
        insert_consent(
            c,
            &NewConsent {
                school,
                parent,
                student,
                purpose: *purpose,
                state,
                text_version: "test-1",
                basis: "заявление",
                recorded_by: None,
                recorded_at: now,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    parent
}

/// The families of the fixture with contacts: Мария (Иван's and Анна's mother) has a confirmed
/// e-mail and an unconfirmed one; Сергей (Иван's father) a confirmed e-mail; Ольга (Олег's
/// mother, who refused) a confirmed e-mail; a grandmother of Иван with consent but only an
/// unconfirmed address.
async fn families(app: &TestApp) -> PersonId {
    let f = &app.f;
    add_contact(app, f.parent, "email", "maria@example.org", true).await;
    add_contact(app, f.parent, "email", "maria.new@example.org", false).await;
    add_contact(app, f.refuser, "email", "olga@example.org", true).await;
    let father = add_guardian(app, ("Петров", "Сергей"), f.ivan, ConsentState::Given).await;
    add_contact(app, father, "email", "sergey@example.org", true).await;
    let grandma = add_guardian(app, ("Петрова", "Нина"), f.ivan, ConsentState::Given).await;
    add_contact(app, grandma, "email", "nina@example.org", false).await;
    father
}

/// Publishes final marks of 5А in mathematics for the current quarter (`PUT /api/v1/finals`).
async fn publish_finals(app: &TestApp, rows: &[(PersonId, &str)]) {
    let teacher = app.token("teacher").await;
    let path = format!(
        "/api/v1/finals?group={}&subject={}",
        app.f.class_5a, app.f.math
    );
    let sheet = app.get_json(&path, &teacher).await;
    let period = sheet[0]["period_id"].as_str().unwrap().to_owned();
    let current = |s: &PersonId| {
        sheet[0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["student_id"] == s.to_string())
            .and_then(|r| r["current"]["version"].as_i64())
            .unwrap_or(0)
    };
    let body: Vec<Value> = rows
        .iter()
        .map(|(s, v)| json!({"student_id": s.to_string(), "value": v, "reason": "устные ответы", "version": current(s)}))
        .collect();
    let res = app
        .http
        .put(app.url(&format!("{path}&period={period}")))
        .bearer_auth(&teacher)
        .json(&json!({ "rows": body }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

fn recipients(sink: &SmtpSink) -> Vec<String> {
    let mut to: Vec<String> = sink.mails().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    to
}

async fn deliveries(app: &TestApp, state: DeliveryState) -> Vec<repo::Delivery> {
    let mut c = app.db.db.acquire().await.unwrap();
    repo::deliveries_of_school(&mut c.conn(), app.f.school, state, 1000)
        .await
        .unwrap()
}

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

/// A minute from now: what an administrator re-sends is due at the real time of the re-send.
fn later() -> OffsetDateTime {
    now_micros().max(MONDAY_NOON) + time::Duration::minutes(1)
}

fn quick_retries() -> Backoff {
    Backoff {
        base: time::Duration::seconds(60),
        cap: time::Duration::seconds(60),
        max_attempts: 3,
    }
}

both_backends!(
    a_wrong_smtp_password_is_retried_then_a_dead_letter_and_the_admin_sends_it_again(backend)
);
async fn a_wrong_smtp_password_is_retried_then_a_dead_letter_and_the_admin_sends_it_again(
    backend: Backend,
) {
    let sink = SmtpSink::start().await;
    sink.require_login("tabel", "right");
    let app = TestApp::start(backend).await;
    families(&app).await;
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "4")]).await;
    let wrong = NotifyConfig {
        smtp: Some(sink.smtp_config_with_login("tabel", "wrong")),
        backoff: quick_retries(),
        ..settings(None)
    };
    let w = worker(&app, wrong);
    let t0 = MONDAY_NOON;
    let r = w.run_once_at(t0).await.unwrap();
    assert_eq!((r.sent, r.retried, r.dead), (0, 2, 0), "{r:?}");
    let pending = deliveries(&app, DeliveryState::Pending).await;
    assert_eq!(pending.len(), 2);
    assert!(pending.iter().all(|d| d.attempts == 1 && d.due_at > t0));
    let error = pending[0].last_error.clone().unwrap();
    assert!(
        error.contains("535") || error.contains("redentials"),
        "{error}"
    );
    // Not due yet: nothing is tried.
    assert_eq!(
        w.run_once_at(t0 + time::Duration::seconds(5))
            .await
            .unwrap()
            .retried,
        0
    );
    w.run_once_at(t0 + time::Duration::minutes(2))
        .await
        .unwrap();
    let r = w
        .run_once_at(t0 + time::Duration::minutes(4))
        .await
        .unwrap();
    assert_eq!(r.dead, 2, "{r:?}");
    assert_eq!(sink.count(), 0);

    // The administrator sees them with the error and every try.
    let admin = app.token("admin").await;
    let dead = app
        .get_json(
            &format!("/api/v1/schools/{}/deliveries?state=dead", app.f.school),
            &admin,
        )
        .await;
    let dead = dead.as_array().unwrap();
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0]["state"], "dead");
    assert_eq!(dead[0]["attempts"], 3);
    assert_eq!(dead[0]["history"].as_array().unwrap().len(), 3);
    assert!(
        dead[0]["last_error"].as_str().unwrap().contains("SMTP"),
        "{}",
        dead[0]
    );
    let browser = app.browser("admin").await;
    let (status, page) = browser
        .parsed(&format!("/admin/{}/deliveries", app.f.school))
        .await;
    assert_eq!(status, StatusCode::OK);
    let letters = page.texts("#dead-letters article.dead-letter");
    assert!(
        letters
            .iter()
            .any(|l| l.contains("maria@example.org") && l.contains("Отправить снова")),
        "{letters:?}"
    );

    // Nobody else may see or re-send them.
    let teacher = app.token("teacher").await;
    let path = format!("/api/v1/schools/{}/deliveries", app.f.school);
    assert_problem(app.get(&path, &teacher).await, StatusCode::FORBIDDEN).await;
    let other = app.token("admin2").await;
    assert_problem(app.get(&path, &other).await, StatusCode::NOT_FOUND).await;
    let id = dead[0]["id"].as_str().unwrap();
    let parent = app.token("parent").await;
    let resend = format!("/api/v1/deliveries/{id}/resend");
    assert_problem(
        post(&app, &parent, &resend, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        post(&app, &other, &resend, json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The password is fixed; the administrator sends both again (one through the page).
    let res = post(&app, &admin, &resend, json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["state"], "pending");
    assert_problem(
        post(&app, &admin, &resend, json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let second = dead[1]["id"].as_str().unwrap();
    let res = browser
        .post_form(
            &format!("/admin/{}/deliveries/{second}/resend", app.f.school),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let right = NotifyConfig {
        smtp: Some(sink.smtp_config_with_login("tabel", "right")),
        ..settings(None)
    };
    let r = worker(&app, right).run_once_at(later()).await.unwrap();
    assert_eq!(r.sent, 2, "{r:?}");
    assert_eq!(
        recipients(&sink),
        ["maria@example.org", "sergey@example.org"]
    );
}

/// What an HTTP receiver got: headers and body of each request.
type Received = Arc<Mutex<Vec<(HeaderMap, String, String)>>>;

/// A loopback HTTP server recording every request (the SMS gateway, a webhook receiver).
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    async fn record(
        State(got): State<Received>,
        uri: axum::http::Uri,
        headers: HeaderMap,
        body: String,
    ) -> &'static str {
        got.lock().unwrap().push((headers, uri.to_string(), body));
        "ok"
    }
    let router = axum::Router::new().fallback(record).with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, got)
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

both_backends!(an_unreachable_sms_gateway_is_retried_then_a_dead_letter_and_sent_again_later);
async fn an_unreachable_sms_gateway_is_retried_then_a_dead_letter_and_sent_again_later(
    app: TestApp,
) {
    add_contact(&app, app.f.parent, "phone", "+7 912 345-67-89", true).await;
    let parent = app.token("parent").await;
    let res = app
        .http
        .put(app.url("/api/v1/me/notification-settings"))
        .bearer_auth(&parent)
        .json(&json!({"events": [{"event": "final", "channel": "sms", "mode": "immediate"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let gone = closed_port();
    let mut down = SmsConfig::new(format!(
        "http://127.0.0.1:{gone}/send?to={{phone}}&text={{text}}"
    ));
    down.method = SmsMethod::Get;
    let config = NotifyConfig {
        sms: Some(down),
        backoff: quick_retries(),
        ..settings(None)
    };
    let w = worker(&app, config);
    let t0 = MONDAY_NOON;
    for n in 0..3 {
        w.run_once_at(t0 + time::Duration::minutes(2 * n))
            .await
            .unwrap();
    }
    let dead = deliveries(&app, DeliveryState::Dead).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].channel.code(), "sms");
    assert_eq!(dead[0].address, "+79123456789");
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("SMS gateway"),
        "{:?}",
        dead[0].last_error
    );

    // The gateway is back (with a POST body and an auth header this time).
    let (base, got) = receiver().await;
    let mut up = SmsConfig::new(format!("{base}/send"));
    up.body = Some(r#"{"to":"{phone}","text":"{text}"}"#.into());
    up.auth_header = Some(tabel_notify::Secret::new("Authorization: Bearer gw-token"));
    let admin = app.token("admin").await;
    let res = post(
        &app,
        &admin,
        &format!("/api/v1/deliveries/{}/resend", dead[0].id),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = worker(
        &app,
        NotifyConfig {
            sms: Some(up),
            ..settings(None)
        },
    )
    .run_once_at(later())
    .await
    .unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0["authorization"], "Bearer gw-token");
    let sms: Value = serde_json::from_str(&got[0].2).unwrap();
    assert_eq!(sms["to"], "+79123456789");
    assert!(
        sms["text"]
            .as_str()
            .unwrap()
            .contains("итоговая по предмету «Математика»"),
        "{sms}"
    );
}

both_backends!(webhooks_carry_events_signed_so_that_the_receiver_can_verify_them);
async fn webhooks_carry_events_signed_so_that_the_receiver_can_verify_them(app: TestApp) {
    let (base, got) = receiver().await;
    let admin = app.token("admin").await;
    let hooks = format!("/api/v1/schools/{}/webhooks", app.f.school);
    let teacher = app.token("teacher").await;
    let body = json!({"url": format!("{base}/hook"), "topics": "final.published", "description": "региональная система"});
    assert_problem(
        post(&app, &teacher, &hooks, body.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let bad = assert_problem(
        post(
            &app,
            &admin,
            &hooks,
            json!({"url": "ftp://x", "topics": "final.published"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(bad["errors"]["url"].is_string(), "{bad}");
    let res = post(&app, &admin, &hooks, body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    let listed = app.get_json(&hooks, &admin).await;
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is shown once"
    );

    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5"), (app.f.oleg, "4")]).await;
    let r = worker(&app, settings(None))
        .run_once_at(MONDAY_NOON)
        .await
        .unwrap();
    assert_eq!(r.sent, 2, "{r:?}");
    let received = got.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    for (headers, uri, body) in &received {
        assert_eq!(uri, "/hook");
        let signature = headers["x-tabel-signature"].to_str().unwrap();
        assert!(
            tabel_notify::verify(&secret, signature, body, now, 300),
            "{signature}"
        );
        assert!(!tabel_notify::verify(
            "another secret",
            signature,
            body,
            now,
            300
        ));
        assert!(!tabel_notify::verify(
            &secret,
            signature,
            &format!("{body} "),
            now,
            300
        ));
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["topic"], "final.published");
        assert_eq!(
            headers["x-tabel-delivery"].to_str().unwrap(),
            event["delivery"]
        );
        assert_eq!(event["school_id"], app.f.school.to_string());
    }
    // Removing the subscription ends it: nothing more goes there.
    let id = created["webhook"]["id"].as_str().unwrap();
    let res = app
        .http
        .delete(app.url(&format!("/api/v1/webhooks/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    publish_finals(&app, &[(app.f.ivan, "4")]).await;
    worker(&app, settings(None))
        .run_once_at(MONDAY_NOON + time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(got.lock().unwrap().len(), 2);
}

/// Records a mark for Иван in the week's first mathematics lesson.
async fn mark_for_ivan(app: &TestApp, deputy: &str, value: &str, nth: usize) {
    let week = lessons_5a(app, deputy, "2026-11-23", "2026-11-27").await;
    let teacher = app.token("teacher").await;
    let res = post(
        app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": app.f.ivan.to_string(), "lesson_id": id(&week[nth]), "value": value, "work_type": "answer"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
}

both_backends!(quiet_hours_hold_a_mark_until_they_end_but_never_a_final_result(backend));
async fn quiet_hours_hold_a_mark_until_they_end_but_never_a_final_result(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    families(&app).await;
    // 15:00 in Moscow, inside quiet hours 14:00–17:00 (17:00 in Moscow is 14:00 UTC).
    let (from, to) = ("14:00", "17:00");
    let end = time::macros::datetime!(2026-11-23 14:00 UTC);
    let parent = app.token("parent").await;
    let res = app
        .http
        .put(app.url("/api/v1/me/notification-settings"))
        .bearer_auth(&parent)
        .json(&json!({"quiet_from": from, "quiet_to": to,
            "events": [{"event": "mark", "channel": "email", "mode": "immediate"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["quiet_from"], from);
    let deputy = timetable(&app).await;
    mark_for_ivan(&app, &deputy, "4", 1).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let w = worker(&app, settings(Some(&sink)));
    w.run_once_at(MONDAY_NOON + time::Duration::hours(3))
        .await
        .unwrap();
    // The final result went to both parents; the mark waits for Мария's quiet hours to end.
    let subjects: Vec<String> = sink.mails().iter().map(|m| m.subject()).collect();
    assert_eq!(sink.count(), 2, "{subjects:?}");
    assert!(
        subjects.iter().all(|s| s.starts_with("Итоговая отметка")),
        "{subjects:?}"
    );
    let held = deliveries(&app, DeliveryState::Pending).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].kind, "mark");
    assert_eq!(held[0].due_at, end);
    w.run_once_at(end - time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(sink.count(), 2);
    w.run_once_at(end + time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(sink.count(), 3);
    assert_eq!(sink.mails()[2].subject(), "Новая отметка: Петров Иван");
}

both_backends!(marks_wait_for_the_evening_digest_one_message_a_day(backend));
async fn marks_wait_for_the_evening_digest_one_message_a_day(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    families(&app).await;
    let deputy = timetable(&app).await;
    mark_for_ivan(&app, &deputy, "5", 0).await;
    mark_for_ivan(&app, &deputy, "3", 1).await;
    let w = worker(&app, settings(Some(&sink)));
    let day = MONDAY_NOON.date();
    let morning = day.with_hms(7, 0, 0).unwrap().assume_utc(); // 10:00 in Moscow
    let r = w.run_once_at(morning).await.unwrap();
    // Two marks × two parents with a deliverable address; nothing sent before the evening.
    assert_eq!((r.digest_lines, r.sent), (4, 0), "{r:?}");
    let evening = day.with_hms(15, 30, 0).unwrap().assume_utc(); // 18:30 in Moscow
    let r = w.run_once_at(evening).await.unwrap();
    assert_eq!(r.sent, 2, "{r:?}");
    assert_eq!(
        recipients(&sink),
        ["maria@example.org", "sergey@example.org"]
    );
    let mail = &sink.mails()[0];
    assert!(
        mail.subject().starts_with("Электронный дневник за"),
        "{}",
        mail.subject()
    );
    assert!(mail.subject().ends_with("2 события"), "{}", mail.subject());
    let text = mail.text();
    assert!(
        text.contains("новая отметка по предмету «Математика» — 5"),
        "{text}"
    );
    assert!(
        text.contains("новая отметка по предмету «Математика» — 3"),
        "{text}"
    );
    // Later that evening: today's digest went out already.
    let r = w
        .run_once_at(evening + time::Duration::hours(2))
        .await
        .unwrap();
    assert_eq!((r.created, r.sent), (0, 0), "{r:?}");
}

both_backends!(the_weekly_forecast_goes_to_each_consenting_parent_once_a_week(backend));
async fn the_weekly_forecast_goes_to_each_consenting_parent_once_a_week(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    families(&app).await;
    let deputy = timetable(&app).await;
    mark_for_ivan(&app, &deputy, "5", 0).await;
    let w = worker(
        &app,
        NotifyConfig {
            forecast_weekday: Some(time::Weekday::Friday),
            ..settings(Some(&sink))
        },
    );
    // Thursday evening: not yet (the forecast goes from Friday).
    let thursday = time::macros::datetime!(2026-11-26 16:00 UTC);
    w.run_once_at(thursday).await.unwrap();
    assert!(
        sink.mails()
            .iter()
            .all(|m| !m.subject().starts_with("Прогноз"))
    );
    let friday = time::macros::datetime!(2026-11-27 16:00 UTC); // 19:00 in Moscow
    w.run_once_at(friday).await.unwrap();
    let forecasts: Vec<_> = sink
        .mails()
        .into_iter()
        .filter(|m| m.subject().starts_with("Прогноз итоговых отметок"))
        .collect();
    let mut to: Vec<String> = forecasts.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    // Мария for Иван and Анна, Сергей for Иван; nobody for Олег (his mother refused).
    assert_eq!(
        to,
        [
            "maria@example.org",
            "maria@example.org",
            "sergey@example.org"
        ]
    );
    let ivan = forecasts
        .iter()
        .find(|m| m.subject().ends_with("Петров Иван"))
        .unwrap();
    assert!(ivan.text().contains("Математика — "), "{}", ivan.text());
    // Saturday: the week's forecast was sent.
    let before = sink.count();
    w.run_once_at(friday + time::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(sink.count(), before);
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

both_backends!(parents_keep_their_settings_and_nobody_else_has_any);
async fn parents_keep_their_settings_and_nobody_else_has_any(app: TestApp) {
    let parent = app.browser("parent").await;
    let (status, page) = parent.parsed("/account/notifications").await;
    assert_eq!(status, StatusCode::OK);
    let legends = page.texts("#notify-settings fieldset legend strong");
    assert!(
        legends.contains(&"Итоговые отметки".to_owned())
            && legends.contains(&"Тихие часы".to_owned()),
        "{legends:?}"
    );
    let (_, contacts) = parent.parsed("/account/contacts").await;
    assert_eq!(
        contacts.attr("a#to-notifications", "href").as_deref(),
        Some("/account/notifications"),
        "linked from the contacts page"
    );
    let form = [
        ("final_mode", "immediate"),
        ("final_channel", "email"),
        ("mark_mode", "off"),
        ("mark_channel", "preferred"),
        ("forecast_mode", "weekly"),
        ("forecast_channel", "sms"),
        ("quiet_from", "22:00"),
        ("quiet_to", "07:30"),
    ];
    let res = parent.post_form("/account/notifications", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = app.token("parent").await;
    let s = app
        .get_json("/api/v1/me/notification-settings", &token)
        .await;
    assert_eq!(s["quiet_from"], "22:00");
    assert_eq!(s["quiet_to"], "07:30");
    assert!(s["saved"].as_bool().unwrap());
    let events = s["events"].as_array().unwrap();
    let mark = events.iter().find(|e| e["event"] == "mark").unwrap();
    assert_eq!(mark["mode"], "off");
    let homework = events.iter().find(|e| e["event"] == "homework").unwrap();
    assert_eq!(homework["mode"], "daily", "left out: the default");
    // A bad form keeps nothing and names the field.
    let res = parent
        .post_form(
            "/account/notifications",
            &[("quiet_from", "25:00"), ("quiet_to", "07:00")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app
        .http
        .put(app.url("/api/v1/me/notification-settings"))
        .bearer_auth(&token)
        .json(&json!({"events": [{"event": "final", "channel": "email", "mode": "weekly"}]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["final.mode"].is_string(), "{problem}");
    let still = app
        .get_json("/api/v1/me/notification-settings", &token)
        .await;
    assert_eq!(still["quiet_from"], "22:00");
    // Not a legal representative: nothing to see.
    for login in ["teacher", "admin", "student"] {
        let t = app.token(login).await;
        assert_problem(
            app.get("/api/v1/me/notification-settings", &t).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let teacher = app.browser("teacher").await;
    assert_eq!(
        teacher.page("/account/notifications").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        teacher
            .page(&format!("/admin/{}/deliveries", app.f.school))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let admin = app.browser("admin").await;
    let (status, page) = admin
        .parsed(&format!("/admin/{}/webhooks", app.f.school))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text("h1").contains("Вебхуки"), "{}", page.source());
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
