//! The family's diary over HTTP: the cabinet's pages and the diary API for a parent (two
//! children with consent), a pupil, staff and strangers; the consent gate (403 with the reason,
//! an explaining page), 404 for other people's children; homework files for families.

mod access;
mod cabinet;
mod sections;
mod week;

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{TestApp, post};
use serde_json::{Value, json};
use tabel_domain::calendar::WeeklyHours;
use tabel_store::school::{NewCurriculumItem, insert_curriculum_item};

/// What [`family_week`] made.
pub(crate) struct Week {
    /// 5А mathematics of 23–27.11.2026: Monday, Wednesday, Friday.
    pub lessons: Vec<Value>,
    /// The homework file on Friday's lesson.
    pub file: String,
}

/// A `multipart/form-data` body with one file.
fn multipart(name: &str, kind: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tabel-diary-boundary-7f3K";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: {kind}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn ok(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The journal tests' timetable (5А mathematics Mon 2, Wed 3, Fri 1; 5Б Tue 1), Иван's English
/// subgroup on Thursday 1 in room 12, and a week of 5А's journal: Иван's marks (Monday 4 for an
/// answer, Wednesday 5 for a control work, Friday 3), late on Monday, Wednesday's topic and
/// homework, Friday's homework due on Monday 30.11 with a file; Олег's mark on Monday. The next
/// week: Monday's lesson substituted, Wednesday's cancelled. A control work on 04.12 and a
/// recommendation for Иван.
pub(crate) async fn family_week(app: &TestApp) -> Week {
    let deputy = timetable(app).await;
    let f = &app.f;
    {
        // Control works need the subject in the curriculum (3 h a week, 102 a year).
        let mut tx = app.db.db.begin().await.unwrap();
        insert_curriculum_item(
            &mut tx.conn(),
            &NewCurriculumItem {
                school: f.school,
                year: f.year,
                grade: Some(5),
                group: None,
                subject: f.math,
                weekly: WeeklyHours::from_tenths(30),
                yearly: 102,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let res = post(app, &deputy, "/api/v1/timetable", json!({"group_id": f.subgroup.to_string(), "weekday": 4, "number": 1,
        "subject_id": f.english_subject.to_string(), "teacher_id": f.english.to_string(), "room": "12"})).await;
    ok(res, "english line").await;
    let lessons = lessons_5a(app, &deputy, "2026-11-23", "2026-11-27").await;
    assert_eq!(lessons.len(), 3);
    let (mon, wed, fri) = (id(&lessons[0]), id(&lessons[1]), id(&lessons[2]));
    let teacher = app.token("teacher").await;
    for (lesson, value, work) in [
        (&mon, "4", None),
        (&wed, "5", Some("control")),
        (&fri, "3", None),
    ] {
        let mut body =
            json!({"student_id": f.ivan.to_string(), "lesson_id": lesson, "value": value});
        if let Some(w) = work {
            body["work_type"] = json!(w);
        }
        ok(post(app, &teacher, "/api/v1/marks", body).await, "mark").await;
    }
    ok(
        post(
            app,
            &teacher,
            "/api/v1/marks",
            json!({"student_id": f.oleg.to_string(), "lesson_id": mon, "value": "4/5"}),
        )
        .await,
        "oleg's mark",
    )
    .await;
    ok(
        post(app, &teacher, "/api/v1/attendance", json!({"lesson_id": mon, "student_id": f.ivan.to_string(), "code": "оп", "minutes_late": 10})).await,
        "late",
    )
    .await;
    for (lesson, body) in [
        (
            &wed,
            json!({"version": 0, "topic": "Сложение дробей", "homework": "№ 245, 247", "homework_minutes": 30, "homework_due_on": "2026-11-27"}),
        ),
        (
            &fri,
            json!({"version": 0, "topic": "Вычитание дробей", "homework": "Карточка с задачами", "homework_minutes": 20, "homework_due_on": "2026-11-30"}),
        ),
    ] {
        let res = app
            .http
            .put(app.url(&format!("/api/v1/lessons/{lesson}")))
            .bearer_auth(&teacher)
            .json(&body)
            .send()
            .await
            .unwrap();
        ok(res, "record").await;
    }
    let (content_type, body) = multipart("Карточка.pdf", "application/pdf", b"%PDF-1.4 card");
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{fri}/files")))
        .bearer_auth(&teacher)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let file = id(&ok(res, "file").await);

    let next = lessons_5a(app, &deputy, "2026-11-30", "2026-12-04").await;
    assert_eq!(next.len(), 3);
    let res = post(app, &deputy, &format!("/api/v1/lessons/{}/substitution", id(&next[0])),
        json!({"teacher_id": f.english.to_string(), "reason": "болезнь учителя", "version": next[0]["version"]})).await;
    ok(res, "substitution").await;
    let res = post(
        app,
        &deputy,
        &format!("/api/v1/lessons/{}/cancellation", id(&next[1])),
        json!({"reason": "карантин", "version": next[1]["version"]}),
    )
    .await;
    ok(res, "cancellation").await;
    let res = post(app, &deputy, "/api/v1/assessments", json!({"class_id": f.class_5a.to_string(), "subject_id": f.math.to_string(),
        "date": "2026-12-04", "number": 1, "title": "Контрольная работа: дроби", "override_reason": "единственный урок недели после карантина"})).await;
    ok(res, "assessment").await;
    // Families see the schedule the deputy head approved and published.
    let res = post(
        app,
        &deputy,
        "/api/v1/assessment-schedule/approve",
        json!({"basis": "Приказ № 5"}),
    )
    .await;
    ok(res, "approval").await;
    let res = post(
        app,
        &deputy,
        "/api/v1/assessment-schedule/publish",
        json!({}),
    )
    .await;
    ok(res, "publication").await;
    let res = post(app, &teacher, "/api/v1/recommendations", json!({"student_id": f.ivan.to_string(),
        "subject_id": f.math.to_string(), "body": "Повторить сложение дробей с разными знаменателями."})).await;
    ok(res, "recommendation").await;
    Week { lessons, file }
}

/// Every cabinet page of a pupil.
fn pages(student: impl std::fmt::Display) -> Vec<String> {
    [
        "",
        "/week?week=2026-W48",
        "/marks",
        "/finals",
        "/assessments",
        "/homework",
        "/recommendations",
        "/teachers",
        "/calendar",
    ]
    .iter()
    .map(|e| format!("/diary/{student}{e}"))
    .collect()
}

#[tokio::test]
async fn the_openapi_document_describes_the_diary() {
    let app = TestApp::sqlite().await;
    let res = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc: Value = res.json().await.unwrap();
    for path in [
        "diary",
        "marks",
        "assessments",
        "teachers",
        "homework",
        "recommendations",
        "calendar",
    ] {
        let p = &doc["paths"][format!("/api/v1/students/{{id}}/{path}")]["get"];
        assert!(p.is_object(), "{path}");
        if path != "recommendations" {
            assert!(
                p["responses"]["403"].is_object() && p["responses"]["404"].is_object(),
                "{path}"
            );
        }
    }
    assert!(doc["components"]["schemas"]["DiaryWeekDto"].is_object());
}
