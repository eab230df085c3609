use crate::support::{Page, TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(a_malformed_json_body_is_400_problem);
async fn a_malformed_json_body_is_400_problem(app: TestApp) {
    let res = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"login\": \"admin\", ")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    let token = app.token("admin").await;
    let res = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("not json at all")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}

both_backends!(a_body_of_the_wrong_shape_or_type_is_refused_with_a_problem);
async fn a_body_of_the_wrong_shape_or_type_is_refused_with_a_problem(app: TestApp) {
    let res = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": 5}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .body("login=admin")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

both_backends!(over_long_fields_are_422_with_the_field_named_and_nothing_is_written);
async fn over_long_fields_are_422_with_the_field_named_and_nothing_is_written(app: TestApp) {
    let token = app.token("admin").await;
    let long = "a".repeat(100);
    let res = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"login": long, "display_name": "Я".repeat(300), "password": "x"}))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    for field in ["login", "display_name", "password"] {
        assert!(body["errors"][field].is_string(), "{field}: {body}");
    }
    let users = app.get_json("/api/v1/users", &token).await;
    assert_eq!(users.as_array().unwrap().len(), 7, "nothing half-written");
    let res = app.login_api(&"x".repeat(10_000), "y").await;
    assert!(res.status().is_client_error());
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

both_backends!(a_wrong_date_is_422_naming_the_parameter);
async fn a_wrong_date_is_422_naming_the_parameter(app: TestApp) {
    let token = app.token("teacher").await;
    for bad in [
        "2026-13-01",
        "28.11.2026",
        "yesterday",
        "2026-02-30",
        "9999-12-31",
        "-9999-01-01",
    ] {
        let res = app
            .get(&format!("/api/v1/classes?date={bad}"), &token)
            .await;
        let body = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(body["errors"]["date"].is_string(), "{bad}");
    }
    let on_a_date = app
        .get_json("/api/v1/classes?date=2026-09-01", &token)
        .await;
    assert_eq!(on_a_date.as_array().unwrap().len(), 2);
    let res = app.get("/api/v1/classes?kind=classroom", &token).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

both_backends!(dates_at_the_ends_of_the_calendar_are_refused_not_a_panic);
async fn dates_at_the_ends_of_the_calendar_are_refused_not_a_panic(app: TestApp) {
    let (f, teacher, parent) = (
        &app.f,
        app.token("teacher").await,
        app.token("parent").await,
    );
    // Each of these once added days to 9999-12-31 (or took a week after 9999-W52) and panicked.
    for (path, token) in [
        (
            format!("/api/v1/lessons?class={}&from=9999-12-31", f.class_5a),
            &teacher,
        ),
        (
            format!("/api/v1/students/{}/diary?week=9999-W52", f.ivan),
            &parent,
        ),
        (
            format!("/api/v1/students/{}/homework?from=9999-12-31", f.ivan),
            &parent,
        ),
    ] {
        let res = app.get(&path, token).await;
        assert!(res.status().is_client_error(), "{path}: {}", res.status());
    }
}

both_backends!(unknown_or_malformed_ids_are_404_not_500);
async fn unknown_or_malformed_ids_are_404_not_500(app: TestApp) {
    let token = app.token("admin").await;
    for path in [
        "/api/v1/classes/999999",
        "/api/v1/classes/abc",
        "/api/v1/classes/-1/students",
        "/api/v1/students/0",
        "/api/v1/nothing-here",
    ] {
        assert_problem(app.get(path, &token).await, StatusCode::NOT_FOUND).await;
    }
    let b = app.browser("admin").await;
    assert_eq!(
        b.page("/school/classes/99999999999999999999").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(b.page("/no/such/page").await.0, StatusCode::NOT_FOUND);
}

both_backends!(an_invalid_account_form_is_shown_again_with_the_errors);
async fn an_invalid_account_form_is_shown_again_with_the_errors(app: TestApp) {
    let b = app.browser("admin").await;
    let res = b
        .post_form(
            &format!("/admin/{}/users", app.f.school),
            &[
                ("login", "ab"),
                ("display_name", "Новый Учитель"),
                ("password", "short"),
                ("role_teacher", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert_eq!(
        page.attr("input#new-name", "value").as_deref(),
        Some("Новый Учитель"),
        "the form keeps what was typed"
    );
    let errors = page.texts("p.field-error[role=\"alert\"]");
    assert!(
        errors.iter().any(|e| e.starts_with("login:"))
            && errors.iter().any(|e| e.starts_with("password:")),
        "{errors:?}"
    );
}

both_backends!(an_oversized_body_is_refused_with_413);
async fn an_oversized_body_is_refused_with_413(app: TestApp) {
    let token = app.token("admin").await;
    let huge = format!("{{\"login\": \"{}\"}}", "x".repeat(200_000));
    let res = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
}

both_backends!(a_cookie_carrying_api_post_from_another_site_is_refused);
async fn a_cookie_carrying_api_post_from_another_site_is_refused(app: TestApp) {
    let b = app.browser("parent").await;
    let res = b
        .http
        .post(app.url("/api/v1/auth/logout"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(b.page("/").await.0, StatusCode::OK, "still logged in");
}
