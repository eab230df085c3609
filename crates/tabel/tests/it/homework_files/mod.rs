//! Files of a lesson's homework: upload, list, download and delete through the JSON API and the
//! lesson page; size limits that follow the configuration; permissions as for the lesson record;
//! grade 1, cancelled lessons and closed periods; audit and outbox.

mod limits;
mod pages;
mod rules;

use crate::support::{Backend, TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::Value;

/// A small PDF-looking file with a Cyrillic comment and every byte value.
pub(crate) fn pdf() -> Vec<u8> {
    let mut b = "%PDF-1.4\n% Задание\n".as_bytes().to_vec();
    for _ in 0..4 {
        b.extend(0u8..=255);
    }
    b.extend_from_slice(b"%%EOF\n");
    b
}

/// SHA-256 of [`pdf`] (computed independently).
pub(crate) const PDF_SHA256: &str =
    "55e0a855500a89f445c537b2ee2cce545dc5b42e64ad941244a81d227d461afb";

/// A `multipart/form-data` body as a browser sends it: a file field (name, type, bytes) and
/// plain fields.
pub(crate) fn multipart(
    file: Option<(&str, &str, &[u8])>,
    fields: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let boundary = "----tabel-test-boundary-hw9Q2xL0";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, kind, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: {kind}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `POST /api/v1/lessons/{lesson}/files` with a file (and a `reason` when given).
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    lesson: &str,
    (name, kind, bytes): (&str, &str, &[u8]),
    reason: Option<&str>,
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = reason.map(|r| ("reason", r)).into_iter().collect();
    let (content_type, body) = multipart(Some((name, kind, bytes)), &fields);
    app.http
        .post(app.url(&format!("/api/v1/lessons/{lesson}/files")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn delete(
    app: &TestApp,
    token: &str,
    file: &str,
    reason: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .http
        .delete(app.url(&format!("/api/v1/files/{file}")))
        .bearer_auth(token);
    if let Some(r) = reason {
        req = req.query(&[("reason", r)]);
    }
    req.send().await.unwrap()
}

async fn files_of(app: &TestApp, token: &str, lesson: &str) -> Vec<Value> {
    app.get_json(&format!("/api/v1/lessons/{lesson}/files"), token)
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// The timetable of the journal tests; 5А's mathematics lessons of the week of 23.11.2026
/// (Monday, Wednesday, Friday). Returns the deputy's token and the lessons.
pub(crate) async fn week(app: &TestApp) -> (String, Vec<Value>) {
    let deputy = crate::journal::timetable(app).await;
    let all = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-23&to=2026-11-27",
                app.f.class_5a
            ),
            &deputy,
        )
        .await;
    let lessons = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| {
            l["subject_id"] == app.f.math.to_string() && l["group_id"] == app.f.class_5a.to_string()
        })
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(lessons.len(), 3, "{lessons:?}");
    (deputy, lessons)
}

pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The application with the fixture school and a homework file limit of `max_bytes`.
async fn app_with_limit(backend: Backend, max_bytes: usize) -> TestApp {
    TestApp::with(backend, |c| c.homework_file_max_bytes = max_bytes).await
}

async fn audit_actions(app: &TestApp, file: &str) -> Vec<String> {
    let mut c = app.db.db.acquire().await.unwrap();
    let mut actions: Vec<String> =
        tabel_store::audit::history_of(&mut c.conn(), "homework_file", file, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.action)
            .collect();
    actions.reverse();
    actions
}

async fn assert_audit_chain_holds(app: &TestApp) {
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

/// Upload, list, download with the bytes compared, delete: the part every backend must pass.
async fn round_trip(app: &TestApp) {
    let (deputy, lessons) = week(app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    assert!(files_of(app, &teacher, &monday).await.is_empty());

    let bytes = pdf();
    let res = upload(
        app,
        &teacher,
        &monday,
        ("Задание №5.pdf", "application/pdf", &bytes),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let meta: Value = res.json().await.unwrap();
    assert_eq!(meta["file_name"], "Задание №5.pdf");
    assert_eq!(meta["content_type"], "application/pdf");
    assert_eq!(meta["size_bytes"], bytes.len());
    assert_eq!(meta["sha256"], PDF_SHA256);
    assert_eq!(meta["lesson_id"], monday.as_str());
    assert_eq!(
        meta["uploaded_by_user_id"],
        app.f.user("teacher").to_string()
    );
    let file = id(&meta);
    assert_eq!(meta["href"], format!("/api/v1/files/{file}"));

    // The journal's readers list it: its teacher and the deputy head.
    for token in [&teacher, &deputy] {
        let files = files_of(app, token, &monday).await;
        assert_eq!(files.len(), 1);
        assert_eq!(files[0]["id"], file.as_str());
        assert!(files[0].get("content").is_none());
    }
    let res = app.get(&format!("/api/v1/files/{file}"), &deputy).await;
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"_______ _5.pdf\"; \
         filename*=UTF-8''%D0%97%D0%B0%D0%B4%D0%B0%D0%BD%D0%B8%D0%B5%20%E2%84%965.pdf"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("content-security-policy"), "sandbox");
    assert!(header("cache-control").starts_with("private"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);

    // The event and the audit record are there, without the bytes.
    let events = {
        let mut c = app.db.db.acquire().await.unwrap();
        tabel_store::outbox::pending(&mut c.conn(), 1000)
            .await
            .unwrap()
    };
    let attached = events
        .iter()
        .find(|e| e.topic == "homework.file_attached")
        .expect("homework.file_attached event");
    let payload: Value = serde_json::from_str(&attached.payload).unwrap();
    assert_eq!(payload["id"], file.as_str());
    assert_eq!(payload["sha256"], PDF_SHA256);

    let res = delete(app, &teacher, &file, None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(files_of(app, &teacher, &monday).await.is_empty());
    assert_problem(
        app.get(&format!("/api/v1/files/{file}"), &teacher).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        delete(app, &teacher, &file, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        audit_actions(app, &file).await,
        ["homework_file.attach", "homework_file.delete"]
    );
    assert_audit_chain_holds(app).await;
}

both_backends!(a_teacher_attaches_a_file_that_readers_download_byte_for_byte);
async fn a_teacher_attaches_a_file_that_readers_download_byte_for_byte(app: TestApp) {
    round_trip(&app).await;
}

both_backends!(unknown_types_are_served_as_bytes_and_names_are_made_safe);
async fn unknown_types_are_served_as_bytes_and_names_are_made_safe(app: TestApp) {
    let (_, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    let page = b"<html><script>alert(1)</script></html>";
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("../../секрет\u{202e}lmth.txt", "text/html", page),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let meta: Value = res.json().await.unwrap();
    assert_eq!(meta["file_name"], "секретlmth.txt");
    assert_eq!(meta["content_type"], "application/octet-stream");
    let res = app
        .get(&format!("/api/v1/files/{}", id(&meta)), &teacher)
        .await;
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/octet-stream"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_file_endpoints() {
    let app = TestApp::sqlite().await;
    let res = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc: Value = res.json().await.unwrap();
    let paths = &doc["paths"];
    let upload = &paths["/api/v1/lessons/{id}/files"]["post"];
    assert!(
        upload["requestBody"]["content"]["multipart/form-data"].is_object(),
        "{upload}"
    );
    assert!(upload["responses"]["413"].is_object(), "{upload}");
    assert!(paths["/api/v1/lessons/{id}/files"]["get"].is_object());
    assert!(paths["/api/v1/files/{id}"]["get"].is_object());
    assert!(paths["/api/v1/files/{id}"]["delete"].is_object());
}
