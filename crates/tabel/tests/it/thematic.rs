//! The thematic plan (КТП) through the JSON API: importing CSV and XLSX, topics flowing onto the
//! lessons in order without overwriting a teacher's own topic, refused files, permissions.

use crate::support::{Page, TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn plan_path(app: &TestApp) -> String {
    format!(
        "/api/v1/thematic-plans?group={}&subject={}",
        app.f.class_5a, app.f.math
    )
}

async fn upload(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.http
        .post(app.url(&format!("{}&name=plan", plan_path(app))))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// 5А's mathematics lessons of the whole year (every period of the grid), in order, with their
/// records.
async fn year_lessons(app: &TestApp, token: &str) -> Vec<Value> {
    let grid_path = format!(
        "/api/v1/journal?group={}&subject={}",
        app.f.class_5a, app.f.math
    );
    let grid = app.get_json(&grid_path, token).await;
    let mut out = Vec::new();
    for period in grid["periods"].as_array().unwrap() {
        let g = app
            .get_json(
                &format!("{grid_path}&period={}", period["id"].as_str().unwrap()),
                token,
            )
            .await;
        out.extend(g["lessons"].as_array().unwrap().iter().cloned());
    }
    out
}

fn topics(lessons: &[Value]) -> Vec<&str> {
    lessons
        .iter()
        .map(|l| l["record"]["topic"].as_str().unwrap())
        .collect()
}

const PLAN_CSV: &str = "\u{FEFF}№;Тема;Часы;Тип урока\r\n\
    1;Натуральные числа;2;\r\n\
    2;\"Сложение; вычитание\";1;Урок\r\n\
    ;;;\r\n\
    3;Контрольная работа № 1;1;control\r\n";

async fn topics_flow_onto_lessons_in_order_and_keep_the_teachers_own(app: &TestApp) {
    crate::journal::timetable(app).await;
    let teacher = app.token("teacher").await;
    let before = year_lessons(app, &teacher).await;
    assert!(before.len() > 10, "{}", before.len());
    assert!(topics(&before).iter().all(|t| t.is_empty()));

    // The teacher already wrote the third lesson's topic: the plan must not overwrite it.
    let third = before[2]["id"].as_str().unwrap();
    let res = app
        .http
        .put(app.url(&format!("/api/v1/lessons/{third}")))
        .bearer_auth(&teacher)
        .json(&json!({"version": 0, "topic": "Своя тема"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let res = upload(app, &teacher, "text/csv; charset=utf-8", PLAN_CSV).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let summary: Value = res.json().await.unwrap();
    // The year may run past the periods the fixture defines: count from the summary.
    let n = summary["lessons"].as_u64().unwrap();
    assert!(n >= before.len() as u64);
    assert_eq!(
        (
            &summary["topics"],
            &summary["hours"],
            &summary["lessons"],
            &summary["lessons_filled"],
            &summary["lessons_kept"],
            &summary["lessons_without_topic"],
            &summary["topics_left_over"],
            &summary["version"]
        ),
        (
            &json!(3),
            &json!(4),
            &json!(n),
            &json!(3),
            &json!(1),
            &json!(n - 4),
            &json!(0),
            &json!(1)
        )
    );

    let after = year_lessons(app, &teacher).await;
    let t = topics(&after);
    assert_eq!(
        &t[..5],
        &[
            "Натуральные числа",
            "Натуральные числа",
            "Своя тема",
            "Контрольная работа № 1",
            ""
        ]
    );
    assert_eq!(after[3]["record"]["lesson_type"], "control");
    assert_eq!(after[0]["record"]["version"], 1);
    assert!(after[0]["record"]["lesson_type"].is_null());

    let plan = app.get_json(&plan_path(app), &teacher).await;
    assert_eq!(plan["hours"], 4);
    assert_eq!(plan["source_name"], "plan");
    assert_eq!(plan["topics"][1]["title"], "Сложение; вычитание");
    assert_eq!(plan["topics"][1]["lesson_type"], "lesson");
    assert_eq!(plan["topics"][2]["position"], 3);
    // The deputy reads it too.
    let deputy = app.token("zavuch").await;
    assert_eq!(
        app.get_json(&plan_path(app), &deputy).await["id"],
        plan["id"]
    );
}

both_backends!(a_csv_plan_flows_onto_the_lessons_in_order_without_overwriting_the_teachers_topics);
async fn a_csv_plan_flows_onto_the_lessons_in_order_without_overwriting_the_teachers_topics(
    app: TestApp,
) {
    topics_flow_onto_lessons_in_order_and_keep_the_teachers_own(&app).await;
}

both_backends!(a_bad_plan_is_refused_naming_row_and_column_and_nothing_is_written);
async fn a_bad_plan_is_refused_naming_row_and_column_and_nothing_is_written(app: TestApp) {
    crate::journal::timetable(&app).await;
    let teacher = app.token("teacher").await;

    let bad = "№;Тема;Часы\n1;Числа;2\n2;Дроби;два\n";
    let problem = assert_problem(
        upload(&app, &teacher, "text/csv", bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        problem["errors"]["row 3, column «Часы»"], "«два» is not a number",
        "{problem}"
    );
    // An unknown lesson type is refused the same way.
    let problem = assert_problem(
        upload(
            &app,
            &teacher,
            "text/csv",
            "Тема;Часы;Тип\nЧисла;1;пикник\n",
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"]["row 2, column «Тип»"]
            .as_str()
            .unwrap()
            .contains("пикник")
    );
    // Too large, and not a spreadsheet at all.
    let huge = vec![b'a'; 2 * 1024 * 1024 + 1];
    assert_problem(
        upload(&app, &teacher, "text/csv", huge.clone()).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    // Someone who does not keep the plan is refused before the server reads the file: the
    // same oversized file, and a body of the wrong type, answer 403.
    let parent = app.token("parent").await;
    for (kind, body) in [("text/csv", huge), ("application/json", b"{}".to_vec())] {
        assert_problem(
            upload(&app, &parent, kind, body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_problem(
        upload(&app, &teacher, "application/json", "{}").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;

    assert_problem(
        app.get(&plan_path(&app), &teacher).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let lessons = year_lessons(&app, &teacher).await;
    assert!(topics(&lessons).iter().all(|t| t.is_empty()));
    assert!(lessons.iter().all(|l| l["record"]["version"] == 0));
}

both_backends!(a_teacher_of_another_journal_may_neither_import_nor_read_the_plan);
async fn a_teacher_of_another_journal_may_neither_import_nor_read_the_plan(app: TestApp) {
    crate::journal::timetable(&app).await;
    let english = app.token("english").await;
    assert_problem(
        upload(&app, &english, "text/csv", PLAN_CSV).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get(&plan_path(&app), &english).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

both_backends!(an_xlsx_plan_is_imported_from_its_first_sheet);
async fn an_xlsx_plan_is_imported_from_its_first_sheet(app: TestApp) {
    crate::journal::timetable(&app).await;
    let teacher = app.token("teacher").await;

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, head) in ["№", "Тема урока", "Кол-во часов", "Тип урока"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *head).unwrap();
    }
    for (row, (title, hours, kind)) in [
        ("Обыкновенные дроби", 1.0, ""),
        ("Практическая работа «Дроби»", 2.0, "Практическая работа"),
    ]
    .iter()
    .enumerate()
    {
        let r = row as u32 + 1;
        sheet.write_number(r, 0, r as f64).unwrap();
        sheet.write_string(r, 1, *title).unwrap();
        sheet.write_number(r, 2, *hours).unwrap();
        sheet.write_string(r, 3, *kind).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();

    let res = upload(&app, &teacher, XLSX, bytes).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let summary: Value = res.json().await.unwrap();
    assert_eq!(
        (&summary["topics"], &summary["lessons_filled"]),
        (&json!(2), &json!(3))
    );

    let lessons = year_lessons(&app, &teacher).await;
    assert_eq!(
        &topics(&lessons)[..4],
        &[
            "Обыкновенные дроби",
            "Практическая работа «Дроби»",
            "Практическая работа «Дроби»",
            ""
        ]
    );
    assert_eq!(lessons[1]["record"]["lesson_type"], "practical");

    // Importing again replaces the plan and fills only what is still empty.
    let res = upload(&app, &teacher, "text/csv", "Тема;Часы\nДругое;4\n").await;
    assert_eq!(res.status(), StatusCode::OK);
    let summary: Value = res.json().await.unwrap();
    assert_eq!(
        (
            &summary["version"],
            &summary["lessons_filled"],
            &summary["lessons_kept"]
        ),
        (&json!(2), &json!(1), &json!(3))
    );
    let plan = app.get_json(&plan_path(&app), &teacher).await;
    assert_eq!(plan["topics"].as_array().unwrap().len(), 1);
    assert_eq!(topics(&year_lessons(&app, &teacher).await)[3], "Другое");
}

/// A `multipart/form-data` body with one file field, as a browser sends the upload form.
fn multipart_file(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tabel-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload_page(b: &crate::support::Browser, path: &str, file: &[u8]) -> (StatusCode, String) {
    let (content_type, body) = multipart_file("ktp.csv", file);
    let res = b
        .http
        .post(format!("{}{path}", b.base))
        .header("Origin", &b.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

both_backends!(a_teacher_uploads_the_plan_from_the_journal_page_and_sees_the_summary);
async fn a_teacher_uploads_the_plan_from_the_journal_page_and_sees_the_summary(app: TestApp) {
    crate::journal::timetable(&app).await;
    let grid = format!("/journal/{}/{}", app.f.class_5a, app.f.math);
    let path = format!("{grid}/plan");
    let teacher = app.browser("teacher").await;

    let (status, html) = teacher.parsed(&grid).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.attr("a#plan-link", "href").as_ref(), Some(&path));
    let (status, html) = teacher.parsed(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.has("p#plan-none"), "{}", html.source());
    assert_eq!(
        html.attr("#plan-upload form", "enctype").as_deref(),
        Some("multipart/form-data")
    );

    let (status, html) = upload_page(&teacher, &path, PLAN_CSV.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let html = Page::parse(&html);
    for (id, n) in [
        ("summary-topics", "3"),
        ("summary-filled", "4"),
        ("summary-kept", "0"),
        ("summary-left-over", "0"),
    ] {
        assert_eq!(html.text(&format!("#plan-summary dd#{id}")), n, "{id}");
    }

    // The page now shows the plan, named after the file.
    let (status, html) = teacher.parsed(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.texts("#plan-topics tbody td:nth-child(2)")
            .contains(&"Контрольная работа № 1".to_owned()),
        "{}",
        html.source()
    );
    assert!(html.text("#plan-current p.muted").starts_with("ktp.csv"));
    // Lesson types by the school's names, not their codes.
    let types = html.texts("#plan-topics tbody td:nth-child(4)");
    assert!(
        types.contains(&"Урок".to_owned()) && !types.contains(&"lesson".to_owned()),
        "{types:?}"
    );
    let token = app.token("teacher").await;
    let plan = app.get_json(&plan_path(&app), &token).await;
    assert_eq!(plan["source_name"], "ktp.csv");
    assert_eq!(plan["version"], 1);
}

both_backends!(a_bad_plan_uploaded_from_the_page_is_refused_naming_the_row);
async fn a_bad_plan_uploaded_from_the_page_is_refused_naming_the_row(app: TestApp) {
    crate::journal::timetable(&app).await;
    let path = format!("/journal/{}/{}/plan", app.f.class_5a, app.f.math);
    let teacher = app.browser("teacher").await;

    let bad = "№;Тема;Часы\n1;Числа;2\n2;Дроби;два\n";
    let (status, html) = upload_page(&teacher, &path, bad.as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let errors = Page::parse(&html).texts("#plan-errors li");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("row 3, column «Часы»") && e.contains("«два» is not a number")),
        "{errors:?}"
    );
    // Nothing was written.
    let token = app.token("teacher").await;
    assert_problem(
        app.get(&plan_path(&app), &token).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Larger than 2 MB: 413.
    let huge = vec![b'a'; 2 * 1024 * 1024 + 1];
    let (status, _) = upload_page(&teacher, &path, &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

both_backends!(a_teacher_of_another_journal_may_not_use_the_plan_page);
async fn a_teacher_of_another_journal_may_not_use_the_plan_page(app: TestApp) {
    crate::journal::timetable(&app).await;
    let grid = format!("/journal/{}/{}", app.f.class_5a, app.f.math);
    let path = format!("{grid}/plan");
    let english = app.browser("english").await;

    assert_eq!(english.page(&path).await.0, StatusCode::FORBIDDEN);
    let (status, _) = upload_page(&english, &path, PLAN_CSV.as_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = english.page(&grid).await;
    assert!(!html.contains("id=\"plan-link\""));
    // An unknown journal is simply not found.
    let teacher = app.browser("teacher").await;
    assert_eq!(
        teacher.page("/journal/x/y/plan").await.0,
        StatusCode::NOT_FOUND
    );
}
