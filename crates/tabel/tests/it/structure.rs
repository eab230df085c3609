//! The school's structure edited by its administrators: the hub and its sections, the card,
//! subjects (retired, never lost; deleted only when nothing refers to them), classes, years and
//! periods, and the calendar — through the pages and the API, with an audit record on every
//! change, refusals that change nothing, and the doors closed to everyone else.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{Page, TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_store::audit;

fn base(app: &TestApp) -> String {
    format!("/api/v1/schools/{}/structure", app.f.school)
}

/// How many audit records the school's chain holds.
async fn audit_head(app: &TestApp) -> i64 {
    let mut c = app.db.db.acquire().await.unwrap();
    audit::head_seq(&mut c.conn(), app.f.school.get())
        .await
        .unwrap()
}

/// The actions recorded about one entity, newest first.
async fn actions(app: &TestApp, entity: &str, entity_id: &str) -> Vec<String> {
    let mut c = app.db.db.acquire().await.unwrap();
    audit::history_of(&mut c.conn(), entity, entity_id, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.http.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    send(app, reqwest::Method::PATCH, token, path, Some(body)).await
}

async fn delete(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    send(app, reqwest::Method::DELETE, token, path, None).await
}

async fn expect(res: reqwest::Response, status: StatusCode) -> Value {
    let got = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn subject<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|s| s["id"] == id)
}

both_backends!(the_hub_and_its_sections_open_to_administrators_and_deputies_only);
async fn the_hub_and_its_sections_open_to_administrators_and_deputies_only(app: TestApp) {
    let school = app.f.school;
    let hub = format!("/admin/{school}/structure");
    for login in ["admin", "zavuch"] {
        let b = app.browser(login).await;
        let (status, page) = b.parsed(&hub).await;
        assert_eq!(status, StatusCode::OK, "{login}");
        assert_eq!(page.text("#school-name"), "МБОУ «Школа № 1»");
        assert_eq!(page.text("#summary-year"), "2026/2027");
        assert_eq!(page.text("#summary-classes"), "2");
        let links = page.attrs("#sections a", "href");
        for section in [
            "structure/card",
            "structure/years",
            "structure/calendar",
            "structure/classes",
            "structure/subjects",
            "structure/curriculum",
            "structure/groups",
            "structure/staff",
            "structure/assignments",
            "people",
            "import",
        ] {
            assert!(
                links.contains(&format!("/admin/{school}/{section}")),
                "{section} in {links:?}"
            );
        }
        for section in ["card", "years", "calendar", "classes", "subjects"] {
            let (status, _) = b.page(&format!("{hub}/{section}")).await;
            assert_eq!(status, StatusCode::OK, "{login} {section}");
        }
    }
    // The administrators' home links the hub.
    let admin = app.browser("admin").await;
    let (_, users) = admin.parsed(&format!("/admin/{school}/users")).await;
    assert_eq!(users.attr("#structure-link", "href"), Some(hub.clone()));

    // Staff and families of the school are refused; another school's administrator does not
    // even learn the school exists.
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("student", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let b = app.browser(login).await;
        for section in ["", "/card", "/subjects", "/classes", "/years", "/calendar"] {
            let (got, _) = b.page(&format!("{hub}{section}")).await;
            assert_eq!(got, status, "{login} {section}");
        }
        let token = app.token(login).await;
        for section in ["card", "subjects", "classes", "years", "calendar"] {
            let res = app.get(&format!("{}/{section}", base(&app)), &token).await;
            assert_problem(res, status).await;
        }
        let res = post(
            &app,
            &token,
            &format!("{}/subjects", base(&app)),
            json!({"name": "Черчение"}),
        )
        .await;
        assert_problem(res, status).await;
        let res = post(
            &app,
            &token,
            &format!("{}/subjects/{}/retire", base(&app), app.f.math),
            json!({}),
        )
        .await;
        assert_problem(res, status).await;
    }
    // The API is in the OpenAPI document.
    let doc = app
        .get_json("/api/v1/openapi.json", &app.token("admin").await)
        .await;
    for path in [
        "/api/v1/schools/{id}/structure/card",
        "/api/v1/schools/{id}/structure/subjects/{subject}/retire",
        "/api/v1/schools/{id}/structure/classes/{class}",
        "/api/v1/schools/{id}/structure/periods/{period}",
        "/api/v1/schools/{id}/structure/calendar/{day}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }

    // A form posted by a teacher changes nothing.
    let before = audit_head(&app).await;
    let teacher = app.browser("teacher").await;
    let res = teacher
        .post_form(
            &format!("{hub}/subjects/{}/retire", app.f.math),
            &[("x", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(audit_head(&app).await, before);
}

both_backends!(the_card_is_edited_validated_and_audited);
async fn the_card_is_edited_validated_and_audited(app: TestApp) {
    let admin = app.token("admin").await;
    let path = format!("{}/card", base(&app));
    let card = app.get_json(&path, &admin).await;
    assert_eq!(card["short_name"], "Школа № 1");
    assert_eq!(card["time_zone"], "Europe/Moscow");

    // A time zone that is not Russian's and an empty name: 422, nothing stored or audited.
    let before = audit_head(&app).await;
    let res = put(
        &app,
        &admin,
        &path,
        json!({"name": " ", "short_name": "Школа № 1", "time_zone": "Mars/Olympus"}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["time_zone"].is_string(), "{problem}");
    assert!(problem["errors"]["name"].is_string(), "{problem}");
    assert_eq!(app.get_json(&path, &admin).await, card);
    assert_eq!(audit_head(&app).await, before);

    let res = put(
        &app,
        &admin,
        &path,
        json!({"name": "МБОУ «Средняя школа № 1»", "short_name": "СШ № 1", "code": "66001",
            "address": "г. Тест, ул. Школьная, 1", "director": "Иванова Мария Петровна",
            "time_zone": "Asia/Yekaterinburg"}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;
    let card = app.get_json(&path, &admin).await;
    assert_eq!(card["director"], "Иванова Мария Петровна");
    assert_eq!(card["time_zone"], "Asia/Yekaterinburg");
    assert_eq!(
        actions(&app, "school", &app.f.school.to_string()).await,
        ["school.update"]
    );

    // The deputy head edits it through the page; the hub shows the new name.
    let b = app.browser("zavuch").await;
    let form = format!("/admin/{}/structure/card", app.f.school);
    let res = b
        .post_form(
            &form,
            &[
                ("name", "МБОУ «Средняя школа № 1»"),
                ("short_name", "СШ № 1"),
                ("code", ""),
                ("address", ""),
                ("director", "Петров Пётр Петрович"),
                ("time_zone", "Asia/Yekaterinburg"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, hub) = b
        .parsed(&format!("/admin/{}/structure", app.f.school))
        .await;
    assert_eq!(hub.text("#summary-director"), "Петров Пётр Петрович");
    assert_eq!(hub.text("#summary-short-name"), "СШ № 1");
    // A bad form comes back with the reason and what was typed.
    let res = b
        .post_form(
            &form,
            &[
                ("name", "Новое имя"),
                ("short_name", "СШ № 1"),
                ("time_zone", "Europe/Atlantis"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(page.has("[data-field=time_zone]"));
    assert_eq!(
        page.attr("#card-name", "value").as_deref(),
        Some("Новое имя")
    );
    assert_eq!(
        actions(&app, "school", &app.f.school.to_string()).await,
        ["school.update", "school.update"]
    );
}

/// Mathematics in 5А on Monday–Friday of 23–27 November, with Ivan's marks on two lessons.
async fn math_with_marks(app: &TestApp) -> Vec<Value> {
    let deputy = timetable(app).await;
    let week = lessons_5a(app, &deputy, "2026-11-23", "2026-11-27").await;
    let teacher = app.token("teacher").await;
    for lesson in &week[..2] {
        let res = post(
            app,
            &teacher,
            "/api/v1/marks",
            json!({"student_id": app.f.ivan.to_string(), "lesson_id": id(lesson), "value": "5", "work_type": "answer"}),
        )
        .await;
        expect(res, StatusCode::CREATED).await;
    }
    week
}

both_backends!(a_subject_with_marks_is_retired_not_deleted_and_its_marks_stay_in_the_diary);
async fn a_subject_with_marks_is_retired_not_deleted_and_its_marks_stay_in_the_diary(app: TestApp) {
    let app = &app;
    math_with_marks(app).await;
    let admin = app.token("admin").await;
    let math = app.f.math.to_string();
    let list = format!("{}/subjects", base(app));
    let subjects = app.get_json(&list, &admin).await;
    assert_eq!(subjects.as_array().unwrap().len(), 2);

    // Deleting it is refused, naming what depends on it; nothing changes.
    let before = audit_head(app).await;
    let res = delete(app, &admin, &format!("{list}/{math}")).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let why = problem["errors"]["dependants"].as_str().unwrap();
    assert!(why.starts_with("used by 2 marks, "), "{why}");
    assert!(
        why.contains(" lessons") && why.contains("timetable lines"),
        "{why}"
    );
    assert!(why.ends_with("; retire it instead"), "{why}");
    assert_eq!(app.get_json(&list, &admin).await, subjects);
    assert_eq!(audit_head(app).await, before);
    // The page says it in Russian.
    let b = app.browser("admin").await;
    let res = b
        .post_form(
            &format!("/admin/{}/structure/subjects/{math}/delete", app.f.school),
            &[("x", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    let said = page.text("[data-field=dependants]");
    assert!(said.contains("2 отметки"), "{said}");
    assert!(said.contains("Выведите его из употребления"), "{said}");

    // The timetable offers it before it is retired…
    let classes_page = format!("/timetable/classes/{}", app.f.class_5a);
    let zavuch = app.browser("zavuch").await;
    let (_, tt) = zavuch.parsed(&classes_page).await;
    assert!(
        tt.attrs("#line-subject option", "value").contains(&math),
        "offered before"
    );

    // Retired by the deputy head.
    let deputy = app.token("zavuch").await;
    let res = post(app, &deputy, &format!("{list}/{math}/retire"), json!({})).await;
    expect(res, StatusCode::NO_CONTENT).await;
    let after = app.get_json(&list, &admin).await;
    assert_eq!(subject(&after, &math).unwrap()["retired_on"], "2026-11-28");

    // …and not after: not in the pick-list, a new timetable line is refused.
    let (_, tt) = zavuch.parsed(&classes_page).await;
    let offered = tt.attrs("#line-subject option", "value");
    assert!(!offered.contains(&math), "{offered:?}");
    assert!(offered.contains(&app.f.english_subject.to_string()));
    let res = post(
        app,
        &deputy,
        "/api/v1/timetable",
        json!({"group_id": app.f.class_5b.to_string(), "weekday": 4, "number": 4,
            "subject_id": math, "teacher_id": app.f.english.to_string(), "room": ""}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["subject_id"].is_string(), "{problem}");

    // Its marks still show in the diary.
    let parent = app.token("parent").await;
    let diary = app
        .get_json(&format!("/api/v1/students/{}/marks", app.f.ivan), &parent)
        .await;
    let row = diary["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject_id"] == math)
        .expect("mathematics in the diary");
    assert_eq!(row["marks"].as_array().unwrap().len(), 2);

    // The subjects page shows it retired; bringing it back offers it again.
    let (_, page) = b
        .parsed(&format!("/admin/{}/structure/subjects", app.f.school))
        .await;
    assert!(
        page.text(&format!("#subject-{math} .state"))
            .contains("28.11.2026")
    );
    let res = b
        .post_form(
            &format!("/admin/{}/structure/subjects/{math}/unretire", app.f.school),
            &[("x", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, tt) = zavuch.parsed(&classes_page).await;
    assert!(tt.attrs("#line-subject option", "value").contains(&math));
    assert_eq!(
        actions(app, "subject", &math).await,
        ["subject.unretire", "subject.retire"]
    );
}

both_backends!(a_subject_is_created_renamed_given_a_scale_and_deleted);
async fn a_subject_is_created_renamed_given_a_scale_and_deleted(app: TestApp) {
    let app = &app;
    let admin = app.token("admin").await;
    let list = format!("{}/subjects", base(app));
    let created = expect(
        post(
            app,
            &admin,
            &list,
            json!({"name": " Музыка ", "short_name": "Муз.", "sort_order": 90}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let music = created["id"].as_str().unwrap().to_owned();

    // A name the school has, an empty one, a short name too long: 422, nothing written.
    let before = audit_head(app).await;
    for body in [
        json!({"name": "Математика"}),
        json!({"name": ""}),
        json!({"name": "Изо", "short_name": "И".repeat(41)}),
    ] {
        let res = post(app, &admin, &list, body).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let res = patch(
        app,
        &admin,
        &format!("{list}/{music}"),
        json!({"name": "Математика"}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(audit_head(app).await, before);
    assert_eq!(
        app.get_json(&list, &admin).await.as_array().unwrap().len(),
        3
    );

    let res = patch(
        app,
        &admin,
        &format!("{list}/{music}"),
        json!({"name": "Музыка и пение", "short_name": "Муз.", "sort_order": 5}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;
    let subjects = app.get_json(&list, &admin).await;
    assert_eq!(subjects[0]["id"], music, "sorted first by its new order");
    assert_eq!(subjects[0]["name"], "Музыка и пение");
    assert_eq!(subjects[0]["scale"], "five");
    assert_eq!(subjects[0]["own_scale"], false);

    // Its scale is a new version of the grading policy.
    let policy = app.get_json("/api/v1/grading-policy", &admin).await;
    let version = policy["version"].as_i64().unwrap();
    let res = put(
        app,
        &admin,
        &format!("{list}/{music}/scale"),
        json!({"scale": "pass_fail"}),
    )
    .await;
    let v = expect(res, StatusCode::OK).await;
    assert_eq!(v["policy_version"], version + 1);
    let policy = app.get_json("/api/v1/grading-policy", &admin).await;
    assert_eq!(policy["version"], version + 1);
    assert_eq!(
        policy["policy"]["subject_scales"][music.as_str()],
        "pass_fail"
    );
    let subjects = app.get_json(&list, &admin).await;
    assert_eq!(subject(&subjects, &music).unwrap()["scale"], "pass_fail");
    assert_eq!(subject(&subjects, &music).unwrap()["own_scale"], true);
    let res = put(
        app,
        &admin,
        &format!("{list}/{music}/scale"),
        json!({"scale": "seven"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Another school's administrator, and ids of another school, find nothing.
    let other = app.token("admin2").await;
    let res = delete(app, &other, &format!("{list}/{music}")).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let their_list = format!("/api/v1/schools/{}/structure/subjects", app.f.other_school);
    let res = delete(app, &other, &format!("{their_list}/{music}")).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = delete(app, &admin, &format!("{list}/not-an-id")).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;

    // Nothing refers to it: it goes.
    let res = delete(app, &admin, &format!("{list}/{music}")).await;
    expect(res, StatusCode::NO_CONTENT).await;
    assert!(subject(&app.get_json(&list, &admin).await, &music).is_none());
    assert_eq!(
        actions(app, "subject", &music).await,
        [
            "subject.delete",
            "subject.scale",
            "subject.update",
            "subject.create"
        ]
    );

    // The page adds one too.
    let b = app.browser("admin").await;
    let res = b
        .post_form(
            &format!("/admin/{}/structure/subjects", app.f.school),
            &[
                ("name", "Технология"),
                ("short_name", ""),
                ("sort_order", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = b
        .parsed(&format!("/admin/{}/structure/subjects", app.f.school))
        .await;
    assert!(
        page.texts("#subjects .name")
            .contains(&"Технология".to_owned())
    );
}

fn class<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
}

both_backends!(classes_are_created_renamed_moved_and_deleted_only_when_nothing_depends_on_them);
async fn classes_are_created_renamed_moved_and_deleted_only_when_nothing_depends_on_them(
    app: TestApp,
) {
    let app = &app;
    let admin = app.token("admin").await;
    let list = format!("{}/classes", base(app));
    let years = format!("{}/years", base(app));
    let classes = app.get_json(&list, &admin).await;
    assert_eq!(classes["year"], "2026/2027");
    assert_eq!(
        class(&classes, "5А").unwrap()["class_teacher"]["id"],
        app.f.teacher.to_string()
    );
    let grades = |y: &Value| -> Vec<i64> {
        y[0]["parallels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["grade"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(grades(&app.get_json(&years, &admin).await), [5]);

    // A class of a grade with no parallel yet brings its parallel with it.
    let created = expect(
        post(
            app,
            &admin,
            &list,
            json!({"grade": 6, "letter": "а", "shift": 2, "week_days": 6, "period_kind": "trimester",
                "class_teacher_id": app.f.english.to_string()}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let six = created["id"].as_str().unwrap().to_owned();
    let classes = app.get_json(&list, &admin).await;
    let c = class(&classes, "6А").unwrap();
    assert_eq!(c["shift"], 2);
    assert_eq!(c["class_teacher"]["since"], "2026-11-28");
    let y = app.get_json(&years, &admin).await;
    assert_eq!(grades(&y), [5, 6]);
    let six_parallel = y[0]["parallels"][1].clone();
    assert_eq!(six_parallel["week_days"], 6);
    assert_eq!(six_parallel["period_kind"], "trimester");
    let trimesters = y[0]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "trimester")
        .count();
    assert_eq!(trimesters, 3);

    // Refused: a name the year has, a grade 12, a letter that is not one, a stranger as class
    // teacher; nothing is written.
    let before = audit_head(app).await;
    for body in [
        json!({"grade": 5, "letter": "А"}),
        json!({"grade": 12, "letter": "А"}),
        json!({"grade": 7, "letter": "AB"}),
        json!({"grade": 7, "letter": "Q"}),
        json!({"grade": 7, "letter": "В", "class_teacher_id": app.f.ivan.to_string()}),
    ] {
        let res = post(app, &admin, &list, body.clone()).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let res = patch(
        app,
        &admin,
        &format!("{list}/{six}"),
        json!({"letter": "А", "shift": 3}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(audit_head(app).await, before);
    assert_eq!(
        app.get_json(&list, &admin).await["classes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let res = patch(
        app,
        &admin,
        &format!("{list}/{}", app.f.class_5a),
        json!({"letter": "Б"}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // 5А: renamed, moved to the second shift, and a new class teacher from today — the
    // previous term ends yesterday.
    let five_a = app.f.class_5a.to_string();
    let res = patch(
        app,
        &admin,
        &format!("{list}/{five_a}"),
        json!({"letter": "В", "shift": 2, "class_teacher_id": app.f.english.to_string(),
            "teacher_from": "2026-11-28"}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;
    let classes = app.get_json(&list, &admin).await;
    let c = class(&classes, "5В").unwrap();
    assert_eq!(c["shift"], 2);
    assert_eq!(c["class_teacher"]["id"], app.f.english.to_string());
    assert_eq!(c["class_teacher"]["since"], "2026-11-28");
    let mut conn = app.db.db.acquire().await.unwrap();
    let record = audit::history_of(&mut conn.conn(), "class", &five_a, 1)
        .await
        .unwrap()
        .remove(0);
    drop(conn);
    assert_eq!(record.action, "class.update");
    let before_json: Value = serde_json::from_str(record.before_json.as_deref().unwrap()).unwrap();
    assert_eq!(before_json["name"], "5А");
    assert_eq!(
        before_json["class_teacher"]["id"],
        app.f.teacher.to_string()
    );
    // A new term that does not start after the current one is refused.
    let res = patch(
        app,
        &admin,
        &format!("{list}/{five_a}"),
        json!({"class_teacher_id": app.f.teacher.to_string(), "teacher_from": "2026-11-01"}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // 5В has pupils, assignments and a subgroup: deleting it is refused, naming them.
    let before = audit_head(app).await;
    let res = delete(app, &admin, &format!("{list}/{five_a}")).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let why = problem["errors"]["dependants"].as_str().unwrap();
    assert!(
        why.contains("pupil memberships") && why.contains("subgroup"),
        "{why}"
    );
    assert_eq!(audit_head(app).await, before);
    let b = app.browser("admin").await;
    let res = b
        .post_form(
            &format!("/admin/{}/structure/classes/{five_a}/delete", app.f.school),
            &[("year", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(
        page.text("[data-field=dependants]")
            .contains("Класс нельзя удалить"),
    );
    assert_eq!(
        app.get_json(&list, &admin).await["classes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // 6А has nothing yet: it goes (its class-teacher appointment with it).
    let res = delete(app, &admin, &format!("{list}/{six}")).await;
    expect(res, StatusCode::NO_CONTENT).await;
    assert!(class(&app.get_json(&list, &admin).await, "6А").is_none());
    assert_eq!(
        actions(app, "class", &six).await,
        ["class.delete", "class.create"]
    );

    // Another school's class is not found through this school.
    let res = patch(
        app,
        &admin,
        &format!("{list}/{}", app.f.other_class),
        json!({"shift": 2}),
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;

    // The page creates one, and says the bells follow the shift.
    let res = b
        .post_form(
            &format!("/admin/{}/structure/classes", app.f.school),
            &[
                ("year", ""),
                ("grade", "5"),
                ("letter", "Г"),
                ("shift", "1"),
                ("class_teacher_id", ""),
                ("teacher_from", ""),
                ("week_days", "5"),
                ("period_kind", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = b
        .parsed(&format!("/admin/{}/structure/classes", app.f.school))
        .await;
    let names = page.texts("#classes .name");
    assert!(names.contains(&"5Г".to_owned()), "{names:?}");
    assert!(page.text("main").contains("смене"));
}

both_backends!(the_calendar_moves_lessons_and_refuses_days_off_over_journal_data);
async fn the_calendar_moves_lessons_and_refuses_days_off_over_journal_data(app: TestApp) {
    let app = &app;
    let week = math_with_marks(app).await;
    let deputy = app.token("zavuch").await;
    let days = format!("{}/calendar", base(app));
    assert_eq!(
        app.get_json(&days, &deputy).await["days"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // A day off on Monday 23 November, where a lesson carries a mark: refused, naming it.
    let before = audit_head(app).await;
    let res = post(
        app,
        &deputy,
        &days,
        json!({"kind": "non_working", "name": "Карантин", "starts_on": "2026-11-23", "ends_on": "2026-11-25"}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let why = problem["errors"]["starts_on"].as_str().unwrap();
    assert!(why.starts_with("2 lessons") && why.contains("5А"), "{why}");
    assert_eq!(audit_head(app).await, before);
    assert_eq!(
        lessons_5a(app, &deputy, "2026-11-23", "2026-11-27").await,
        week
    );
    // Outside the year, reversed, a worked day of two days: refused.
    for body in [
        json!({"kind": "holiday", "name": "Лето", "starts_on": "2027-06-01", "ends_on": "2027-06-10"}),
        json!({"kind": "holiday", "name": "Х", "starts_on": "2026-12-10", "ends_on": "2026-12-01"}),
        json!({"kind": "working_day", "name": "Х", "starts_on": "2026-12-12", "ends_on": "2026-12-13"}),
        json!({"kind": "vacation", "name": "Х", "starts_on": "2026-12-12"}),
    ] {
        let res = post(app, &deputy, &days, body).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    assert_eq!(audit_head(app).await, before);

    // A holiday week in December removes that week's lessons; taking it away brings them back.
    let december = || lessons_5a(app, &deputy, "2026-12-07", "2026-12-11");
    assert_eq!(december().await.len(), 3);
    let created = expect(
        post(
            app,
            &deputy,
            &days,
            json!({"kind": "holiday", "name": "Карантин", "starts_on": "2026-12-07", "ends_on": "2026-12-11"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let holiday = created["id"].as_str().unwrap().to_owned();
    assert_eq!(december().await.len(), 0);
    let listed = app.get_json(&days, &deputy).await;
    assert_eq!(listed["days"][0]["name"], "Карантин");
    assert_eq!(listed["days"][0]["ends_on"], "2026-12-11");

    // A worked Saturday that follows Monday's timetable gets Monday's lesson.
    let saturday = || lessons_5a(app, &deputy, "2026-12-19", "2026-12-19");
    assert_eq!(saturday().await.len(), 0);
    let worked = expect(
        post(
            app,
            &deputy,
            &days,
            json!({"kind": "working_day", "name": "Перенос", "starts_on": "2026-12-19", "as_weekday": 1}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(saturday().await.len(), 1);
    let worked = worked["id"].as_str().unwrap().to_owned();

    let res = delete(app, &deputy, &format!("{days}/{holiday}")).await;
    expect(res, StatusCode::NO_CONTENT).await;
    assert_eq!(december().await.len(), 3);
    assert_eq!(
        actions(app, "holiday", &holiday).await,
        ["holiday.delete", "holiday.create"]
    );

    // The page lists the worked day and adds a day off in Russian dates.
    let b = app.browser("admin").await;
    let res = b
        .post_form(
            &format!("/admin/{}/structure/calendar", app.f.school),
            &[
                ("year", ""),
                ("kind", "non_working"),
                ("name", "День школы"),
                ("starts_on", "15.01.2027"),
                ("ends_on", ""),
                ("only_grade", ""),
                ("as_weekday", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = b
        .parsed(&format!("/admin/{}/structure/calendar", app.f.school))
        .await;
    let names = page.texts("#days .name");
    assert_eq!(names, ["Перенос", "День школы"]);
    assert_eq!(page.texts("#days .dates")[1], "15.01.2027");
    // Another school's administrator cannot remove this school's days.
    let other = app.token("admin2").await;
    let res = delete(app, &other, &format!("{days}/{worked}")).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_eq!(saturday().await.len(), 1);
}

both_backends!(periods_move_within_their_rules_and_a_new_year_follows_the_federal_calendar);
async fn periods_move_within_their_rules_and_a_new_year_follows_the_federal_calendar(app: TestApp) {
    let app = &app;
    let admin = app.token("admin").await;
    let years = format!("{}/years", base(app));
    let y = app.get_json(&years, &admin).await;
    let periods = y[0]["periods"].as_array().unwrap().clone();
    let q = |n: i64| {
        periods
            .iter()
            .find(|p| p["kind"] == "quarter" && p["number"] == n)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let period = |n: i64| format!("{}/periods/{}", base(app), q(n));

    // The break between the quarters has school days until it is a holiday.
    let before = audit_head(app).await;
    let res = put(
        app,
        &admin,
        &period(2),
        json!({"starts_on": "2026-11-05", "ends_on": "2026-12-29"}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["errors"]["dates"]
            .as_str()
            .unwrap()
            .contains("school days"),
        "{problem}"
    );
    assert_eq!(audit_head(app).await, before);
    expect(
        post(
            app,
            &admin,
            &format!("{}/calendar", base(app)),
            json!({"kind": "holiday", "name": "Осенние каникулы", "starts_on": "2026-10-26", "ends_on": "2026-11-04"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let res = put(
        app,
        &admin,
        &period(2),
        json!({"starts_on": "2026-11-05", "ends_on": "2026-12-29"}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;
    // Overlapping, reversed, outside the year, not a date: refused, nothing changes.
    let before = audit_head(app).await;
    for body in [
        json!({"starts_on": "2026-09-01", "ends_on": "2026-11-10"}),
        json!({"starts_on": "2026-10-24", "ends_on": "2026-09-01"}),
        json!({"starts_on": "2026-08-25", "ends_on": "2026-10-24"}),
        json!({"starts_on": "1.9.2026", "ends_on": "2026-10-24"}),
    ] {
        let res = put(app, &admin, &period(1), body).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    assert_eq!(audit_head(app).await, before);
    let y = app.get_json(&years, &admin).await;
    let second = y[0]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == q(2))
        .unwrap()
        .clone();
    assert_eq!(second["ends_on"], "2026-12-29");
    assert_eq!(actions(app, "period", &q(2)).await, ["period.update"]);
    // Another school's administrator cannot touch it.
    let other = app.token("admin2").await;
    let res = put(
        app,
        &other,
        &period(2),
        json!({"starts_on": "2026-11-05", "ends_on": "2026-12-28"}),
    )
    .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;

    // The parallel moves to half-years (no final marks yet): the half-years appear.
    let parallel = y[0]["parallels"][0]["id"].as_str().unwrap().to_owned();
    let res = patch(
        app,
        &admin,
        &format!("{}/parallels/{parallel}", base(app)),
        json!({"period_kind": "half_year"}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;
    let y = app.get_json(&years, &admin).await;
    assert_eq!(y[0]["parallels"][0]["period_kind"], "half_year");
    assert_eq!(
        y[0]["periods"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["kind"] == "half_year")
            .count(),
        2
    );
    let res = patch(
        app,
        &admin,
        &format!("{}/parallels/{parallel}", base(app)),
        json!({"period_kind": "semester"}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // A new year: the federal calendar's dates, periods and holidays by default.
    let created = expect(
        post(app, &admin, &years, json!({"start_year": 2027})).await,
        StatusCode::CREATED,
    )
    .await;
    let y = app.get_json(&years, &admin).await;
    assert_eq!(y[0]["id"], created["id"]);
    assert_eq!(y[0]["label"], "2027/2028");
    assert_eq!(y[0]["starts_on"], "2027-09-01");
    assert_eq!(y[0]["parallels"].as_array().unwrap().len(), 11);
    let kinds: Vec<&str> = y[0]["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "quarter").count(), 4);
    assert_eq!(kinds.iter().filter(|k| **k == "half_year").count(), 2);
    let calendar = app
        .get_json(
            &format!(
                "{}/calendar?year_id={}",
                base(app),
                created["id"].as_str().unwrap()
            ),
            &admin,
        )
        .await;
    assert!(
        calendar["days"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "Осенние каникулы")
    );
    // The same year again, a last day before the first: refused.
    let before = audit_head(app).await;
    for body in [
        json!({"start_year": 2027}),
        json!({"start_year": 2028, "starts_on": "2028-09-01", "ends_on": "2028-08-31"}),
        json!({"start_year": 2028, "parallels": [{"grade": 12, "week_days": 5, "period_kind": "quarter"}]}),
    ] {
        let res = post(app, &admin, &years, body).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    assert_eq!(audit_head(app).await, before);
    assert_eq!(
        actions(app, "year", created["id"].as_str().unwrap()).await,
        ["year.create"]
    );

    // The years page shows both years and proposes the next.
    let b = app.browser("admin").await;
    let (status, page) = b
        .parsed(&format!("/admin/{}/structure/years", app.f.school))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.count("article.year"), 2);
    assert_eq!(
        page.attr("#new-year [name=start_year]", "value").as_deref(),
        Some("2028")
    );
}

both_backends!(the_import_refuses_new_lines_of_a_retired_subject);
async fn the_import_refuses_new_lines_of_a_retired_subject(app: TestApp) {
    let app = &app;
    let admin = app.token("admin").await;
    let english = app.f.english_subject.to_string();
    let subjects = format!("{}/subjects", base(app));
    let import = |token: String| async move {
        app.http
            .post(app.url(&format!(
                "/api/v1/schools/{}/import?list=curriculum&apply=true",
                app.f.school
            )))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body("Параллель;Предмет;Часов в неделю\n5;Иностранный язык (английский);3\n")
            .send()
            .await
            .unwrap()
    };
    let res = post(
        app,
        &admin,
        &format!("{subjects}/{english}/retire"),
        json!({}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;
    let before = audit_head(app).await;
    let problem = assert_problem(
        import(admin.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let why = problem["errors"]["«Учебный план», row 2, column «Предмет»"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("is retired"), "{problem}");
    assert_eq!(audit_head(app).await, before);

    let res = post(
        app,
        &admin,
        &format!("{subjects}/{english}/unretire"),
        json!({}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;
    let report = expect(import(admin.clone()).await, StatusCode::OK).await;
    assert_eq!(report["applied"], true, "{report}");
}

both_backends!(a_shortened_day_needs_the_short_bells_and_is_audited);
async fn a_shortened_day_needs_the_short_bells_and_is_audited(app: TestApp) {
    let app = &app;
    let deputy = app.token("zavuch").await;
    let short = format!("{}/calendar/short-days", base(app));
    let before = audit_head(app).await;
    let res = post(app, &deputy, &short, json!({"on": "2026-12-30"})).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem["errors"]["on"]
            .as_str()
            .unwrap()
            .contains("short bell")
    );
    let res = post(app, &deputy, &short, json!({"on": "2027-07-01"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(audit_head(app).await, before);

    let slots: Vec<Value> = (1..=6)
        .map(|n: u16| {
            let start = 8 * 60 + 30 + (n - 1) * 40;
            json!({"number": n, "starts": format!("{:02}:{:02}", start / 60, start % 60),
                "ends": format!("{:02}:{:02}", (start + 30) / 60, (start + 30) % 60)})
        })
        .collect();
    let res = put(
        app,
        &deputy,
        "/api/v1/bells",
        json!({"variant": "short", "slots": slots}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;
    let res = post(app, &deputy, &short, json!({"on": "2026-12-30"})).await;
    expect(res, StatusCode::NO_CONTENT).await;
    let calendar = app
        .get_json(&format!("{}/calendar", base(app)), &deputy)
        .await;
    assert_eq!(calendar["short_days"], json!(["2026-12-30"]));
    let b = app.browser("admin").await;
    let (_, page) = b
        .parsed(&format!("/admin/{}/structure/calendar", app.f.school))
        .await;
    assert_eq!(page.texts("#short-days .date"), ["30.12.2026"]);

    let res = delete(app, &deputy, &format!("{short}/2026-12-30")).await;
    expect(res, StatusCode::NO_CONTENT).await;
    let res = delete(app, &deputy, &format!("{short}/2026-12-30")).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let teacher = app.token("teacher").await;
    let res = post(app, &teacher, &short, json!({"on": "2026-12-30"})).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    assert_eq!(
        actions(app, "shortday", &format!("{}:2026-12-30", app.f.year)).await,
        ["shortday.delete", "shortday.create"]
    );
}

both_backends!(final_marks_keep_the_kind_of_periods_and_a_closed_period_keeps_its_dates);
async fn final_marks_keep_the_kind_of_periods_and_a_closed_period_keeps_its_dates(app: TestApp) {
    let app = &app;
    math_with_marks(app).await;
    let teacher = app.token("teacher").await;
    let finals = format!(
        "/api/v1/finals?group={}&subject={}",
        app.f.class_5a, app.f.math
    );
    let sheet = app.get_json(&finals, &teacher).await;
    let period = sheet[0]["period_id"].as_str().unwrap().to_owned();
    let res = put(
        app,
        &teacher,
        &format!("{finals}&period={period}"),
        json!({"rows": [{"student_id": app.f.ivan.to_string(), "value": "5", "reason": "устные ответы"}]}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    // Quarters → half-years for grade 5: refused while a quarter has final marks.
    let admin = app.token("admin").await;
    let years = format!("{}/years", base(app));
    let y = app.get_json(&years, &admin).await;
    let parallel = y[0]["parallels"][0]["id"].as_str().unwrap().to_owned();
    let before = audit_head(app).await;
    let res = patch(
        app,
        &admin,
        &format!("{}/parallels/{parallel}", base(app)),
        json!({"period_kind": "half_year"}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let why = problem["errors"]["period_kind"].as_str().unwrap();
    assert!(
        why.starts_with("1 final mark was given for grade 5"),
        "{why}"
    );
    assert_eq!(audit_head(app).await, before);
    assert_eq!(app.get_json(&years, &admin).await, y);
    // The week length may still change.
    let res = patch(
        app,
        &admin,
        &format!("{}/parallels/{parallel}", base(app)),
        json!({"week_days": 6}),
    )
    .await;
    expect(res, StatusCode::NO_CONTENT).await;

    // The deputy head closes the quarter: its dates no longer move.
    let deputy = app.token("zavuch").await;
    let res = post(
        app,
        &deputy,
        &format!("/api/v1/periods/{period}/close"),
        json!({}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let before = audit_head(app).await;
    let res = put(
        app,
        &admin,
        &format!("{}/periods/{period}", base(app)),
        json!({"starts_on": "2026-11-05", "ends_on": "2026-12-29"}),
    )
    .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    assert_eq!(audit_head(app).await, before);
}
