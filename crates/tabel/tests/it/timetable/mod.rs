//! The timetable through the API: bells, weekly lines with their rules, dated lessons, changes.

mod access;
mod bells;
mod changes;
mod generation;
mod pages;

use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Sets six lessons of bells and a small timetable for 5А as the deputy head; returns the token.
async fn plan(app: &TestApp) -> String {
    let token = app.token("zavuch").await;
    app.standard_bells(&token).await;
    let f = &app.f;
    for (group, weekday, number, subject, teacher, room) in [
        (f.class_5a, 1, 1, f.math, f.teacher, "21"),
        (f.subgroup, 1, 2, f.english_subject, f.english, "12"),
        (f.class_5a, 3, 1, f.math, f.teacher, "21"),
        (f.class_5b, 1, 2, f.math, f.teacher, "22"),
    ] {
        let res = add(
            app,
            &token,
            json!({"group_id": group.to_string(), "weekday": weekday, "number": number,
            "subject_id": subject.to_string(), "teacher_id": teacher.to_string(), "room": room}),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
    }
    token
}

async fn add(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/timetable"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn week_of(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    app.get_json(
        &format!("/api/v1/lessons?{query}&from=2026-11-23&to=2026-11-29"),
        token,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

both_backends!(conflicts_and_bad_lines_are_refused_and_nothing_is_saved);
async fn conflicts_and_bad_lines_are_refused_and_nothing_is_saved(app: TestApp) {
    let token = plan(&app).await;
    let f = &app.f;
    let line = |group: tabel_domain::GroupId,
                weekday: u8,
                number: u8,
                teacher: tabel_domain::PersonId,
                room: &str| {
        json!({"group_id": group.to_string(), "weekday": weekday, "number": number, "subject_id": f.math.to_string(), "teacher_id": teacher.to_string(), "room": room})
    };
    // The teacher already has 5А on Monday, lesson 1.
    let body = assert_problem(
        add(&app, &token, line(f.class_5b, 1, 1, f.teacher, "30")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("Смирнова"),
        "{body}"
    );
    // Room 21 is taken then.
    assert_problem(
        add(&app, &token, line(f.class_5b, 1, 1, f.english, "21")).await,
        StatusCode::CONFLICT,
    )
    .await;
    // 5А cannot have another lesson then, nor can its subgroup.
    assert_problem(
        add(&app, &token, line(f.class_5a, 1, 1, f.english, "30")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        add(&app, &token, line(f.subgroup, 1, 1, f.english, "30")).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Lesson 9 is outside the bell schedule; Sunday is outside the week; unknown teacher.
    let body = assert_problem(
        add(&app, &token, line(f.class_5b, 2, 9, f.english, "")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        body["errors"]["number"].as_str().unwrap().contains("1–6"),
        "{body}"
    );
    let body = assert_problem(
        add(&app, &token, line(f.class_5b, 7, 1, f.english, "")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(body["errors"]["weekday"].is_string());
    let body = assert_problem(
        add(&app, &token, line(f.class_5b, 2, 1, f.other_pupil, "")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(body["errors"]["teacher_id"].is_string());
    // The end before the start; a date that is not a date.
    let mut reversed = line(f.class_5b, 2, 1, f.english, "");
    reversed["valid_from"] = json!("2026-12-01");
    reversed["valid_to"] = json!("2026-11-01");
    let body = assert_problem(
        add(&app, &token, reversed).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(body["errors"]["valid_to"].is_string());
    let mut bad_date = line(f.class_5b, 2, 1, f.english, "");
    bad_date["valid_from"] = json!("01.12.2026");
    assert_problem(
        add(&app, &token, bad_date).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Overlapping validity with the same teacher is refused; a disjoint range is fine.
    let mut later = line(f.class_5b, 1, 1, f.teacher, "40");
    later["valid_from"] = json!("2027-01-11");
    assert_problem(add(&app, &token, later).await, StatusCode::CONFLICT).await;
    let week = week_of(&app, &token, &format!("class={}", f.class_5b)).await;
    assert_eq!(week.len(), 1, "nothing from the refused lines was saved");
    // Bells: the end before the start.
    let res = app
        .http
        .put(app.url("/api/v1/bells"))
        .bearer_auth(&token)
        .json(&json!({"slots": [{"number": 1, "starts": "09:00", "ends": "08:15"}]}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}
