//! Importing exam results: refused files name row and column and store nothing, XLSX with a date
//! column, and the command line.

use super::{VPR, batches, created, import};
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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
    // A teacher is refused before the parameters are judged and the file is read.
    let teacher = app.token("teacher").await;
    for query in ["exam=vpr", "exam=nonsense"] {
        let res = import(
            &app,
            &teacher,
            query,
            "text/csv",
            vec![b'x'; 3 * 1024 * 1024],
        )
        .await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
    }
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
