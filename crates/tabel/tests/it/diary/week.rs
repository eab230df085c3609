//! The diary's week: times, changes, homework with files, marks and attendance; holidays; a week
//! read again.

use super::{family_week, ok};
use crate::journal::id;
use crate::support::{Backend, TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn lessons_of<'v>(week: &'v Value, date: &str) -> &'v Vec<Value> {
    week["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap_or_else(|| panic!("no day {date}: {week}"))["lessons"]
        .as_array()
        .unwrap()
}

both_backends!(
    a_parent_reads_each_childs_week_with_times_changes_homework_files_marks_and_attendance
);
async fn a_parent_reads_each_childs_week_with_times_changes_homework_files_marks_and_attendance(
    app: TestApp,
) {
    let w = family_week(&app).await;
    let f = &app.f;
    let parent = app.token("parent").await;

    let week = app
        .get_json(
            &format!("/api/v1/students/{}/diary?week=2026-W48", f.ivan),
            &parent,
        )
        .await;
    assert_eq!(week["week"], "2026-W48");
    assert_eq!(week["monday"], "2026-11-23");
    assert_eq!(
        (week["previous_week"].as_str(), week["next_week"].as_str()),
        (Some("2026-W47"), Some("2026-W49"))
    );
    assert_eq!(week["pupil"]["class"], "5А");
    let days: Vec<&str> = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        [
            "2026-11-23",
            "2026-11-24",
            "2026-11-25",
            "2026-11-26",
            "2026-11-27"
        ],
        "a five-day week"
    );

    let monday = &lessons_of(&week, "2026-11-23")[0];
    assert_eq!(
        (
            monday["number"].as_u64(),
            monday["starts"].as_str(),
            monday["ends"].as_str()
        ),
        (Some(2), Some("09:25"), Some("10:10"))
    );
    assert_eq!(monday["subject"], "Математика");
    assert_eq!(monday["teacher"], "Смирнова Е. В.");
    assert_eq!(monday["status"], "planned");
    let marks = monday["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 1, "Олег's mark is not Иван's: {marks:?}");
    assert_eq!(
        (marks[0]["value"].as_str(), marks[0]["weight"].as_u64()),
        (Some("4"), Some(2))
    );
    assert_eq!(
        monday["attendance"],
        json!({"code": "late", "minutes_late": 10})
    );
    assert!(
        lessons_of(&week, "2026-11-24").is_empty(),
        "5Б's lesson is not Иван's"
    );
    let wednesday = &lessons_of(&week, "2026-11-25")[0];
    assert_eq!(wednesday["topic"], "Сложение дробей");
    assert_eq!(wednesday["homework"], "№ 245, 247");
    assert_eq!(wednesday["homework_due_on"], "2026-11-27");
    assert_eq!(wednesday["marks"][0]["work_type"], "control");
    assert!(
        wednesday["marks"][0]["work_type_name"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("контрольн")
    );
    assert_eq!(wednesday["marks"][0]["weight"], 5);
    let thursday = &lessons_of(&week, "2026-11-26")[0];
    assert_eq!(
        (thursday["group"].as_str(), thursday["room"].as_str()),
        (Some("5А англ. 1"), Some("12")),
        "the subgroup's lesson"
    );
    let friday = &lessons_of(&week, "2026-11-27")[0];
    assert_eq!(friday["homework_due_on"], "2026-11-30");
    let files = friday["homework_files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["file_name"], "Карточка.pdf");
    assert_eq!(files[0]["url"], format!("/api/v1/files/{}", w.file));
    assert!(week["other_marks"].as_array().unwrap().is_empty());

    // The next week's changes: a substitution with the replaced teacher, a cancellation.
    let next = app
        .get_json(
            &format!("/api/v1/students/{}/diary?week=2026-W49", f.ivan),
            &parent,
        )
        .await;
    let monday = &lessons_of(&next, "2026-11-30")[0];
    assert_eq!(monday["status"], "substituted");
    assert_eq!(monday["teacher"], "Кузнецова О. И.");
    assert_eq!(monday["change"]["original_teacher"], "Смирнова Е. В.");
    assert_eq!(monday["change"]["reason"], "болезнь учителя");
    assert_eq!(lessons_of(&next, "2026-12-02")[0]["status"], "cancelled");

    // The other child: her own class's lesson, nothing of her brother's.
    let anna = app
        .get_json(
            &format!("/api/v1/students/{}/diary?week=2026-W48", f.anna),
            &parent,
        )
        .await;
    assert_eq!(anna["pupil"]["class"], "5Б");
    let tuesday = lessons_of(&anna, "2026-11-24");
    assert_eq!(tuesday.len(), 1);
    assert_eq!(tuesday[0]["teacher"], "Кузнецова О. И.");
    assert!(lessons_of(&anna, "2026-11-23").is_empty());

    // The default week is today's (Saturday 28.11 belongs to W48); a malformed week is 422.
    let now = app
        .get_json(&format!("/api/v1/students/{}/diary", f.ivan), &parent)
        .await;
    assert_eq!(now["week"], "2026-W48");
    for bad in ["2026-48", "2026-W54", "W48", "2026-W4"] {
        let p = assert_problem(
            app.get(
                &format!("/api/v1/students/{}/diary?week={bad}", f.ivan),
                &parent,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["errors"]["week"].is_string(), "{bad}: {p}");
    }
}

both_backends!(holidays_show_in_the_week_and_in_the_calendar(backend));
async fn holidays_show_in_the_week_and_in_the_calendar(backend: Backend) {
    use tabel_domain::school::DayOffKind;
    use tabel_store::school::{Holiday, insert_holiday};
    let app = TestApp::start(backend).await;
    family_week(&app).await;
    let f = &app.f;
    {
        let mut tx = app.db.db.begin().await.unwrap();
        let holiday = Holiday {
            id: tabel_domain::HolidayId::new(0),
            kind: DayOffKind::Holiday,
            name: "Осенние каникулы".into(),
            starts_on: time::macros::date!(2026 - 10 - 26),
            ends_on: time::macros::date!(2026 - 11 - 04),
            only_grade: None,
        };
        insert_holiday(&mut tx.conn(), f.school, f.year, &holiday)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let parent = app.token("parent").await;
    let week = app
        .get_json(
            &format!("/api/v1/students/{}/diary?week=2026-W44", f.ivan),
            &parent,
        )
        .await;
    for day in week["days"].as_array().unwrap() {
        assert_eq!(day["day_off"], "Осенние каникулы", "{day}");
    }
    let html = app
        .browser("parent")
        .await
        .parsed(&format!("/diary/{}/week?week=2026-W44", f.ivan))
        .await
        .1;
    assert!(
        html.texts("#week .diary-day p.badge")
            .iter()
            .any(|d| d.contains("Осенние каникулы")),
        "{}",
        html.text("#week")
    );
    let c = app
        .get_json(&format!("/api/v1/students/{}/calendar", f.ivan), &parent)
        .await;
    assert_eq!(c["days_off"][0]["name"], "Осенние каникулы");
    assert_eq!(c["days_off"][0]["starts_on"], "2026-10-26");
}

both_backends!(a_week_read_again_shows_what_changed_meanwhile_and_the_gate_comes_first);
/// A week already built is reused only while nothing of the school has changed: a mark, a
/// topic, a substitution made meanwhile shows on the next read; and the gate is asked before any
/// week is reused — a withdrawal closes the cached week at once.
async fn a_week_read_again_shows_what_changed_meanwhile_and_the_gate_comes_first(app: TestApp) {
    let w = family_week(&app).await;
    let f = &app.f;
    let parent = app.token("parent").await;
    let path = format!("/api/v1/students/{}/diary?week=2026-W48", f.ivan);
    let marks_on = |week: &Value, date: &str| -> Vec<String> {
        lessons_of(week, date)
            .iter()
            .flat_map(|l| l["marks"].as_array().cloned().unwrap_or_default())
            .map(|m| m["value"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let before = app.get_json(&path, &parent).await;
    assert_eq!(
        app.get_json(&path, &parent).await,
        before,
        "the same week twice"
    );
    assert_eq!(marks_on(&before, "2026-11-25"), ["5"]);

    // The teacher adds a mark on Wednesday.
    let teacher = app.token("teacher").await;
    let wed = id(&w.lessons[1]);
    ok(
        post(
            &app,
            &teacher,
            "/api/v1/marks",
            json!({"student_id": f.ivan.to_string(),
            "lesson_id": wed, "value": "4", "work_type": "answer"}),
        )
        .await,
        "second mark",
    )
    .await;
    let after = app.get_json(&path, &parent).await;
    let mut wednesday = marks_on(&after, "2026-11-25");
    wednesday.sort();
    assert_eq!(wednesday, ["4", "5"], "{after}");
    let page = app.browser("parent").await;
    let (_, html) = page
        .parsed(&format!("/diary/{}/week?week=2026-W48", f.ivan))
        .await;
    let wednesday = html.texts("#day-2026-11-25 .lesson-result").join("\n");
    assert!(wednesday.contains("Ответ на уроке"), "{wednesday}");

    // The school records the parent's withdrawal: the week she just read is closed to her.
    let admin = app.token("admin").await;
    let res = post(
        &app,
        &admin,
        "/api/v1/consents/withdrawal",
        json!({"parent_id": f.parent.to_string(), "student_id": f.ivan.to_string(), "purpose": "diary",
            "basis": {"kind": "written_application", "number": "90", "date": "2026-11-27"}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let problem = assert_problem(app.get(&path, &parent).await, StatusCode::FORBIDDEN).await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
}
