//! Retention (issue 17): `tabel retention run` removes sessions long expired and the delivery
//! log past its period, redacts the client addresses of old audit records, keeps everything
//! fresh, counts without changing anything on a dry run, and leaves a log that verifies.

use crate::audit_guard::chain;
use crate::cli::tabel;
use crate::journal::{id, lessons_5a, timetable};
use crate::notify::{MONDAY_NOON, add_contact, deliveries, publish_finals, settings, worker};
use crate::support::{Backend, TestApp, both_backends, post};
use reqwest::StatusCode;
use serde_json::json;
use tabel_app::clock::Clock;
use tabel_domain::notify::DeliveryState;
use tabel_notify::test_support::SmtpSink;
use tabel_store::Db;
use time::{Duration, OffsetDateTime};

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// `tabel retention run` as of `now`: its figures by kind.
fn retention(url: &str, now: OffsetDateTime, dry_run: bool) -> Vec<(String, u64)> {
    let now = rfc3339(now);
    let mut args = vec!["retention", "run", "--db", url, "--now", &now];
    if dry_run {
        args.push("--dry-run");
    }
    let out = tabel(&args, None);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter_map(|l| l.trim().rsplit_once(": "))
        .filter_map(|(k, v)| Some((k.to_owned(), v.parse().ok()?)))
        .collect()
}

fn figure(report: &[(String, u64)], kind: &str) -> u64 {
    report
        .iter()
        .find(|(k, _)| k == kind)
        .unwrap_or_else(|| panic!("{kind} not in {report:?}"))
        .1
}

async fn scalar(db: &Db, sql: &'static str) -> i64 {
    match db {
        Db::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn origin_of_user_record(db: &Db, school: i64, login: &str) -> Option<String> {
    chain(db, school)
        .await
        .into_iter()
        .find(|r| {
            r.action == "user.create"
                && r.after_json
                    .as_deref()
                    .is_some_and(|j| j.contains(&format!("\"{login}\"")))
        })
        .unwrap()
        .origin
}

async fn create_user(app: &TestApp, token: &str, login: &str) {
    let res = post(
        app,
        token,
        "/api/v1/users",
        json!({"login": login, "display_name": login, "password": "long enough"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

both_backends!(old_sessions_addresses_and_deliveries_go_and_fresh_ones_stay(backend));
async fn old_sessions_addresses_and_deliveries_go_and_fresh_ones_stay(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    let (f, db, url) = (&app.f, &app.db.db, app.db.url.clone());
    let school = f.school.get();
    let t0 = app.clock.now();

    // Today: sessions, an audited change from 127.0.0.1, a notification sent.
    let admin = app.token("admin").await;
    let parent = app.token("parent").await;
    create_user(&app, &admin, "old.user").await;
    add_contact(&app, f.parent, "email", "maria@example.org", true).await;
    let deputy = timetable(&app).await;
    let monday = id(&lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await[0]);
    let teacher = app.token("teacher").await;
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": "5"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    publish_finals(&app, &[(f.ivan, "5")]).await;
    worker(&app, settings(Some(&sink)))
        .run_once_at(MONDAY_NOON)
        .await
        .unwrap();
    let sent = deliveries(&app, DeliveryState::Sent).await.len();
    assert!(sent > 0);

    // 200 days later: a new session and a new change.
    app.clock.advance(Duration::days(200));
    let t1 = app.clock.now();
    let admin_now = app.token("admin").await;
    create_user(&app, &admin_now, "new.user").await;
    let sessions = scalar(db, "SELECT COUNT(*) FROM sessions").await;

    // A dry run counts and changes nothing.
    let counted = retention(&url, t1, true);
    assert!(figure(&counted, "sessions") >= 2, "{counted:?}");
    assert!(
        figure(&counted, "audit log addresses redacted") >= 1,
        "{counted:?}"
    );
    assert_eq!(
        figure(&counted, "notification deliveries"),
        0,
        "{counted:?}"
    );
    assert_eq!(scalar(db, "SELECT COUNT(*) FROM sessions").await, sessions);
    assert_eq!(
        origin_of_user_record(db, school, "old.user")
            .await
            .as_deref(),
        Some("127.0.0.1")
    );

    let done = retention(&url, t1, false);
    assert_eq!(
        figure(&done, "sessions"),
        figure(&counted, "sessions"),
        "{done:?}"
    );
    assert_eq!(
        figure(&done, "audit log addresses redacted"),
        figure(&counted, "audit log addresses redacted")
    );
    assert_eq!(
        scalar(db, "SELECT COUNT(*) FROM sessions").await,
        sessions - i64::try_from(figure(&done, "sessions")).unwrap()
    );
    // The old address is redacted, the fresh one kept; so is the fresh session.
    assert_eq!(
        origin_of_user_record(db, school, "old.user")
            .await
            .as_deref(),
        Some("redacted:retention")
    );
    assert_eq!(
        origin_of_user_record(db, school, "new.user")
            .await
            .as_deref(),
        Some("127.0.0.1")
    );
    let res = app.get("/api/v1/me", &admin_now).await;
    assert_eq!(res.status(), StatusCode::OK);
    for token in [&admin, &parent] {
        let res = app.get("/api/v1/me", token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(deliveries(&app, DeliveryState::Sent).await.len(), sent);
    // The cell's history says the address was redacted instead of showing it.
    let teacher = app.token("teacher").await;
    let history = app
        .get_json(
            &format!("/api/v1/cells/history?lesson={monday}&student={}", f.ivan),
            &teacher,
        )
        .await;
    let mark = &history.as_array().unwrap()[0];
    assert_eq!(mark["action"], "mark.record", "{history}");
    assert_eq!(mark["origin"], serde_json::Value::Null, "{history}");
    assert_eq!(mark["origin_redacted"], "retention", "{history}");
    // A second run finds nothing more.
    let again = retention(&url, t1, false);
    assert!(again.iter().all(|(_, n)| *n == 0), "{again:?}");

    // A year and more after the notification: the delivery log goes.
    let done = retention(&url, t0 + Duration::days(400), false);
    assert_eq!(
        figure(&done, "notification deliveries"),
        u64::try_from(sent).unwrap()
    );
    assert!(deliveries(&app, DeliveryState::Sent).await.is_empty());

    // The log still verifies, the redacted addresses accepted by their digests.
    let out = tabel(&["audit", "verify", "--db", &url], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("detail(s) redacted"), "{said}");
}
