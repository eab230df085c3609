//! Notifications end to end (issue 7, points 4 and 5): a real SMTP server on loopback (the
//! notifier's test sink), a real HTTP receiver for the SMS gateway and webhooks; final marks
//! reach each verified, consenting parent once and nobody else; a worker killed mid-batch
//! neither repeats nor loses a message; a wrong SMTP password or an unreachable gateway shows
//! up as retries, then dead letters with the error, and the administrator sends them again;
//! signed webhooks; quiet hours, daily digests and the weekly forecast; verification codes
//! reach the mailbox; the settings pages and who may use them.

mod channels;
mod delivery;
mod preferences;

use crate::support::TestApp;
use axum::extract::State;
use axum::http::HeaderMap;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tabel_domain::PersonId;
use tabel_domain::contact::{ContactValue, Provenance};
use tabel_domain::notify::DeliveryState;
use tabel_domain::school::{ConsentPurpose, ConsentState, Relation, Sex};
use tabel_domain::text::{NamePart, PersonName};
use tabel_notify::test_support::SmtpSink;
use tabel_notify::{NotifyConfig, Worker};
use tabel_store::contact::{NewContact, insert_contact};
use tabel_store::delivery as repo;
use tabel_store::now_micros;
use tabel_store::test_support::Fixture;
use time::OffsetDateTime;

/// The worker's clock in most tests: Monday 23.11.2026, 12:00 in Moscow (no forecast is due
/// on a Monday, and the digest hour is far).
pub(crate) const MONDAY_NOON: OffsetDateTime = time::macros::datetime!(2026-11-23 09:00 UTC);

/// Notifier settings for tests: the worker is driven by the test, not the server.
pub(crate) fn settings(sink: Option<&SmtpSink>) -> NotifyConfig {
    NotifyConfig {
        smtp: sink.map(SmtpSink::smtp_config),
        worker: false,
        public_url: "https://tabel.school1.test".into(),
        forecast_weekday: None,
        ..NotifyConfig::default()
    }
}

/// Webhook rules letting the tests' receiver on loopback be reached over plain http.
pub(crate) fn local_hooks() -> tabel_domain::notify::WebhookRules {
    tabel_domain::notify::WebhookRules::allowing_http(["127.0.0.1"])
}

/// A worker on the test's database (the application layer pinned to the fixture's today).
pub(crate) fn worker(app: &TestApp, config: NotifyConfig) -> Worker {
    let layer = tabel_app::App::new(
        app.db.db.clone(),
        tabel_app::AppConfig {
            today: Some(Fixture::TODAY),
            ..tabel_app::AppConfig::default()
        },
    );
    Worker::new(layer, config).unwrap()
}

pub(crate) async fn add_contact(
    app: &TestApp,
    parent: PersonId,
    kind: &str,
    value: &str,
    verified: bool,
) {
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
pub(crate) async fn publish_finals(app: &TestApp, rows: &[(PersonId, &str)]) {
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

pub(crate) async fn deliveries(app: &TestApp, state: DeliveryState) -> Vec<repo::Delivery> {
    let mut c = app.db.db.acquire().await.unwrap();
    repo::deliveries_of_school(&mut c.conn(), app.f.school, state, 1000)
        .await
        .unwrap()
}

/// What an HTTP receiver got: headers and body of each request.
pub(crate) type Received = Arc<Mutex<Vec<(HeaderMap, String, String)>>>;

/// A loopback HTTP server recording every request (the SMS gateway, a webhook receiver).
pub(crate) async fn receiver() -> (String, Received) {
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
