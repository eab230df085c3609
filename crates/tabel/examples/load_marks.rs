//! Write load against a running server: N concurrent clients, each owning its own empty cells
//! of the teacher's journals, record a mark (`POST /api/v1/marks`) and delete it again
//! (`DELETE /api/v1/marks/{id}?version=1`) in a loop. Every request is a full journal write:
//! permission checks, versioned row, audit record in the school's hash chain, outbox event (for
//! the mark), committed. Prints writes per second and latency percentiles.
//!
//! ```sh
//! tabel demo --db sqlite:///tmp/perf/j.db --today 2026-11-28
//! tabel serve --db sqlite:///tmp/perf/j.db --today 2026-11-28 &
//! cargo run --release -p tabel --example load_marks -- http://127.0.0.1:8080 64 30
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

#[path = "support/cells.rs"]
#[allow(dead_code)]
mod cells;

use cells::{Cell, WORK_TYPE, free_cells};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let clients: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(64);
    let seconds: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(30);
    let login = std::env::var("LOAD_LOGIN").unwrap_or_else(|_| "teacher".into());
    let password = std::env::var("LOAD_PASSWORD").unwrap_or_else(|_| "demo".into());
    let today = std::env::var("LOAD_TODAY").unwrap_or_else(|_| "2026-11-28".into());
    // Without a rustls provider the client panics (the server's process installs one; this
    // one must too).
    tabel_notify::install_tls_provider();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let token: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().expect("login").to_owned();
    let cells = free_cells(&http, &base, &token, &today).await;
    assert!(
        cells.len() >= clients,
        "only {} free cells for {clients} clients",
        cells.len()
    );
    eprintln!(
        "{} free cells in the teacher's current periods; {clients} clients, 5 s warm-up + {seconds} s",
        cells.len()
    );
    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for k in 0..clients {
        let mine: Vec<Cell> = cells.iter().skip(k).step_by(clients).cloned().collect();
        let (http, base, token, stop, measuring) = (
            http.clone(),
            base.clone(),
            token.clone(),
            stop.clone(),
            measuring.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut posts = Vec::new();
            let mut deletes = Vec::new();
            let mut errors = 0u64;
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let (lesson, student) = &mine[i % mine.len()];
                i += 1;
                let t = Instant::now();
                let res = http
                    .post(format!("{base}/api/v1/marks"))
                    .bearer_auth(&token)
                    .json(&json!({"lesson_id": lesson, "student_id": student, "value": "4", "work_type": WORK_TYPE}))
                    .send()
                    .await
                    .unwrap();
                if res.status() != reqwest::StatusCode::CREATED {
                    errors += 1;
                    continue;
                }
                let m: Value = res.json().await.unwrap();
                let post = t.elapsed();
                let t = Instant::now();
                let res = http
                    .delete(format!("{base}/api/v1/marks/{}?version=1", m["id"].as_str().unwrap()))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                if res.status() != reqwest::StatusCode::NO_CONTENT {
                    errors += 1;
                }
                if measuring.load(Ordering::Relaxed) {
                    posts.push(post);
                    deletes.push(t.elapsed());
                }
            }
            (posts, deletes, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (mut posts, mut deletes, mut errors) = (Vec::new(), Vec::new(), 0);
    for t in tasks {
        let (p, d, e) = t.await.unwrap();
        posts.extend(p);
        deletes.extend(d);
        errors += e;
    }
    posts.sort();
    deletes.sort();
    let writes = posts.len() + deletes.len();
    println!(
        "{writes} writes in {:.1} s = {:.0} writes/s ({clients} clients); POST /marks p50 {:.2} ms p99 {:.2} ms; DELETE p50 {:.2} ms p99 {:.2} ms; errors {errors}",
        elapsed.as_secs_f64(),
        writes as f64 / elapsed.as_secs_f64(),
        percentile(&posts, 0.5).as_secs_f64() * 1e3,
        percentile(&posts, 0.99).as_secs_f64() * 1e3,
        percentile(&deletes, 0.5).as_secs_f64() * 1e3,
        percentile(&deletes, 0.99).as_secs_f64() * 1e3,
    );
}
