//! Personal data beyond need (issue 17, hole 9): a family without a consent in force sees on the
//! pages exactly what the API shows; a pupil's own account and the deliveries about a pupil stop
//! with the family's consent; a family's export; erasure on request.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;

/// The diary's sections under `/diary/{student}`.
const SECTIONS: [&str; 10] = [
    "",
    "/week",
    "/marks",
    "/finals",
    "/assessments",
    "/homework",
    "/recommendations",
    "/teachers",
    "/calendar",
    "/record",
];

both_backends!(a_family_without_consent_sees_no_name_of_the_child_on_any_page);
async fn a_family_without_consent_sees_no_name_of_the_child_on_any_page(app: TestApp) {
    let f = &app.f;
    // What the API shows: the id, no name.
    let token = app.token("refuser").await;
    let me = app.get_json("/api/v1/me", &token).await;
    assert_eq!(me["children"][0]["id"], f.oleg.to_string());
    assert!(me["children"][0]["name"].is_null(), "{me}");

    let b = app.browser("refuser").await;
    let (status, page) = b.parsed("/diary/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.text(&format!("#family-{} a strong", f.oleg)),
        format!("Ребёнок № {}", f.oleg)
    );
    let mut pages = vec![
        "/".to_owned(),
        "/diary/me".to_owned(),
        format!("/consents/students/{}", f.oleg),
    ];
    pages.extend(SECTIONS.iter().map(|s| format!("/diary/{}{s}", f.oleg)));
    for path in pages {
        let (status, html) = b.page(&path).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::FORBIDDEN,
            "{path}: {status}"
        );
        // Сидоров Олег Павлович, born 02.07.2015: neither the given name, the patronymic nor
        // the birth date (the mother is Сидорова Ольга Викторовна).
        for word in ["Олег", "Павлович", "02.07.2015"] {
            assert!(!html.contains(word), "{path} shows «{word}»");
        }
    }
    // The diary's pages explain why, in the same place.
    let (status, page) = b.parsed(&format!("/diary/{}/marks", f.oleg)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.has("#no-consent"));
    assert_eq!(page.text("#student-name"), format!("Ребёнок № {}", f.oleg));

    // A family with the consent in force still sees the names.
    let b = app.browser("parent").await;
    let (_, page) = b.parsed("/diary/me").await;
    assert_eq!(
        page.text(&format!("#family-{} a strong", f.ivan)),
        "Петров Иван Сергеевич"
    );
}

/// The parent withdraws the diary consent for Иван (the pupil with the `student` account).
async fn withdraw_for_ivan(app: &TestApp) {
    let parent = app.token("parent").await;
    let res = post(
        app,
        &parent,
        "/api/v1/consents/withdrawal",
        json!({"parent_id": app.f.parent.to_string(), "student_id": app.f.ivan.to_string(), "purpose": "diary"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

both_backends!(a_pupil_reads_their_diary_only_while_the_family_consents);
async fn a_pupil_reads_their_diary_only_while_the_family_consents(app: TestApp) {
    let f = &app.f;
    let token = app.token("student").await;
    let api = [
        "diary", "marks", "finals", "homework", "record", "debts", "exams", "forecast",
    ];
    // With the mother's consent in force: the pupil's own data.
    for what in api {
        let path = format!("/api/v1/students/{}/{what}", f.ivan);
        assert_eq!(
            app.get(&path, &token).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let b = app.browser("student").await;
    let (status, page) = b.parsed(&format!("/diary/{}/marks", f.ivan)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.has("#no-consent"));

    withdraw_for_ivan(&app).await;

    // At once, in the same session: the API answers as to a parent without consent.
    for what in api {
        let path = format!("/api/v1/students/{}/{what}", f.ivan);
        let problem = assert_problem(app.get(&path, &token).await, StatusCode::FORBIDDEN).await;
        assert_eq!(
            problem["type"], "urn:tabel:problem:consent-required",
            "{path}"
        );
    }
    // The pages explain it and show nothing of the pupil.
    for s in SECTIONS {
        let path = format!("/diary/{}{s}", f.ivan);
        let (status, html) = b.page(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        let page = Page::parse(&html);
        assert!(
            page.text("#consent-explanation").contains("согласие"),
            "{path}"
        );
        for word in ["Иван", "Петров", "14.03.2015", "5А"] {
            assert!(!html.contains(word), "{path} shows «{word}»");
        }
    }
    let (status, html) = b.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("5А англ."),
        "the home page lists the pupil's groups"
    );
    // The sister's diary stays open to the mother: the withdrawal was for Иван only.
    let parent = app.token("parent").await;
    let path = format!("/api/v1/students/{}/diary", f.anna);
    assert_eq!(app.get(&path, &parent).await.status(), StatusCode::OK);
}

both_backends!(webhooks_carry_a_pupil_only_while_the_family_consents(
    backend
));
async fn webhooks_carry_a_pupil_only_while_the_family_consents(backend: Backend) {
    use crate::notify::{MONDAY_NOON, local_hooks, publish_finals, receiver, settings, worker};
    let app = TestApp::with(backend, |c| c.notify.webhook_rules = local_hooks()).await;
    let config = || tabel_notify::NotifyConfig {
        webhook_rules: local_hooks(),
        ..settings(None)
    };
    let (base, got) = receiver().await;
    let admin = app.token("admin").await;
    let hooks = format!("/api/v1/schools/{}/webhooks", app.f.school);
    let body = json!({"url": format!("{base}/hook"), "topics": "*"});
    assert_eq!(
        post(&app, &admin, &hooks, body).await.status(),
        StatusCode::CREATED
    );
    crate::journal::timetable(&app).await;
    // Иван's mother consents; Олег's refused: only Иван's final leaves.
    publish_finals(&app, &[(app.f.ivan, "5"), (app.f.oleg, "4")]).await;
    worker(&app, config())
        .run_once_at(MONDAY_NOON)
        .await
        .unwrap();
    let pupils: Vec<String> = got
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(_, _, body)| {
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            v["payload"]["student_id"].as_str().map(str::to_owned)
        })
        .collect();
    assert!(pupils.contains(&app.f.ivan.to_string()), "{pupils:?}");
    assert!(!pupils.contains(&app.f.oleg.to_string()), "{pupils:?}");
    let sent = got.lock().unwrap().len();

    // A delivery made while the consent was in force, then the consent withdrawn before it went:
    // it is cancelled, not sent.
    publish_finals(&app, &[(app.f.ivan, "4")]).await;
    let later = MONDAY_NOON + time::Duration::minutes(1);
    let w = worker(&app, config());
    let made = w.fan_out_all(later).await.unwrap();
    assert!(made.created >= 1, "{made:?}");
    withdraw_for_ivan(&app).await;
    let r = w.send_due(later).await.unwrap();
    assert!(r.cancelled >= 1, "{r:?}");
    let after: Vec<String> = got.lock().unwrap()[sent..]
        .iter()
        .map(|(_, _, body)| body.clone())
        .collect();
    assert!(
        after
            .iter()
            .all(|b| !b.contains(&format!("\"student_id\":\"{}\"", app.f.ivan))),
        "{after:?}"
    );
}

/// `GET path` with a bearer token, as JSON, asserting 200.
async fn export(app: &TestApp, token: &str, path: &str) -> serde_json::Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

both_backends!(a_parent_downloads_everything_held_about_the_family_and_nothing_of_others);
async fn a_parent_downloads_everything_held_about_the_family_and_nothing_of_others(app: TestApp) {
    let f = &app.f;
    crate::diary::family_week(&app).await;
    crate::notify::publish_finals(&app, &[(f.ivan, "5"), (f.oleg, "4")]).await;
    crate::notify::add_contact(&app, f.parent, "email", "maria@example.org", true).await;
    let token = app.token("parent").await;
    let e = export(&app, &token, "/api/v1/me/export").await;
    assert_eq!(e["account"]["login"], "parent");
    assert_eq!(e["person"]["last_name"], "Петрова");
    assert_eq!(e["contacts"][0]["value"], "maria@example.org");
    assert!(
        e["contacts"][0]["provenance"].is_string(),
        "{}",
        e["contacts"]
    );
    assert!(!e["sessions"].as_array().unwrap().is_empty());
    let children = e["children"].as_array().unwrap();
    let ids: Vec<&str> = children.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(
        ids.contains(&f.ivan.to_string().as_str()) && ids.contains(&f.anna.to_string().as_str())
    );
    let ivan = children
        .iter()
        .find(|c| c["id"] == f.ivan.to_string())
        .unwrap();
    assert_eq!(ivan["first_name"], "Иван");
    let marks: Vec<&str> = ivan["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(marks, ["4", "5", "3"]);
    assert_eq!(ivan["attendance"][0]["minutes_late"], 10);
    assert_eq!(ivan["finals"][0]["value"], "5");
    assert!(
        ivan["homework"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["homework"] == "№ 245, 247"),
        "{}",
        ivan["homework"]
    );
    assert!(!ivan["recommendations"].as_array().unwrap().is_empty());
    assert_eq!(ivan["consents"][0]["state"], "given");
    // Nothing of another family: Олег's mark (4/5) and final are not there.
    let text = e.to_string();
    assert!(!text.contains("Олег"), "another family's child");
    assert!(!text.contains("4/5"), "another family's mark");

    // The export is audited: the next one lists the first.
    let again = export(&app, &token, "/api/v1/me/export").await;
    assert!(
        again["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "data.export" && r["by_me"] == true),
        "{}",
        again["audit"]
    );
    // One child at a time; another family's child or a stranger is not found.
    let one = export(
        &app,
        &token,
        &format!("/api/v1/me/export?student={}", f.anna),
    )
    .await;
    assert_eq!(one["children"].as_array().unwrap().len(), 1);
    for other in [f.oleg, f.other_pupil] {
        let path = format!("/api/v1/me/export?student={other}");
        assert_problem(app.get(&path, &token).await, StatusCode::NOT_FOUND).await;
        let path = format!("/api/v1/me/export.pdf?student={other}");
        assert_problem(app.get(&path, &token).await, StatusCode::NOT_FOUND).await;
    }
    // Without a token: nothing.
    let res = app
        .http
        .get(app.url("/api/v1/me/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The PDF summary, in Russian.
    let res = app.get("/api/v1/me/export.pdf", &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(pp) = tabel_reports::poppler::poppler() {
        let text = pp.text(&pdf, "my-data").unwrap();
        for words in [
            "Отметки: Петров Иван Сергеевич",
            "Сеансы входа",
            "maria@example.org",
        ] {
            assert!(text.contains(words), "{words} in {text}");
        }
    } else {
        tabel_reports::poppler::skip("the export's PDF text");
    }
}

both_backends!(the_right_of_access_needs_no_consent_and_others_export_only_themselves);
async fn the_right_of_access_needs_no_consent_and_others_export_only_themselves(app: TestApp) {
    let f = &app.f;
    // The mother who refused the consent still gets her child's data and her refusals.
    let token = app.token("refuser").await;
    let e = export(&app, &token, "/api/v1/me/export").await;
    assert_eq!(e["children"][0]["id"], f.oleg.to_string());
    assert_eq!(e["children"][0]["first_name"], "Олег");
    assert_eq!(e["children"][0]["consents"][0]["state"], "refused");
    // A pupil, a teacher: only themselves.
    for (login, last) in [("student", "Петров"), ("teacher", "Смирнова")] {
        let token = app.token(login).await;
        let e = export(&app, &token, "/api/v1/me/export").await;
        assert_eq!(e["account"]["login"], login);
        assert_eq!(e["person"]["last_name"], last);
        assert!(e["children"].as_array().unwrap().is_empty(), "{login}");
        let path = format!("/api/v1/me/export?student={}", f.anna);
        assert_problem(app.get(&path, &token).await, StatusCode::NOT_FOUND).await;
    }
    // The page in the parent's cabinet, and its download with the session cookie.
    let b = app.browser("parent").await;
    let (_, page) = b.parsed("/diary/me").await;
    assert_eq!(
        page.attr("#to-my-data", "href").as_deref(),
        Some("/account/my-data")
    );
    let (status, page) = b.parsed("/account/my-data").await;
    assert_eq!(status, StatusCode::OK);
    let href = page.attr("#export-json", "href").unwrap();
    let res = b.get(&href).await;
    assert_eq!(res.status(), StatusCode::OK);
    let e: serde_json::Value = res.json().await.unwrap();
    assert_eq!(e["children"].as_array().unwrap().len(), 2);
}

/// How many audit records hold `text` in their details.
async fn audit_mentions(app: &TestApp, text: &str) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) FROM audit_log WHERE before_json LIKE '%{text}%' OR after_json LIKE '%{text}%'"
    );
    let sql = sqlx::AssertSqlSafe(sql);
    match &app.db.db {
        tabel_store::Db::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        tabel_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

both_backends!(an_erased_parent_is_gone_but_the_school_record_stays);
async fn an_erased_parent_is_gone_but_the_school_record_stays(app: TestApp) {
    let f = &app.f;
    crate::diary::family_week(&app).await;
    crate::notify::add_contact(&app, f.parent, "email", "maria@example.org", true).await;
    let admin = app.token("admin").await;
    let parent = app.token("parent").await;
    // A phone the school registers is audited with its value (a keyed digest seals it).
    let res = post(
        &app,
        &admin,
        &format!("/api/v1/parents/{}/contacts", f.parent),
        json!({"kind": "phone", "value": "+7 912 345-67-89", "provenance": "written_application",
               "basis": "заявление № 12"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(audit_mentions(&app, "9123456789").await, 1);
    let marks_path = format!("/api/v1/students/{}/marks", f.ivan);
    let marks_before = app.get_json(&marks_path, &admin).await;

    // Only a parent asks, only for themselves; a teacher or a pupil cannot.
    for login in ["teacher", "student"] {
        let token = app.token(login).await;
        let res = post(&app, &token, "/api/v1/me/erasure-requests", json!({})).await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
    }
    let res = post(
        &app,
        &parent,
        "/api/v1/me/erasure-requests",
        json!({"comment": "Прошу удалить мои данные"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let request: serde_json::Value = res.json().await.unwrap();
    assert_eq!(request["state"], "pending");
    let id = request["id"].as_str().unwrap().to_owned();
    // One at a time.
    let res = post(&app, &parent, "/api/v1/me/erasure-requests", json!({})).await;
    assert_problem(res, StatusCode::CONFLICT).await;
    // Another family does not see it; the school's administrator does.
    let refuser = app.token("refuser").await;
    let theirs = app.get_json("/api/v1/me/erasure-requests", &refuser).await;
    assert_eq!(theirs, json!([]));
    let list = app
        .get_json(
            &format!("/api/v1/schools/{}/erasure-requests", f.school),
            &admin,
        )
        .await;
    assert_eq!(list[0]["id"], id.as_str());
    let b = app.browser("admin").await;
    let (_, page) = b
        .parsed(&format!("/admin/{}/erasure-requests", f.school))
        .await;
    assert_eq!(page.text("#pending-count strong"), "1");

    // Nobody but the school's administrator decides it.
    let carry = format!("/api/v1/erasure-requests/{id}/carry-out");
    for (login, status) in [
        ("parent", StatusCode::FORBIDDEN),
        ("teacher", StatusCode::FORBIDDEN),
        ("zavuch", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        assert_problem(post(&app, &token, &carry, json!({})).await, status).await;
        let path = format!("/api/v1/schools/{}/erasure-requests", f.school);
        assert_problem(app.get(&path, &token).await, status).await;
    }
    let res = post(&app, &admin, &carry, json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(
        post(&app, &admin, &carry, json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;

    // The parent can no longer sign in, and the old token is dead.
    assert_eq!(
        app.login_api("parent", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", &parent).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The contacts are gone.
    {
        let mut c = app.db.db.acquire().await.unwrap();
        let left = tabel_store::contact::contacts_of_parent(&mut c.conn(), f.parent, true)
            .await
            .unwrap();
        assert!(left.is_empty(), "{left:?}");
    }
    // The audit log keeps that the phone was registered, not the phone, and still verifies.
    assert_eq!(audit_mentions(&app, "9123456789").await, 0);
    let verified = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(verified.breaks.is_empty(), "{verified:?}");
    // The child's marks are intact.
    assert_eq!(app.get_json(&marks_path, &admin).await, marks_before);
    // Where the school sees the representative: the pseudonym, never the name.
    let pseudonym = format!("Представитель №{}", f.parent);
    let list = app
        .get_json(
            &format!("/api/v1/schools/{}/erasure-requests", f.school),
            &admin,
        )
        .await;
    assert_eq!(list[0]["parent_name"], pseudonym.as_str());
    assert_eq!(list[0]["state"], "carried_out");
    assert_eq!(list[0]["decided_by"], "admin");
    for path in [
        format!("/admin/{}/erasure-requests", f.school),
        format!("/admin/{}/users", f.school),
        format!("/consents/students/{}", f.ivan),
        format!("/consents/classes/{}", f.class_5a),
        format!("/students/{}", f.ivan),
    ] {
        let (status, html) = b.page(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        for word in ["Петрова Мария", "Мария Андреевна", "maria@example.org"]
        {
            assert!(!html.contains(word), "{path} shows «{word}»");
        }
    }
    let (_, page) = b
        .parsed(&format!("/admin/{}/erasure-requests", f.school))
        .await;
    assert_eq!(page.text(&format!("#erasure-{id} .parent")), pseudonym);
    // The consent records stay, as proof.
    let consents = app
        .get_json(&format!("/api/v1/students/{}/consents", f.ivan), &admin)
        .await;
    assert!(
        consents["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["parent_id"] == f.parent.to_string()),
        "{consents}"
    );
}

both_backends!(a_refused_erasure_keeps_everything_and_says_why);
async fn a_refused_erasure_keeps_everything_and_says_why(app: TestApp) {
    let f = &app.f;
    let b = app.browser("refuser").await;
    let res = b
        .post_form("/account/my-data/erasure", &[("comment", "")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let admin = app.token("admin").await;
    let list = app
        .get_json(
            &format!("/api/v1/schools/{}/erasure-requests", f.school),
            &admin,
        )
        .await;
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let refuse = format!("/api/v1/erasure-requests/{id}/refuse");
    let res = post(&app, &admin, &refuse, json!({"reason": " "})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = post(
        &app,
        &admin,
        &refuse,
        json!({"reason": "Идёт судебный спор об опеке"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (_, page) = b.parsed("/account/my-data").await;
    assert_eq!(page.text(&format!("#erasure-{id} .state")), "отказано");
    assert_eq!(
        app.login_api("refuser", PASSWORD).await.status(),
        StatusCode::OK
    );
}
