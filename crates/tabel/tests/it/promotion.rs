//! The year's end and the next year (issue 18, point 5), on both backends: the next year built
//! from the previous one as a draft (classes carried up, curriculum and assignments drafted)
//! that families see nothing of until the deputy head confirms it; promotion orders with a
//! conditional promotion whose debt stays open in the new year, a repeater kept in the same
//! grade, a 9th-grade graduate, and an amendment; issued orders immutable (409); the printed
//! order; the refusals; and the deputy head's page in a real headless Chromium.

use crate::browser::Driver;
use crate::support::{TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel::{Application, Config};
use tabel_reports::poppler::poppler;
use time::macros::date;

/// Another server on the same database whose "today" is `today` (sessions are shared).
async fn server_on(app: &TestApp, today: time::Date) -> String {
    let mut config = Config::for_tests(&app.db.url);
    config.today = Some(today);
    let server = Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until(std::future::pending()));
    base
}

async fn get_at(app: &TestApp, base: &str, path: &str, token: &str) -> Value {
    let res = app
        .http
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn created(res: reqwest::Response) -> String {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    v["id"].as_str().unwrap().to_owned()
}

async fn status_of(res: reqwest::Response) -> StatusCode {
    let status = res.status();
    let _ = res.text().await;
    status
}

fn school_path(app: &TestApp, rest: &str) -> String {
    format!("/api/v1/schools/{}/{rest}", app.f.school)
}

/// 9А of this year with a new pupil, Волков Пётр: (class, pupil).
async fn ninth_grade(app: &TestApp, admin: &str) -> (String, String) {
    let class = created(
        post(
            app,
            admin,
            &school_path(app, "structure/classes"),
            json!({"grade": 9, "letter": "А", "period_kind": "quarter"}),
        )
        .await,
    )
    .await;
    let pupil = created(
        post(
            app,
            admin,
            &school_path(app, "people"),
            json!({"last_name": "Волков", "first_name": "Пётр", "middle_name": "Ильич",
                "birth_date": "2011-03-14", "on": "2026-09-01", "class_id": class}),
        )
        .await,
    )
    .await;
    (class, pupil)
}

/// A failing year mark in mathematics for Иван: an academic debt.
async fn ivan_owes_mathematics(app: &TestApp) {
    let teacher = app.token("teacher").await;
    let res = put(
        app,
        &teacher,
        &format!(
            "/api/v1/finals?group={}&subject={}&period=year",
            app.f.class_5a, app.f.math
        ),
        json!({"rows": [{"student_id": app.f.ivan.to_string(), "value": "2", "reason": "не освоил программу"}]}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

fn class_named<'a>(draft: &'a Value, name: &str) -> &'a Value {
    draft["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no class {name} in {draft}"))
}

fn line_of<'a>(order: &'a Value, student: &str) -> &'a Value {
    order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["student_id"] == student)
        .unwrap_or_else(|| panic!("no line of {student} in {order}"))
}

/// The new year's class named so, through the structure API.
async fn new_class_id(app: &TestApp, token: &str, year: &str, name: &str) -> String {
    let classes = app
        .get_json(
            &school_path(app, &format!("structure/classes?year_id={year}")),
            token,
        )
        .await;
    let list = classes["classes"].as_array().cloned().unwrap_or_else(|| {
        classes
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("classes: {classes}"))
    });
    list.iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no class {name}: {classes}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_backends!(the_next_year_is_drafted_from_this_one_and_families_see_it_only_when_confirmed);
async fn the_next_year_is_drafted_from_this_one_and_families_see_it_only_when_confirmed(
    app: TestApp,
) {
    let f = &app.f;
    let zavuch = app.token("zavuch").await;
    let admin = app.token("admin").await;
    ninth_grade(&app, &admin).await;
    created(
        post(
            &app,
            &zavuch,
            &school_path(&app, "structure/curriculum"),
            json!({"grade": 5, "subject_id": f.math.to_string(), "hours_per_week_tenths": 50}),
        )
        .await,
    )
    .await;
    app.standard_bells(&zavuch).await;
    let build = school_path(&app, &format!("structure/years/{}/next-year", f.year));

    // Refusals first: nothing is built.
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("student", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        let got = status_of(post(&app, &token, &build, json!({})).await).await;
        assert_eq!(got, status, "{login}");
    }
    let years = app
        .get_json(&school_path(&app, "structure/years"), &zavuch)
        .await;
    assert_eq!(years.as_array().unwrap().len(), 1, "{years}");

    let next = created(post(&app, &zavuch, &build, json!({})).await).await;
    assert_problem(
        post(&app, &zavuch, &build, json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let draft = app
        .get_json(
            &school_path(&app, &format!("structure/years/{next}/draft")),
            &zavuch,
        )
        .await;
    assert_eq!(draft["label"], "2027/2028");
    assert_eq!(draft["draft"], true);
    assert_eq!(draft["built_from"], f.year.to_string());
    // Classes carried up a grade with their letter: 5А → 6А, 5Б → 6Б, 9А → 10А.
    assert_eq!(class_named(&draft, "6А")["from"], "5А");
    assert_eq!(class_named(&draft, "6Б")["from"], "5Б");
    assert_eq!(class_named(&draft, "10А")["from"], "9А");
    assert_eq!(draft["classes"].as_array().unwrap().len(), 3, "{draft}");
    // The 5th parallel's curriculum stays the 5th's; the carried classes' teachers follow them.
    let curriculum = draft["curriculum"].as_array().unwrap();
    assert_eq!(curriculum.len(), 1, "{draft}");
    assert_eq!(curriculum[0]["grade"], 5);
    assert_eq!(curriculum[0]["hours_per_week_tenths"], 50);
    let assignments: Vec<(String, String, String)> = draft["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["class"].as_str().unwrap().to_owned(),
                a["subject"].as_str().unwrap().to_owned(),
                a["teacher"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        assignments.contains(&("6А".into(), "Математика".into(), "Смирнова Е. В.".into())),
        "{assignments:?}"
    );
    assert!(
        assignments.contains(&("6Б".into(), "Математика".into(), "Кузнецова О. И.".into())),
        "{assignments:?}"
    );
    // The new year's periods and federal holidays are there; the bells were copied.
    let years = app
        .get_json(&school_path(&app, "structure/years"), &zavuch)
        .await;
    let new_year = years
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["id"] == next.as_str())
        .unwrap();
    assert_eq!(new_year["starts_on"], "2027-09-01");
    assert!(
        new_year["periods"].as_array().unwrap().len() >= 4,
        "{new_year}"
    );

    // The order for 5А, issued while the next year is a draft: nobody is placed yet.
    let order = created(
        post(
            &app,
            &zavuch,
            &school_path(&app, "promotion-orders"),
            json!({"class_id": f.class_5a.to_string()}),
        )
        .await,
    )
    .await;
    let path = school_path(&app, &format!("promotion-orders/{order}"));
    let view = app.get_json(&path, &zavuch).await;
    let res = put(
        &app,
        &zavuch,
        &path,
        json!({"version": view["order"]["version"], "number": "41-о", "order_date": "2026-11-27"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let version = app.get_json(&path, &zavuch).await["order"]["version"].clone();
    assert_eq!(
        status_of(
            post(
                &app,
                &zavuch,
                &format!("{path}/issue"),
                json!({"version": version})
            )
            .await
        )
        .await,
        StatusCode::NO_CONTENT
    );
    let view = app.get_json(&path, &zavuch).await;
    let ivan = line_of(&view, &f.ivan.to_string());
    assert_eq!(ivan["outcome"], "promoted");
    assert_eq!(ivan["to_class"], "6А");
    assert_eq!(ivan["placed"], false);

    // In the new year's first week the family sees nothing of the draft year.
    let september = server_on(&app, date!(2027 - 09 - 06)).await;
    let parent = app.token("parent").await;
    let teachers_path = format!("/api/v1/students/{}/teachers", f.ivan);
    let seen = get_at(&app, &september, &teachers_path, &parent).await;
    assert!(seen["pupil"]["class"].is_null(), "{seen}");
    assert_eq!(seen["teachers"], json!([]), "{seen}");
    assert!(seen["class_teacher"].is_null(), "{seen}");
    let draft = app
        .get_json(
            &school_path(&app, &format!("structure/years/{next}/draft")),
            &zavuch,
        )
        .await;
    assert_eq!(draft["waiting"], 2, "{draft}");

    // Confirmed (not by a teacher), the year takes effect: Иван is in 6А with its teachers.
    let confirm = school_path(&app, &format!("structure/years/{next}/confirm"));
    let teacher = app.token("teacher").await;
    assert_problem(
        post(&app, &teacher, &confirm, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        status_of(post(&app, &zavuch, &confirm, json!({})).await).await,
        StatusCode::NO_CONTENT
    );
    assert_problem(
        post(&app, &zavuch, &confirm, json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let seen = get_at(&app, &september, &teachers_path, &parent).await;
    assert_eq!(seen["pupil"]["class"], "6А", "{seen}");
    assert_eq!(seen["class_teacher"], "Смирнова Е. В.", "{seen}");
    assert!(
        seen["teachers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["subject"] == "Математика" && t["group"] == "6А"),
        "{seen}"
    );
    // And in the old year nothing moved: today Иван is still in 5А.
    let today = app.get_json(&teachers_path, &parent).await;
    assert_eq!(today["pupil"]["class"], "5А");
}

both_backends!(an_order_promotes_conditionally_keeps_a_repeater_and_graduates_the_ninth);
async fn an_order_promotes_conditionally_keeps_a_repeater_and_graduates_the_ninth(app: TestApp) {
    let f = &app.f;
    let (ivan, oleg) = (f.ivan.to_string(), f.oleg.to_string());
    let zavuch = app.token("zavuch").await;
    let admin = app.token("admin").await;
    let (_ninth, volkov) = ninth_grade(&app, &admin).await;
    ivan_owes_mathematics(&app).await;
    let next = created(
        post(
            &app,
            &zavuch,
            &school_path(&app, &format!("structure/years/{}/next-year", f.year)),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        status_of(
            post(
                &app,
                &zavuch,
                &school_path(&app, &format!("structure/years/{next}/confirm")),
                json!({})
            )
            .await
        )
        .await,
        StatusCode::NO_CONTENT
    );
    let orders = school_path(&app, "promotion-orders");

    // Who may start an order: not a teacher, nor a parent; another school is told nothing.
    let start = json!({"class_id": f.class_5a.to_string()});
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        let got = status_of(post(&app, &token, &orders, start.clone()).await).await;
        assert_eq!(got, status, "{login}");
    }
    let order = created(post(&app, &zavuch, &orders, start).await).await;
    let path = school_path(&app, &format!("promotion-orders/{order}"));
    let view = app.get_json(&path, &zavuch).await;
    assert_eq!(view["order"]["state"], "draft");
    // Proposed from the debts: Иван owes mathematics, Олег owes nothing.
    let line = line_of(&view, &ivan);
    assert_eq!(line["proposed"], "conditional");
    assert_eq!(line["debts"][0]["subject"], "Математика");
    assert_eq!(line["debts"][0]["deadline"], "2027-11-28");
    assert_eq!(line_of(&view, &oleg)["proposed"], "promoted");
    let version = view["order"]["version"].as_i64().unwrap();

    // Outcomes that do not fit are refused, naming the line; nothing changes.
    for (who, outcome) in [(&oleg, "conditional"), (&ivan, "graduated")] {
        let problem = assert_problem(
            put(
                &app,
                &zavuch,
                &path,
                json!({"version": version, "lines": [{"student_id": who, "outcome": outcome}]}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"]["lines[0]"].is_string(), "{problem}");
    }
    // Others may not edit or issue it.
    for login in ["teacher", "parent"] {
        let token = app.token(login).await;
        assert_problem(
            put(
                &app,
                &token,
                &path,
                json!({"version": version, "number": "1"}),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            post(
                &app,
                &token,
                &format!("{path}/issue"),
                json!({"version": version}),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let other = app.token("admin2").await;
    assert_problem(
        post(
            &app,
            &other,
            &format!("{path}/issue"),
            json!({"version": version}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Without a number and a date it is not issued.
    let problem = assert_problem(
        post(
            &app,
            &zavuch,
            &format!("{path}/issue"),
            json!({"version": version}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["number"].is_string(), "{problem}");

    let res = put(
        &app,
        &zavuch,
        &path,
        json!({"version": version, "number": "42-о", "order_date": "2026-11-28",
            "lines": [{"student_id": oleg, "outcome": "repeat"}]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let version = res.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap();
    // The repeater needs a 5th class next year: there is none yet (nothing is written) …
    let problem = assert_problem(
        post(
            &app,
            &zavuch,
            &format!("{path}/issue"),
            json!({"version": version}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"]["lines[1]"]
            .as_str()
            .unwrap()
            .contains("grade 5"),
        "{problem}"
    );
    assert_eq!(
        app.get_json(&path, &zavuch).await["order"]["state"],
        "draft"
    );
    // … so the deputy adds 5А to the new year and issues the order.
    created(
        post(
            &app,
            &zavuch,
            &school_path(&app, &format!("structure/classes?year_id={next}")),
            json!({"grade": 5, "letter": "А"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        status_of(
            post(
                &app,
                &zavuch,
                &format!("{path}/issue"),
                json!({"version": version})
            )
            .await
        )
        .await,
        StatusCode::NO_CONTENT
    );
    let view = app.get_json(&path, &zavuch).await;
    assert_eq!(view["order"]["state"], "issued");
    assert_eq!(line_of(&view, &ivan)["to_class"], "6А");
    assert_eq!(line_of(&view, &ivan)["placed"], true);
    assert_eq!(line_of(&view, &oleg)["to_class"], "5А");
    // Issued: immutable.
    let version = view["order"]["version"].as_i64().unwrap();
    assert_problem(
        put(
            &app,
            &zavuch,
            &path,
            json!({"version": version, "number": "43-о"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        post(
            &app,
            &zavuch,
            &format!("{path}/issue"),
            json!({"version": version}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        app.http
            .delete(app.url(&path))
            .bearer_auth(&zavuch)
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    // A second order for the same pupils finds nobody left to decide on.
    assert_problem(
        post(
            &app,
            &zavuch,
            &orders,
            json!({"class_id": f.class_5a.to_string()}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    // The 9th grade graduates: Волков leaves at the year's end.
    let ninth = created(post(&app, &zavuch, &orders, json!({"grade": 9})).await).await;
    let ninth_path = school_path(&app, &format!("promotion-orders/{ninth}"));
    let view = app.get_json(&ninth_path, &zavuch).await;
    assert_eq!(line_of(&view, &volkov)["proposed"], "graduated");
    let res = put(
        &app,
        &zavuch,
        &ninth_path,
        json!({"version": view["order"]["version"], "number": "44-о", "order_date": "2026-11-28"}),
    )
    .await;
    let version = res.json::<Value>().await.unwrap()["version"].clone();
    assert_eq!(
        status_of(
            post(
                &app,
                &zavuch,
                &format!("{ninth_path}/issue"),
                json!({"version": version})
            )
            .await
        )
        .await,
        StatusCode::NO_CONTENT
    );
    let person = app
        .get_json(&school_path(&app, &format!("people/{volkov}")), &admin)
        .await;
    assert!(
        person.to_string().contains("2027-05-31"),
        "the leaving is recorded at the year's end: {person}"
    );

    // The new year's first week: Иван in 6А with his debt still open and its deadline; Олег
    // in 5А again; Волков in no class.
    let september = server_on(&app, date!(2027 - 09 - 06)).await;
    let parent = app.token("parent").await;
    let seen = get_at(
        &app,
        &september,
        &format!("/api/v1/students/{ivan}/teachers"),
        &parent,
    )
    .await;
    assert_eq!(seen["pupil"]["class"], "6А");
    let debts = get_at(
        &app,
        &september,
        &format!("/api/v1/students/{ivan}/debts"),
        &parent,
    )
    .await;
    assert_eq!(debts["debts"][0]["stage"], "open", "{debts}");
    assert_eq!(debts["debts"][0]["deadline"], "2027-11-28", "{debts}");
    let desk = get_at(&app, &september, "/api/v1/deferrals", &zavuch).await;
    assert!(
        desk.to_string().contains("Петров Иван"),
        "the deputy's desk lists the debt in the new year: {desk}"
    );
    let new_5a = new_class_id(&app, &zavuch, &next, "5А").await;
    let members = get_at(
        &app,
        &september,
        &format!("/api/v1/classes/{new_5a}/students"),
        &zavuch,
    )
    .await;
    assert!(members.to_string().contains(&oleg), "{members}");
    let new_10a = new_class_id(&app, &zavuch, &next, "10А").await;
    let members = get_at(
        &app,
        &september,
        &format!("/api/v1/classes/{new_10a}/students"),
        &zavuch,
    )
    .await;
    assert!(!members.to_string().contains(&volkov), "{members}");

    // The printed order: its number, the outcomes and the debt.
    let res = app.get(&format!("{path}/pdf"), &zavuch).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(pp) = poppler() {
        let text = pp.text(&pdf, "promotion-order").unwrap();
        for want in [
            "ПРИКАЗ",
            "42-о",
            "условно",
            "Петров Иван Сергеевич",
            "Математика до 28.11.2027",
            "Оставить на повторное обучение",
            "Сидоров Олег Павлович",
        ] {
            assert!(text.contains(want), "{want:?} in {text}");
        }
    }
    assert_eq!(
        app.get(&format!("{path}/pdf"), &app.token("teacher").await)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // A correction is a new order that amends the issued one: Олег is promoted after all.
    let amend = created(post(&app, &zavuch, &format!("{path}/amend"), json!({})).await).await;
    assert_problem(
        post(&app, &zavuch, &format!("{path}/amend"), json!({})).await,
        StatusCode::CONFLICT,
    )
    .await
    .to_string();
    let amend_path = school_path(&app, &format!("promotion-orders/{amend}"));
    let view = app.get_json(&amend_path, &zavuch).await;
    assert_eq!(view["order"]["amends"], order.as_str());
    let res = put(
        &app,
        &zavuch,
        &amend_path,
        json!({"version": view["order"]["version"], "number": "45-о", "order_date": "2026-11-28",
            "lines": [{"student_id": oleg, "outcome": "promoted"}]}),
    )
    .await;
    let version = res.json::<Value>().await.unwrap()["version"].clone();
    assert_eq!(
        status_of(
            post(
                &app,
                &zavuch,
                &format!("{amend_path}/issue"),
                json!({"version": version})
            )
            .await
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get_json(&path, &zavuch).await["order"]["amended_by"],
        amend.as_str()
    );
    let members = get_at(
        &app,
        &september,
        &format!("/api/v1/classes/{new_5a}/students"),
        &zavuch,
    )
    .await;
    assert!(!members.to_string().contains(&oleg), "{members}");
    let seen = get_at(
        &app,
        &september,
        &format!("/api/v1/students/{ivan}/teachers"),
        &app.token("parent").await,
    )
    .await;
    assert_eq!(seen["pupil"]["class"], "6А", "Иван stays where he was");
}

both_backends!(
    the_deputy_marks_a_conditional_promotion_and_a_repeater_and_issues_the_order_in_a_browser
);
async fn the_deputy_marks_a_conditional_promotion_and_a_repeater_and_issues_the_order_in_a_browser(
    app: TestApp,
) {
    let f = &app.f;
    let zavuch = app.token("zavuch").await;
    let next = created(
        post(
            &app,
            &zavuch,
            &school_path(&app, &format!("structure/years/{}/next-year", f.year)),
            json!({}),
        )
        .await,
    )
    .await;
    created(
        post(
            &app,
            &zavuch,
            &school_path(&app, &format!("structure/classes?year_id={next}")),
            json!({"grade": 5, "letter": "А"}),
        )
        .await,
    )
    .await;
    // The order is drafted before Иван's debt arises: the page shows the debt, the line still
    // says promoted until the deputy changes it.
    let order = created(
        post(
            &app,
            &zavuch,
            &school_path(&app, "promotion-orders"),
            json!({"class_id": f.class_5a.to_string()}),
        )
        .await,
    )
    .await;
    ivan_owes_mathematics(&app).await;
    let Some(d) = Driver::start().await else {
        return;
    };
    d.sign_in(&app, "zavuch").await;
    d.go(&app.url(&format!("/admin/{}/promotion", f.school)))
        .await;
    d.click("#orders a").await;
    let ivan_row = format!("#pupil-{}", f.ivan);
    assert!(
        d.text(&format!("{ivan_row} .debts"))
            .await
            .contains("Математика"),
        "the open debt is listed"
    );
    assert_eq!(d.text(&format!("{ivan_row} .proposed")).await, "Переведён");
    // The outcomes are chosen with the keyboard: typing into a select picks the option.
    d.type_into(&format!("#outcome-{}", f.ivan), "Переведён условно")
        .await;
    d.type_into(&format!("#outcome-{}", f.oleg), "Оставлен")
        .await;
    let chosen = d
        .script(&format!(
            "return [document.querySelector('#outcome-{}').value, document.querySelector('#outcome-{}').value];",
            f.ivan, f.oleg
        ))
        .await;
    assert_eq!(chosen, json!(["conditional", "repeat"]));
    d.type_into("#order-number", "46-о").await;
    d.script("document.querySelector('#order-date').value = '2026-11-28';")
        .await;
    d.click("#order-issue").await;
    assert_eq!(d.text("#notice").await, "Приказ издан.");
    assert_eq!(d.text("#order-state").await, "издан");
    assert_eq!(
        d.text(&format!("{ivan_row} .result")).await,
        "Переведён условно → 6А"
    );
    assert_eq!(
        d.text(&format!("#pupil-{} .result", f.oleg)).await,
        "Оставлен на повторное обучение → 5А"
    );
    assert!(d.text("#order-heading").await.contains("46-о"));
    d.quit().await;
    let view = app
        .get_json(
            &school_path(&app, &format!("promotion-orders/{order}")),
            &zavuch,
        )
        .await;
    assert_eq!(view["order"]["state"], "issued");
    assert_eq!(
        line_of(&view, &f.ivan.to_string())["outcome"],
        "conditional"
    );
    assert_eq!(line_of(&view, &f.oleg.to_string())["outcome"], "repeat");
}
