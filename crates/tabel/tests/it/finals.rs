//! Final marks end to end: proposals from the journal, setting them (a reason where they differ),
//! the family seeing them at once, the lock of a closed period and an administrator's
//! correction, the summary sheet (JSON, XLSX, page), the forecast and the record.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{Backend, Page, TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Марки в текущей четверти: Иван 5 (контрольная), 5, 4; Олег 2 (одна отметка — мало).
async fn marks(app: &TestApp) -> (String, Vec<Value>) {
    let deputy = timetable(app).await;
    let week = lessons_5a(app, &deputy, "2026-11-23", "2026-11-27").await;
    let teacher = app.token("teacher").await;
    let f = &app.f;
    for (lesson, student, value, work) in [
        (&week[0], f.ivan, "5", "control"),
        (&week[1], f.ivan, "5", "answer"),
        (&week[2], f.ivan, "4", "answer"),
        (&week[0], f.oleg, "2", "answer"),
    ] {
        let res = post(
            app,
            &teacher,
            "/api/v1/marks",
            json!({"student_id": student.to_string(), "lesson_id": id(lesson), "value": value, "work_type": work}),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
    }
    (deputy, week)
}

fn finals_path(app: &TestApp) -> String {
    format!(
        "/api/v1/finals?group={}&subject={}",
        app.f.class_5a, app.f.math
    )
}

fn row<'a>(sheet: &'a Value, student: &str) -> &'a Value {
    sheet[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["student_id"] == student)
        .unwrap()
}

both_backends!(the_quarters_finals_reach_the_family_and_lock_with_the_period);
async fn the_quarters_finals_reach_the_family_and_lock_with_the_period(app: TestApp) {
    let app = &app;
    let (_, _) = marks(app).await;
    let f = &app.f;
    let (ivan, oleg) = (f.ivan.to_string(), f.oleg.to_string());
    let teacher = app.token("teacher").await;
    let sheet = app.get_json(&finals_path(app), &teacher).await;
    assert_eq!(sheet[0]["may_set"], true);
    // Иван: (5·5 + 5·2 + 4·2) / 9 = 4.78 → 5; Олег: one mark < the policy's 3 → н/а.
    assert_eq!(row(&sheet, &ivan)["average"], "4.78");
    assert_eq!(row(&sheet, &ivan)["proposal"]["shown"], "5");
    assert_eq!(row(&sheet, &oleg)["proposal"]["shown"], "н/а");
    assert_eq!(row(&sheet, &oleg)["proposal"]["basis"], "too_few_marks");
    let period = sheet[0]["period_id"].as_str().unwrap().to_owned();

    // Another value without a reason is refused, and nothing is written.
    let path = format!("{}&period={period}", finals_path(app));
    let problem = assert_problem(
        put(
            app,
            &teacher,
            &path,
            json!({"rows": [
                {"student_id": ivan, "value": "5"},
                {"student_id": oleg, "value": "2"},
            ]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["rows[1].reason"].is_string(), "{problem}");
    let problem = assert_problem(
        put(
            app,
            &teacher,
            &path,
            json!({"rows": [{"student_id": ivan, "value": "6"}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["rows[0].value"].is_string(), "{problem}");
    // A pupil named twice is refused (it would be written, audited and announced twice), and
    // so are more rows than the journal has pupils.
    let problem = assert_problem(
        put(
            app,
            &teacher,
            &path,
            json!({"rows": [
                {"student_id": ivan, "value": "5"},
                {"student_id": ivan, "value": "5", "version": 1},
            ]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"]["rows[1].student_id"].is_string(),
        "{problem}"
    );
    let many: Vec<Value> = (0..100)
        .map(|_| json!({"student_id": ivan, "value": "5"}))
        .collect();
    let problem = assert_problem(
        put(app, &teacher, &path, json!({ "rows": many })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["rows"].is_string(), "{problem}");
    let sheet = app.get_json(&finals_path(app), &teacher).await;
    assert!(row(&sheet, &ivan)["current"].is_null());

    let res = put(
        app,
        &teacher,
        &path,
        json!({"rows": [
            {"student_id": ivan, "value": "5"},
            {"student_id": oleg, "value": "2", "reason": "отвечал устно, письменных работ нет"},
        ]}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let written: Value = res.json().await.unwrap();
    assert_eq!(written.as_array().unwrap().len(), 2);
    assert!(written[0]["published_at"].is_string());

    // The family sees it at once; the refuser does not (no consent).
    let parent = app.token("parent").await;
    let finals = app
        .get_json(&format!("/api/v1/students/{ivan}/finals"), &parent)
        .await;
    assert_eq!(finals[0]["shown"], "5");
    assert_eq!(finals[0]["slot"], format!("p{period}"));
    let refuser = app.token("refuser").await;
    assert_problem(
        app.get(&format!("/api/v1/students/{oleg}/finals"), &refuser)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // A stale version is refused with the current value.
    let problem = assert_problem(
        put(
            app,
            &teacher,
            &path,
            json!({"rows": [{"student_id": ivan, "value": "4", "reason": "x", "version": 0}]}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(problem["current"]["value"], "5");

    // Another teacher may not set them; a parent may not either.
    let english = app.token("english").await;
    assert_problem(
        put(
            app,
            &english,
            &path,
            json!({"rows": [{"student_id": ivan, "value": "4", "reason": "x"}]}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        put(
            app,
            &parent,
            &path,
            json!({"rows": [{"student_id": ivan, "value": "4", "reason": "x"}]})
        )
        .await
        .status()
        .is_client_error()
    );

    // The deputy head closes the quarter: the teacher can no longer change them; the
    // administrator corrects with a reason.
    let zavuch = app.token("zavuch").await;
    let res = post(
        app,
        &zavuch,
        &format!("/api/v1/periods/{period}/close"),
        json!({}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    let version =
        row(&app.get_json(&finals_path(app), &teacher).await, &ivan)["current"]["version"]
            .as_i64()
            .unwrap();
    assert_problem(
        put(app, &teacher, &path, json!({"rows": [{"student_id": ivan, "value": "4", "reason": "пересчёт", "version": version}]})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let admin = app.token("admin").await;
    let res = put(
        app,
        &admin,
        &path,
        json!({"rows": [{"student_id": ivan, "value": "5", "reason": "", "version": version}]}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = put(app, &admin, &path, json!({"rows": [{"student_id": ivan, "value": "4", "reason": "ошибка при выставлении, приказ № 12", "version": version}]})).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    // The summary sheet repeats the final marks; its XLSX is a workbook.
    let summary = app
        .get_json(
            &format!("/api/v1/summary-sheet?class={}", f.class_5a),
            &zavuch,
        )
        .await;
    let slots = summary["slots"].as_array().unwrap();
    let col = slots
        .iter()
        .position(|s| *s == format!("p{period}"))
        .unwrap();
    let subject = summary["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["id"] == f.math.to_string())
        .unwrap();
    let line = summary["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == ivan)
        .unwrap();
    assert_eq!(line["cells"][subject][col], "4");
    let xlsx = app
        .get(
            &format!("/api/v1/summary-sheet?class={}&format=xlsx", f.class_5a),
            &zavuch,
        )
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    // Not for a teacher who is not the class teacher, nor for a parent.
    for login in ["english", "parent"] {
        let token = app.token(login).await;
        assert!(
            app.get(
                &format!("/api/v1/summary-sheet?class={}", f.class_5a),
                &token
            )
            .await
            .status()
            .is_client_error()
        );
    }
    // The record keeps it; the audit chain holds.
    let record = app
        .get_json(&format!("/api/v1/students/{ivan}/record"), &parent)
        .await;
    assert_eq!(record[0]["value"], "4");
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

both_backends!(the_forecast_says_where_a_pupil_stands_and_what_it_takes);
async fn the_forecast_says_where_a_pupil_stands_and_what_it_takes(app: TestApp) {
    marks(&app).await;
    let f = &app.f;
    let parent = app.token("parent").await;
    let forecast = app
        .get_json(&format!("/api/v1/students/{}/forecast", f.ivan), &parent)
        .await;
    let math = forecast["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject_id"] == f.math.to_string())
        .unwrap();
    assert_eq!(math["projected"], "5");
    assert_eq!(math["marks"], 3);
    assert!(math["lessons_left"].as_u64().unwrap() > 0);
    // Олег has one "2": too few marks, and what it takes to avoid a 2.
    let teacher = app.token("teacher").await;
    let oleg = app
        .get_json(&format!("/api/v1/students/{}/forecast", f.oleg), &teacher)
        .await;
    let math = oleg["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject_id"] == f.math.to_string())
        .unwrap();
    let risks: Vec<&str> = math["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(risks.contains(&"too_few_marks"), "{math}");
    assert_eq!(math["avoid_two"]["target"], 3, "{math}");
    // The diary's page shows it in words.
    let (status, html) = app
        .browser("parent")
        .await
        .parsed(&format!("/diary/{}/finals", f.ivan))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.texts("#forecast #forecast-list li strong")
            .contains(&"Математика".to_owned()),
        "{}",
        html.source()
    );
    // The refuser's child: refused with the reason.
    let refuser = app.token("refuser").await;
    assert_problem(
        app.get(&format!("/api/v1/students/{}/forecast", f.oleg), &refuser)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

both_backends!(the_teacher_confirms_the_proposals_on_the_page_and_the_summary_sheet_shows_them);
async fn the_teacher_confirms_the_proposals_on_the_page_and_the_summary_sheet_shows_them(
    app: TestApp,
) {
    marks(&app).await;
    let f = &app.f;
    let teacher = app.browser("teacher").await;
    let grid = format!("/journal/{}/{}", f.class_5a, f.math);
    let (_, html) = teacher.parsed(&grid).await;
    assert!(
        html.attr("a#finals-link", "href")
            .is_some_and(|h| h.starts_with(&format!("{grid}/finals"))),
        "{}",
        html.source()
    );
    let page = format!("{grid}/finals");
    let (status, html) = teacher.parsed(&page).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert!(
        html.text(&format!("#finals tr#row-{}", f.oleg))
            .contains("мало отметок"),
        "the basis is named: {}",
        html.source()
    );
    let (ivan, oleg) = (f.ivan.to_string(), f.oleg.to_string());
    // A different value without a reason: the page again, naming the pupil.
    let (v_ivan, v_oleg, r_oleg) = (
        format!("v_{ivan}"),
        format!("v_{oleg}"),
        format!("r_{oleg}"),
    );
    let res = teacher
        .post_form(&page, &[(&v_ivan, "5"), (&v_oleg, "2"), (&r_oleg, "")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Page::parse(&res.text().await.unwrap());
    assert!(
        html.texts("p.field-error[role=\"alert\"]")
            .iter()
            .any(|e| e.starts_with("Сидоров Олег:")),
        "{}",
        html.source()
    );
    let res = teacher
        .post_form(&page, &[(&v_ivan, "5"), (&v_oleg, "н/а"), (&r_oleg, "")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The class teacher's summary sheet shows them.
    let (status, html) = teacher
        .parsed(&format!("/school/classes/{}/summary", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    let row = |name: &str| {
        html.select_rows("#summary tbody tr")
            .into_iter()
            .find(|r| r[1].starts_with(name))
            .unwrap_or_else(|| panic!("{name}: {}", html.source()))
    };
    // After the number and the name, the marks.
    assert!(
        row("Петров Иван")[2..].contains(&"5".to_owned()),
        "{:?}",
        row("Петров Иван")
    );
    assert!(
        row("Сидоров Олег")[2..].contains(&"н/а".to_owned()),
        "{:?}",
        row("Сидоров Олег")
    );
    let (_, class) = teacher
        .parsed(&format!("/school/classes/{}", f.class_5a))
        .await;
    assert_eq!(
        class.attr("a#class-summary", "href"),
        Some(format!("/school/classes/{}/summary", f.class_5a))
    );
}

both_backends!(the_cli_lists_the_proposals_of_a_class_without_writing_them);
async fn the_cli_lists_the_proposals_of_a_class_without_writing_them(app: TestApp) {
    marks(&app).await;
    let school = app.f.school.to_string();
    let out = crate::cli::tabel(
        &[
            "finals",
            "propose",
            "--db",
            &app.db.url,
            "--school",
            &school,
            "--class",
            "5А",
            "--period",
            "2",
            "--today",
            "2026-11-28",
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let ivan = stdout
        .lines()
        .find(|l| l.contains("Петров Иван") && l.contains("Математика"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(ivan.ends_with("4.78\t5 (average)"), "{ivan}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("Сидоров Олег") && l.contains("н/а (too_few_marks)")),
        "{stdout}"
    );
    assert!(stderr.contains("nothing written"), "{stderr}");
    // Nothing was written.
    let teacher = app.token("teacher").await;
    let sheet = app.get_json(&finals_path(&app), &teacher).await;
    assert!(
        sheet[0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["current"].is_null())
    );
    // A class that does not exist is named.
    let out = crate::cli::tabel(
        &[
            "finals",
            "propose",
            "--db",
            &app.db.url,
            "--school",
            &school,
            "--class",
            "9Я",
            "--period",
            "2",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("9Я"));
}

both_backends!(the_class_teacher_sees_the_pupils_at_risk_with_what_it_takes);
async fn the_class_teacher_sees_the_pupils_at_risk_with_what_it_takes(app: TestApp) {
    marks(&app).await;
    let f = &app.f;
    let path = format!("/school/classes/{}/risks", f.class_5a);
    let teacher = app.browser("teacher").await;
    let (_, class) = teacher
        .parsed(&format!("/school/classes/{}", f.class_5a))
        .await;
    assert_eq!(class.attr("a#class-risks", "href").as_ref(), Some(&path));
    let (status, html) = teacher.parsed(&path).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    // Олег: one "2" — too few marks and heading for a 2, with what it takes to avoid it.
    let rows = html.select_rows("#risks tbody tr");
    let oleg = rows
        .iter()
        .find(|r| r[0].starts_with("Сидоров Олег") && r[1] == "Математика")
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert!(oleg[4].contains("мало отметок"), "{oleg:?}");
    assert!(oleg[5].contains("чтобы не было «2»"), "{oleg:?}");
    // Иван is doing well: not on the list for mathematics.
    assert!(
        !rows
            .iter()
            .any(|r| r[0].starts_with("Петров Иван") && r[1] == "Математика"),
        "{rows:?}"
    );
    // Another teacher is refused; a parent does not learn the class exists.
    let (status, _) = app.browser("english").await.page(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.browser("parent").await.page(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

both_backends!(the_school_wide_proposals_agree_with_each_journals_sheet(
    backend
));
/// The school-wide proposals (plain marks added up in the database, every class's roster in one
/// query) agree with each journal's own proposals: the demo's first-quarter finals were written
/// from the former, and each journal's sheet recomputes the latter.
async fn the_school_wide_proposals_agree_with_each_journals_sheet(backend: Backend) {
    let db = backend.db().await;
    let mut config = tabel::Config::for_tests(&db.url);
    config.demo = true;
    config.today = Some(time::macros::date!(2026 - 11 - 28));
    let server = tabel::Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until(std::future::pending()));
    let http = crate::support::client(false);
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "zavuch", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let get = |path: String| {
        let (http, token) = (http.clone(), token.clone());
        async move {
            let res = http.get(&path).bearer_auth(token).send().await.unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            body
        }
    };
    let classes = get(format!("{base}/api/v1/classes")).await;
    let classes: Vec<&Value> = classes
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["grade"].as_u64().unwrap() > 1)
        .collect();
    let mut compared = 0;
    for class in classes.iter().step_by(7) {
        // The class's first period, from a pupil's stored final marks.
        let pupils = get(format!(
            "{base}/api/v1/classes/{}/students",
            class["id"].as_str().unwrap()
        ))
        .await;
        let finals = get(format!(
            "{base}/api/v1/students/{}/finals",
            pupils[0]["id"].as_str().unwrap()
        ))
        .await;
        let Some(first) = finals
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["slot"].as_str()?.strip_prefix('p')?.parse::<i64>().ok())
            .min()
        else {
            continue;
        };
        let sheets = get(format!(
            "{base}/api/v1/finals?class={}&period={first}",
            class["id"].as_str().unwrap()
        ))
        .await;
        for sheet in sheets.as_array().unwrap() {
            for row in sheet["rows"].as_array().unwrap() {
                let Some(stored) = row["current"]["proposal"].as_str() else {
                    continue;
                };
                assert_eq!(
                    row["proposal"]["value"].as_str(),
                    Some(stored),
                    "{} {} {}: {row}",
                    class["name"],
                    sheet["subject"],
                    row["name"]
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "compared {compared}");
}

both_backends!(the_school_wide_proposals_count_the_lessons_of_pupils_who_came_and_left);
/// The school-wide proposals count lessons per group and ask the database only about pupils who
/// came or left within the period: they must agree with the journal's own sheet for a pupil
/// who left in the middle, one who left and came back, an absence and two lates.
async fn the_school_wide_proposals_count_the_lessons_of_pupils_who_came_and_left(app: TestApp) {
    use time::macros::date;
    let (deputy, week) = marks(&app).await;
    let teacher = app.token("teacher").await;
    let f = &app.f;
    for (lesson, student, code, late) in [
        (&week[0], f.oleg, "ill", None),
        (&week[1], f.ivan, "late", Some(30)),
        (&week[2], f.ivan, "late", Some(10)),
    ] {
        let res = post(
            &app,
            &teacher,
            "/api/v1/attendance",
            json!({"lesson_id": id(lesson), "student_id": student.to_string(), "code": code,
                "minutes_late": late}),
        )
        .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
    {
        let mut c = app.db.db.acquire().await.unwrap();
        let c = &mut c.conn();
        use tabel_store::school as repo;
        // Олег leaves after Tuesday; Иван is away for two days of the week before.
        repo::end_membership(c, f.class_5a, f.oleg, date!(2026 - 11 - 24))
            .await
            .unwrap();
        repo::end_membership(c, f.class_5a, f.ivan, date!(2026 - 11 - 17))
            .await
            .unwrap();
        repo::insert_membership(c, f.school, f.class_5a, f.ivan, date!(2026 - 11 - 20), None)
            .await
            .unwrap();
    }
    let sheet = app.get_json(&finals_path(&app), &deputy).await;
    let period = sheet[0]["period_id"].as_str().unwrap().to_owned();
    let school_app = tabel_app::App::new(
        app.db.db.clone(),
        tabel_app::AppConfig {
            today: Some(date!(2026 - 11 - 28)),
            ..tabel_app::AppConfig::default()
        },
    );
    let lines = school_app
        .school_proposals(
            &tabel_app::extracts::operator(f.school),
            f.school,
            tabel_domain::PeriodId::new(period.parse().unwrap()),
            None,
        )
        .await
        .unwrap();
    let line = |student: tabel_domain::PersonId| {
        lines
            .iter()
            .find(|l| l.student == student && l.subject == f.math)
            .unwrap_or_else(|| panic!("{student}: {lines:?}"))
    };
    let all_lessons = lessons_5a(&app, &deputy, "2026-11-01", "2026-11-28").await;
    let (ivan, oleg) = (line(f.ivan), line(f.oleg));
    assert!(oleg.lessons_held > 0 && ivan.lessons_held > oleg.lessons_held.min(1));
    assert_eq!(oleg.lessons_missed, 1, "ill once");
    assert_eq!(
        ivan.lessons_missed, 1,
        "late for 30 minutes of 45, not for 10"
    );
    for (student, l) in [(f.ivan, ivan), (f.oleg, oleg)] {
        let rows: Vec<&Value> = sheet[0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["student_id"] == student.to_string())
            .collect();
        assert!(!rows.is_empty(), "{student}: {sheet}");
        for r in rows {
            assert_eq!(r["lessons_held"], l.lessons_held, "{student}: {r} {l:?}");
            assert_eq!(r["lessons_missed"], l.lessons_missed, "{student}: {r}");
            assert_eq!(r["average"], l.average.to_string(), "{student}: {r}");
            assert_eq!(
                r["proposal"]["value"].as_str(),
                l.proposal.map(|p| p.value.code()).as_deref(),
                "{student}: {r}"
            );
        }
    }
    assert!(
        all_lessons.len() as u32 > ivan.lessons_held,
        "Иван was away"
    );
}
