//! The soak: mixed traffic of a school day against a running server for a while, then the
//! checks. Families read the diary (the week's API and page, a child's marks), teachers write
//! marks (each client owning its cells: a tenth of the first marks kept, every other one deleted
//! again), someone logs in and out every few seconds, the administrator issues a pupil's PDF
//! extract every few seconds and re-imports the school's workbook now and then. Every answer is
//! counted by kind and status; the server's resident memory is sampled. At the end the marks of
//! the load's work type in the journals must be exactly the acknowledged, undeleted ones.
//! Shared by the `soak` example (bench/soak.sh, 10 minutes) and the soak test (seconds, in CI).

use super::cells::{Cell, WORK_TYPE, free_cells, get_json, load_marks_now};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What to run.
pub struct Plan {
    /// The server, e.g. `http://127.0.0.1:8080`.
    pub base: String,
    /// Concurrent clients (at least 4: logins, extracts, imports, then readers and writers).
    pub clients: usize,
    pub duration: Duration,
    /// The server's process, for its memory; `None` to not sample.
    pub server_pid: Option<u32>,
    /// How often the memory is sampled.
    pub sample_every: Duration,
    /// The logins of a teacher who writes journals, a parent with a visible child and a school
    /// administrator, and their password.
    pub teacher: String,
    pub parent: String,
    pub admin: String,
    pub password: String,
    /// The server's "today" (ISO date): marks go on lessons up to it.
    pub today: String,
    /// Pauses of the paced clients (the login throttle allows 30 attempts a minute per address).
    pub login_every: Duration,
    pub extract_every: Duration,
    pub import_every: Duration,
}

/// One kind of request: its latencies and the statuses that were not the expected one.
#[derive(Default)]
pub struct Kind {
    pub latencies: Vec<Duration>,
    pub unexpected: BTreeMap<u16, u64>,
    /// No answer at all (connection refused, reset, timed out).
    pub unanswered: u64,
}

/// What the soak saw.
#[derive(Default)]
pub struct Report {
    pub kinds: BTreeMap<&'static str, Kind>,
    /// (seconds since the start, resident memory in KiB).
    pub memory: Vec<(f64, u64)>,
    /// Acknowledged marks kept that the journal lacks or holds with another value.
    pub lost: Vec<String>,
    /// Marks of the load's work type in the journal that are not acknowledged kept ones (a
    /// deletion acknowledged but not done, or a write that was not acknowledged).
    pub extra: Vec<String>,
    /// Marks acknowledged and kept.
    pub kept: usize,
    pub elapsed: Duration,
}

impl Report {
    /// Answers 5xx plus requests that got no answer.
    pub fn failures(&self) -> u64 {
        self.kinds
            .values()
            .map(|k| k.unanswered + k.unexpected.range(500..).map(|(_, n)| n).sum::<u64>())
            .sum()
    }

    /// Unexpected answers of any status.
    pub fn unexpected(&self) -> u64 {
        self.kinds
            .values()
            .map(|k| k.unexpected.values().sum::<u64>() + k.unanswered)
            .sum()
    }

    /// The resident memory's growth in KiB from the first sample after the first minute (the
    /// caches and pools filled; the first sample in a shorter soak) to the last, and when that
    /// first sample was taken (seconds).
    pub fn memory_growth(&self) -> (f64, i64) {
        let settled = self
            .memory
            .iter()
            .find(|(t, _)| *t >= 60.0)
            .or(self.memory.first());
        match (settled, self.memory.last()) {
            (Some(a), Some(b)) => (a.0, b.1 as i64 - a.1 as i64),
            _ => (0.0, 0),
        }
    }

    /// The report as text: a line per kind, the memory curve, the checks.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let secs = self.elapsed.as_secs_f64();
        let mut total = 0;
        for (name, k) in &self.kinds {
            let mut l = k.latencies.clone();
            l.sort();
            total += l.len();
            out.push_str(&format!(
                "{name:<14} {:>8} ok {:>8.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  unexpected {:?}  unanswered {}\n",
                l.len(),
                l.len() as f64 / secs,
                percentile(&l, 0.5).as_secs_f64() * 1e3,
                percentile(&l, 0.99).as_secs_f64() * 1e3,
                k.unexpected,
                k.unanswered,
            ));
        }
        out.push_str(&format!(
            "all            {total:>8} ok {:>8.1}/s in {secs:.0} s; 5xx or unanswered: {}\n",
            total as f64 / secs,
            self.failures()
        ));
        if !self.memory.is_empty() {
            out.push_str("memory (s: RSS MiB):");
            for (t, kb) in &self.memory {
                out.push_str(&format!(" {t:.0}:{:.1}", *kb as f64 / 1024.0));
            }
            let (from, growth) = self.memory_growth();
            out.push_str(&format!(
                "\nmemory growth from {from:.0} s to the end: {:+.1} MiB\n",
                growth as f64 / 1024.0
            ));
        }
        out.push_str(&format!(
            "marks acknowledged and kept: {}; lost: {}; present but not acknowledged: {}\n",
            self.kept,
            self.lost.len(),
            self.extra.len()
        ));
        out
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

type Tally = Arc<Mutex<BTreeMap<&'static str, Kind>>>;

/// Sends a request and counts its answer under `kind`: the expected status is a success.
async fn count(
    tally: &Tally,
    kind: &'static str,
    expected: u16,
    request: reqwest::RequestBuilder,
) -> Option<reqwest::Response> {
    let t = Instant::now();
    let res = request.send().await;
    let mut tally = tally.lock().unwrap();
    let k = tally.entry(kind).or_default();
    match res {
        Ok(r) if r.status().as_u16() == expected => {
            k.latencies.push(t.elapsed());
            Some(r)
        }
        Ok(r) => {
            *k.unexpected.entry(r.status().as_u16()).or_default() += 1;
            None
        }
        Err(_) => {
            k.unanswered += 1;
            None
        }
    }
}

async fn login(http: &reqwest::Client, base: &str, login: &str, password: &str) -> String {
    let v: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login {login}: {v}"))
        .to_owned()
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the soak and checks the journal afterwards.
pub async fn run(plan: &Plan) -> Report {
    assert!(plan.clients >= 4, "a soak needs at least 4 clients");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(plan.clients)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base = plan.base.as_str();
    let teacher = login(&http, base, &plan.teacher, &plan.password).await;
    let parent = login(&http, base, &plan.parent, &plan.password).await;
    let admin = login(&http, base, &plan.admin, &plan.password).await;
    let me = get_json(&http, base, &parent, "/api/v1/me").await;
    let child = me["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["visible"] == true)
        .expect("the parent has a child with the diary's consent")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = get_json(&http, base, &admin, "/api/v1/me").await;
    let school = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "admin")
        .expect("the administrator's school")["school_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let workbook = {
        let res = http
            .get(format!("{base}/api/v1/schools/{school}/export"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK, "the school's export");
        res.bytes().await.unwrap()
    };
    let cells = free_cells(&http, base, &teacher, &plan.today).await;
    let writers: Vec<usize> = (3..plan.clients).filter(|k| k % 3 == 0).collect();
    assert!(
        cells.len() >= writers.len() * 2,
        "only {} free cells for {} writers",
        cells.len(),
        writers.len()
    );

    let tally: Tally = Arc::default();
    let kept: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..plan.clients {
        let (http, base, tally, stop, kept) = (
            http.clone(),
            plan.base.clone(),
            tally.clone(),
            stop.clone(),
            kept.clone(),
        );
        let (teacher, parent, admin, child, school) = (
            teacher.clone(),
            parent.clone(),
            admin.clone(),
            child.clone(),
            school.clone(),
        );
        let (password, parent_login) = (plan.password.clone(), plan.parent.clone());
        let (login_every, extract_every, import_every) =
            (plan.login_every, plan.extract_every, plan.import_every);
        let mine: Vec<Cell> = writers
            .iter()
            .position(|w| *w == k)
            .map(|i| {
                cells
                    .iter()
                    .skip(i)
                    .step_by(writers.len())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let workbook = workbook.clone();
        tasks.push(tokio::spawn(async move {
            let pause = |d: Duration| {
                let stop = stop.clone();
                async move {
                    let until = Instant::now() + d;
                    while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            };
            let mut i = 0usize;
            let (mut to_keep, mut cells) = (Vec::new(), Vec::new());
            for (n, cell) in mine.into_iter().enumerate() {
                if n % 10 == 0 {
                    to_keep.push(cell);
                } else {
                    cells.push(cell);
                }
            }
            while !stop.load(Ordering::Relaxed) {
                match k {
                    0 => {
                        let req = http
                            .post(format!("{base}/api/v1/auth/login"))
                            .json(&json!({"login": parent_login, "password": password}));
                        if let Some(r) = count(&tally, "login", 200, req).await {
                            let v: Value = r.json().await.unwrap_or_default();
                            let token = v["token"].as_str().unwrap_or_default();
                            let req = http
                                .post(format!("{base}/api/v1/auth/logout"))
                                .bearer_auth(token);
                            count(&tally, "logout", 204, req).await;
                        }
                        pause(login_every).await;
                    }
                    1 => {
                        let req = http
                            .post(format!("{base}/api/v1/extracts"))
                            .bearer_auth(&admin)
                            .json(&json!({"student_id": child}));
                        if let Some(r) = count(&tally, "extract pdf", 200, req).await {
                            let _ = r.bytes().await;
                        }
                        pause(extract_every).await;
                    }
                    2 => {
                        let req = http
                            .post(format!("{base}/api/v1/schools/{school}/import?apply=true"))
                            .bearer_auth(&admin)
                            .header(
                                "content-type",
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            )
                            .body(workbook.clone());
                        if let Some(r) = count(&tally, "import", 200, req).await {
                            let _ = r.bytes().await;
                        }
                        pause(import_every).await;
                    }
                    _ if !cells.is_empty() || !to_keep.is_empty() => {
                        // A tenth of the cells first, each mark kept; then the others in turn,
                        // each mark deleted again.
                        let (lesson, student, keep) = match to_keep.pop() {
                            Some((l, s)) => (l, s, true),
                            None => {
                                let (l, s) = cells[i % cells.len()].clone();
                                (l, s, false)
                            }
                        };
                        i += 1;
                        let value = ["5", "4", "3", "2"][i % 4];
                        let req = http
                            .post(format!("{base}/api/v1/marks"))
                            .bearer_auth(&teacher)
                            .json(&json!({"lesson_id": lesson, "student_id": student,
                                "value": value, "work_type": WORK_TYPE}));
                        let Some(r) = count(&tally, "mark write", 201, req).await else {
                            continue;
                        };
                        let m: Value = r.json().await.unwrap_or_default();
                        let id = m["id"].as_str().unwrap_or_default().to_owned();
                        if keep {
                            kept.lock().unwrap().insert(id, value.to_owned());
                            continue;
                        }
                        let req = http
                            .delete(format!("{base}/api/v1/marks/{id}?version=1"))
                            .bearer_auth(&teacher);
                        count(&tally, "mark delete", 204, req).await;
                    }
                    _ => {
                        i += 1;
                        let (kind, url) = match i % 3 {
                            0 => ("diary api", format!("{base}/api/v1/students/{child}/diary")),
                            1 => ("diary page", format!("{base}/diary/{child}/week")),
                            _ => ("marks api", format!("{base}/api/v1/students/{child}/marks")),
                        };
                        let req = http
                            .get(url)
                            .header("cookie", format!("tabel_session={parent}"))
                            .bearer_auth(&parent);
                        if let Some(r) = count(&tally, kind, 200, req).await {
                            let _ = r.bytes().await;
                        }
                    }
                }
            }
        }));
    }
    let mut memory = Vec::new();
    while started.elapsed() < plan.duration {
        if let Some(kb) = plan.server_pid.and_then(rss_kib) {
            memory.push((started.elapsed().as_secs_f64(), kb));
        }
        let left = plan.duration.saturating_sub(started.elapsed());
        tokio::time::sleep(plan.sample_every.min(left)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    if let Some(kb) = plan.server_pid.and_then(rss_kib) {
        memory.push((elapsed.as_secs_f64(), kb));
    }
    // The journal holds exactly the acknowledged marks that were not deleted.
    let kept = kept.lock().unwrap().clone();
    let now = load_marks_now(&http, base, &teacher).await;
    let lost = kept
        .iter()
        .filter(|(id, value)| now.get(*id) != Some(*value))
        .map(|(id, _)| id.clone())
        .collect();
    let extra = now
        .keys()
        .filter(|id| !kept.contains_key(*id))
        .cloned()
        .collect();
    let kinds = std::mem::take(&mut *tally.lock().unwrap());
    Report {
        kinds,
        memory,
        lost,
        extra,
        kept: kept.len(),
        elapsed,
    }
}
