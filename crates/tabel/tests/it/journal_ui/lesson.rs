//! The lesson page: the topic form without JavaScript, the homework limit warning, a column from a
//! phone, recommendations.

use super::{grid_path, journal_json, timetable};
use crate::support::{Page, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(the_lesson_form_saves_a_topic_without_javascript);
async fn the_lesson_form_saves_a_topic_without_javascript(app: TestApp) {
    timetable(&app).await;
    let token = app.token("teacher").await;
    let grid = journal_json(&app, &token).await;
    let lesson = grid["lessons"][0]["id"].as_str().unwrap().to_owned();
    let teacher = app.browser("teacher").await;
    let action = format!("{}/lessons/{lesson}", grid_path(&app));
    let res = teacher
        .post_form(
            &action,
            &[
                ("version", "0"),
                ("topic", "Натуральные числа"),
                ("lesson_type", "lesson"),
                ("held", ""),
                ("homework", "№ 12"),
                ("homework_minutes", "20"),
                ("homework_due_on", ""),
                ("teacher_comment", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.ends_with(&format!("#lesson-{lesson}")), "{to}");
    let (_, html) = teacher.parsed(&grid_path(&app)).await;
    assert_eq!(
        html.attr(&format!("#topic-{lesson}"), "value").as_deref(),
        Some("Натуральные числа")
    );
    assert_eq!(html.text(&format!("#homework-{lesson}")), "№ 12");
    // The same version again is stale: the form says so instead of overwriting.
    let res = teacher
        .post_form(&action, &[("version", "0"), ("topic", "Другое")])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let grid = journal_json(&app, &token).await;
    assert_eq!(grid["lessons"][0]["record"]["topic"], "Натуральные числа");
}

both_backends!(the_lesson_panel_warns_when_homework_exceeds_the_days_limit);
async fn the_lesson_panel_warns_when_homework_exceeds_the_days_limit(app: TestApp) {
    timetable(&app).await;
    let token = app.token("teacher").await;
    let grid = journal_json(&app, &token).await;
    // Two lessons before 28.11 set homework due on the first lesson day after it.
    let lessons = grid["lessons"].as_array().unwrap();
    let past: Vec<&str> = lessons
        .iter()
        .filter(|l| l["date"].as_str().unwrap() <= "2026-11-27")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    let due = lessons
        .iter()
        .map(|l| l["date"].as_str().unwrap())
        .find(|d| *d > "2026-11-28")
        .unwrap()
        .to_owned();
    for (lesson, minutes) in [(past[past.len() - 1], 70), (past[past.len() - 2], 60)] {
        let res = app
            .http
            .put(app.url(&format!("/api/v1/lessons/{lesson}")))
            .bearer_auth(&token)
            .json(
                &json!({"version": 0, "topic": "Дроби", "homework": "№ 1–10",
                "homework_minutes": minutes, "homework_due_on": due}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
    }
    let teacher = app.browser("teacher").await;
    let (_, html) = teacher.parsed(&grid_path(&app)).await;
    let label = format!("{}.{}", &due[8..10], &due[5..7]);
    let warning = format!("На {label} задано 130 мин при норме 120 мин для 5 класса");
    let warned = html.texts("#lessons p.homework-overload");
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(
        warned.iter().all(|w| w.contains(&warning)),
        "{warning} in {warned:?}"
    );
}

both_backends!(the_lesson_page_writes_a_column_from_a_phone_all_or_nothing);
async fn the_lesson_page_writes_a_column_from_a_phone_all_or_nothing(app: TestApp) {
    timetable(&app).await;
    let token = app.token("teacher").await;
    let grid = journal_json(&app, &token).await;
    let lesson = grid["lessons"][0]["id"].as_str().unwrap().to_owned();
    let (ivan, oleg) = (app.f.ivan.to_string(), app.f.oleg.to_string());
    let teacher = app.browser("teacher").await;
    let (_, grid_html) = teacher.parsed(&grid_path(&app)).await;
    let path = format!("/journal/lesson/{lesson}");
    assert_eq!(
        grid_html.attr(
            &format!("#journal thead th[data-lesson=\"{lesson}\"] a.lesson-link"),
            "href"
        ),
        Some(path.clone()),
        "linked from the column"
    );

    let (status, html) = teacher.parsed(&path).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert!(
        html.text(&format!("fieldset#pupil-{ivan} legend"))
            .starts_with("Петров Иван")
    );
    assert!(html.has(&format!("fieldset#pupil-{ivan} input[name=\"m_{ivan}\"]")));

    // A bad value in Oleg's row: 422 naming him, and Ivan's good mark is not written either.
    let (m_ivan, m_oleg, a_oleg) = (
        format!("m_{ivan}"),
        format!("m_{oleg}"),
        format!("a_{oleg}"),
    );
    let res = teacher
        .post_form(&path, &[(&m_ivan, "4"), (&m_oleg, "7"), (&a_oleg, "")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Page::parse(&res.text().await.unwrap());
    assert!(
        html.texts("p.field-error[role=\"alert\"]")
            .iter()
            .any(|e| e.contains("Ошибка в строке «Сидоров Олег»")),
        "{}",
        html.source()
    );
    assert!(html.has(&format!("fieldset#pupil-{oleg}.invalid")));
    assert_eq!(
        html.attr(&format!("#m-{oleg}"), "value").as_deref(),
        Some("7"),
        "what was typed is kept"
    );
    let grid = journal_json(&app, &token).await;
    assert!(grid["marks"].as_array().unwrap().is_empty());

    let res = teacher
        .post_form(&path, &[(&m_ivan, "5"), (&m_oleg, ""), (&a_oleg, "Н")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], path.as_str());
    let grid = journal_json(&app, &token).await;
    let marks = grid["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 1);
    assert_eq!(
        (marks[0]["student_id"].as_str(), marks[0]["value"].as_str()),
        (Some(ivan.as_str()), Some("5"))
    );
    let att = grid["attendance"].as_array().unwrap();
    assert_eq!(att.len(), 1);
    assert_eq!(att[0]["code"], "unexcused");

    let english = app.browser("english").await;
    let (status, _) = english.page(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(a_teacher_writes_a_recommendation_from_the_lesson_page_and_the_parent_reads_it);
async fn a_teacher_writes_a_recommendation_from_the_lesson_page_and_the_parent_reads_it(
    app: TestApp,
) {
    timetable(&app).await;
    let token = app.token("teacher").await;
    let grid = journal_json(&app, &token).await;
    let lesson = grid["lessons"][0]["id"].as_str().unwrap().to_owned();
    let (ivan, math) = (app.f.ivan.to_string(), app.f.math.to_string());
    let back = format!("/journal/lesson/{lesson}");
    let form_path = format!("/journal/recommend?student={ivan}&subject={math}&back={back}");
    let teacher = app.browser("teacher").await;

    let (status, html) = teacher.parsed(&back).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    let links = html.attrs(&format!("a#recommend-{ivan}"), "href");
    assert!(
        !links.is_empty() && links.iter().all(|l| *l == form_path),
        "a link per pupil: {links:?}"
    );
    let (status, html) = teacher.parsed(&form_path).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert!(html.has("form#recommend-form textarea[name=\"body\"]"));
    assert_eq!(
        html.attr("form#recommend-form input[name=\"back\"]", "value")
            .as_ref(),
        Some(&back)
    );

    // An empty text: the form again, 422.
    let fields = |body: &'static str| {
        [
            ("student", ivan.clone()),
            ("subject", math.clone()),
            ("back", back.clone()),
            ("body", body.to_owned()),
        ]
    };
    let empty = fields("   ");
    let empty: Vec<(&str, &str)> = empty.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = teacher.post_form("/journal/recommend", &empty).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(Page::parse(&res.text().await.unwrap()).has("form#recommend-form #recommend-error"));

    let good = fields("Повторить сложение дробей.");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = teacher.post_form("/journal/recommend", &good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], back.as_str());

    // The return address must stay on this site's journal pages.
    let mut away = good.clone();
    away[2] = ("back", "https://evil.example/journal/");
    let res = teacher.post_form("/journal/recommend", &away).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/journal");

    let list = app
        .get_json(
            &format!("/api/v1/students/{ivan}/recommendations"),
            &app.token("parent").await,
        )
        .await;
    let bodies: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].as_str().unwrap())
        .collect();
    assert!(bodies.contains(&"Повторить сложение дробей."), "{list}");

    // A teacher who does not teach Иван is refused.
    let english = app.browser("english").await;
    let res = english.post_form("/journal/recommend", &good).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
