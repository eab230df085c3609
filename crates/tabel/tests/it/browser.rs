//! UI flows in a real headless Chromium, driven over WebDriver (chromedriver) with thirtyfour.

use crate::support::{PASSWORD, TestApp, both_backends};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thirtyfour::{By, ChromiumLikeCapabilities, DesiredCapabilities, WebDriver, WebElement};

/// A chromedriver of this test's own and a headless Chromium session in it; the helpers below
/// panic with the selector or script when the browser does not do what the test expects.
pub(crate) struct Driver {
    child: Child,
    wd: WebDriver,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Also when a failed assertion leaves the session open: end the browsers this driver
        // started (found by their private profile directory), then the driver.
        let _ = Command::new("pkill")
            .arg("-KILL")
            .arg("-f")
            .arg(self.profile.path().as_os_str())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

    /// Starts chromedriver and a headless Chromium session, or `None` when they are missing and
    /// skipping was allowed (`tabel_store::test_support::skip`).
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
        let profile = tempfile::tempdir().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = reqwest::get(format!("{base}/status")).await.ok();
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
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium).unwrap();
        caps.add_experimental_option("prefs", json!({"intl.accept_languages": "ru-RU,ru"}))
            .unwrap();
        let user_data = format!("--user-data-dir={}", profile.path().display());
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=360,800",
            "--lang=ru-RU",
            &user_data,
        ] {
            caps.add_arg(arg).unwrap();
        }
        let wd = match WebDriver::new(base, caps).await {
            Ok(wd) => wd,
            Err(e) => {
                let mut child = child;
                let _ = child.kill();
                let _ = child.wait();
                panic!("no session: {e}");
            }
        };
        // Wait up to 5 s for elements to appear (page loads after clicks).
        wd.set_implicit_wait_timeout(Duration::from_secs(5))
            .await
            .unwrap();
        Some(Driver { child, wd, profile })
    }

    fn wd(&self) -> &WebDriver {
        &self.wd
    }

    pub(crate) async fn go(&self, url: &str) {
        self.wd()
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("go to {url}: {e}"));
    }

    pub(crate) async fn find(&self, css: &str) -> WebElement {
        self.wd()
            .find(By::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        self.find(css)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub(crate) async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub(crate) async fn text(&self, css: &str) -> String {
        self.find(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    pub(crate) async fn current_url(&self) -> String {
        self.wd().current_url().await.unwrap().to_string()
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
        let mut chain = self.wd().action_chain();
        for c in text.chars() {
            chain = chain.key_down(c).key_up(c);
        }
        chain
            .perform()
            .await
            .unwrap_or_else(|e| panic!("keys {text:?}: {e}"));
    }

    /// Runs a script in the page (`return …` gives a value back).
    pub(crate) async fn script(&self, js: &str) -> Value {
        self.wd()
            .execute(js, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script {js}: {e}"))
            .json()
            .clone()
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
        let rect = self.wd().get_window_rect().await.unwrap();
        self.wd()
            .set_window_rect(rect.x, rect.y, width, height)
            .await
            .unwrap();
    }

    /// Saves a PNG of the window at `path` (creating its directory).
    pub(crate) async fn screenshot(&self, path: &std::path::Path) {
        let png = self.wd().screenshot_as_png().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }

    /// Ends the session (the browser closes; the driver is stopped when this is dropped).
    pub(crate) async fn quit(&self) {
        // The clone shares the session: quitting it marks the session ended for this one too.
        let _ = self.wd.clone().quit().await;
    }
}

both_backends!(a_parent_logs_in_on_a_phone_sees_the_children_and_logs_out);
async fn a_parent_logs_in_on_a_phone_sees_the_children_and_logs_out(app: TestApp) {
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

both_backends!(an_administrator_creates_an_account_with_the_keyboard_and_mouse);
async fn an_administrator_creates_an_account_with_the_keyboard_and_mouse(app: TestApp) {
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

both_backends!(a_deputy_builds_a_timetable_and_records_a_substitution_from_the_desk);
async fn a_deputy_builds_a_timetable_and_records_a_substitution_from_the_desk(app: TestApp) {
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
