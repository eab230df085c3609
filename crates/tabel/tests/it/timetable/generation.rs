//! Weekly lines become dated lessons: bell times, holidays, regenerating, a line ended mid-year.

use super::{add, plan, week_of};
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::json;
use tabel_domain::LessonId;
use tabel_domain::school::DayOffKind;
use time::macros::date;

both_backends!(a_weekly_timetable_becomes_dated_lessons_with_bell_times);
async fn a_weekly_timetable_becomes_dated_lessons_with_bell_times(app: TestApp) {
    let token = plan(&app).await;
    let week = week_of(&app, &token, &format!("class={}", app.f.class_5a)).await;
    let summary: Vec<(String, u64, String, String)> = week
        .iter()
        .map(|l| {
            (
                l["date"].as_str().unwrap().to_owned(),
                l["number"].as_u64().unwrap(),
                l["subject"].as_str().unwrap().to_owned(),
                l["starts"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("2026-11-23".into(), 1, "Математика".into(), "08:30".into()),
            (
                "2026-11-23".into(),
                2,
                "Иностранный язык (английский)".into(),
                "09:25".into()
            ),
            ("2026-11-25".into(), 1, "Математика".into(), "08:30".into()),
        ]
    );
    assert!(week.iter().all(|l| l["status"] == "planned"));
    // The year runs 1 Sep – 31 May: about 36 Mondays and Wednesdays each.
    let all = app
        .get_json(
            &format!(
                "/api/v1/lessons?teacher={}&from=2026-09-01&to=2026-10-31",
                app.f.teacher
            ),
            &token,
        )
        .await;
    assert!(all.as_array().unwrap().len() > 20);
    let teachers = app
        .get_json(
            &format!("/api/v1/classes/{}/teachers", app.f.class_5a),
            &token,
        )
        .await;
    let names: Vec<&str> = teachers
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Кузнецова О. И.", "Смирнова Е. В."]);
    let cal = app
        .get_json(
            &format!("/api/v1/calendar?class={}", app.f.class_5a),
            &token,
        )
        .await;
    assert_eq!(cal["week_days"], 5);
    assert_eq!(cal["bells"][0]["starts"], "08:30");
}

both_backends!(no_lesson_falls_on_a_holiday);
async fn no_lesson_falls_on_a_holiday(app: TestApp) {
    {
        let mut tx = app.db.db.begin().await.unwrap();
        tabel_store::school::insert_holiday(
            &mut tx.conn(),
            app.f.school,
            app.f.year,
            &tabel_store::school::Holiday {
                id: tabel_domain::HolidayId::new(1),
                kind: DayOffKind::NonWorking,
                name: "День народного единства".into(),
                starts_on: date!(2026 - 11 - 04),
                ends_on: date!(2026 - 11 - 04),
                only_grade: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let token = plan(&app).await;
    let lessons = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-02&to=2026-11-08",
                app.f.class_5a
            ),
            &token,
        )
        .await;
    let dates: Vec<&str> = lessons
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        ["2026-11-02", "2026-11-02"],
        "Wednesday 4 November is a public holiday"
    );
}

both_backends!(regenerating_keeps_lessons_with_journal_data_and_changes);
async fn regenerating_keeps_lessons_with_journal_data_and_changes(app: TestApp) {
    let token = plan(&app).await;
    let f = &app.f;
    // A line valid from 30 November regenerates the lessons from that date on.
    let after = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-30&to=2026-12-06",
                f.class_5a
            ),
            &token,
        )
        .await;
    let with_marks = after[0]["id"].as_str().unwrap().parse::<i64>().unwrap();
    let plain = after[1]["id"].as_str().unwrap().to_owned();
    {
        let mut tx = app.db.db.begin().await.unwrap();
        tabel_store::timetable::mark_journal_data(&mut tx.conn(), LessonId::new(with_marks))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let before = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    let res = add(&app, &token, json!({"group_id": f.class_5a.to_string(), "weekday": 2, "number": 1, "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string(), "room": "21", "valid_from": "2026-11-30"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let now = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-30&to=2026-12-06",
                f.class_5a
            ),
            &token,
        )
        .await;
    let ids: Vec<&str> = now
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&with_marks.to_string().as_str()),
        "the lesson with journal data stays"
    );
    assert!(
        !ids.contains(&plain.as_str()),
        "a plain future lesson is regenerated"
    );
    assert_eq!(
        now.as_array().unwrap().len(),
        4,
        "Monday ×2, Tuesday (new), Wednesday"
    );
    let past = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    assert_eq!(
        past, before,
        "lessons before the line's first date are untouched"
    );
}

both_backends!(regenerating_does_not_refill_the_slot_a_transferred_lesson_left);
async fn regenerating_does_not_refill_the_slot_a_transferred_lesson_left(app: TestApp) {
    let token = plan(&app).await;
    let f = &app.f;
    let dec = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-12-07&to=2026-12-07",
                f.class_5a
            ),
            &token,
        )
        .await;
    let math = dec
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["number"] == 1)
        .unwrap()
        .clone();
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{}/transfer", math["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .json(&json!({"date": "2026-12-08", "number": 4, "reason": "экскурсия", "version": math["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Any timetable edit regenerates the year's plain lessons.
    let res = add(&app, &token, json!({"group_id": f.class_5b.to_string(), "weekday": 4, "number": 1, "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string()})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let monday = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-12-07&to=2026-12-07",
                f.class_5a
            ),
            &token,
        )
        .await;
    let numbers: Vec<u64> = monday
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [2], "mathematics moved away; lesson 1 stays empty");
}

both_backends!(ending_a_line_mid_year_removes_its_later_lessons_and_frees_the_slot);
async fn ending_a_line_mid_year_removes_its_later_lessons_and_frees_the_slot(app: TestApp) {
    let token = plan(&app).await;
    let f = &app.f;
    let lines = app
        .get_json(&format!("/api/v1/timetable?group={}", f.class_5a), &token)
        .await;
    let wednesday = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["weekday"] == 3)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let end = |day: &str| {
        app.http
            .post(app.url(&format!("/api/v1/timetable/{wednesday}/end")))
            .bearer_auth(&token)
            .json(&json!({ "last_day": day }))
            .send()
    };
    assert_problem(
        end("2027-07-01").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        end("2026-12-31").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let count = |from: &'static str, to: &'static str| {
        let app = &app;
        let token = &token;
        async move {
            app.get_json(
                &format!("/api/v1/lessons?teacher={}&from={from}&to={to}", f.teacher),
                token,
            )
            .await
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["group"] == "5А")
            .count()
        }
    };
    assert_eq!(
        count("2026-12-21", "2026-12-27").await,
        2,
        "Monday and Wednesday before the end"
    );
    assert_eq!(
        count("2027-01-11", "2027-01-17").await,
        1,
        "only Monday after it"
    );
    // The slot is free from January: 5Б can take it then.
    let res = add(&app, &token, json!({"group_id": f.class_5b.to_string(), "weekday": 3, "number": 1, "subject_id": f.math.to_string(),
        "teacher_id": f.teacher.to_string(), "room": "21", "valid_from": "2027-01-01"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let teacher = app.token("teacher").await;
    let res = app
        .http
        .post(app.url(&format!("/api/v1/timetable/{wednesday}/end")))
        .bearer_auth(&teacher)
        .json(&json!({"last_day": "2026-12-01"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let (status, page) = app
        .browser("parent")
        .await
        .parsed(&format!("/timetable/classes/{}", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.source().contains("Учителя класса")
            && page
                .texts("#teachers tr td:first-child")
                .contains(&"Кузнецова О. И.".to_owned()),
        "who teaches the class: {:?}",
        page.texts("#teachers tr")
    );
}
