//! Size and count limits of homework files, and their configuration.

use super::{app_with_limit, delete, files_of, id, multipart, upload, week};
use crate::support::{Backend, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(too_large_empty_and_too_many_files_are_refused_and_nothing_is_stored(backend));
async fn too_large_empty_and_too_many_files_are_refused_and_nothing_is_stored(backend: Backend) {
    // Above the site-wide 64 KB form limit, so the upload route's own limit must apply.
    let limit = 200_000;
    let app = app_with_limit(backend, limit).await;
    let (_, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;

    let fits = vec![7u8; 150_000];
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("big.png", "image/png", &fits),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let over = vec![7u8; limit + 1];
    let p = assert_problem(
        upload(
            &app,
            &teacher,
            &monday,
            ("over.png", "image/png", &over),
            None,
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("200000"), "{p}");
    // Far beyond the limit: the body limit itself refuses it.
    let huge = vec![7u8; 4 * limit];
    let p = assert_problem(
        upload(
            &app,
            &teacher,
            &monday,
            ("huge.png", "image/png", &huge),
            None,
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(p["status"], 413);

    let p = assert_problem(
        upload(
            &app,
            &teacher,
            &monday,
            ("empty.txt", "text/plain", b""),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"]["file"], "the file is empty");
    // A form without a file at all, and a body that is not a form.
    let (ct, body) = multipart(None, &[("reason", "x")]);
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{monday}/files")))
        .bearer_auth(&teacher)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{monday}/files")))
        .bearer_auth(&teacher)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;

    let files = files_of(&app, &teacher, &monday).await;
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["file_name"], "big.png");

    // Ten files a lesson, no more.
    for n in 2..=10 {
        let res = upload(
            &app,
            &teacher,
            &monday,
            (&format!("{n}.txt"), "text/plain", b"x"),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED, "file {n}");
    }
    let p = assert_problem(
        upload(
            &app,
            &teacher,
            &monday,
            ("11.txt", "text/plain", b"x"),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["file"].as_str().unwrap().contains("10"), "{p}");
    assert_eq!(files_of(&app, &teacher, &monday).await.len(), 10);
    // A deleted file frees its place.
    let first = id(&files_of(&app, &teacher, &monday).await[0]);
    assert_eq!(
        delete(&app, &teacher, &first, None).await.status(),
        StatusCode::NO_CONTENT
    );
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("11.txt", "text/plain", b"x"),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[test]
fn the_file_limit_is_configured_in_bytes() {
    use tabel::config::{FileConfig, parse_file_size};
    assert_eq!(parse_file_size("10485760"), Ok(10 * 1024 * 1024));
    assert!(parse_file_size("0").is_err());
    assert!(parse_file_size("10MB").is_err());
    assert!(parse_file_size(&(257u64 * 1024 * 1024).to_string()).is_err());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tabel.toml");
    std::fs::write(&path, "homework_file_max_bytes = 2097152\n").unwrap();
    let file = FileConfig::load(Some(&path)).unwrap();
    assert_eq!(file.homework_file_max_bytes, Some(2_097_152));
}

#[test]
fn the_server_refuses_a_bad_file_limit_from_the_command_line_or_environment() {
    let serve = |args: &[&str], env: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tabel"));
        cmd.arg("serve")
            .args(args)
            .args(["--db", "sqlite:///nonexistent-dir/never.db"])
            .env_remove("TABEL_HOMEWORK_FILE_MAX_BYTES");
        if let Some(v) = env {
            cmd.env("TABEL_HOMEWORK_FILE_MAX_BYTES", v);
        }
        cmd.output().unwrap()
    };
    let out = serve(&["--homework-file-max-bytes", "0"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--homework-file-max-bytes"), "{err}");
    let out = serve(&[], Some("ten megabytes"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a number of bytes"), "{err}");
}
