//! The lesson page lists files and takes uploads without JavaScript.

use super::{app_with_limit, audit_actions, files_of, id, multipart, pdf, week};
use crate::support::{Backend, Page, both_backends};
use reqwest::StatusCode;

/// Posts the lesson page's upload form as a browser does.
async fn upload_page(
    b: &crate::support::Browser,
    lesson: &str,
    (name, kind, bytes): (&str, &str, &[u8]),
) -> reqwest::Response {
    let (content_type, body) = multipart(Some((name, kind, bytes)), &[]);
    b.http
        .post(format!("{}/journal/lesson/{lesson}/files", b.base))
        .header("Origin", &b.base)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

both_backends!(the_lesson_page_lists_files_and_takes_uploads_without_javascript(backend));
async fn the_lesson_page_lists_files_and_takes_uploads_without_javascript(backend: Backend) {
    let app = app_with_limit(backend, 100_000).await;
    let (_, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let page = format!("/journal/lesson/{monday}");
    let teacher = app.browser("teacher").await;

    let (status, html) = teacher.parsed(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.has("#lesson-files p#files-none"), "{}", html.source());
    assert_eq!(
        html.attr("#lesson-files form#file-upload", "enctype")
            .as_deref(),
        Some("multipart/form-data")
    );
    assert!(
        html.text("#file-upload small.muted")
            .contains("до 98 КБ, не больше 10 файлов"),
        "{}",
        html.source()
    );

    let bytes = pdf();
    let res = upload_page(
        &teacher,
        &monday,
        ("Задание.pdf", "application/pdf", &bytes),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/journal/lesson/{monday}#lesson-files")
    );
    let (_, html) = teacher.parsed(&page).await;
    assert!(!html.has("#files-none"), "{}", html.source());
    let file = id(&files_of(&app, &app.token("teacher").await, &monday).await[0]);
    let item = format!("#files-list li#file-{file}");
    assert_eq!(html.text(&format!("{item} a.file-link")), "Задание.pdf");
    assert_eq!(
        html.attr(&format!("{item} a.file-link"), "href"),
        Some(format!("/journal/files/{file}"))
    );
    assert!(
        html.has(&format!("{item} form button#delete-file-{file}")),
        "{}",
        html.source()
    );
    let res = teacher.get(&format!("/journal/files/{file}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["content-security-policy"], "sandbox");
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);

    // Refusals come back on the page, in Russian; nothing is stored.
    let res = upload_page(&teacher, &monday, ("пусто.txt", "text/plain", b"")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Page::parse(&res.text().await.unwrap());
    assert!(
        html.text("#lesson-files #file-error")
            .contains("Файл пустой"),
        "{}",
        html.source()
    );
    let res = upload_page(
        &teacher,
        &monday,
        ("big.pdf", "application/pdf", &vec![1u8; 100_001]),
    )
    .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = Page::parse(&res.text().await.unwrap());
    assert!(
        html.text("#lesson-files #file-error")
            .contains("больше допустимого"),
        "{}",
        html.source()
    );
    assert_eq!(
        files_of(&app, &app.token("teacher").await, &monday)
            .await
            .len(),
        1
    );
    // A form from another site is refused (the origin check stands in for CSRF tokens).
    let (content_type, body) = multipart(Some(("x.txt", "text/plain", b"x")), &[]);
    let res = teacher
        .http
        .post(format!("{}/journal/lesson/{monday}/files", teacher.base))
        .header("Origin", "http://evil.example")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The deputy reads the files but gets no form; another teacher may not post one.
    let deputy = app.browser("zavuch").await;
    let (status, html) = deputy.parsed(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.texts("#files-list a.file-link"),
        ["Задание.pdf"],
        "{}",
        html.source()
    );
    assert!(
        !html.source().contains("id=\"file-upload\""),
        "{}",
        html.source()
    );
    assert!(
        !html.source().contains("id=\"delete-file-"),
        "{}",
        html.source()
    );
    let english = app.browser("english").await;
    let res = upload_page(&english, &monday, ("x.txt", "text/plain", b"x")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        english
            .get(&format!("/journal/files/{file}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Deleting from the page.
    let res = teacher
        .post_form(
            &format!("/journal/files/{file}/delete"),
            &[("lesson", &monday)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = teacher.parsed(&page).await;
    assert!(
        html.has("#lesson-files p#files-none") && !html.has("#files-list"),
        "{}",
        html.source()
    );
    assert_eq!(
        audit_actions(&app, &file).await,
        ["homework_file.attach", "homework_file.delete"]
    );
}
