//! Closing a period for a class (what is missing is listed and audited; the other class stays
//! open), closing the year (the archive's files, their checksums and the PDFs read back), the
//! frozen year's refusals and the administrator's correction, and who may do none of it.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tabel_reports::poppler::poppler;

/// The audit's newest records about an entity: (action, after, reason).
async fn audit_of(app: &TestApp, entity: &str, entity_id: &str) -> Vec<(String, Value, String)> {
    let mut pooled = app.db.db.acquire().await.unwrap();
    tabel_store::audit::history_of(&mut pooled.conn(), entity, entity_id, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.action,
                r.after_json
                    .map(|a| serde_json::from_str(&a).unwrap())
                    .unwrap_or(Value::Null),
                r.reason.unwrap_or_default(),
            )
        })
        .collect()
}

/// The second quarter's id (the fixture's today, 28.11.2026, falls in it).
async fn second_quarter(app: &TestApp, token: &str) -> String {
    let grid = app
        .get_json(
            &format!(
                "/api/v1/journal?group={}&subject={}",
                app.f.class_5a, app.f.math
            ),
            token,
        )
        .await;
    grid["period"]["id"].as_str().unwrap().to_owned()
}

/// 5Б's mathematics lesson on Tuesday 24.11.2026 (the `english` teacher's).
async fn tuesday_5b(app: &TestApp, token: &str) -> String {
    let all = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-24&to=2026-11-24",
                app.f.class_5b
            ),
            token,
        )
        .await;
    all.as_array()
        .unwrap()
        .iter()
        .find(|l| l["subject_id"] == app.f.math.to_string())
        .map(id)
        .unwrap()
}

fn mark(student: tabel_domain::PersonId, lesson: &str, value: &str) -> Value {
    json!({"student_id": student.to_string(), "lesson_id": lesson, "value": value})
}

both_backends!(a_period_closed_for_5a_lists_what_is_missing_and_leaves_5b_open);
async fn a_period_closed_for_5a_lists_what_is_missing_and_leaves_5b_open(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    let english = app.token("english").await;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let monday = id(&week[0]);
    let period = second_quarter(&app, &teacher).await;
    let scope_5a = format!("class:{}", f.class_5a);
    // Monday has a topic; Wednesday does not.
    let res = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{monday}"),
        json!({"version": 0, "topic": "Сложение дробей"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let closing = format!("/api/v1/periods/{period}/closing?scope={scope_5a}");
    let v = app.get_json(&closing, &deputy).await;
    assert_eq!(v["scope"], scope_5a.as_str());
    let missing = v["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{v}");
    assert_eq!(missing[0]["class"], "5А");
    let finals: Vec<(String, String)> = missing[0]["finals_missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["student"].as_str().unwrap().to_owned(),
                m["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        finals.contains(&("Петров Иван".into(), "Математика".into())),
        "{finals:?}"
    );
    assert!(
        finals.contains(&("Сидоров Олег".into(), "Математика".into())),
        "{finals:?}"
    );
    let topics: Vec<&str> = missing[0]["lessons_without_topic"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["date"].as_str().unwrap())
        .collect();
    assert!(topics.contains(&"2026-11-25"), "{topics:?}");
    assert!(!topics.contains(&"2026-11-23"), "{topics:?}");
    // 5Б is not in 5А's list.
    assert!(!v.to_string().contains("Петрова Анна"), "{v}");

    // Nobody but the administration reads or closes it.
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        assert_problem(app.get(&closing, &token).await, status).await;
        let res = post(
            &app,
            &token,
            &format!("/api/v1/periods/{period}/close?scope={scope_5a}"),
            json!({}),
        )
        .await;
        assert_problem(res, status).await;
    }
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/periods/{period}/close?scope=class:nonsense"),
        json!({}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // The deputy closes it for 5А anyway; the list goes into the audit entry.
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/periods/{period}/close?scope={scope_5a}"),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let audit = audit_of(&app, "period", &period).await;
    let (action, after, _) = &audit[0];
    assert_eq!(action, "period.close");
    assert_eq!(after["scope"], scope_5a.as_str());
    assert_eq!(after["classes"], json!(["5А"]));
    let listed = after["missing"][0]["finals"].as_array().unwrap();
    assert!(
        listed.contains(&json!("Петров Иван: Математика")),
        "{after}"
    );
    assert!(
        after["missing"][0]["lessons_without_topic"]
            .as_array()
            .is_some_and(|l| !l.is_empty()),
        "{after}"
    );

    // 5А is closed, 5Б open, the period is not closed for the whole school.
    let v = app
        .get_json(&format!("/api/v1/periods/{period}/closing"), &deputy)
        .await;
    assert_eq!(v["closed"], false);
    let state = |name: &str| {
        v["classes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["class"] == name)
            .unwrap()["closed_at"]
            .clone()
    };
    assert!(state("5А").is_string(), "{v}");
    assert!(state("5Б").is_null(), "{v}");
    // A plain write in 5А is refused; in 5Б it goes through; 5А's grid is closed, 5Б's open.
    let res = post(&app, &teacher, "/api/v1/marks", mark(f.ivan, &monday, "5")).await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("period is closed"),
        "{problem}"
    );
    let tuesday = tuesday_5b(&app, &deputy).await;
    let res = post(&app, &english, "/api/v1/marks", mark(f.anna, &tuesday, "4")).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let grid = app
        .get_json(
            &format!("/api/v1/journal?group={}&subject={}", f.class_5a, f.math),
            &teacher,
        )
        .await;
    assert_eq!(grid["may_write"], false);
    let grid = app
        .get_json(
            &format!("/api/v1/journal?group={}&subject={}", f.class_5b, f.math),
            &english,
        )
        .await;
    assert_eq!(grid["may_write"], true);
    // The subgroup of 5А is closed with its class: its English lessons take no marks.
    let grid = app
        .get_json(
            &format!(
                "/api/v1/journal?group={}&subject={}",
                f.subgroup, f.english_subject
            ),
            &english,
        )
        .await;
    assert_eq!(grid["may_write"], false, "{grid}");

    // The page shows the same: 5А's missing pupils and the classes' locks.
    let browser = app.browser("zavuch").await;
    let (status, page) = browser
        .parsed(&format!("/periods/{period}/closing?scope={scope_5a}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let finals = page.texts("#missing .missing-finals li");
    assert!(
        finals.contains(&"Петров Иван — Математика".to_owned()),
        "{finals:?}"
    );
    let rows = page.select_rows("#classes tr");
    assert!(
        rows.iter()
            .any(|r| r[0] == "5А" && r[1].starts_with("закрыт")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r[0] == "5Б" && r[1] == "открыт"),
        "{rows:?}"
    );
    assert!(page.has("#reopen-button"));

    // Reopened for 5А from the page, the teacher writes again.
    let res = browser
        .post_form(
            &format!("/periods/{period}/closing"),
            &[("scope", &scope_5a), ("action", "reopen")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post(&app, &teacher, "/api/v1/marks", mark(f.ivan, &monday, "5")).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(
        audit_of(&app, "period", &period).await[0].0,
        "period.reopen"
    );
}

both_backends!(
    closing_for_the_parallel_closes_the_whole_period_and_reopening_a_class_keeps_the_other
);
async fn closing_for_the_parallel_closes_the_whole_period_and_reopening_a_class_keeps_the_other(
    app: TestApp,
) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let english = app.token("english").await;
    let period = second_quarter(&app, &deputy).await;
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/periods/{period}/close?scope=grade:5"),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Every class of the period's parallels is closed: the period is closed for the school.
    let v = app
        .get_json(&format!("/api/v1/periods/{period}/closing"), &deputy)
        .await;
    assert_eq!(v["closed"], true, "{v}");
    // Reopening 5А leaves 5Б closed.
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/periods/{period}/reopen?scope=class:{}", f.class_5a),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let tuesday = tuesday_5b(&app, &deputy).await;
    let res = post(&app, &english, "/api/v1/marks", mark(f.anna, &tuesday, "4")).await;
    assert_problem(res, StatusCode::CONFLICT).await;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let teacher = app.token("teacher").await;
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        mark(f.ivan, &id(&week[0]), "5"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v = app
        .get_json(&format!("/api/v1/periods/{period}/closing"), &deputy)
        .await;
    assert_eq!(v["closed"], false, "{v}");
}

/// The downloaded bytes of an archive file, checked against its size and SHA-256.
async fn download(app: &TestApp, token: &str, file: &Value) -> Vec<u8> {
    let res = app.get(file["href"].as_str().unwrap(), token).await;
    assert_eq!(res.status(), StatusCode::OK, "{file}");
    let bytes = res.bytes().await.unwrap().to_vec();
    assert_eq!(
        i64::try_from(bytes.len()).unwrap(),
        file["size_bytes"].as_i64().unwrap()
    );
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        file["sha256"],
        "{file}"
    );
    bytes
}

both_backends!(closing_the_year_archives_it_once_and_freezes_it);
async fn closing_the_year_archives_it_once_and_freezes_it(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    let admin = app.token("admin").await;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let monday = id(&week[0]);
    let res = post(&app, &teacher, "/api/v1/marks", mark(f.ivan, &monday, "5")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let year = f.year.to_string();
    let close = format!("/api/v1/years/{year}/close");

    // Only the administration closes it.
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("english", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        let res = post(&app, &token, &close, json!({"anyway": true})).await;
        assert_problem(res, status).await;
    }
    // Open periods are named, and nothing is closed.
    let res = post(&app, &deputy, &close, json!({})).await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("5А"),
        "{problem}"
    );
    let state = app
        .get_json(&format!("/api/v1/years/{year}/closing"), &deputy)
        .await;
    assert!(state["closed_at"].is_null());
    assert_eq!(state["may_close"], true);
    assert!(state["files"].as_array().unwrap().is_empty());

    // Anyway: the archive is built and the year frozen.
    let res = post(&app, &deputy, &close, json!({"anyway": true})).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = post(&app, &deputy, &close, json!({"anyway": true})).await;
    assert_problem(res, StatusCode::CONFLICT).await;

    let archive = app
        .get_json(&format!("/api/v1/years/{year}/archive"), &admin)
        .await;
    assert!(archive["closed_at"].is_string(), "{archive}");
    let files = archive["files"].as_array().unwrap().clone();
    let named = |name: &str| {
        files
            .iter()
            .find(|x| x["file_name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {archive}"))
            .clone()
    };
    let kinds: Vec<&str> = files.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    for kind in ["journal", "summary", "statistics", "export", "manifest"] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }
    // Every file downloads with its size and checksum; the manifest lists them all.
    let mut contents = std::collections::HashMap::new();
    for x in &files {
        contents.insert(
            x["file_name"].as_str().unwrap().to_owned(),
            download(&app, &admin, x).await,
        );
    }
    let manifest: Value = serde_json::from_slice(&contents["manifest.json"]).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), files.len() - 1);
    for l in listed {
        let bytes = &contents[l["file"].as_str().unwrap()];
        assert_eq!(l["sha256"], hex::encode(Sha256::digest(bytes)));
    }
    // The export holds 5А's journal with Иван's mark.
    let export_file = files.iter().find(|x| x["kind"] == "export").unwrap();
    let export: Value =
        serde_json::from_slice(&contents[export_file["file_name"].as_str().unwrap()]).unwrap();
    let class_5a = export["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == "5А")
        .unwrap();
    let math = class_5a["journals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["subject"] == "Математика" && j["group"] == "5А")
        .unwrap();
    assert!(
        math["marks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["student_id"] == f.ivan.to_string() && m["value"] == "5"),
        "{math}"
    );
    // The PDFs read back: 5А's summary sheet and journal name its pupils and subjects, 5Б's
    // do not name 5А's pupils; the school's statistics have a line per class.
    let summary = named("5А/Сводная_ведомость_5А.pdf");
    let stats = named("Статистика_2026-2027.pdf");
    assert!(stats["class_id"].is_null(), "{stats}");
    let journal = files
        .iter()
        .find(|x| {
            x["kind"] == "journal"
                && x["class_id"] == f.class_5a.to_string()
                && x["file_name"].as_str().unwrap().contains("Математика")
        })
        .unwrap_or_else(|| panic!("no 5А mathematics journal in {archive}"));
    let summary_5b = named("5Б/Сводная_ведомость_5Б.pdf");
    if let Some(pp) = poppler() {
        let text = |x: &Value, tag: &str| {
            let t = pp
                .text(&contents[x["file_name"].as_str().unwrap()], tag)
                .unwrap();
            t.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        let s = text(&summary, "it-year-summary-5a");
        for needle in ["Петров Иван", "Сидоров Олег", "Математика", "5А"]
        {
            assert!(s.contains(needle), "{needle:?} not in the summary: {s}");
        }
        let j = text(journal, "it-year-journal-5a");
        for needle in ["Петров Иван", "Сидоров Олег", "Математика"] {
            assert!(j.contains(needle), "{needle:?} not in the journal: {j}");
        }
        let st = text(&stats, "it-year-stats-5a");
        for needle in ["Статистика", "5А", "5Б", "2026/2027", "Математика"] {
            assert!(
                st.contains(needle),
                "{needle:?} not in the statistics: {st}"
            );
        }
        let s5b = text(&summary_5b, "it-year-summary-5b");
        assert!(s5b.contains("Петрова Анна"), "{s5b}");
        assert!(!s5b.contains("Петров Иван"), "{s5b}");
    } else {
        tabel_reports::poppler::skip("the archive's PDFs");
    }

    // The class teacher of 5А reads 5А's files only; other staff and families nothing.
    let own = app
        .get_json(&format!("/api/v1/years/{year}/archive"), &teacher)
        .await;
    let own = own["files"].as_array().unwrap();
    assert!(!own.is_empty());
    assert!(
        own.iter().all(|x| x["class_id"] == f.class_5a.to_string()),
        "{own:?}"
    );
    download(&app, &teacher, &summary).await;
    let res = app
        .get(summary_5b["href"].as_str().unwrap(), &teacher)
        .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    for (login, status) in [
        ("english", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        let res = app
            .get(&format!("/api/v1/years/{year}/archive"), &token)
            .await;
        assert_problem(res, status).await;
        let res = app.get(summary["href"].as_str().unwrap(), &token).await;
        assert_problem(res, status).await;
    }

    // The frozen year: a plain write is refused, so is reopening a period; the
    // administrator's correction with a reason is taken and audited.
    let res = post(&app, &teacher, "/api/v1/marks", mark(f.oleg, &monday, "4")).await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("school year is closed"),
        "{problem}"
    );
    let res = put(
        &app,
        &teacher,
        &format!("/api/v1/lessons/{monday}"),
        json!({"version": 0, "topic": "Поздно"}),
    )
    .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    let period = second_quarter(&app, &deputy).await;
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/periods/{period}/reopen"),
        json!({}),
    )
    .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    let res = post(&app, &admin, "/api/v1/marks", mark(f.oleg, &monday, "4")).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let mut correction = mark(f.oleg, &monday, "4");
    correction["reason"] = json!("исправление после закрытия года");
    let res = post(&app, &admin, "/api/v1/marks", correction).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let history = app
        .get_json(
            &format!("/api/v1/cells/history?lesson={monday}&student={}", f.oleg),
            &admin,
        )
        .await;
    assert_eq!(history[0]["reason"], "исправление после закрытия года");
    // The year's closing is audited with the manifest's files.
    let audit = audit_of(&app, "academic_year", &year).await;
    let (action, after, _) = &audit[0];
    assert_eq!(action, "year.close");
    assert_eq!(after["anyway"], true);
    assert_eq!(
        after["files"].as_array().unwrap().len(),
        files.len() - 1,
        "{after}"
    );
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

both_backends!(the_archive_page_lists_the_closed_year_and_its_files_with_checksums);
async fn the_archive_page_lists_the_closed_year_and_its_files_with_checksums(app: TestApp) {
    let deputy = timetable(&app).await;
    let f = &app.f;
    let browser = app.browser("zavuch").await;
    let year_page = format!("/archive/years/{}", f.year);
    let (status, page) = browser.parsed(&year_page).await;
    assert_eq!(status, StatusCode::OK);
    // Both quarters are open: the box «anyway» is offered.
    assert!(page.has("#anyway"));
    assert!(page.text("#periods").contains("5А"));
    let res = browser
        .post_form(&format!("{year_page}/close"), &[("anyway", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, list) = browser.parsed("/archive").await;
    let rows = list.select_rows("#years tr");
    assert!(
        rows.iter()
            .any(|r| r[0] == "2026/2027" && r[1].starts_with("закрыт")),
        "{rows:?}"
    );
    let (_, page) = browser.parsed(&year_page).await;
    assert!(!page.has("#close-year-form"));
    let api = app
        .get_json(&format!("/api/v1/years/{}/archive", f.year), &deputy)
        .await;
    let files = api["files"].as_array().unwrap();
    let shown = page.texts("#files .sha256");
    assert_eq!(shown.len(), files.len());
    for x in files {
        assert!(shown.contains(&x["sha256"].as_str().unwrap().to_owned()));
    }
    let hrefs = page.attrs("#files a.download", "href");
    assert_eq!(hrefs.len(), files.len());
    let res = browser.get(&hrefs[0]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let first = &files[0];
    assert_eq!(hex::encode(Sha256::digest(&bytes)), first["sha256"]);
    // A teacher who keeps no class is turned away from the page.
    let (status, _) = app.browser("english").await.parsed("/archive").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
