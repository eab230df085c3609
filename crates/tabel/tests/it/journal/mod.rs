//! The class journal through the JSON API: marks, attendance, lesson records, versions and
//! conflicts, permissions, closed periods, batches, history.

mod concurrency;
mod entry;
mod rules;
mod writers;

use crate::support::TestApp;
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
