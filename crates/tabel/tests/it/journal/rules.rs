//! The journal's rules: grade 1 without marks or homework, the versioned grading policy, a pupil
//! who left.

use super::{grid_path, id, lessons_5a, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};

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
