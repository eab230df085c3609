//! The same server on PostgreSQL: log in, read, write, audit.

use crate::support::{TestApp, assert_problem};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_api_works_end_to_end_on_postgres() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    assert_problem(
        app.login_api("admin", "wrong").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let token = app.token("admin").await;
    let me = app.get_json("/api/v1/me", &token).await;
    assert_eq!(me["roles"][0]["role"], "admin");
    let classes = app.get_json("/api/v1/classes?kind=all", &token).await;
    assert_eq!(classes.as_array().unwrap().len(), 3);
    let roster = app
        .get_json(
            &format!("/api/v1/classes/{}/students", app.f.class_5a),
            &token,
        )
        .await;
    assert_eq!(roster[0]["last_name"], "Петров");
    let res = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"login": "pg.user", "display_name": "PG", "password": "long enough", "roles": ["teacher"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let parent = app.token("parent").await;
    assert_problem(
        app.get("/api/v1/users", &parent).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/students/{}", app.f.oleg), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let b = app.browser("admin").await;
    assert_eq!(
        b.page(&format!("/school/{}", app.f.school)).await.0,
        StatusCode::OK
    );
    let app_layer = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default());
    let report = app_layer.verify_audit().await.unwrap();
    assert!(
        report.breaks.is_empty() && report.records >= 1,
        "{report:?}"
    );
}
