//! The school's people: finding them by any word of the name (case and ё ignored), the card and
//! its audited edits, a pupil's dated movement (and the journal and the diary reading it), the
//! merge of a person typed twice, and the regional administrator's page — with the refusals,
//! which change nothing.

use crate::cli::tabel;
use crate::journal::{id, lessons_5a, timetable};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn people(app: &TestApp) -> String {
    format!("/api/v1/schools/{}/people", app.f.school)
}

fn person(app: &TestApp, p: impl std::fmt::Display) -> String {
    format!("/api/v1/schools/{}/people/{p}", app.f.school)
}

/// The names a search answers with.
async fn found(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = app
        .get_json(&format!("{}?{query}", people(app)), token)
        .await;
    page["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["full_name"].as_str().unwrap().to_owned())
        .collect()
}

/// The audit records of a person, newest first: (action, before, after).
async fn history(app: &TestApp, person: impl std::fmt::Display) -> Vec<(String, Value, Value)> {
    let mut c = app.db.db.acquire().await.unwrap();
    tabel_store::audit::history_of(&mut c.conn(), "person", &person.to_string(), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let json = |s: Option<String>| {
                s.map(|s| serde_json::from_str(&s).unwrap())
                    .unwrap_or(Value::Null)
            };
            (r.action, json(r.before_json), json(r.after_json))
        })
        .collect()
}

async fn audit_holds(app: &TestApp) {
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

both_backends!(people_are_found_by_any_word_of_the_name_ignoring_case_and_yo);
async fn people_are_found_by_any_word_of_the_name_ignoring_case_and_yo(app: TestApp) {
    let admin = app.token("admin").await;
    let f = &app.f;
    // Олег Сидоров is renamed Ёлкин (through the card).
    let res = put(
        &app,
        &admin,
        &person(&app, f.oleg),
        json!({"last_name": "Ёлкин"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    for q in [
        "q=елк",
        "q=ЕЛКИН",
        "q=Ёлк",
        "q=олег",
        "q=ПАВЛ",
        "q=елк%20олег",
        "q=олег%20ёлкин",
    ] {
        assert_eq!(found(&app, &admin, q).await, ["Ёлкин Олег Павлович"], "{q}");
    }
    // A word's middle is not its beginning; a word that no name has finds nobody.
    assert!(found(&app, &admin, "q=лкин").await.is_empty());
    assert!(found(&app, &admin, "q=елк%20иван").await.is_empty());
    // Петров, Петрова and Петрова: the pupils, then only the parent.
    assert_eq!(
        found(&app, &admin, "q=петров&kind=pupil").await,
        ["Петров Иван Сергеевич", "Петрова Анна Сергеевна"]
    );
    assert_eq!(
        found(&app, &admin, "q=петров&kind=parent").await,
        ["Петрова Мария Андреевна"]
    );
    assert_eq!(
        found(&app, &admin, "kind=staff&q=смирн").await,
        ["Смирнова Елена Викторовна"]
    );
    // The answer carries the kind, the class today, the birth date; everyone fits on a page.
    let page = app
        .get_json(&format!("{}?q=ёлкин", people(&app)), &admin)
        .await;
    let oleg = &page["people"][0];
    assert_eq!(oleg["id"], f.oleg.to_string());
    assert_eq!(oleg["kinds"], json!(["pupil"]));
    assert_eq!(oleg["class"], "5А");
    assert_eq!(oleg["birth_date"], "2015-07-02");
    let all = app.get_json(&people(&app), &admin).await;
    assert_eq!(all["more"], false);
    assert_eq!(all["people"].as_array().unwrap().len(), 9, "{all}");
    let next = app
        .get_json(&format!("{}?page=1", people(&app)), &admin)
        .await;
    assert!(next["people"].as_array().unwrap().is_empty());
    // The API's document lists the endpoints.
    let doc = app.get_json("/api/v1/openapi.json", &admin).await;
    for path in [
        "/api/v1/schools/{id}/people",
        "/api/v1/schools/{id}/people/{person}",
        "/api/v1/schools/{id}/people/{person}/arrival",
        "/api/v1/schools/{id}/people/{person}/leaving",
        "/api/v1/schools/{id}/people/{person}/transfer",
        "/api/v1/schools/{id}/people/{person}/parents/{parent}",
        "/api/v1/schools/{id}/people/merge",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    // A person of the other school is never found here.
    assert!(found(&app, &admin, "q=кузнецов").await.len() == 1);
    // Bad queries: 422.
    for bad in ["kind=teacher", "page=x", &format!("q={}", "я".repeat(101))] {
        assert_problem(
            app.get(&format!("{}?{bad}", people(&app)), &admin).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }

    // The page, reached from the accounts page: the row links to the card.
    let b = app.browser("admin").await;
    let (_, users) = b.parsed(&format!("/admin/{}/users", f.school)).await;
    assert_eq!(
        users.attr("#people-link", "href").unwrap(),
        format!("/admin/{}/people", f.school)
    );
    let (status, page) = b
        .parsed(&format!("/admin/{}/people?q=ЕЛКИН", f.school))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.texts("#people tbody td a"), ["Ёлкин Олег Павлович"]);
    assert_eq!(
        page.attr("#people tbody td a", "href").unwrap(),
        format!("/admin/{}/people/{}", f.school, f.oleg)
    );
    assert_eq!(page.select_rows("#people tbody tr")[0][2], "5А");
    // The links page's pick-list finds by the given name too now.
    let (_, links) = b.parsed(&format!("/admin/{}/links?q=олег", f.school)).await;
    assert!(links.source().contains("Ёлкин Олег Павлович"));
}

both_backends!(only_the_schools_administrators_reach_its_people);
async fn only_the_schools_administrators_reach_its_people(app: TestApp) {
    let f = &app.f;
    let card = person(&app, f.ivan);
    // Staff who do not administer, and families: 403 in their own school.
    for login in ["teacher", "zavuch", "parent", "student"] {
        let token = app.token(login).await;
        assert_problem(app.get(&people(&app), &token).await, StatusCode::FORBIDDEN).await;
        assert_problem(app.get(&card, &token).await, StatusCode::FORBIDDEN).await;
        assert_problem(
            put(&app, &token, &card, json!({"last_name": "Взломов"})).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            post(
                &app,
                &token,
                &format!("{card}/leaving"),
                json!({"last_day": "2026-11-27", "to": "x", "order_number": "1", "order_date": "2026-11-27"}),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // The other school's administrator: the school does not exist for them.
    let other = app.token("admin2").await;
    assert_problem(app.get(&people(&app), &other).await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get(&card, &other).await, StatusCode::NOT_FOUND).await;
    // The administrator: a person of another school is not found through this school.
    let admin = app.token("admin").await;
    assert_problem(
        app.get(&person(&app, f.other_pupil), &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("{}/abc", people(&app)), &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // No token: 401.
    assert_eq!(
        app.http
            .get(app.url(&people(&app)))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Pages too.
    let teacher = app.browser("teacher").await;
    for path in [
        format!("/admin/{}/people", f.school),
        format!("/admin/{}/people/{}", f.school, f.ivan),
        format!("/admin/{}/people/merge", f.school),
    ] {
        assert_eq!(teacher.page(&path).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    let res = teacher
        .post_form(
            &format!("/admin/{}/people/{}", f.school, f.ivan),
            &[
                ("last_name", "Взломов"),
                ("first_name", "Иван"),
                ("sex", "m"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let other = app.browser("admin2").await;
    assert_eq!(
        other.page(&format!("/admin/{}/people", f.school)).await.0,
        StatusCode::NOT_FOUND
    );
    // Nothing changed, nothing recorded.
    let ivan = app.get_json(&card, &admin).await;
    assert_eq!(ivan["last_name"], "Петров");
    assert!(ivan["pupil"]["left_on"].is_null());
    assert!(history(&app, f.ivan).await.is_empty());
}

both_backends!(an_administrator_edits_a_card_and_each_edit_is_audited);
async fn an_administrator_edits_a_card_and_each_edit_is_audited(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let card = person(&app, f.anna);
    let before = app.get_json(&card, &admin).await;
    assert_eq!(before["kinds"], json!(["pupil"]));
    assert_eq!(before["memberships"][0]["name"], "5Б");
    assert_eq!(before["parents"][0]["person"]["id"], f.parent.to_string());
    assert_eq!(before["parents"][0]["relation"], "mother");

    // Refused, each naming its field; nothing is written.
    for (body, field) in [
        (json!({"birth_date": "2030-01-01"}), "birth_date"),
        (json!({"birth_date": "31.02.2015"}), "birth_date"),
        (json!({"snils": "112-233-445 96"}), "snils"),
        (json!({"snils": "12345"}), "snils"),
        (json!({"last_name": ""}), "last_name"),
        (json!({"last_name": "Я".repeat(61)}), "last_name"),
        (json!({"sex": "x"}), "sex"),
        (json!({"position": "учитель"}), "position"),
        (json!({"school_number": "N".repeat(33)}), "school_number"),
    ] {
        let p = assert_problem(
            put(&app, &admin, &card, body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["errors"][field].is_string(), "{body}: {p}");
    }
    let parent_card = person(&app, f.parent);
    let p = assert_problem(
        put(&app, &admin, &parent_card, json!({"school_number": "1"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["school_number"].is_string());
    assert_eq!(app.get_json(&card, &admin).await, before);

    // Saved: the name, the birth date, a checked СНИЛС, the school's number.
    let res = put(
        &app,
        &admin,
        &card,
        json!({"last_name": "Петрова-Ёлкина", "birth_date": "15.03.2015", "snils": "112-233-445 95", "school_number": "2019-045"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["last_name"], "Петрова-Ёлкина");
    assert_eq!(after["birth_date"], "2015-03-15");
    assert_eq!(after["snils"], "11223344595");
    assert_eq!(after["pupil"]["school_number"], "2019-045");
    // The number and the СНИЛС belong to one person of the school.
    for (body, field) in [
        (json!({"school_number": "2019-045"}), "school_number"),
        (json!({"snils": "11223344595"}), "snils"),
    ] {
        let p = assert_problem(
            put(&app, &admin, &person(&app, f.ivan), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["errors"][field].is_string(), "{p}");
    }
    let log = history(&app, f.anna).await;
    assert_eq!(log.len(), 1, "{log:?}");
    let (action, was, is) = &log[0];
    assert_eq!(action, "person.update");
    assert_eq!(was["last_name"], "Петрова");
    assert_eq!(is["last_name"], "Петрова-Ёлкина");
    assert_eq!(is["pupil"]["school_number"], "2019-045");
    // The same edit again changes nothing and records nothing.
    let res = put(&app, &admin, &card, json!({"last_name": "Петрова-Ёлкина"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(history(&app, f.anna).await.len(), 1);

    // The parent's relation: «отец» is a relation's name too.
    let res = put(
        &app,
        &admin,
        &format!("{card}/parents/{}", f.parent),
        json!({"relation": "отец"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_json(&card, &admin).await["parents"][0]["relation"],
        "father"
    );
    let log = history(&app, f.parent).await;
    assert_eq!(log[0].0, "person.update");
    assert_eq!(log[0].1["relation"], "mother");
    assert_eq!(log[0].2["relation"], "father");
    assert_problem(
        put(
            &app,
            &admin,
            &format!("{card}/parents/{}", f.refuser),
            json!({"relation": "father"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        put(
            &app,
            &admin,
            &format!("{card}/parents/{}", f.parent),
            json!({"relation": "сосед"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // The parent's card lists the children; a staff member's, the position.
    let parent = app.get_json(&parent_card, &admin).await;
    assert_eq!(parent["kinds"], json!(["parent"]));
    assert_eq!(parent["children"].as_array().unwrap().len(), 2);
    assert_eq!(parent["login"], "parent");
    let teacher = app.get_json(&person(&app, f.teacher), &admin).await;
    assert_eq!(teacher["kinds"], json!(["staff"]));
    assert_eq!(teacher["position"], "учитель математики");
    let res = put(
        &app,
        &admin,
        &person(&app, f.teacher),
        json!({"position": "  учитель   математики и физики "}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["position"],
        "учитель математики и физики"
    );
    assert_eq!(
        history(&app, f.teacher).await[0].2["staff"]["position"],
        "учитель математики и физики"
    );

    // The page: a parent's children, a staff member's position; the form saves (303), a bad
    // value comes back with its reason (422).
    let b = app.browser("admin").await;
    let (status, page) = b
        .parsed(&format!("/admin/{}/people/{}", f.school, f.parent))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.count("#children tr"), 2);
    assert!(!page.has("#transfer") && !page.has("#arrival"));
    let (status, page) = b
        .parsed(&format!("/admin/{}/people/{}", f.school, f.teacher))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.attr("input[name=position]", "value").as_deref(),
        Some("учитель математики и физики")
    );
    let path = format!("/admin/{}/people/{}", f.school, f.oleg);
    let form = |born: &'static str| {
        vec![
            ("last_name", "Сидоров"),
            ("first_name", "Олег"),
            ("middle_name", "Павлович"),
            ("sex", "m"),
            ("birth_date", born),
            ("snils", ""),
            ("school_number", "77"),
        ]
    };
    let res = b.post_form(&path, &form("01.01.2099")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(page.has("[data-field=birth_date]"));
    let res = b.post_form(&path, &form("02.07.2015")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = b.parsed(&format!("{path}?done=saved")).await;
    assert!(page.has("#notice"));
    assert_eq!(
        page.attr("input[name=school_number]", "value").as_deref(),
        Some("77")
    );
    assert_eq!(
        page.attr("input[name=birth_date]", "value").as_deref(),
        Some("02.07.2015")
    );
    audit_holds(&app).await;
}

both_backends!(a_moved_pupil_stays_in_the_old_journal_before_the_date_and_joins_the_new_from_it);
async fn a_moved_pupil_stays_in_the_old_journal_before_the_date_and_joins_the_new_from_it(
    app: TestApp,
) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let lessons = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let (monday, wednesday) = (id(&lessons[0]), id(&lessons[1]));
    let teacher = app.token("teacher").await;
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": f.ivan.to_string(), "lesson_id": monday, "value": "4"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let admin = app.token("admin").await;
    let card = person(&app, f.ivan);
    let move_to = |class: String, from: &'static str| json!({"class_id": class, "from": from});
    // Refusals: the same class, another school's class, a day before he joined, nonsense.
    for (body, status) in [
        (
            move_to(f.class_5a.to_string(), "2026-11-25"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            move_to(f.other_class.to_string(), "2026-11-25"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            move_to(f.subgroup.to_string(), "2026-11-25"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            move_to(f.class_5b.to_string(), "2026-09-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            move_to(f.class_5b.to_string(), "2026-13-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            move_to(f.class_5b.to_string(), "2031-01-01"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            move_to("x".into(), "2026-11-25"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        assert_problem(
            post(&app, &admin, &format!("{card}/transfer"), body.clone()).await,
            status,
        )
        .await;
    }
    assert!(history(&app, f.ivan).await.is_empty());

    // Two streams Иван is in: one of 5А alone (he leaves it with 5А), one of 5А and 5Б (he
    // stays).
    let streams = format!("/api/v1/schools/{}/structure/groups", f.school);
    let mut stream_ids = Vec::new();
    for (name, classes) in [
        ("5А мат. поток", vec![f.class_5a.to_string()]),
        (
            "5 мат. поток",
            vec![f.class_5a.to_string(), f.class_5b.to_string()],
        ),
    ] {
        let res = post(
            &app,
            &admin,
            &streams,
            json!({"kind": "stream", "name": name, "subject_id": f.math.to_string(),
                "class_ids": classes}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = post(
            &app,
            &admin,
            &format!("{streams}/{id}/pupils"),
            json!({"student_ids": [f.ivan.to_string()], "starts_on": "2026-11-23"}),
        )
        .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        stream_ids.push(id);
    }

    // 5Б from Wednesday 25 November.
    let res = post(
        &app,
        &admin,
        &format!("{card}/transfer"),
        move_to(f.class_5b.to_string(), "2026-11-25"),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::NO_CONTENT,
        "{}",
        res.text().await.unwrap()
    );
    let ivan = app.get_json(&card, &admin).await;
    let dates = |name: &str| {
        ivan["memberships"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| (m["starts_on"].clone(), m["ends_on"].clone()))
            .unwrap()
    };
    assert_eq!(dates("5Б"), (json!("2026-11-25"), Value::Null));
    assert_eq!(dates("5А"), (json!("2026-09-01"), json!("2026-11-24")));
    // The old class's subgroup ends with it; the new class's are left to the administrator.
    assert_eq!(
        dates("5А англ. 1"),
        (json!("2026-09-01"), json!("2026-11-24"))
    );
    assert_eq!(
        dates("5А мат. поток"),
        (json!("2026-11-23"), json!("2026-11-24"))
    );
    assert_eq!(dates("5 мат. поток"), (json!("2026-11-23"), Value::Null));
    let log = history(&app, f.ivan).await;
    assert_eq!(log[0].0, "pupil.transfer");
    assert_eq!(log[0].1["class"]["name"], "5А");
    assert_eq!(log[0].2["class"]["name"], "5Б");
    assert_eq!(log[0].2["from"], "2026-11-25");

    // 5А's journal keeps him until Tuesday with his mark; he cannot be marked there from the day.
    let grid = |group: String| format!("/api/v1/journal?group={group}&subject={}", f.math);
    let old = app.get_json(&grid(f.class_5a.to_string()), &teacher).await;
    let row = old["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == f.ivan.to_string())
        .unwrap()
        .clone();
    assert_eq!(row["to"], "2026-11-24");
    assert_eq!(row["marks"], 1);
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": f.ivan.to_string(), "lesson_id": wednesday, "value": "5"}),
    )
    .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    // 5Б's journal has him from Wednesday.
    let english = app.token("english").await;
    let new = app.get_json(&grid(f.class_5b.to_string()), &english).await;
    let row = new["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == f.ivan.to_string())
        .unwrap()
        .clone();
    assert_eq!(row["from"], "2026-11-25");
    // His parent still reads the mark of 5А.
    let parent = app.token("parent").await;
    let marks = app
        .get_json(&format!("/api/v1/students/{}/marks", f.ivan), &parent)
        .await;
    let values: Vec<&str> = marks["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["marks"].as_array().unwrap())
        .filter_map(|m| m["value"].as_str())
        .collect();
    assert_eq!(values, ["4"], "{marks}");
    // Moving again from a day before the last move is refused.
    assert_problem(
        post(
            &app,
            &admin,
            &format!("{card}/transfer"),
            move_to(f.class_5a.to_string(), "2026-11-25"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    audit_holds(&app).await;
}

both_backends!(a_pupil_leaves_with_the_order_and_arrives_again);
async fn a_pupil_leaves_with_the_order_and_arrives_again(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let card = person(&app, f.oleg);
    let leaving = |number: &str, order_date: &str| json!({"last_day": "2026-11-27", "to": "МБОУ СОШ № 7 г. Тест", "order_number": number, "order_date": order_date});
    for body in [
        leaving("", "2026-11-27"),
        leaving("15-у", "2026-12-27"),
        leaving("15-у", "вчера"),
        json!({"last_day": "2026-11-27", "to": "", "order_number": "1", "order_date": "2026-11-27"}),
        json!({"last_day": "2020-01-01", "to": "x", "order_number": "1", "order_date": "2026-11-27"}),
    ] {
        assert_problem(
            post(&app, &admin, &format!("{card}/leaving"), body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    assert!(history(&app, f.oleg).await.is_empty());

    let res = post(
        &app,
        &admin,
        &format!("{card}/leaving"),
        leaving("15-у", "2026-11-27"),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::NO_CONTENT,
        "{}",
        res.text().await.unwrap()
    );
    let oleg = app.get_json(&card, &admin).await;
    assert_eq!(oleg["pupil"]["left_on"], "2026-11-27");
    assert_eq!(oleg["pupil"]["left_to"], "МБОУ СОШ № 7 г. Тест");
    assert_eq!(oleg["pupil"]["leaving_order_number"], "15-у");
    assert_eq!(oleg["pupil"]["leaving_order_date"], "2026-11-27");
    assert!(
        oleg["memberships"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["ends_on"] == "2026-11-27" && m["current"] == false),
        "{oleg}"
    );
    let found = app
        .get_json(&format!("{}?q=сидоров&kind=pupil", people(&app)), &admin)
        .await;
    assert_eq!(found["people"][0]["left_on"], "2026-11-27");
    assert!(found["people"][0]["class"].is_null());
    assert_problem(
        post(
            &app,
            &admin,
            &format!("{card}/leaving"),
            leaving("16-у", "2026-11-27"),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(history(&app, f.oleg).await[0].0, "pupil.leave");

    // He comes back in December, to 5Б, through the card's form.
    let b = app.browser("admin").await;
    let path = format!("/admin/{}/people/{}", f.school, f.oleg);
    let (_, page) = b.parsed(&path).await;
    assert_eq!(page.text("#left-on"), "27.11.2026");
    let class_5b = f.class_5b.to_string();
    let res = b
        .post_form(
            &format!("{path}/arrival"),
            &[
                ("on", "01.12.2026"),
                ("class_id", &class_5b),
                ("from", "МБОУ СОШ № 7 г. Тест"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = b.parsed(&format!("{path}?done=arrived")).await;
    assert!(page.has("#notice"));
    assert_eq!(page.text("#enrolled-on"), "01.12.2026");
    assert!(!page.has("#left-on"));
    let oleg = app.get_json(&card, &admin).await;
    assert_eq!(oleg["memberships"][0]["name"], "5Б");
    assert_eq!(oleg["memberships"][0]["starts_on"], "2026-12-01");
    assert_eq!(oleg["pupil"]["arrived_from"], "МБОУ СОШ № 7 г. Тест");
    assert!(oleg["pupil"]["left_on"].is_null());
    // Arriving again into a class while in one: 409, shown on the card.
    let res = b
        .post_form(
            &format!("{path}/arrival"),
            &[("on", "02.12.2026"), ("class_id", &class_5b), ("from", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let log = history(&app, f.oleg).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].0, "pupil.arrive");
    assert_eq!(log[0].2["class"]["name"], "5Б");
    audit_holds(&app).await;
}

both_backends!(a_pupil_new_to_the_school_arrives_into_a_class);
async fn a_pupil_new_to_the_school_arrives_into_a_class(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let pupil = |changes: Value| {
        let mut body = json!({"last_name": "Ёлкина", "first_name": "Алёна", "middle_name": "Игоревна",
            "birth_date": "2015-02-01", "snils": "112-233-445 95", "school_number": "2026-001",
            "on": "2026-11-30", "class_id": f.class_5a.to_string(), "from": "МБОУ «Школа № 2»"});
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let everyone = app.get_json(&people(&app), &admin).await["people"]
        .as_array()
        .unwrap()
        .len();
    for (changes, field) in [
        (json!({"birth_date": "2027-01-01"}), "birth_date"),
        (json!({"snils": "112-233-445 96"}), "snils"),
        (json!({"first_name": " "}), "first_name"),
        (json!({"middle_name": "", "sex": ""}), "sex"),
        (json!({"class_id": f.other_class.to_string()}), "class_id"),
        (json!({"class_id": f.subgroup.to_string()}), "class_id"),
        (json!({"on": "30.02.2026"}), "on"),
        (json!({"from": "x".repeat(201)}), "from"),
    ] {
        let p = assert_problem(
            post(&app, &admin, &people(&app), pupil(changes.clone())).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["errors"][field].is_string(), "{changes}: {p}");
    }
    let teacher = app.token("teacher").await;
    assert_problem(
        post(&app, &teacher, &people(&app), pupil(json!({}))).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.get_json(&people(&app), &admin).await["people"]
            .as_array()
            .unwrap()
            .len(),
        everyone
    );

    let res = post(&app, &admin, &people(&app), pupil(json!({}))).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let card = app.get_json(&person(&app, &id), &admin).await;
    assert_eq!(card["full_name"], "Ёлкина Алёна Игоревна");
    assert_eq!(card["sex"], "f", "the patronymic says it");
    assert_eq!(card["snils"], "11223344595");
    assert_eq!(card["pupil"]["school_number"], "2026-001");
    assert_eq!(card["pupil"]["enrolled_on"], "2026-11-30");
    assert_eq!(card["pupil"]["arrived_from"], "МБОУ «Школа № 2»");
    assert_eq!(card["memberships"][0]["name"], "5А");
    assert_eq!(card["memberships"][0]["starts_on"], "2026-11-30");
    assert_eq!(
        found(&app, &admin, "q=алена").await,
        ["Ёлкина Алёна Игоревна"]
    );
    let log = history(&app, &id).await;
    assert_eq!(log[0].0, "pupil.arrive");
    assert!(log[0].1.is_null());
    assert_eq!(log[0].2["class"]["name"], "5А");
    // Her number and СНИЛС are hers.
    for (changes, field) in [
        (json!({"snils": ""}), "school_number"),
        (json!({"school_number": ""}), "snils"),
    ] {
        let p = assert_problem(
            post(&app, &admin, &people(&app), pupil(changes)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["errors"][field].is_string(), "{p}");
    }

    // The page's form: refused with the reasons and the values kept, then accepted.
    let b = app.browser("admin").await;
    let path = format!("/admin/{}/people", f.school);
    let class = f.class_5b.to_string();
    let form = |first: &'static str| {
        vec![
            ("last_name", "Зайцев"),
            ("first_name", first),
            ("middle_name", "Олегович"),
            ("sex", ""),
            ("birth_date", "07.07.2015"),
            ("on", "30.11.2026"),
            ("class_id", class.as_str()),
        ]
    };
    let res = b.post_form(&path, &form("")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(page.has("[data-field=first_name]"));
    assert_eq!(
        page.attr("#new-pupil input[name=last_name]", "value")
            .as_deref(),
        Some("Зайцев")
    );
    let res = b.post_form(&path, &form("Пётр")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let (_, page) = b.parsed(&location).await;
    assert_eq!(page.text("#person-name"), "Зайцев Пётр Олегович");
    assert_eq!(page.select_rows("#memberships tbody tr")[0][0], "5Б");
    audit_holds(&app).await;
}

/// Imports a parents' list as CSV through the API.
async fn import_parents(app: &TestApp, token: &str, csv: &str) {
    let res = app
        .http
        .post(app.url(&format!(
            "/api/v1/schools/{}/import?list=parents&apply=true",
            app.f.school
        )))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

both_backends!(a_parent_typed_twice_is_merged_into_one_after_a_preview);
async fn a_parent_typed_twice_is_merged_into_one_after_a_preview(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    // Ольга Викторовна, Олег's mother, typed with a slip as Anna's.
    import_parents(
        &app,
        &admin,
        "Фамилия;Имя;Отчество;Кем приходится;Ученик\nСидорова;Олга;Викторовна;мать;Петрова Анна Сергеевна\n",
    )
    .await;
    let dup = app
        .get_json(&format!("{}?q=олга", people(&app)), &admin)
        .await["people"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let keep = f.refuser.to_string();
    let merge = format!("{}/merge", people(&app));

    // Refusals change nothing: a pupil with a parent, a person with themselves, two accounts,
    // two pupils with the same parent, someone of another school.
    let refused = [
        (
            json!({"keep": keep, "duplicate": f.ivan.to_string()}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"keep": keep, "duplicate": keep}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"keep": keep, "duplicate": f.parent.to_string()}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"keep": f.ivan.to_string(), "duplicate": f.anna.to_string()}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"keep": keep, "duplicate": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"keep": f.ivan.to_string(), "duplicate": f.other_pupil.to_string()}),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (body, status) in refused {
        let p = assert_problem(post(&app, &admin, &merge, body.clone()).await, status).await;
        if status == StatusCode::CONFLICT {
            assert!(
                p["detail"].as_str().unwrap().starts_with("cannot merge: "),
                "{p}"
            );
        }
    }
    let p = assert_problem(
        post(
            &app,
            &admin,
            &merge,
            json!({"keep": keep, "duplicate": f.parent.to_string()}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("both have an account"),
        "{p}"
    );
    let p = assert_problem(
        post(
            &app,
            &admin,
            &merge,
            json!({"keep": f.ivan.to_string(), "duplicate": f.anna.to_string()}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("same parent"), "{p}");
    assert_eq!(
        app.get(&person(&app, &dup), &admin).await.status(),
        StatusCode::OK
    );
    let teacher = app.token("teacher").await;
    assert_problem(
        post(
            &app,
            &teacher,
            &merge,
            json!({"keep": keep, "duplicate": dup}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The preview: what moves, and nothing stands in the way.
    let plan = app
        .get_json(&format!("{merge}?keep={keep}&duplicate={dup}"), &admin)
        .await;
    assert_eq!(plan["conflicts"], json!([]));
    assert_eq!(plan["duplicate"]["references"]["invitations.parent_id"], 1);
    assert_eq!(plan["keep"]["login"], "refuser");
    assert!(plan["keep"]["references"]["guardianships.parent_id"].as_i64() == Some(1));
    assert_eq!(
        app.get(&person(&app, &dup), &admin).await.status(),
        StatusCode::OK
    );

    // Through the page: from the card's link, the preview, then the confirmation.
    let b = app.browser("admin").await;
    let (status, page) = b
        .parsed(&format!("/admin/{}/people/merge?keep={keep}", f.school))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.attr("#preview input[name=keep]", "value").as_deref(),
        Some(keep.as_str())
    );
    assert!(!page.has("#plan"));
    let (status, page) = b
        .parsed(&format!(
            "/admin/{}/people/merge?keep=abc&duplicate={dup}",
            f.school
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.has("[data-field=keep_id]"));
    let (status, page) = b
        .parsed(&format!(
            "/admin/{}/people/merge?keep={keep}&duplicate={dup}",
            f.school
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.has("#confirm"));
    assert!(!page.has("#conflicts"));
    let res = b
        .post_form(
            &format!("/admin/{}/people/merge", f.school),
            &[("keep_id", &keep), ("duplicate_id", &dup)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/admin/{}/people/{keep}?done=merged", f.school).as_str()
    );
    assert_problem(
        app.get(&person(&app, &dup), &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let mother = app.get_json(&person(&app, &keep), &admin).await;
    let children: Vec<(String, bool)> = mother["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["person"]["full_name"].as_str().unwrap().to_owned(),
                c["linked"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        children,
        [
            ("Петрова Анна Сергеевна".to_owned(), false),
            ("Сидоров Олег Павлович".to_owned(), true)
        ]
    );
    assert!(found(&app, &admin, "q=олга").await.is_empty());
    let log = history(&app, &keep).await;
    assert_eq!(log[0].0, "person.merge");
    assert_eq!(log[0].1["removed"]["first_name"], "Олга");
    assert_eq!(log[0].1["kept"]["first_name"], "Ольга");
    assert_eq!(log[0].2["moved"]["invitations.parent_id"], 1);
    // The refused pages show why.
    let (status, page) = b
        .parsed(&format!(
            "/admin/{}/people/merge?keep={}&duplicate={}",
            f.school, f.ivan, f.anna
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.has("#conflicts li"));
    assert!(!page.has("#confirm"));
    let res = b
        .post_form(
            &format!("/admin/{}/people/merge", f.school),
            &[
                ("keep_id", &f.ivan.to_string()),
                ("duplicate_id", &f.anna.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    audit_holds(&app).await;
}

both_backends!(a_regional_administrator_creates_a_school_and_reads_no_pupil);
async fn a_regional_administrator_creates_a_school_and_reads_no_pupil(app: TestApp) {
    let f = &app.f;
    let url = app.db.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        tabel(
            &[
                "region",
                "admin",
                "add",
                "--db",
                &url,
                "--region",
                "Тестовая область",
                "--name",
                "Регионова Р. Р.",
                "regional",
            ],
            Some(&format!("{PASSWORD}\n")),
        )
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A school's administrator has no regional page.
    let admin = app.browser("admin").await;
    assert_eq!(admin.page("/region").await.0, StatusCode::NOT_FOUND);
    let (_, home) = admin.parsed("/").await;
    assert!(!home.attrs("a", "href").contains(&"/region".to_owned()));

    let b = app.browser("regional").await;
    let (status, home) = b.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.attrs("a", "href").contains(&"/region".to_owned()));
    let (status, page) = b.parsed("/region").await;
    assert_eq!(status, StatusCode::OK);
    let rows = page.select_rows(".schools tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    let action = page.attr("form.new-school", "action").unwrap();
    // A bad form is refused with its reasons; nothing is created.
    let res = b
        .post_form(
            &action,
            &[
                ("name", "МБОУ «Школа № 3»"),
                ("short_name", "Школа № 3"),
                ("municipality", "Городской округ Тест"),
                ("time_zone", "Mars/Olympus"),
                ("admin_login", "director3"),
                ("admin_name", "Директорова Д. Д."),
                ("admin_password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(page.has("[data-field=time_zone]"));
    assert!(page.has("[data-field=password]"));
    assert_eq!(page.select_rows(".schools tbody tr").len(), 2);
    // Created, with its first administrator.
    let res = b
        .post_form(
            &action,
            &[
                ("name", "МБОУ «Школа № 3»"),
                ("short_name", "Школа № 3"),
                ("municipality", "Городской округ Тест"),
                ("time_zone", "Europe/Moscow"),
                ("admin_login", "director3"),
                ("admin_name", "Директорова Д. Д."),
                ("admin_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = b.parsed("/region?done=created").await;
    assert!(page.has("#notice"));
    let rows = page.select_rows(".schools tbody tr");
    assert_eq!(rows.len(), 3);
    let new_school = rows[2][0].clone();
    let director = app.browser("director3").await;
    assert_eq!(
        director.page(&format!("/admin/{new_school}/users")).await.0,
        StatusCode::OK
    );
    // The school's creation is audited with the regional administrator as the actor.
    let mut c = app.db.db.acquire().await.unwrap();
    let records = tabel_store::audit::history_of(&mut c.conn(), "school", &new_school, 5)
        .await
        .unwrap();
    drop(c);
    assert_eq!(records[0].action, "school.create");
    assert!(records[0].actor_user_id.is_some());
    // Another region's form does not exist for them.
    let res = b
        .post_form(
            "/region/999/schools",
            &[
                ("name", "X"),
                ("short_name", "X"),
                ("municipality", "X"),
                ("time_zone", "Europe/Moscow"),
                ("admin_login", "director4"),
                ("admin_name", "X"),
                ("admin_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // No pupil's data, no school's inside.
    let token = app.token("regional").await;
    for path in [
        format!("/api/v1/students/{}", f.ivan),
        format!("/api/v1/schools/{}/people", f.school),
        format!("/api/v1/schools/{}/people/{}", f.school, f.ivan),
        format!("/api/v1/classes/{}/students", f.class_5a),
    ] {
        let status = app.get(&path, &token).await.status();
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{path}: {status}"
        );
    }
    for path in [
        format!("/admin/{}/people", f.school),
        format!("/school/{}", f.school),
    ] {
        assert_eq!(b.page(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    audit_holds(&app).await;
}

both_backends!(a_pupil_typed_twice_into_one_class_is_merged_into_one_membership);
async fn a_pupil_typed_twice_into_one_class_is_merged_into_one_membership(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    // Иван typed again, in his own class from 1 October.
    let res = post(
        &app,
        &admin,
        &people(&app),
        json!({"last_name": "Иванов", "first_name": "Иван", "birth_date": "2015-03-03",
            "sex": "m", "on": "2026-10-01", "class_id": f.class_5a.to_string()}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let dup = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let merge = format!("/api/v1/schools/{}/people/merge", f.school);
    let plan = app
        .get_json(&format!("{merge}?keep={}&duplicate={dup}", f.ivan), &admin)
        .await;
    assert_eq!(plan["conflicts"], json!([]), "{plan}");
    let res = post(
        &app,
        &admin,
        &merge,
        json!({"keep": f.ivan.to_string(), "duplicate": dup}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let card = app.get_json(&person(&app, f.ivan), &admin).await;
    let in_5a: Vec<&Value> = card["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["name"] == "5А")
        .collect();
    assert_eq!(in_5a.len(), 1, "{card}");
    assert_eq!(in_5a[0]["starts_on"], "2026-09-01");
    assert_eq!(
        app.get(&person(&app, &dup), &admin).await.status(),
        StatusCode::NOT_FOUND
    );
}
