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
