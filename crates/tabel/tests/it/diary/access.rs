//! Who reads a diary: the parent↔child link and the consent gate, also for homework files.

use super::{family_week, pages};
use crate::journal::id;
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;

/// Every diary endpoint of a pupil.
fn endpoints(student: impl std::fmt::Display) -> Vec<String> {
    [
        "diary?week=2026-W48",
        "marks",
        "assessments",
        "teachers",
        "homework?from=2026-11-23&to=2026-12-06",
        "recommendations",
        "calendar",
    ]
    .iter()
    .map(|e| format!("/api/v1/students/{student}/{e}"))
    .collect()
}

both_backends!(every_diary_endpoint_enforces_the_link_and_the_consent);
async fn every_diary_endpoint_enforces_the_link_and_the_consent(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let (parent, student, refuser) = (
        app.token("parent").await,
        app.token("student").await,
        app.token("refuser").await,
    );
    let (teacher, english, admin2) = (
        app.token("teacher").await,
        app.token("english").await,
        app.token("admin2").await,
    );
    for path in endpoints(f.oleg) {
        // The refuser's own child: 403 with the reason.
        let p = assert_problem(app.get(&path, &refuser).await, StatusCode::FORBIDDEN).await;
        assert_eq!(p["type"], "urn:tabel:problem:consent-required", "{path}");
        assert!(p["detail"].as_str().unwrap().contains("consent"), "{p}");
        // Someone else's child: as if it did not exist.
        assert_problem(app.get(&path, &parent).await, StatusCode::NOT_FOUND).await;
        assert_problem(app.get(&path, &student).await, StatusCode::NOT_FOUND).await;
        // The school's staff read every pupil's diary.
        assert_eq!(
            app.get(&path, &teacher).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    for path in endpoints(f.ivan) {
        assert_eq!(
            app.get(&path, &parent).await.status(),
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            app.get(&path, &student).await.status(),
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            app.get(&path, &english).await.status(),
            StatusCode::OK,
            "{path}"
        );
        assert_problem(app.get(&path, &refuser).await, StatusCode::NOT_FOUND).await;
        assert_problem(app.get(&path, &admin2).await, StatusCode::NOT_FOUND).await;
        let res = app.http.get(app.url(&path)).send().await.unwrap();
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    for path in endpoints(f.anna) {
        // A pupil sees only themself (the sister is somebody else to the account).
        assert_problem(app.get(&path, &student).await, StatusCode::NOT_FOUND).await;
    }
    for path in endpoints("999999").into_iter().chain(endpoints("x")) {
        assert_problem(app.get(&path, &parent).await, StatusCode::NOT_FOUND).await;
    }
}

both_backends!(the_pupil_and_a_consenting_parent_download_homework_files_and_a_refuser_does_not);
async fn the_pupil_and_a_consenting_parent_download_homework_files_and_a_refuser_does_not(
    app: TestApp,
) {
    let w = family_week(&app).await;
    let path = format!("/api/v1/files/{}", w.file);
    for login in ["parent", "student", "teacher", "zavuch"] {
        let res = app.get(&path, &app.token(login).await).await;
        assert_eq!(res.status(), StatusCode::OK, "{login}");
        assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.4 card");
    }
    // Олег is in 5А, but his mother has no consent in force.
    let p = assert_problem(
        app.get(&path, &app.token("refuser").await).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(p["type"], "urn:tabel:problem:consent-required");
    // A teacher of the school who does not teach the lesson, another school's administrator.
    assert_problem(
        app.get(&path, &app.token("english").await).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get(&path, &app.token("admin2").await).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Listing a lesson's files stays with the journal's readers; families read them in the diary.
    let listing = format!("/api/v1/lessons/{}/files", id(&w.lessons[2]));
    assert_problem(
        app.get(&listing, &app.token("parent").await).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The cookie session of the diary's pages downloads too.
    let browser = app.browser("parent").await;
    assert_eq!(browser.get(&path).await.status(), StatusCode::OK);
}

both_backends!(a_parent_without_consent_gets_the_explanation_and_never_the_data);
async fn a_parent_without_consent_gets_the_explanation_and_never_the_data(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let refuser = app.browser("refuser").await;
    let (_, home) = refuser.parsed("/").await;
    assert!(
        home.has(&format!("a[href=\"/diary/{}\"]", f.oleg)),
        "the card links the diary"
    );
    let res = refuser.get("/diary").await;
    assert_eq!(res.headers()["location"], "/diary/me");
    for path in pages(f.oleg) {
        let (status, page) = refuser.parsed(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(page.text("#no-consent h2"), "Дневник недоступен", "{path}");
        assert_eq!(page.text("#no-consent #consent-state"), "отказ", "{path}");
        assert!(
            page.text("#consent-explanation").contains("Вы отказались")
                && page.text("#consent-todo").contains("письменное заявление"),
            "what it means and what to do"
        );
        let html = page.source();
        for data in [
            "Математика",
            "4/5",
            "5А",
            "Смирнова",
            "Сложение дробей",
            "id=\"diary-nav\"",
        ] {
            assert!(!html.contains(data), "{path} shows {data}");
        }
    }
    let (status, me) = refuser.parsed("/diary/me").await;
    assert_eq!(status, StatusCode::OK);
    let family = me.text("#family");
    // What the API shows without consent: the child's id, not the name (privacy.rs).
    assert!(
        family.contains(&format!("Ребёнок № {}", f.oleg))
            && !family.contains("Олег")
            && family.contains("отказ"),
        "{family}"
    );

    // Other people's children are not found, whoever asks; a pupil sees only themself.
    let parent = app.browser("parent").await;
    let student = app.browser("student").await;
    for path in pages(f.oleg) {
        assert_eq!(parent.page(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    for path in pages(f.anna) {
        assert_eq!(student.page(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    for path in pages(f.ivan) {
        let (status, html) = refuser.page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!html.contains("Петров Иван"));
    }
}
