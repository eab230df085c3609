//! Paper extracts and printed documents end to end: the print queue, issuing extracts for a
//! class and a pupil (read back with poppler: Cyrillic text, the marks, a page per pupil), the
//! registry with "handed to", the public verification page, the summary sheet, consent form and
//! archived journal as PDF, the refusals, and the command line.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{Page, TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tabel_reports::poppler::poppler;

/// Marks, an absence, a recommendation and homework in the week of 23.11.2026: Иван 5
/// (контрольная), 5, 4 and ill on Friday; Олег 2.
async fn journal(app: &TestApp) {
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
    let res = post(
        app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": id(&week[2]), "student_id": f.ivan.to_string(), "code": "ill"}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let res = post(
        app,
        &teacher,
        "/api/v1/recommendations",
        json!({"student_id": f.ivan.to_string(), "subject_id": f.math.to_string(),
            "body": "Повторить сложение дробей с разными знаменателями"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let res = app
        .http
        .put(app.url(&format!("/api/v1/lessons/{}", id(&week[1]))))
        .bearer_auth(&teacher)
        .json(
            &json!({"version": 0, "topic": "Сложение обыкновенных дробей",
            "homework": "№ 412, 415 письменно", "homework_due_on": "2026-11-27"}),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

async fn issue(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    post(app, token, "/api/v1/extracts", body).await
}

/// A PDF answer's bytes, after checking its type.
async fn pdf(res: reqwest::Response) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap().to_vec();
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(bytes.starts_with(b"%PDF-"));
    (headers, bytes)
}

fn header(h: &reqwest::header::HeaderMap, name: &str) -> String {
    h[name].to_str().unwrap().to_owned()
}

both_backends!(extracts_are_issued_registered_and_verified);
async fn extracts_are_issued_registered_and_verified(app: TestApp) {
    let (app, name) = (&app, app.backend.name());
    journal(app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    let class = f.class_5a.to_string();

    // The print queue: Олег's mother refused; Иван's mother consented but has no verified
    // contact to deliver to.
    let queue = app
        .get_json(&format!("/api/v1/classes/{class}/extract-queue"), &teacher)
        .await;
    let reason = |who: &str| {
        queue["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["student_id"] == who)
            .map(|l| l["reason"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        reason(&f.oleg.to_string()).as_deref(),
        Some("refused"),
        "{queue}"
    );
    assert_eq!(
        reason(&f.ivan.to_string()).as_deref(),
        Some("no_contact"),
        "{queue}"
    );

    // The whole class in one PDF, a page run per pupil.
    let (h, bytes) =
        pdf(issue(app, &teacher, json!({"class_id": class, "homework": true})).await).await;
    let codes: Vec<String> = header(&h, "x-extract-codes")
        .split(',')
        .map(str::to_owned)
        .collect();
    let pupils = app
        .get_json(&format!("/api/v1/classes/{class}/students"), &teacher)
        .await;
    let n = pupils.as_array().map_or(0, Vec::len);
    assert_eq!(codes.len(), n, "{pupils}");
    assert_eq!(
        header(&h, "x-content-sha256"),
        hex::encode(Sha256::digest(&bytes))
    );
    if let Some(pp) = poppler() {
        let text = pp.text(&bytes, &format!("it-extract-5a-{name}")).unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            "ВЫПИСКА",
            "Петров Иван",
            "Сидоров Олег",
            "Математика",
            "Контрольная работа",
            "по болезни — 1",
            "Повторить сложение дробей с разными знаменателями",
            "№ 412, 415 письменно",
            "Смирнова Е. В.",
            &codes[0],
            &codes[1],
        ] {
            assert!(flat.contains(needle), "{needle:?} not in:\n{text}");
        }
        // Иван's mathematics line: 5, 5, 4 and the weighted average (5·5+5·2+4·2)/9 = 4,78.
        let line = text
            .lines()
            .find(|l| l.contains("Математика") && l.contains("4,78"))
            .unwrap_or_else(|| panic!("no average 4,78:\n{text}"));
        let between = line
            .split("Математика")
            .nth(1)
            .unwrap()
            .split("4,78")
            .next()
            .unwrap();
        let marks: Vec<&str> = between.split_whitespace().collect();
        assert_eq!(marks, ["5", "5", "4"], "{line}");
        assert_eq!(
            pp.pages(&bytes, &format!("it-extract-5a-{name}")).unwrap(),
            u32::try_from(n).unwrap()
        );
        pp.first_page_png(&bytes, &format!("it-extract-5a-{name}"))
            .unwrap();
    }

    // Only the print queue.
    let (h, _) = pdf(issue(
        app,
        &teacher,
        json!({"class_id": class, "only_paper": true, "period_id": null}),
    )
    .await)
    .await;
    assert_eq!(
        header(&h, "x-extract-codes").split(',').count(),
        queue["lines"].as_array().unwrap().len()
    );

    // Bad input: a range ending before it starts is a 422 with the field; nothing recorded.
    let before = app
        .get_json(&format!("/api/v1/classes/{class}/extracts"), &teacher)
        .await;
    let problem = assert_problem(
        issue(
            app,
            &teacher,
            json!({"student_id": f.ivan.to_string(), "from": "2026-11-20", "to": "2026-11-10"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["to"].is_string(), "{problem}");
    assert_problem(
        issue(
            app,
            &teacher,
            json!({"student_id": f.ivan.to_string(), "from": "28.11.2026", "to": "2026-11-30"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        issue(app, &teacher, json!({"period_id": "1"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let after = app
        .get_json(&format!("/api/v1/classes/{class}/extracts"), &teacher)
        .await;
    assert_eq!(
        before.as_array().unwrap().len(),
        after.as_array().unwrap().len()
    );

    // The registry: every extract with its code and the PDF's hash; "handed to" is edited.
    let first = after
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == codes[0].as_str())
        .unwrap()
        .clone();
    assert_eq!(first["channel"], "paper");
    assert_eq!(first["pdf_sha256"], hex::encode(Sha256::digest(&bytes)));
    let res = app
        .http
        .put(app.url(&format!("/api/v1/extracts/{}/handed-to", codes[0])))
        .bearer_auth(&teacher)
        .json(&json!({"handed_to": "Петрова М. И. (мать), лично"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["handed_to"], "Петрова М. И. (мать), лично");
    assert!(e["handed_at"].is_string());

    // Verification, no login: issued, when, the school, the hash; initials, no marks.
    let v = app
        .http
        .get(app.url(&format!("/api/v1/verify/{}", codes[0].to_lowercase())))
        .send()
        .await
        .unwrap();
    assert_eq!(v.status(), StatusCode::OK);
    let v: Value = v.json().await.unwrap();
    assert_eq!(v["pdf_sha256"], hex::encode(Sha256::digest(&bytes)));
    assert!(v["school"].as_str().unwrap().contains("Школа"), "{v}");
    let page = app
        .http
        .get(app.url(&format!("/verify/{}", codes[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert_eq!(
        Page::parse(&html).text("#verify-found #verify-sha256"),
        hex::encode(Sha256::digest(&bytes)),
        "{html}"
    );
    assert!(
        !html.contains("Математика") && !html.contains("4,78"),
        "{html}"
    );
    let initials = v["initials"].as_str().unwrap();
    assert!(
        initials.ends_with('.') && initials.chars().count() <= 8,
        "{initials}"
    );
    assert!(
        !html.contains("Петров Иван") && !html.contains("Сидоров Олег"),
        "{html}"
    );
    let missing = app
        .http
        .get(app.url("/verify/0000-0000"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_problem(
        app.http
            .get(app.url("/api/v1/verify/not-a-code"))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;

    // Refusals: a teacher of another class, a parent of another child, a parent without the
    // diary consent, the pupil themself.
    let english = app.token("english").await;
    assert_problem(
        issue(app, &english, json!({"class_id": class})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        issue(app, &english, json!({"student_id": f.ivan.to_string()})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/classes/{class}/extract-queue"), &english)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let parent = app.token("parent").await;
    assert_problem(
        issue(app, &parent, json!({"student_id": f.oleg.to_string()})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        issue(app, &parent, json!({"class_id": class})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let refuser = app.token("refuser").await;
    let problem = assert_problem(
        issue(app, &refuser, json!({"student_id": f.oleg.to_string()})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
    let student = app.token("student").await;
    assert_problem(
        issue(app, &student, json!({"student_id": f.ivan.to_string()})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let admin2 = app.token("admin2").await;
    assert_problem(
        issue(app, &admin2, json!({"class_id": class})).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A parent with the consent downloads their child's extract: recorded as handed to them.
    let (h, own) = pdf(issue(app, &parent, json!({"student_id": f.ivan.to_string()})).await).await;
    let code = header(&h, "x-extract-codes");
    if let Some(pp) = poppler() {
        let text = pp.text(&own, &format!("it-extract-parent-{name}")).unwrap();
        assert!(
            text.contains("Петров Иван") && !text.contains("Сидоров Олег"),
            "{text}"
        );
    }
    let registry = app
        .get_json(&format!("/api/v1/classes/{class}/extracts"), &teacher)
        .await;
    let mine = registry
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == code.as_str())
        .unwrap();
    assert_eq!(mine["channel"], "download");
    assert!(
        mine["handed_to"].as_str().unwrap().starts_with("Петрова"),
        "{mine}"
    );

    // The other documents.
    let (_, sheet) = pdf(app
        .get(
            &format!("/api/v1/documents/summary-sheet?class={class}"),
            &teacher,
        )
        .await)
    .await;
    assert_problem(
        app.get(
            &format!("/api/v1/documents/summary-sheet?class={class}"),
            &english,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (_, form) = pdf(app
        .get(
            &format!(
                "/api/v1/documents/consent-form?parent={}&student={}",
                f.refuser, f.oleg
            ),
            &teacher,
        )
        .await)
    .await;
    let (_, journal) = pdf(app
        .get(
            &format!(
                "/api/v1/documents/journal?class={class}&group={class}&subject={}",
                f.math
            ),
            &teacher,
        )
        .await)
    .await;
    assert_problem(
        app.get(
            &format!(
                "/api/v1/documents/journal?class={class}&group={class}&subject={}",
                f.math
            ),
            &english,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    if let Some(pp) = poppler() {
        let text = pp.text(&sheet, &format!("it-summary-{name}")).unwrap();
        assert!(
            text.contains("СВОДНАЯ ВЕДОМОСТЬ") && text.contains("Петров Иван"),
            "{text}"
        );
        let text = pp.text(&form, &format!("it-consent-{name}")).unwrap();
        assert!(
            text.contains("СОГЛАСИЕ")
                && text.contains("Сидорова Ольга")
                && text.contains("Сидоров Олег"),
            "{text}"
        );
        let text = pp.text(&journal, &format!("it-journal-{name}")).unwrap();
        for needle in [
            "КЛАССНЫЙ ЖУРНАЛ",
            "Математика",
            "Сложение обыкновенных дробей",
            "Петров Иван",
            "Б",
        ] {
            assert!(text.contains(needle), "{needle:?} not in:\n{text}");
        }
        pp.first_page_png(&journal, &format!("it-journal-{name}"))
            .unwrap();
    }
}

both_backends!(the_class_teacher_prints_the_queue_from_the_pages);
async fn the_class_teacher_prints_the_queue_from_the_pages(app: TestApp) {
    journal(&app).await;
    let f = &app.f;
    let b = app.browser("teacher").await;
    let queue = format!("/extracts/classes/{}", f.class_5a);
    let (status, html) = b.parsed(&format!("/school/classes/{}", f.class_5a)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.attr("a#class-extracts", "href").as_ref(),
        Some(&queue),
        "class page links the queue"
    );
    let (status, html) = b.parsed(&format!("/consents/classes/{}", f.class_5a)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.attr("a#registry-extracts", "href").as_ref(),
        Some(&queue),
        "registry links the queue"
    );
    let (status, html) = b
        .parsed(&format!("/school/classes/{}/summary", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.attr("a#summary-pdf", "href"),
        Some(format!("/school/classes/{}/summary.pdf", f.class_5a)),
        "summary links its PDF"
    );

    let (status, html) = b.parsed(&queue).await;
    assert_eq!(status, StatusCode::OK);
    let queued = html.texts("#queue tbody tr");
    assert!(
        queued
            .iter()
            .any(|r| r.contains("Сидоров Олег") && r.contains("отказ или отзыв согласия")),
        "{queued:?}"
    );
    let res = b
        .post_form(
            &format!("/extracts/classes/{}/print", f.class_5a),
            &[("period", ""), ("scope", "paper")],
        )
        .await;
    let (h, _) = pdf(res).await;
    let code = header(&h, "x-extract-codes")
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    // The registry shows it; "handed to" from the page.
    let (_, html) = b.parsed(&queue).await;
    assert!(
        html.texts("#registry #issued tbody tr td:first-child code")
            .contains(&code),
        "{}",
        html.source()
    );
    let res = b
        .post_form(
            &format!("/extracts/{code}/handed-to"),
            &[("handed_to", "Сидорова О. (мать)")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.parsed(&queue).await;
    assert!(
        html.attrs(
            "#registry #issued form.handed input[name=\"handed_to\"]",
            "value"
        )
        .contains(&"Сидорова О. (мать)".to_owned()),
        "{}",
        html.source()
    );
    // Dates that end before they start: the error page, 422, nothing printed.
    let res = b
        .post_form(
            &format!("/extracts/students/{}", f.ivan),
            &[("from", "2026-11-20"), ("to", "2026-11-01")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A pupil's extract from the pupil's page, and the documents' PDFs.
    let (status, html) = b.page(&format!("/extracts/students/{}", f.ivan)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    pdf(b
        .post_form(&format!("/extracts/students/{}", f.ivan), &[("period", "")])
        .await)
    .await;
    pdf(b
        .get(&format!("/school/classes/{}/summary.pdf", f.class_5a))
        .await)
    .await;
    pdf(b
        .get(&format!(
            "/consents/form.pdf?parent={}&student={}",
            f.parent, f.ivan
        ))
        .await)
    .await;
    let (status, html) = b
        .parsed(&format!("/extracts/classes/{}/archive", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    let link = html
        .attrs("#archive-journals a", "href")
        .into_iter()
        .find(|h| h.contains("/journals/"))
        .unwrap();
    pdf(b.get(&link).await).await;
    // The verification form leads to the code's page, for anyone.
    let res = app
        .http
        .get(app.url(&format!(
            "/verify?code={}",
            code.to_lowercase().replace('-', "")
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/verify/{code}").as_str()
    );

    // A teacher of another class, a parent of another child: refused on the pages too.
    let other = app.browser("english").await;
    let (status, _) = other
        .page(&format!("/extracts/classes/{}", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let parent = app.browser("parent").await;
    let (status, _) = parent.page(&format!("/extracts/students/{}", f.oleg)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = parent.page(&format!("/extracts/students/{}", f.ivan)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, html) = parent.parsed(&format!("/diary/{}/marks", f.ivan)).await;
    assert_eq!(
        html.attr("#diary-extract a", "href"),
        Some(format!("/extracts/students/{}", f.ivan)),
        "the diary links the extract"
    );
    let refuser = app.browser("refuser").await;
    let res = refuser
        .post_form(&format!("/extracts/students/{}", f.oleg), &[("period", "")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

both_backends!(the_cli_prints_a_class_a_pupil_and_the_year_archive);
async fn the_cli_prints_a_class_a_pupil_and_the_year_archive(app: TestApp) {
    journal(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("5a.pdf");
    let school = app.f.school.to_string();
    let run = |args: &[&str]| {
        let out = crate::cli::tabel(args, None);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.success(), stdout, stderr)
    };
    let (ok, stdout, stderr) = run(&[
        "extracts",
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
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Verification codes:"), "{stdout}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let one = dir.path().join("ivan.pdf");
    let ivan = app.f.ivan.to_string();
    let (ok, _, stderr) = run(&[
        "extracts",
        "--db",
        &app.db.url,
        "--student",
        &ivan,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-28",
        "--homework",
        "--today",
        "2026-11-28",
        "-o",
        one.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    if let Some(pp) = poppler() {
        let text = pp
            .text(&std::fs::read(&one).unwrap(), "it-cli-student")
            .unwrap();
        assert!(
            text.contains("Петров Иван") && text.contains("01.11.2026") && text.contains("№ 412"),
            "{text}"
        );
        let class = pp.text(&bytes, "it-cli-class").unwrap();
        assert!(class.contains("Сидоров Олег"), "{class}");
    }
    // Printed from the console: in the registry, no user named.
    let teacher = app.token("teacher").await;
    let registry = app
        .get_json(
            &format!("/api/v1/classes/{}/extracts", app.f.class_5a),
            &teacher,
        )
        .await;
    assert!(
        registry
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["issued_by"].is_null()),
        "{registry}"
    );
    // A range backwards is refused with the flag's name; an unknown class is named.
    let (ok, _, stderr) = run(&[
        "extracts",
        "--db",
        &app.db.url,
        "--student",
        &ivan,
        "--from",
        "2026-11-28",
        "--to",
        "2026-11-01",
        "-o",
        one.to_str().unwrap(),
    ]);
    assert!(!ok && stderr.contains("--to"), "{stderr}");
    let (ok, _, stderr) = run(&[
        "extracts",
        "--db",
        &app.db.url,
        "--class",
        "9Я",
        "-o",
        one.to_str().unwrap(),
    ]);
    assert!(!ok && stderr.contains("9Я"), "{stderr}");

    // The archive: a folder per class with its journals and the summary sheet.
    let archive = dir.path().join("archive");
    let (ok, stdout, stderr) = run(&[
        "archive",
        "--db",
        &app.db.url,
        "--school",
        &school,
        "--year",
        "2026/2027",
        "--today",
        "2026-11-28",
        "-o",
        archive.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("5А"), "{stdout}");
    let class_dir = archive.join("5А");
    let files: Vec<String> = std::fs::read_dir(&class_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().any(|f| f == "svodnaya-vedomost.pdf"),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.contains("Математика")), "{files:?}");
    let (ok, _, stderr) = run(&[
        "archive",
        "--db",
        &app.db.url,
        "--school",
        &school,
        "--year",
        "1999/2000",
        "-o",
        archive.to_str().unwrap(),
    ]);
    assert!(!ok && stderr.contains("1999/2000"), "{stderr}");
}
