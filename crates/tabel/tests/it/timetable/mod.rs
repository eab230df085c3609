//! The timetable through the API: bells, weekly lines with their rules, dated lessons, changes.

use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::school::DayOffKind;
use tabel_domain::{GroupId, PersonId};
use time::macros::date;

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

both_backends!(only_planners_change_the_timetable_and_families_see_only_their_classes);
async fn only_planners_change_the_timetable_and_families_see_only_their_classes(app: TestApp) {
    plan(&app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    let res = add(&app, &teacher, json!({"group_id": f.class_5b.to_string(), "weekday": 2, "number": 1, "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string()})).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let parent = app.token("parent").await;
    assert_eq!(
        week_of(&app, &parent, &format!("class={}", f.class_5a))
            .await
            .len(),
        3
    );
    assert_eq!(
        week_of(&app, &parent, &format!("student={}", f.ivan))
            .await
            .len(),
        3
    );
    assert_problem(
        app.get(&format!("/api/v1/lessons?student={}", f.oleg), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/lessons?class={}", f.other_class), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let refuser = app.token("refuser").await;
    assert_problem(
        app.get(&format!("/api/v1/lessons?class={}", f.class_5a), &refuser)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get("/api/v1/lessons?from=2026-11-23", &parent).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        app.get(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-23&to=2026-11-01",
                f.class_5a
            ),
            &parent,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

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
        tabel_store::timetable::mark_journal_data(&mut tx.conn(), with_marks)
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

both_backends!(a_family_sees_the_class_calendar_and_week);
async fn a_family_sees_the_class_calendar_and_week(app: TestApp) {
    plan(&app).await;
    let b = app.browser("parent").await;
    let (status, page) = b
        .parsed(&format!("/timetable/classes/{}/calendar", app.f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    let periods: Vec<(String, String)> = page
        .texts("#periods tr td:first-child")
        .into_iter()
        .zip(page.texts("#periods tr td:nth-child(2)"))
        .collect();
    assert!(
        periods.contains(&("1 четверть".into(), "01.09.2026 – 24.10.2026".into())),
        "{periods:?}"
    );
    assert!(
        page.texts("#bells tr td:nth-child(2)")
            .contains(&"08:30–09:15".to_owned()),
        "{:?}",
        page.texts("#bells tr")
    );
    let (status, page) = b
        .parsed(&format!(
            "/timetable/classes/{}?week=2026-11-23",
            app.f.class_5a
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.text("#week").contains("Математика") && !page.source().contains("add-line"),
        "families read, they do not plan"
    );
    let (status, _) = b
        .page(&format!(
            "/timetable/classes/{}/calendar",
            app.f.other_class
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = b.page("/timetable/desk").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
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
