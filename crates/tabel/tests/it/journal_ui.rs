//! The teacher's grid in a real headless Chromium.
//! Also the grid and journal list pages over plain HTTP: who may open them, what they show, and
//! the lesson form without JavaScript.

use crate::browser::Driver;
use crate::support::{PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Bells, and 5А's mathematics (the `teacher`) on Monday 1, Wednesday 2 and Friday 3 from the
/// start of the year. Returns the deputy's token.
async fn timetable(app: &TestApp) -> String {
    let token = app.token("zavuch").await;
    let bells: Vec<Value> = (1..=6)
        .map(|n: u16| {
            let start = 8 * 60 + 30 + (n - 1) * 55;
            json!({"number": n, "starts": format!("{:02}:{:02}", start / 60, start % 60),
                "ends": format!("{:02}:{:02}", (start + 45) / 60, (start + 45) % 60)})
        })
        .collect();
    let res = app
        .http
        .put(app.url("/api/v1/bells"))
        .bearer_auth(&token)
        .json(&json!({"slots": bells}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let f = &app.f;
    for (weekday, number) in [(1, 1), (3, 2), (5, 3)] {
        let res = app
            .http
            .post(app.url("/api/v1/timetable"))
            .bearer_auth(&token)
            .json(&json!({"group_id": f.class_5a.to_string(), "weekday": weekday, "number": number,
                "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string(), "room": "21"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
    }
    token
}

fn grid_path(app: &TestApp) -> String {
    format!("/journal/{}/{}", app.f.class_5a, app.f.math)
}

/// The journal of 5А's mathematics through the API, as `token` sees it.
async fn journal_json(app: &TestApp, token: &str) -> Value {
    app.get_json(
        &format!(
            "/api/v1/journal?group={}&subject={}",
            app.f.class_5a, app.f.math
        ),
        token,
    )
    .await
}

#[tokio::test]
async fn the_teacher_opens_the_grid_of_a_class_and_others_are_refused() {
    let app = TestApp::sqlite().await;
    timetable(&app).await;
    let teacher = app.browser("teacher").await;

    let (status, list) = teacher.page("/journal").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("5А") && list.contains("Математика") && list.contains(&grid_path(&app)),
        "{list}"
    );
    let (_, home) = teacher.page("/").await;
    assert!(
        home.contains("href=\"/journal\""),
        "the home page links the journals"
    );

    let (status, html) = teacher.page(&grid_path(&app)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("Петров Иван") && html.contains("Сидоров Олег"),
        "{html}"
    );
    assert!(html.contains("2 четверть"), "the current period is named");
    // Every lesson of the period is a column, dated dd.mm, with a form for its topic.
    let grid = journal_json(&app, &app.token("teacher").await).await;
    let lessons = grid["lessons"].as_array().unwrap();
    assert!(lessons.len() >= 20, "{} lessons", lessons.len());
    for l in lessons {
        let id = l["id"].as_str().unwrap();
        assert!(
            html.contains(&format!(
                "<th scope=\"col\" class=\"l\" data-lesson=\"{id}\""
            )),
            "column of lesson {id}"
        );
        assert!(html.contains(&format!("id=\"topic-{id}\"")));
    }
    let first_day = &lessons[0]["date"].as_str().unwrap()[5..];
    let (month, day) = first_day.split_once('-').unwrap();
    assert!(
        html.contains(&format!(">{day}.{month}</a>")),
        "the first lesson dated dd.mm"
    );
    // Past lessons are editable for both pupils, future ones (after 28.11) are not.
    let past = lessons
        .iter()
        .filter(|l| l["date"].as_str().unwrap() <= "2026-11-28")
        .count();
    assert_eq!(html.matches("<td class=\"c\" tabindex").count(), past * 2);
    assert_eq!(
        html.matches("<td class=\"c ro\" tabindex").count(),
        (lessons.len() - past) * 2
    );
    // Another period through the switcher.
    let first = grid["periods"][0]["id"].as_str().unwrap();
    let (status, html) = teacher
        .page(&format!("{}?period={first}", grid_path(&app)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<strong aria-current=\"page\">1 четверть</strong>"));
    assert!(!html.contains(&format!(
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

#[tokio::test]
async fn the_lesson_form_saves_a_topic_without_javascript() {
    let app = TestApp::sqlite().await;
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
    let (_, html) = teacher.page(&grid_path(&app)).await;
    assert!(html.contains("Натуральные числа") && html.contains("№ 12"));
    // The same version again is stale: the form says so instead of overwriting.
    let res = teacher
        .post_form(&action, &[("version", "0"), ("topic", "Другое")])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let grid = journal_json(&app, &token).await;
    assert_eq!(grid["lessons"][0]["record"]["topic"], "Натуральные числа");
}

/// The cell of a pupil (by person id) in a lesson.
fn cell(lesson: &str, student: &str) -> String {
    format!("#journal td[data-lesson='{lesson}'][data-student='{student}']")
}

#[tokio::test]
async fn a_teacher_fills_a_column_with_the_keyboard_and_writes_the_topic_in_the_form() {
    let app = TestApp::sqlite().await;
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

#[tokio::test]
async fn a_cell_changed_meanwhile_shows_the_conflict_and_a_bad_value_the_error() {
    let app = TestApp::sqlite().await;
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
