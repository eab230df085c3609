//! The personal file (личное дело) of a pupil who moves to another school: exported from one
//! deployment as JSON and as PDF (read back), confirmed by `/verify/{code}`, imported into a
//! second deployment (another database) whose record then reproduces the sender's entries field
//! by field; a tampered, foreign or oversized file is refused with nothing stored; who is
//! refused the export and the import.

use crate::journal::{id, lessons_5a, timetable};
use crate::record::history;
use crate::support::{TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tabel_reports::poppler::poppler;

/// Иван's record in the sending deployment: the earlier year in the other school (with a debt
/// and its retakes, a ВПР), this year's first quarter, a deferral, and this year's attendance
/// (ill twice, absent without a reason once, late once).
async fn sender(app: &TestApp) {
    history(app).await;
    let deputy = timetable(app).await;
    let week = lessons_5a(app, &deputy, "2026-11-16", "2026-11-27").await;
    let teacher = app.token("teacher").await;
    for (lesson, body) in [
        (&week[0], json!({"code": "ill"})),
        (&week[1], json!({"code": "ill"})),
        (&week[2], json!({"code": "unexcused"})),
        (&week[3], json!({"code": "late", "minutes_late": 5})),
    ] {
        let mut body = body;
        body["lesson_id"] = json!(id(lesson));
        body["student_id"] = json!(app.f.ivan.to_string());
        let res = post(app, &teacher, "/api/v1/attendance", body).await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
}

async fn export(app: &TestApp, token: &str, pdf: bool) -> reqwest::Response {
    let path = format!(
        "/api/v1/students/{}/personal-file{}",
        app.f.ivan,
        if pdf { ".pdf" } else { "" }
    );
    app.get(&path, token).await
}

async fn import(app: &TestApp, token: &str, student: &str, body: Vec<u8>) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/api/v1/students/{student}/personal-file")))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A record's entries with what names local rows taken out: ids, and the period's id in a
/// period mark's slot (the period itself stays, as kind and number).
fn portable(record: &Value) -> Vec<Value> {
    record
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut e = e.clone();
            let o = e.as_object_mut().unwrap();
            for k in ["school_id", "year_id", "subject_id", "source"] {
                o.remove(k);
            }
            if o["slot"].as_str().is_some_and(|s| s.starts_with('p')) {
                o.insert("slot".into(), json!("period"));
            }
            for detail in ["exam_result", "deferral", "debt"] {
                if let Some(d) = o.get_mut(detail).and_then(Value::as_object_mut) {
                    d.remove("id");
                }
            }
            e
        })
        .collect()
}

/// A count from the deployment's database.
async fn count(app: &TestApp, sql: &'static str) -> i64 {
    match &app.db.db {
        tabel_store::Db::Sqlite(p, _) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        tabel_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// How many files a deployment keeps as received.
async fn received_rows(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM received_personal_files").await
}

both_backends!(the_personal_file_carries_the_record_into_another_deployment);
async fn the_personal_file_carries_the_record_into_another_deployment(app: TestApp) {
    let from = &app;
    sender(from).await;
    let zavuch = from.token("zavuch").await;
    let record_path = |s: &tabel_domain::PersonId| format!("/api/v1/students/{s}/record");
    let sent = from.get_json(&record_path(&from.f.ivan), &zavuch).await;

    let res = export(from, &zavuch, false).await;
    assert_eq!(res.status(), StatusCode::OK);
    let code = res.headers()["x-personal-file-code"]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = res.bytes().await.unwrap().to_vec();
    let file: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(file["format"], "tabel.personal-file");
    assert_eq!(file["version"], 1);
    assert_eq!(file["code"], code.as_str());
    assert_eq!(file["school"]["name"], "МБОУ «Школа № 1»");
    assert_eq!(file["pupil"]["last_name"], "Петров");
    assert_eq!(file["pupil"]["first_name"], "Иван");
    assert_eq!(file["sha256"].as_str().unwrap().len(), 64);
    let years = file["years"].as_array().unwrap();
    let labels: Vec<&str> = years.iter().map(|y| y["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["2025/2026", "2026/2027"]);
    assert_eq!(years[0]["classes"][0]["school"], "Школа № 2");
    assert_eq!(
        years[1]["attendance"],
        json!({"missed": 3, "excused": 2, "late": 1}),
        "counted from this year's attendance"
    );
    let debt = &years[0]["debts"][0];
    assert_eq!(debt["subject"], "Математика");
    assert_eq!(debt["retakes"].as_array().unwrap().len(), 2);
    assert!(
        !String::from_utf8_lossy(&bytes).contains("\"id\""),
        "no local ids: {file}"
    );

    // The second deployment: another database, the same pupil enrolled there.
    let to = TestApp::start(app.backend).await;
    let admin = to.token("admin").await;
    let ivan = to.f.ivan.to_string();
    let res = import(&to, &admin, &ivan, bytes.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["code"], code.as_str());
    assert_eq!(done["created"], true);
    // The same file again: kept once.
    let res = import(&to, &admin, &ivan, bytes.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["created"], false);
    assert_eq!(received_rows(&to).await, 1);
    assert_eq!(
        count(
            &to,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'personal_file.import'"
        )
        .await,
        1,
        "the import is audited once"
    );

    let to_zavuch = to.token("zavuch").await;
    let received = to.get_json(&record_path(&to.f.ivan), &to_zavuch).await;
    let imported: Vec<Value> = received
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["source"].is_null())
        .cloned()
        .collect();
    assert_eq!(
        imported.len(),
        received.as_array().unwrap().len(),
        "the pupil has nothing else here yet: {received}"
    );
    for e in &imported {
        assert_eq!(e["source"]["school"], "МБОУ «Школа № 1»");
        assert_eq!(e["source"]["code"], code.as_str());
        assert_eq!(e["school_id"], "");
        assert_eq!(e["subject_id"], "");
    }
    let (a, b) = (portable(&sent), portable(&Value::Array(imported)));
    assert_eq!(a.len(), b.len(), "{sent}\n{received}");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "field by field");
    }
    assert!(a.len() >= 8, "{sent}");

    // The receiving school's page marks the years with the sender and the code.
    let b = to.browser("admin").await;
    let (status, page) = b
        .parsed(&format!("/school/students/{}/record", to.f.ivan))
        .await;
    assert_eq!(status, StatusCode::OK);
    let heads = page.text("#level-primary-table thead");
    assert!(
        heads.contains("МБОУ «Школа № 1»") && heads.contains(&code),
        "{heads}"
    );
    assert!(page.text("#personal-file-received").contains(&code));
    assert!(page.has("#personal-file-import"));
    // The family sees the years too (what had been published to them).
    let parent = to.token("parent").await;
    let family = to.get_json(&record_path(&to.f.ivan), &parent).await;
    assert!(
        family
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["subject"] == "Русский язык" && e["slot"] == "year" && e["value"] == "5"),
        "{family}"
    );
}

both_backends!(the_pdf_carries_the_record_and_its_code_checks_out);
async fn the_pdf_carries_the_record_and_its_code_checks_out(app: TestApp) {
    let app = &app;
    sender(app).await;
    let zavuch = app.token("zavuch").await;
    let res = export(app, &zavuch, true).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let code = res.headers()["x-personal-file-code"]
        .to_str()
        .unwrap()
        .to_owned();
    let content = res.headers()["x-content-sha256"]
        .to_str()
        .unwrap()
        .to_owned();
    let pdf = res.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(pp) = poppler() {
        let text = pp
            .text(&pdf, &format!("it-personal-file-{}", app.backend.name()))
            .unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "ЛИЧНОЕ ДЕЛО",
            "Петров Иван",
            "2025/2026",
            "2026/2027",
            "Математика",
            "Окружающий мир",
            "4А класс, Школа № 2",
            "Пропущено уроков: 3, из них по уважительной причине: 2; опозданий: 1",
            "Академическая задолженность по предмету «Математика»",
            &code,
        ] {
            assert!(flat.contains(needle), "{needle:?} not in:\n{text}");
        }
    }

    // Anyone may check the code: the school, the initials, the hashes.
    let res = app
        .http
        .get(app.url(&format!("/api/v1/verify/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["school"], "МБОУ «Школа № 1»");
    assert_eq!(v["channel"], "personal_file");
    assert_eq!(v["pdf_sha256"], hex::encode(Sha256::digest(&pdf)).as_str());
    assert_eq!(v["content_sha256"], content.as_str());
    assert!(v["initials"].as_str().unwrap().starts_with("П. И."));
    let res = app
        .http
        .get(app.url(&format!("/verify/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = crate::support::Page::parse(&res.text().await.unwrap());
    assert!(page.has("#verify-found"));
    assert!(page.text("#verify-found").contains("личное дело"));

    // The issue is audited.
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'personal_file.issue'"
        )
        .await,
        1
    );
}

both_backends!(a_changed_foreign_or_oversized_file_is_refused_and_nothing_is_kept);
async fn a_changed_foreign_or_oversized_file_is_refused_and_nothing_is_kept(app: TestApp) {
    let app = &app;
    history(app).await;
    let zavuch = app.token("zavuch").await;
    let res = export(app, &zavuch, false).await;
    let bytes = res.bytes().await.unwrap().to_vec();
    let file: Value = serde_json::from_slice(&bytes).unwrap();
    let admin = app.token("admin").await;
    let ivan = app.f.ivan.to_string();

    // A mark changed after issue: the checksum no longer matches.
    let mut tampered = file.clone();
    tampered["years"][0]["subjects"][0]["marks"][0]["code"] = json!("2");
    let res = import(app, &admin, &ivan, serde_json::to_vec(&tampered).unwrap()).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p["errors"]["sha256"].is_string(), "{p}");

    // Another format, another version.
    let mut other = file.clone();
    other["format"] = json!("oneroster");
    let p = assert_problem(
        import(app, &admin, &ivan, serde_json::to_vec(&other).unwrap()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["format"].is_string(), "{p}");
    let mut newer = file.clone();
    newer["version"] = json!(2);
    let p = assert_problem(
        import(app, &admin, &ivan, serde_json::to_vec(&newer).unwrap()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["format"].is_string(), "{p}");
    let p = assert_problem(
        import(app, &admin, &ivan, b"not json".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["file"].is_string(), "{p}");

    // Over the size cap: refused before it is read as JSON.
    let mut big = serde_json::to_vec(&file).unwrap();
    big.resize(2 * 1024 * 1024 + 1, b' ');
    assert_problem(
        import(app, &admin, &ivan, big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;

    // A sound file about another pupil.
    let oleg = app.f.oleg.to_string();
    let p = assert_problem(
        import(app, &admin, &oleg, bytes.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["pupil"].is_string(), "{p}");

    assert_eq!(received_rows(app).await, 0, "nothing kept");
    let record = app
        .get_json(&format!("/api/v1/students/{oleg}/record"), &zavuch)
        .await;
    assert!(
        record
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["source"].is_null()),
        "{record}"
    );
}

both_backends!(only_the_schools_administration_issues_and_only_its_administrators_import);
async fn only_the_schools_administration_issues_and_only_its_administrators_import(app: TestApp) {
    let app = &app;
    history(app).await;
    let f = &app.f;
    let admin = app.token("admin").await;
    let res = export(app, &admin, false).await;
    assert_eq!(res.status(), StatusCode::OK, "an administrator issues it");
    let bytes = res.bytes().await.unwrap().to_vec();

    // The class teacher reads the record but does not issue the file; a parent, the pupil and
    // a teacher of another pupil are refused; another school's administrator is told nothing.
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("student", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        for pdf in [false, true] {
            assert_problem(export(app, &token, pdf).await, status).await;
        }
    }
    let teacher = app.token("teacher").await;
    assert_problem(
        app.get(
            &format!("/api/v1/students/{}/personal-file", f.anna),
            &teacher,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Importing: the deputy head and the parent are refused, another school's administrator
    // does not find the pupil, and the pupil of another school is not found for this one's.
    let ivan = f.ivan.to_string();
    for (login, student, status) in [
        ("zavuch", ivan.as_str(), StatusCode::FORBIDDEN),
        ("parent", ivan.as_str(), StatusCode::FORBIDDEN),
        ("teacher", ivan.as_str(), StatusCode::FORBIDDEN),
        ("admin2", ivan.as_str(), StatusCode::NOT_FOUND),
        ("admin", &f.other_pupil.to_string(), StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        assert_problem(import(app, &token, student, bytes.clone()).await, status).await;
    }
    assert_eq!(received_rows(app).await, 0);

    // The record page offers the buttons to whom they serve.
    let (_, page) = app
        .browser("zavuch")
        .await
        .parsed(&format!("/school/students/{}/record", f.ivan))
        .await;
    assert!(page.has("#personal-file-pdf") && page.has("#personal-file-json"));
    assert!(
        !page.has("#personal-file-import"),
        "deputy heads do not import"
    );
    let (_, page) = app
        .browser("teacher")
        .await
        .parsed(&format!("/school/students/{}/record", f.ivan))
        .await;
    assert!(!page.has("#personal-file"));
    // The page's button gives the PDF.
    let b = app.browser("zavuch").await;
    let res = b
        .post_form(
            &format!("/school/students/{}/personal-file", f.ivan),
            &[("format", "pdf")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
}
