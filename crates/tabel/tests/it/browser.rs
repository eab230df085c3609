//! UI flows in a real headless Chromium, driven over WebDriver (chromedriver) with plain HTTP.

use crate::support::{PASSWORD, TestApp};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub(crate) struct Driver {
    child: Child,
    http: reqwest::Client,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Also when a failed assertion leaves the session open: end the browsers this driver
        // started (found by their private profile directory), then the driver.
        let _ = Command::new("pkill")
            .arg("-KILL")
            .arg("-f")
            .arg(self._profile.path().as_os_str())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Standard base64 (screenshots), without a dependency for it.
fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from(acc >> bits).unwrap());
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn tool(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| (*p).to_owned())
}

impl Driver {
    /// Logs in through the login page as `login` with the fixture's password.
    pub(crate) async fn sign_in(&self, app: &TestApp, login: &str) {
        self.go(&app.url("/login")).await;
        self.type_into("#login", login).await;
        self.type_into("#password", PASSWORD).await;
        self.click("#submit").await;
        self.find("#greeting").await;
    }

    /// Starts chromedriver and a headless Chromium session, or `None` (loudly) without them.
    pub(crate) async fn start() -> Option<Driver> {
        let (Some(driver), Some(chromium)) = (
            tool(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
            tool(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
        ) else {
            tabel_store::test_support::skip(
                "chromium and chromium-driver are not installed (browser tests)",
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = http.get(format!("{base}/status")).send().await.ok();
            if let Some(r) = ready
                && r.json::<Value>()
                    .await
                    .is_ok_and(|v| v["value"]["ready"] == true)
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "prefs": {"intl.accept_languages": "ru-RU,ru"},
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--no-first-run", "--window-size=360,800", "--lang=ru-RU",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {res}"))
            .to_owned();
        let d = Driver {
            child,
            http,
            base,
            session,
            _profile: profile,
        };
        // Wait up to 5 s for elements to appear (page loads after clicks).
        d.cmd(
            reqwest::Method::POST,
            "/timeouts",
            Some(json!({"implicit": 5000})),
        )
        .await;
        Some(d)
    }

    pub(crate) async fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        v["value"].clone()
    }

    pub(crate) async fn go(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub(crate) async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_owned()
    }

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    pub(crate) async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub(crate) async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.cmd(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub(crate) async fn current_url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// Waits up to 5 s for the address to end with `suffix` (a click's navigation is not awaited
    /// by WebDriver) and returns the address.
    pub(crate) async fn wait_url(&self, suffix: &str) -> String {
        let started = Instant::now();
        loop {
            let url = self.current_url().await;
            if url.ends_with(suffix) || started.elapsed() > Duration::from_secs(5) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses keys on whatever has the focus, one key at a time (WebDriver key codes such as
    /// `\u{E007}` for Enter work too).
    pub(crate) async fn keys(&self, text: &str) {
        let actions: Vec<Value> = text
            .chars()
            .flat_map(|c| {
                let key = c.to_string();
                [
                    json!({"type": "keyDown", "value": key}),
                    json!({"type": "keyUp", "value": key}),
                ]
            })
            .collect();
        self.cmd(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// Runs a script in the page (`return …` gives a value back).
    pub(crate) async fn script(&self, js: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": js, "args": []})),
        )
        .await
    }

    /// Waits up to 10 s for a script to return `true`; false if it never did.
    pub(crate) async fn wait_until(&self, js: &str) -> bool {
        let started = Instant::now();
        loop {
            if self.script(js).await == Value::Bool(true) {
                return true;
            }
            if started.elapsed() > Duration::from_secs(10) {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Resizes the window (the session starts phone-sized).
    pub(crate) async fn window(&self, width: u32, height: u32) {
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Saves a PNG of the window at `path` (creating its directory), as WebDriver's
    /// `GET /session/{id}/screenshot` returns it (base64).
    pub(crate) async fn screenshot(&self, path: &std::path::Path) {
        let v = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64_decode(v.as_str().unwrap_or_else(|| panic!("no screenshot: {v}")));
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }

    pub(crate) async fn quit(&self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
    }
}

#[tokio::test]
async fn a_parent_logs_in_on_a_phone_sees_the_children_and_logs_out() {
    let app = TestApp::sqlite().await;
    let Some(d) = Driver::start().await else {
        return;
    };
    d.go(&app.url(&format!("/students/{}", app.f.ivan))).await;
    assert!(
        d.current_url().await.contains("/login?next="),
        "sent to log in first"
    );
    d.type_into("#login", "parent").await;
    d.type_into("#password", "wrong").await;
    d.click("#submit").await;
    assert!(
        d.text("#login-error")
            .await
            .contains("Неверный логин или пароль")
    );
    d.type_into("#password", PASSWORD).await;
    d.click("#submit").await;
    // Back where the parent was going: the (first) child's card.
    assert!(d.text("#student-name").await.starts_with("Петров"));
    d.go(&app.url("/")).await;
    let children = d.text("#children").await;
    assert!(
        children.contains("Петров Иван Сергеевич") && children.contains("Петрова Анна Сергеевна"),
        "{children}"
    );
    assert!(
        children.contains("5А") && children.contains("5Б"),
        "{children}"
    );
    d.click("#children a").await;
    assert!(d.text("#student-name").await.starts_with("Петров"));
    d.click("#logout").await;
    assert!(d.wait_url("/login").await.ends_with("/login"));
    d.quit().await;
}

#[tokio::test]
async fn an_administrator_creates_an_account_with_the_keyboard_and_mouse() {
    let app = TestApp::sqlite().await;
    let Some(d) = Driver::start().await else {
        return;
    };
    d.sign_in(&app, "admin").await;
    d.go(&app.url(&format!("/admin/{}/users", app.f.school)))
        .await;
    d.type_into("#new-login", "new.teacher").await;
    d.type_into("#new-name", "Новикова Т. А.").await;
    d.type_into("#new-password", "first password").await;
    d.click("#new-role-teacher").await;
    d.click("#create-user").await;
    assert!(d.text("#notice").await.contains("создана"));
    assert!(d.text("#users").await.contains("Новикова Т. А."));
    d.quit().await;
    assert_eq!(
        app.login_api("new.teacher", "first password")
            .await
            .status(),
        reqwest::StatusCode::OK
    );
}

#[tokio::test]
async fn a_deputy_builds_a_timetable_and_records_a_substitution_from_the_desk() {
    let app = TestApp::sqlite().await;
    let f = &app.f;
    // The bell schedule comes through the API; the rest through the pages.
    let token = app.token("zavuch").await;
    let bells: Vec<Value> = (1..=6).map(|n: u16| json!({"number": n, "starts": format!("{:02}:00", 7 + n), "ends": format!("{:02}:45", 7 + n)})).collect();
    let res = app
        .http
        .put(app.url("/api/v1/bells"))
        .bearer_auth(&token)
        .json(&json!({"slots": bells}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::NO_CONTENT);
    let Some(d) = Driver::start().await else {
        return;
    };
    d.sign_in(&app, "zavuch").await;
    d.go(&app.url(&format!(
        "/timetable/classes/{}?week=2026-11-23",
        f.class_5a
    )))
    .await;
    d.click(&format!("#line-group option[value='{}']", f.class_5a))
        .await;
    d.click("#line-weekday option[value='1']").await;
    d.click(&format!("#line-subject option[value='{}']", f.math))
        .await;
    d.click(&format!("#line-teacher option[value='{}']", f.teacher))
        .await;
    d.type_into("#line-room", "21").await;
    d.click("#line-submit").await;
    assert!(d.text("#notice").await.contains("Урок добавлен"));
    assert!(d.text("#week").await.contains("Математика"));

    d.go(&app.url(&format!(
        "/timetable/desk?date=2026-11-23&teacher={}",
        f.teacher
    )))
    .await;
    let card = d.text(".desk-assign").await;
    assert!(card.contains("Назначить"));
    d.click(".desk-assign").await;
    assert!(d.text("#notice").await.contains("Замена назначена"));
    d.go(&app.url(&format!(
        "/timetable/classes/{}?week=2026-11-23",
        f.class_5a
    )))
    .await;
    let week = d.text("#week").await;
    assert!(
        week.contains("замена") && week.contains("вместо: Смирнова Е. В."),
        "{week}"
    );
    d.click("#logout").await;

    d.sign_in(&app, "english").await;
    d.go(&app.url("/timetable/my?week=2026-11-23")).await;
    let mine = d.text("#week").await;
    assert!(
        mine.contains("Математика") && mine.contains("5А") && mine.contains("замена"),
        "{mine}"
    );
    d.click("#logout").await;

    // After all the lesson is not held: cancelled from the absent teacher's desk, it counts as
    // cancelled for the teacher's absence.
    d.sign_in(&app, "zavuch").await;
    d.go(&app.url(&format!(
        "/timetable/desk?date=2026-11-23&teacher={}",
        f.teacher
    )))
    .await;
    d.click(".desk-cancel").await;
    assert!(d.text("#notice").await.contains("Урок отменён"));
    d.quit().await;
    let lessons = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-23&to=2026-11-23",
                f.class_5a
            ),
            &token,
        )
        .await;
    let lesson = &lessons.as_array().unwrap()[0];
    assert_eq!(lesson["status"], "cancelled", "{lesson}");
    assert_eq!(lesson["cause"], "teacher_absent", "{lesson}");
}
