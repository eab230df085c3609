//! Bells: the deputy's page and the second shift.

use super::{add, plan, week_of};
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::{GroupId, PersonId};

both_backends!(a_deputy_sets_the_bells_on_a_page);
async fn a_deputy_sets_the_bells_on_a_page(app: TestApp) {
    let b = app.browser("zavuch").await;
    let res = b
        .post_form(
            "/timetable/bells",
            &[
                ("start_1", "08:30"),
                ("end_1", "09:15"),
                ("start_2", "9:25"),
                ("end_2", "10:10"),
                ("start_3", ""),
                ("end_3", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let bells = app
        .get_json("/api/v1/bells", &app.token("teacher").await)
        .await;
    assert_eq!(
        bells,
        json!([{"number": 1, "starts": "08:30", "ends": "09:15"}, {"number": 2, "starts": "09:25", "ends": "10:10"}])
    );
    let res = b
        .post_form(
            "/timetable/bells",
            &[("start_1", "08:30"), ("end_1", "08:00")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("ends before it starts"));
    // The second shift has its own bells; the first keeps its own.
    let res = b
        .post_form(
            "/timetable/bells",
            &[("shift", "2"), ("start_1", "13:30"), ("end_1", "14:15")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = app.token("teacher").await;
    let second = app.get_json("/api/v1/bells?shift=2", &token).await;
    assert_eq!(
        second,
        json!([{"number": 1, "starts": "13:30", "ends": "14:15"}])
    );
    assert_eq!(
        app.get_json("/api/v1/bells", &token).await[1]["starts"],
        "09:25"
    );
    let (status, body) = b.parsed("/timetable/bells?shift=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.text("nav strong[aria-current=\"page\"]"), "2-я смена");
    assert_eq!(
        body.attr("#bells-form input[name=\"start_1\"]", "value")
            .as_deref(),
        Some("13:30")
    );
    let (status, _) = b.page("/timetable/bells?shift=7").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.browser("teacher").await.page("/timetable/bells").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(a_class_in_the_second_shift_follows_its_bells);
async fn a_class_in_the_second_shift_follows_its_bells(app: TestApp) {
    let token = plan(&app).await;
    let f = &app.f;
    // The second shift starts at 13:30, while lesson 6 of the first (13:05–13:50) is still on.
    let second: Vec<Value> = (1..=6)
        .map(|n: u16| json!({"number": n, "starts": format!("{:02}:30", 12 + n), "ends": format!("{:02}:15", 13 + n)}))
        .collect();
    let res = app
        .http
        .put(app.url("/api/v1/bells"))
        .bearer_auth(&token)
        .json(&json!({"shift": 2, "slots": second}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .http
        .put(app.url(&format!("/api/v1/classes/{}/shift", f.class_5b)))
        .bearer_auth(&token)
        .json(&json!({"shift": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .http
        .put(app.url(&format!("/api/v1/classes/{}/shift", f.class_5b)))
        .bearer_auth(&token)
        .json(&json!({"shift": 3}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let week = week_of(&app, &token, &format!("class={}", f.class_5b)).await;
    assert_eq!(week[0]["starts"], "14:30", "lesson 2 of the second shift");
    let first = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    assert_eq!(first[0]["starts"], "08:30");
    let bells = app.get_json("/api/v1/bells?shift=2", &token).await;
    assert_eq!(bells[0]["starts"], "13:30");
    // Lesson 2 of each shift are hours apart: one teacher takes both.
    let line = |group: GroupId, number: u8, teacher: PersonId| {
        json!({"group_id": group.to_string(), "weekday": 2, "number": number,
            "subject_id": f.math.to_string(), "teacher_id": teacher.to_string()})
    };
    let res = add(&app, &token, line(f.class_5b, 2, f.teacher)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = add(&app, &token, line(f.class_5a, 2, f.teacher)).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    // Lesson 1 of the second shift overlaps lesson 6 of the first.
    let res = add(&app, &token, line(f.class_5b, 1, f.english)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = add(&app, &token, line(f.class_5a, 6, f.english)).await;
    let p = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(
        p["detail"].as_str().unwrap().contains("already teaches"),
        "{p}"
    );
    let teacher = app.token("teacher").await;
    let res = app
        .http
        .put(app.url(&format!("/api/v1/classes/{}/shift", f.class_5b)))
        .bearer_auth(&teacher)
        .json(&json!({"shift": 1}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN).await;
}
