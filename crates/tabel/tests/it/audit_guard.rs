//! The audit log holds against whoever holds the database: the database refuses to change or
//! remove a record, checkpoints kept outside it find a chain rewritten even when recomputed, and
//! `verify` finds a mark or an attendance record whose row differs from what the log last
//! recorded of it.

use crate::cli::tabel;
use crate::journal::{id, lessons_5a, timetable};
use crate::support::{TestApp, both_backends, post};
use reqwest::StatusCode;
use serde_json::json;
use tabel_domain::audit::{AuditContent, AuditKey, Sealed};
use tabel_store::Db;
use tabel_store::audit::AuditRecord;

/// Runs one statement behind the application's back; its error, if the database refused it.
pub(crate) async fn behind_the_back(db: &Db, sql: &str) -> Result<u64, String> {
    // The pool's executor wants a statement that outlives it: a test's few are kept.
    let sql: &'static str = Box::leak(sql.to_owned().into_boxed_str());
    let done = match db {
        Db::Sqlite(pool, _) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        Db::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    };
    done.map_err(|e| e.to_string())
}

/// What someone with the database in hand does first: drops the guards.
pub(crate) async fn drop_the_guards(db: &Db) {
    let statements: &[&str] = match db {
        Db::Sqlite(..) => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
            "DROP TRIGGER audit_heads_forward",
            "DROP TRIGGER audit_heads_no_delete",
        ],
        Db::Postgres(_) => &[
            "DROP TRIGGER audit_log_no_change ON audit_log",
            "DROP TRIGGER audit_heads_forward ON audit_heads",
            "DROP TRIGGER audit_heads_no_delete ON audit_heads",
        ],
    };
    for sql in statements {
        behind_the_back(db, sql).await.unwrap();
    }
}

pub(crate) async fn chain(db: &Db, chain: i64) -> Vec<AuditRecord> {
    const SQL: &str = "SELECT id, chain_id, seq, at_micros, actor_user_id, action, entity, entity_id, \
         before_json, after_json, reason, origin, prev_hash, hash, hash_alg, origin_digest, \
         before_digest, after_digest FROM audit_log WHERE chain_id = $1 ORDER BY seq";
    match db {
        Db::Sqlite(pool, _) => sqlx::query_as(SQL).bind(chain).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(SQL).bind(chain).fetch_all(pool).await,
    }
    .unwrap()
}

/// The audit key of the test's database, read from its file as someone who has it would.
pub(crate) fn the_key(url: &str) -> AuditKey {
    let path = crate::support::audit_key_file(url);
    AuditKey::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Rewrites `after_json` of record `seq` and recomputes every hash from it on, head included,
/// each by its own formula (the keyed one with `key`): a chain that verifies on its own.
async fn rewrite_and_recompute(db: &Db, key: &AuditKey, chain_id: i64, seq: i64, after: &str) {
    let records = chain(db, chain_id).await;
    let mut prev = records[usize::try_from(seq).unwrap() - 2].hash.clone();
    for r in records.iter().filter(|r| r.seq >= seq) {
        let after_json = if r.seq == seq {
            Some(after.to_owned())
        } else {
            r.after_json.clone()
        };
        let content = AuditContent {
            chain: r.chain_id,
            seq: r.seq,
            at_micros: r.at_micros,
            actor: r.actor_user_id,
            action: &r.action,
            entity: &r.entity,
            entity_id: &r.entity_id,
            before: r.before_json.as_deref(),
            after: after_json.as_deref(),
            reason: r.reason.as_deref(),
            origin: r.origin.as_deref(),
        };
        let hash = if r.hash_alg == 1 {
            content.hash(&prev)
        } else {
            let sealed = Sealed {
                before: r.before_digest.clone(),
                after: r.after_digest.clone(),
                origin: r.origin_digest.clone(),
            };
            content.keyed_hash(&prev, key, &sealed)
        };
        let quoted = after_json.map_or("NULL".to_owned(), |a| {
            format!("'{}'", a.replace('\'', "''"))
        });
        behind_the_back(
            db,
            &format!(
                "UPDATE audit_log SET after_json = {quoted}, prev_hash = '{prev}', hash = '{hash}' WHERE id = {}",
                r.id
            ),
        )
        .await
        .unwrap();
        prev = hash;
    }
    behind_the_back(
        db,
        &format!("UPDATE audit_heads SET hash = '{prev}' WHERE chain_id = {chain_id}"),
    )
    .await
    .unwrap();
}

both_backends!(the_database_refuses_to_change_the_log_and_a_checkpoint_finds_a_rewrite);
async fn the_database_refuses_to_change_the_log_and_a_checkpoint_finds_a_rewrite(app: TestApp) {
    let token = app.token("admin").await;
    for login in ["one.user", "two.user", "three.user"] {
        let res = app
            .http
            .post(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .json(&json!({"login": login, "display_name": login, "password": "long enough"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let db = &app.db.db;
    let school = app.f.school.get();
    // The application's own statements cannot change or remove a record either.
    for sql in [
        "UPDATE audit_log SET after_json = '{}' WHERE seq = 2".to_owned(),
        "DELETE FROM audit_log WHERE seq = 3".to_owned(),
        format!("UPDATE audit_heads SET seq = 1 WHERE chain_id = {school}"),
        "DELETE FROM audit_heads".to_owned(),
    ] {
        let refused = behind_the_back(db, &sql).await.unwrap_err();
        assert!(
            refused.contains("append-only") || refused.contains("only moves forward"),
            "{sql}: {refused}"
        );
    }
    if matches!(db, Db::Postgres(_)) {
        let refused = behind_the_back(db, "TRUNCATE audit_log").await.unwrap_err();
        assert!(refused.contains("append-only"), "{refused}");
    }

    // A checkpoint kept outside the database.
    let dir = tempfile::tempdir().unwrap();
    let point = dir.path().join("audit.checkpoint");
    let out = tabel(
        &[
            "audit",
            "checkpoint",
            "--db",
            &app.db.url,
            "-o",
            point.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&point).unwrap();
    let head = chain(db, school).await.last().unwrap().clone();
    assert!(
        text.lines()
            .any(|l| l == format!("{school} {} {}", head.seq, head.hash)),
        "{text}"
    );
    let verify = |checkpoint: bool| {
        let mut args = vec!["audit", "verify", "--db", &app.db.url];
        if checkpoint {
            args.extend(["--checkpoint", point.to_str().unwrap()]);
        }
        tabel(&args, None)
    };
    let out = verify(true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("checkpoint(s) matched"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Someone with the database and the audit key drops the guards and rewrites record 2,
    // recomputing the chain after it: the chain verifies on its own, the checkpoint does not.
    // (Without the key, see audit_key.rs.)
    drop_the_guards(db).await;
    let key = the_key(&app.db.url);
    rewrite_and_recompute(db, &key, school, 2, "{\"login\":\"evil\"}").await;
    let out = verify(false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = verify(true);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("chain {school}"))
            && err.contains(&format!("record {}", head.seq))
            && err.contains("rewritten"),
        "{err}"
    );

    // A tail removed and the head set back: the head's hash names a record that is gone.
    let last = chain(db, school).await.last().unwrap().clone();
    behind_the_back(db, &format!("DELETE FROM audit_log WHERE id = {}", last.id))
        .await
        .unwrap();
    behind_the_back(
        db,
        &format!("UPDATE audit_heads SET seq = seq - 1 WHERE chain_id = {school}"),
    )
    .await
    .unwrap();
    let out = verify(false);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("head set back"), "{err}");
}

both_backends!(verify_finds_a_mark_or_an_absence_changed_behind_the_logs_back);
async fn verify_finds_a_mark_or_an_absence_changed_behind_the_logs_back(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
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
    let res = post(
        &app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": monday, "student_id": f.oleg.to_string(), "code": "н"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let layer = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default());
    let check = layer.verify_journal().await.unwrap();
    assert_eq!(check.mismatched, 0, "{check:?}");
    let out = tabel(&["audit", "verify", "--db", &app.db.url], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The five becomes a two in the table, and Oleg's absence disappears, without the log.
    let db = &app.db.db;
    behind_the_back(
        db,
        &format!(
            "UPDATE marks SET value = '2' WHERE student_id = {} AND lesson_id = {monday}",
            f.ivan
        ),
    )
    .await
    .unwrap();
    behind_the_back(
        db,
        &format!(
            "DELETE FROM attendance WHERE student_id = {} AND lesson_id = {monday}",
            f.oleg
        ),
    )
    .await
    .unwrap();
    let check = layer.verify_journal().await.unwrap();
    assert_eq!(check.mismatched, 2, "{check:?}");
    let problems: Vec<(&str, &str)> = check
        .mismatches
        .iter()
        .map(|m| (m.entity, m.problem.as_str()))
        .collect();
    assert!(
        problems.contains(&("mark", "«value» differs from its last audited value")),
        "{problems:?}"
    );
    assert!(
        problems.contains(&("attendance", "it is gone without a record of its deletion")),
        "{problems:?}"
    );
    let out = tabel(&["audit", "verify", "--db", &app.db.url], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DIFFERS: mark") && err.contains("2 journal row(s) differ"),
        "{err}"
    );
}
