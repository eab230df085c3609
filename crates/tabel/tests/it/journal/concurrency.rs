//! Versions and conflicts of a cell, and no acknowledged mark lost to a killed server.

use super::{id, lessons_5a, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(two_writers_of_one_cell_one_wins_and_the_other_is_told);
async fn two_writers_of_one_cell_one_wins_and_the_other_is_told(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let monday = id(&lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await[0]);
    let teacher = app.token("teacher").await;
    // Two devices of the teacher create the same empty cell at the same moment.
    let body = |v: &str| json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": v});
    let (a, b) = tokio::join!(
        post(&app, &teacher, "/api/v1/marks", body("4")),
        post(&app, &teacher, "/api/v1/marks", body("5"))
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let (winner, loser) = if a.status() == StatusCode::CREATED {
        (a, b)
    } else {
        (b, a)
    };
    let winner: Value = winner.json().await.unwrap();
    let problem = assert_problem(loser, StatusCode::CONFLICT).await;
    assert_eq!(problem["type"], "urn:tabel:problem:version-conflict");
    let mark_id = id(&winner);
    // Both read version 1 and change it: the first wins, the second gets the current value.
    let first = put(
        &app,
        &teacher,
        &format!("/api/v1/marks/{mark_id}"),
        json!({"version": 1, "value": "3"}),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = put(
        &app,
        &teacher,
        &format!("/api/v1/marks/{mark_id}"),
        json!({"version": 1, "value": "2"}),
    )
    .await;
    let problem = assert_problem(second, StatusCode::CONFLICT).await;
    assert_eq!(problem["current"]["value"], "3");
    assert_eq!(problem["current"]["version"], 2);
    // A stale delete changes nothing; a fresh one removes the mark.
    let stale = app
        .http
        .delete(app.url(&format!("/api/v1/marks/{mark_id}?version=1")))
        .bearer_auth(&teacher)
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::CONFLICT).await;
    let gone = app
        .http
        .delete(app.url(&format!("/api/v1/marks/{mark_id}?version=2")))
        .bearer_auth(&teacher)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    // Attendance: a second record of a cell without the version is a conflict with the current one.
    let a = post(
        &app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": monday, "student_id": f.ivan.to_string(), "code": "н"}),
    )
    .await;
    assert_eq!(a.status(), StatusCode::OK);
    let b = post(&app, &teacher, "/api/v1/attendance", json!({"lesson_id": monday, "student_id": f.ivan.to_string(), "code": "оп", "minutes_late": 10})).await;
    let problem = assert_problem(b, StatusCode::CONFLICT).await;
    assert_eq!(problem["current"]["code"], "unexcused");
    let b = post(&app, &teacher, "/api/v1/attendance", json!({"lesson_id": monday, "student_id": f.ivan.to_string(), "code": "оп", "minutes_late": 10, "version": 1})).await;
    assert_eq!(b.status(), StatusCode::OK);
    let lesson_record = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{monday}"),
        json!({"version": 0, "topic": "A"}),
    )
    .await;
    assert_eq!(lesson_record.status(), StatusCode::OK);
    let stale_record = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{monday}"),
        json!({"version": 0, "topic": "B"}),
    )
    .await;
    let problem = assert_problem(stale_record, StatusCode::CONFLICT).await;
    assert_eq!(problem["current"]["topic"], "A");
}

both_backends!(sigkill_during_a_stream_of_writes_loses_no_acknowledged_mark);
async fn sigkill_during_a_stream_of_writes_loses_no_acknowledged_mark(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let mut lessons: Vec<String> = Vec::new();
    for (from, to) in [
        ("2026-09-01", "2026-09-30"),
        ("2026-10-01", "2026-10-31"),
        ("2026-11-01", "2026-11-28"),
    ] {
        lessons.extend(lessons_5a(&app, &deputy, from, to).await.iter().map(id));
    }
    assert!(lessons.len() > 30, "{}", lessons.len());
    let mut server = crate::support::Server::start(&app.db.url).await;
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"login": "teacher", "password": crate::support::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    // Four writers stream marks into every cell; the server is killed mid-stream.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let cells: Vec<(String, String)> = lessons
        .iter()
        .flat_map(|l| {
            [
                (l.clone(), f.ivan.to_string()),
                (l.clone(), f.oleg.to_string()),
            ]
        })
        .collect();
    let mut writers = Vec::new();
    for part in cells.chunks(cells.len().div_ceil(4)) {
        let (part, http, token, base, acked) = (
            part.to_vec(),
            http.clone(),
            token.clone(),
            server.base.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for (i, (lesson, student)) in part.into_iter().enumerate() {
                let value = ["5", "4", "3"][i % 3];
                let res = http
                    .post(format!("{base}/api/v1/marks"))
                    .bearer_auth(&token)
                    .json(&json!({"student_id": student, "lesson_id": lesson, "value": value}))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let m: Value = r.json().await.unwrap();
                        acked
                            .lock()
                            .unwrap()
                            .push((m["id"].as_str().unwrap().to_owned(), value.to_owned()));
                    }
                    // Refused or cut off by the kill: not acknowledged.
                    _ => {}
                }
            }
        }));
    }
    let started = std::time::Instant::now();
    while acknowledged.lock().unwrap().len() < 20 && started.elapsed().as_secs() < 30 {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    // SIGKILL: no shutdown, no flush.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(
        acked.len() >= 20 && acked.len() < cells.len(),
        "killed after {} of {}",
        acked.len(),
        cells.len()
    );
    // After a restart every acknowledged mark is there with its value, and the audit chain holds.
    let again = crate::support::Server::start(&app.db.url).await;
    let mut c = app.db.db.acquire().await.unwrap();
    for (mark, value) in &acked {
        let stored = tabel_store::journal::get_mark(&mut c.conn(), mark.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(
            stored.map(|m| m.value).as_deref(),
            Some(value.as_str()),
            "mark {mark} lost"
        );
    }
    drop(again);
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
    eprintln!(
        "SIGKILL after {} acknowledged marks of {}: none lost",
        acked.len(),
        cells.len()
    );
}
