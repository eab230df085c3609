//! Who writes: the journal's teacher, a substitute on their lesson, an administrator's corrections
//! in a closed period; never families.

use super::{grid_path, id, lessons_5a, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(only_the_journals_teacher_writes_and_families_never_do);
async fn only_the_journals_teacher_writes_and_families_never_do(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let monday = id(&lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await[0]);
    let mark = json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": "5"});
    for (login, status) in [
        ("english", StatusCode::FORBIDDEN),
        ("zavuch", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("student", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        let res = post(&app, &token, "/api/v1/marks", mark.clone()).await;
        assert_problem(res, status).await;
        let res = post(
            &app,
            &token,
            "/api/v1/attendance",
            json!({"lesson_id": monday, "student_id": f.ivan.to_string(), "code": "н"}),
        )
        .await;
        assert_problem(res, status).await;
        let res = put(
            &app,
            &token,
            &format!("/api/v1/lessons/{monday}"),
            json!({"version": 0, "topic": "x"}),
        )
        .await;
        assert_problem(res, status).await;
    }
    // Reading: another teacher and families do not see the grid.
    let english = app.token("english").await;
    assert_problem(
        app.get(&grid_path(&app), &english).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get(&grid_path(&app), &app.token("parent").await).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get(&grid_path(&app), &app.token("admin2").await).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // An administrator corrects only with a reason.
    let admin = app.token("admin").await;
    let res = post(&app, &admin, "/api/v1/marks", mark.clone()).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["reason"].is_string(), "{problem}");
    let mut with_reason = mark.clone();
    with_reason["reason"] = json!("исправление по заявлению учителя");
    assert_eq!(
        post(&app, &admin, "/api/v1/marks", with_reason)
            .await
            .status(),
        StatusCode::CREATED
    );
    // Nothing was written by the refused requests: one mark, no attendance, no topic.
    let grid = app
        .get_json(&grid_path(&app), &app.token("teacher").await)
        .await;
    assert_eq!(grid["marks"].as_array().unwrap().len(), 1);
    assert!(grid["attendance"].as_array().unwrap().is_empty());
    assert_eq!(
        grid["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == monday.as_str())
            .unwrap()["record"]["topic"],
        ""
    );
}

both_backends!(a_closed_period_takes_only_corrections_by_an_administrator);
async fn a_closed_period_takes_only_corrections_by_an_administrator(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let monday = id(&lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await[0]);
    let teacher = app.token("teacher").await;
    let grid = app.get_json(&grid_path(&app), &teacher).await;
    let period = grid["period"]["id"].as_str().unwrap().to_owned();
    // The teacher cannot close it; the deputy can.
    let res = post(
        &app,
        &teacher,
        &format!("/api/v1/periods/{period}/close"),
        json!({}),
    )
    .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/periods/{period}/close"),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let mark = json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": "5"});
    let res = post(&app, &teacher, "/api/v1/marks", mark.clone()).await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("closed"),
        "{problem}"
    );
    assert_eq!(
        app.get_json(&grid_path(&app), &teacher).await["may_write"],
        false
    );
    let mut correction = mark.clone();
    correction["reason"] = json!("ошибка при выставлении");
    assert_eq!(
        post(&app, &app.token("admin").await, "/api/v1/marks", correction)
            .await
            .status(),
        StatusCode::CREATED
    );
    // A whole column too: the administrator's batch without a reason is refused, with one it
    // is taken, and each row keeps the reason.
    let admin = app.token("admin").await;
    let column = json!({"lesson_id": monday, "rows": [
        {"student_id": f.oleg.to_string(), "value": "4"}]});
    assert_problem(
        post(&app, &admin, "/api/v1/marks:batch", column.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        post(&app, &teacher, "/api/v1/marks:batch", column.clone()).await,
        StatusCode::CONFLICT,
    )
    .await;
    let mut corrected = column.clone();
    corrected["reason"] = json!("ведомость сверена с бумажной");
    let res = post(&app, &admin, "/api/v1/marks:batch", corrected).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let history = app
        .get_json(
            &format!("/api/v1/cells/history?lesson={monday}&student={}", f.oleg),
            &teacher,
        )
        .await;
    assert_eq!(history[0]["reason"], "ведомость сверена с бумажной");
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/periods/{period}/reopen"),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = post(
        &app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": monday, "student_id": f.oleg.to_string(), "code": "н"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The correction is in the audit log with its reason, and the chain holds.
    let history = app
        .get_json(
            &format!("/api/v1/cells/history?lesson={monday}&student={}", f.ivan),
            &teacher,
        )
        .await;
    assert_eq!(history[0]["reason"], "ошибка при выставлении");
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

both_backends!(the_substitute_writes_on_that_lesson_only_and_standalone_works_have_a_date);
async fn the_substitute_writes_on_that_lesson_only_and_standalone_works_have_a_date(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let (monday, wednesday) = (&week[0], &week[1]);
    // The `english` teacher substitutes Monday's mathematics in 5А (she is free then).
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/lessons/{}/substitution", id(monday)),
        json!({"teacher_id": f.english.to_string(), "reason": "болезнь учителя", "version": monday["version"]}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let english = app.token("english").await;
    let mark = |lesson: &Value| json!({"student_id": f.ivan.to_string(), "lesson_id": id(lesson), "value": "4"});
    assert_eq!(
        post(&app, &english, "/api/v1/marks", mark(monday))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_problem(
        post(&app, &english, "/api/v1/marks", mark(wednesday)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The journal's own teacher still writes on the substituted lesson.
    let teacher = app.token("teacher").await;
    let res = post(
        &app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": id(monday), "student_id": f.oleg.to_string(), "code": "н"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A standalone work (no lesson) on a date of the journal.
    let res = post(&app, &teacher, "/api/v1/marks", json!({"student_id": f.oleg.to_string(), "group_id": f.class_5a.to_string(),
        "subject_id": f.math.to_string(), "date": "2026-11-24", "value": "5", "work_type": "test", "comment": "зачёт по таблице умножения"})).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let standalone: Value = res.json().await.unwrap();
    assert!(standalone["lesson_id"].is_null());
    assert_eq!(standalone["date"], "2026-11-24");
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": f.oleg.to_string(), "group_id": f.class_5a.to_string(),
        "subject_id": f.math.to_string(), "value": "5"}),
    )
    .await;
    assert!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]["date"].is_string()
    );
    let grid = app.get_json(&grid_path(&app), &teacher).await;
    assert!(
        grid["marks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == standalone["id"])
    );
    let oleg = grid["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == f.oleg.to_string().as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (oleg["average"].as_str(), oleg["absences"].as_u64()),
        (Some("5.00"), Some(1))
    );
}
