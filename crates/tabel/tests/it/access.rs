use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(a_parent_gets_403_on_the_list_of_users);
async fn a_parent_gets_403_on_the_list_of_users(app: TestApp) {
    let token = app.token("parent").await;
    assert_problem(
        app.get("/api/v1/users", &token).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"login": "intruder", "display_name": "x", "password": "password1"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN).await;
}

both_backends!(a_parent_sees_their_children_and_nothing_of_others);
async fn a_parent_sees_their_children_and_nothing_of_others(app: TestApp) {
    let f = &app.f;
    let token = app.token("parent").await;
    let ivan = app
        .get_json(&format!("/api/v1/students/{}", f.ivan), &token)
        .await;
    assert_eq!(ivan["last_name"], "Петров");
    let groups: Vec<&str> = ivan["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["5А", "5А англ. 1"]);
    // Oleg is in Ivan's class but not her child; the other school's pupil is elsewhere.
    assert_problem(
        app.get(&format!("/api/v1/students/{}", f.oleg), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/students/{}", f.other_pupil), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/classes/{}", f.other_class), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Her children's classes are visible, but not their rosters (other children's data).
    assert_eq!(
        app.get(&format!("/api/v1/classes/{}", f.class_5a), &token)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.get(&format!("/api/v1/classes/{}/students", f.class_5a), &token)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let classes: Value = app.get_json("/api/v1/classes", &token).await;
    let names: Vec<&str> = classes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["5А", "5Б"]);
    assert_problem(
        app.get("/api/v1/staff", &token).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

both_backends!(a_parent_without_consent_sees_no_child);
async fn a_parent_without_consent_sees_no_child(app: TestApp) {
    let token = app.token("refuser").await;
    // Her own child: refused with the reason, not hidden (she knows the child exists).
    let problem = assert_problem(
        app.get(&format!("/api/v1/students/{}", app.f.oleg), &token)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
    assert!(problem["detail"].as_str().unwrap().contains("consent"));
    // Someone else's child stays hidden.
    assert_problem(
        app.get(&format!("/api/v1/students/{}", app.f.ivan), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/classes/{}", app.f.class_5a), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let me = app.get_json("/api/v1/me", &token).await;
    assert_eq!(me["children"][0]["visible"], false);
    assert_eq!(me["children"][0]["name"], Value::Null);
    assert_eq!(
        me["children"][0]["consent"]["electronic_delivery"],
        "refused"
    );
    let (status, home) = app.browser("refuser").await.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.texts("#children article p.muted")
            .iter()
            .any(|p| p.contains("выписки на бумаге")),
        "{}",
        home.source()
    );
}

both_backends!(a_student_sees_themselves_but_not_classmates);
async fn a_student_sees_themselves_but_not_classmates(app: TestApp) {
    let token = app.token("student").await;
    assert_eq!(
        app.get(&format!("/api/v1/students/{}", app.f.ivan), &token)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.get(&format!("/api/v1/students/{}", app.f.oleg), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(
            &format!("/api/v1/classes/{}/students", app.f.class_5a),
            &token,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

both_backends!(a_teacher_reads_the_school_but_cannot_reach_admin_pages);
async fn a_teacher_reads_the_school_but_cannot_reach_admin_pages(app: TestApp) {
    let token = app.token("teacher").await;
    let roster: Value = app
        .get_json(
            &format!("/api/v1/classes/{}/students", app.f.class_5b),
            &token,
        )
        .await;
    assert_eq!(roster.as_array().unwrap().len(), 1);
    let staff: Value = app.get_json("/api/v1/staff", &token).await;
    assert_eq!(staff.as_array().unwrap().len(), 4);
    assert_problem(
        app.get("/api/v1/users", &token).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let b = app.browser("teacher").await;
    for path in [
        "/admin".to_owned(),
        format!("/admin/{}/users", app.f.school),
        format!("/admin/{}/links", app.f.school),
    ] {
        assert_eq!(b.page(&path).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    let res = b
        .post_form(
            &format!(
                "/admin/{}/users/{}/lock",
                app.f.school,
                app.f.user("parent")
            ),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (status, page) = b
        .parsed(&format!("/school/classes/{}", app.f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.texts("#roster tbody td:nth-child(2) > a:first-child")
            .contains(&"Сидоров Олег Павлович".to_owned()),
        "{}",
        page.source()
    );
}

both_backends!(another_schools_administrator_sees_nothing_of_this_school);
async fn another_schools_administrator_sees_nothing_of_this_school(app: TestApp) {
    let token = app.token("admin2").await;
    assert_problem(
        app.get(&format!("/api/v1/classes/{}", app.f.class_5a), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/users?school_id={}", app.f.school), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/students/{}", app.f.ivan), &token)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let b = app.browser("admin2").await;
    assert_eq!(
        b.page(&format!("/admin/{}/users", app.f.school)).await.0,
        StatusCode::NOT_FOUND
    );
    let res = b
        .post_form(
            &format!(
                "/admin/{}/users/{}/lock",
                app.f.school,
                app.f.user("teacher")
            ),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

both_backends!(an_administrator_creates_an_account_and_links_a_parent);
async fn an_administrator_creates_an_account_and_links_a_parent(app: TestApp) {
    let token = app.token("admin").await;
    let res = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"login": "Deputy.Head", "display_name": "Завуч Н. Н.", "password": "long enough", "roles": ["deputy"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert!(created["id"].is_string());
    assert_eq!(
        app.login_api("deputy.head", "long enough").await.status(),
        StatusCode::OK
    );
    let dup = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"login": "deputy.head", "display_name": "x", "password": "long enough"}))
        .send()
        .await
        .unwrap();
    let body = assert_problem(dup, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(body["errors"]["login"].is_string());

    // The refuser becomes a legal representative of Anna too (through the form).
    let b = app.browser("admin").await;
    let res = b
        .post_form(
            &format!("/admin/{}/links", app.f.school),
            &[
                ("parent_id", &app.f.refuser.to_string()),
                ("student_id", &app.f.anna.to_string()),
                ("relation", "guardian"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let me = app
        .get_json("/api/v1/me", &app.token("refuser").await)
        .await;
    assert_eq!(me["children"].as_array().unwrap().len(), 2);
    let (status, page) = b
        .parsed(&format!("/admin/{}/users?q=deputy", app.f.school))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.texts("#users tbody td:nth-child(2)")
            .contains(&"Завуч Н. Н.".to_owned()),
        "{}",
        page.source()
    );
}

both_backends!(the_api_logs_in_reads_writes_refuses_and_audits_end_to_end);
/// Log in, read, write, refuse and audit: the whole path once (it was the first test that ran on
/// PostgreSQL too).
async fn the_api_logs_in_reads_writes_refuses_and_audits_end_to_end(app: TestApp) {
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
