use crate::support::{Backend, PASSWORD, TestApp, both_backends};
use reqwest::StatusCode;
use std::io::Write;
use std::process::{Command, Stdio};

pub(crate) fn tabel(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tabel"));
    if let Some((name, key)) = crate::support::audit_key_env(args) {
        command.env(name, key);
    }
    let mut child = command
        .args(args)
        .env_remove("TABEL_DB")
        .env("TABEL_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

both_backends!(demo_refuses_a_database_that_holds_data);
async fn demo_refuses_a_database_that_holds_data(app: TestApp) {
    let out = tabel(
        &["demo", "--db", &app.db.url, "--today", "2026-11-28"],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already holds 2 school"), "{err}");
}

both_backends!(the_cli_adds_an_account_sets_passwords_and_locks);
async fn the_cli_adds_an_account_sets_passwords_and_locks(app: TestApp) {
    let school = app.f.school.to_string();
    let out = tabel(
        &[
            "user",
            "add",
            "--db",
            &app.db.url,
            "--school",
            &school,
            "--name",
            "Оператор",
            "--role",
            "admin",
            "operator",
        ],
        Some("operator password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        app.login_api("operator", "operator password")
            .await
            .status(),
        StatusCode::OK
    );

    let out = tabel(
        &["user", "add", "--db", &app.db.url, "--name", "X", "someone"],
        Some("password123\n"),
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--school"),
        "two schools: must choose"
    );

    let out = tabel(
        &["user", "passwd", "--db", &app.db.url, "teacher"],
        Some("brand new pass\n"),
    );
    assert!(out.status.success());
    assert_eq!(
        app.login_api("teacher", "brand new pass").await.status(),
        StatusCode::OK
    );
    let out = tabel(&["user", "lock", "--db", &app.db.url, "teacher"], None);
    assert!(out.status.success());
    assert_eq!(
        app.login_api("teacher", "brand new pass").await.status(),
        StatusCode::FORBIDDEN
    );
    let out = tabel(&["user", "unlock", "--db", &app.db.url, "teacher"], None);
    assert!(out.status.success());
    assert_eq!(
        app.login_api("teacher", "brand new pass").await.status(),
        StatusCode::OK
    );
    let out = tabel(&["user", "lock", "--db", &app.db.url, "nobody"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such account"));
    let _ = PASSWORD;
}

both_backends!(audit_verify_passes_then_names_the_tampered_record);
async fn audit_verify_passes_then_names_the_tampered_record(app: TestApp) {
    let token = app.token("admin").await;
    for login in ["one.user", "two.user", "three.user"] {
        let res = app
            .http
            .post(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"login": login, "display_name": login, "password": "long enough"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let out = tabel(&["audit", "verify", "--db", &app.db.url], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 record(s)"));

    const TAMPER: &str =
        "UPDATE audit_log SET after_json = replace(after_json, 'two.user', 'evil') WHERE seq = 2";
    // The database refuses the statement until its guards are dropped.
    assert!(
        crate::audit_guard::behind_the_back(&app.db.db, TAMPER)
            .await
            .is_err()
    );
    crate::audit_guard::drop_the_guards(&app.db.db).await;
    let changed = match &app.db.db {
        tabel_store::Db::Sqlite(pool, _) => sqlx::query(TAMPER)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
        tabel_store::Db::Postgres(pool) => sqlx::query(TAMPER)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
    };
    assert_eq!(changed, 1, "one record tampered with");
    let out = tabel(&["audit", "verify", "--db", &app.db.url], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("chain {}", app.f.school)) && err.contains("record 2"),
        "{err}"
    );
}

#[test]
fn help_explains_the_commands() {
    let out = tabel(&["--help"], None);
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "demo", "user", "audit"] {
        assert!(help.contains(cmd), "{help}");
    }
    let out = tabel(&["demo", "--today", "28.11.2026"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

both_backends!(migrate_demo_and_verify_work_through_the_binary(backend));
async fn migrate_demo_and_verify_work_through_the_binary(backend: Backend) {
    let (url, _dir) = backend.empty_url().await;
    let out = tabel(&["migrate", "--db", &url], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tabel(
        &[
            "demo",
            "--db",
            &url,
            "--schools",
            "2",
            "--today",
            "2026-11-28",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Generated 2 school(s)"));
    let out = tabel(&["audit", "verify", "--db", &url], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tabel(&["demo", "--db", &url], None);
    assert!(!out.status.success(), "a second demo is refused");
    let out = tabel(&["migrate", "--db", "mysql://nowhere/x"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mysql://nowhere/x"));
}

both_backends!(a_school_is_created_with_its_administrator_on_an_empty_database(backend));
async fn a_school_is_created_with_its_administrator_on_an_empty_database(backend: Backend) {
    let (url, _dir) = backend.empty_url().await;
    let add = |name: &str, time_zone: &str, login: &str| {
        tabel(
            &[
                "school",
                "add",
                "--db",
                &url,
                "--name",
                name,
                "--short-name",
                "СОШ № 5",
                "--region",
                "Свердловская область",
                "--municipality",
                "г. Екатеринбург",
                "--time-zone",
                time_zone,
                "--admin-login",
                login,
                "--admin-name",
                "Иванова А. С.",
            ],
            Some("director password\n"),
        )
    };
    let out = add("МБОУ «СОШ № 5»", "Mars/Olympus", "director");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("time_zone"), "the field is named: {err}");

    let out = add("МБОУ «СОШ № 5»", "Asia/Yekaterinburg", "director");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("«СОШ № 5» with its administrator director")
    );

    // A taken login leaves no second school behind: the account below needs no --school.
    let out = add("МБОУ «СОШ № 6»", "Asia/Yekaterinburg", "director");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("login"));
    let out = tabel(
        &[
            "user",
            "add",
            "--db",
            &url,
            "--name",
            "Петров П. П.",
            "--role",
            "teacher",
            "petrov",
        ],
        Some("teacher password\n"),
    );
    assert!(
        out.status.success(),
        "one school only: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tabel(&["audit", "verify", "--db", &url], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let server = crate::support::Server::start(&url).await;
    let login = server.login("director", "director password").await;
    assert_eq!(login.status(), StatusCode::OK);
    let token = login.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me: serde_json::Value = crate::support::client(false)
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let roles: Vec<&str> = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["role"].as_str())
        .collect();
    assert_eq!(roles, ["admin"], "{me}");
    assert_eq!(
        server.login("director", "teacher password").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
