//! A backup taken while teachers write, restored into a new database: every mark acknowledged
//! before the backup began is there, and the audit log verifies.

use crate::cli::tabel;
use crate::journal::{id, lessons_5a, timetable};
use crate::support::{Backend, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

both_backends!(a_backup_under_write_load_restores_every_acknowledged_mark(
    backend
));
async fn a_backup_under_write_load_restores_every_acknowledged_mark(backend: Backend) {
    let app = TestApp::start(backend).await;
    let deputy = timetable(&app).await;
    let f = &app.f;
    let lessons: Vec<String> = lessons_5a(&app, &deputy, "2026-11-02", "2026-11-27")
        .await
        .iter()
        .map(id)
        .collect();
    let teacher = app.token("teacher").await;
    let pupils = [f.ivan, f.anna, f.oleg];
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    // The teacher writes marks one after another until told to stop.
    let writer = {
        let (acked, stop) = (acked.clone(), stop.clone());
        let http = app.http.clone();
        let base = app.url("");
        let teacher = teacher.clone();
        tokio::spawn(async move {
            for lesson in lessons.iter().cycle().take(2_000) {
                for (i, pupil) in pupils.iter().enumerate() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let value = ["5", "4", "3"][i];
                    let res = http
                        .post(format!("{base}/api/v1/marks"))
                        .bearer_auth(&teacher)
                        .json(
                            &json!({"student_id": pupil.to_string(), "lesson_id": lesson,
                                      "value": value}),
                        )
                        .send()
                        .await
                        .unwrap();
                    if res.status() == StatusCode::CREATED {
                        let body: serde_json::Value = res.json().await.unwrap();
                        acked.lock().unwrap().push(id(&body));
                    }
                }
            }
        })
    };
    // Some marks are in before the backup begins; more are written while it runs.
    while acked.lock().unwrap().len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tabel.backup");
    let url = app.db.url.clone();
    let backup_file = file.clone();
    let out = tokio::task::spawn_blocking(move || {
        tabel(
            &["backup", "--db", &url, "-o", backup_file.to_str().unwrap()],
            None,
        )
    })
    .await
    .unwrap();
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Backed up to"));
    // A backup never overwrites a file.
    let again = tabel(
        &["backup", "--db", &app.db.url, "-o", file.to_str().unwrap()],
        None,
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("the file exists"));

    let (target, _target_dir) = backend.empty_url().await;
    let out = tabel(&["restore", "--db", &target, file.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("the journal matches the log"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let restored = tabel_store::Db::connect(&target).await.unwrap();
    let ids: Vec<i64> = match &restored {
        tabel_store::Db::Sqlite(p, _) => {
            sqlx::query_scalar("SELECT id FROM marks")
                .fetch_all(p)
                .await
        }
        tabel_store::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT id FROM marks")
                .fetch_all(p)
                .await
        }
    }
    .unwrap();
    restored.close().await;
    let missing: Vec<&String> = before
        .iter()
        .filter(|m| !ids.contains(&m.parse::<i64>().unwrap()))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, not restored: {missing:?}"
    );
    let out = tabel(&["audit", "verify", "--db", &target], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A restore goes only into an empty database, and only from a backup.
    let out = tabel(&["restore", "--db", &target, file.to_str().unwrap()], None);
    assert!(!out.status.success());
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"not a backup").unwrap();
    let (empty, _empty_dir) = backend.empty_url().await;
    let out = tabel(&["restore", "--db", &empty, junk.to_str().unwrap()], None);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a Tabel backup"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
