//! Adding contacts: staff register them from documents, parents add their own, bad values and
//! duplicates are refused; the demo school's mix.

use super::{add, added, audit_actions, audit_holds, send};
use crate::support::{Backend, TestApp, assert_problem, both_backends, client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_store::Db;
use tabel_store::test_support::Fixture;

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
        Db::Sqlite(pool, _) => sqlx::query_as(BY_PROVENANCE).fetch_all(pool).await,
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
        Db::Sqlite(pool, _) => sqlx::query_as(WITHOUT).fetch_one(pool).await,
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
