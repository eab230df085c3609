//! Who reads which pupil, what a missing object and an object out of reach answer, and the
//! permission matrix: every route of the router × every role × an object in reach and one out of
//! it, against the table in `permissions.tsv`.

use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;

/// Everything the school shows of one pupil, one endpoint each.
const PUPIL_READS: &[&str] = &[
    "",
    "/diary",
    "/marks",
    "/finals",
    "/forecast",
    "/debts",
    "/exams",
    "/record",
    "/homework",
    "/assessments",
    "/calendar",
    "/teachers",
    "/recommendations",
];

async fn pupil_reads(
    app: &TestApp,
    token: &str,
    pupil: tabel_domain::PersonId,
) -> Vec<(String, StatusCode)> {
    let mut out = Vec::new();
    for tail in PUPIL_READS {
        let path = format!("/api/v1/students/{pupil}{tail}");
        let status = app.get(&path, token).await.status();
        out.push((path, status));
    }
    out
}

both_backends!(a_teacher_reads_only_the_pupils_they_teach);
async fn a_teacher_reads_only_the_pupils_they_teach(app: TestApp) {
    let f = &app.f;
    // `english` teaches Иван (the English subgroup) and Анна (mathematics in 5Б), not Олег;
    // `teacher` teaches 5А and leads it (Иван, Олег), not Анна of 5Б.
    for (login, taught, untaught) in [
        ("english", [f.ivan, f.anna], f.oleg),
        ("teacher", [f.ivan, f.oleg], f.anna),
    ] {
        let token = app.token(login).await;
        for pupil in taught {
            for (path, status) in pupil_reads(&app, &token, pupil).await {
                assert_eq!(status, StatusCode::OK, "{login} GET {path}");
            }
        }
        for tail in PUPIL_READS {
            let path = format!("/api/v1/students/{untaught}{tail}");
            let body = assert_problem(app.get(&path, &token).await, StatusCode::FORBIDDEN).await;
            assert_eq!(body["status"], 403, "{login} GET {path}");
        }
    }
    // The school's administration reads every pupil; another school's nothing.
    for login in ["admin", "zavuch"] {
        let token = app.token(login).await;
        for pupil in [f.ivan, f.anna, f.oleg] {
            for (path, status) in pupil_reads(&app, &token, pupil).await {
                assert_eq!(status, StatusCode::OK, "{login} GET {path}");
            }
        }
    }
    let admin2 = app.token("admin2").await;
    for (path, status) in pupil_reads(&app, &admin2, f.oleg).await {
        assert_eq!(status, StatusCode::NOT_FOUND, "admin2 GET {path}");
    }
}

both_backends!(a_standalone_mark_is_written_by_the_assigned_teacher_not_by_a_substitute_nearby);
async fn a_standalone_mark_is_written_by_the_assigned_teacher_not_by_a_substitute_nearby(
    app: TestApp,
) {
    use crate::journal::{id, lessons_5a, timetable};
    use crate::support::post;
    use serde_json::json;
    let deputy = timetable(&app).await;
    let f = &app.f;
    let monday = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await[0].clone();
    // `english` substitutes Monday's mathematics in 5А: that lesson is hers to write on.
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/lessons/{}/substitution", id(&monday)),
        json!({"teacher_id": f.english.to_string(), "reason": "болезнь учителя", "version": monday["version"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let standalone = json!({"student_id": f.oleg.to_string(), "group_id": f.class_5a.to_string(),
        "subject_id": f.math.to_string(), "date": "2026-11-23", "value": "5", "work_type": "test"});
    // A standalone work on that date is the journal's, not the lesson's: she is not assigned
    // to mathematics in 5А, so she does not write it.
    let english = app.token("english").await;
    assert_problem(
        post(&app, &english, "/api/v1/marks", standalone.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The teacher assigned to mathematics in 5А does.
    let teacher = app.token("teacher").await;
    let res = post(&app, &teacher, "/api/v1/marks", standalone).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

/// The problem a request gets, for comparing an object out of reach with a missing one.
async fn problem(app: &TestApp, path: &str, token: &str) -> serde_json::Value {
    assert_problem(app.get(path, token).await, StatusCode::NOT_FOUND).await
}

both_backends!(another_familys_lesson_files_and_history_answer_as_if_missing);
async fn another_familys_lesson_files_and_history_answer_as_if_missing(app: TestApp) {
    use crate::homework_files::multipart;
    use crate::journal::{id, timetable};
    let deputy = timetable(&app).await;
    let f = &app.f;
    // Tuesday's mathematics in 5Б (Анна's class, taught by `english`), with a file attached.
    let lessons = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-23&to=2026-11-27",
                f.class_5b
            ),
            &deputy,
        )
        .await;
    let lesson = id(&lessons.as_array().unwrap()[0]);
    let (content_type, body) = multipart(Some(("задание.txt", "text/plain", b"x")), &[]);
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{lesson}/files")))
        .bearer_auth(app.token("english").await)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let file = id(&res.json().await.unwrap());
    let missing = "987654321";
    // Иван (5А) and Олег's mother have nothing to do with 5Б: the lesson, its files and its
    // cells answer exactly as ids that do not exist.
    for login in ["student", "refuser"] {
        let token = app.token(login).await;
        for (real, gone) in [
            (
                format!("/api/v1/files/{file}"),
                format!("/api/v1/files/{missing}"),
            ),
            (
                format!("/api/v1/lessons/{lesson}/files"),
                format!("/api/v1/lessons/{missing}/files"),
            ),
            (
                format!("/api/v1/cells/history?lesson={lesson}&student={}", f.anna),
                format!("/api/v1/cells/history?lesson={missing}&student={}", f.anna),
            ),
        ] {
            assert_eq!(
                problem(&app, &real, &token).await,
                problem(&app, &gone, &token).await,
                "{login} GET {real}"
            );
        }
    }
    // Анна's mother downloads the file from the diary; the journal's list stays the school's.
    let parent = app.token("parent").await;
    assert_eq!(
        app.get(&format!("/api/v1/files/{file}"), &parent)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.get(&format!("/api/v1/lessons/{lesson}/files"), &parent)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

both_backends!(the_finals_of_a_class_out_of_reach_answer_as_a_missing_class);
async fn the_finals_of_a_class_out_of_reach_answer_as_a_missing_class(app: TestApp) {
    let f = &app.f;
    let missing = "/api/v1/finals?class=987654321";
    for (login, class) in [
        ("admin", f.other_class),
        ("admin2", f.class_5a),
        ("student", f.class_5b),
        ("refuser", f.class_5b),
    ] {
        let token = app.token(login).await;
        assert_eq!(
            problem(&app, &format!("/api/v1/finals?class={class}"), &token).await,
            problem(&app, missing, &token).await,
            "{login}"
        );
    }
    // A family knows its own class: refused, not hidden.
    assert_problem(
        app.get(
            &format!("/api/v1/finals?class={}", f.class_5a),
            &app.token("parent").await,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The school reads its own.
    assert_eq!(
        app.get(
            &format!("/api/v1/finals?class={}", f.class_5a),
            &app.token("zavuch").await,
        )
        .await
        .status(),
        StatusCode::OK
    );
}
