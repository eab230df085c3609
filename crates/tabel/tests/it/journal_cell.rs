//! A journal cell on its own page (every mark with its work type, comment and debt date; the
//! attendance with minutes late and a reason), the substitute's lesson page, the class page's
//! list of journals, and what the grid's neighbours show: over plain HTTP, without JavaScript.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{Page, TestApp, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The marks and attendance of one cell, from the API's view of the journal.
async fn cell_json(app: &TestApp, lesson: &str, student: &str) -> (Vec<Value>, Vec<Value>) {
    let token = app.token("teacher").await;
    let grid = app
        .get_json(
            &format!(
                "/api/v1/journal?group={}&subject={}",
                app.f.class_5a, app.f.math
            ),
            &token,
        )
        .await;
    let of_cell = |key: &str| -> Vec<Value> {
        grid[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["lesson_id"] == lesson && m["student_id"] == student)
            .cloned()
            .collect()
    };
    (of_cell("marks"), of_cell("attendance"))
}

both_backends!(the_cell_page_writes_every_mark_with_its_work_type_and_the_lateness);
async fn the_cell_page_writes_every_mark_with_its_work_type_and_the_lateness(app: TestApp) {
    let deputy = timetable(&app).await;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let lesson = id(&week[0]);
    let ivan = app.f.ivan.to_string();
    let page = format!("/journal/cell?lesson={lesson}&student={ivan}");
    let teacher = app.browser("teacher").await;

    let (status, html) = teacher.parsed(&page).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert!(html.text("h1#cell-pupil").starts_with("Петров Иван"));
    assert!(html.has("form#add-mark"));
    assert_eq!(html.text("#cell-marks p.muted"), "Отметок нет.");

    // The first mark takes the lesson type's default work type; the second is another work.
    let base = [("lesson", lesson.as_str()), ("student", ivan.as_str())];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut form: Vec<(&str, &str)> = base.to_vec();
        form.extend_from_slice(extra);
        form
    };
    let res = teacher
        .post_form("/journal/cell/marks", &with(&[("value", "5")]))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("{page}&saved=1").as_str()
    );
    let res = teacher
        .post_form(
            "/journal/cell/marks",
            &with(&[
                ("value", "3"),
                ("work_type", "test"),
                ("comment", "не решена задача 4"),
                ("debt_until", "2026-12-10"),
            ]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (marks, _) = cell_json(&app, &lesson, &ivan).await;
    assert_eq!(marks.len(), 2, "{marks:?}");
    let test = marks.iter().find(|m| m["work_type"] == "test").unwrap();
    assert_eq!(test["value"], "3");
    assert_eq!(test["comment"], "не решена задача 4");
    assert_eq!(test["debt_until"], "2026-12-10");
    assert_ne!(marks[0]["work_type"], marks[1]["work_type"]);

    // A second mark of the same work type is refused with the page, and nothing is written.
    let res = teacher
        .post_form(
            "/journal/cell/marks",
            &with(&[("value", "4"), ("work_type", "test")]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Page::parse(&res.text().await.unwrap());
    assert!(html.has("#cell-error[role=\"alert\"]"), "{}", html.source());
    assert_eq!(
        html.attr("form#add-mark input#new-value", "value")
            .as_deref(),
        Some("4"),
        "what was typed is kept"
    );
    assert_eq!(cell_json(&app, &lesson, &ivan).await.0.len(), 2);

    // Both marks show with their work types; the debt is corrected: 3 → 4, debt cleared.
    let (_, html) = teacher.parsed(&page).await;
    let legends = html.texts("#cell-marks form.cell-mark legend");
    assert_eq!(legends.len(), 2, "{legends:?}");
    assert!(
        legends.iter().all(|l| l.contains('×')),
        "work types with weights: {legends:?}"
    );
    let test_id = test["id"].as_str().unwrap().to_owned();
    let version = test["version"].as_i64().unwrap().to_string();
    let mark_path = format!("/journal/cell/marks/{test_id}");
    let mut form = base.to_vec();
    form.extend_from_slice(&[
        ("version", version.as_str()),
        ("value", "4"),
        ("work_type", "test"),
        ("comment", "исправлено"),
        ("debt_until", ""),
    ]);
    assert_eq!(
        teacher.post_form(&mark_path, &form).await.status(),
        StatusCode::SEE_OTHER
    );
    let (marks, _) = cell_json(&app, &lesson, &ivan).await;
    let test = marks.iter().find(|m| m["work_type"] == "test").unwrap();
    assert_eq!(
        (test["value"].as_str(), test["debt_until"].as_str()),
        (Some("4"), None)
    );
    // The same form again is stale: refused, the current value is kept.
    let res = teacher.post_form(&mark_path, &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(Page::parse(&res.text().await.unwrap()).has("#cell-error"));

    // Deleting names the version too.
    let version = test["version"].as_i64().unwrap().to_string();
    let mut del = base.to_vec();
    del.push(("version", version.as_str()));
    assert_eq!(
        teacher
            .post_form(&format!("{mark_path}/delete"), &del)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(cell_json(&app, &lesson, &ivan).await.0.len(), 1);

    // Late by 12 minutes, with a reason; then changed to an illness; then cleared.
    let res = teacher
        .post_form(
            "/journal/cell/attendance",
            &with(&[
                ("version", "0"),
                ("code", "late"),
                ("minutes_late", "12"),
                ("reason", "автобус"),
            ]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, att) = cell_json(&app, &lesson, &ivan).await;
    assert_eq!(
        (&att[0]["code"], &att[0]["minutes_late"], &att[0]["reason"]),
        (&json!("late"), &json!(12), &json!("автобус"))
    );
    let (_, html) = teacher.parsed(&page).await;
    assert_eq!(html.attr("#att-minutes", "value").as_deref(), Some("12"));
    assert_eq!(
        html.attr("#att-reason", "value").as_deref(),
        Some("автобус")
    );
    let v = att[0]["version"].as_i64().unwrap().to_string();
    let mut ill = base.to_vec();
    ill.extend_from_slice(&[("version", v.as_str()), ("code", "ill")]);
    assert_eq!(
        teacher
            .post_form("/journal/cell/attendance", &ill)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let (_, att) = cell_json(&app, &lesson, &ivan).await;
    assert_eq!(att[0]["code"], "ill");
    let v = att[0]["version"].as_i64().unwrap().to_string();
    let mut clear = base.to_vec();
    clear.extend_from_slice(&[("version", v.as_str()), ("code", "")]);
    assert_eq!(
        teacher
            .post_form("/journal/cell/attendance", &clear)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert!(cell_json(&app, &lesson, &ivan).await.1.is_empty());

    // The history of the cell lists all of it, in the schools' local time.
    let (_, history) = teacher
        .page(&format!("/journal/history?lesson={lesson}&student={ivan}"))
        .await;
    assert!(history.matches("<tr>").count() >= 8, "{history}");
}

both_backends!(the_cell_page_is_read_only_for_readers_and_closed_to_others);
async fn the_cell_page_is_read_only_for_readers_and_closed_to_others(app: TestApp) {
    let deputy = timetable(&app).await;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let lesson = id(&week[0]);
    let ivan = app.f.ivan.to_string();
    let page = format!("/journal/cell?lesson={lesson}&student={ivan}");
    let teacher = app.token("teacher").await;
    let res = post(
        &app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": ivan, "lesson_id": lesson, "value": "5", "comment": "устный ответ"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // The deputy head reads the cell: the mark and its comment, no forms.
    let zavuch = app.browser("zavuch").await;
    let (status, html) = zavuch.parsed(&page).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert!(
        html.text("#cell-marks p.cell-mark")
            .contains("устный ответ")
    );
    assert!(!html.has("main form"), "no forms: {}", html.source());
    assert!(
        !html.source().contains("id=\"add-mark\"")
            && !html.source().contains("id=\"attendance-form\"")
    );
    // ...and a write from them is refused.
    let res = zavuch
        .post_form(
            "/journal/cell/marks",
            &[
                ("lesson", lesson.as_str()),
                ("student", ivan.as_str()),
                ("value", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Another school's administrator and a parent see nothing of it.
    for login in ["admin2", "parent"] {
        let (status, _) = app.browser(login).await.page(&page).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{login}: {status}"
        );
    }
    // A pupil who is not in the class is no cell of this journal.
    let anna = app.f.anna.to_string();
    let (status, _) = app
        .browser("teacher")
        .await
        .page(&format!("/journal/cell?lesson={lesson}&student={anna}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

both_backends!(a_substitute_opens_the_lesson_page_from_the_week_and_writes_that_lesson_only);
async fn a_substitute_opens_the_lesson_page_from_the_week_and_writes_that_lesson_only(
    app: TestApp,
) {
    let deputy = timetable(&app).await;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let (monday, wednesday) = (&week[0], &week[1]);
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/lessons/{}/substitution", id(monday)),
        json!({"teacher_id": app.f.english.to_string(), "reason": "болезнь учителя", "version": monday["version"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    let english = app.browser("english").await;
    let (_, my_week) = english.parsed("/timetable/my?week=2026-11-23").await;
    let path = format!("/journal/lesson/{}", id(monday));
    assert!(
        my_week.has(&format!("#week a[href=\"{path}\"]")),
        "the substitute's week links the lesson: {}",
        my_week.source()
    );
    let (status, html) = english.page(&path).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        !html.contains("id=\"to-grid\""),
        "the rest of the journal is not hers"
    );
    let ivan = app.f.ivan.to_string();
    let field = format!("m_{ivan}");
    let res = english.post_form(&path, &[(&field, "4")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (marks, _) = cell_json(&app, &id(monday), &ivan).await;
    assert_eq!(marks.len(), 1);

    // Wednesday's lesson (not substituted) and the grid stay closed to her.
    let (status, _) = english
        .page(&format!("/journal/lesson/{}", id(wednesday)))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = english
        .page(&format!("/journal/{}/{}", app.f.class_5a, app.f.math))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

both_backends!(the_class_page_lists_its_journals_to_those_who_read_them);
async fn the_class_page_lists_its_journals_to_those_who_read_them(app: TestApp) {
    timetable(&app).await;
    let path = format!("/school/classes/{}", app.f.class_5a);
    let grid = format!("/journal/{}/{}", app.f.class_5a, app.f.math);
    let english_grid = format!("/journal/{}/{}", app.f.subgroup, app.f.english_subject);

    // The deputy head sees every journal of 5А, its subgroup's English included.
    let (status, html) = app.browser("zavuch").await.parsed(&path).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    let links = html.attrs("#class-journals a", "href");
    assert!(
        links.contains(&grid) && links.contains(&english_grid),
        "{links:?}"
    );
    // The English teacher sees her own journal of the class only.
    let (status, html) = app.browser("english").await.parsed(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.attrs("#class-journals a", "href"),
        [english_grid.as_str()]
    );
    assert!(!html.source().contains(&grid), "{}", html.source());
    // And each link opens: the deputy head reads the grid.
    let (status, _) = app.browser("zavuch").await.page(&english_grid).await;
    assert_eq!(status, StatusCode::OK);
}

both_backends!(the_recommendation_form_shows_what_was_recommended_before);
async fn the_recommendation_form_shows_what_was_recommended_before(app: TestApp) {
    timetable(&app).await;
    let teacher = app.token("teacher").await;
    let ivan = app.f.ivan.to_string();
    let res = post(
        &app,
        &teacher,
        "/api/v1/recommendations",
        json!({"student_id": ivan, "subject_id": app.f.math.to_string(), "body": "Повторить таблицу умножения на 7"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let path = format!("/journal/recommend?student={ivan}&subject={}", app.f.math);
    let (status, html) = app.browser("teacher").await.parsed(&path).await;
    assert_eq!(status, StatusCode::OK);
    let earlier = html.texts("#recommend-earlier li");
    assert!(
        earlier.len() == 1 && earlier[0].ends_with("Повторить таблицу умножения на 7"),
        "{earlier:?}"
    );
    // Someone who may not see the pupil gets the form (refused when posted) but no list.
    let (_, html) = app.browser("admin2").await.page(&path).await;
    assert!(!html.contains("Повторить таблицу умножения"), "{html}");
}
