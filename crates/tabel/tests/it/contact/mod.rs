//! Parents' contacts (regulation point 7): staff register them from documents, parents add their
//! own; values are normalised and checked; duplicates are refused; a phone is confirmed by a
//! code and an e-mail by a link, with expiry and at most five attempts; every endpoint enforces
//! the parent↔child link; the pages work without JavaScript; audit and outbox; PostgreSQL.
//!
//! Codes are delivered by the notifier, never through the API: these tests play the notifier by
//! calling [`tabel_app::App::start_verification`] directly on the test's database, which returns
//! the code to its caller, and then confirm through HTTP like a parent.

use crate::support::{Backend, Page, TestApp, assert_problem, both_backends, client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_app::contact::VerificationCode;
use tabel_domain::ContactId;
use tabel_store::Db;
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

both_backends!(staff_register_contacts_from_documents_with_their_basis);
async fn staff_register_contacts_from_documents_with_their_basis(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let email = added(
        &app,
        &admin,
        f.parent,
        json!({"kind": "email", "value": " Petrova.M@Mail.RU ", "provenance": "written_application",
               "basis": "заявление № 12 от 01.09.2026", "preferred": true}),
    )
    .await;
    assert_eq!(email["value"], "petrova.m@mail.ru");
    assert_eq!(email["provenance"], "written_application");
    assert_eq!(email["basis"], "заявление № 12 от 01.09.2026");
    assert_eq!(email["entered_by"], "Директоров Н. И.");
    assert_eq!(email["verified"], false);
    assert_eq!(email["preferred"], true);
    // Given in a signed application: the notifier may use it before it is confirmed.
    assert_eq!(email["deliverable"], true);

    let zavuch = app.token("zavuch").await;
    let phone = added(
        &app,
        &zavuch,
        f.parent,
        json!({"kind": "phone", "value": "8 (912) 345-67-89", "provenance": "electronic_document",
               "basis": "Госуслуги, заявление 4411-2026"}),
    )
    .await;
    assert_eq!(phone["value"], "+79123456789");
    assert_eq!(phone["display"], "+7 912 345-67-89");

    // The class teacher of 5А (Иван's class) registers a messenger for Иван's mother.
    let teacher = app.token("teacher").await;
    let tg = added(
        &app,
        &teacher,
        f.parent,
        json!({"kind": "messenger", "network": "telegram", "value": "https://t.me/Petrova_Maria",
               "provenance": "written_application", "basis": "заявление № 13"}),
    )
    .await;
    assert_eq!(
        (tg["network"].as_str(), tg["value"].as_str()),
        (Some("telegram"), Some("@petrova_maria"))
    );

    // Staff name the document; the cabinet is the parent's.
    let res = add(
        &app,
        &admin,
        f.parent,
        json!({"kind": "phone", "value": "+7 900 000-00-01", "provenance": "written_application"}),
    )
    .await;
    let body = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body["errors"]["basis"].is_string(), "{body}");
    let res = add(
        &app,
        &admin,
        f.parent,
        json!({"kind": "phone", "value": "+7 900 000-00-01", "provenance": "cabinet"}),
    )
    .await;
    let body = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body["errors"]["provenance"].is_string(), "{body}");

    let parent = app.token("parent").await;
    let mine = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.parent), &parent)
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 3);
    let id = email["id"].as_str().unwrap();
    let actions = audit_actions(&app, id).await;
    assert_eq!(actions[0].0, "contact.register");
    assert!(actions[0].1.as_deref().unwrap().contains("заявление № 12"));
    audit_holds(&app).await;
}

both_backends!(a_parent_adds_their_own_in_the_cabinet_and_duplicates_are_refused);
async fn a_parent_adds_their_own_in_the_cabinet_and_duplicates_are_refused(app: TestApp) {
    let f = &app.f;
    let parent = app.token("parent").await;
    let phone = added(
        &app,
        &parent,
        f.parent,
        json!({"kind": "phone", "value": "8 (912) 345-67-89"}),
    )
    .await;
    assert_eq!(phone["provenance"], "cabinet");
    assert_eq!(phone["basis"], "");
    assert_eq!(phone["entered_by"], "Петрова М. А.");
    // Typed in the cabinet: used only once confirmed.
    assert_eq!(phone["deliverable"], false);

    // The same number written another way is the same contact.
    let res = add(
        &app,
        &parent,
        f.parent,
        json!({"kind": "phone", "value": "+7 912 345 67 89"}),
    )
    .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    // Staff registering it again from paper is a duplicate as well.
    let admin = app.token("admin").await;
    let res = add(
        &app,
        &admin,
        f.parent,
        json!({"kind": "phone", "value": "89123456789",
        "provenance": "written_application", "basis": "заявление № 1"}),
    )
    .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    // The same number as a Telegram account is another contact.
    added(
        &app,
        &parent,
        f.parent,
        json!({"kind": "messenger", "network": "telegram", "value": "+79123456789"}),
    )
    .await;

    // A parent does not claim a document for their own entry.
    let res = add(
        &app,
        &parent,
        f.parent,
        json!({"kind": "email", "value": "m@mail.ru",
        "provenance": "written_application", "basis": "заявление"}),
    )
    .await;
    let body = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body["errors"]["provenance"].is_string(), "{body}");

    // Removing keeps the history; the number may then be added again.
    let id = phone["id"].as_str().unwrap();
    let res = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/contacts/{id}"),
        &parent,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/contacts/{id}"),
        &parent,
        None,
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    added(
        &app,
        &parent,
        f.parent,
        json!({"kind": "phone", "value": "8 912 345 67 89"}),
    )
    .await;
    let live = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.parent), &parent)
        .await;
    assert_eq!(live.as_array().unwrap().len(), 2);
    let all = app
        .get_json(
            &format!("/api/v1/parents/{}/contacts?include_removed=true", f.parent),
            &parent,
        )
        .await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert!(all[0]["removed_at"].is_string());

    // Preferred channels.
    let tg = live[0]["id"].as_str().unwrap();
    let res = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/contacts/{tg}/preferred"),
        &parent,
        Some(json!({"preferred": true})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["preferred"], true);
    let actions: Vec<String> = audit_actions(&app, id)
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert_eq!(actions, ["contact.add", "contact.remove"]);
    audit_holds(&app).await;
}

both_backends!(bad_values_are_422_naming_the_field_and_store_nothing);
async fn bad_values_are_422_naming_the_field_and_store_nothing(app: TestApp) {
    let f = &app.f;
    let parent = app.token("parent").await;
    for (body, field) in [
        (json!({"kind": "email", "value": "ivan@"}), "value"),
        (json!({"kind": "email", "value": "ivan@mail"}), "value"),
        (json!({"kind": "phone", "value": "12345"}), "value"),
        (
            json!({"kind": "phone", "value": "+375 29 123-45-67"}),
            "value",
        ),
        (
            json!({"kind": "phone", "value": "8 912 345-67-89 доб. 3"}),
            "value",
        ),
        (
            json!({"kind": "messenger", "value": "@ivan_petrov"}),
            "network",
        ),
        (
            json!({"kind": "messenger", "network": "icq", "value": "123456"}),
            "network",
        ),
        (
            json!({"kind": "messenger", "network": "telegram", "value": "@iv"}),
            "value",
        ),
        (
            json!({"kind": "messenger", "network": "max", "value": "@ivan_petrov"}),
            "value",
        ),
        (json!({"kind": "fax", "value": "1"}), "kind"),
        (json!({"kind": "email", "value": ""}), "value"),
    ] {
        let res = add(&app, &parent, f.parent, body.clone()).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(problem["errors"][field].is_string(), "{body} → {problem}");
    }
    // A body of the wrong shape is 422 too, never a 500.
    let res = add(&app, &parent, f.parent, json!({"kind": 5})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let live = app
        .get_json(
            &format!("/api/v1/parents/{}/contacts?include_removed=true", f.parent),
            &parent,
        )
        .await;
    assert_eq!(live, json!([]));
}

both_backends!(a_phone_is_confirmed_by_its_code_which_expires_and_is_tried_at_most_five_times);
async fn a_phone_is_confirmed_by_its_code_which_expires_and_is_tried_at_most_five_times(
    app: TestApp,
) {
    let f = &app.f;
    let parent = app.token("parent").await;
    let phone = added(
        &app,
        &parent,
        f.parent,
        json!({"kind": "phone", "value": "+7 912 345-67-89"}),
    )
    .await;
    let id = phone["id"].as_str().unwrap();

    // The API starts it and never answers with the code.
    let res = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/contacts/{id}/verification"),
        &parent,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let started: Value = res.json().await.unwrap();
    assert_eq!(started["purpose"], "phone_code");
    assert!(started.get("code").is_none(), "{started}");
    // That code went nowhere (no notifier yet); a new one supersedes it.
    let code = code_for(&app, &parent, id).await;
    assert_eq!(code.expose().len(), 6);
    let listed = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.parent), &parent)
        .await;
    assert_eq!(listed[0]["pending_verification"]["attempts_left"], 5);

    // The outbox announces it without the code; nothing stores the code itself.
    {
        let mut c = app.db.db.acquire().await.unwrap();
        let events = tabel_store::outbox::pending(&mut c.conn(), 1000)
            .await
            .unwrap();
        let asked: Vec<_> = events
            .iter()
            .filter(|e| e.topic == "contact.verification_requested")
            .collect();
        assert_eq!(asked.len(), 2);
        for e in &events {
            assert!(!e.payload.contains(code.expose()), "{}", e.payload);
        }
    }
    for (action, after) in audit_actions(&app, id).await {
        assert!(
            !after.unwrap_or_default().contains(code.expose()),
            "{action}"
        );
    }

    let wrong = if code.expose() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let body = assert_problem(
        confirm(&app, &parent, id, wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"]["code"], "the code is wrong");
    // Spaces are forgiven.
    let spaced = format!("{} {}", &code.expose()[..3], &code.expose()[3..]);
    let res = confirm(&app, &parent, id, &spaced).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["verified"], true);
    assert_eq!(body["deliverable"], true);
    assert!(body["pending_verification"].is_null());
    // Used once; a confirmed contact asks for no code.
    assert_problem(
        confirm(&app, &parent, id, code.expose()).await,
        StatusCode::CONFLICT,
    )
    .await;
    let res = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/contacts/{id}/verification"),
        &parent,
        None,
    )
    .await;
    assert_problem(res, StatusCode::CONFLICT).await;

    // An expired code is refused, right or not.
    let other = added(
        &app,
        &parent,
        f.parent,
        json!({"kind": "phone", "value": "8 (495) 123-45-67"}),
    )
    .await;
    let other = other["id"].as_str().unwrap();
    let code = code_for(&app, &parent, other).await;
    // A minute before its fifteen minutes are up the code still counts (a wrong one is merely
    // wrong); two minutes later even the right one is refused.
    app.clock.advance(time::Duration::minutes(14));
    let wrong = if code.expose() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let body = assert_problem(
        confirm(&app, &parent, other, wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"]["code"], "the code is wrong");
    app.clock.advance(time::Duration::minutes(2));
    let body = assert_problem(
        confirm(&app, &parent, other, code.expose()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        body["errors"]["code"].as_str().unwrap().contains("expired"),
        "{body}"
    );

    // Five tries, then the code is dead even for the right digits.
    let code = code_for(&app, &parent, other).await;
    let wrong = if code.expose() == "000000" {
        "111111"
    } else {
        "000000"
    };
    for n in 1..=5 {
        let body = assert_problem(
            confirm(&app, &parent, other, wrong).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let message = body["errors"]["code"].as_str().unwrap().to_owned();
        if n < 5 {
            assert_eq!(message, "the code is wrong", "try {n}");
        } else {
            assert!(message.contains("too many"), "try {n}: {message}");
        }
    }
    let body = assert_problem(
        confirm(&app, &parent, other, code.expose()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        body["errors"]["code"]
            .as_str()
            .unwrap()
            .contains("too many"),
        "{body}"
    );
    // A fresh code works.
    let code = code_for(&app, &parent, other).await;
    assert_eq!(
        confirm(&app, &parent, other, code.expose()).await.status(),
        StatusCode::OK
    );

    // A contact gets at most five codes a day: that one was the fifth.
    let third = added(
        &app,
        &parent,
        f.parent,
        json!({"kind": "phone", "value": "8 (812) 000-00-00"}),
    )
    .await;
    let third = third["id"].as_str().unwrap();
    for _ in 0..5 {
        code_for(&app, &parent, third).await;
    }
    let res = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/contacts/{third}/verification"),
        &parent,
        None,
    )
    .await;
    let res_status = res.status();
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, res_status).await;
    assert_eq!(res_status, StatusCode::TOO_MANY_REQUESTS);

    let actions: Vec<String> = audit_actions(&app, other)
        .await
        .into_iter()
        .map(|a| a.0)
        .collect();
    assert!(actions.contains(&"contact.verification_failed".to_owned()));
    assert_eq!(actions.last().map(String::as_str), Some("contact.verify"));
    audit_holds(&app).await;
}

both_backends!(an_email_is_confirmed_by_opening_its_link);
async fn an_email_is_confirmed_by_opening_its_link(app: TestApp) {
    let f = &app.f;
    let parent = app.token("parent").await;
    let email = added(
        &app,
        &parent,
        f.parent,
        json!({"kind": "email", "value": "petrova@mail.ru"}),
    )
    .await;
    let id = email["id"].as_str().unwrap();
    // An e-mail address takes no typed code.
    let body = assert_problem(
        confirm(&app, &parent, id, "123456").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        body["errors"]["code"].as_str().unwrap().contains("link"),
        "{body}"
    );

    let code = code_for(&app, &parent, id).await;
    let link = code.link_path().unwrap();
    assert_eq!(code.expose().len(), 64);
    // Opened from the mail, on a device without a session.
    let anonymous = client(true);
    let res = anonymous.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(page.has("p#verify-result.ok"), "{}", page.source());
    assert_eq!(page.text("#verify-result + p strong"), "petrova@mail.ru");
    // Opening it again says the same and changes nothing.
    let res = anonymous.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let listed = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.parent), &parent)
        .await;
    assert_eq!(listed[0]["verified"], true);
    let verifies = audit_actions(&app, id)
        .await
        .into_iter()
        .filter(|a| a.0 == "contact.verify")
        .count();
    assert_eq!(verifies, 1);

    // A made-up or mangled token is simply unknown.
    for bad in [
        format!("/contacts/verify/{}", "ab".repeat(32)),
        "/contacts/verify/nonsense".to_owned(),
    ] {
        let res = anonymous.get(app.url(&bad)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
    }
    // An expired link is refused with its reason.
    let other = added(
        &app,
        &parent,
        f.parent,
        json!({"kind": "email", "value": "m.petrova@yandex.ru"}),
    )
    .await;
    let other = other["id"].as_str().unwrap();
    let code = code_for(&app, &parent, other).await;
    app.clock
        .advance(time::Duration::hours(24) + time::Duration::minutes(1));
    let res = anonymous
        .get(app.url(&code.link_path().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A superseded link is dead once a newer one is sent.
    let first = code_for(&app, &parent, other).await;
    let second = code_for(&app, &parent, other).await;
    let res = anonymous
        .get(app.url(&first.link_path().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = anonymous
        .get(app.url(&second.link_path().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    audit_holds(&app).await;
}

both_backends!(every_endpoint_enforces_the_link_between_parent_and_child);
async fn every_endpoint_enforces_the_link_between_parent_and_child(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let refusers = added(
        &app,
        &admin,
        f.refuser,
        json!({"kind": "phone", "value": "+7 922 000-11-22",
        "provenance": "written_application", "basis": "заявление № 7"}),
    )
    .await;
    let theirs = refusers["id"].as_str().unwrap();
    let parents = added(
        &app,
        &admin,
        f.parent,
        json!({"kind": "email", "value": "petrova@mail.ru",
        "provenance": "written_application", "basis": "заявление № 8"}),
    )
    .await;
    let mine = parents["id"].as_str().unwrap();

    // Another family: not visible at all.
    let parent = app.token("parent").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.refuser), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        add(
            &app,
            &parent,
            f.refuser,
            json!({"kind": "phone", "value": "+79000000000"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for (method, path, body) in [
        (
            reqwest::Method::DELETE,
            format!("/api/v1/contacts/{theirs}"),
            None,
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/contacts/{theirs}/preferred"),
            Some(json!({"preferred": true})),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/contacts/{theirs}/verification"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/contacts/{theirs}/confirm"),
            Some(json!({"code": "123456"})),
        ),
    ] {
        let res = send(&app, method.clone(), &path, &parent, body).await;
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
    let refuser = app.token("refuser").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.parent), &refuser)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // A pupil, another school's administrator, a person who is no parent: not visible.
    let student = app.token("student").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.parent), &student)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let admin2 = app.token("admin2").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.parent), &admin2)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        send(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/contacts/{mine}"),
            &admin2,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.teacher), &admin)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get("/api/v1/parents/abc/contacts", &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A teacher of the school without the child's class: known, refused.
    let english = app.token("english").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.parent), &english)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        add(
            &app,
            &english,
            f.parent,
            json!({"kind": "phone", "value": "+79000000000",
        "provenance": "written_application", "basis": "заявление"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        send(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/contacts/{mine}"),
            &english,
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The class teacher of 5А manages both families of 5А, and staff ask for codes, but only
    // the parent confirms.
    let teacher = app.token("teacher").await;
    let listed = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.refuser), &teacher)
        .await;
    assert_eq!(listed[0]["id"], theirs);
    let res = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/contacts/{theirs}/verification"),
        &teacher,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_problem(
        confirm(&app, &teacher, theirs, "123456").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/contacts/{theirs}"),
        &teacher,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Without a token: 401.
    let res = app
        .http
        .get(app.url(&format!("/api/v1/parents/{}/contacts", f.parent)))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    audit_holds(&app).await;
}

both_backends!(the_pages_add_confirm_choose_channels_and_register_from_paper);
async fn the_pages_add_confirm_choose_channels_and_register_from_paper(app: TestApp) {
    let f = &app.f;
    let b = app.browser("parent").await;
    let (status, page) = b.parsed("/account/contacts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.has("#contacts #contacts-none"), "{}", page.source());
    assert!(page.has("form#add-contact input[name=\"value\"]"));

    let res = b
        .post_form(
            "/account/contacts",
            &[
                ("kind", "phone"),
                ("network", ""),
                ("value", "8 (912) 345-67-89"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account/contacts?done=added");
    let res = b
        .post_form(
            "/account/contacts",
            &[
                ("kind", "email"),
                ("network", ""),
                ("value", "petrova@"),
                ("preferred", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(
        page.texts("p.field-error[role=\"alert\"]")
            .iter()
            .any(|e| e.contains("это не адрес электронной почты")),
        "{}",
        page.source()
    );
    assert_eq!(
        page.attr("form#add-contact input[name=\"value\"]", "value")
            .as_deref(),
        Some("petrova@"),
        "the typed value stays"
    );
    let res = b
        .post_form(
            "/account/contacts",
            &[
                ("kind", "email"),
                ("network", ""),
                ("value", "petrova@mail.ru"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let parent = app.token("parent").await;
    let listed = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.parent), &parent)
        .await;
    let phone = listed[0]["id"].as_str().unwrap().to_owned();
    let email = listed[1]["id"].as_str().unwrap().to_owned();
    let (_, page) = b.parsed("/account/contacts").await;
    let card = page.text(&format!("#contacts #contact-{phone}"));
    assert!(card.contains("+7 912 345-67-89"), "{card}");
    assert!(
        card.contains("введён родителем в личном кабинете"),
        "{card}"
    );
    assert!(card.contains("не подтверждён"), "{card}");

    // "Send a code" promises the message; the code field appears.
    let res = b
        .post_form(&format!("/account/contacts/{phone}/verification"), &[])
        .await;
    assert_eq!(
        res.headers()["location"],
        "/account/contacts?done=sent-code"
    );
    let (_, page) = b.parsed("/account/contacts?done=sent-code").await;
    assert_eq!(
        page.attr(&format!("#contact-{phone} form.confirm-code"), "action"),
        Some(format!("/account/contacts/{phone}/confirm")),
        "{}",
        page.source()
    );
    let res = b
        .post_form(
            &format!("/account/contacts/{phone}/confirm"),
            &[("code", "xx")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(
        page.texts(&format!("#contact-{phone} p.field-error"))
            .iter()
            .any(|e| e.contains("неверный код")),
        "{}",
        page.source()
    );
    let code = code_for(&app, &parent, &phone).await;
    let res = b
        .post_form(
            &format!("/account/contacts/{phone}/confirm"),
            &[("code", code.expose())],
        )
        .await;
    assert_eq!(res.headers()["location"], "/account/contacts?done=verified");

    // Preferred channels: the ticked ones.
    let res = b
        .post_form(
            "/account/contacts/preferred",
            &[("preferred", phone.as_str()), ("preferred", email.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = b
        .post_form(
            "/account/contacts/preferred",
            &[("preferred", email.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let listed = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.parent), &parent)
        .await;
    assert_eq!(
        (
            listed[0]["preferred"].as_bool(),
            listed[1]["preferred"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let res = b
        .post_form("/account/contacts/preferred", &[("preferred", "999999")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = b
        .post_form(&format!("/account/contacts/{email}/remove"), &[])
        .await;
    assert_eq!(res.headers()["location"], "/account/contacts?done=removed");

    // Staff reach the parents' contacts from the student's card.
    let teacher = app.browser("teacher").await;
    let (_, card) = teacher.parsed(&format!("/students/{}", f.ivan)).await;
    let href = format!("/students/{}/contacts", f.ivan);
    assert_eq!(
        card.attr("a#student-contacts", "href").as_ref(),
        Some(&href)
    );
    let (status, page) = teacher.parsed(&href).await;
    assert_eq!(status, StatusCode::OK);
    let mother = format!("#parent-{}", f.parent);
    assert!(
        page.text(&format!("{mother} h2"))
            .starts_with("Петрова Мария Андреевна"),
        "{}",
        page.source()
    );
    assert_eq!(
        page.texts(&format!("{mother} .contact-value")),
        ["+7 912 345-67-89"]
    );
    assert_eq!(
        page.texts(&format!("{mother} details li s")),
        ["petrova@mail.ru"],
        "the removed one is in the history"
    );
    let form = [
        ("parent_id", f.parent.to_string()),
        ("kind", "messenger".into()),
        ("network", "vk".into()),
        ("value", "https://vk.com/id777".into()),
        ("provenance", "written_application".into()),
        ("basis", "".into()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = teacher.post_form(&href, &pairs).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(
        page.texts(&format!("#parent-{} p.field-error", f.parent))
            .iter()
            .any(|e| e.contains("укажите номер и дату заявления")),
        "{}",
        page.source()
    );
    let mut pairs = pairs;
    pairs[5] = ("basis", "заявление № 21 от 27.11.2026");
    let res = teacher.post_form(&href, &pairs).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = teacher.parsed(&href).await;
    let vk = page
        .texts(&format!("#parent-{} article.contact", f.parent))
        .into_iter()
        .find(|c| c.contains("vk.com/id777"))
        .unwrap_or_else(|| panic!("{}", page.source()));
    assert!(vk.contains("заявление № 21 от 27.11.2026"), "{vk}");

    // A teacher without the class sees no link and is refused the page; the parent too.
    let english = app.browser("english").await;
    let (_, card) = english.page(&format!("/students/{}", f.ivan)).await;
    assert!(!card.contains(&href));
    assert_eq!(english.page(&href).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.page(&href).await.0, StatusCode::NOT_FOUND);
    // Someone who is no parent has no contacts page.
    assert_eq!(
        english.page("/account/contacts").await.0,
        StatusCode::NOT_FOUND
    );
    audit_holds(&app).await;
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

both_backends!(the_demo_school_has_contacts_of_mixed_provenance_and_confirmation(backend));
async fn the_demo_school_has_contacts_of_mixed_provenance_and_confirmation(backend: Backend) {
    let db = backend.db().await;
    let mut config = tabel::Config::for_tests(&db.url);
    config.demo = true;
    config.today = Some(Fixture::TODAY);
    let server = tabel::Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until(std::future::pending()));

    const BY_PROVENANCE: &str = "SELECT provenance, COUNT(*), \
         SUM(CASE WHEN verified_at IS NULL THEN 0 ELSE 1 END) \
         FROM contacts WHERE kind <> 'messenger' GROUP BY provenance ORDER BY provenance";
    let rows: Vec<(String, i64, i64)> = match &db.db {
        Db::Sqlite(pool) => sqlx::query_as(BY_PROVENANCE).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(BY_PROVENANCE).fetch_all(pool).await,
    }
    .unwrap();
    let get = |p: &str| rows.iter().find(|r| r.0 == p).map(|r| (r.1, r.2)).unwrap();
    let (written, written_ok) = get("written_application");
    let (electronic, _) = get("electronic_document");
    let (cabinet, _) = get("cabinet");
    assert!(
        written > electronic && electronic > 0 && cabinet > 0,
        "{rows:?}"
    );
    assert!(
        written_ok * 10 > written * 6 && written_ok < written,
        "{rows:?}"
    );
    const WITHOUT: &str = "SELECT COUNT(DISTINCT g.parent_id) FROM guardianships g \
         WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.parent_id = g.parent_id AND c.removed_at IS NULL)";
    let (without,): (i64,) = match &db.db {
        Db::Sqlite(pool) => sqlx::query_as(WITHOUT).fetch_one(pool).await,
        Db::Postgres(pool) => sqlx::query_as(WITHOUT).fetch_one(pool).await,
    }
    .unwrap();
    assert!(without > 0, "a few parents get paper only");

    // The demo parent's page shows the mix.
    let b = crate::support::Browser {
        http: client(true),
        base: base.clone(),
    };
    let res = b
        .post_form(
            "/login",
            &[("login", "parent"), ("password", "demo"), ("next", "/")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, page) = b.parsed("/account/contacts").await;
    assert_eq!(status, StatusCode::OK);
    let page = page.text("#contacts");
    for text in [
        "+7 912 345-67-89",
        "письменное заявление",
        "введён родителем в личном кабинете",
        "не подтверждён",
        "Прислать ссылку для подтверждения",
        "Telegram",
    ] {
        assert!(page.contains(text), "{text:?} in {page}");
    }
}

/// The page's content fits a phone's width: nothing to scroll sideways. (`whole` includes the
/// shared navigation bar, which is wider for staff.)
async fn fits_the_phone(d: &crate::browser::Driver, what: &str, whole: bool) {
    let js = if whole {
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    } else {
        "const m = document.querySelector('main'); return [m.scrollWidth, m.clientWidth]"
    };
    let v = d.script(js).await;
    let (scroll, width) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
    assert!(
        scroll <= width,
        "{what}: {scroll} px wide in a {width} px window"
    );
}

/// A whole-page screenshot at the phone's width, into `<target>/screenshots/contacts-*.png`.
async fn phone_shot(d: &crate::browser::Driver, name: &str) {
    let height = d
        .script("return document.documentElement.scrollHeight")
        .await
        .as_u64()
        .unwrap_or(740);
    d.window(
        360,
        u32::try_from(height + 120).unwrap_or(740).clamp(740, 6000),
    )
    .await;
    let tmp = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp
        .parent()
        .map_or(tmp.clone(), std::path::PathBuf::from)
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("contacts-{name}.png"));
    d.screenshot(&path).await;
    eprintln!("screenshot: {}", path.display());
    d.window(360, 740).await;
}

both_backends!(a_parent_on_a_phone_adds_a_contact_and_a_class_teacher_registers_one);
async fn a_parent_on_a_phone_adds_a_contact_and_a_class_teacher_registers_one(app: TestApp) {
    let admin = app.token("admin").await;
    added(&app, &admin, app.f.parent, json!({"kind": "email", "value": "maria.petrova.school.notifications@example-mail.ru",
        "provenance": "written_application", "basis": "заявление № 12 от 01.09.2026 (получено классным руководителем)"})).await;
    let Some(d) = crate::browser::Driver::start().await else {
        return;
    };
    d.window(360, 740).await;
    d.go(&app.url("/account/contacts")).await;
    d.type_into("#login", "parent").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click("#submit").await;
    d.find("#add-contact").await;
    d.click("#add-contact select[name=kind] option[value=messenger]")
        .await;
    d.click("#add-contact select[name=network] option[value=telegram]")
        .await;
    d.type_into("#add-contact input[name=value]", "t.me/Petrova_Maria")
        .await;
    d.click("#add-contact-button").await;
    assert!(d.text("#contact-notice").await.contains("Контакт добавлен"));
    assert!(d.text("#contacts").await.contains("@petrova_maria"));
    phone_shot(&d, "parent").await;
    fits_the_phone(&d, "the parent's contacts", true).await;

    // The class teacher, from the pupil's card.
    d.click("#logout").await;
    d.wait_url("/login").await;
    d.go(&app.url(&format!("/students/{}", app.f.ivan))).await;
    d.type_into("#login", "teacher").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click("#submit").await;
    d.click("#student-contacts").await;
    d.find(&format!("#parent-{}", app.f.parent)).await;
    phone_shot(&d, "staff").await;
    fits_the_phone(&d, "the parents' contacts", false).await;
    d.quit().await;
}
