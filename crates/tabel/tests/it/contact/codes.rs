//! Confirmation: a phone by a code that expires and is tried at most five times, an e-mail by a
//! link.

use super::{added, audit_actions, audit_holds, code_for, confirm, send};
use crate::support::{Page, TestApp, assert_problem, both_backends, client};
use reqwest::StatusCode;
use serde_json::{Value, json};

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

both_backends!(a_forgotten_password_is_replaced_with_a_code_sent_to_a_confirmed_contact);
async fn a_forgotten_password_is_replaced_with_a_code_sent_to_a_confirmed_contact(app: TestApp) {
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
    let layer = super::notifier(&app);
    let cli = tabel_app::Client::cli();
    // Without a confirmed contact nothing is sent, and the answer is the same.
    assert!(
        layer
            .request_password_reset("parent", &cli)
            .await
            .unwrap()
            .is_none()
    );
    let code = code_for(&app, &parent, id).await;
    assert_eq!(
        confirm(&app, &parent, id, code.expose()).await.status(),
        StatusCode::OK
    );
    let http = client(false);
    for login in ["parent", "nobody.at.all", "teacher"] {
        let res = http
            .post(app.url("/api/v1/auth/forgot"))
            .json(&json!({ "login": login }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{login}");
    }
    // Staff keep no contacts here: they ask their administrator.
    assert!(
        layer
            .request_password_reset("teacher", &cli)
            .await
            .unwrap()
            .is_none()
    );
    let sent = layer
        .request_password_reset("parent", &cli)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.delivered_to, "+79123456789");
    // Three codes an hour: the API's and this one made two; one more, then none.
    assert!(
        layer
            .request_password_reset("parent", &cli)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        layer
            .request_password_reset("parent", &cli)
            .await
            .unwrap()
            .is_none()
    );
    // The newest code counts; an older one, a wrong one and an unknown login are one answer.
    let last = {
        let mut c = app.db.db.acquire().await.unwrap();
        let user = tabel_store::user::auth_by_login(&mut c.conn(), "parent")
            .await
            .unwrap()
            .unwrap();
        tabel_store::accounts::live_reset(&mut c.conn(), user.id)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(last.attempts, 0);
    let reset = |login: &'static str, code: String| {
        http.post(app.url("/api/v1/auth/reset"))
            .json(&json!({"login": login, "code": code, "new_password": "a brand new one"}))
            .send()
    };
    for (login, code) in [
        ("parent", sent.code.clone()),
        ("parent", "AAAA-AAAA".to_owned()),
        ("nobody.at.all", "AAAA-AAAA".to_owned()),
    ] {
        let problem = assert_problem(
            reset(login, code).await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"]["code"].is_string(), "{problem}");
    }
    let newest = layer.request_password_reset("parent", &cli).await.unwrap();
    assert!(newest.is_none(), "still three an hour");
    app.clock.advance(time::Duration::minutes(61));
    let newest = layer
        .request_password_reset("parent", &cli)
        .await
        .unwrap()
        .unwrap();
    let res = reset("parent", newest.code.to_lowercase()).await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Every session ended; the new password works, the old one does not.
    assert_eq!(
        app.get("/api/v1/me", &parent).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_api("parent", "a brand new one").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login_api("parent", crate::support::PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

both_backends!(the_forgotten_password_pages_answer_alike_for_any_login);
async fn the_forgotten_password_pages_answer_alike_for_any_login(app: TestApp) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login_page = http.get(app.url("/login")).send().await.unwrap();
    let page = Page::parse(&login_page.text().await.unwrap());
    assert_eq!(
        page.attr("#forgot", "href").as_deref(),
        Some("/password/forgot")
    );
    for login in ["parent", "nobody.at.all"] {
        let res = http
            .post(app.url("/password/forgot"))
            .form(&[("login", login)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{login}");
        assert_eq!(
            res.headers()["location"],
            format!("/password/reset?login={login}").as_str()
        );
    }
    let res = http
        .post(app.url("/password/reset"))
        .form(&[
            ("login", "parent"),
            ("code", "AAAA-AAAA"),
            ("new_password", "a brand new one"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(page.text("#reset-error").contains("Код неверный"));
}

both_backends!(a_password_an_administrator_sets_is_changed_at_the_next_login);
async fn a_password_an_administrator_sets_is_changed_at_the_next_login(app: TestApp) {
    let user_id = |login: &'static str| {
        let db = app.db.db.clone();
        async move {
            let mut c = db.acquire().await.unwrap();
            tabel_store::user::auth_by_login(&mut c.conn(), login)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let teacher = user_id("teacher").await;
    let school = app.f.school;
    let path = format!("/admin/{school}/users/{teacher}/password");
    let old_session = app.token("teacher").await;
    // Another teacher may not; nothing changes.
    let english = app.browser("english").await;
    let res = english
        .post_form(&path, &[("password", "set by a colleague")])
        .await;
    assert!(
        matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        res.status()
    );
    assert_eq!(
        app.get("/api/v1/me", &old_session).await.status(),
        StatusCode::OK
    );
    // The administrator sets one: the teacher's sessions end, and the password they were told
    // works only to set their own.
    let admin = app.browser("admin").await;
    let res = admin
        .post_form(&path, &[("password", "told by the office")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/v1/me", &old_session).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.login_api("teacher", "told by the office").await;
    assert_eq!(res.status(), StatusCode::OK);
    let login: Value = res.json().await.unwrap();
    assert_eq!(login["must_change_password"], true, "{login}");
    let token = login["token"].as_str().unwrap();
    let problem = assert_problem(app.get("/api/v1/me", token).await, StatusCode::FORBIDDEN).await;
    assert_eq!(
        problem["type"],
        "urn:tabel:problem:password-change-required"
    );
    let res = app
        .http
        .post(app.url("/api/v1/me/password"))
        .bearer_auth(token)
        .json(&json!({"current_password": "told by the office", "new_password": "only mine now"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let res = app.login_api("teacher", "only mine now").await;
    let login: Value = res.json().await.unwrap();
    assert_eq!(login["must_change_password"], false, "{login}");
    let records = {
        let mut c = app.db.db.acquire().await.unwrap();
        tabel_store::audit::history_of(&mut c.conn(), "user", &teacher.to_string(), 100)
            .await
            .unwrap()
    };
    assert!(
        records.iter().any(|r| r.action == "user.password_reset"
            && r.after_json.as_deref() == Some(r#"{"must_change_password":true}"#)),
        "{:?}",
        records.iter().map(|r| &r.action).collect::<Vec<_>>()
    );
}
