//! The audit log under a key kept outside the database (issue 17): a chain rewritten by someone
//! with the database but without the key is found, a wrong or missing key stops the start,
//! records from before the key still verify; contact values and client addresses are sealed by
//! digests, so that they can be redacted (one controlled path) while the chain still verifies,
//! and an edited detail is still found.

use crate::audit_guard::{behind_the_back, chain, drop_the_guards};
use crate::cli::tabel;
use crate::support::{Backend, TestApp, both_backends, post};
use reqwest::StatusCode;
use serde_json::json;
use std::process::Output;
use tabel_domain::audit::{AuditContent, AuditKey, GENESIS};
use tabel_store::Db;
use tabel_store::audit::{self, AuditEntry, AuditRecord};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn verify(url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "verify", "--db", url];
    args.extend(extra);
    tabel(&args, None)
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

/// A deployment-wide record, appended by this process (keyed once the database has a key and
/// the process holds it).
async fn note(db: &Db, what: &str) {
    let mut tx = db.begin().await.unwrap();
    audit::append(
        &mut tx.conn(),
        &AuditEntry {
            chain: 0,
            at: tabel_store::now_micros(),
            actor: None,
            action: "deployment.note",
            entity: "deployment",
            entity_id: what.to_owned(),
            before: None,
            after: Some(json!({ "note": what })),
            reason: None,
            origin: Some("10.0.0.1"),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Recomputes records `from..` of a chain with plain SHA-256, as someone with the database but
/// without the key would (the first formula, which needs no key), `after` replacing the first
/// one's JSON; the head follows.
async fn rewrite_plain(db: &Db, records: &[AuditRecord], from: usize, after: &str) {
    let mut prev = if from == 0 {
        GENESIS.to_owned()
    } else {
        records[from - 1].hash.clone()
    };
    for (i, r) in records.iter().enumerate().skip(from) {
        let after_json = if i == from {
            Some(after.to_owned())
        } else {
            r.after_json.clone()
        };
        let hash = AuditContent {
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
        }
        .hash(&prev);
        let quoted = after_json.map_or("NULL".to_owned(), |a| {
            format!("'{}'", a.replace('\'', "''"))
        });
        behind_the_back(
            db,
            &format!(
                "UPDATE audit_log SET after_json = {quoted}, prev_hash = '{prev}', hash = '{hash}', \
                 hash_alg = 1, origin_digest = NULL, before_digest = NULL, after_digest = NULL \
                 WHERE id = {}",
                r.id
            ),
        )
        .await
        .unwrap();
        prev = hash;
    }
    let chain_id = records[0].chain_id;
    behind_the_back(
        db,
        &format!("UPDATE audit_heads SET hash = '{prev}' WHERE chain_id = {chain_id}"),
    )
    .await
    .unwrap();
}

both_backends!(a_chain_rewritten_without_the_key_is_found_and_older_records_still_verify(backend));
async fn a_chain_rewritten_without_the_key_is_found_and_older_records_still_verify(
    backend: Backend,
) {
    // Two records written before the database had a key: the first formula.
    let db = backend.db().await;
    note(&db.db, "before the key, 1").await;
    note(&db.db, "before the key, 2").await;
    let app = TestApp::on_database(backend, db).await;
    let url = app.db.url.clone();
    let db = &app.db.db;
    let school = app.f.school.get();
    let admin = app.token("admin").await;
    for login in ["one.user", "two.user", "three.user"] {
        create_user(&app, &admin, login).await;
    }
    note(db, "after the key").await;
    let deployment = chain(db, 0).await;
    assert_eq!(
        deployment.iter().map(|r| r.hash_alg).collect::<Vec<_>>(),
        [1, 1, 2]
    );
    let records = chain(db, school).await;
    assert!(records.iter().all(|r| r.hash_alg == 2), "{records:?}");
    // The address is sealed: the hash covers its digest.
    assert!(records.iter().all(|r| r.origin_digest.is_some()));

    let out = verify(&url, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Audit log intact"),
        "{}",
        stdout(&out)
    );
    assert!(!stderr(&out).contains("WARNING"), "{}", stderr(&out));

    // Without the key, verify checks the links only and says so.
    let out = verify(&url, &["--audit-key", "/nonexistent/audit-key"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("no audit key given") && err.contains("cannot be checked"),
        "{err}"
    );

    // Another key is refused, by verify and at the start of the server, naming the setting.
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.audit-key");
    std::fs::write(&wrong, AuditKey::from_bytes([9; 32]).to_file_text()).unwrap();
    let wrong = wrong.to_str().unwrap();
    let out = verify(&url, &["--audit-key", wrong]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("is not the key the audit log was written under")
            && err.contains("audit_key_file"),
        "{err}"
    );
    for key in [wrong, "/nonexistent/audit-key"] {
        let out = tabel(
            &[
                "serve",
                "--db",
                &url,
                "--listen",
                "127.0.0.1:0",
                "--audit-key",
                key,
            ],
            None,
        );
        assert!(!out.status.success(), "{key}: {}", stdout(&out));
        let err = stderr(&out);
        let why = if key == wrong {
            "is not the key the audit log was written under"
        } else {
            "is missing"
        };
        assert!(err.contains(why) && err.contains("audit_key_file"), "{err}");
    }

    // Someone with the database but not the key drops the guards and rewrites the school's
    // chain from its first record, and the deployment's last record, in the plain formula: each
    // chain links, and each is found where the key was in force.
    drop_the_guards(db).await;
    rewrite_plain(db, &records, 0, "{\"login\":\"evil\"}").await;
    rewrite_plain(db, &deployment, 2, "{\"note\":\"evil\"}").await;
    let out = verify(&url, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    for (chain, seq) in [(school, 1), (0, 3)] {
        assert!(
            err.lines().any(|l| l.contains(&format!("chain {chain} "))
                && l.contains(&format!("record {seq}"))
                && l.contains("plain hash where the audit key was in force")),
            "{err}"
        );
    }
}

both_backends!(postgres_needs_the_key_named_and_sqlite_makes_one_beside_its_file(backend));
async fn postgres_needs_the_key_named_and_sqlite_makes_one_beside_its_file(backend: Backend) {
    let db = backend.db().await;
    let mut config = tabel::Config::for_tests(&db.url);
    config.audit_key_file = None;
    let built = tabel::Application::build(config).await;
    match backend {
        Backend::Postgres => {
            let err = format!("{:#}", built.unwrap_err());
            assert!(err.contains("audit_key_file"), "{err}");
        }
        Backend::Sqlite => {
            built.unwrap();
            let file = crate::support::audit_key_file(&db.url);
            let text = std::fs::read_to_string(&file).unwrap();
            AuditKey::parse(&text).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&file).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
        }
    }
}

both_backends!(contact_values_are_erased_on_request_and_the_chain_still_verifies);
async fn contact_values_are_erased_on_request_and_the_chain_still_verifies(app: TestApp) {
    let f = &app.f;
    let url = app.db.url.clone();
    let db = &app.db.db;
    let admin = app.token("admin").await;
    create_user(&app, &admin, "someone.else").await;
    let parent = app.token("parent").await;
    let res = post(
        &app,
        &parent,
        &format!("/api/v1/parents/{}/contacts", f.parent),
        json!({"kind": "email", "value": "maria.petrova@example.org"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for (who, phone) in [
        (f.parent, "+7 912 345-67-89"),
        (f.refuser, "+7 912 000-00-01"),
    ] {
        let res = post(
            &app,
            &admin,
            &format!("/api/v1/parents/{who}/contacts"),
            json!({"kind": "phone", "value": phone, "provenance": "written_application",
                   "basis": "заявление № 12"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let records = chain(db, f.school.get()).await;
    let contacts: Vec<&AuditRecord> = records.iter().filter(|r| r.entity == "contact").collect();
    assert_eq!(contacts.len(), 3, "{records:?}");
    assert!(
        contacts
            .iter()
            .all(|r| r.after_digest.is_some() && r.origin_digest.is_some())
    );
    let user = records.iter().find(|r| r.entity == "user").unwrap();
    assert!(
        user.after_digest.is_none(),
        "only contacts' details are sealed"
    );

    // The database admits no other change: not a detail's new value, not a marker where no
    // digest stands for the detail, not a marker with the hash changed.
    for sql in [
        format!(
            "UPDATE audit_log SET after_json = '{{}}' WHERE id = {}",
            contacts[0].id
        ),
        format!(
            "UPDATE audit_log SET after_json = 'redacted:request' WHERE id = {}",
            user.id
        ),
        format!(
            "UPDATE audit_log SET after_json = 'redacted:request', hash = '{}' WHERE id = {}",
            GENESIS, contacts[0].id
        ),
        format!(
            "UPDATE audit_log SET origin = '10.9.9.9' WHERE id = {}",
            user.id
        ),
    ] {
        let refused = behind_the_back(db, &sql).await.unwrap_err();
        assert!(refused.contains("append-only"), "{sql}: {refused}");
    }

    let layer = tabel_app::App::new(db.clone(), tabel_app::AppConfig::default());
    let n = layer
        .redact_contacts_of(f.school, f.parent, None)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let after = chain(db, f.school.get()).await;
    let value_of = |id: i64| after.iter().find(|r| r.id == id).unwrap().clone();
    for r in &contacts {
        let now = value_of(r.id);
        let mine = r
            .after_json
            .as_deref()
            .unwrap()
            .contains(&format!("\"parent_id\":\"{}\"", f.parent));
        if mine {
            assert_eq!(now.after_json.as_deref(), Some("redacted:request"));
            assert_eq!(now.hash, r.hash);
            assert_eq!(now.action, r.action);
        } else {
            // The other parent's contact is not touched.
            assert_eq!(now.after_json, r.after_json);
        }
    }
    assert!(
        !after.iter().any(|r| {
            [&r.before_json, &r.after_json].iter().any(|j| {
                j.as_deref()
                    .is_some_and(|j| j.contains("maria.petrova") || j.contains("79123456789"))
            })
        }),
        "no value of the parent's is left"
    );
    // The erasure is itself recorded, with counts and no value.
    let last = after.last().unwrap();
    assert_eq!(last.action, "audit.redact");
    let said: serde_json::Value =
        serde_json::from_str(last.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(said["contact_records"], 2);
    assert_eq!(said["kind"], "request");

    let out = verify(&url, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 detail(s) redacted"),
        "{}",
        stdout(&out)
    );

    // A detail changed behind the log's back no longer matches its digest.
    drop_the_guards(db).await;
    let other = contacts
        .iter()
        .find(|r| r.after_json.as_deref().unwrap().contains("79120000001"))
        .unwrap();
    behind_the_back(
        db,
        &format!(
            "UPDATE audit_log SET after_json = '{{\"value\":\"+79990000000\"}}' WHERE id = {}",
            other.id
        ),
    )
    .await
    .unwrap();
    let out = verify(&url, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("«after» does not match its digest"), "{err}");
}
