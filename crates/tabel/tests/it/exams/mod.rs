//! Exam results (регламент, п. 6): importing CSV and XLSX with the time of receipt, refused
//! files naming row and column with nothing stored, publishing, the dashboard of overdue
//! publications with who has not been informed, the family's view, permissions, the pages, the
//! command line and the demo's batch.

mod dashboard;
mod importing;
mod pages;

use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// ВПР in mathematics of the fixture's three pupils: Иван (5А, the `student`, child of the
/// `parent`), Анна (5Б, the `parent`'s other child, no account) and Олег (5А, child of the
/// `refuser`, no account).
const VPR: &str = "\u{FEFF}Результаты ВПР;;;;;\r\n\
    ФИО;Класс;Предмет;Дата;Первичный балл;Отметка\r\n\
    Петров Иван Сергеевич;5А;Математика;20.11.2026;17;5\r\n\
    Петрова Анна;5 б;математика;2026-11-20;8,0;3\r\n\
    Сидоров Олег;5А;Математика;20.11.2026;3;2\r\n";

/// Received two days before the fixture's "today" (2026-11-28): whatever the time of day, more
/// than a day has passed.
const LONG_AGO: &str = "2026-11-26T09:00:00Z";

async fn import(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/api/v1/exam-results?{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn created(res: reqwest::Response) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn publish(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/exam-results/publication"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn batches(app: &TestApp, token: &str) -> Vec<Value> {
    app.get_json("/api/v1/exam-results/batches", token)
        .await
        .as_array()
        .unwrap()
        .clone()
}

both_backends!(only_administrators_and_deputies_import_publish_and_see_the_dashboard);
async fn only_administrators_and_deputies_import_publish_and_see_the_dashboard(app: TestApp) {
    let admin = app.token("admin").await;
    let summary = created(
        import(
            &app,
            &admin,
            &format!("exam=vpr&received_at={LONG_AGO}"),
            "text/csv",
            VPR,
        )
        .await,
    )
    .await;
    let batch_id = summary["batch"]["id"].as_str().unwrap().to_owned();
    for login in ["teacher", "parent", "student", "refuser"] {
        let token = app.token(login).await;
        let res = import(&app, &token, "exam=oge", "text/csv", VPR).await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
        assert_problem(
            app.get("/api/v1/exam-results/overdue", &token).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            app.get("/api/v1/exam-results/batches", &token).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let res = publish(&app, &token, json!({"batch_id": batch_id})).await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
    }
    // Another school's administrator does not learn of this school's results.
    let other = app.token("admin2").await;
    let res = publish(&app, &other, json!({"batch_id": batch_id})).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = app
        .get(
            &format!("/api/v1/exam-results/overdue?school_id={}", app.f.school),
            &other,
        )
        .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_eq!(
        app.get_json("/api/v1/exam-results/overdue", &other).await["results"],
        json!([])
    );
    let res = app
        .get(&format!("/api/v1/students/{}/exams", app.f.ivan), &other)
        .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    // A parent without the diary consent is told why; another family's child is not theirs.
    let refuser = app.token("refuser").await;
    let problem = assert_problem(
        app.get(&format!("/api/v1/students/{}/exams", app.f.oleg), &refuser)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
    let parent = app.token("parent").await;
    assert_problem(
        app.get(&format!("/api/v1/students/{}/exams", app.f.oleg), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Unknown results refuse the whole publication.
    let res = publish(&app, &admin, json!({"ids": ["999999"]})).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = publish(&app, &admin, json!({})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // The deputy head publishes; nothing is overdue after.
    let deputy = app.token("zavuch").await;
    let res = publish(&app, &deputy, json!({"batch_id": batch_id})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let overdue = app.get_json("/api/v1/exam-results/overdue", &deputy).await;
    assert!(
        overdue["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["state"] == "published_late")
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_exam_endpoints() {
    let app = TestApp::sqlite().await;
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, method) in [
        ("/api/v1/exam-results", "post"),
        ("/api/v1/exam-results/publication", "post"),
        ("/api/v1/exam-results/batches", "get"),
        ("/api/v1/exam-results/overdue", "get"),
        ("/api/v1/students/{id}/exams", "get"),
    ] {
        let op = &doc["paths"][path][method];
        assert_eq!(op["tags"], json!(["exams"]), "{path}");
        assert!(
            op["description"].is_string() || op["summary"].is_string(),
            "{path}"
        );
    }
}
