//! Attendance by reason and the pupils over the threshold.

use super::line;
use crate::journal::{id, lessons_5a, timetable};
use crate::support::{TestApp, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::PersonId;

async fn absent(
    app: &TestApp,
    token: &str,
    student: PersonId,
    lesson: &Value,
    code: &str,
    late: Option<u16>,
) {
    let res = post(
        app,
        token,
        "/api/v1/attendance",
        json!({"student_id": student.to_string(), "lesson_id": id(lesson), "code": code, "minutes_late": late}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

async fn attendance_scenario(app: &TestApp) {
    let deputy = timetable(app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    // Second quarter so far: 6, 9, 11, 13, 16, 18, 20, 23, 25, 27 November — ten lessons.
    let l = lessons_5a(app, &deputy, "2026-11-05", "2026-11-28").await;
    assert_eq!(l.len(), 10);
    absent(app, &teacher, f.oleg, &l[1], "ill", None).await;
    absent(app, &teacher, f.oleg, &l[2], "ill", None).await;
    absent(app, &teacher, f.oleg, &l[3], "unexcused", None).await;
    absent(app, &teacher, f.ivan, &l[5], "late", Some(10)).await;
    // 30 minutes late of 45: a missed lesson.
    absent(app, &teacher, f.ivan, &l[6], "late", Some(30)).await;
    absent(app, &teacher, f.ivan, &l[7], "excused", None).await;

    let r = app
        .get_json(
            &format!("/api/v1/stats/attendance?class={}&threshold=25", f.class_5a),
            &teacher,
        )
        .await;
    let a5 = line(&r["by_class"], "5А");
    assert_eq!(
        [
            "pupils",
            "lessons",
            "missed",
            "ill",
            "excused",
            "unexcused",
            "late",
            "late_over_half"
        ]
        .map(|k| a5[k].as_u64().unwrap()),
        [2, 20, 5, 2, 1, 1, 2, 1]
    );
    assert_eq!(a5["missed_share"], 25.0);
    // Олег missed 3 of 10 (30 % > 25 %); Иван 2 of 10.
    let over = r["pupils_over_threshold"].as_array().unwrap();
    assert_eq!(over.len(), 1, "{over:?}");
    assert_eq!(over[0]["name"], "Сидоров Олег");
    assert_eq!(
        (over[0]["missed"].as_u64(), over[0]["missed_share"].as_f64()),
        (Some(3), Some(30.0))
    );
    // The whole school (the deputy): 5Б's Анна had three Tuesday lessons and missed none.
    let r = app
        .get_json("/api/v1/stats/attendance?threshold=10", &deputy)
        .await;
    assert_eq!(
        ["pupils", "lessons", "missed"].map(|k| r["total"][k].as_u64().unwrap()),
        [3, 23, 5]
    );
    assert_eq!(r["pupils_over_threshold"].as_array().unwrap().len(), 2);
    let b = line(&r["by_class"], "5Б");
    assert_eq!(
        (b["lessons"].as_u64(), b["missed"].as_u64()),
        (Some(3), Some(0))
    );
}

both_backends!(attendance_counts_missed_lessons_by_reason_and_lists_pupils_over_the_threshold);
async fn attendance_counts_missed_lessons_by_reason_and_lists_pupils_over_the_threshold(
    app: TestApp,
) {
    attendance_scenario(&app).await;
}
