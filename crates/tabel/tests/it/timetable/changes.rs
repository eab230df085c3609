//! Changes: substitutions, extra lessons, room changes and short days.

use super::{plan, week_of};
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(a_substitution_shows_in_the_substitutes_week_and_the_class_week);
async fn a_substitution_shows_in_the_substitutes_week_and_the_class_week(app: TestApp) {
    let token = plan(&app).await;
    let f = &app.f;
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    let monday_math = week.iter().find(|l| l["number"] == 1).unwrap().clone();
    let url = app.url(&format!(
        "/api/v1/lessons/{}/substitution",
        monday_math["id"].as_str().unwrap()
    ));
    // A reason is required; a busy teacher is refused; the parent may not.
    let res = app.http.post(&url).bearer_auth(&token).json(&json!({"teacher_id": f.english.to_string(), "reason": " ", "version": monday_math["version"]})).send().await.unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let parent = app.token("parent").await;
    let res = app.http.post(&url).bearer_auth(&parent).json(&json!({"teacher_id": f.english.to_string(), "reason": "x", "version": monday_math["version"]})).send().await.unwrap();
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = app.http.post(&url).bearer_auth(&token).json(&json!({"teacher_id": f.english.to_string(), "reason": "болезнь учителя", "version": monday_math["version"]})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["status"], "substituted");
    assert_eq!(changed["original_teacher"], "Смирнова Е. В.");
    // A second change with the old version is stale.
    let res = app.http.post(&url).bearer_auth(&token).json(&json!({"teacher_id": f.teacher.to_string(), "reason": "x", "version": monday_math["version"]})).send().await.unwrap();
    assert_problem(res, StatusCode::CONFLICT).await;
    let substitute_week = week_of(&app, &token, &format!("teacher={}", f.english)).await;
    assert!(
        substitute_week
            .iter()
            .any(|l| l["id"] == monday_math["id"] && l["status"] == "substituted")
    );
    let class_week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    let same = class_week
        .iter()
        .find(|l| l["id"] == monday_math["id"])
        .unwrap();
    assert_eq!(same["teacher"], "Кузнецова О. И.");
    // The English teacher now teaches 5А in lesson 1 and has the subgroup in lesson 2: moving the
    // subgroup lesson onto lesson 1 would put her in two places.
    let english = week.iter().find(|l| l["number"] == 2).unwrap();
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{}/transfer", english["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .json(&json!({"date": "2026-11-23", "number": 1, "reason": "перенос", "version": english["version"]}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::CONFLICT).await;
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{}/transfer", english["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .json(&json!({"date": "2026-11-24", "number": 3, "reason": "перенос", "version": english["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(
        (moved["date"].as_str(), moved["original_date"].as_str()),
        (Some("2026-11-24"), Some("2026-11-23"))
    );
    // A Saturday is not a school day of the 5-day week.
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{}/transfer", english["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .json(&json!({"date": "2026-11-28", "number": 3, "reason": "перенос", "version": moved["version"]}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty());
}

both_backends!(extra_lessons_room_changes_and_short_days);
async fn extra_lessons_room_changes_and_short_days(app: TestApp) {
    let token = plan(&app).await;
    let f = &app.f;
    let extra = json!({"group_id": f.class_5b.to_string(), "date": "2026-11-24", "number": 3, "subject_id": f.math.to_string(),
        "teacher_id": f.english.to_string(), "room": "22", "reason": "консультация перед контрольной"});
    let res = app
        .http
        .post(app.url("/api/v1/lessons"))
        .bearer_auth(&token)
        .json(&extra)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let added: Value = res.json().await.unwrap();
    assert_eq!(added["status"], "extra");
    // The same teacher cannot take another extra lesson then; nor on a Sunday.
    let mut again = extra.clone();
    again["group_id"] = json!(f.class_5a.to_string());
    again["room"] = json!("30");
    let res = app
        .http
        .post(app.url("/api/v1/lessons"))
        .bearer_auth(&token)
        .json(&again)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::CONFLICT).await;
    again["date"] = json!("2026-11-29");
    let res = app
        .http
        .post(app.url("/api/v1/lessons"))
        .bearer_auth(&token)
        .json(&again)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // Room 21 is 5А's on Monday lesson 1: moving 5Б's Monday lesson 2 there is fine, lesson 1 is not.
    let monday_5b = week_of(&app, &token, &format!("class={}", f.class_5b)).await[0].clone();
    let res = app
        .http
        .post(app.url(&format!(
            "/api/v1/lessons/{}/room",
            monday_5b["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .json(&json!({"room": "21", "version": monday_5b["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let in_21 = app
        .get_json(
            "/api/v1/lessons?room=21&from=2026-11-23&to=2026-11-29",
            &token,
        )
        .await;
    assert_eq!(
        in_21.as_array().unwrap().len(),
        3,
        "5А twice (Mon, Wed) and 5Б once"
    );
    // A short day needs the short bell schedule first.
    let res = app
        .http
        .post(app.url("/api/v1/bells/days"))
        .bearer_auth(&token)
        .json(&json!({"date": "2026-12-25", "variant": "short"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let short: Vec<Value> = (1..=6).map(|n: u16| json!({"number": n, "starts": format!("{:02}:00", 7 + n), "ends": format!("{:02}:30", 7 + n)})).collect();
    let res = app
        .http
        .put(app.url("/api/v1/bells"))
        .bearer_auth(&token)
        .json(&json!({"variant": "short", "slots": short}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .http
        .post(app.url("/api/v1/bells/days"))
        .bearer_auth(&token)
        .json(&json!({"date": "2026-11-23", "variant": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    assert_eq!(
        (week[0]["starts"].as_str(), week[0]["ends"].as_str()),
        (Some("08:00"), Some("08:30")),
        "Monday follows the short bells"
    );
    assert_eq!(week[2]["ends"], "09:15", "Wednesday the regular ones");
    let b = app.browser("zavuch").await;
    let (status, page) = b.parsed("/timetable/rooms?room=21&week=2026-11-23").await;
    assert_eq!(status, StatusCode::OK);
    let lessons = page.texts("#week div.lesson").join("\n");
    assert!(
        lessons.contains("5Б") && lessons.contains("Математика"),
        "{lessons}"
    );
    let (status, _) = app
        .browser("parent")
        .await
        .page("/timetable/rooms?room=21")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page) = b.parsed("/timetable/changes?date=2026-11-24").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.texts("#changes tbody td:nth-child(4)")
            .iter()
            .any(|w| w.contains("дополнительный")),
        "{}",
        page.source()
    );
}
