//! Files of a lesson's homework: upload, list, download and delete through the JSON API and the
//! lesson page; size limits that follow the configuration; permissions as for the lesson record;
//! grade 1, cancelled lessons and closed periods; audit and outbox.

use crate::support::{Backend, Page, TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_store::test_support::Fixture;

/// A small PDF-looking file with a Cyrillic comment and every byte value.
fn pdf() -> Vec<u8> {
    let mut b = "%PDF-1.4\n% Задание\n".as_bytes().to_vec();
    for _ in 0..4 {
        b.extend(0u8..=255);
    }
    b.extend_from_slice(b"%%EOF\n");
    b
}

/// SHA-256 of [`pdf`] (computed independently).
const PDF_SHA256: &str = "55e0a855500a89f445c537b2ee2cce545dc5b42e64ad941244a81d227d461afb";

/// A `multipart/form-data` body as a browser sends it: a file field (name, type, bytes) and
/// plain fields.
pub(crate) fn multipart(
    file: Option<(&str, &str, &[u8])>,
    fields: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let boundary = "----tabel-test-boundary-hw9Q2xL0";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, kind, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: {kind}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `POST /api/v1/lessons/{lesson}/files` with a file (and a `reason` when given).
async fn upload(
    app: &TestApp,
    token: &str,
    lesson: &str,
    (name, kind, bytes): (&str, &str, &[u8]),
    reason: Option<&str>,
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = reason.map(|r| ("reason", r)).into_iter().collect();
    let (content_type, body) = multipart(Some((name, kind, bytes)), &fields);
    app.http
        .post(app.url(&format!("/api/v1/lessons/{lesson}/files")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn delete(app: &TestApp, token: &str, file: &str, reason: Option<&str>) -> reqwest::Response {
    let mut req = app
        .http
        .delete(app.url(&format!("/api/v1/files/{file}")))
        .bearer_auth(token);
    if let Some(r) = reason {
        req = req.query(&[("reason", r)]);
    }
    req.send().await.unwrap()
}

async fn files_of(app: &TestApp, token: &str, lesson: &str) -> Vec<Value> {
    app.get_json(&format!("/api/v1/lessons/{lesson}/files"), token)
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// The timetable of the journal tests; 5А's mathematics lessons of the week of 23.11.2026
/// (Monday, Wednesday, Friday). Returns the deputy's token and the lessons.
async fn week(app: &TestApp) -> (String, Vec<Value>) {
    let deputy = crate::journal::timetable(app).await;
    let all = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-23&to=2026-11-27",
                app.f.class_5a
            ),
            &deputy,
        )
        .await;
    let lessons = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| {
            l["subject_id"] == app.f.math.to_string() && l["group_id"] == app.f.class_5a.to_string()
        })
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(lessons.len(), 3, "{lessons:?}");
    (deputy, lessons)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The application with the fixture school and a homework file limit of `max_bytes`.
async fn app_with_limit(backend: Backend, max_bytes: usize) -> TestApp {
    TestApp::with(backend, |c| c.homework_file_max_bytes = max_bytes).await
}

async fn audit_actions(app: &TestApp, file: &str) -> Vec<String> {
    let mut c = app.db.db.acquire().await.unwrap();
    let mut actions: Vec<String> =
        tabel_store::audit::history_of(&mut c.conn(), "homework_file", file, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.action)
            .collect();
    actions.reverse();
    actions
}

async fn assert_audit_chain_holds(app: &TestApp) {
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

/// Upload, list, download with the bytes compared, delete: the part every backend must pass.
async fn round_trip(app: &TestApp) {
    let (deputy, lessons) = week(app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    assert!(files_of(app, &teacher, &monday).await.is_empty());

    let bytes = pdf();
    let res = upload(
        app,
        &teacher,
        &monday,
        ("Задание №5.pdf", "application/pdf", &bytes),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let meta: Value = res.json().await.unwrap();
    assert_eq!(meta["file_name"], "Задание №5.pdf");
    assert_eq!(meta["content_type"], "application/pdf");
    assert_eq!(meta["size_bytes"], bytes.len());
    assert_eq!(meta["sha256"], PDF_SHA256);
    assert_eq!(meta["lesson_id"], monday.as_str());
    assert_eq!(
        meta["uploaded_by_user_id"],
        app.f.user("teacher").to_string()
    );
    let file = id(&meta);
    assert_eq!(meta["href"], format!("/api/v1/files/{file}"));

    // The journal's readers list it: its teacher and the deputy head.
    for token in [&teacher, &deputy] {
        let files = files_of(app, token, &monday).await;
        assert_eq!(files.len(), 1);
        assert_eq!(files[0]["id"], file.as_str());
        assert!(files[0].get("content").is_none());
    }
    let res = app.get(&format!("/api/v1/files/{file}"), &deputy).await;
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"_______ _5.pdf\"; \
         filename*=UTF-8''%D0%97%D0%B0%D0%B4%D0%B0%D0%BD%D0%B8%D0%B5%20%E2%84%965.pdf"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("content-security-policy"), "sandbox");
    assert!(header("cache-control").starts_with("private"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);

    // The event and the audit record are there, without the bytes.
    let events = {
        let mut c = app.db.db.acquire().await.unwrap();
        tabel_store::outbox::pending(&mut c.conn(), 1000)
            .await
            .unwrap()
    };
    let attached = events
        .iter()
        .find(|e| e.topic == "homework.file_attached")
        .expect("homework.file_attached event");
    let payload: Value = serde_json::from_str(&attached.payload).unwrap();
    assert_eq!(payload["id"], file.as_str());
    assert_eq!(payload["sha256"], PDF_SHA256);

    let res = delete(app, &teacher, &file, None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(files_of(app, &teacher, &monday).await.is_empty());
    assert_problem(
        app.get(&format!("/api/v1/files/{file}"), &teacher).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        delete(app, &teacher, &file, None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        audit_actions(app, &file).await,
        ["homework_file.attach", "homework_file.delete"]
    );
    assert_audit_chain_holds(app).await;
}

both_backends!(a_teacher_attaches_a_file_that_readers_download_byte_for_byte);
async fn a_teacher_attaches_a_file_that_readers_download_byte_for_byte(app: TestApp) {
    round_trip(&app).await;
}

both_backends!(unknown_types_are_served_as_bytes_and_names_are_made_safe);
async fn unknown_types_are_served_as_bytes_and_names_are_made_safe(app: TestApp) {
    let (_, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    let page = b"<html><script>alert(1)</script></html>";
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("../../секрет\u{202e}lmth.txt", "text/html", page),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let meta: Value = res.json().await.unwrap();
    assert_eq!(meta["file_name"], "секретlmth.txt");
    assert_eq!(meta["content_type"], "application/octet-stream");
    let res = app
        .get(&format!("/api/v1/files/{}", id(&meta)), &teacher)
        .await;
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/octet-stream"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
}

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

both_backends!(only_writers_of_the_lesson_attach_and_only_readers_of_the_journal_read);
async fn only_writers_of_the_lesson_attach_and_only_readers_of_the_journal_read(app: TestApp) {
    let (_, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    let res = upload(&app, &teacher, &monday, ("a.txt", "text/plain", b"a"), None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let file = id(&res.json::<Value>().await.unwrap());

    // The pupil of the lesson's group and a parent with the diary consent download (the diary
    // links the files) but do not list them (the journal's readers do).
    for (login, write, read, download_status) in [
        (
            "english",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        (
            "parent",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
            StatusCode::OK,
        ),
        (
            "student",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
            StatusCode::OK,
        ),
        (
            "admin2",
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
        ),
        (
            "zavuch",
            StatusCode::FORBIDDEN,
            StatusCode::OK,
            StatusCode::OK,
        ),
    ] {
        let token = app.token(login).await;
        let res = upload(&app, &token, &monday, ("b.txt", "text/plain", b"b"), None).await;
        assert_problem(res, write).await;
        assert_problem(delete(&app, &token, &file, None).await, write).await;
        let list = app
            .get(&format!("/api/v1/lessons/{monday}/files"), &token)
            .await;
        if read == StatusCode::OK {
            assert_eq!(list.status(), StatusCode::OK, "{login}");
        } else {
            assert_problem(list, read).await;
        }
        let download = app.get(&format!("/api/v1/files/{file}"), &token).await;
        if download_status == StatusCode::OK {
            assert_eq!(download.status(), StatusCode::OK, "{login}");
        } else {
            assert_problem(download, download_status).await;
        }
    }
    // Without a token: 401.
    let res = app
        .http
        .get(app.url(&format!("/api/v1/files/{file}")))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    // An administrator corrects only with a reason.
    let admin = app.token("admin").await;
    let p = assert_problem(
        upload(&app, &admin, &monday, ("c.txt", "text/plain", b"c"), None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["reason"].is_string(), "{p}");
    let res = upload(
        &app,
        &admin,
        &monday,
        ("c.txt", "text/plain", b"c"),
        Some("по просьбе учителя"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let names: Vec<String> = files_of(&app, &teacher, &monday)
        .await
        .iter()
        .map(|f| f["file_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["a.txt", "c.txt"]);
    assert_problem(
        app.get("/api/v1/lessons/999999/files", &teacher).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

both_backends!(a_closed_period_takes_files_only_from_an_administrator_with_a_reason);
async fn a_closed_period_takes_files_only_from_an_administrator_with_a_reason(app: TestApp) {
    let (deputy, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    let res = upload(&app, &teacher, &monday, ("a.txt", "text/plain", b"a"), None).await;
    let file = id(&res.json::<Value>().await.unwrap());
    let grid = app
        .get_json(
            &format!(
                "/api/v1/journal?group={}&subject={}",
                app.f.class_5a, app.f.math
            ),
            &teacher,
        )
        .await;
    let period = grid["period"]["id"].as_str().unwrap().to_owned();
    let res = app
        .http
        .post(app.url(&format!("/api/v1/periods/{period}/close")))
        .bearer_auth(&deputy)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let p = assert_problem(
        upload(&app, &teacher, &monday, ("b.txt", "text/plain", b"b"), None).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("closed"), "{p}");
    assert_problem(
        delete(&app, &teacher, &file, None).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Reading goes on.
    assert_eq!(files_of(&app, &teacher, &monday).await.len(), 1);
    let admin = app.token("admin").await;
    let res = delete(&app, &admin, &file, Some("файл с ошибкой")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = upload(
        &app,
        &admin,
        &monday,
        ("b.txt", "text/plain", b"b"),
        Some("исправленный файл"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let mut c = app.db.db.acquire().await.unwrap();
    let history = tabel_store::audit::history_of(&mut c.conn(), "homework_file", &file, 10)
        .await
        .unwrap();
    assert_eq!(history[0].action, "homework_file.delete");
    assert_eq!(history[0].reason.as_deref(), Some("файл с ошибкой"));
    assert!(history[0].after_json.is_none());
    let before: Value = serde_json::from_str(history[0].before_json.as_deref().unwrap()).unwrap();
    assert_eq!(before["file_name"], "a.txt");
    drop(c);
    assert_audit_chain_holds(&app).await;
}

both_backends!(cancelled_lessons_and_grade_one_take_no_files);
async fn cancelled_lessons_and_grade_one_take_no_files(app: TestApp) {
    use tabel_domain::school::GroupKind;
    let (deputy, lessons) = week(&app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    // The deputy cancels Wednesday's lesson.
    let wednesday = id(&lessons[1]);
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{wednesday}/cancellation")))
        .bearer_auth(&deputy)
        .json(&json!({"reason": "карантин", "version": lessons[1]["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let p = assert_problem(
        upload(
            &app,
            &teacher,
            &wednesday,
            ("a.txt", "text/plain", b"a"),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"]["lesson_id"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{p}"
    );

    // A first-grade class with the teacher's mathematics on Tuesdays.
    let class = {
        let mut tx = app.db.db.begin().await.unwrap();
        let c = &mut tx.conn();
        let g5 = tabel_store::school::get_group(c, f.class_5a, Fixture::TODAY)
            .await
            .unwrap()
            .unwrap();
        let class = tabel_store::school::insert_group(
            c,
            &tabel_store::school::NewGroup {
                school: f.school,
                year: g5.year,
                kind: GroupKind::Class,
                name: "1А",
                grade: 1,
                parent: None,
                subject: None,
            },
        )
        .await
        .unwrap();
        let five = tabel_domain::calendar::WeekLength::try_from(5u8).unwrap();
        tabel_store::school::insert_parallel(
            c,
            f.school,
            g5.year,
            1,
            five,
            tabel_domain::school::PeriodKind::Quarter,
        )
        .await
        .unwrap();
        tabel_store::school::insert_assignment(
            c,
            f.school,
            g5.year,
            f.teacher,
            f.math,
            class,
            time::macros::date!(2026 - 09 - 01),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        class
    };
    let res = app
        .http
        .post(app.url("/api/v1/timetable"))
        .bearer_auth(&deputy)
        .json(
            &json!({"group_id": class.to_string(), "weekday": 2, "number": 4,
            "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string(), "room": ""}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let first_grade = app
        .get_json(
            &format!("/api/v1/lessons?class={class}&from=2026-11-23&to=2026-11-27"),
            &deputy,
        )
        .await;
    let tuesday = id(&first_grade[0]);
    let p = assert_problem(
        upload(
            &app,
            &teacher,
            &tuesday,
            ("a.txt", "text/plain", b"a"),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"]["file"].as_str().unwrap().contains("grade 1"),
        "{p}"
    );
    assert!(files_of(&app, &teacher, &tuesday).await.is_empty());
    assert!(files_of(&app, &teacher, &wednesday).await.is_empty());
}

/// Posts the lesson page's upload form as a browser does.
async fn upload_page(
    b: &crate::support::Browser,
    lesson: &str,
    (name, kind, bytes): (&str, &str, &[u8]),
) -> reqwest::Response {
    let (content_type, body) = multipart(Some((name, kind, bytes)), &[]);
    b.http
        .post(format!("{}/journal/lesson/{lesson}/files", b.base))
        .header("Origin", &b.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

both_backends!(the_lesson_page_lists_files_and_takes_uploads_without_javascript(backend));
async fn the_lesson_page_lists_files_and_takes_uploads_without_javascript(backend: Backend) {
    let app = app_with_limit(backend, 100_000).await;
    let (_, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let page = format!("/journal/lesson/{monday}");
    let teacher = app.browser("teacher").await;

    let (status, html) = teacher.parsed(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.has("#lesson-files p#files-none"), "{}", html.source());
    assert_eq!(
        html.attr("#lesson-files form#file-upload", "enctype")
            .as_deref(),
        Some("multipart/form-data")
    );
    assert!(
        html.text("#file-upload small.muted")
            .contains("до 98 КБ, не больше 10 файлов"),
        "{}",
        html.source()
    );

    let bytes = pdf();
    let res = upload_page(
        &teacher,
        &monday,
        ("Задание.pdf", "application/pdf", &bytes),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/journal/lesson/{monday}#lesson-files")
    );
    let (_, html) = teacher.parsed(&page).await;
    assert!(!html.has("#files-none"), "{}", html.source());
    let file = id(&files_of(&app, &app.token("teacher").await, &monday).await[0]);
    let item = format!("#files-list li#file-{file}");
    assert_eq!(html.text(&format!("{item} a.file-link")), "Задание.pdf");
    assert_eq!(
        html.attr(&format!("{item} a.file-link"), "href"),
        Some(format!("/journal/files/{file}"))
    );
    assert!(
        html.has(&format!("{item} form button#delete-file-{file}")),
        "{}",
        html.source()
    );
    let res = teacher.get(&format!("/journal/files/{file}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["content-security-policy"], "sandbox");
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);

    // Refusals come back on the page, in Russian; nothing is stored.
    let res = upload_page(&teacher, &monday, ("пусто.txt", "text/plain", b"")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Page::parse(&res.text().await.unwrap());
    assert!(
        html.text("#lesson-files #file-error")
            .contains("Файл пустой"),
        "{}",
        html.source()
    );
    let res = upload_page(
        &teacher,
        &monday,
        ("big.pdf", "application/pdf", &vec![1u8; 100_001]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = Page::parse(&res.text().await.unwrap());
    assert!(
        html.text("#lesson-files #file-error")
            .contains("больше допустимого"),
        "{}",
        html.source()
    );
    assert_eq!(
        files_of(&app, &app.token("teacher").await, &monday)
            .await
            .len(),
        1
    );
    // A form from another site is refused (the origin check stands in for CSRF tokens).
    let (content_type, body) = multipart(Some(("x.txt", "text/plain", b"x")), &[]);
    let res = teacher
        .http
        .post(format!("{}/journal/lesson/{monday}/files", teacher.base))
        .header("Origin", "http://evil.example")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The deputy reads the files but gets no form; another teacher may not post one.
    let deputy = app.browser("zavuch").await;
    let (status, html) = deputy.parsed(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.texts("#files-list a.file-link"),
        ["Задание.pdf"],
        "{}",
        html.source()
    );
    assert!(
        !html.source().contains("id=\"file-upload\""),
        "{}",
        html.source()
    );
    assert!(
        !html.source().contains("id=\"delete-file-"),
        "{}",
        html.source()
    );
    let english = app.browser("english").await;
    let res = upload_page(&english, &monday, ("x.txt", "text/plain", b"x")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        english
            .get(&format!("/journal/files/{file}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Deleting from the page.
    let res = teacher
        .post_form(
            &format!("/journal/files/{file}/delete"),
            &[("lesson", &monday)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = teacher.parsed(&page).await;
    assert!(
        html.has("#lesson-files p#files-none") && !html.has("#files-list"),
        "{}",
        html.source()
    );
    assert_eq!(
        audit_actions(&app, &file).await,
        ["homework_file.attach", "homework_file.delete"]
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_file_endpoints() {
    let app = TestApp::sqlite().await;
    let res = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc: Value = res.json().await.unwrap();
    let paths = &doc["paths"];
    let upload = &paths["/api/v1/lessons/{id}/files"]["post"];
    assert!(
        upload["requestBody"]["content"]["multipart/form-data"].is_object(),
        "{upload}"
    );
    assert!(upload["responses"]["413"].is_object(), "{upload}");
    assert!(paths["/api/v1/lessons/{id}/files"]["get"].is_object());
    assert!(paths["/api/v1/files/{id}"]["get"].is_object());
    assert!(paths["/api/v1/files/{id}"]["delete"].is_object());
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
