//! Changing the timetable from the pages (issue 18, point 1): a lesson's page (transfer, room,
//! substitution, cancellation), a class's week (an extra lesson, a shortened day, the move to the
//! other shift with its clashes listed first), and the assessment procedures a change broke,
//! listed and moved.

use super::{plan, week_of};
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::calendar::WeeklyHours;
use tabel_store::school::{NewCurriculumItem, insert_curriculum_item};

/// A form's fields as `post_form` takes them.
fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

both_backends!(a_planner_moves_changes_and_adds_lessons_from_the_pages);
async fn a_planner_moves_changes_and_adds_lessons_from_the_pages(app: TestApp) {
    let token = plan(&app).await;
    let f = &app.f;
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    let monday = week
        .iter()
        .find(|l| l["date"] == "2026-11-23" && l["number"] == 1)
        .unwrap()
        .clone();
    let wednesday = week
        .iter()
        .find(|l| l["date"] == "2026-11-25" && l["number"] == 1)
        .unwrap()
        .clone();
    let id = monday["id"].as_str().unwrap();
    let b = app.browser("zavuch").await;
    // The class's week links each lesson to its changes.
    let (status, page) = b
        .parsed(&format!(
            "/timetable/classes/{}?week=2026-11-23",
            f.class_5a
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let links = page.attrs("#week div.lesson a", "href");
    assert!(
        links.contains(&format!("/timetable/lessons/{id}")),
        "{links:?}"
    );
    assert!(page.has("#extra-form") && page.has("#bell-day-form") && page.has("#shift-link"));
    let (status, page) = b.parsed(&format!("/timetable/lessons/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.has("#transfer-form") && page.has("#room-form") && page.has("#cancel-form"));
    // A transfer: back to the class's week of the new date.
    let version = monday["version"].to_string();
    let res = b
        .post_form(
            &format!("/timetable/lessons/{id}/transfer"),
            &[
                ("version", &version),
                ("date", "2026-11-24"),
                ("number", "3"),
                ("reason", "экскурсия"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        format!(
            "/timetable/classes/{}?week=2026-11-24&done=changed",
            f.class_5a
        )
    );
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    let moved = week.iter().find(|l| l["id"] == monday["id"]).unwrap();
    assert_eq!(
        (
            moved["date"].as_str(),
            moved["number"].as_u64(),
            moved["status"].as_str()
        ),
        (Some("2026-11-24"), Some(3), Some("transferred"))
    );
    // Onto Monday's lesson 2 the teacher has 5Б: the page says so (409) and nothing moves.
    let version = wednesday["version"].to_string();
    let wid = wednesday["id"].as_str().unwrap();
    let res = b
        .post_form(
            &format!("/timetable/lessons/{wid}/transfer"),
            &[
                ("version", &version),
                ("date", "2026-11-23"),
                ("number", "2"),
                ("reason", "перенос"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    // A reason is required (422, the page again).
    let res = b
        .post_form(
            &format!("/timetable/lessons/{wid}/transfer"),
            &[
                ("version", &version),
                ("date", "2026-11-26"),
                ("number", "3"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A room change.
    let res = b
        .post_form(
            &format!("/timetable/lessons/{wid}/room"),
            &[("version", &version), ("room", "33"), ("reason", "ремонт")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    let same = week.iter().find(|l| l["id"] == wednesday["id"]).unwrap();
    assert_eq!(same["room"], "33");
    assert_eq!(same["date"], "2026-11-25");
    // An extra lesson for the class; a group of another class is refused.
    let extra = |group: String| -> Vec<(&'static str, String)> {
        vec![
            ("group_id", group),
            ("date", "2026-11-26".to_owned()),
            ("number", "4".to_owned()),
            ("subject_id", f.math.to_string()),
            ("teacher_id", f.teacher.to_string()),
            ("room", "21".to_owned()),
            ("reason", "консультация".to_owned()),
        ]
    };
    let extra_path = format!("/timetable/classes/{}/extra", f.class_5a);
    let res = b
        .post_form(&extra_path, &pairs(&extra(f.class_5b.to_string())))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ours = extra(f.class_5a.to_string());
    let res = b.post_form(&extra_path, &pairs(&ours)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).ends_with("done=extra"), "{}", location(&res));
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    let added = week
        .iter()
        .find(|l| l["date"] == "2026-11-26" && l["number"] == 4)
        .expect("the extra lesson");
    assert_eq!(added["status"], "extra");
    // A shortened Thursday: the short bells first, then the day follows them.
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
    let res = b
        .post_form(
            &format!("/timetable/classes/{}/bell-day", f.class_5a),
            &[("date", "2026-11-26"), ("variant", "short")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    let thursday = week
        .iter()
        .find(|l| l["date"] == "2026-11-26" && l["number"] == 4)
        .unwrap();
    assert_eq!(
        thursday["starts"], "11:00",
        "Thursday follows the short bells"
    );
    // Who may not: a teacher and a parent of the school (403), another school's admin (404).
    for (login, expected) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let other = app.browser(login).await;
        let (status, _) = other.page(&format!("/timetable/lessons/{wid}")).await;
        assert_eq!(status, expected, "{login} reads the lesson's page");
        let res = other
            .post_form(
                &format!("/timetable/lessons/{wid}/room"),
                &[("version", &version), ("room", "1"), ("reason", "x")],
            )
            .await;
        assert_eq!(res.status(), expected, "{login} changes the room");
        let res = other.post_form(&extra_path, &pairs(&ours)).await;
        assert!(
            res.status() == expected || res.status() == StatusCode::NOT_FOUND,
            "{login} adds a lesson: {}",
            res.status()
        );
    }
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    assert_eq!(
        week.iter().find(|l| l["id"] == wednesday["id"]).unwrap()["room"],
        "33",
        "nobody else changed it"
    );
}

/// Second-shift bells whose first lesson runs with the first shift's second (09:25–10:10).
async fn second_shift_bells(app: &TestApp, token: &str) {
    let bells: Vec<Value> = (1..=6)
        .map(|n: u16| {
            let start = 9 * 60 + 25 + (n - 1) * 55;
            json!({"number": n, "starts": format!("{:02}:{:02}", start / 60, start % 60),
                "ends": format!("{:02}:{:02}", (start + 45) / 60, (start + 45) % 60)})
        })
        .collect();
    let res = app
        .http
        .put(app.url("/api/v1/bells"))
        .bearer_auth(token)
        .json(&json!({"shift": 2, "slots": bells}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

both_backends!(moving_a_class_to_the_other_shift_lists_its_clashes_before_it_is_applied);
async fn moving_a_class_to_the_other_shift_lists_its_clashes_before_it_is_applied(app: TestApp) {
    let token = plan(&app).await;
    second_shift_bells(&app, &token).await;
    let f = &app.f;
    // In the second shift 5А's Monday lesson 1 (mathematics, Смирнова) runs at 09:25, when she
    // teaches 5Б its lesson 2 in the first.
    let clashes = app
        .get_json(
            &format!("/api/v1/classes/{}/shift-conflicts?shift=2", f.class_5a),
            &token,
        )
        .await;
    let clashes = clashes.as_array().unwrap();
    assert!(
        clashes.iter().any(|c| c["kind"] == "teacher"
            && c["weekday"] == 1
            && c["number"] == 1
            && c["other_group"] == "5Б"
            && c["other_number"] == 2),
        "{clashes:?}"
    );
    let res = app
        .http
        .put(app.url(&format!("/api/v1/classes/{}/shift", f.class_5a)))
        .bearer_auth(&token)
        .json(&json!({"shift": 2}))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(body["detail"].as_str().unwrap().contains("5Б"), "{body}");
    // The page lists them, and moves only with them accepted.
    let b = app.browser("zavuch").await;
    let (status, page) = b
        .parsed(&format!("/timetable/classes/{}/shift?to=2", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = page.select_rows("#conflicts tbody tr");
    assert!(rows.iter().any(|r| r.join(" ").contains("5Б")), "{rows:?}");
    let res = b
        .post_form(
            &format!("/timetable/classes/{}/shift", f.class_5a),
            &[("shift", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let teacher = app.browser("teacher").await;
    let (status, _) = teacher
        .page(&format!("/timetable/classes/{}/shift?to=2", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = teacher
        .post_form(
            &format!("/timetable/classes/{}/shift", f.class_5a),
            &[("shift", "2"), ("accept", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let other = app.token("admin2").await;
    let res = app
        .http
        .get(app.url(&format!(
            "/api/v1/classes/{}/shift-conflicts?shift=2",
            f.class_5a
        )))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    assert_eq!(week[0]["starts"], "08:30", "still the first shift");
    let res = b
        .post_form(
            &format!("/timetable/classes/{}/shift", f.class_5a),
            &[("shift", "2"), ("accept", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).ends_with("done=shift"));
    let week = week_of(&app, &token, &format!("class={}", f.class_5a)).await;
    assert_eq!(week[0]["starts"], "09:25", "the second shift's bells");
    // Without clashes a move back needs no acceptance.
    let (_, page) = b
        .parsed(&format!("/timetable/classes/{}/shift?to=1", f.class_5a))
        .await;
    assert!(page.has("#shift-clear"));
    let res = app
        .http
        .put(app.url(&format!("/api/v1/classes/{}/shift", f.class_5a)))
        .bearer_auth(&token)
        .json(&json!({"shift": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

both_backends!(a_procedure_a_transfer_broke_is_listed_and_moved);
async fn a_procedure_a_transfer_broke_is_listed_and_moved(app: TestApp) {
    let f = &app.f;
    {
        let mut tx = app.db.db.begin().await.unwrap();
        insert_curriculum_item(
            &mut tx.conn(),
            &NewCurriculumItem {
                school: f.school,
                year: f.year,
                grade: Some(5),
                group: None,
                subject: f.math,
                weekly: WeeklyHours::from_tenths(20),
                yearly: 68,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let token = app.token("zavuch").await;
    app.standard_bells(&token).await;
    // 5А's Tuesday: English 1 and 3 (the subgroup), mathematics 2.
    for (group, number, subject, teacher) in [
        (f.subgroup, 1, f.english_subject, f.english),
        (f.class_5a, 2, f.math, f.teacher),
        (f.subgroup, 3, f.english_subject, f.english),
    ] {
        let res = super::add(
            &app,
            &token,
            json!({"group_id": group.to_string(), "weekday": 2, "number": number, "subject_id": subject.to_string(), "teacher_id": teacher.to_string()}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let res = crate::support::post(
        &app,
        &token,
        "/api/v1/assessments",
        json!({"class_id": f.class_5a.to_string(), "subject_id": f.math.to_string(), "date": "2026-12-01", "number": 2, "title": "Контрольная работа «Дроби»"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let planned: Value = res.json().await.unwrap();
    let procedure = planned["id"].as_str().unwrap().to_owned();
    let to_move = format!("/api/v1/assessments/to-move?class={}", f.class_5a);
    assert_eq!(app.get_json(&to_move, &token).await, json!([]));
    // The lesson under the procedure moves to Thursday from its page.
    let lessons = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-12-01&to=2026-12-01",
                f.class_5a
            ),
            &token,
        )
        .await;
    let math = lessons
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["number"] == 2)
        .unwrap()
        .clone();
    let b = app.browser("zavuch").await;
    let res = b
        .post_form(
            &format!(
                "/timetable/lessons/{}/transfer",
                math["id"].as_str().unwrap()
            ),
            &[
                ("version", &math["version"].to_string()),
                ("date", "2026-12-03"),
                ("number", "4"),
                ("reason", "олимпиада"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The class's week, the API and the schedule page say what no longer holds.
    let (_, page) = b.parsed(&location(&res)).await;
    assert!(
        page.text("#to-move").contains("Дроби"),
        "{}",
        page.text("#to-move")
    );
    let listed = app.get_json(&to_move, &token).await;
    assert_eq!(listed[0]["assessment"]["id"], procedure.as_str());
    assert!(!listed[0]["broken"].as_array().unwrap().is_empty());
    let (_, page) = b
        .parsed(&format!("/assessments?class={}", f.class_5a))
        .await;
    assert!(page.has(&format!("#assessment-{procedure} form.move-form")));
    // Moving it onto a day without mathematics is refused; onto the next Tuesday it holds.
    let res = b
        .post_form(
            &format!("/assessments/{procedure}/move"),
            &[
                ("class_id", &f.class_5a.to_string()),
                ("date", "2026-12-02"),
                ("number", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let teacher = app.token("teacher").await;
    let res = crate::support::post(
        &app,
        &teacher,
        &format!("/api/v1/assessments/{procedure}/move"),
        json!({"date": "2026-12-08", "number": 2}),
    )
    .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = app
        .http
        .get(app.url(&to_move))
        .bearer_auth(&teacher)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = b
        .post_form(
            &format!("/assessments/{procedure}/move"),
            &[
                ("class_id", &f.class_5a.to_string()),
                ("date", "2026-12-08"),
                ("number", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).ends_with("done=moved"));
    assert_eq!(app.get_json(&to_move, &token).await, json!([]));
    let list = app
        .get_json(&format!("/api/v1/assessments?class={}", f.class_5a), &token)
        .await;
    assert_eq!(list[0]["date"], "2026-12-08");
    // The move is audited with where it stood.
    let mut c = app.db.db.acquire().await.unwrap();
    let last = tabel_store::audit::history_of(&mut c.conn(), "assessment", &procedure, 1)
        .await
        .unwrap();
    assert_eq!(last[0].action, "assessment.move");
    assert!(
        last[0]
            .before_json
            .as_deref()
            .unwrap_or_default()
            .contains("2026-12-01")
    );
}
