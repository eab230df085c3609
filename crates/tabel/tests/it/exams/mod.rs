//! Exam results (регламент, п. 6): importing CSV and XLSX with the time of receipt, refused
//! files naming row and column with nothing stored, publishing, the dashboard of overdue
//! publications with who has not been informed, the family's view, permissions, the pages, the
//! command line and the demo's batch.

use crate::support::{Backend, Page, TestApp, assert_problem, both_backends, client};
use reqwest::StatusCode;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// ВПР in mathematics of the fixture's three pupils: Иван (5А, the `student`, child of the
/// `parent`), Анна (5Б, the `parent`'s other child, no account) and Олег (5А, child of the
/// `refuser`, no account).
const VPR: &str = "\u{FEFF}Результаты ВПР;;;;;\r\n\
    ФИО;Класс;Предмет;Дата;Первичный балл;Отметка\r\n\
    Петров Иван Сергеевич;5А;Математика;20.11.2026;17;5\r\n\
    Петрова Анна;5 б;математика;2026-11-20;8,0;3\r\n\
    Сидоров Олег;5А;Математика;20.11.2026;3;2\r\n";

/// Received two days before the fixture's "today" (2026-11-28): whatever the time of day, more
/// than a day has passed.
const LONG_AGO: &str = "2026-11-26T09:00:00Z";

async fn import(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/api/v1/exam-results?{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn created(res: reqwest::Response) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn publish(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/exam-results/publication"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn line_of<'a>(overdue: &'a Value, student: &str) -> Option<&'a Value> {
    overdue["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["result"]["student_id"] == student)
}

fn not_informed(line: &Value) -> Vec<(String, String, String)> {
    line["not_informed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["role"].as_str().unwrap().to_owned(),
                p["channel"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both_backends!(overdue_results_are_flagged_with_who_has_not_been_informed_until_published);
async fn overdue_results_are_flagged_with_who_has_not_been_informed_until_published(app: TestApp) {
    let app = &app;
    let f = &app.f;
    let admin = app.token("admin").await;
    // Received two days ago and held back: overdue.
    let batch = created(
        import(
            app,
            &admin,
            &format!("exam=vpr&received_at={LONG_AGO}&name=vpr.csv"),
            "text/csv",
            VPR,
        )
        .await,
    )
    .await;
    assert_eq!(batch["batch"]["rows"], 3);
    assert_eq!(batch["published"], 0);
    assert_eq!(batch["batch"]["overdue"], true);
    assert_eq!(batch["due_at"], "2026-11-27T09:00:00Z");
    // Received just now (the default) and held back: due, not overdue.
    let fresh = created(
        import(
            app,
            &admin,
            "exam=vpr",
            "text/csv",
            "ФИО;Предмет;Отметка\nПетров Иван;Окружающий мир;4\n",
        )
        .await,
    )
    .await;
    assert_eq!(fresh["other_subjects"], json!(["Окружающий мир"]));

    let overdue = app.get_json("/api/v1/exam-results/overdue", &admin).await;
    assert_eq!(overdue["pending"], 1, "{overdue}");
    let lines = overdue["results"].as_array().unwrap();
    assert_eq!(lines.len(), 3, "{overdue}");
    assert!(lines.iter().all(|l| l["state"] == "overdue"
        && l["overdue_hours"].as_i64().unwrap() >= 12
        && l["result"]["published_at"].is_null()));
    // Олег: no account of his own; his mother refused the diary — she gets paper.
    let oleg = line_of(&overdue, &f.oleg.to_string()).unwrap();
    assert_eq!(oleg["result"]["mark"], "2");
    assert_eq!(oleg["result"]["class"], "5А");
    assert_eq!(
        not_informed(oleg),
        vec![
            ("Сидоров Олег".into(), "pupil".into(), "no_account".into()),
            (
                "Сидорова Ольга Викторовна".into(),
                "representative".into(),
                "paper".into()
            ),
        ]
    );
    // Иван: he and his mother both read the diary.
    let ivan = line_of(&overdue, &f.ivan.to_string()).unwrap();
    assert_eq!(
        not_informed(ivan),
        vec![
            ("Петров Иван".into(), "pupil".into(), "diary".into()),
            (
                "Петрова Мария Андреевна".into(),
                "representative".into(),
                "diary".into()
            ),
        ]
    );
    assert_eq!(ivan["result"]["score"], 17);
    assert_eq!(ivan["result"]["taken_on"], "2026-11-20");

    // Until it is published the family sees nothing of it.
    let student = app.token("student").await;
    let parent = app.token("parent").await;
    let mine = format!("/api/v1/students/{}/exams", f.ivan);
    assert_eq!(app.get_json(&mine, &student).await, json!([]));
    assert_eq!(app.get_json(&mine, &parent).await, json!([]));
    // The administration sees both of Иван's results, held back.
    let all = app.get_json(&mine, &admin).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|r| r["published_at"].is_null())
    );

    // Publishing Иван's result takes it off the overdue list: it is now published late, and
    // with the diary reaching everyone in his family nobody is left uninformed.
    let id = ivan["result"]["id"].as_str().unwrap().to_owned();
    let res = publish(app, &admin, json!({"ids": [id]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["published"], json!([id]));
    let overdue = app.get_json("/api/v1/exam-results/overdue", &admin).await;
    let ivan = line_of(&overdue, &f.ivan.to_string()).unwrap();
    assert_eq!(ivan["state"], "published_late");
    assert!(ivan["delay_hours"].as_i64().unwrap() >= 36, "{ivan}");
    assert_eq!(ivan["not_informed"], json!([]));
    let still_overdue = overdue["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["state"] == "overdue")
        .count();
    assert_eq!(still_overdue, 2);

    // The family sees it now: the pupil, the consenting parent, in the API and the diary.
    let seen = app.get_json(&mine, &student).await;
    assert_eq!(
        seen.as_array().unwrap().len(),
        1,
        "the held-back one stays hidden"
    );
    assert_eq!(
        (&seen[0]["exam"], &seen[0]["subject"], &seen[0]["mark"]),
        (&json!("vpr"), &json!("Математика"), &json!("5"))
    );
    assert_eq!(app.get_json(&mine, &parent).await, seen);
    let b = app.browser("parent").await;
    let (status, page) = b.parsed(&format!("/diary/{}/finals", f.ivan)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("#exams-heading"), "Результаты экзаменов");
    let exams = page.texts("#exams ul.diary-exams li strong");
    assert_eq!(exams, ["ВПР · Математика"], "held back stays hidden");
    assert!(
        !page.source().contains("Окружающий мир"),
        "held back stays hidden"
    );

    // The rest of the batch: published in one go; the refuser's line keeps her on paper.
    let batch_id = batch["batch"]["id"].as_str().unwrap();
    let res = publish(app, &admin, json!({"batch_id": batch_id})).await;
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["published"].as_array().unwrap().len(), 2);
    let overdue = app.get_json("/api/v1/exam-results/overdue", &admin).await;
    assert!(
        overdue["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["state"] == "published_late"),
        "{overdue}"
    );
    let oleg = line_of(&overdue, &f.oleg.to_string()).unwrap();
    assert_eq!(
        not_informed(oleg),
        vec![
            ("Сидоров Олег".into(), "pupil".into(), "no_account".into()),
            (
                "Сидорова Ольга Викторовна".into(),
                "representative".into(),
                "paper".into()
            ),
        ]
    );
    // Publishing again does nothing.
    let res = publish(app, &admin, json!({"batch_id": batch_id})).await;
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["published"], json!([]));

    // A result published at import, within its day, never shows on the dashboard.
    created(
        import(
            app,
            &admin,
            "exam=interview&publish=true",
            "text/csv",
            "ФИО;Результат;Баллы\nПетрова Анна;зачёт;17\n",
        )
        .await,
    )
    .await;
    let overdue = app.get_json("/api/v1/exam-results/overdue", &admin).await;
    assert!(
        !overdue["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["result"]["exam"] == "interview")
    );
    let anna = app
        .get_json(&format!("/api/v1/students/{}/exams", f.anna), &parent)
        .await;
    assert_eq!(anna[0]["mark"], "pass");
    assert_eq!(anna[0]["subject"], "Русский язык");

    // Every publication was announced and every result audited; the chain holds.
    let mut c = app.db.db.acquire().await.unwrap();
    let events = tabel_store::outbox::pending(&mut c.conn(), 10_000)
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.topic == "exam.result_published")
            .count(),
        4
    );
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

async fn batches(app: &TestApp, token: &str) -> Vec<Value> {
    app.get_json("/api/v1/exam-results/batches", token)
        .await
        .as_array()
        .unwrap()
        .clone()
}

both_backends!(a_bad_exam_file_is_refused_naming_row_and_column_and_nothing_is_stored);
async fn a_bad_exam_file_is_refused_naming_row_and_column_and_nothing_is_stored(app: TestApp) {
    let admin = app.token("admin").await;
    let bad = "ФИО;Класс;Предмет;Дата;Первичный балл;Отметка\n\
        Петров Иван;5А;Математика;20.11.2026;17;5\n\
        Иванов Пётр;5А;Математика;20.11.2026;10;4\n\
        Сидоров Олег;5А;Математика;20.11.2026;10;6\n\
        Петрова Анна;5Б;Математика;31.11.2026;10;4\n";
    let res = import(&app, &admin, "exam=vpr", "text/csv", bad).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let errors = &problem["errors"];
    assert_eq!(
        errors["row 4, column «Отметка»"],
        "«6» is not a mark from 2 to 5"
    );
    assert_eq!(
        errors["row 5, column «Дата»"],
        "«31.11.2026» is not a date (write it as 21.04.2027)"
    );
    // Cell errors come first; the unknown pupil is named once the cells are right.
    let res = import(
        &app,
        &admin,
        "exam=vpr",
        "text/csv",
        "ФИО;Класс;Предмет;Отметка\nПетров Иван;5А;Математика;5\nИванов Пётр;5А;Математика;4\nПетров Иван;5Б;Физика;4\n",
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        problem["errors"],
        json!({
            "row 3, column «ФИО»": "no pupil «Иванов Пётр» in the school",
            "row 4, column «Класс»": "no pupil «Петров Иван» in class 5Б",
        })
    );
    // The same pupil twice in one file.
    let res = import(
        &app,
        &admin,
        "exam=vpr",
        "text/csv",
        "ФИО;Предмет;Отметка\nПетров Иван;Математика;5\nпетров иван;МАТЕМАТИКА;4\n",
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        problem["errors"]["row 3, column «Предмет»"],
        "the same pupil, subject and date as row 2"
    );
    // Nothing of any of them was stored.
    assert!(batches(&app, &admin).await.is_empty());
    assert_eq!(
        app.get_json(&format!("/api/v1/students/{}/exams", app.f.ivan), &admin)
            .await,
        json!([])
    );

    // Bad parameters and bodies.
    let res = import(&app, &admin, "exam=gia", "text/csv", VPR).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["exam"].as_str().unwrap().contains("oge"));
    let res = import(&app, &admin, "exam=vpr&received_at=вчера", "text/csv", VPR).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = import(
        &app,
        &admin,
        "exam=vpr&received_at=2030-01-01T00:00:00Z",
        "text/csv",
        VPR,
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["received_at"].is_string());
    let res = import(&app, &admin, "exam=vpr&publish=maybe", "text/csv", VPR).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = import(&app, &admin, "exam=vpr", "image/png", VPR).await;
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let res = import(
        &app,
        &admin,
        "exam=vpr",
        XLSX,
        b"PK\x03\x04garbage".to_vec(),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["file"].as_str().unwrap().contains("XLSX"));
    let res = import(
        &app,
        &admin,
        "exam=vpr",
        "text/csv",
        vec![b'x'; 3 * 1024 * 1024],
    )
    .await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(batches(&app, &admin).await.is_empty());

    // A good file goes in once; the same file again is a conflict, and so is the same result
    // in another file.
    created(import(&app, &admin, "exam=vpr", "text/csv", VPR).await).await;
    let res = import(&app, &admin, "exam=vpr", "text/csv", VPR).await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("imported already")
    );
    let again = format!("{VPR}\r\n");
    let res = import(&app, &admin, "exam=vpr", "text/csv", again).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        problem["errors"]["row 3, column «Предмет»"],
        "the school already has this result of «Петров Иван Сергеевич» in «Математика»"
    );
    assert_eq!(batches(&app, &admin).await.len(), 1);
}

both_backends!(an_xlsx_file_with_a_date_column_and_separate_name_columns_is_imported);
async fn an_xlsx_file_with_a_date_column_and_separate_name_columns_is_imported(app: TestApp) {
    let deputy = app.token("zavuch").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_string(0, 0, "Результаты школьного экзамена")
        .unwrap();
    for (col, head) in [
        "Фамилия",
        "Имя",
        "Отчество",
        "Дата рождения",
        "Предмет",
        "Дата",
        "Первичный балл",
        "Оценка",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, col as u16, *head).unwrap();
    }
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 25).unwrap();
    let born = rust_xlsxwriter::ExcelDateTime::from_ymd(2015, 3, 14).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    for (r, first) in [(3u32, "Иван"), (4, "Анна")] {
        sheet.write_string(r, 0, "Петров").unwrap();
        sheet.write_string(r, 1, first).unwrap();
        sheet
            .write_datetime_with_format(r, 3, &born, &format)
            .unwrap();
        sheet.write_string(r, 4, "Математика").unwrap();
        sheet
            .write_datetime_with_format(r, 5, &day, &format)
            .unwrap();
        sheet.write_number(r, 6, 12.0).unwrap();
        sheet.write_number(r, 7, 4.0).unwrap();
    }
    // Анна is Петрова: a surname the school does not have for her.
    let bytes = book.save_to_buffer().unwrap();
    let res = import(&app, &deputy, "exam=school", XLSX, bytes).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        problem["errors"]["row 5, column «Фамилия»"],
        "no pupil «Петров Анна» in the school"
    );

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, head) in ["Фамилия", "Имя", "Предмет", "Дата", "Оценка"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *head).unwrap();
    }
    sheet.write_string(1, 0, "Петрова").unwrap();
    sheet.write_string(1, 1, "Анна").unwrap();
    sheet.write_string(1, 2, "Математика").unwrap();
    sheet
        .write_datetime_with_format(1, 3, &day, &format)
        .unwrap();
    sheet.write_number(1, 4, 5.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let summary = created(
        import(
            &app,
            &deputy,
            "exam=school&publish=true&name=exam.xlsx",
            XLSX,
            bytes,
        )
        .await,
    )
    .await;
    assert_eq!(summary["batch"]["file_name"], "exam.xlsx");
    assert_eq!(summary["batch"]["imported_by"], "zavuch");
    assert_eq!(summary["published"], 1);
    let parent = app.token("parent").await;
    let anna = app
        .get_json(&format!("/api/v1/students/{}/exams", app.f.anna), &parent)
        .await;
    assert_eq!(
        (&anna[0]["exam"], &anna[0]["taken_on"], &anna[0]["mark"]),
        (&json!("school"), &json!("2026-11-25"), &json!("5"))
    );
}

both_backends!(only_administrators_and_deputies_import_publish_and_see_the_dashboard);
async fn only_administrators_and_deputies_import_publish_and_see_the_dashboard(app: TestApp) {
    let admin = app.token("admin").await;
    let summary = created(
        import(
            &app,
            &admin,
            &format!("exam=vpr&received_at={LONG_AGO}"),
            "text/csv",
            VPR,
        )
        .await,
    )
    .await;
    let batch_id = summary["batch"]["id"].as_str().unwrap().to_owned();
    for login in ["teacher", "parent", "student", "refuser"] {
        let token = app.token(login).await;
        let res = import(&app, &token, "exam=oge", "text/csv", VPR).await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
        assert_problem(
            app.get("/api/v1/exam-results/overdue", &token).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            app.get("/api/v1/exam-results/batches", &token).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let res = publish(&app, &token, json!({"batch_id": batch_id})).await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
    }
    // Another school's administrator does not learn of this school's results.
    let other = app.token("admin2").await;
    let res = publish(&app, &other, json!({"batch_id": batch_id})).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = app
        .get(
            &format!("/api/v1/exam-results/overdue?school_id={}", app.f.school),
            &other,
        )
        .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    assert_eq!(
        app.get_json("/api/v1/exam-results/overdue", &other).await["results"],
        json!([])
    );
    let res = app
        .get(&format!("/api/v1/students/{}/exams", app.f.ivan), &other)
        .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    // A parent without the diary consent is told why; another family's child is not theirs.
    let refuser = app.token("refuser").await;
    let problem = assert_problem(
        app.get(&format!("/api/v1/students/{}/exams", app.f.oleg), &refuser)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
    let parent = app.token("parent").await;
    assert_problem(
        app.get(&format!("/api/v1/students/{}/exams", app.f.oleg), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Unknown results refuse the whole publication.
    let res = publish(&app, &admin, json!({"ids": ["999999"]})).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = publish(&app, &admin, json!({})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // The deputy head publishes; nothing is overdue after.
    let deputy = app.token("zavuch").await;
    let res = publish(&app, &deputy, json!({"batch_id": batch_id})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let overdue = app.get_json("/api/v1/exam-results/overdue", &deputy).await;
    assert!(
        overdue["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["state"] == "published_late")
    );
}

/// A `multipart/form-data` body as the import form sends it.
fn import_form(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tabel-exams-boundary-Zq93nd";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"vpr.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_import(
    b: &crate::support::Browser,
    fields: &[(&str, &str)],
    file: &[u8],
) -> reqwest::Response {
    let (content_type, body) = import_form(fields, file);
    b.http
        .post(format!("{}/exams", b.base))
        .header("Origin", &b.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

both_backends!(the_exams_pages_import_publish_and_show_the_overdue_dashboard);
async fn the_exams_pages_import_publish_and_show_the_overdue_dashboard(app: TestApp) {
    let b = app.browser("zavuch").await;
    let (status, home) = b.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.has("a[href=\"/exams\"]"),
        "the deputy's home links the desk"
    );
    let (status, desk) = b.parsed("/exams").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        desk.text("#exams-batches #exams-none"),
        "Результатов ещё не загружали."
    );

    // A bad file: 422, every row named, nothing stored.
    let res = post_import(
        &b,
        &[("exam", "vpr"), ("received_at", "2026-11-26T12:00")],
        "ФИО;Предмет;Отметка\nИванов Пётр;Математика;5\n".as_bytes(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert_eq!(
        page.texts("#exams-errors li"),
        ["row 2, column «ФИО»: no pupil «Иванов Пётр» in the school"],
        "{}",
        page.source()
    );

    // A good one, held back: back to the desk with the batch, overdue.
    let res = post_import(
        &b,
        &[("exam", "vpr"), ("received_at", "2026-11-26T12:00")],
        VPR.as_bytes(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/exams?imported="), "{to}");
    let (status, desk) = b.parsed(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        desk.text("#exams-notice")
            .contains("Загружено 3 результата"),
        "{}",
        desk.source()
    );
    let batch = desk.texts("#batches tbody tr td");
    assert_eq!(
        batch[2], "26.11.2026 12:00",
        "received in the school's time: {batch:?}"
    );
    assert!(batch[6].contains("просрочено"), "{batch:?}");

    // The dashboard names who has not been informed, the refuser on paper.
    let (status, dash) = b.parsed("/exams/overdue").await;
    assert_eq!(status, StatusCode::OK);
    let people = dash.texts("#overdue ul.not-informed li").join("\n");
    assert!(
        people
            .lines()
            .any(|p| p.starts_with("Сидорова Ольга Викторовна") && p.contains("на бумаге")),
        "{people}"
    );
    assert!(people.contains("Петрова Мария Андреевна"), "{people}");
    assert_eq!(dash.text("#count-overdue"), "3");

    // Publishing one result from the dashboard, then the batch from the desk.
    let batch = app
        .get_json("/api/v1/exam-results/batches", &app.token("zavuch").await)
        .await;
    let batch_id = batch[0]["id"].as_str().unwrap();
    let overdue = app
        .get_json("/api/v1/exam-results/overdue", &app.token("zavuch").await)
        .await;
    let first = overdue["results"][0]["result"]["id"].as_str().unwrap();
    let res = b
        .post_form(
            &format!("/exams/results/{first}/publish"),
            &[("back", "overdue")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/exams/overdue?published=1");
    let (_, dash) = b.parsed("/exams/overdue?published=1").await;
    assert_eq!(dash.text("#count-overdue"), "2");
    assert!(
        dash.text("#exams-notice")
            .contains("Опубликован 1 результат")
    );
    let res = b
        .post_form(&format!("/exams/batches/{batch_id}/publish"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, dash) = b.parsed("/exams/overdue").await;
    assert_eq!(dash.text("#count-overdue"), "0");
    assert!(
        dash.texts("#overdue tr.late td span.badge")
            .iter()
            .any(|s| s.contains("опубликовано через")),
        "{}",
        dash.source()
    );

    // A teacher and a parent may not use the pages; the teacher's home has no link.
    let teacher = app.browser("teacher").await;
    assert_eq!(teacher.page("/exams").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        teacher.page("/exams/overdue").await.0,
        StatusCode::FORBIDDEN
    );
    assert!(!teacher.page("/").await.1.contains("href=\"/exams\""));
    let parent = app.browser("parent").await;
    let res = post_import(&parent, &[("exam", "vpr")], VPR.as_bytes()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Without a session: the login page.
    let anonymous = client(true);
    let res = anonymous
        .get(app.url("/exams/overdue"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

both_backends!(the_command_line_imports_and_names_file_row_and_column_of_a_bad_row);
async fn the_command_line_imports_and_names_file_row_and_column_of_a_bad_row(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("vpr-bad.csv");
    std::fs::write(&bad, "ФИО;Предмет;Отметка\nПетров Иван;Математика;7\n").unwrap();
    let out = crate::cli::tabel(
        &[
            "exams",
            "import",
            "--db",
            &app.db.url,
            "--school",
            &app.f.school.to_string(),
            "--exam",
            "vpr",
            "--file",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("vpr-bad.csv: row 2, column «Отметка»: «7» is not a mark from 2 to 5"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");

    // Received at the start of October: well in the past whenever the test runs.
    let good = dir.path().join("vpr.csv");
    std::fs::write(
        &good,
        "ФИО;Предмет;Отметка\nПетров Иван;Математика;5\nПетрова Анна;Математика;4\nСидоров Олег;Математика;3\n",
    )
    .unwrap();
    let out = crate::cli::tabel(
        &[
            "exams",
            "import",
            "--db",
            &app.db.url,
            "--school",
            &app.f.school.to_string(),
            "--exam",
            "ВПР",
            "--file",
            good.to_str().unwrap(),
            "--received-at",
            "2026-10-01 10:00",
            "--publish",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Imported 3 ВПР result(s) from vpr.csv"),
        "{text}"
    );
    assert!(text.contains("received 01.10.2026 10:00"), "{text}");
    let admin = app.token("admin").await;
    let b = batches(&app, &admin).await;
    assert_eq!(b[0]["imported_by"], Value::Null);
    assert_eq!(b[0]["received_at"], "2026-10-01T07:00:00Z");
    assert_eq!(b[0]["published"], 3);
}

#[tokio::test]
async fn the_openapi_document_describes_the_exam_endpoints() {
    let app = TestApp::sqlite().await;
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, method) in [
        ("/api/v1/exam-results", "post"),
        ("/api/v1/exam-results/publication", "post"),
        ("/api/v1/exam-results/batches", "get"),
        ("/api/v1/exam-results/overdue", "get"),
        ("/api/v1/students/{id}/exams", "get"),
    ] {
        let op = &doc["paths"][path][method];
        assert_eq!(op["tags"], json!(["exams"]), "{path}");
        assert!(
            op["description"].is_string() || op["summary"].is_string(),
            "{path}"
        );
    }
}

both_backends!(the_demo_has_a_vpr_batch_partly_unpublished_on_the_dashboard(backend));
async fn the_demo_has_a_vpr_batch_partly_unpublished_on_the_dashboard(backend: Backend) {
    let db = backend.db().await;
    let mut config = tabel::Config::for_tests(&db.url);
    config.demo = true;
    config.today = Some(time::macros::date!(2026 - 11 - 28));
    let app = tabel::Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let http = client(false);
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "zavuch", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let get = |path: &str| http.get(format!("{base}{path}")).bearer_auth(token).send();
    let batches: Value = get("/api/v1/exam-results/batches")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let batch = &batches[0];
    assert_eq!(batch["exam"], "vpr");
    assert_eq!(batch["received_at"], "2026-11-25T08:00:00Z");
    let (rows, published) = (
        batch["rows"].as_i64().unwrap(),
        batch["published"].as_i64().unwrap(),
    );
    assert!(rows >= 40 && published > 0 && published < rows, "{batch}");
    let overdue: Value = get("/api/v1/exam-results/overdue")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines = overdue["results"].as_array().unwrap();
    assert!(lines.iter().any(|l| l["state"] == "overdue"), "{overdue}");
    assert!(
        lines.iter().any(|l| l["state"] == "published_late"),
        "{overdue}"
    );
    // The refuser's child's result is held back: she is to be informed on paper.
    assert!(
        lines.iter().any(|l| l["state"] == "overdue"
            && l["not_informed"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["channel"] == "paper")),
        "{overdue}"
    );
}
