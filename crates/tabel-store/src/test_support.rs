//! Databases for tests: a SQLite file in a temporary directory, or a fresh database in a
//! throwaway PostgreSQL cluster that this test process starts from the local `initdb` and
//! `postgres` binaries (as user `postgres` when run as root, since PostgreSQL refuses root).
//!
//! The cluster lives as long as the test process: it is started by a small shell that waits on
//! a pipe held open by this process; when the process exits, the pipe closes and the shell stops
//! the server and removes its directory.
//!
//! Without PostgreSQL binaries, PostgreSQL tests are skipped with a loud message, unless
//! `CI=true`, where they fail.

#![allow(clippy::expect_used)] // test helpers: a broken fixture should stop the test at once

use crate::Db;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A database for one test; the files go away when it is dropped.
#[derive(Debug)]
pub struct TestDb {
    /// The open, migrated database.
    pub db: Db,
    /// Its URL (for starting the real application on it).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A migrated SQLite database in a new temporary file.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("tabel.db").display());
        let db = Db::connect(&url).await.expect("open sqlite");
        db.migrate().await.expect("migrate sqlite");
        TestDb {
            db,
            url,
            _dir: Some(dir),
        }
    }

    /// A migrated, empty database in the process's throwaway cluster, or `None` (after a loud
    /// message) when PostgreSQL is not installed and this is not CI.
    pub async fn postgres() -> Option<TestDb> {
        let url = Self::postgres_url().await?;
        let db = Db::connect(&url).await.expect("connect postgres");
        db.migrate().await.expect("migrate postgres");
        Some(TestDb {
            db,
            url,
            _dir: None,
        })
    }

    /// A fresh, empty (not migrated) database's URL in the throwaway cluster.
    pub async fn postgres_url() -> Option<String> {
        let port = cluster()?;
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let admin = Db::connect(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
            .await
            .expect("connect to throwaway cluster");
        if let Db::Postgres(p) = &admin {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(p)
                .await
                .expect("create database");
        }
        admin.close().await;
        Some(format!("postgres://postgres@127.0.0.1:{port}/{name}"))
    }
}

/// Whether tests must not skip for want of tools.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a skipped test loudly, or fails it in CI.
pub fn skip(what: &str) {
    assert!(!in_ci(), "CI=true but {what}");
    eprintln!("\n!!!!! SKIPPED: {what} (install it to run this test) !!!!!\n");
}

struct Cluster {
    port: u16,
    _child: Child,
    _stdin: ChildStdin,
}

static CLUSTER: OnceLock<Option<Mutex<Cluster>>> = OnceLock::new();

fn cluster() -> Option<u16> {
    CLUSTER
        .get_or_init(|| match start_cluster() {
            Ok(c) => Some(Mutex::new(c)),
            Err(why) => {
                skip(&format!("PostgreSQL test cluster unavailable: {why}"));
                None
            }
        })
        .as_ref()
        .map(|c| {
            c.lock()
                .map(|c| c.port)
                .unwrap_or_else(|e| e.into_inner().port)
        })
}

fn bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("TABEL_PG_BINDIR") {
        return Some(PathBuf::from(dir));
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists() && p.join("postgres").exists())
        .collect();
    candidates.sort();
    candidates.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn as_postgres_user(root: bool, program: &Path) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn start_cluster() -> Result<Cluster, String> {
    let bin = bin_dir().ok_or("no PostgreSQL server binaries (initdb, postgres) found")?;
    let root = is_root();
    // Not a TempDir: the shell below removes it after the server stops.
    let dir = tempfile::Builder::new()
        .prefix("tabel-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    if root {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err("cannot hand the data directory to user postgres".into());
        }
    }
    let data = dir.join("data");
    let out = as_postgres_user(root, &bin.join("initdb"))
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
            "-D",
        ])
        .arg(&data)
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = free_port().map_err(|e| e.to_string())?;
    let script = r#"
"$0" -D "$1/data" -p "$2" -k "$1" -c listen_addresses=127.0.0.1 -c fsync=off \
  -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
  -c shared_buffers=64MB >"$1/log" 2>&1 &
pid=$!
read _ignored
kill -INT "$pid"
wait "$pid"
rm -rf "$1"
"#;
    let mut cmd = as_postgres_user(root, Path::new("sh"));
    cmd.arg("-c")
        .arg(script)
        .arg(bin.join("postgres"))
        .arg(&dir)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().map_err(|e| format!("start postgres: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin")?;
    let started = Instant::now();
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // Accepting TCP is not yet accepting logins; give it a moment more.
            std::thread::sleep(Duration::from_millis(200));
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            return Err(format!("postgres did not start: {log}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::io::stdout().flush();
    Ok(Cluster {
        port,
        _child: child,
        _stdin: stdin,
    })
}

/// Makes `<name>::sqlite` and `<name>::postgres` tests from one async body taking a `&Db`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident : &Db) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn body($db: &$crate::Db) $body

                #[tokio::test]
                async fn sqlite() {
                    let t = $crate::test_support::TestDb::sqlite().await;
                    body(&t.db).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(t) = $crate::test_support::TestDb::postgres().await {
                        body(&t.db).await;
                    }
                }
            }
        )*
    };
}
