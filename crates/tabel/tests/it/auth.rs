use crate::support::{PASSWORD, TestApp, assert_problem, both_backends, client};
use reqwest::StatusCode;
use serde_json::Value;

both_backends!(a_wrong_password_gets_401_and_an_unknown_login_the_same);
async fn a_wrong_password_gets_401_and_an_unknown_login_the_same(app: TestApp) {
    let wrong = assert_problem(
        app.login_api("parent", "not the password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = assert_problem(
        app.login_api("nobody", "not the password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        wrong["detail"], unknown["detail"],
        "no hint which logins exist"
    );
}

both_backends!(a_token_reaches_me_with_roles_scopes_and_children);
async fn a_token_reaches_me_with_roles_scopes_and_children(app: TestApp) {
    let token = app.token("parent").await;
    let me = app.get_json("/api/v1/me", &token).await;
    assert_eq!(me["login"], "parent");
    assert_eq!(
        me["roles"],
        serde_json::json!([{"role": "parent", "school_id": app.f.school.to_string()}])
    );
    let children = me["children"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    assert!(
        children
            .iter()
            .all(|c| c["visible"] == true && c["consent"]["diary"] == "given")
    );
    let teacher = app
        .get_json("/api/v1/me", &app.token("teacher").await)
        .await;
    let roles: Vec<&str> = teacher["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["teacher", "class_teacher"]);
}

both_backends!(repeated_failures_lock_the_account_even_for_the_right_password);
async fn repeated_failures_lock_the_account_even_for_the_right_password(app: TestApp) {
    for _ in 0..4 {
        assert_eq!(
            app.login_api("teacher", "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let fifth = app.login_api("teacher", "guess").await;
    assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(fifth.headers().get("retry-after").is_some());
    let right = app.login_api("teacher", PASSWORD).await;
    assert_problem(right, StatusCode::TOO_MANY_REQUESTS).await;
    // Other accounts are not affected.
    assert_eq!(
        app.login_api("parent", PASSWORD).await.status(),
        StatusCode::OK
    );
}

both_backends!(a_lockout_ends_after_its_fifteen_minutes);
async fn a_lockout_ends_after_its_fifteen_minutes(app: TestApp) {
    for _ in 0..5 {
        app.login_api("teacher", "guess").await;
    }
    app.clock.advance(time::Duration::minutes(14));
    assert_problem(
        app.login_api("teacher", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    app.clock.advance(time::Duration::minutes(2));
    assert_eq!(
        app.login_api("teacher", PASSWORD).await.status(),
        StatusCode::OK
    );
}

both_backends!(an_api_token_expires_after_thirty_days_without_use);
async fn an_api_token_expires_after_thirty_days_without_use(app: TestApp) {
    let idle = app.token("student").await;
    let used = app.token("parent").await;
    assert_eq!(app.get("/api/v1/me", &idle).await.status(), StatusCode::OK);
    app.clock.advance(time::Duration::days(29));
    // Using a token moves its end thirty days on.
    assert_eq!(app.get("/api/v1/me", &used).await.status(), StatusCode::OK);
    app.clock.advance(time::Duration::days(2));
    assert_problem(app.get("/api/v1/me", &idle).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.get("/api/v1/me", &used).await.status(), StatusCode::OK);
}

both_backends!(no_token_or_a_made_up_one_gets_401);
async fn no_token_or_a_made_up_one_gets_401(app: TestApp) {
    let res = app.http.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    assert_problem(
        app.get("/api/v1/me", "0123456789abcdef").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

both_backends!(logout_revokes_the_token);
async fn logout_revokes_the_token(app: TestApp) {
    let token = app.token("student").await;
    assert_eq!(app.get("/api/v1/me", &token).await.status(), StatusCode::OK);
    let res = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get("/api/v1/me", &token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

both_backends!(the_login_form_sets_an_httponly_lax_cookie_and_logout_ends_it);
async fn the_login_form_sets_an_httponly_lax_cookie_and_logout_ends_it(app: TestApp) {
    let raw = client(false)
        .post(app.url("/login"))
        .header("Origin", &app.base)
        .form(&[
            ("login", "parent"),
            ("password", PASSWORD),
            ("next", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::SEE_OTHER);
    assert_eq!(raw.headers()["location"], "/account");
    let cookie = raw.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("tabel_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );

    let b = app.browser("parent").await;
    let (status, home) = b.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    let children = home.texts("#children article header");
    assert!(
        children
            .iter()
            .any(|c| c.starts_with("Петров Иван Сергеевич"))
            && children
                .iter()
                .any(|c| c.starts_with("Петрова Анна Сергеевна")),
        "{children:?}"
    );
    let res = b.post_form("/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = b.get("/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}

both_backends!(a_wrong_password_on_the_form_says_so_with_401);
async fn a_wrong_password_on_the_form_says_so_with_401(app: TestApp) {
    let b = crate::support::Browser {
        http: client(true),
        base: app.base.clone(),
    };
    let res = b
        .post_form(
            "/login",
            &[("login", "parent"), ("password", "nope"), ("next", "/")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Неверный логин или пароль")
    );
}

both_backends!(a_cross_site_form_post_is_refused);
async fn a_cross_site_form_post_is_refused(app: TestApp) {
    let b = app.browser("admin").await;
    let res = b
        .http
        .post(app.url(&format!(
            "/admin/{}/users/{}/lock",
            app.f.school,
            app.f.user("teacher")
        )))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The teacher can still log in: nothing happened.
    assert_eq!(
        app.login_api("teacher", PASSWORD).await.status(),
        StatusCode::OK
    );
}

both_backends!(changing_the_password_ends_other_sessions_but_not_this_one);
async fn changing_the_password_ends_other_sessions_but_not_this_one(app: TestApp) {
    let other_device = app.token("teacher").await;
    let b = app.browser("teacher").await;
    let res = b
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a new secret"),
                ("repeat_password", "a new secret"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.page("/account").await.0, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", &other_device).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_api("teacher", "a new secret").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login_api("teacher", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

both_backends!(logging_out_everywhere_else_keeps_only_this_device);
async fn logging_out_everywhere_else_keeps_only_this_device(app: TestApp) {
    let phone = app.token("parent").await;
    let b = app.browser("parent").await;
    assert_eq!(
        b.post_form("/account/logout-elsewhere", &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/api/v1/me", &phone).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, page) = b.parsed("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.texts("main table tbody tr td span.badge.ok"),
        ["это устройство"],
        "only this device is left, and it is marked"
    );
    assert_eq!(page.count("main table tbody tr"), 1, "{}", page.source());
}

both_backends!(an_administrator_locks_and_unlocks_an_account);
async fn an_administrator_locks_and_unlocks_an_account(app: TestApp) {
    let teacher_token = app.token("teacher").await;
    let admin = app.browser("admin").await;
    let lock = format!(
        "/admin/{}/users/{}/lock",
        app.f.school,
        app.f.user("teacher")
    );
    assert_eq!(
        admin.post_form(&lock, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/api/v1/me", &teacher_token).await.status(),
        StatusCode::UNAUTHORIZED,
        "sessions end"
    );
    assert_problem(
        app.login_api("teacher", PASSWORD).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let unlock = format!(
        "/admin/{}/users/{}/unlock",
        app.f.school,
        app.f.user("teacher")
    );
    assert_eq!(
        admin.post_form(&unlock, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.login_api("teacher", PASSWORD).await.status(),
        StatusCode::OK
    );
    let users: Value = app
        .get_json("/api/v1/users", &app.token("admin").await)
        .await;
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["disabled"] == false)
    );
}

both_backends!(a_next_with_a_line_break_goes_home_and_only_a_login_that_succeeds_sets_a_session);
async fn a_next_with_a_line_break_goes_home_and_only_a_login_that_succeeds_sets_a_session(
    app: TestApp,
) {
    let b = crate::support::Browser {
        http: client(true),
        base: app.base.clone(),
    };
    for next in [
        "/diary\r\nSet-Cookie: evil=1",
        "/diary\nx",
        "/\t/evil.example/",
    ] {
        // Wrong password: the form again, and no cookie.
        let res = b
            .post_form(
                "/login",
                &[("login", "parent"), ("password", "wrong"), ("next", next)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.headers().get("set-cookie").is_none());
        // Right password: home, with the session.
        let res = b
            .post_form(
                "/login",
                &[("login", "student"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(res.headers()["location"], "/");
        let cookie = res.headers()["set-cookie"].to_str().unwrap();
        assert!(!cookie.contains("evil"), "{cookie}");
    }
    // And the session works.
    let (status, _) = b.page("/").await;
    assert_eq!(status, StatusCode::OK);
}
