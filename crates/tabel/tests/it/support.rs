//! Starting the application for a test and talking to it: on both backends
//! ([`both_backends!`]), with request helpers and page assertions scoped to elements ([`Page`]).

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::Value;
use std::sync::OnceLock;
use tabel::{Application, Config};
use tabel_app::clock::TestClock;
use tabel_store::test_support::{Fixture, TestDb};

/// The password of every fixture account.
pub const PASSWORD: &str = "correct horse";

fn hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| tabel_app::password::hash_now(PASSWORD).unwrap())
}

/// The audit key file of a test database: the default one beside an SQLite file; for
/// PostgreSQL, which has no default, one in the temporary folder named after the database.
pub fn audit_key_file(url: &str) -> std::path::PathBuf {
    tabel::audit_key::key_path(url, tabel::config::test_audit_key_file(url).as_deref()).unwrap()
}

/// The environment a `tabel` command on the database `--db` names needs: the audit key file
/// for PostgreSQL (SQLite finds its own).
pub fn audit_key_env(args: &[&str]) -> Option<(&'static str, std::path::PathBuf)> {
    let url = args
        .windows(2)
        .find(|w| w[0] == "--db")
        .map(|w| w[1])
        .filter(|u| u.starts_with("postgres"))?;
    Some(("TABEL_AUDIT_KEY_FILE", audit_key_file(url)))
}

/// The storage a black-box test runs on; [`both_backends!`] runs each test on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A fresh, migrated, empty database: a SQLite file in a temporary directory, or a new
    /// database in the test process's PostgreSQL cluster.
    pub async fn db(self) -> TestDb {
        match self {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres()
                .await
                .expect("both_backends! checked that PostgreSQL runs"),
        }
    }

    /// `sqlite` or `postgres` (for file names).
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// A fresh, empty, not migrated database's URL (for the binary's own `migrate`).
    pub async fn empty_url(self) -> (String, Option<tempfile::TempDir>) {
        match self {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("tabel.db").display());
                (url, Some(dir))
            }
            Backend::Postgres => (
                TestDb::postgres_url()
                    .await
                    .expect("both_backends! checked that PostgreSQL runs"),
                None,
            ),
        }
    }
}

/// Makes the tests `<name>::sqlite` and `<name>::postgres` of one test body, each on a fresh
/// database of its own:
///
/// - `both_backends!(name);` above `async fn name(app: TestApp)`: the application with the
///   fixture school, started on each backend;
/// - `both_backends!(name(backend));` above `async fn name(backend: Backend)`: for a test that
///   makes its own database, configuration or server (`TestApp::with`, `Backend::db`).
///
/// Without PostgreSQL here the `postgres` test fails, unless `TABEL_ALLOW_SKIP=1`
/// (`tabel_store::test_support::skip`).
///
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::support::TestApp::sqlite().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                if tabel_store::test_support::postgres_available() {
                    super::$name($crate::support::TestApp::postgres().await).await;
                }
            }
        }
    };
    ($name:ident(backend)) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                if tabel_store::test_support::postgres_available() {
                    super::$name($crate::support::Backend::Postgres).await;
                }
            }
        }
    };
}
pub(crate) use both_backends;

/// A running application with the fixture school.
pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub f: Fixture,
    pub db: TestDb,
    /// The application's clock: stopped at the test's start, moved only by the test.
    pub clock: TestClock,
    /// A client without cookies.
    pub http: reqwest::Client,
}

impl TestApp {
    /// On SQLite.
    pub async fn sqlite() -> TestApp {
        Self::with(Backend::Sqlite, |_| {}).await
    }

    /// On PostgreSQL (the caller checked `postgres_available`, as [`both_backends!`] does).
    pub async fn postgres() -> TestApp {
        Self::with(Backend::Postgres, |_| {}).await
    }

    /// On the backend, with the configuration changed first (e.g. notification channels).
    pub async fn with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::on(backend, backend.db().await, tweak).await
    }

    /// On the backend, as it is.
    pub async fn start(backend: Backend) -> TestApp {
        Self::with(backend, |_| {}).await
    }

    /// On a database the test prepared (it may hold rows the server then finds).
    pub async fn on_database(backend: Backend, db: TestDb) -> TestApp {
        Self::on(backend, db, |_| {}).await
    }

    async fn on(backend: Backend, db: TestDb, tweak: impl FnOnce(&mut Config)) -> TestApp {
        // The server's warnings and errors (a 5xx logs its cause) go with the test's output, which
        // the harness shows when the test fails.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_test_writer()
            .try_init();
        let f = Fixture::create(&db.db, hash()).await;
        let clock = TestClock::starting_now();
        let mut config = Config::for_tests(&db.url);
        config.today = Some(Fixture::TODAY);
        config.clock = Some(std::sync::Arc::new(clock.clone()));
        tweak(&mut config);
        let app = Application::build(config).await.unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            backend,
            base,
            f,
            db,
            clock,
            http: client(false),
        }
    }

    /// A full URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs in through the API; the bearer token.
    pub async fn token(&self, login: &str) -> String {
        let res = self.login_api(login, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "login {login}");
        let body: Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// `POST /api/v1/auth/login`.
    pub async fn login_api(&self, login: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// GET with a bearer token.
    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// GET with a bearer token, expecting 200 and JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let res = self.get(path, token).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.unwrap()
    }

    /// Sets the school's regular bells as the deputy: six 45-minute lessons from 08:30 with
    /// 10-minute breaks.
    pub async fn standard_bells(&self, token: &str) {
        let bells: Vec<Value> = (1..=6)
            .map(|n: u16| {
                let start = 8 * 60 + 30 + (n - 1) * 55;
                serde_json::json!({"number": n, "starts": format!("{:02}:{:02}", start / 60, start % 60),
                    "ends": format!("{:02}:{:02}", (start + 45) / 60, (start + 45) % 60)})
            })
            .collect();
        let res = self
            .http
            .put(self.url("/api/v1/bells"))
            .bearer_auth(token)
            .json(&serde_json::json!({"slots": bells}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }

    /// A browser-like client (cookies kept, redirects not followed) logged in through the form.
    pub async fn browser(&self, login: &str) -> Browser {
        let b = Browser {
            http: client(true),
            base: self.base.clone(),
        };
        let res = b
            .post_form(
                "/login",
                &[("login", login), ("password", PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "form login {login}");
        b
    }
}

/// A cookie-keeping client that sends `Origin` like a browser.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

impl Browser {
    /// GET a page.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// GET a page's status and text.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let res = self.get(path).await;
        (res.status(), res.text().await.unwrap())
    }

    /// GET a page's status and the page parsed ([`Page`]).
    pub async fn parsed(&self, path: &str) -> (StatusCode, Page) {
        let (status, html) = self.page(path).await;
        (status, Page::parse(&html))
    }

    /// POST a form from this site.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// POST JSON with a bearer token.
pub async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// PUT JSON with a bearer token.
pub async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.http
        .put(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// An HTTP client; `cookies` keeps them like a browser.
pub fn client(cookies: bool) -> reqwest::Client {
    tabel_notify::install_tls_provider();
    reqwest::Client::builder()
        .cookie_store(cookies)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Asserts a problem+json answer with the status.
pub async fn assert_problem(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    let ct = res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["title"].is_string() && body["detail"].is_string() && body["type"].is_string(),
        "{body}"
    );
    body
}

/// The real `tabel` binary serving a test database on a free loopback port, in a process of
/// its own (so that its memory can be read from `/proc`); killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
}

impl Server {
    /// Starts it with the fixture's "today" and waits until `/healthz` answers.
    pub async fn start(db_url: &str) -> Server {
        // reqwest needs the process's TLS provider, which a test without a TestApp lacks.
        tabel_notify::install_tls_provider();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let args = [
            "serve",
            "--db",
            db_url,
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--today",
            &Fixture::TODAY.to_string(),
        ];
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tabel"));
        if let Some((name, key)) = audit_key_env(&args) {
            command.env(name, key);
        }
        let child = command
            .args(args)
            .env_remove("TABEL_DB")
            .env("TABEL_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = std::time::Instant::now();
        while reqwest::get(format!("{base}/healthz"))
            .await
            .map(|r| r.status())
            .ok()
            != Some(StatusCode::OK)
        {
            assert!(started.elapsed().as_secs() < 30, "the server did not start");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Server { child, base }
    }

    /// A full URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The most memory the process has had resident (`VmHWM`), in bytes.
    pub fn peak_resident(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kib * 1024
    }

    /// Logs in through the API with a password: the answer.
    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        client(false)
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Logs in through the API with the fixture's password; the bearer token.
    pub async fn token(&self, login: &str) -> String {
        let res = self.login(login, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "login {login}");
        let body: Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTML page parsed for assertions on the element that should hold a value, not on the page
/// holding it somewhere. Every lookup that expects an element panics naming the selector (and
/// showing the page) when it is missing.
pub struct Page {
    html: scraper::Html,
    source: String,
}

impl Page {
    pub fn parse(source: &str) -> Page {
        Page {
            html: scraper::Html::parse_document(source),
            source: source.to_owned(),
        }
    }

    /// The page as it came.
    pub fn source(&self) -> &str {
        &self.source
    }

    fn select(&self, css: &str) -> Vec<scraper::ElementRef<'_>> {
        let selector =
            scraper::Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"));
        self.html.select(&selector).collect()
    }

    fn one(&self, css: &str) -> scraper::ElementRef<'_> {
        let found = self.select(css);
        match found.as_slice() {
            [one] => *one,
            [] => panic!("no element {css} in the page:\n{}", self.source),
            more => panic!(
                "{} elements {css} where one was expected:\n{}",
                more.len(),
                self.source
            ),
        }
    }

    /// The text of the one element `css` selects ([`text_of`]).
    pub fn text(&self, css: &str) -> String {
        text_of(self.one(css))
    }

    /// The texts of every element `css` selects, in order ([`text_of`]).
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.select(css).into_iter().map(text_of).collect()
    }

    /// The rows `css` selects (`table tbody tr`), each as the texts of its cells (`th` and `td`,
    /// in order).
    pub fn select_rows(&self, css: &str) -> Vec<Vec<String>> {
        let cell = scraper::Selector::parse("th, td").unwrap();
        self.select(css)
            .into_iter()
            .map(|row| row.select(&cell).map(text_of).collect())
            .collect()
    }

    /// An attribute of the one element `css` selects (`None` when the element lacks it).
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.one(css).value().attr(name).map(str::to_owned)
    }

    /// The attribute of every element `css` selects that has it, in order.
    pub fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        self.select(css)
            .into_iter()
            .filter_map(|e| e.value().attr(name).map(str::to_owned))
            .collect()
    }

    /// Whether `css` selects any element.
    pub fn has(&self, css: &str) -> bool {
        !self.select(css).is_empty()
    }

    /// How many elements `css` selects.
    pub fn count(&self, css: &str) -> usize {
        self.select(css).len()
    }
}

/// The element's text as a reader sees it: its text nodes joined, runs of white space made one
/// space (markup between words adds nothing: `<td>a</td><td>b</td>` reads "ab").
fn text_of(e: scraper::ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
