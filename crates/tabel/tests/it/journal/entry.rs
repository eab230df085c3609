//! Keeping the journal: marks, attendance and lesson records with the grid's averages, bad input
//! and batches, recommendations.

use super::{grid_path, id, lessons_5a, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(a_teacher_keeps_the_journal_and_the_grid_shows_it_with_averages);
async fn a_teacher_keeps_the_journal_and_the_grid_shows_it_with_averages(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let lessons = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    assert_eq!(lessons.len(), 3, "{lessons:?}");
    let (monday, wednesday) = (id(&lessons[0]), id(&lessons[1]));
    let teacher = app.token("teacher").await;

    // A mark on Monday's answer (weight 2), a control work on Wednesday (weight 5), a double.
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": "3"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let mark: Value = res.json().await.unwrap();
    assert_eq!(
        (
            mark["value"].as_str(),
            mark["work_type"].as_str(),
            mark["weight"].as_u64(),
            mark["version"].as_i64()
        ),
        (Some("3"), Some("answer"), Some(2), Some(1))
    );
    let res = post(&app, &teacher, "/api/v1/marks", json!({"student_id": f.ivan.to_string(), "lesson_id": wednesday, "value": "5", "work_type": "control"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": f.oleg.to_string(), "lesson_id": monday, "value": " 4/5 "}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // Oleg was away on Wednesday; the lesson's topic and homework.
    let res = post(
        &app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": wednesday, "student_id": f.oleg.to_string(), "code": "б"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let att: Value = res.json().await.unwrap();
    assert_eq!(att["code"], "ill");
    let res = put(&app, &teacher, &format!("/api/v1/lessons/{wednesday}"), json!({"version": 0, "topic": "Сложение дробей",
        "lesson_type": "control", "homework": "№ 245, 247", "homework_minutes": 30, "homework_due_on": "2026-11-27"})).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let grid = app.get_json(&grid_path(&app), &teacher).await;
    assert_eq!(grid["period"]["number"], 2);
    assert_eq!(grid["may_write"], true);
    let students = grid["students"].as_array().unwrap();
    let row = |name: &str| {
        students
            .iter()
            .find(|s| s["name"].as_str().unwrap().starts_with(name))
            .unwrap()
            .clone()
    };
    // Иван: (3·2 + 5·5) / 7 = 4.43; Олег: a double counts as two marks, (4 + 5) / 2.
    assert_eq!(
        (
            row("Петров")["average"].as_str(),
            row("Петров")["marks"].as_u64()
        ),
        (Some("4.43"), Some(2))
    );
    assert_eq!(
        (
            row("Сидоров")["average"].as_str(),
            row("Сидоров")["marks"].as_u64(),
            row("Сидоров")["absences"].as_u64()
        ),
        (Some("4.50"), Some(2), Some(1))
    );
    let wed = grid["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == wednesday.as_str())
        .unwrap()
        .clone();
    assert_eq!(wed["record"]["topic"], "Сложение дробей");
    assert_eq!(wed["record"]["homework"], "№ 245, 247");
    assert_eq!(wed["record"]["version"], 1);
    assert_eq!(grid["marks"].as_array().unwrap().len(), 3);
    assert_eq!(grid["attendance"].as_array().unwrap().len(), 1);

    // The lesson now carries journal data: the deputy's regeneration keeps it (no error here is
    // the contract; the regeneration test lives with the timetable).
    // The class teacher and the deputy read the grid; only the journal's teacher may write.
    let deputy_grid = app.get_json(&grid_path(&app), &deputy).await;
    assert_eq!(deputy_grid["may_write"], false);
    assert_eq!(deputy_grid["marks"].as_array().unwrap().len(), 3);
    // The cell's history.
    let history = app
        .get_json(
            &format!(
                "/api/v1/cells/history?lesson={wednesday}&student={}",
                f.oleg
            ),
            &teacher,
        )
        .await;
    assert_eq!(history[0]["action"], "attendance.set");
    assert_eq!(history[0]["after"]["code"], "ill");
}

both_backends!(bad_input_is_named_and_a_bad_batch_writes_nothing);
async fn bad_input_is_named_and_a_bad_batch_writes_nothing(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-12-04").await;
    let monday = id(&week[0]);
    let future = id(week
        .iter()
        .find(|l| l["date"].as_str().unwrap() > "2026-11-28")
        .unwrap());
    let teacher = app.token("teacher").await;
    let mark = |student: String, lesson: &str, value: &str| json!({"student_id": student, "lesson_id": lesson, "value": value});
    for (body, field, words) in [
        (
            mark(f.ivan.to_string(), &monday, "6"),
            "value",
            "outside the 5-point scale",
        ),
        (
            mark(f.ivan.to_string(), &monday, "пять"),
            "value",
            "not a mark",
        ),
        (mark(f.ivan.to_string(), &monday, "1"), "value", "2–5"),
        (
            mark(f.anna.to_string(), &monday, "5"),
            "student_id",
            "not in 5А",
        ),
        (
            mark("999999".into(), &monday, "5"),
            "student_id",
            "not in 5А",
        ),
        (
            mark(f.ivan.to_string(), &future, "5"),
            "lesson_id",
            "not happened yet",
        ),
    ] {
        let res = post(&app, &teacher, "/api/v1/marks", body).await;
        let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            p["errors"][field].as_str().unwrap_or("").contains(words),
            "{field}: {p}"
        );
    }
    let res = post(&app, &teacher, "/api/v1/marks", json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": "5", "work_type": "nope"})).await;
    assert!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]["work_type"]
            .is_string()
    );
    let res = post(
        &app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": monday, "student_id": f.ivan.to_string(), "code": "x"}),
    )
    .await;
    assert!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]["code"].is_string()
    );
    let res = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{monday}"),
        json!({"version": 0, "homework": "", "homework_minutes": 20}),
    )
    .await;
    assert!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]["homework"]
            .is_string()
    );
    // A malformed body is a 400 or 422 problem, never a 500.
    let res = app
        .http
        .post(app.url("/api/v1/marks"))
        .bearer_auth(&teacher)
        .header("content-type", "application/json")
        .body("{\"value\": 5")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());

    // A column with one bad row: rows[1] is named and nothing is written.
    let batch = |rows: Value| json!({"lesson_id": monday, "rows": rows});
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks:batch",
        batch(json!([
            {"student_id": f.ivan.to_string(), "value": "5"},
            {"student_id": f.oleg.to_string(), "value": "7"},
        ])),
    )
    .await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p["errors"]["rows[1].value"].is_string(), "{p}");
    let grid = app.get_json(&grid_path(&app), &teacher).await;
    assert!(grid["marks"].as_array().unwrap().is_empty());
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks:batch",
        batch(json!([
            {"student_id": f.ivan.to_string(), "value": "5"},
            {"student_id": f.oleg.to_string(), "value": "н"},
        ])),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["written"], 2);
    let grid = app.get_json(&grid_path(&app), &teacher).await;
    assert_eq!(
        (
            grid["marks"].as_array().unwrap().len(),
            grid["attendance"].as_array().unwrap().len()
        ),
        (1, 1)
    );
}

both_backends!(recommendations_reach_the_family);
async fn recommendations_reach_the_family(app: TestApp) {
    timetable(&app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    let res = post(
        &app,
        &teacher,
        "/api/v1/recommendations",
        json!({"student_id": f.ivan.to_string(), "subject_id": f.math.to_string(),
        "body": "Повторить таблицу умножения на 7 и 8."}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // Another teacher of another class may not write about Иван.
    let res = post(
        &app,
        &app.token("english").await,
        "/api/v1/recommendations",
        json!({"student_id": f.oleg.to_string(), "subject_id": f.math.to_string(), "body": "x"}),
    )
    .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let list = app
        .get_json(
            &format!("/api/v1/students/{}/recommendations", f.ivan),
            &app.token("parent").await,
        )
        .await;
    assert_eq!(list[0]["body"], "Повторить таблицу умножения на 7 и 8.");
    // The refusing parent's children are not this parent's: 404 for someone else's child.
    assert_problem(
        app.get(
            &format!("/api/v1/students/{}/recommendations", f.oleg),
            &app.token("parent").await,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
