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
