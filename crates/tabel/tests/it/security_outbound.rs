//! Issue 17, what leaves the server and what comes in big: webhooks reach only public https
//! addresses (refused at registration when the URL names an address, and when connecting when
//! a name resolves inside), delivery errors keep the status and never an answer's body or a
//! gateway's URL (the phone, the text, the key), webhook topics and exam batch ids are checked;
//! uploads are authorised before their body is read, streamed with a size cap, and capped per
//! uploader and day.

use crate::journal::timetable;
use crate::notify::{
    MONDAY_NOON, add_contact, deliveries, local_hooks, publish_finals, settings, worker,
};
use crate::support::{Backend, TestApp, assert_problem, both_backends, post};
use axum::http::Uri;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tabel_domain::notify::{DeliveryState, WebhookRules, is_public_address};
use tabel_notify::{NotifyConfig, SmsConfig, SmsMethod};

fn hooks_of(app: &TestApp) -> String {
    format!("/api/v1/schools/{}/webhooks", app.f.school)
}

both_backends!(webhooks_to_inside_addresses_plain_http_or_unknown_topics_are_refused);
async fn webhooks_to_inside_addresses_plain_http_or_unknown_topics_are_refused(app: TestApp) {
    let admin = app.token("admin").await;
    let hooks = hooks_of(&app);
    for url in [
        "https://127.0.0.1/hook",
        "https://127.1:8443/hook",
        "https://2130706433/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.10/hook",
        "https://172.20.0.1/hook",
        "https://100.64.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fd12:3456::1]/hook",
        "https://[fe80::1]/hook",
        "https://localhost/hook",
        // Plain http, even to a public address, unless the deployment lists the host.
        "http://93.184.215.14/hook",
        "http://hooks.example.org/hook",
    ] {
        let res = post(
            &app,
            &admin,
            &hooks,
            json!({"url": url, "topics": "final.published"}),
        )
        .await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(problem["errors"]["url"].is_string(), "{url}: {problem}");
    }
    // A topic Tabel never sends would subscribe to nothing, silently: refused, naming the field.
    let res = post(
        &app,
        &admin,
        &hooks,
        json!({"url": "https://hooks.example.org/tabel", "topics": "final.published finals.publish"}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["errors"]["topics"]
            .as_str()
            .unwrap()
            .contains("finals.publish"),
        "{problem}"
    );
    assert!(problem["errors"]["url"].is_null(), "{problem}");
    // Nothing was stored by the refusals; a public https URL with known topics is taken.
    assert_eq!(
        app.get_json(&hooks, &admin).await.as_array().unwrap().len(),
        0
    );
    let res = post(
        &app,
        &admin,
        &hooks,
        json!({"url": "https://hooks.example.org/tabel", "topics": "final.published, exam.result_published"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

/// The machine's own name, which resolves to a loopback or private address here (as on most
/// Linux hosts through /etc/hosts); the test cannot show anything without one and says so.
async fn a_name_resolving_inside() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .expect("the machine's name")
        .trim()
        .to_owned();
    let found: Vec<_> = tokio::net::lookup_host((name.as_str(), 0))
        .await
        .map(|a| a.map(|a| a.ip()).collect())
        .unwrap_or_default();
    assert!(
        !found.is_empty() && found.iter().all(|ip| !is_public_address(*ip)),
        "this test needs the machine's name ({name}) to resolve to non-public addresses only, got {found:?}"
    );
    name
}

/// A TCP listener on loopback counting the connections made to it (a TLS handshake or an HTTP
/// request alike: any connection is a leak).
async fn connection_counter() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, seen)
}

both_backends!(a_webhook_whose_name_resolves_inside_is_refused_when_connecting);
async fn a_webhook_whose_name_resolves_inside_is_refused_when_connecting(app: TestApp) {
    let name = a_name_resolving_inside().await;
    let (port, seen) = connection_counter().await;
    let admin = app.token("admin").await;
    // A name is taken at registration: what it resolves to may change, so delivery decides.
    let res = post(
        &app,
        &admin,
        &hooks_of(&app),
        json!({"url": format!("https://{name}:{port}/hook"), "topics": "final.published"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let r = worker(&app, settings(None))
        .run_once_at(MONDAY_NOON)
        .await
        .unwrap();
    assert_eq!(r.sent, 0, "{r:?}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "the notifier connected to an inside address"
    );
    let pending = deliveries(&app, DeliveryState::Pending).await;
    assert_eq!(pending.len(), 1);
    let error = pending[0].last_error.as_deref().unwrap();
    assert!(error.contains("no public address"), "{error}");
}

both_backends!(
    a_listed_host_gets_its_webhook_and_a_stored_subscription_to_an_address_does_not(backend)
);
async fn a_listed_host_gets_its_webhook_and_a_stored_subscription_to_an_address_does_not(
    backend: Backend,
) {
    // The deployment lists 127.0.0.1 for the server (registration) but the notifier's rules
    // list nothing: a subscription made under looser rules is checked again at each try.
    let app = TestApp::with(backend, |c| c.notify.webhook_rules = local_hooks()).await;
    let (port, seen) = connection_counter().await;
    let admin = app.token("admin").await;
    let res = post(
        &app,
        &admin,
        &hooks_of(&app),
        json!({"url": format!("http://127.0.0.1:{port}/hook"), "topics": "final.published"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let strict = NotifyConfig {
        webhook_rules: WebhookRules::default(),
        ..settings(None)
    };
    let r = worker(&app, strict).run_once_at(MONDAY_NOON).await.unwrap();
    assert_eq!(r.sent, 0, "{r:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 0);
    let pending = deliveries(&app, DeliveryState::Pending).await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(
        pending[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("https://"),
        "{:?}",
        pending[0].last_error
    );
}

/// What a failing receiver or gateway got, and how it answers: 500 with a body that echoes the
/// request (as some gateways do) and shows its insides.
async fn echoing_failure() -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let router = axum::Router::new().fallback(move |uri: Uri, body: String| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("stack trace at /srv/internal/db.rs; you sent {uri} {body}"),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, calls)
}

both_backends!(a_failing_webhook_leaves_only_its_status_in_the_delivery_error(backend));
async fn a_failing_webhook_leaves_only_its_status_in_the_delivery_error(backend: Backend) {
    let app = TestApp::with(backend, |c| c.notify.webhook_rules = local_hooks()).await;
    let (base, calls) = echoing_failure().await;
    let admin = app.token("admin").await;
    let res = post(
        &app,
        &admin,
        &hooks_of(&app),
        json!({"url": format!("{base}/hook"), "topics": "final.published"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let config = NotifyConfig {
        webhook_rules: local_hooks(),
        ..settings(None)
    };
    worker(&app, config).run_once_at(MONDAY_NOON).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let pending = deliveries(&app, DeliveryState::Pending).await;
    let error = pending[0].last_error.as_deref().unwrap();
    assert_eq!(error, "webhook answered 500 Internal Server Error");
    // The administrator's list of deliveries shows the same.
    let listed = app
        .get_json(
            &format!("/api/v1/schools/{}/deliveries?state=pending", app.f.school),
            &admin,
        )
        .await
        .to_string();
    assert!(!listed.contains("stack trace"), "{listed}");
}

both_backends!(a_failing_sms_gateway_leaves_no_phone_text_or_key_in_the_delivery_error);
async fn a_failing_sms_gateway_leaves_no_phone_text_or_key_in_the_delivery_error(app: TestApp) {
    add_contact(&app, app.f.parent, "phone", "+7 912 345-67-89", true).await;
    let parent = app.token("parent").await;
    let res = app
        .http
        .put(app.url("/api/v1/me/notification-settings"))
        .bearer_auth(&parent)
        .json(&json!({"events": [{"event": "final", "channel": "sms", "mode": "immediate"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let leaks = |error: &str| {
        for secret in [
            "79123456789",
            "gw-key-s3cret",
            "Математика",
            "%D0",
            "stack trace",
        ] {
            assert!(!error.contains(secret), "{secret:?} in {error:?}");
        }
    };
    // A gateway that answers 500, echoing the request.
    let (base, calls) = echoing_failure().await;
    let mut failing = SmsConfig::new(format!(
        "{base}/send?key=gw-key-s3cret&to={{phone}}&text={{text}}"
    ));
    failing.method = SmsMethod::Get;
    let config = NotifyConfig {
        sms: Some(failing),
        ..settings(None)
    };
    worker(&app, config).run_once_at(MONDAY_NOON).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let pending = deliveries(&app, DeliveryState::Pending).await;
    let error = pending[0].last_error.clone().unwrap();
    assert_eq!(error, "SMS gateway answered 500 Internal Server Error");
    leaks(&error);
    // A gateway that cannot be reached: the client's error names the URL unless it is cut off.
    let gone = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut down = SmsConfig::new(format!(
        "http://127.0.0.1:{gone}/send?key=gw-key-s3cret&to={{phone}}&text={{text}}"
    ));
    down.method = SmsMethod::Get;
    let config = NotifyConfig {
        sms: Some(down),
        ..settings(None)
    };
    worker(&app, config)
        .run_once_at(MONDAY_NOON + time::Duration::hours(1))
        .await
        .unwrap();
    let pending = deliveries(&app, DeliveryState::Pending).await;
    let error = pending[0].last_error.clone().unwrap();
    assert!(error.starts_with("SMS gateway: "), "{error}");
    assert_eq!(pending[0].attempts, 2);
    leaks(&error);
}

both_backends!(an_empty_exam_batch_id_is_refused_and_publishes_nothing);
async fn an_empty_exam_batch_id_is_refused_and_publishes_nothing(app: TestApp) {
    let admin = app.token("admin").await;
    let csv = "\u{FEFF}ФИО;Класс;Предмет;Дата;Первичный балл;Отметка\r\n\
        Петров Иван Сергеевич;5А;Математика;20.11.2026;17;5\r\n";
    let res = app
        .http
        .post(app.url("/api/v1/exam-results?exam=vpr&received_at=2026-11-26T09:00:00Z"))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let exams = app
        .get_json(&format!("/api/v1/students/{}/exams", app.f.ivan), &admin)
        .await;
    let id = exams[0]["id"].as_str().unwrap().to_owned();
    for blank in ["", "   "] {
        for body in [
            json!({"batch_id": blank}),
            json!({"batch_id": blank, "ids": [id]}),
        ] {
            let res = app
                .http
                .post(app.url("/api/v1/exam-results/publication"))
                .bearer_auth(&admin)
                .json(&body)
                .send()
                .await
                .unwrap();
            let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert!(
                problem["errors"]["batch_id"].is_string(),
                "{body}: {problem}"
            );
        }
    }
    let exams = app
        .get_json(&format!("/api/v1/students/{}/exams", app.f.ivan), &admin)
        .await;
    assert!(exams[0]["published_at"].is_null(), "{exams}");
}

/// 5Б's mathematics lesson on Tuesday 24.11.2026 (the `english` teacher's; none of the
/// `refuser`'s or the `student`'s, and the `parent`'s Анна is in it).
async fn lesson_of_5b(app: &TestApp, deputy: &str) -> String {
    let all = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-23&to=2026-11-27",
                app.f.class_5b
            ),
            deputy,
        )
        .await;
    let lessons: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["group_id"] == app.f.class_5b.to_string())
        .collect();
    assert_eq!(lessons.len(), 1, "{all}");
    lessons[0]["id"].as_str().unwrap().to_owned()
}

/// Sends an upload's headers announcing `declared` bytes but only the first 64 KiB of them,
/// then waits (at most `wait`) for an answer: a server that answers has decided without
/// reading the body; one that reads it waits for bytes that never come. Returns the status
/// line and what followed.
async fn upload_without_sending_the_body(
    app: &TestApp,
    (method, path): (&str, &str),
    token: &str,
    (declared, wait): (usize, std::time::Duration),
) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let boundary = "----tabel-never-sent";
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {declared}\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    );
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![b'x'; 64 * 1024]).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                        break;
                    }
                }
            }
        }
    };
    let _ = tokio::time::timeout(wait, read).await;
    (!answer.is_empty()).then(|| String::from_utf8_lossy(&answer).into_owned())
}

both_backends!(uploads_to_a_lesson_the_caller_may_not_write_are_refused_before_the_body_is_read);
async fn uploads_to_a_lesson_the_caller_may_not_write_are_refused_before_the_body_is_read(
    app: TestApp,
) {
    let (deputy, lessons) = crate::homework_files::week(&app).await;
    let of_5a = crate::homework_files::id(&lessons[0]);
    let of_5b = lesson_of_5b(&app, &deputy).await;
    // Four times the file limit is announced; 64 KiB is sent. A lesson the caller does not see
    // is missing (404), one they see but may not write forbidden (403), both at once.
    let declared = 4 * tabel_app::homework_files::DEFAULT_MAX_BYTES;
    for (login, lesson, status) in [
        ("refuser", &of_5b, "404"),
        ("student", &of_5b, "404"),
        ("admin2", &of_5a, "404"),
        ("parent", &of_5b, "403"),
        ("student", &of_5a, "403"),
        ("english", &of_5a, "403"),
    ] {
        let token = app.token(login).await;
        let answer = upload_without_sending_the_body(
            &app,
            ("POST", &format!("/api/v1/lessons/{lesson}/files")),
            &token,
            (declared, std::time::Duration::from_secs(20)),
        )
        .await
        .unwrap_or_else(|| {
            panic!("{login}: no answer while the body was not sent: the server waited to read it")
        });
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{login} on {lesson}: {answer}"
        );
        assert!(answer.contains("application/problem+json"), "{answer}");
    }
    // The lesson's own teacher is let in, so the server does read (and waits for the body).
    let teacher = app.token("teacher").await;
    let answer = upload_without_sending_the_body(
        &app,
        ("POST", &format!("/api/v1/lessons/{of_5a}/files")),
        &teacher,
        (declared, std::time::Duration::from_secs(3)),
    )
    .await;
    assert!(answer.is_none(), "{answer:?}");
}

/// `n` bytes that are not all alike.
fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8 ^ seed).collect()
}

both_backends!(
    a_normal_upload_keeps_its_hash_and_the_daily_limit_counts_what_each_uploader_stored(backend)
);
async fn a_normal_upload_keeps_its_hash_and_the_daily_limit_counts_what_each_uploader_stored(
    backend: Backend,
) {
    use crate::homework_files::{delete, id, upload, week};
    use sha2::Digest;
    let app = TestApp::with(backend, |c| c.upload_bytes_per_day = 2_500).await;
    let (deputy, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    let first = bytes(1_000, 1);
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("a.pdf", "application/pdf", &first),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let meta: serde_json::Value = res.json().await.unwrap();
    assert_eq!(meta["sha256"], hex::encode(sha2::Sha256::digest(&first)));
    assert_eq!(meta["size_bytes"], 1_000);
    let downloaded = app
        .get(&format!("/api/v1/files/{}", id(&meta)), &teacher)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(downloaded.as_ref(), first.as_slice());
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("b.pdf", "application/pdf", &bytes(1_000, 2)),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let second = id(&res.json::<serde_json::Value>().await.unwrap());
    // 2,000 of 2,500 bytes used: another 1,000 is over the day's limit, and nothing is stored.
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("c.pdf", "application/pdf", &bytes(1_000, 3)),
        None,
    )
    .await;
    let problem = assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("daily upload limit"),
        "{problem}"
    );
    // Deleting a file does not give its bytes back for the day.
    assert_eq!(
        delete(&app, &teacher, &second, None).await.status(),
        StatusCode::NO_CONTENT
    );
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("c.pdf", "application/pdf", &bytes(1_000, 3)),
        None,
    )
    .await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    let files = app
        .get_json(&format!("/api/v1/lessons/{monday}/files"), &teacher)
        .await;
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
    // What fits still goes in; then the day is used up and even a small file is refused
    // before it is read.
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("d.pdf", "application/pdf", &bytes(500, 4)),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = upload(
        &app,
        &teacher,
        &monday,
        ("e.pdf", "application/pdf", &bytes(1, 5)),
        None,
    )
    .await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    // The limit is each uploader's own: the teacher of 5Б still uploads.
    let english = app.token("english").await;
    let of_5b = lesson_of_5b(&app, &deputy).await;
    let res = upload(
        &app,
        &english,
        &of_5b,
        ("f.pdf", "application/pdf", &bytes(1_000, 6)),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

both_backends!(a_consent_scan_from_someone_not_keeping_the_registry_is_refused_before_it_is_read);
async fn a_consent_scan_from_someone_not_keeping_the_registry_is_refused_before_it_is_read(
    app: TestApp,
) {
    let admin = app.token("admin").await;
    let history = app
        .get_json(&format!("/api/v1/students/{}/consents", app.f.ivan), &admin)
        .await;
    let record = history["records"][0]["id"].as_str().unwrap().to_owned();
    // The child's own representative knows the record but does not keep the registry (403);
    // another school's administrator does not see it (404); both before the scan is read.
    for (login, status) in [("parent", "403"), ("admin2", "404")] {
        let token = app.token(login).await;
        let answer = upload_without_sending_the_body(
            &app,
            ("PUT", &format!("/api/v1/consents/{record}/scan?name=a.pdf")),
            &token,
            (4 * 1024 * 1024, std::time::Duration::from_secs(20)),
        )
        .await
        .unwrap_or_else(|| panic!("{login}: no answer while the scan was not sent"));
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{login}: {answer}"
        );
    }
}
