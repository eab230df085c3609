//! Hostile requests to every route of the router: random JSON bodies (the API) and forms (the
//! pages) built from the field names the routes read, with values of every type and size,
//! random query strings, and path parameters that are not ids. Whatever arrives, the server
//! answers it — 2xx, 3xx or 4xx — and never with a 5xx. `TABEL_FUZZ_CASES` sets the cases per
//! route (default 4) and `TABEL_FUZZ_SEED` the seed (printed, so a failure can be replayed).

use crate::support::TestApp;
use serde_json::{Map, Value, json};

/// The names the routes' bodies and queries use, and some they do not.
const FIELDS: &[&str] = &[
    "student_id",
    "lesson_id",
    "group_id",
    "subject_id",
    "class_id",
    "teacher_id",
    "parent_id",
    "period_id",
    "value",
    "version",
    "work_type",
    "date",
    "from",
    "to",
    "week",
    "on",
    "kind",
    "code",
    "comment",
    "reason",
    "topic",
    "homework",
    "homework_due_on",
    "name",
    "login",
    "password",
    "new_password",
    "current_password",
    "state",
    "basis",
    "provenance",
    "number",
    "weekday",
    "room",
    "grade",
    "minutes_late",
    "weight",
    "marks",
    "items",
    "url",
    "topics",
    "batch_id",
    "filter",
    "sort",
    "limit",
    "offset",
    "fields",
    "apply",
    "list",
    "q",
    "lang",
    "next",
    "back",
    "token",
    "scale",
    "debt_until",
    "starts_on",
    "ends_on",
    "shift",
    "id",
];

/// A small deterministic generator (xorshift64*), so that a failure is replayed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn text(&mut self) -> String {
        let mut s = self.word();
        if self.below(20) == 0 {
            s.push_str(&"я".repeat(10_000));
        }
        s
    }

    /// A short text, for queries (a long one is refused by the client before it is sent).
    fn word(&mut self) -> String {
        const PIECES: &[&str] = &[
            "",
            "5",
            "4+",
            "н",
            "оп",
            "зач",
            "2026-11-23",
            "2026-02-30",
            "9999-12-31",
            "-1",
            "0",
            "1",
            "2",
            "987654321",
            "99999999999999999999",
            "1e308",
            "NaN",
            "null",
            "true",
            "../../etc/passwd",
            "<script>",
            "' OR 1=1 --",
            "%00",
            "\u{0}",
            "\u{202e}",
            "ё",
            "😀",
            "\\",
            "\"",
            " ",
            "\t",
            "a,b",
            "laboratory",
            "test",
            "email",
            "phone",
        ];
        let mut s = String::new();
        for _ in 0..1 + self.below(3) {
            s.push_str(PIECES[self.below(PIECES.len())]);
        }
        s
    }

    fn value(&mut self, depth: u32) -> Value {
        match self.below(if depth == 0 { 5 } else { 8 }) {
            0 => Value::Null,
            1 => json!(self.below(2) == 0),
            2 => json!(self.text()),
            3 => {
                let n = [0i64, 1, -1, 5, 987_654_321, i64::MAX, i64::MIN][self.below(7)];
                json!(n)
            }
            4 => json!([1.5, -0.0, 1e300][self.below(3)]),
            5 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            _ => self.object(depth - 1),
        }
    }

    fn object(&mut self, depth: u32) -> Value {
        let mut m = Map::new();
        for _ in 0..self.below(7) {
            m.insert(
                FIELDS[self.below(FIELDS.len())].to_owned(),
                self.value(depth),
            );
        }
        Value::Object(m)
    }

    /// A path parameter: mostly the first school's ids, sometimes not an id at all.
    fn param(&mut self) -> String {
        [
            "1",
            "2",
            "3",
            "0",
            "-1",
            "987654321",
            "abc",
            "99999999999999999999",
            "%20",
            "1.5",
        ][self.below(10)]
        .to_owned()
    }

    fn query(&mut self) -> Vec<(&'static str, String)> {
        (0..self.below(5))
            .map(|_| (FIELDS[self.below(FIELDS.len())], self.word()))
            .collect()
    }
}

/// A JSON value as a form field's text.
fn form_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn random_bodies_queries_and_ids_never_get_a_5xx() {
    let app = TestApp::sqlite().await;
    let state = tabel_web::AppState::new(
        tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default()),
        tabel_web::WebConfig::default(),
    );
    let mut routes = tabel_web::routes(state).expect("the router's routes");
    // Routes that end the caller's sessions go last.
    routes.sort_by_key(|r| {
        ["logout", "/sessions", "/lock"]
            .iter()
            .any(|l| r.path.contains(l))
    });
    let cases: usize = std::env::var("TABEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let seed: u64 = std::env::var("TABEL_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("fuzz_http: seed {seed} (TABEL_FUZZ_SEED), {cases} cases per route");
    let mut rng = Rng(seed);
    let admin = app.token("admin").await;
    let teacher = app.token("teacher").await;
    let parent_browser = app.browser("parent").await.http;
    let admin_browser = app.browser("admin").await.http;
    let mut failures = Vec::new();
    let mut sent = 0;
    for route in &routes {
        for case in 0..cases {
            let mut path = String::new();
            let mut rest = route.path.as_str();
            while let Some(open) = rest.find('{') {
                let close = open + rest[open..].find('}').expect("a closed parameter");
                path.push_str(&rest[..open]);
                path.push_str(&rng.param());
                rest = &rest[close + 1..];
            }
            path.push_str(rest.trim_end_matches("*rest"));
            let query = rng.query();
            let method = match route.method.as_str() {
                "ANY" => reqwest::Method::GET,
                m => reqwest::Method::from_bytes(m.as_bytes()).unwrap(),
            };
            let write = method != reqwest::Method::GET;
            let body = rng.object(3);
            let request = if route.path.starts_with("/api/") {
                let token = if case % 2 == 0 { &admin } else { &teacher };
                let r = app
                    .http
                    .request(method, app.url(&path))
                    .query(&query)
                    .bearer_auth(token);
                if write { r.json(&body) } else { r }
            } else {
                let browser = if case % 2 == 0 {
                    &admin_browser
                } else {
                    &parent_browser
                };
                let r = browser.request(method, app.url(&path)).query(&query);
                if write {
                    let form: Vec<(String, String)> = body
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, v)| (k.clone(), form_text(v)))
                        .collect();
                    r.header("Origin", &app.base).form(&form)
                } else {
                    r
                }
            };
            sent += 1;
            let status = request.send().await.map(|r| r.status().as_u16());
            match status {
                Ok(s) if s < 500 => {}
                other => {
                    let mut line = format!("{} {path}?{query:?} with {body}", route.method);
                    line.truncate(line.floor_char_boundary(300));
                    failures.push(format!("{line}: {other:?}"));
                }
            }
        }
    }
    assert!(sent > 1_000, "{sent} requests");
    assert!(
        failures.is_empty(),
        "seed {seed}: {} requests answered 5xx or not at all:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
