//! The teacher's grid in a real headless Chromium.
//! Also the grid and journal list pages over plain HTTP: who may open them, what they show, and
//! the lesson form without JavaScript.

use crate::browser::Driver;
use crate::support::{PASSWORD, Page, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Bells, and 5А's mathematics (the `teacher`) on Monday 1, Wednesday 2 and Friday 3 from the
/// start of the year. Returns the deputy's token.
async fn timetable(app: &TestApp) -> String {
    let token = app.token("zavuch").await;
    app.standard_bells(&token).await;
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

/// The policy form as the page fills it, from the API's view of the current policy.
fn policy_form(policy: &Value) -> Vec<(String, String)> {
    let mut form = vec![
        (
            "scale".to_owned(),
            policy["scale"].as_str().unwrap().to_owned(),
        ),
        ("min_marks".to_owned(), policy["min_marks"].to_string()),
        ("two_caps".to_owned(), "1".to_owned()),
    ];
    for (i, t) in policy["thresholds"].as_array().unwrap().iter().enumerate() {
        let h = t.as_u64().unwrap();
        form.push((
            format!("threshold_{}", i + 3),
            format!("{}.{:02}", h / 100, h % 100),
        ));
    }
    for (i, w) in policy["work_types"].as_array().unwrap().iter().enumerate() {
        form.push((
            format!("wt_code_{i}"),
            w["code"].as_str().unwrap().to_owned(),
        ));
        form.push((
            format!("wt_name_{i}"),
            w["name"].as_str().unwrap().to_owned(),
        ));
        form.push((format!("wt_weight_{i}"), w["weight"].to_string()));
    }
    form
}

both_backends!(an_administrator_saves_a_new_grading_policy_version_from_the_page);
async fn an_administrator_saves_a_new_grading_policy_version_from_the_page(app: TestApp) {
    let path = format!("/admin/{}/grading-policy", app.f.school);
    let admin = app.browser("admin").await;
    let (status, html) = admin.parsed(&path).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert!(html.text("main h1").contains("Система оценивания"));
    assert!(
        html.attrs("#policy-form input[name^=\"threshold_\"]", "value")
            .contains(&"4.50".to_owned()),
        "{}",
        html.source()
    );
    assert!(
        html.attrs("#work-types input[name^=\"wt_name_\"]", "value")
            .contains(&"Контрольная работа".to_owned())
    );

    let token = app.token("admin").await;
    let current = app.get_json("/api/v1/grading-policy", &token).await;
    assert_eq!(current["version"], 0);
    let mut form = policy_form(&current["policy"]);
    let first = form.iter_mut().find(|(k, _)| k == "wt_weight_0").unwrap();
    first.1 = "1".to_owned();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = admin.post_form(&path, &pairs).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let saved = app.get_json("/api/v1/grading-policy", &token).await;
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["policy"]["work_types"][0]["weight"], 1);
    assert_eq!(
        saved["policy"]["lesson_types"], current["policy"]["lesson_types"],
        "lesson types carried over"
    );

    // Thresholds out of order, or not a number: 422 with the field named; nothing saved.
    for (field, value, named) in [
        ("threshold_3", "4.50", "thresholds"),
        ("threshold_4", "abc", "threshold_4"),
    ] {
        let mut bad = form.clone();
        bad.iter_mut().find(|(k, _)| k == field).unwrap().1 = value.to_owned();
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let res = admin.post_form(&path, &pairs).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = Page::parse(&res.text().await.unwrap());
        assert!(
            html.texts("p.field-error[role=\"alert\"]")
                .iter()
                .any(|e| e.starts_with(&format!("{named}:"))),
            "{}",
            html.source()
        );
        assert_eq!(
            html.attr(&format!("#policy-form input[name=\"{field}\"]"), "value")
                .as_deref(),
            Some(value),
            "kept"
        );
    }
    assert_eq!(
        app.get_json("/api/v1/grading-policy", &token).await["version"],
        1
    );

    let teacher = app.browser("teacher").await;
    let (status, _) = teacher.page(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = teacher.post_form(&path, &pairs).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
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
