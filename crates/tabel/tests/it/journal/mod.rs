//! The class journal through the JSON API: marks, attendance, lesson records, versions and
//! conflicts, permissions, closed periods, batches, history.

use crate::support::{TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Bells, and 5А's mathematics (the `teacher`) on Monday 2, Wednesday 3 and Friday 1, 5Б's
/// (the `english` teacher) on Tuesday 1. Returns the deputy's token.
pub(crate) async fn timetable(app: &TestApp) -> String {
    let token = app.token("zavuch").await;
    app.standard_bells(&token).await;
    let f = &app.f;
    for (group, weekday, number, teacher) in [
        (f.class_5a, 1, 2, f.teacher),
        (f.class_5a, 3, 3, f.teacher),
        (f.class_5a, 5, 1, f.teacher),
        (f.class_5b, 2, 1, f.english),
    ] {
        let res = app
            .http
            .post(app.url("/api/v1/timetable"))
            .bearer_auth(&token)
            .json(
                &json!({"group_id": group.to_string(), "weekday": weekday, "number": number,
                "subject_id": f.math.to_string(), "teacher_id": teacher.to_string(), "room": ""}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
    }
    token
}

/// 5А's mathematics lessons of a week, by date.
pub(crate) async fn lessons_5a(app: &TestApp, token: &str, from: &str, to: &str) -> Vec<Value> {
    let all = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from={from}&to={to}",
                app.f.class_5a
            ),
            token,
        )
        .await;
    all.as_array()
        .unwrap()
        .iter()
        .filter(|l| {
            l["subject_id"] == app.f.math.to_string() && l["group_id"] == app.f.class_5a.to_string()
        })
        .cloned()
        .collect()
}

pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn grid_path(app: &TestApp) -> String {
    format!(
        "/api/v1/journal?group={}&subject={}",
        app.f.class_5a, app.f.math
    )
}

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

both_backends!(two_writers_of_one_cell_one_wins_and_the_other_is_told);
async fn two_writers_of_one_cell_one_wins_and_the_other_is_told(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let monday = id(&lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await[0]);
    let teacher = app.token("teacher").await;
    // Two devices of the teacher create the same empty cell at the same moment.
    let body = |v: &str| json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": v});
    let (a, b) = tokio::join!(
        post(&app, &teacher, "/api/v1/marks", body("4")),
        post(&app, &teacher, "/api/v1/marks", body("5"))
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let (winner, loser) = if a.status() == StatusCode::CREATED {
        (a, b)
    } else {
        (b, a)
    };
    let winner: Value = winner.json().await.unwrap();
    let problem = assert_problem(loser, StatusCode::CONFLICT).await;
    assert_eq!(problem["type"], "urn:tabel:problem:version-conflict");
    let mark_id = id(&winner);
    // Both read version 1 and change it: the first wins, the second gets the current value.
    let first = put(
        &app,
        &teacher,
        &format!("/api/v1/marks/{mark_id}"),
        json!({"version": 1, "value": "3"}),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = put(
        &app,
        &teacher,
        &format!("/api/v1/marks/{mark_id}"),
        json!({"version": 1, "value": "2"}),
    )
    .await;
    let problem = assert_problem(second, StatusCode::CONFLICT).await;
    assert_eq!(problem["current"]["value"], "3");
    assert_eq!(problem["current"]["version"], 2);
    // A stale delete changes nothing; a fresh one removes the mark.
    let stale = app
        .http
        .delete(app.url(&format!("/api/v1/marks/{mark_id}?version=1")))
        .bearer_auth(&teacher)
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::CONFLICT).await;
    let gone = app
        .http
        .delete(app.url(&format!("/api/v1/marks/{mark_id}?version=2")))
        .bearer_auth(&teacher)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    // Attendance: a second record of a cell without the version is a conflict with the current one.
    let a = post(
        &app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": monday, "student_id": f.ivan.to_string(), "code": "н"}),
    )
    .await;
    assert_eq!(a.status(), StatusCode::OK);
    let b = post(&app, &teacher, "/api/v1/attendance", json!({"lesson_id": monday, "student_id": f.ivan.to_string(), "code": "оп", "minutes_late": 10})).await;
    let problem = assert_problem(b, StatusCode::CONFLICT).await;
    assert_eq!(problem["current"]["code"], "unexcused");
    let b = post(&app, &teacher, "/api/v1/attendance", json!({"lesson_id": monday, "student_id": f.ivan.to_string(), "code": "оп", "minutes_late": 10, "version": 1})).await;
    assert_eq!(b.status(), StatusCode::OK);
    let lesson_record = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{monday}"),
        json!({"version": 0, "topic": "A"}),
    )
    .await;
    assert_eq!(lesson_record.status(), StatusCode::OK);
    let stale_record = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{monday}"),
        json!({"version": 0, "topic": "B"}),
    )
    .await;
    let problem = assert_problem(stale_record, StatusCode::CONFLICT).await;
    assert_eq!(problem["current"]["topic"], "A");
}

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

both_backends!(grade_one_has_no_marks_and_no_homework);
async fn grade_one_has_no_marks_and_no_homework(app: TestApp) {
    use tabel_domain::school::GroupKind;
    let deputy = timetable(&app).await;
    let f = &app.f;
    // A first-grade class with one pupil and the teacher's mathematics.
    let class = {
        let mut tx = app.db.db.begin().await.unwrap();
        let c = &mut tx.conn();
        let g5 = tabel_store::school::get_group(c, f.class_5a, time::macros::date!(2026 - 11 - 28))
            .await
            .unwrap()
            .unwrap();
        let class = tabel_store::school::insert_group(
            c,
            &tabel_store::school::NewGroup {
                school: f.school,
                year: g5.year,
                kind: GroupKind::Class,
                name: "1А",
                grade: 1,
                parent: None,
                subject: None,
            },
        )
        .await
        .unwrap();
        let five = tabel_domain::calendar::WeekLength::try_from(5u8).unwrap();
        tabel_store::school::insert_parallel(
            c,
            f.school,
            g5.year,
            1,
            five,
            tabel_domain::school::PeriodKind::Quarter,
        )
        .await
        .unwrap();
        tabel_store::school::insert_membership(
            c,
            f.school,
            class,
            f.oleg,
            time::macros::date!(2026 - 09 - 01),
            None,
        )
        .await
        .unwrap();
        tabel_store::school::insert_assignment(
            c,
            f.school,
            g5.year,
            f.teacher,
            f.math,
            class,
            time::macros::date!(2026 - 09 - 01),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        class
    };
    let res = post(
        &app,
        &deputy,
        "/api/v1/timetable",
        json!({"group_id": class.to_string(), "weekday": 2, "number": 4,
        "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string(), "room": ""}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let lessons = app
        .get_json(
            &format!("/api/v1/lessons?class={class}&from=2026-11-23&to=2026-11-27"),
            &deputy,
        )
        .await;
    let tuesday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": f.oleg.to_string(), "lesson_id": tuesday, "value": "5"}),
    )
    .await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        p["errors"]["value"].as_str().unwrap().contains("grade 1"),
        "{p}"
    );
    let res = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{tuesday}"),
        json!({"version": 0, "topic": "Счёт до 10", "homework": "стр. 5"}),
    )
    .await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        p["errors"]["homework"]
            .as_str()
            .unwrap()
            .contains("grade 1"),
        "{p}"
    );
    // Attendance and the topic are kept in grade 1 too.
    let res = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{tuesday}"),
        json!({"version": 0, "topic": "Счёт до 10"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = post(
        &app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": tuesday, "student_id": f.oleg.to_string(), "code": "б"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

both_backends!(the_grading_policy_is_versioned_and_validated);
async fn the_grading_policy_is_versioned_and_validated(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let admin = app.token("admin").await;
    let current = app.get_json("/api/v1/grading-policy", &admin).await;
    assert_eq!(current["version"], 0);
    let mut policy = current["policy"].clone();
    // The school allows a "1" and weighs answers at 1.
    policy["allow_one"] = json!(true);
    policy["work_types"][0]["weight"] = json!(1);
    let res = put(
        &app,
        &admin,
        "/api/v1/grading-policy",
        json!({"policy": policy}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 1);
    let mut bad = policy.clone();
    bad["thresholds"] = json!([450, 350, 250]);
    let p = assert_problem(
        put(
            &app,
            &admin,
            "/api/v1/grading-policy",
            json!({"policy": bad}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["thresholds"].is_string());
    assert_problem(
        put(
            &app,
            &app.token("teacher").await,
            "/api/v1/grading-policy",
            json!({"policy": policy}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let monday = id(&lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await[0]);
    let res = post(
        &app,
        &app.token("teacher").await,
        "/api/v1/marks",
        json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": "1"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["weight"], 1);
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

both_backends!(sigkill_during_a_stream_of_writes_loses_no_acknowledged_mark);
async fn sigkill_during_a_stream_of_writes_loses_no_acknowledged_mark(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let mut lessons: Vec<String> = Vec::new();
    for (from, to) in [
        ("2026-09-01", "2026-09-30"),
        ("2026-10-01", "2026-10-31"),
        ("2026-11-01", "2026-11-28"),
    ] {
        lessons.extend(lessons_5a(&app, &deputy, from, to).await.iter().map(id));
    }
    assert!(lessons.len() > 30, "{}", lessons.len());
    let mut server = crate::support::Server::start(&app.db.url).await;
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"login": "teacher", "password": crate::support::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    // Four writers stream marks into every cell; the server is killed mid-stream.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let cells: Vec<(String, String)> = lessons
        .iter()
        .flat_map(|l| {
            [
                (l.clone(), f.ivan.to_string()),
                (l.clone(), f.oleg.to_string()),
            ]
        })
        .collect();
    let mut writers = Vec::new();
    for part in cells.chunks(cells.len().div_ceil(4)) {
        let (part, http, token, base, acked) = (
            part.to_vec(),
            http.clone(),
            token.clone(),
            server.base.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for (i, (lesson, student)) in part.into_iter().enumerate() {
                let value = ["5", "4", "3"][i % 3];
                let res = http
                    .post(format!("{base}/api/v1/marks"))
                    .bearer_auth(&token)
                    .json(&json!({"student_id": student, "lesson_id": lesson, "value": value}))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let m: Value = r.json().await.unwrap();
                        acked
                            .lock()
                            .unwrap()
                            .push((m["id"].as_str().unwrap().to_owned(), value.to_owned()));
                    }
                    // Refused or cut off by the kill: not acknowledged.
                    _ => {}
                }
            }
        }));
    }
    let started = std::time::Instant::now();
    while acknowledged.lock().unwrap().len() < 20 && started.elapsed().as_secs() < 30 {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    // SIGKILL: no shutdown, no flush.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(
        acked.len() >= 20 && acked.len() < cells.len(),
        "killed after {} of {}",
        acked.len(),
        cells.len()
    );
    // After a restart every acknowledged mark is there with its value, and the audit chain holds.
    let again = crate::support::Server::start(&app.db.url).await;
    let mut c = app.db.db.acquire().await.unwrap();
    for (mark, value) in &acked {
        let stored = tabel_store::journal::get_mark(&mut c.conn(), mark.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(
            stored.map(|m| m.value).as_deref(),
            Some(value.as_str()),
            "mark {mark} lost"
        );
    }
    drop(again);
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
    eprintln!(
        "SIGKILL after {} acknowledged marks of {}: none lost",
        acked.len(),
        cells.len()
    );
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

both_backends!(a_pupil_who_left_keeps_the_history_and_takes_no_new_marks);
async fn a_pupil_who_left_keeps_the_history_and_takes_no_new_marks(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let week = lessons_5a(&app, &deputy, "2026-11-16", "2026-11-27").await;
    let teacher = app.token("teacher").await;
    let before = week
        .iter()
        .find(|l| l["date"].as_str().unwrap() < "2026-11-20")
        .unwrap();
    let after = week
        .iter()
        .find(|l| l["date"].as_str().unwrap() > "2026-11-20")
        .unwrap();
    let mark = |lesson: &Value| json!({"student_id": f.oleg.to_string(), "lesson_id": id(lesson), "value": "3"});
    assert_eq!(
        post(&app, &teacher, "/api/v1/marks", mark(before))
            .await
            .status(),
        StatusCode::CREATED
    );
    // Олег moves to another school after 20 November.
    {
        let mut tx = app.db.db.begin().await.unwrap();
        tabel_store::school::end_membership(
            &mut tx.conn(),
            f.class_5a,
            f.oleg,
            time::macros::date!(2026 - 11 - 20),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let p = assert_problem(
        post(&app, &teacher, "/api/v1/marks", mark(after)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"]["student_id"]
            .as_str()
            .unwrap()
            .contains("not in 5А"),
        "{p}"
    );
    // The old journal still shows him, with his mark and the date he left.
    let grid = app.get_json(&grid_path(&app), &teacher).await;
    let oleg = grid["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == f.oleg.to_string().as_str())
        .unwrap()
        .clone();
    assert_eq!(oleg["to"], "2026-11-20");
    assert_eq!(oleg["marks"], 1);
}
