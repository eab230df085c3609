//! Parents' contacts (regulation point 7): staff register them from documents, parents add their
//! own; values are normalised and checked; duplicates are refused; a phone is confirmed by a
//! code and an e-mail by a link, with expiry and at most five attempts; every endpoint enforces
//! the parent↔child link; the pages work without JavaScript; audit and outbox; PostgreSQL.
//!
//! Codes are delivered by the notifier, never through the API: these tests play the notifier by
//! calling [`tabel_app::App::start_verification`] directly on the test's database, which returns
//! the code to its caller, and then confirm through HTTP like a parent.

mod access;
mod codes;
mod pages;
mod registry;

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_app::contact::VerificationCode;
use tabel_domain::ContactId;
use tabel_store::test_support::Fixture;

/// `POST /api/v1/parents/{parent}/contacts`.
async fn add(app: &TestApp, token: &str, parent: impl ToString, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/api/v1/parents/{}/contacts", parent.to_string())))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Adds a contact and returns it, expecting 201.
async fn added(app: &TestApp, token: &str, parent: impl ToString, body: Value) -> Value {
    let res = add(app, token, parent, body.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    res.json().await.unwrap()
}

/// A JSON request with a bearer token.
async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.http.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

/// `POST /api/v1/contacts/{id}/confirm` with a code.
async fn confirm(app: &TestApp, token: &str, contact: &str, code: &str) -> reqwest::Response {
    send(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/contacts/{contact}/confirm"),
        token,
        Some(json!({ "code": code })),
    )
    .await
}

/// The application layer on the test's database and clock: the notifier's seat.
fn notifier(app: &TestApp) -> tabel_app::App {
    let config = tabel_app::AppConfig {
        today: Some(Fixture::TODAY),
        ..tabel_app::AppConfig::default()
    };
    tabel_app::App::new(app.db.db.clone(), config)
        .with_clock(std::sync::Arc::new(app.clock.clone()))
}

/// Makes a code for a contact as the holder of `token`, as the notifier would, and returns it.
async fn code_for(app: &TestApp, token: &str, contact: &str) -> VerificationCode {
    let layer = notifier(app);
    let who = layer.authenticate(token, Fixture::TODAY).await.unwrap();
    let id: ContactId = contact.parse().unwrap();
    layer
        .start_verification(&who.principal, id, &tabel_app::Client::cli())
        .await
        .unwrap()
}

/// The audit actions recorded about a contact, oldest first.
async fn audit_actions(app: &TestApp, contact: &str) -> Vec<(String, Option<String>)> {
    let mut c = app.db.db.acquire().await.unwrap();
    let mut records = tabel_store::audit::history_of(&mut c.conn(), "contact", contact, 100)
        .await
        .unwrap();
    records.reverse();
    records
        .into_iter()
        .map(|r| (r.action, r.after_json))
        .collect()
}

async fn audit_holds(app: &TestApp) {
    let report = notifier(app).verify_audit().await.unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

#[tokio::test]
async fn the_openapi_document_describes_the_contact_endpoints() {
    let app = TestApp::sqlite().await;
    let res = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc: Value = res.json().await.unwrap();
    let paths = &doc["paths"];
    let list = &paths["/api/v1/parents/{id}/contacts"];
    assert!(
        list["get"].is_object() && list["post"].is_object(),
        "{list}"
    );
    assert!(list["post"]["responses"]["409"].is_object());
    assert!(paths["/api/v1/contacts/{id}"]["delete"].is_object());
    assert!(paths["/api/v1/contacts/{id}/preferred"]["put"].is_object());
    let start = &paths["/api/v1/contacts/{id}/verification"]["post"];
    assert!(start["responses"]["202"].is_object(), "{start}");
    assert!(paths["/api/v1/contacts/{id}/confirm"]["post"].is_object());
    let schema = &doc["components"]["schemas"]["ContactDto"]["properties"];
    assert!(
        schema["provenance"].is_object() && schema["verified"].is_object(),
        "{schema}"
    );
    assert!(schema.get("code").is_none());
}
