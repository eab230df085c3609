//! The soak against a running server: mixed traffic of a school day (diary reads, mark writes,
//! logins, extracts, imports) from N clients for a while, the server's memory sampled, then the
//! journal checked for every acknowledged mark. Prints the report; exits non-zero on a 5xx, any
//! other unexpected answer, an unanswered request or a lost mark. `bench/soak.sh` runs it for
//! 10 minutes at 64 clients.
//!
//! ```sh
//! tabel demo --db sqlite:///tmp/soak/t.db --today 2026-11-28
//! tabel serve --db sqlite:///tmp/soak/t.db --today 2026-11-28 & pid=$!
//! cargo run --release -p tabel --example soak -- http://127.0.0.1:8080 64 600 $pid
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

#[path = "support/cells.rs"]
mod cells;
#[path = "support/soak.rs"]
mod soak;

use std::time::Duration;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned();
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    tabel_notify::install_tls_provider();
    let plan = soak::Plan {
        base: arg(1).unwrap_or_else(|| "http://127.0.0.1:8080".into()),
        clients: arg(2).and_then(|s| s.parse().ok()).unwrap_or(64),
        duration: Duration::from_secs(arg(3).and_then(|s| s.parse().ok()).unwrap_or(600)),
        server_pid: arg(4).and_then(|s| s.parse().ok()),
        sample_every: Duration::from_secs(10),
        teacher: env("SOAK_TEACHER", "teacher"),
        parent: env("SOAK_PARENT", "parent"),
        admin: env("SOAK_ADMIN", "admin"),
        password: env("SOAK_PASSWORD", "demo"),
        today: env("SOAK_TODAY", "2026-11-28"),
        login_every: Duration::from_secs(3),
        extract_every: Duration::from_secs(2),
        import_every: Duration::from_secs(15),
    };
    let report = soak::run(&plan).await;
    print!("{}", report.text());
    if report.failures() > 0
        || report.unexpected() > 0
        || !report.lost.is_empty()
        || !report.extra.is_empty()
    {
        eprintln!("the soak failed");
        std::process::exit(1);
    }
}
