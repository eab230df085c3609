//! Who reads which pupil, what a missing object and an object out of reach answer, and the
//! permission matrix: every route of the router × every role × an object in reach and one out of
//! it, against the table in `permissions.tsv`.

use crate::permission_bodies::{Body, Writes};
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
    "/certificate",
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

both_backends!(an_empty_journal_form_is_refused_like_a_full_one);
async fn an_empty_journal_form_is_refused_like_a_full_one(app: TestApp) {
    // A form with nothing to write used to be answered "saved" (303) to anyone; now whoever may
    // not see the lesson or the finals is refused as the page refuses them.
    let deputy = crate::journal::timetable(&app).await;
    let week = crate::journal::lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let lesson = crate::journal::id(&week[0]);
    let f = &app.f;
    let finals = format!("/journal/{}/{}/finals?period=year", f.class_5a, f.math);
    for (login, expected) in [
        ("admin2", StatusCode::NOT_FOUND),
        ("english", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("teacher", StatusCode::SEE_OTHER),
    ] {
        let b = app.browser(login).await;
        let res = b.post_form(&format!("/journal/lesson/{lesson}"), &[]).await;
        assert_eq!(res.status(), expected, "{login}: the lesson");
        let res = b.post_form(&finals, &[]).await;
        assert_eq!(res.status(), expected, "{login}: the finals");
    }
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
    ("/api/v1/calendar", "class={class}"),
    ("/api/v1/summary-sheet", "class={class}"),
    ("/api/v1/documents/summary-sheet", "class={class}"),
    (
        "/api/v1/documents/consent-form",
        "parent={parent}&student={student}",
    ),
    (
        "/api/v1/documents/journal",
        "class={class}&group={class}&subject={subject}",
    ),
    ("/api/v1/thematic-plans", "group={class}&subject={subject}"),
    ("/api/v1/timetable", "group={class}"),
    (
        "/api/v1/schools/{id}/people/merge",
        "keep={student}&duplicate={parent}",
    ),
    ("/api/v1/finals", "class={class}"),
    ("/api/v1/journal", "group={class}&subject={subject}"),
    ("/api/v1/cells/history", "lesson={lesson}&student={student}"),
    (
        "/api/v1/lessons",
        "class={class}&from=2026-11-23&to=2026-11-27",
    ),
    ("/api/v1/classes/{id}/shift-conflicts", "shift=2"),
    ("/api/v1/assessments/to-move", "class={class}"),
    ("/api/v1/assessments/published", "class={class}"),
];

/// Writes that erase a family's data, end sessions or lock accounts run after every other
/// request, in this order, so that the rest of the table does not depend on them.
const LAST: &[&str] = &[
    "/erasure-requests/{id}/refuse",
    "/erasure-requests/{id}/carry-out",
    "/lock",
    "/unlock",
    "/account/sessions/",
    "/api/v1/auth/logout",
    "/account/logout-elsewhere",
    "/logout",
];

/// Path parameters that name an object made for the matrix, so that a write that ends,
/// moves or cancels it leaves the fixture's own objects to the rest of the table.
const SPARE: &[(&str, &str, &str)] = &[
    ("/api/v1/lessons/{id}/cancellation", "id", "lesson2"),
    ("/api/v1/lessons/{id}/transfer", "id", "lesson2"),
    ("/timetable/lessons/{id}/cancel", "id", "lesson2"),
    ("/timetable/lessons/{id}/transfer", "id", "lesson2"),
    (
        "/api/v1/schools/{id}/people/{person}/leaving",
        "person",
        "victim",
    ),
    (
        "/api/v1/schools/{id}/people/{person}/transfer",
        "person",
        "victim",
    ),
    (
        "/api/v1/schools/{id}/structure/staff/{person}/end",
        "person",
        "staff2",
    ),
];

/// Writes that delete, end, move or cancel what they name (or lock a period): they run after
/// the other writes.
const ENDING: &[&str] = &[
    "/delete",
    "/end",
    "/remove",
    "/leaving",
    "/transfer",
    "/merge",
    "/retire",
    "/cancel",
    "/cancellation",
    "/withdraw",
    "/withdrawal",
    "/lapse",
    "/carry-out",
    "/refuse",
    "/close",
];

/// The kind of object a path parameter names, from its name and the route.
fn kind_of(path: &str, param: &str) -> &'static str {
    if let Some((_, _, kind)) = SPARE.iter().find(|(r, p, _)| *r == path && *p == param) {
        return kind;
    }
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
        // No archive exists until a year is closed (the matrix closes none).
        "file" if before.starts_with("/archive/") => "missing",
        "file" => "file",
        "day" if before.ends_with("/calendar/") => "day",
        "date" | "day" => "date",
        "code" if before.starts_with("/lang/") => "lang",
        "code" if before.ends_with("/extracts/") => "extract",
        "assignment" => "assignment",
        "membership" => "membership",
        "parallel" => "parallel",
        "period" if before.contains("/structure/") || before.starts_with("/periods/") => "period",
        "year" => "year",
        "line" if before.ends_with("/curriculum/") => "curriculum",
        "line" => "line",
        "contact" => "contact",
        "order" => "order",
        "version" => "version",
        "id" => match before {
            "/api/v1/students/" | "/students/" | "/school/students/" => "student",
            "/api/v1/classes/" | "/school/classes/" | "/timetable/classes/" => "class",
            "/api/v1/schools/" => "school",
            "/api/v1/lessons/" | "/timetable/lessons/" => "lesson",
            "/api/v1/files/" => "file",
            "/api/v1/parents/" => "parent",
            "/api/v1/marks/" => "mark",
            "/journal/cell/marks/" => "mark2",
            "/api/v1/attendance/" => "attendance",
            "/api/v1/assessments/" | "/assessments/" => "assessment",
            "/api/v1/contacts/" => "contact",
            "/api/v1/deferrals/" => "deferral",
            "/api/v1/periods/" => "period",
            "/api/v1/years/" => "year",
            "/api/v1/timetable/" => "line",
            "/api/v1/erasure-requests/" => "erasure",
            "/api/v1/webhooks/" => "webhook",
            "/api/v1/absence-notes/" => "note",
            b if b.ends_with("/structure/staff/") => "staff",
            _ => "missing",
        },
        p if p.starts_with('*') => "rest",
        _ => "missing",
    }
}

/// Objects made for the matrix's writes (`$kind` in `permission_bodies`, and the kinds of path
/// parameters the fixture has none of); the other school's of each is a missing id, except
/// those set in [`Objects::create`].
const SPARE_KINDS: [&str; 23] = [
    "lesson2",
    "mark",
    "mark2",
    "attendance",
    "assessment",
    "contact",
    "deferral",
    "extract",
    "erasure",
    "webhook",
    "period",
    "parallel",
    "assignment",
    "membership",
    "curriculum",
    "day",
    "line",
    "victim",
    "pupil2",
    "class2",
    "staff2",
    "teacher2",
    "subject2",
];

/// The first school's spare objects, made through the API by those who may.
struct Spare {
    own: Vec<(&'static str, String)>,
}

impl Spare {
    async fn create(app: &TestApp, deputy: &str) -> Spare {
        use crate::journal::{id, lessons_5a};
        use crate::support::post;
        use serde_json::{Value, json};
        let f = &app.f;
        let admin = app.token("admin").await;
        let teacher = app.token("teacher").await;
        let parent = app.token("parent").await;
        let school = f.school.to_string();
        // A request that must succeed; its answer.
        async fn made(res: reqwest::Response, what: &str) -> Value {
            let status = res.status();
            let text = res.text().await.unwrap();
            assert!(status.is_success(), "{what}: {status} {text}");
            serde_json::from_str(&text).unwrap_or(Value::Null)
        }
        let week = lessons_5a(app, deputy, "2026-11-23", "2026-11-27").await;
        let (lesson, lesson2) = (&week[0], &week[week.len() - 1]);
        let version = |l: &Value| l["version"].as_i64().unwrap().to_string();
        let mark = made(
            post(
                app,
                &teacher,
                "/api/v1/marks",
                json!({"lesson_id": id(lesson),
                "student_id": f.oleg.to_string(), "value": "4", "work_type": "test"}),
            )
            .await,
            "a mark",
        )
        .await;
        let mark2 = made(
            post(
                app,
                &teacher,
                "/api/v1/marks",
                json!({"lesson_id": id(lesson2),
                "student_id": f.oleg.to_string(), "value": "4", "work_type": "test"}),
            )
            .await,
            "a mark on the other lesson",
        )
        .await;
        let attendance = made(
            post(
                app,
                &teacher,
                "/api/v1/attendance",
                json!({"lesson_id": id(lesson),
                "student_id": f.oleg.to_string(), "code": "н"}),
            )
            .await,
            "an absence",
        )
        .await;
        let structure = |tail: &str| format!("/api/v1/schools/{school}/structure/{tail}");
        let curriculum = made(
            post(
                app,
                &admin,
                &structure("curriculum"),
                json!({"grade": 5,
                "subject_id": f.math.to_string(), "hours_per_week_tenths": 50}),
            )
            .await,
            "a curriculum line",
        )
        .await;
        let assessment = made(
            post(app, deputy, "/api/v1/assessments", json!({"class_id": f.class_5a.to_string(),
                "subject_id": f.math.to_string(), "date": "2026-12-16", "number": 3, "override_reason": "единственный урок дня",
                "title": "Контрольная работа"}))
            .await,
            "an assessment",
        )
        .await;
        let contact = made(
            post(
                app,
                &admin,
                &format!("/api/v1/parents/{}/contacts", f.parent),
                json!({"kind": "phone", "value": "+7 912 345-67-89",
                    "provenance": "written_application", "basis": "заявление № 12 от 01.09.2026"}),
            )
            .await,
            "a contact",
        )
        .await;
        let deferral = made(
            post(
                app,
                deputy,
                "/api/v1/deferrals",
                json!({"student_id": f.oleg.to_string(),
                "group_id": f.class_5a.to_string(), "subject_id": f.math.to_string(),
                "basis": "справка о болезни", "starts_on": "2026-11-23", "ends_on": "2026-12-20"}),
            )
            .await,
            "a deferral",
        )
        .await;
        let res = post(
            app,
            &teacher,
            "/api/v1/extracts",
            json!({"student_id": f.ivan.to_string()}),
        )
        .await;
        assert!(res.status().is_success(), "an extract: {}", res.status());
        let extract = res.headers()["x-extract-codes"]
            .to_str()
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_owned();
        let erasure = made(
            post(
                app,
                &parent,
                "/api/v1/me/erasure-requests",
                json!({"comment": "удалите телефон"}),
            )
            .await,
            "an erasure request",
        )
        .await;
        let victim = made(
            post(app, &admin, &format!("/api/v1/schools/{school}/people"),
                json!({"class_id": f.class_5a.to_string(), "last_name": "Зайцев",
                    "first_name": "Глеб", "sex": "м", "birth_date": "2015-05-06", "on": "2026-11-02"}))
            .await,
            "a pupil",
        )
        .await;
        let staff2 = made(
            post(
                app,
                &admin,
                &structure("staff"),
                json!({"name": "Морозова Вера Павловна", "position": "педагог-организатор"}),
            )
            .await,
            "a member of staff",
        )
        .await;
        let assignment = made(
            post(
                app,
                &admin,
                &structure("assignments"),
                json!({
                "group_id": f.class_5b.to_string(), "subject_id": f.english_subject.to_string(),
                "teacher_id": f.teacher.to_string()}),
            )
            .await,
            "an assignment",
        )
        .await;
        made(
            post(
                app,
                &admin,
                &structure(&format!("groups/{}/pupils", f.subgroup)),
                json!({"starts_on": "2026-11-23", "student_ids": [id(&victim)]}),
            )
            .await,
            "a membership",
        )
        .await;
        let members = app
            .get_json(&structure(&format!("groups/{}/pupils", f.subgroup)), &admin)
            .await;
        let membership = members["memberships"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["student_id"] == id(&victim))
            .map(id)
            .expect("the spare pupil's membership");
        let day = made(
            post(
                app,
                &admin,
                &structure("calendar"),
                json!({"kind": "holiday",
                "name": "Дни здоровья", "starts_on": "2027-03-01", "ends_on": "2027-03-02"}),
            )
            .await,
            "a day of the calendar",
        )
        .await;
        let years = app.get_json(&structure("years"), &admin).await;
        let period = &years[0]["periods"][0];
        let line = app
            .get_json(&format!("/api/v1/timetable?group={}", f.class_5a), deputy)
            .await;
        let policy = app
            .get_json(
                &format!("/api/v1/grading-policy?school_id={school}"),
                &admin,
            )
            .await;
        let mut own = vec![
            ("policy", policy["policy"].to_string()),
            ("lesson2", id(lesson2)),
            ("lesson_version", version(lesson)),
            ("lesson2_version", version(lesson2)),
            ("mark", id(&mark)),
            ("mark2", id(&mark2)),
            ("attendance", id(&attendance)),
            ("assessment", id(&assessment)),
            ("contact", id(&contact)),
            ("deferral", id(&deferral)),
            ("extract", extract),
            ("erasure", id(&erasure)),
            ("victim", id(&victim)),
            ("staff2", id(&staff2)),
            ("assignment", id(&assignment)),
            ("membership", membership),
            ("curriculum", id(&curriculum)),
            ("day", id(&day)),
            ("period", id(period)),
            (
                "period_starts",
                period["starts_on"].as_str().unwrap().to_owned(),
            ),
            (
                "period_ends",
                period["ends_on"].as_str().unwrap().to_owned(),
            ),
            ("parallel", id(&years[0]["parallels"][0])),
            ("line", id(&line[0])),
            ("pupil2", f.oleg.to_string()),
            ("class2", f.class_5b.to_string()),
            ("teacher2", f.english.to_string()),
            ("subject2", f.english_subject.to_string()),
        ];
        // A webhook, where the address can be resolved here; a missing id otherwise.
        let hook = post(
            app,
            &admin,
            &format!("/api/v1/schools/{school}/webhooks"),
            json!({"url": "https://hooks.example.org/tabel", "topics": "*"}),
        )
        .await;
        own.push((
            "webhook",
            if hook.status().is_success() {
                id(&hook.json::<Value>().await.unwrap()["webhook"])
            } else {
                MISSING.to_owned()
            },
        ));
        Spare { own }
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
        let spare = Spare::create(app, &deputy).await;
        let res = crate::support::post(
            app,
            &app.token("parent").await,
            &format!("/api/v1/students/{}/absence-notes", f.ivan),
            serde_json::json!({"from": "2026-11-23", "to": "2026-11-23", "reason": "illness"}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let note = id(&res.json().await.unwrap());
        let res = crate::support::post(
            app,
            &deputy,
            &format!("/api/v1/schools/{}/promotion-orders", f.school),
            serde_json::json!({"class_id": f.class_5a.to_string()}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let order = id(&res.json().await.unwrap());
        let own = [
            ("student", f.ivan.to_string()),
            ("class", f.class_5a.to_string()),
            ("group", f.subgroup.to_string()),
            ("subject", f.math.to_string()),
            ("school", f.school.to_string()),
            ("year", f.year.to_string()),
            ("user", f.user("refuser").to_string()),
            ("staff", f.teacher.to_string()),
            ("parent", f.parent.to_string()),
            ("lesson", lesson),
            ("file", file),
            ("note", note),
            ("year", f.year.to_string()),
            ("order", order),
            // The matrix's deputy head approves the schedule before the reads of versions run
            // or not: version 1 is the first school's, if any.
            ("version", "1".to_owned()),
            ("date", "2026-11-30".to_owned()),
            ("lang", "ru".to_owned()),
            ("asset", "pico-2.1.1.min.css".to_owned()),
            ("rest", "index.html".to_owned()),
            ("missing", MISSING.to_owned()),
        ]
        .into_iter()
        .chain(spare.own)
        .collect::<std::collections::HashMap<_, _>>();
        let mut other = own.clone();
        for (k, v) in [
            ("student", f.other_pupil.to_string()),
            ("class", f.other_class.to_string()),
            ("group", f.other_class.to_string()),
            ("school", f.other_school.to_string()),
            ("year", MISSING.to_owned()),
            ("user", f.user("admin2").to_string()),
            ("subject", MISSING.to_owned()),
            ("staff", MISSING.to_owned()),
            ("parent", MISSING.to_owned()),
            ("lesson", MISSING.to_owned()),
            ("file", MISSING.to_owned()),
            ("note", MISSING.to_owned()),
            ("year", MISSING.to_owned()),
            ("order", MISSING.to_owned()),
        ] {
            other.insert(k, v);
        }
        for kind in SPARE_KINDS {
            other.insert(kind, MISSING.to_owned());
        }
        for (k, v) in [
            ("victim", f.other_pupil.to_string()),
            ("pupil2", f.other_pupil.to_string()),
            ("class2", f.other_class.to_string()),
        ] {
            other.insert(k, v);
        }
        Objects { own, other }
    }

    /// The route's request (path, query and body) for the first school's objects and, when it
    /// names an object the other school has too, for the other school's.
    fn requests(&self, writes: &Writes, method: &str, route: &str) -> (Request, Option<Request>) {
        let write = writes.get(&(method.to_owned(), route.to_owned()));
        let query = match write {
            Some(w) if !w.query.is_empty() => format!("?{}", w.query),
            Some(_) => String::new(),
            None => QUERIES
                .iter()
                .find(|(p, _)| *p == route)
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default(),
        };
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
            Request {
                path: dollars(&out, objects),
                body: write.map(|w| match &w.body {
                    Body::Json(t) => Sent::Json(dollars(t, objects)),
                    Body::Form(pairs) => Sent::Form(
                        pairs
                            .iter()
                            .map(|(k, v)| (dollars(k, objects), dollars(v, objects)))
                            .collect(),
                    ),
                    Body::Empty => Sent::Empty,
                    Body::Csv(t) => Sent::Csv(dollars(t, objects)),
                    Body::Multipart(pairs) => Sent::Multipart(
                        pairs
                            .iter()
                            .map(|(k, v)| (dollars(k, objects), dollars(v, objects)))
                            .collect(),
                    ),
                }),
            }
        };
        let own = fill(&self.own);
        let other = fill(&self.other);
        let differs = other != own;
        (own, differs.then_some(other))
    }
}

/// A template with each `$kind` replaced by the object of that kind.
fn dollars(template: &str, objects: &std::collections::HashMap<&'static str, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let name_len = rest[at + 1..]
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len() - at - 1);
        let name = &rest[at + 1..at + 1 + name_len];
        out.push_str(
            objects
                .get(name)
                .unwrap_or_else(|| panic!("no object of kind {name:?}")),
        );
        rest = &rest[at + 1 + name_len..];
    }
    out.push_str(rest);
    out
}

/// One request of the matrix.
#[derive(Clone, PartialEq, Debug)]
struct Request {
    path: String,
    body: Option<Sent>,
}

/// A write's body, filled in.
#[derive(Clone, PartialEq, Debug)]
enum Sent {
    Json(String),
    Form(Vec<(String, String)>),
    Empty,
    Csv(String),
    Multipart(Vec<(String, String)>),
}

impl Sent {
    /// The content type and bytes of a body that is not a plain form.
    fn raw(&self) -> Option<(String, Vec<u8>)> {
        match self {
            Sent::Json(text) => Some(("application/json".to_owned(), text.clone().into_bytes())),
            Sent::Csv(text) => Some(("text/csv".to_owned(), text.clone().into_bytes())),
            Sent::Multipart(pairs) => {
                let boundary = "tabel-matrix-boundary";
                let mut body = Vec::new();
                for (name, value) in pairs {
                    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                    match value.strip_prefix('@').and_then(|f| f.split_once(':')) {
                        Some((file, text)) => {
                            body.extend_from_slice(
                                format!(
                                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n"
                                )
                                .as_bytes(),
                            );
                        }
                        None => body.extend_from_slice(
                            format!(
                                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                            )
                            .as_bytes(),
                        ),
                    }
                }
                body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
                Some((format!("multipart/form-data; boundary={boundary}"), body))
            }
            Sent::Form(_) | Sent::Empty => None,
        }
    }
}

/// Kinds that are objects someone may or may not reach (the rest — dates, languages, assets —
/// are the same for everyone).
const OBJECTS: [&str; 13] = [
    "student", "class", "group", "subject", "school", "user", "staff", "parent", "lesson", "file",
    "note", "year", "missing",
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

/// Sends one request of the matrix: the API with the bearer token, a page with the session
/// cookie and a form from this site; a write with its body from `permission_bodies`, or an
/// empty one (`{}` to the API, an empty form to a page) where the table has none. With
/// `TABEL_MATRIX_DEBUG` set, a refused body (400, 415, 422) is printed with the answer's detail.
async fn status(app: &TestApp, caller: &Caller, method: &str, request: &Request) -> u16 {
    let method = match method {
        "ANY" => reqwest::Method::GET,
        m => reqwest::Method::from_bytes(m.as_bytes()).unwrap(),
    };
    let write = method != reqwest::Method::GET;
    let path = &request.path;
    let url = app.url(path);
    let builder = if path.starts_with("/api/") {
        let mut r = app.http.request(method.clone(), url);
        if let Some(t) = &caller.token {
            r = r.bearer_auth(t);
        }
        match &request.body {
            Some(Sent::Form(pairs)) => r.form(pairs),
            Some(Sent::Empty) => r,
            Some(sent) => {
                let (kind, bytes) = sent.raw().expect("a raw body");
                r.header("content-type", kind).body(bytes)
            }
            None if write => r.json(&serde_json::json!({})),
            None => r,
        }
    } else {
        let mut r = caller.browser.request(method.clone(), url);
        if write {
            r = r.header("Origin", &app.base);
            r = match &request.body {
                Some(Sent::Form(pairs)) => r.form(pairs),
                Some(Sent::Empty) | None => r.form(&Vec::<(String, String)>::new()),
                Some(sent) => {
                    let (kind, bytes) = sent.raw().expect("a raw body");
                    r.header("content-type", kind).body(bytes)
                }
            };
        }
        r
    };
    let res = builder.send().await.unwrap();
    let code = res.status().as_u16();
    if std::env::var_os("TABEL_MATRIX_DEBUG").is_some() && matches!(code, 400 | 415 | 422) {
        let text = res.text().await.unwrap_or_default();
        // A page's refusal is the text of its alert; an API's, its problem.
        let shown = match text.find("role=\"alert\"") {
            Some(at) => text[at..]
                .split_once('>')
                .map_or("", |(_, rest)| rest.split('<').next().unwrap_or("")),
            None => &text,
        };
        let detail: String = shown.chars().take(300).collect();
        eprintln!("{method} {path} as {}: {code} {detail}", caller.role);
    }
    code
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
         # kind (or a missing id where the other school has none). Writes carry the bodies of\n\
         # permission_bodies.tsv (an empty one where it has none) and are tried by the callers\n\
         # with the least rights first; objects they end or move are made for the test. A new\n\
         # route without a row here fails the test. After a deliberate change:\n\
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
    let writes = crate::permission_bodies::load();
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
    // Reads first, then writes, then writes that delete or end something, then the writes
    // that end sessions or lock accounts.
    let rank = |method: &str, path: &str| {
        if method == "GET" || method == "ANY" {
            0
        } else if let Some(i) = LAST.iter().position(|l| path.contains(l)) {
            3 + i
        } else if method == "DELETE" || ENDING.iter().any(|e| path.ends_with(e)) {
            2
        } else {
            1
        }
    };
    let mut order: Vec<&tabel_web::RouteEntry> = routes.iter().collect();
    order.sort_by_key(|r| rank(&r.method, &r.path));
    let mut actual = Rows::new();
    let mut oracles = Vec::new();
    for route in order {
        let (own, other) = objects.requests(&writes, &route.method, &route.path);
        let missing = other.as_ref().map(|_| {
            let mut gone = Objects {
                own: objects.own.clone(),
                other: objects.other.clone(),
            };
            for kind in OBJECTS.iter().chain(&SPARE_KINDS) {
                gone.own.insert(kind, MISSING.to_owned());
            }
            gone.requests(&writes, &route.method, &route.path).0
        });
        // A write is tried by the callers with the least rights first: a refusal in the table
        // is then never the effect of an earlier caller's write that succeeded.
        let mut turn: Vec<usize> = (0..callers.len()).collect();
        if rank(&route.method, &route.path) > 0 {
            turn.reverse();
        }
        let mut cells = vec![String::new(); callers.len()];
        for i in turn {
            let caller = &callers[i];
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
            cells[i] = cell;
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

/// The API's document says what the server takes: the body of each write the matrix sends to
/// the API (bodies that permitted callers' requests succeed with) has every property the
/// document's schema requires, and no property it does not name. Two request types of the same
/// name in different modules once made the document show one type's fields for the other's
/// route.
#[tokio::test]
async fn the_documented_request_bodies_are_the_ones_the_server_takes() {
    let app = TestApp::sqlite().await;
    let doc = app
        .get_json("/api/v1/openapi.json", &app.token("admin").await)
        .await;
    let schemas = &doc["components"]["schemas"];
    let resolve = |s: &serde_json::Value| -> serde_json::Value {
        match s["$ref"].as_str() {
            Some(r) => schemas[r.rsplit('/').next().unwrap()].clone(),
            None => s.clone(),
        }
    };
    let writes = crate::permission_bodies::load();
    let mut problems = Vec::new();
    let mut checked = 0;
    for ((method, route), write) in &writes {
        let Body::Json(template) = &write.body else {
            continue;
        };
        if !route.starts_with("/api/") {
            continue;
        }
        let op = &doc["paths"][route.as_str()][method.to_lowercase()];
        let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"].as_object()
        else {
            problems.push(format!(
                "{method} {route}: no JSON request body in the document"
            ));
            continue;
        };
        let schema = resolve(&serde_json::Value::Object(schema.clone()));
        let body: serde_json::Value =
            serde_json::from_str(&crate::permission_bodies::tokens_as_one(template)).unwrap();
        let sent: Vec<&String> = body
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        let named = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for key in &sent {
            if !named.contains_key(*key) {
                problems.push(format!(
                    "{method} {route}: the server takes `{key}`, the document does not name it"
                ));
            }
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            let required = required.as_str().unwrap();
            if !sent.iter().any(|k| *k == required) {
                problems.push(format!(
                    "{method} {route}: the document requires `{required}`, the server does without it"
                ));
            }
        }
        checked += 1;
    }
    assert!(checked > 50, "{checked} bodies checked");
    problems.sort();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
