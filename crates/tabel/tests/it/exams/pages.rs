//! The exams pages: import, publish and the overdue dashboard.

use super::VPR;
use crate::support::{Page, TestApp, both_backends, client};
use reqwest::StatusCode;

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
