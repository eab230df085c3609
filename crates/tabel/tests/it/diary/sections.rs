//! The diary's other sections: marks by subject with the grid's average, control works, teachers,
//! the homework calendar and recommendations.

use super::family_week;
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(marks_by_subject_carry_the_same_weighted_average_as_the_teachers_grid);
async fn marks_by_subject_carry_the_same_weighted_average_as_the_teachers_grid(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let parent = app.token("parent").await;
    let marks = app
        .get_json(&format!("/api/v1/students/{}/marks", f.ivan), &parent)
        .await;
    assert_eq!(marks["period"]["number"], 2);
    assert_eq!(marks["periods"].as_array().unwrap().len(), 2);
    let subjects = marks["subjects"].as_array().unwrap();
    let math = subjects
        .iter()
        .find(|s| s["subject"] == "Математика")
        .unwrap();
    // (4·2 + 5·5 + 3·2) / 9 = 4.33
    assert_eq!(math["average"], "4.33");
    assert_eq!(math["marks_counted"], 3);
    let values: Vec<(&str, &str, u64)> = math["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["date"].as_str().unwrap(),
                m["value"].as_str().unwrap(),
                m["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("2026-11-23", "4", 2),
            ("2026-11-25", "5", 5),
            ("2026-11-27", "3", 2)
        ]
    );
    // Lessons so far in the quarter (from Friday 06.11 to Friday 27.11), not the weeks ahead.
    assert_eq!(math["lessons"], 10, "{math}");
    assert_eq!(marks["attendance"]["lessons"], 14, "and four of English");
    assert_eq!(math["lates"], 1);
    assert_eq!(marks["attendance"]["late"], 1);
    assert_eq!(marks["attendance"]["missed"], 0);
    let english = subjects
        .iter()
        .find(|s| s["subject"] == "Иностранный язык (английский)")
        .unwrap();
    assert_eq!(english["average"], "—");

    let grid = app
        .get_json(
            &format!("/api/v1/journal?group={}&subject={}", f.class_5a, f.math),
            &app.token("teacher").await,
        )
        .await;
    let row = grid["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == f.ivan.to_string())
        .unwrap();
    assert_eq!(
        row["average"], math["average"],
        "the diary and the grid agree"
    );

    // The first quarter: no marks. Bad periods: 422.
    let first = marks["periods"][0]["id"].as_str().unwrap();
    let q1 = app
        .get_json(
            &format!("/api/v1/students/{}/marks?period={first}", f.ivan),
            &parent,
        )
        .await;
    assert_eq!(q1["period"]["number"], 1);
    assert!(
        q1["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["marks"].as_array().unwrap().is_empty())
    );
    for bad in ["abc", "999999"] {
        assert_problem(
            app.get(
                &format!("/api/v1/students/{}/marks?period={bad}", f.ivan),
                &parent,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
}

both_backends!(control_works_teachers_homework_calendar_and_recommendations_of_a_pupil);
async fn control_works_teachers_homework_calendar_and_recommendations_of_a_pupil(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let student = app.token("student").await;
    let base = format!("/api/v1/students/{}", f.ivan);

    let a = app.get_json(&format!("{base}/assessments"), &student).await;
    let list = a["assessments"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{a}");
    assert_eq!(
        (list[0]["date"].as_str(), list[0]["subject"].as_str()),
        (Some("2026-12-04"), Some("Математика"))
    );
    assert_eq!(list[0]["title"], "Контрольная работа: дроби");
    let first = a["periods"][0]["id"].as_str().unwrap();
    let q1 = app
        .get_json(&format!("{base}/assessments?period={first}"), &student)
        .await;
    assert!(q1["assessments"].as_array().unwrap().is_empty());

    let t = app.get_json(&format!("{base}/teachers"), &student).await;
    assert_eq!(t["class_teacher"], "Смирнова Е. В.");
    let teachers: Vec<(&str, &str, &str)> = t["teachers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap(),
                x["subject"].as_str().unwrap(),
                x["group_kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        teachers,
        [
            ("Смирнова Елена Викторовна", "Математика", "class"),
            (
                "Кузнецова Ольга Игоревна",
                "Иностранный язык (английский)",
                "subgroup"
            ),
        ],
        "5Б's teacher of mathematics is not Иван's"
    );

    let h = app
        .get_json(
            &format!("{base}/homework?from=2026-11-23&to=2026-12-06"),
            &student,
        )
        .await;
    let items: Vec<(&str, &str, &str)> = h["homework"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["due_on"].as_str().unwrap(),
                x["assigned_on"].as_str().unwrap(),
                x["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("2026-11-27", "2026-11-25", "№ 245, 247"),
            ("2026-11-30", "2026-11-27", "Карточка с задачами")
        ]
    );
    assert_eq!(h["homework"][1]["files"][0]["file_name"], "Карточка.pdf");
    // By default from today (28.11) for two weeks: only what is still due.
    let soon = app.get_json(&format!("{base}/homework"), &student).await;
    assert_eq!(
        (soon["from"].as_str(), soon["to"].as_str()),
        (Some("2026-11-28"), Some("2026-12-11"))
    );
    assert_eq!(soon["homework"].as_array().unwrap().len(), 1);
    for bad in [
        "from=2026-12-01&to=2026-11-01",
        "from=2026-09-01&to=2026-12-01",
        "from=28.11.2026",
    ] {
        assert_problem(
            app.get(&format!("{base}/homework?{bad}"), &student).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }

    let c = app.get_json(&format!("{base}/calendar"), &student).await;
    assert_eq!(
        (c["year"].as_str(), c["week_days"].as_u64()),
        (Some("2026/2027"), Some(5))
    );
    assert_eq!(c["periods"].as_array().unwrap().len(), 2);
    assert_eq!(c["bells"].as_array().unwrap().len(), 6);
    assert_eq!(
        c["bells"][0],
        json!({"number": 1, "starts": "08:30", "ends": "09:15"})
    );

    let r = app
        .get_json(&format!("{base}/recommendations"), &student)
        .await;
    assert_eq!(
        r[0]["body"],
        "Повторить сложение дробей с разными знаменателями."
    );
}
