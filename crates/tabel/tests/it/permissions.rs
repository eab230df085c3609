//! Who reads which pupil, what a missing object and an object out of reach answer, and the
//! permission matrix: every route of the router × every role × an object in reach and one out of
//! it, against the table in `permissions.tsv`.

use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;

/// Everything the school shows of one pupil, one endpoint each.
const PUPIL_READS: &[&str] = &[
    "",
    "/diary",
    "/marks",
    "/finals",
    "/forecast",
    "/debts",
    "/exams",
    "/record",
    "/homework",
    "/assessments",
    "/calendar",
    "/teachers",
    "/recommendations",
];

async fn pupil_reads(
    app: &TestApp,
    token: &str,
    pupil: tabel_domain::PersonId,
) -> Vec<(String, StatusCode)> {
    let mut out = Vec::new();
    for tail in PUPIL_READS {
        let path = format!("/api/v1/students/{pupil}{tail}");
        let status = app.get(&path, token).await.status();
        out.push((path, status));
    }
    out
}

both_backends!(a_teacher_reads_only_the_pupils_they_teach);
async fn a_teacher_reads_only_the_pupils_they_teach(app: TestApp) {
    let f = &app.f;
    // `english` teaches Иван (the English subgroup) and Анна (mathematics in 5Б), not Олег;
    // `teacher` teaches 5А and leads it (Иван, Олег), not Анна of 5Б.
    for (login, taught, untaught) in [
        ("english", [f.ivan, f.anna], f.oleg),
        ("teacher", [f.ivan, f.oleg], f.anna),
    ] {
        let token = app.token(login).await;
        for pupil in taught {
            for (path, status) in pupil_reads(&app, &token, pupil).await {
                assert_eq!(status, StatusCode::OK, "{login} GET {path}");
            }
        }
        for tail in PUPIL_READS {
            let path = format!("/api/v1/students/{untaught}{tail}");
            let body = assert_problem(app.get(&path, &token).await, StatusCode::FORBIDDEN).await;
            assert_eq!(body["status"], 403, "{login} GET {path}");
        }
    }
    // The school's administration reads every pupil; another school's nothing.
    for login in ["admin", "zavuch"] {
        let token = app.token(login).await;
        for pupil in [f.ivan, f.anna, f.oleg] {
            for (path, status) in pupil_reads(&app, &token, pupil).await {
                assert_eq!(status, StatusCode::OK, "{login} GET {path}");
            }
        }
    }
    let admin2 = app.token("admin2").await;
    for (path, status) in pupil_reads(&app, &admin2, f.oleg).await {
        assert_eq!(status, StatusCode::NOT_FOUND, "admin2 GET {path}");
    }
}

both_backends!(a_standalone_mark_is_written_by_the_assigned_teacher_not_by_a_substitute_nearby);
async fn a_standalone_mark_is_written_by_the_assigned_teacher_not_by_a_substitute_nearby(
    app: TestApp,
) {
    use crate::journal::{id, lessons_5a, timetable};
    use crate::support::post;
    use serde_json::json;
    let deputy = timetable(&app).await;
    let f = &app.f;
    let monday = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await[0].clone();
    // `english` substitutes Monday's mathematics in 5А: that lesson is hers to write on.
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/lessons/{}/substitution", id(&monday)),
        json!({"teacher_id": f.english.to_string(), "reason": "болезнь учителя", "version": monday["version"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let standalone = json!({"student_id": f.oleg.to_string(), "group_id": f.class_5a.to_string(),
        "subject_id": f.math.to_string(), "date": "2026-11-23", "value": "5", "work_type": "test"});
    // A standalone work on that date is the journal's, not the lesson's: she is not assigned
    // to mathematics in 5А, so she does not write it.
    let english = app.token("english").await;
    assert_problem(
        post(&app, &english, "/api/v1/marks", standalone.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The teacher assigned to mathematics in 5А does.
    let teacher = app.token("teacher").await;
    let res = post(&app, &teacher, "/api/v1/marks", standalone).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

/// The problem a request gets, for comparing an object out of reach with a missing one.
async fn problem(app: &TestApp, path: &str, token: &str) -> serde_json::Value {
    assert_problem(app.get(path, token).await, StatusCode::NOT_FOUND).await
}

both_backends!(another_familys_lesson_files_and_history_answer_as_if_missing);
async fn another_familys_lesson_files_and_history_answer_as_if_missing(app: TestApp) {
    use crate::homework_files::multipart;
    use crate::journal::{id, timetable};
    let deputy = timetable(&app).await;
    let f = &app.f;
    // Tuesday's mathematics in 5Б (Анна's class, taught by `english`), with a file attached.
    let lessons = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-23&to=2026-11-27",
                f.class_5b
            ),
            &deputy,
        )
        .await;
    let lesson = id(&lessons.as_array().unwrap()[0]);
    let (content_type, body) = multipart(Some(("задание.txt", "text/plain", b"x")), &[]);
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{lesson}/files")))
        .bearer_auth(app.token("english").await)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let file = id(&res.json().await.unwrap());
    let missing = "987654321";
    // Иван (5А) and Олег's mother have nothing to do with 5Б: the lesson, its files and its
    // cells answer exactly as ids that do not exist.
    for login in ["student", "refuser"] {
        let token = app.token(login).await;
        for (real, gone) in [
            (
                format!("/api/v1/files/{file}"),
                format!("/api/v1/files/{missing}"),
            ),
            (
                format!("/api/v1/lessons/{lesson}/files"),
                format!("/api/v1/lessons/{missing}/files"),
            ),
            (
                format!("/api/v1/cells/history?lesson={lesson}&student={}", f.anna),
                format!("/api/v1/cells/history?lesson={missing}&student={}", f.anna),
            ),
        ] {
            assert_eq!(
                problem(&app, &real, &token).await,
                problem(&app, &gone, &token).await,
                "{login} GET {real}"
            );
        }
    }
    // Анна's mother downloads the file from the diary; the journal's list stays the school's.
    let parent = app.token("parent").await;
    assert_eq!(
        app.get(&format!("/api/v1/files/{file}"), &parent)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.get(&format!("/api/v1/lessons/{lesson}/files"), &parent)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

both_backends!(the_finals_of_a_class_out_of_reach_answer_as_a_missing_class);
async fn the_finals_of_a_class_out_of_reach_answer_as_a_missing_class(app: TestApp) {
    let f = &app.f;
    let missing = "/api/v1/finals?class=987654321";
    for (login, class) in [
        ("admin", f.other_class),
        ("admin2", f.class_5a),
        ("student", f.class_5b),
        ("refuser", f.class_5b),
    ] {
        let token = app.token(login).await;
        assert_eq!(
            problem(&app, &format!("/api/v1/finals?class={class}"), &token).await,
            problem(&app, missing, &token).await,
            "{login}"
        );
    }
    // A family knows its own class: refused, not hidden.
    assert_problem(
        app.get(
            &format!("/api/v1/finals?class={}", f.class_5a),
            &app.token("parent").await,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The school reads its own.
    assert_eq!(
        app.get(
            &format!("/api/v1/finals?class={}", f.class_5a),
            &app.token("zavuch").await,
        )
        .await
        .status(),
        StatusCode::OK
    );
}

// ------------------------------------------------------------------ the permission matrix

/// The roles of the matrix, in the table's column order: nobody signed in, then the fixture's
/// accounts. `teacher` teaches mathematics in 5А and is its class teacher; `english` is a plain
/// teacher (the English subgroup of 5А and mathematics in 5Б); `admin2` administers the other
/// school.
const ROLES: [&str; 9] = [
    "anonymous",
    "admin",
    "zavuch",
    "teacher",
    "english",
    "parent",
    "student",
    "refuser",
    "admin2",
];

/// The table: one row per route (method and path pattern), one column per role. A cell is the
/// status for an object of the first school (the family's: Иван, 5А, a lesson of 5А…), then,
/// after `/`, for the same kind of object of the other school, where the route names one.
const TABLE: &str = "tests/it/permissions.tsv";

/// An id nothing has: kinds of objects the fixture has none of (and the other school's of kinds
/// it has only in the first) are asked for with it, so those cells show what a missing object
/// answers.
const MISSING: &str = "987654321";

/// Query strings the matrix sends with routes that read nothing without one; `{kind}` is
/// replaced like a path parameter.
const QUERIES: &[(&str, &str)] = &[
    ("/api/v1/finals", "class={class}"),
    ("/api/v1/journal", "group={class}&subject={subject}"),
    ("/api/v1/cells/history", "lesson={lesson}&student={student}"),
    (
        "/api/v1/lessons",
        "class={class}&from=2026-11-23&to=2026-11-27",
    ),
];

/// Writes that end sessions or lock accounts run after every other request, in this order, so
/// that the rest of the table does not depend on them.
const LAST: &[&str] = &[
    "/lock",
    "/unlock",
    "/account/sessions/",
    "/api/v1/auth/logout",
    "/account/logout-elsewhere",
    "/logout",
];

/// The kind of object a path parameter names, from its name and the route.
fn kind_of(path: &str, param: &str) -> &'static str {
    let before = &path[..path.find(&format!("{{{param}}}")).unwrap_or(0)];
    match param {
        "student" => "student",
        "person" if before.ends_with("/staff/") => "staff",
        "person" => "student",
        "parent" => "parent",
        "class" => "class",
        "group" if before.starts_with("/journal/") => "class",
        "group" => "group",
        "subject" => "subject",
        "lesson" => "lesson",
        "note" => "note",
        "school" => "school",
        "user" => "user",
        "file" if before.starts_with("/assets/") => "asset",
        "file" => "file",
        "date" | "day" => "date",
        "code" if before.starts_with("/lang/") => "lang",
        "id" => match before {
            "/api/v1/students/" | "/students/" | "/school/students/" => "student",
            "/api/v1/classes/" | "/school/classes/" | "/timetable/classes/" => "class",
            "/api/v1/schools/" => "school",
            "/api/v1/lessons/" | "/timetable/lessons/" => "lesson",
            "/api/v1/files/" => "file",
            "/api/v1/parents/" => "parent",
            "/api/v1/absence-notes/" => "note",
            b if b.ends_with("/structure/staff/") => "staff",
            _ => "missing",
        },
        p if p.starts_with('*') => "rest",
        _ => "missing",
    }
}

/// The objects of each kind: the first school's, and the other school's (or a missing id).
struct Objects {
    own: std::collections::HashMap<&'static str, String>,
    other: std::collections::HashMap<&'static str, String>,
}

impl Objects {
    async fn create(app: &TestApp) -> Objects {
        use crate::homework_files::multipart;
        use crate::journal::{id, lessons_5a, timetable};
        let f = &app.f;
        let deputy = timetable(app).await;
        let lesson = id(&lessons_5a(app, &deputy, "2026-11-23", "2026-11-27").await[0]);
        let (content_type, body) = multipart(Some(("задание.txt", "text/plain", b"x")), &[]);
        let res = app
            .http
            .post(app.url(&format!("/api/v1/lessons/{lesson}/files")))
            .bearer_auth(app.token("teacher").await)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let file = id(&res.json().await.unwrap());
        let res = crate::support::post(
            app,
            &app.token("parent").await,
            &format!("/api/v1/students/{}/absence-notes", f.ivan),
            serde_json::json!({"from": "2026-11-23", "to": "2026-11-23", "reason": "illness"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let note = id(&res.json().await.unwrap());
        let own = [
            ("student", f.ivan.to_string()),
            ("class", f.class_5a.to_string()),
            ("group", f.subgroup.to_string()),
            ("subject", f.math.to_string()),
            ("school", f.school.to_string()),
            ("user", f.user("refuser").to_string()),
            ("staff", f.teacher.to_string()),
            ("parent", f.parent.to_string()),
            ("lesson", lesson),
            ("file", file),
            ("note", note),
            ("date", "2026-11-30".to_owned()),
            ("lang", "ru".to_owned()),
            ("asset", "pico-2.1.1.min.css".to_owned()),
            ("rest", "index.html".to_owned()),
            ("missing", MISSING.to_owned()),
        ]
        .into_iter()
        .collect::<std::collections::HashMap<_, _>>();
        let mut other = own.clone();
        for (k, v) in [
            ("student", f.other_pupil.to_string()),
            ("class", f.other_class.to_string()),
            ("group", f.other_class.to_string()),
            ("school", f.other_school.to_string()),
            ("user", f.user("admin2").to_string()),
            ("subject", MISSING.to_owned()),
            ("staff", MISSING.to_owned()),
            ("parent", MISSING.to_owned()),
            ("lesson", MISSING.to_owned()),
            ("file", MISSING.to_owned()),
            ("note", MISSING.to_owned()),
        ] {
            other.insert(k, v);
        }
        Objects { own, other }
    }

    /// The route's request path (with its query) for the first school's objects and, when it
    /// names an object the other school has too, for the other school's.
    fn paths(&self, route: &str) -> (String, Option<String>) {
        let query = QUERIES
            .iter()
            .find(|(p, _)| *p == route)
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        let template = format!("{route}{query}");
        let fill = |objects: &std::collections::HashMap<&'static str, String>| {
            let mut out = String::new();
            let mut at = 0;
            while let Some(open) = template[at..].find('{').map(|o| at + o) {
                let close = open + template[open..].find('}').expect("a closed parameter");
                let name = &template[open + 1..close];
                // A path parameter is named by the route; a query's `{kind}` is the kind.
                let kind = if open < route.len() {
                    kind_of(route, name)
                } else {
                    name
                };
                out.push_str(&template[at..open]);
                out.push_str(&objects[kind]);
                at = close + 1;
            }
            out.push_str(&template[at..]);
            out
        };
        let own = fill(&self.own);
        let other = fill(&self.other);
        (own.clone(), (other != own).then_some(other))
    }
}

/// Kinds that are objects someone may or may not reach (the rest — dates, languages, assets —
/// are the same for everyone).
const OBJECTS: [&str; 12] = [
    "student", "class", "group", "subject", "school", "user", "staff", "parent", "lesson", "file",
    "note", "missing",
];

/// Roles of the first school: the other school's objects must answer them as missing ones.
fn of_first_school(role: &str) -> bool {
    !matches!(role, "anonymous" | "admin2")
}

/// A role's ways in: a bearer token for the API, a browser session for the pages.
struct Caller {
    role: &'static str,
    token: Option<String>,
    browser: reqwest::Client,
}

/// Sends one request of the matrix: the API with the bearer token and an empty JSON object as
/// the body of a write, a page with the session cookie and an empty form from this site.
async fn status(app: &TestApp, caller: &Caller, method: &str, path: &str) -> u16 {
    let method = match method {
        "ANY" => reqwest::Method::GET,
        m => reqwest::Method::from_bytes(m.as_bytes()).unwrap(),
    };
    let write = method != reqwest::Method::GET;
    let url = app.url(path);
    let request = if path.starts_with("/api/") {
        let mut r = app.http.request(method, url);
        if let Some(t) = &caller.token {
            r = r.bearer_auth(t);
        }
        if write {
            r = r.json(&serde_json::json!({}));
        }
        r
    } else {
        let mut r = caller.browser.request(method, url);
        if write {
            r = r
                .header("Origin", &app.base)
                .form(&Vec::<(String, String)>::new());
        }
        r
    };
    request.send().await.unwrap().status().as_u16()
}

/// A row of the table: a route and its cells, one per role.
type Rows = std::collections::BTreeMap<(String, String), Vec<String>>;

fn read_table(text: &str) -> Result<Rows, String> {
    let mut rows = Rows::new();
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header = lines.next().ok_or("an empty table")?;
    let want: Vec<&str> = ["method", "path"].into_iter().chain(ROLES).collect();
    if header.split('\t').collect::<Vec<_>>() != want {
        return Err(format!("the header must be: {}", want.join(" ")));
    }
    for line in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != want.len() {
            return Err(format!(
                "{line:?}: {} cells, not {}",
                cells.len(),
                want.len()
            ));
        }
        let key = (cells[1].to_owned(), cells[0].to_owned());
        let statuses = cells[2..].iter().map(|c| (*c).to_owned()).collect();
        if rows.insert(key, statuses).is_some() {
            return Err(format!("{line:?}: a second row for the route"));
        }
    }
    Ok(rows)
}

fn write_table(rows: &Rows) -> String {
    let mut out = String::from(
        "# The permission matrix: what every route of the router answers every role (see\n\
         # permissions.rs). A cell is the status for the first school's object (Иван, 5А, a lesson\n\
         # of 5А, a file of it, the school…); after `/`, for the other school's object of the same\n\
         # kind (or a missing id where the other school has none). Writes are sent with an empty\n\
         # body (`{}` to the API, an empty form to pages): 400/422 is an allowed role's answer to\n\
         # it. A new route without a row here fails the test. After a deliberate change:\n\
         #   TABEL_BLESS_PERMISSIONS=1 cargo test -p tabel --test it -- permissions::matrix\n\
         # and review the diff of this file.\n",
    );
    out.push_str("method\tpath\t");
    out.push_str(&ROLES.join("\t"));
    out.push('\n');
    for ((path, method), cells) in rows {
        out.push_str(&format!("{method}\t{path}\t{}\n", cells.join("\t")));
    }
    out
}

#[tokio::test]
async fn matrix() {
    let app = TestApp::sqlite().await;
    let state = tabel_web::AppState::new(
        tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default()),
        tabel_web::WebConfig::default(),
    );
    let routes = tabel_web::routes(state).expect("the router's routes");
    assert!(routes.len() > 100, "{} routes", routes.len());
    let objects = Objects::create(&app).await;
    let mut callers = Vec::new();
    for role in ROLES {
        callers.push(if role == "anonymous" {
            Caller {
                role,
                token: None,
                browser: crate::support::client(true),
            }
        } else {
            Caller {
                role,
                token: Some(app.token(role).await),
                browser: app.browser(role).await.http,
            }
        });
    }
    // Reads first, then writes, then the writes that end sessions or lock accounts.
    let rank = |method: &str, path: &str| {
        if method == "GET" || method == "ANY" {
            0
        } else {
            LAST.iter()
                .position(|l| path.contains(l))
                .map_or(1, |i| 2 + i)
        }
    };
    let mut order: Vec<&tabel_web::RouteEntry> = routes.iter().collect();
    order.sort_by_key(|r| rank(&r.method, &r.path));
    let mut actual = Rows::new();
    let mut oracles = Vec::new();
    for route in order {
        let (own, other) = objects.paths(&route.path);
        let missing = other.as_ref().map(|_| {
            let mut gone = Objects {
                own: objects.own.clone(),
                other: objects.other.clone(),
            };
            for kind in OBJECTS {
                gone.own.insert(kind, MISSING.to_owned());
            }
            gone.paths(&route.path).0
        });
        let mut cells = Vec::new();
        for caller in &callers {
            let a = status(&app, caller, &route.method, &own).await;
            let cell = match (&other, &missing) {
                (Some(other), Some(missing)) => {
                    let b = status(&app, caller, &route.method, other).await;
                    let m = status(&app, caller, &route.method, missing).await;
                    // An object out of reach answers exactly as one that does not exist.
                    let out_of_reach = if of_first_school(caller.role) { b } else { a };
                    if caller.role != "anonymous" && out_of_reach != m {
                        oracles.push(format!(
                            "{} {} as {}: {out_of_reach} for another school's object, {m} for a missing one",
                            route.method, route.path, caller.role
                        ));
                    }
                    format!("{a}/{b}")
                }
                _ => a.to_string(),
            };
            cells.push(cell);
        }
        actual.insert((route.path.clone(), route.method.clone()), cells);
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    if std::env::var_os("TABEL_BLESS_PERMISSIONS").is_some() {
        std::fs::write(&file, write_table(&actual)).unwrap();
    }
    let expected = read_table(&std::fs::read_to_string(&file).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut problems = Vec::new();
    for (key, cells) in &actual {
        match expected.get(key) {
            None => problems.push(format!(
                "{} {}: a route without a row in {TABLE}",
                key.1, key.0
            )),
            Some(want) => {
                for ((role, got), want) in ROLES.iter().zip(cells).zip(want) {
                    if got != want {
                        problems.push(format!(
                            "{} {} as {role}: {got}, the table says {want}",
                            key.1, key.0
                        ));
                    }
                }
            }
        }
    }
    for key in expected.keys().filter(|k| !actual.contains_key(*k)) {
        problems.push(format!(
            "{} {}: a row for a route the router does not have",
            key.1, key.0
        ));
    }
    problems.extend(oracles);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
