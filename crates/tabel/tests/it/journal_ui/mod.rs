//! The teacher's grid in a real headless Chromium.
//! Also the grid and journal list pages over plain HTTP: who may open them, what they show, and
//! the lesson form without JavaScript.

mod grid;
mod lesson;
mod policy;

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Bells, and 5А's mathematics (the `teacher`) on Monday 1, Wednesday 2 and Friday 3 from the
/// start of the year. Returns the deputy's token.
async fn timetable(app: &TestApp) -> String {
    let token = app.token("zavuch").await;
    app.standard_bells(&token).await;
    let f = &app.f;
    for (weekday, number) in [(1, 1), (3, 2), (5, 3)] {
        let res = app
            .http
            .post(app.url("/api/v1/timetable"))
            .bearer_auth(&token)
            .json(&json!({"group_id": f.class_5a.to_string(), "weekday": weekday, "number": number,
                "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string(), "room": "21"}))
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

fn grid_path(app: &TestApp) -> String {
    format!("/journal/{}/{}", app.f.class_5a, app.f.math)
}

/// The journal of 5А's mathematics through the API, as `token` sees it.
async fn journal_json(app: &TestApp, token: &str) -> Value {
    app.get_json(
        &format!(
            "/api/v1/journal?group={}&subject={}",
            app.f.class_5a, app.f.math
        ),
        token,
    )
    .await
}
