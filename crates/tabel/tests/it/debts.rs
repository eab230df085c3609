//! Deferrals and academic debts end to end: the deputy head defers a pupil's final mark for
//! illness; at its end the reminder goes out once and the teacher's home page lists it; the
//! period closes and the teacher still sets the deferred mark; another deferral lapses into н/а
//! and an academic debt; retakes (at most two, not in the future, within the year) and an
//! illness that moves the deadline; a passing retake closes the debt and becomes the final mark.
//! A failing year mark opens a debt, a corrected one closes it. Denials and bad input throughout.

use crate::support::{Page, TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel::{Application, Config};

fn finals_path(app: &TestApp, period: &str) -> String {
    format!(
        "/api/v1/finals?group={}&subject={}&period={period}",
        app.f.class_5a, app.f.math
    )
}

fn row<'a>(sheet: &'a Value, student: &str) -> &'a Value {
    sheet[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["student_id"] == student)
        .unwrap()
}

fn deferral(app: &TestApp, period: &str, student: &str, from: &str, to: &str) -> Value {
    json!({
        "group_id": app.f.class_5a.to_string(), "subject_id": app.f.math.to_string(),
        "period": period, "student_id": student,
        "starts_on": from, "ends_on": to, "basis": "Справка ГБУЗ ДП № 12 от 10.11.2026",
    })
}

/// Another server on the same database whose "today" is `today` (sessions are shared).
async fn server_on(app: &TestApp, today: time::Date) -> String {
    let mut config = Config::for_tests(&app.db.url);
    config.today = Some(today);
    let server = Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until(std::future::pending()));
    base
}

async fn outbox_topics(app: &TestApp) -> Vec<String> {
    let mut c = app.db.db.acquire().await.unwrap();
    tabel_store::outbox::pending(&mut c.conn(), 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.topic)
        .collect()
}

async fn deferrals_and_debts(app: &TestApp) {
    let f = &app.f;
    let (ivan, oleg) = (f.ivan.to_string(), f.oleg.to_string());
    let zavuch = app.token("zavuch").await;
    let teacher = app.token("teacher").await;
    let sheet = app.get_json(&finals_path(app, ""), &teacher).await;
    let period = sheet[0]["period_id"].as_str().unwrap().to_owned();

    // Bad input and denials: nothing is written.
    let problem = assert_problem(
        post(
            app,
            &zavuch,
            "/api/v1/deferrals",
            deferral(app, &period, &ivan, "2026-11-25", "2026-11-16"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"]["ends_on"]
            .as_str()
            .unwrap()
            .contains("before it starts"),
        "{problem}"
    );
    let mut no_basis = deferral(app, &period, &ivan, "2026-11-16", "2026-11-25");
    no_basis["basis"] = json!(" ");
    let problem = assert_problem(
        post(app, &zavuch, "/api/v1/deferrals", no_basis).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["basis"].is_string(), "{problem}");
    assert_problem(
        post(
            app,
            &zavuch,
            "/api/v1/deferrals",
            deferral(app, &period, &ivan, "2026-11-16", "2026-1125"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for login in ["teacher", "english", "parent"] {
        let token = app.token(login).await;
        let res = post(
            app,
            &token,
            "/api/v1/deferrals",
            deferral(app, &period, &ivan, "2026-11-16", "2026-11-25"),
        )
        .await;
        assert!(
            matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{login}: {}",
            res.status()
        );
    }
    // A pupil of another class is not in this journal.
    let anna = f.anna.to_string();
    let problem = assert_problem(
        post(
            app,
            &zavuch,
            "/api/v1/deferrals",
            deferral(app, &period, &anna, "2026-11-16", "2026-11-25"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["student_id"].is_string(), "{problem}");
    assert!(
        app.get_json("/api/v1/deferrals", &zavuch).await["deferrals"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Ivan ill: deferred from 16 to 25 November (ended by today, 28 November).
    let res = post(
        app,
        &zavuch,
        "/api/v1/deferrals",
        deferral(app, &period, &ivan, "2026-11-16", "2026-11-25"),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let ivans: Value = res.json().await.unwrap();
    assert_eq!(ivans["state"], "open");
    assert_problem(
        post(
            app,
            &zavuch,
            "/api/v1/deferrals",
            deferral(app, &period, &ivan, "2026-11-16", "2026-11-30"),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    // The sheet and the family show it; it is overdue.
    let sheet = app.get_json(&finals_path(app, &period), &teacher).await;
    assert_eq!(row(&sheet, &ivan)["deferral"]["ends_on"], "2026-11-25");
    assert_eq!(row(&sheet, &ivan)["deferral"]["stage"], Value::Null);
    let parent = app.token("parent").await;
    let family = app
        .get_json(&format!("/api/v1/students/{ivan}/debts"), &parent)
        .await;
    assert_eq!(family["deferrals"][0]["stage"], "overdue");
    // Oleg's family refused the diary: nothing of him.
    let refuser = app.token("refuser").await;
    assert_problem(
        app.get(&format!("/api/v1/students/{oleg}/debts"), &refuser)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The reminder goes out once; the teacher's home page lists the deferral.
    let clock = tabel_app::App::new(
        app.db.db.clone(),
        tabel_app::AppConfig {
            today: Some(tabel_store::test_support::Fixture::TODAY),
            ..tabel_app::AppConfig::default()
        },
    );
    // The server's clock may have sent it already: exactly one event in all.
    clock.remind_deferrals().await.unwrap();
    assert_eq!(clock.remind_deferrals().await.unwrap(), 0);
    let topics = outbox_topics(app).await;
    assert_eq!(
        topics
            .iter()
            .filter(|t| *t == "final.deferral_ended")
            .count(),
        1
    );
    assert!(topics.iter().any(|t| t == "final.deferred"));
    let browser = app.browser("teacher").await;
    let (status, home) = browser.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.text("section#deferrals-due").contains("Петров"),
        "the reminder names the pupil: {}",
        home.source()
    );

    // A failing year mark opens a debt; corrected to a passing one, the debt closes.
    let admin = app.token("admin").await;
    let year_set = format!(
        "/api/v1/finals?group={}&subject={}&period=year",
        f.class_5a, f.math
    );
    let res = put(
        app,
        &teacher,
        &year_set,
        json!({"rows": [{"student_id": ivan, "value": "2", "reason": "не освоил программу"}]}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let written: Value = res.json().await.unwrap();
    let family = app
        .get_json(&format!("/api/v1/students/{ivan}/debts"), &parent)
        .await;
    let year_debt = &family["debts"][0];
    assert_eq!(year_debt["slot"], "year");
    assert_eq!(year_debt["origin"], "final");
    assert_eq!(year_debt["stage"], "open");
    let res = put(
        app,
        &admin,
        &year_set,
        json!({"rows": [{"student_id": ivan, "value": "3", "reason": "ошибка", "version": written[0]["version"]}]}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let family = app
        .get_json(&format!("/api/v1/students/{ivan}/debts"), &parent)
        .await;
    assert_eq!(family["debts"][0]["stage"], "closed");

    // The quarter closes; the teacher still sets Ivan's deferred mark (and only his).
    let res = post(
        app,
        &zavuch,
        &format!("/api/v1/periods/{period}/close"),
        json!({}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    let sheet = app.get_json(&finals_path(app, &period), &teacher).await;
    assert_eq!(sheet[0]["closed"], true);
    assert_eq!(row(&sheet, &ivan)["may_write"], true);
    assert_eq!(row(&sheet, &oleg)["may_write"], false);
    let set = format!(
        "/api/v1/finals?group={}&subject={}&period={period}",
        f.class_5a, f.math
    );
    assert_problem(
        put(
            app,
            &teacher,
            &set,
            json!({"rows": [{"student_id": oleg, "value": "3", "reason": "x"}]}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let res = put(
        app,
        &teacher,
        &set,
        json!({"rows": [{"student_id": ivan, "value": "4", "reason": "контрольная после болезни 27.11"}]}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let family = app
        .get_json(&format!("/api/v1/students/{ivan}/debts"), &parent)
        .await;
    assert_eq!(family["deferrals"][0]["state"], "resolved");
    assert!(
        family["debts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["stage"] == "closed"),
        "{family}"
    );

    // Oleg: a deferral of the year mark runs till 20 December (opened on the page; a bad one
    // first), and one of the quarter ended on 20 November.
    let zb = app.browser("zavuch").await;
    let form = format!(
        "/journal/{}/{}/finals/defer?period=year&student={oleg}",
        f.class_5a, f.math
    );
    let (status, page) = zb.parsed(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.has("form#defer-form"));
    let res = zb
        .post_form(
            &form,
            &[
                ("starts_on", "2026-12-20"),
                ("ends_on", "2026-11-28"),
                ("basis", "Справка № 7"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(Page::parse(&res.text().await.unwrap()).has("p.field-error#error-ends_on"));
    let res = zb
        .post_form(
            &form,
            &[
                ("starts_on", "2026-11-28"),
                ("ends_on", "2026-12-20"),
                ("basis", "Справка № 7"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post(
        app,
        &zavuch,
        "/api/v1/deferrals",
        deferral(app, &period, &oleg, "2026-11-10", "2026-11-20"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let olegs: Value = res.json().await.unwrap();
    let desk = app.get_json("/api/v1/deferrals", &zavuch).await;
    let open: Vec<&Value> = desk["deferrals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["state"] == "open")
        .collect();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0]["stage"], "overdue", "overdue first: {desk}");
    let year = open[1]["id"].as_str().unwrap().to_owned();
    // The running one cannot lapse yet; the teacher cannot record a lapse.
    let problem = assert_problem(
        post(
            app,
            &zavuch,
            &format!("/api/v1/deferrals/{year}/lapse"),
            json!({}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["deferral"].is_string(), "{problem}");
    let lapse = format!("/api/v1/deferrals/{}/lapse", olegs["id"].as_str().unwrap());
    assert_problem(
        post(app, &teacher, &lapse, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The lapse: н/а in the quarter's cell and a debt for a year.
    let res = post(app, &zavuch, &lapse, json!({})).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let debt: Value = res.json().await.unwrap();
    assert_eq!(debt["origin"], "deferral");
    assert_eq!(debt["arisen_value"], "na");
    assert_eq!(debt["arisen_on"], "2026-11-28");
    assert_eq!(debt["deadline"], "2027-11-28");
    assert_eq!(debt["attempts_left"], 2);
    assert_problem(
        post(app, &zavuch, &lapse, json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let sheet = app.get_json(&finals_path(app, &period), &teacher).await;
    assert_eq!(row(&sheet, &oleg)["current"]["shown"], "н/а");

    // Retakes: not in the future, not before it arose; a failing one leaves one attempt.
    let debt_id = debt["id"].as_str().unwrap().to_owned();
    let retakes = format!("/api/v1/debts/{debt_id}/retakes");
    for (on, field) in [("2026-11-29", "on_date"), ("2026-11-27", "on_date")] {
        let problem = assert_problem(
            post(
                app,
                &zavuch,
                &retakes,
                json!({"on_date": on, "value": "3", "version": debt["version"]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"][field].is_string(), "{on}: {problem}");
    }
    let problem = assert_problem(
        post(
            app,
            &zavuch,
            &retakes,
            json!({"on_date": "2026-11-28", "value": "7", "version": debt["version"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["value"].is_string(), "{problem}");
    assert_problem(
        post(
            app,
            &teacher,
            &retakes,
            json!({"on_date": "2026-11-28", "value": "3", "version": debt["version"]}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = post(
        app,
        &zavuch,
        &retakes,
        json!({"on_date": "2026-11-28", "value": "2", "note": "комиссия: Иванова, Смирнов", "version": debt["version"]}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["stage"], "open");
    assert_eq!(after["attempts_left"], 1);
    assert_eq!(after["retakes"][0]["attempt"], 1);
    // A stale version is refused with the current state.
    let problem = assert_problem(
        post(
            app,
            &zavuch,
            &retakes,
            json!({"on_date": "2026-11-28", "value": "3", "version": debt["version"]}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(problem["current"]["version"], after["version"]);

    // Ten days ill in December move the deadline by ten days.
    let illness = format!("/api/v1/debts/{debt_id}/illnesses");
    let problem = assert_problem(
        post(
            app,
            &zavuch,
            &illness,
            json!({"from": "2026-12-10", "to": "2026-12-01", "basis": "Справка № 9", "version": after["version"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["to"].is_string(), "{problem}");
    let res = post(
        app,
        &zavuch,
        &illness,
        json!({"from": "2026-12-01", "to": "2026-12-10", "basis": "Справка № 9", "version": after["version"]}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["deadline"], "2027-12-08");
    assert_eq!(after["illness_days"], 10);

    // On 15 December the second retake passes: the debt is closed and the mark is the cell's.
    let later = server_on(app, time::macros::date!(2026 - 12 - 15)).await;
    let res = app
        .http
        .post(format!("{later}{retakes}"))
        .bearer_auth(&zavuch)
        .json(&json!({"on_date": "2026-12-14", "value": "4", "version": after["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let closed: Value = res.json().await.unwrap();
    assert_eq!(closed["stage"], "closed");
    assert_eq!(closed["result"], "4");
    assert_eq!(closed["attempts_left"], 0);
    let problem = assert_problem(
        post(
            app,
            &zavuch,
            &retakes,
            json!({"on_date": "2026-11-28", "value": "5", "version": closed["version"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["debt"].is_string(), "{problem}");
    let sheet = app.get_json(&finals_path(app, &period), &teacher).await;
    let cell = &row(&sheet, &oleg)["current"];
    assert_eq!(cell["shown"], "4");
    assert!(
        cell["reason"]
            .as_str()
            .unwrap()
            .contains("Ликвидация академической задолженности"),
        "{cell}"
    );
    assert!(outbox_topics(app).await.iter().any(|t| t == "debt.closed"));

    // The desk page for the deputy head; not for a teacher.
    let (status, desk) = zb.parsed("/school/deferrals").await;
    assert_eq!(status, StatusCode::OK);
    assert!(desk.has("#deferrals table#deferrals-table"));
    assert!(
        desk.texts("#debts article.debt header span.badge")
            .iter()
            .any(|s| s.contains("Ликвидирована")),
        "{}",
        desk.source()
    );
    let (status, _) = browser.page("/school/deferrals").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Every step is in the audit chain, which holds.
    let report = clock.verify_audit().await.unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

both_backends!(deferrals_lapse_into_debts_that_retakes_close);
async fn deferrals_lapse_into_debts_that_retakes_close(app: TestApp) {
    deferrals_and_debts(&app).await;
}
