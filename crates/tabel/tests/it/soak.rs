//! The soak's short version, run by every CI: the same mixed traffic as `bench/soak.sh` (diary
//! reads, mark writes, logins, extracts, imports) against the real server process for a few
//! seconds, then every acknowledged mark in the journal, none more, nothing but the expected
//! answers, and an audit chain that verifies.

#[path = "../../examples/support/cells.rs"]
mod cells;
#[path = "../../examples/support/soak.rs"]
mod driver;

use crate::journal::timetable;
use crate::support::{PASSWORD, Server, TestApp, both_backends};
use std::time::Duration;

both_backends!(a_short_soak_answers_everything_and_loses_nothing);
async fn a_short_soak_answers_everything_and_loses_nothing(app: TestApp) {
    timetable(&app).await;
    let server = Server::start(&app.db.url).await;
    let plan = driver::Plan {
        base: server.base.clone(),
        clients: 16,
        duration: Duration::from_secs(12),
        server_pid: Some(server.child.id()),
        sample_every: Duration::from_secs(1),
        teacher: "teacher".into(),
        parent: "parent".into(),
        admin: "admin".into(),
        password: PASSWORD.into(),
        today: tabel_store::test_support::Fixture::TODAY.to_string(),
        login_every: Duration::from_millis(1_000),
        extract_every: Duration::from_millis(1_000),
        import_every: Duration::from_millis(3_000),
    };
    let report = driver::run(&plan).await;
    let text = report.text();
    eprintln!("{text}");
    // Every kind of traffic ran, and answered as expected.
    for kind in [
        "login",
        "logout",
        "extract pdf",
        "import",
        "mark write",
        "mark delete",
        "diary api",
        "diary page",
        "marks api",
    ] {
        assert!(
            report
                .kinds
                .get(kind)
                .is_some_and(|k| !k.latencies.is_empty()),
            "no {kind} answered:\n{text}"
        );
    }
    assert_eq!(report.failures(), 0, "{text}");
    assert_eq!(report.unexpected(), 0, "{text}");
    assert!(report.kept > 0, "{text}");
    assert!(report.lost.is_empty(), "{text}");
    assert!(report.extra.is_empty(), "{text}");
    assert!(report.memory.len() >= 10, "{text}");
    drop(server);
    let verified = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(verified.breaks.is_empty(), "{verified:?}");
}
