//! The grid page: who opens it, filling a column with the keyboard, conflicts and errors, a cell's
//! history, closing the period.

use super::{grid_path, journal_json, timetable};
use crate::browser::Driver;
use crate::support::{PASSWORD, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(the_teacher_opens_the_grid_of_a_class_and_others_are_refused);
async fn the_teacher_opens_the_grid_of_a_class_and_others_are_refused(app: TestApp) {
    timetable(&app).await;
    let teacher = app.browser("teacher").await;

    let (status, list) = teacher.parsed("/journal").await;
    assert_eq!(status, StatusCode::OK);
    let journals = list.select_rows("#journals tbody tr");
    assert!(
        journals.contains(&vec!["5А".to_owned(), "Математика".to_owned()]),
        "{journals:?}"
    );
    assert!(
        list.attrs("#journals a", "href").contains(&grid_path(&app)),
        "{}",
        list.source()
    );
    let (_, home) = teacher.parsed("/").await;
    assert!(
        home.has("a[href=\"/journal\"]"),
        "the home page links the journals"
    );

    let (status, page) = teacher.parsed(&grid_path(&app)).await;
    assert_eq!(status, StatusCode::OK, "{}", page.source());
    let pupils = page.texts("#journal tbody th.n").join("\n");
    assert!(
        pupils.contains("Петров Иван") && pupils.contains("Сидоров Олег"),
        "{pupils}"
    );
    assert!(
        page.text("#journal-period").contains("2 четверть"),
        "the current period is named"
    );
    // Every lesson of the period is a column, dated dd.mm, with a form for its topic.
    let grid = journal_json(&app, &app.token("teacher").await).await;
    let lessons = grid["lessons"].as_array().unwrap();
    assert!(lessons.len() >= 20, "{} lessons", lessons.len());
    let columns = page.attrs("#journal thead th.l", "data-lesson");
    let ids: Vec<&str> = lessons.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(columns, ids, "a column per lesson, in order");
    for id in &ids {
        assert!(
            page.has(&format!("#lessons form.lesson-form input#topic-{id}")),
            "the topic form of lesson {id}"
        );
    }
    let first_day = &lessons[0]["date"].as_str().unwrap()[5..];
    let (month, day) = first_day.split_once('-').unwrap();
    assert_eq!(
        page.texts("#journal thead th.l > a:first-child")[0],
        format!("{day}.{month}"),
        "the first lesson dated dd.mm"
    );
    // Past lessons are editable for both pupils, future ones (after 28.11) are not.
    let past = lessons
        .iter()
        .filter(|l| l["date"].as_str().unwrap() <= "2026-11-28")
        .count();
    assert_eq!(page.count("#journal tbody td.c:not(.ro)"), past * 2);
    assert_eq!(
        page.count("#journal tbody td.c.ro"),
        (lessons.len() - past) * 2
    );
    // Another period through the switcher.
    let first = grid["periods"][0]["id"].as_str().unwrap();
    let (status, html) = teacher
        .parsed(&format!("{}?period={first}", grid_path(&app)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.text("nav.periods strong[aria-current=\"page\"]"),
        "1 четверть"
    );
    assert!(!html.source().contains(&format!(
        "data-lesson=\"{}\"",
        lessons[0]["id"].as_str().unwrap()
    )));

    // The teacher of 5Б's mathematics may not open 5А's; a parent neither.
    let english = app.browser("english").await;
    let (status, _) = english.page(&grid_path(&app)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let parent = app.browser("parent").await;
    let (status, _) = parent.page(&grid_path(&app)).await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    let (status, list) = parent.page("/journal").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!list.contains("5А"));
    // Nonsense ids are simply not found.
    let (status, _) = teacher.page("/journal/x/1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The cell of a pupil (by person id) in a lesson.
fn cell(lesson: &str, student: &str) -> String {
    format!("#journal td[data-lesson='{lesson}'][data-student='{student}']")
}

both_backends!(a_teacher_fills_a_column_with_the_keyboard_and_writes_the_topic_in_the_form);
async fn a_teacher_fills_a_column_with_the_keyboard_and_writes_the_topic_in_the_form(app: TestApp) {
    timetable(&app).await;
    let f = &app.f;
    let (ivan, oleg) = (f.ivan.to_string(), f.oleg.to_string());
    let Some(d) = Driver::start().await else {
        return;
    };
    d.window(1280, 900).await;
    d.go(&app.url("/login")).await;
    d.type_into("#login", "teacher").await;
    d.type_into("#password", PASSWORD).await;
    d.click("#submit").await;
    d.find("#greeting").await;
    d.click("#home-journal").await;
    d.click(&format!("#journals a[href='{}']", grid_path(&app)))
        .await;
    d.find("#journal").await;

    // The first editable cell of the first pupil (Петров Иван), a past lesson.
    let first = format!("#journal tbody tr[data-student='{ivan}'] td.c:not(.ro)");
    d.click(&first).await;
    let lesson = d
        .script(&format!(
            "return document.querySelector(\"{first}\").dataset.lesson"
        ))
        .await
        .as_str()
        .unwrap()
        .to_owned();
    d.keys("5\u{E007}").await;
    let active = d
        .script("const a = document.activeElement; return [a.dataset.student, a.dataset.lesson]")
        .await;
    assert_eq!(
        active,
        json!([oleg, lesson]),
        "Enter moves to the next pupil"
    );
    d.keys("н\u{E007}").await;
    for who in [&ivan, &oleg] {
        let sel = cell(&lesson, who);
        assert!(
            d.wait_until(&format!(
                "return document.querySelector(\"{sel}\").classList.contains('saved')"
            ))
            .await,
            "{sel} saved: {}",
            d.script(&format!(
                "const c = document.querySelector(\"{sel}\"); return c.className + ' ' + c.title"
            ))
            .await
        );
    }

    // The lesson's topic and homework through its form.
    d.click(&format!("#lesson-{lesson} > summary")).await;
    d.type_into(&format!("#topic-{lesson}"), "Сложение дробей")
        .await;
    d.type_into(&format!("#homework-{lesson}"), "№ 245, 247")
        .await;
    d.click(&format!("#save-{lesson}")).await;
    assert!(
        d.wait_until(&format!(
            "return document.getElementById('status-{lesson}').textContent === 'Сохранено'"
        ))
        .await,
        "lesson saved: {}",
        d.text(&format!("#status-{lesson}")).await
    );

    // After a reload the grid shows what was written.
    d.go(&app.url(&grid_path(&app))).await;
    assert_eq!(d.text(&cell(&lesson, &ivan)).await.trim(), "5");
    assert_eq!(d.text(&cell(&lesson, &oleg)).await.trim(), "Н");
    assert!(
        d.text(&format!("#lesson-{lesson} > summary"))
            .await
            .contains("Сложение дробей")
    );
    assert!(
        d.text(&format!("th[data-lesson='{lesson}']"))
            .await
            .contains("Сложение")
    );

    // The API has them too.
    let token = app.token("teacher").await;
    let grid = journal_json(&app, &token).await;
    let marks: Vec<&Value> = grid["marks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["lesson_id"] == lesson.as_str())
        .collect();
    assert_eq!(marks.len(), 1, "{marks:?}");
    assert_eq!(
        (marks[0]["student_id"].as_str(), marks[0]["value"].as_str()),
        (Some(ivan.as_str()), Some("5"))
    );
    let absences: Vec<&Value> = grid["attendance"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["lesson_id"] == lesson.as_str())
        .collect();
    assert_eq!(absences.len(), 1, "{absences:?}");
    assert_eq!(
        (
            absences[0]["student_id"].as_str(),
            absences[0]["code"].as_str()
        ),
        (Some(oleg.as_str()), Some("unexcused"))
    );
    let record = grid["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == lesson.as_str())
        .unwrap()["record"]
        .clone();
    assert_eq!(
        (record["topic"].as_str(), record["homework"].as_str()),
        (Some("Сложение дробей"), Some("№ 245, 247"))
    );

    // Delete clears a cell.
    d.click(&cell(&lesson, &oleg)).await;
    d.keys("\u{E017}").await;
    let sel = cell(&lesson, &oleg);
    assert!(
        d.wait_until(&format!(
            "const c = document.querySelector(\"{sel}\"); return c.classList.contains('saved') && !c.dataset.attId"
        ))
        .await
    );
    d.quit().await;
    let grid = journal_json(&app, &token).await;
    assert!(
        grid["attendance"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["lesson_id"] != lesson.as_str()),
        "the absence is cleared"
    );
    assert_eq!(grid["marks"].as_array().unwrap().len(), 1);
}

both_backends!(a_cell_changed_meanwhile_shows_the_conflict_and_a_bad_value_the_error);
async fn a_cell_changed_meanwhile_shows_the_conflict_and_a_bad_value_the_error(app: TestApp) {
    timetable(&app).await;
    let f = &app.f;
    let (ivan, oleg) = (f.ivan.to_string(), f.oleg.to_string());
    let token = app.token("teacher").await;
    let grid = journal_json(&app, &token).await;
    let lesson = grid["lessons"][0]["id"].as_str().unwrap().to_owned();
    let Some(d) = Driver::start().await else {
        return;
    };
    d.window(1280, 900).await;
    d.go(&app.url("/login")).await;
    d.type_into("#login", "teacher").await;
    d.type_into("#password", PASSWORD).await;
    d.click("#submit").await;
    d.find("#greeting").await;
    d.go(&app.url(&grid_path(&app))).await;
    d.find("#journal").await;

    // Someone else (another session of the teacher) writes a 3 after the page was loaded.
    let res = app
        .http
        .post(app.url("/api/v1/marks"))
        .bearer_auth(&token)
        .json(&json!({"student_id": ivan, "lesson_id": lesson, "value": "3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    let sel = cell(&lesson, &ivan);
    d.click(&sel).await;
    d.keys("5\u{E007}").await;
    assert!(
        d.wait_until(&format!(
            "return document.querySelector(\"{sel}\").classList.contains('conflict')"
        ))
        .await
    );
    assert_eq!(
        d.text(&sel).await.trim(),
        "3",
        "the current value, not ours"
    );
    let title = d
        .script(&format!("return document.querySelector(\"{sel}\").title"))
        .await;
    assert!(
        title
            .as_str()
            .unwrap()
            .contains("Изменено другим пользователем"),
        "{title}"
    );

    // A value off the scale: the cell says why and keeps nothing.
    let other = cell(&lesson, &oleg);
    d.keys("7\u{E007}").await;
    assert!(
        d.wait_until(&format!(
            "return document.querySelector(\"{other}\").classList.contains('error')"
        ))
        .await
    );
    assert_eq!(d.text(&other).await.trim(), "");
    let title = d
        .script(&format!("return document.querySelector(\"{other}\").title"))
        .await;
    assert!(
        title.as_str().unwrap().starts_with("Не сохранено"),
        "{title}"
    );

    // Knowing the current value, the teacher corrects it on purpose.
    d.click(&sel).await;
    d.keys("4\u{E007}").await;
    assert!(
        d.wait_until(&format!(
            "return document.querySelector(\"{sel}\").classList.contains('saved')"
        ))
        .await
    );
    d.quit().await;
    let grid = journal_json(&app, &token).await;
    let values: Vec<&str> = grid["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["4"]);
}

/// Writes a mark through the API as `token`.
async fn post_mark(app: &TestApp, token: &str, lesson: &str, student: &str, value: &str) -> u16 {
    app.http
        .post(app.url("/api/v1/marks"))
        .bearer_auth(token)
        .json(&json!({"student_id": student, "lesson_id": lesson, "value": value}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

both_backends!(the_history_page_shows_a_cells_changes_to_readers_only);
async fn the_history_page_shows_a_cells_changes_to_readers_only(app: TestApp) {
    timetable(&app).await;
    let token = app.token("teacher").await;
    let grid = journal_json(&app, &token).await;
    let lesson = grid["lessons"][0]["id"].as_str().unwrap().to_owned();
    let ivan = app.f.ivan.to_string();
    assert_eq!(post_mark(&app, &token, &lesson, &ivan, "4").await, 201);
    let path = format!("/journal/history?lesson={lesson}&student={ivan}");

    let teacher = app.browser("teacher").await;
    let (status, html) = teacher.parsed(&path).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert_eq!(html.text("main h1"), "История ячейки");
    let rows = html.select_rows("#history tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0][1].as_str(), rows[0][2].as_str()),
        ("Отметка выставлена", "— → 4")
    );
    // The grid offers the history (H) and its page.
    let (_, grid_html) = teacher.parsed(&grid_path(&app)).await;
    assert!(grid_html.has("aside#cell-history a.full"));

    let english = app.browser("english").await;
    let (status, _) = english.page(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = teacher
        .page(&format!("/journal/history?lesson=x&student={ivan}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

both_backends!(the_deputy_closes_the_period_from_the_grid_and_the_teacher_can_no_longer_write);
async fn the_deputy_closes_the_period_from_the_grid_and_the_teacher_can_no_longer_write(
    app: TestApp,
) {
    timetable(&app).await;
    let token = app.token("teacher").await;
    let grid = journal_json(&app, &token).await;
    let period = grid["period"]["id"].as_str().unwrap().to_owned();
    let lesson = grid["lessons"][0]["id"].as_str().unwrap().to_owned();
    let ivan = app.f.ivan.to_string();

    let teacher = app.browser("teacher").await;
    let (_, html) = teacher.page(&grid_path(&app)).await;
    assert!(
        !html.contains("id=\"period-lock\""),
        "only deputies and admins"
    );
    let res = teacher
        .post_form(&format!("{}/periods/{period}/close", grid_path(&app)), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let zavuch = app.browser("zavuch").await;
    let (status, html) = zavuch.parsed(&grid_path(&app)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.text("form#period-lock button"), "Закрыть период");
    let res = zavuch
        .post_form(&format!("{}/periods/{period}/close", grid_path(&app)), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with(&format!("?period={period}"))
    );
    let (_, html) = zavuch.parsed(&grid_path(&app)).await;
    assert_eq!(html.text("form#period-lock button"), "Открыть период");

    let (_, html) = teacher.parsed(&grid_path(&app)).await;
    assert!(
        html.has("p#journal-closed[role=\"note\"]"),
        "{}",
        html.source()
    );
    assert_eq!(post_mark(&app, &token, &lesson, &ivan, "5").await, 409);

    let res = zavuch
        .post_form(&format!("{}/periods/{period}/reopen", grid_path(&app)), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(post_mark(&app, &token, &lesson, &ivan, "5").await, 201);
}
