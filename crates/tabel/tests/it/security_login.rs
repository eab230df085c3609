//! Issue 17, logins, proxies, redirects and headers: the login throttles (per address, per
//! login, kept in the database), the client's address behind trusted proxies, the one rule for
//! local redirects, and the headers and small doors of every answer.

use crate::support::{
    Backend, Browser, PASSWORD, Page, TestApp, assert_problem, both_backends, client,
};
use reqwest::StatusCode;
use serde_json::Value;
use tabel::{Application, Config};
use tabel_store::test_support::Fixture;

/// A server of our own on the test's database and clock: a restart is stopping one and starting
/// another, a region's second process is two at once.
struct Running {
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    async fn start(app: &TestApp, tweak: impl FnOnce(&mut Config)) -> Running {
        let mut config = Config::for_tests(&app.db.url);
        config.today = Some(Fixture::TODAY);
        config.clock = Some(std::sync::Arc::new(app.clock.clone()));
        tweak(&mut config);
        let server = Application::build(config).await.unwrap();
        let base = format!("http://127.0.0.1:{}", server.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(server.run_until(async move {
            let _ = stopped.await;
        }));
        Running { base, stop, done }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.done.await.unwrap().unwrap();
    }

    async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        client(false)
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap()
    }
}

/// `POST /api/v1/auth/login` with extra headers (a proxy's).
async fn login_via(
    app: &TestApp,
    login: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({ "login": login, "password": password }));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

fn a_few_attempts(c: &mut Config) {
    c.login_attempts_per_minute = 3;
}

both_backends!(the_address_throttle_survives_a_restart_and_binds_a_second_server);
async fn the_address_throttle_survives_a_restart_and_binds_a_second_server(app: TestApp) {
    let first = Running::start(&app, a_few_attempts).await;
    for n in 1..=3 {
        let res = first.login(&format!("nobody{n}"), "guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let refused = assert_problem(
        first.login("parent", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert_eq!(refused["type"], "urn:tabel:problem:too-many-attempts");
    first.stop().await;

    let restarted = Running::start(&app, a_few_attempts).await;
    let second = Running::start(&app, a_few_attempts).await;
    for server in [&restarted, &second] {
        let res = server.login("parent", PASSWORD).await;
        assert!(res.headers().get("retry-after").is_some());
        let refused = assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
        assert_eq!(refused["type"], "urn:tabel:problem:too-many-attempts");
    }
    app.clock.advance(time::Duration::seconds(61));
    assert_eq!(
        second.login("parent", PASSWORD).await.status(),
        StatusCode::OK
    );
    restarted.stop().await;
    second.stop().await;
}

both_backends!(a_login_lock_survives_a_restart);
async fn a_login_lock_survives_a_restart(app: TestApp) {
    let first = Running::start(&app, |_| {}).await;
    for _ in 0..5 {
        first.login("nobody", "guess").await;
    }
    first.stop().await;
    let restarted = Running::start(&app, |_| {}).await;
    let refused = assert_problem(
        restarted.login("nobody", "guess").await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert_eq!(refused["type"], "urn:tabel:problem:account-locked");
    restarted.stop().await;
}

both_backends!(a_lock_that_ended_is_not_renewed_by_one_wrong_password);
async fn a_lock_that_ended_is_not_renewed_by_one_wrong_password(app: TestApp) {
    for _ in 0..4 {
        app.login_api("teacher", "guess").await;
    }
    let locked = assert_problem(
        app.login_api("teacher", "guess").await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert_eq!(locked["type"], "urn:tabel:problem:account-locked");
    app.clock.advance(time::Duration::minutes(16));
    // The lock is over: one more mistake is one mistake, not another lock.
    assert_problem(
        app.login_api("teacher", "guess").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        app.login_api("teacher", PASSWORD).await.status(),
        StatusCode::OK
    );
    // A success forgets the failures: four more are not a lock either.
    for _ in 0..4 {
        assert_eq!(
            app.login_api("teacher", "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login_api("teacher", PASSWORD).await.status(),
        StatusCode::OK
    );
}

both_backends!(a_lock_in_a_row_lasts_twice_as_long);
async fn a_lock_in_a_row_lasts_twice_as_long(app: TestApp) {
    for _ in 0..5 {
        app.login_api("teacher", "guess").await;
    }
    app.clock.advance(time::Duration::minutes(16));
    for _ in 0..5 {
        app.login_api("teacher", "guess").await;
    }
    app.clock.advance(time::Duration::minutes(16));
    assert_problem(
        app.login_api("teacher", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    app.clock.advance(time::Duration::minutes(15));
    assert_eq!(
        app.login_api("teacher", PASSWORD).await.status(),
        StatusCode::OK
    );
}

/// What a client can tell from an answer to a login.
async fn outcome(res: reqwest::Response) -> (StatusCode, bool, Value) {
    let status = res.status();
    let retry = res.headers().get("retry-after").is_some();
    let body: Value = res.json().await.unwrap();
    (
        status,
        retry,
        serde_json::json!([body["type"], body["title"], body["detail"]]),
    )
}

both_backends!(an_unknown_login_gets_the_same_answers_as_a_known_one);
async fn an_unknown_login_gets_the_same_answers_as_a_known_one(app: TestApp) {
    let mut answers = Vec::new();
    for login in ["teacher", "no.such.teacher"] {
        let mut seen = Vec::new();
        for _ in 0..6 {
            seen.push(outcome(app.login_api(login, "guess").await).await);
        }
        seen.push(outcome(app.login_api(login, PASSWORD).await).await);
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1], "no hint which logins exist");
    let statuses: Vec<StatusCode> = answers[0].iter().map(|a| a.0).collect();
    assert_eq!(
        statuses,
        [
            [StatusCode::UNAUTHORIZED; 4].as_slice(),
            &[StatusCode::TOO_MANY_REQUESTS; 3]
        ]
        .concat()
    );
    assert_eq!(answers[0][4].2[0], "urn:tabel:problem:account-locked");
    // The login form tells the two alike as well.
    let mut pages = Vec::new();
    for login in ["teacher", "no.such.teacher"] {
        let res = client(false)
            .post(app.url("/login"))
            .header("Origin", &app.base)
            .form(&[("login", login), ("password", PASSWORD), ("next", "/")])
            .send()
            .await
            .unwrap();
        let status = res.status();
        let retry = res.headers().get("retry-after").is_some();
        let page = Page::parse(&res.text().await.unwrap());
        pages.push((status, retry, page.text("#login-error")));
    }
    assert_eq!(pages[0], pages[1]);
    assert_eq!(pages[0].0, StatusCode::TOO_MANY_REQUESTS);
}

both_backends!(behind_a_trusted_proxy_the_client_is_the_forwarded_address(
    backend
));
async fn behind_a_trusted_proxy_the_client_is_the_forwarded_address(backend: Backend) {
    let app = TestApp::with(backend, |c| {
        c.login_attempts_per_minute = 3;
        c.trusted_proxies = vec![tabel_web::TrustedProxy::parse("127.0.0.0/8").unwrap()];
    })
    .await;
    let first = [("X-Forwarded-For", "203.0.113.5")];
    for n in 0..3 {
        let res = login_via(&app, &format!("nobody{n}"), "guess", &first).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = assert_problem(
        login_via(&app, "parent", PASSWORD, &first).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert_eq!(refused["type"], "urn:tabel:problem:too-many-attempts");
    // Another client behind the same proxy has a window of its own, by either header; a
    // client's own claim left of the proxy's entry changes nothing.
    for headers in [
        [("X-Forwarded-For", "203.0.113.6")],
        [("Forwarded", "for=\"[2001:db8::7]:4711\";proto=https")],
        [("X-Forwarded-For", "203.0.113.8, 203.0.113.6")],
    ] {
        assert_eq!(
            login_via(&app, "student", PASSWORD, &headers)
                .await
                .status(),
            StatusCode::OK,
            "{headers:?}"
        );
    }
    assert_eq!(
        login_via(
            &app,
            "parent",
            PASSWORD,
            &[("X-Forwarded-For", "9.9.9.9, 203.0.113.5")]
        )
        .await
        .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // The session keeps the same address.
    let b = Browser {
        http: client(true),
        base: app.base.clone(),
    };
    let res = b
        .http
        .post(app.url("/login"))
        .header("Origin", &app.base)
        .header("X-Forwarded-For", "198.51.100.23")
        .form(&[("login", "parent"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, page) = b.parsed("/account").await;
    assert_eq!(status, StatusCode::OK);
    let addresses: Vec<String> = page
        .select_rows("main table tbody tr")
        .into_iter()
        .map(|row| row[1].clone())
        .collect();
    assert_eq!(addresses, ["198.51.100.23"]);
}

both_backends!(forwarding_headers_from_an_untrusted_peer_are_ignored(
    backend
));
async fn forwarding_headers_from_an_untrusted_peer_are_ignored(backend: Backend) {
    for trusted in [vec![], vec!["10.0.0.0/8"]] {
        let app = TestApp::with(backend, |c| {
            c.login_attempts_per_minute = 3;
            c.trusted_proxies = trusted
                .iter()
                .map(|p| tabel_web::TrustedProxy::parse(p).unwrap())
                .collect();
        })
        .await;
        for n in 0..3 {
            let spoofed = format!("203.0.113.{n}");
            let res = login_via(
                &app,
                &format!("nobody{n}"),
                "guess",
                &[
                    ("X-Forwarded-For", &spoofed),
                    ("Forwarded", &format!("for={spoofed}")),
                ],
            )
            .await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        let refused = assert_problem(
            login_via(
                &app,
                "parent",
                PASSWORD,
                &[("X-Forwarded-For", "198.51.100.1")],
            )
            .await,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
        assert_eq!(refused["type"], "urn:tabel:problem:too-many-attempts");
    }
}

both_backends!(the_login_form_never_sends_a_visitor_to_another_site);
async fn the_login_form_never_sends_a_visitor_to_another_site(app: TestApp) {
    for hostile in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "/%2F%2Fevil.example",
        "/%2f/evil.example",
        "/%5Cevil.example",
        "/%09/evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        " /account",
    ] {
        let page = app
            .http
            .get(app.url("/login"))
            .query(&[("next", hostile)])
            .send()
            .await
            .unwrap();
        let page = Page::parse(&page.text().await.unwrap());
        assert_eq!(
            page.attr("form input[name=next]", "value").as_deref(),
            Some("/"),
            "{hostile:?}"
        );
        let res = client(false)
            .post(app.url("/login"))
            .header("Origin", &app.base)
            .form(&[
                ("login", "parent"),
                ("password", PASSWORD),
                ("next", hostile),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{hostile:?}");
        assert_eq!(res.headers()["location"], "/", "{hostile:?}");
    }
    let res = client(false)
        .post(app.url("/login"))
        .header("Origin", &app.base)
        .form(&[
            ("login", "parent"),
            ("password", PASSWORD),
            ("next", "/account?x=%D0%98"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account?x=%D0%98");
    // The language switch goes back to the page it was clicked on, if that is one of ours.
    let res = app
        .http
        .get(app.url("/lang/en"))
        .header("Referer", format!("{}/%2F%2Fevil.example/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
}

both_backends!(no_answer_but_the_static_files_may_be_stored_and_forms_post_only_here);
async fn no_answer_but_the_static_files_may_be_stored_and_forms_post_only_here(app: TestApp) {
    let token = app.token("parent").await;
    let browser = app.browser("parent").await;
    let answers = [
        app.http.get(app.url("/login")).send().await.unwrap(),
        app.get("/api/v1/me", &token).await,
        app.http.get(app.url("/api/v1/me")).send().await.unwrap(),
        app.http.get(app.url("/healthz")).send().await.unwrap(),
        app.http.get(app.url("/no-such-page")).send().await.unwrap(),
        browser.get("/").await,
        browser.get("/account").await,
    ];
    for res in answers {
        let what = res.url().path().to_owned();
        assert_eq!(res.headers()["cache-control"], "no-store", "{what}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("form-action 'self'") && csp.contains("base-uri 'none'"),
            "{what}: {csp}"
        );
        assert!(
            res.headers().get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP: {what}"
        );
    }
    let asset = app
        .http
        .get(app.url("/assets/pico-2.1.1.min.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

both_backends!(over_tls_every_answer_carries_hsts(backend));
async fn over_tls_every_answer_carries_hsts(backend: Backend) {
    let app = TestApp::with(backend, |c| c.secure_cookies = true).await;
    for path in ["/healthz", "/login", "/api/v1/me"] {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            res.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
}

both_backends!(metrics_are_served_only_for_the_token(backend));
async fn metrics_are_served_only_for_the_token(backend: Backend) {
    let open = TestApp::start(backend).await;
    let res = open.http.get(open.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "no token, no metrics");
    let res = open
        .http
        .get(open.url("/metrics"))
        .bearer_auth("")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let app = TestApp::with(backend, |c| {
        c.metrics_token = tabel_web::MetricsToken::new("scrape-secret-1");
    })
    .await;
    for token in [
        None,
        Some("scrape-secret-2"),
        Some("scrape-secret-1x"),
        Some(""),
    ] {
        let mut req = app.http.get(app.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(
            !res.text()
                .await
                .unwrap()
                .contains("tabel_http_requests_total")
        );
    }
    let res = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("tabel_http_requests_total")
    );
}

both_backends!(verification_lookups_are_throttled_per_address(backend));
async fn verification_lookups_are_throttled_per_address(backend: Backend) {
    let app = TestApp::with(backend, a_few_attempts).await;
    for code in ["ABCD-EFGH", "ABCD-EFGJ", "ABCD-EFGK"] {
        let res = app
            .http
            .get(app.url(&format!("/verify/{code}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{code}");
    }
    let res = app
        .http
        .get(app.url("/verify/ABCD-EFGM"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let refused = assert_problem(
        app.http
            .get(app.url("/api/v1/verify/ABCD-EFGM"))
            .send()
            .await
            .unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert_eq!(refused["type"], "urn:tabel:problem:too-many-attempts");
    // Logins count apart.
    assert_eq!(
        app.login_api("parent", PASSWORD).await.status(),
        StatusCode::OK
    );
    app.clock.advance(time::Duration::seconds(61));
    let res = app
        .http
        .get(app.url("/verify/ABCD-EFGM"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

both_backends!(a_request_with_a_bearer_token_does_not_fall_back_on_the_session_cookie);
async fn a_request_with_a_bearer_token_does_not_fall_back_on_the_session_cookie(app: TestApp) {
    let admin = app.browser("admin").await;
    let lock = app.url(&format!(
        "/admin/{}/users/{}/lock",
        app.f.school,
        app.f.user("teacher")
    ));
    // A cross-site post riding on the cookie, with a made-up token to skip the origin check.
    let res = admin
        .http
        .post(&lock)
        .header("Origin", "https://evil.example")
        .bearer_auth("made-up")
        .send()
        .await
        .unwrap();
    // Without its cookie the request is nobody's: off to the login page.
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get("location").map(|l| l.to_str().unwrap()),
        Some(format!(
            "/login?next=/admin/{}/users/{}/lock",
            app.f.school,
            app.f.user("teacher")
        ))
        .as_deref()
    );
    // Only a bearer token exempts from the origin check.
    let res = admin
        .http
        .post(&lock)
        .header("Origin", "https://evil.example")
        .header("Authorization", "Basic YWRtaW46eA==")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.login_api("teacher", PASSWORD).await.status(),
        StatusCode::OK,
        "nothing was locked"
    );
    // A page asked with a bearer token does not read the cookie either.
    let res = admin
        .http
        .get(app.url("/account"))
        .bearer_auth("made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(admin.get("/account").await.status(), StatusCode::OK);
    // The API answers a bad token 401 even with a good cookie.
    let res = admin
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth("made-up")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

both_backends!(a_network_address_is_refused_without_secure_cookies(backend));
async fn a_network_address_is_refused_without_secure_cookies(backend: Backend) {
    let db = backend.db().await;
    let on_network = |tweak: fn(&mut Config)| {
        let mut c = Config::for_tests(&db.url);
        c.listen = "0.0.0.0:0".into();
        tweak(&mut c);
        c
    };
    let refused = Application::build(on_network(|_| {})).await.unwrap_err();
    let message = format!("{refused:#}");
    assert!(
        message.contains("--secure-cookies") && message.contains("--insecure-listen"),
        "{message}"
    );
    for allowed in [
        on_network(|c| c.secure_cookies = true),
        on_network(|c| c.insecure_listen = true),
    ] {
        let app = Application::build(allowed).await.unwrap();
        assert!(!app.address().unwrap().ip().is_loopback());
    }
    // Loopback needs neither (what `serve --demo` and the tests do).
    Application::build(Config::for_tests(&db.url))
        .await
        .unwrap();
}

#[test]
fn the_command_line_refuses_a_network_address_without_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("tabel.db").display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tabel"))
        .args(["serve", "--db", &db, "--listen", "0.0.0.0:0"])
        .env_remove("TABEL_SECURE_COOKIES")
        .env_remove("TABEL_INSECURE_LISTEN")
        .env("TABEL_LOG", "error")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to listen on 0.0.0.0:0") && stderr.contains("--insecure-listen"),
        "{stderr}"
    );
}
