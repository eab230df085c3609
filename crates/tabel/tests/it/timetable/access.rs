//! Who changes the timetable and what families see.

use super::{add, plan, week_of};
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(only_planners_change_the_timetable_and_families_see_only_their_classes);
async fn only_planners_change_the_timetable_and_families_see_only_their_classes(app: TestApp) {
    plan(&app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    let res = add(&app, &teacher, json!({"group_id": f.class_5b.to_string(), "weekday": 2, "number": 1, "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string()})).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let parent = app.token("parent").await;
    assert_eq!(
        week_of(&app, &parent, &format!("class={}", f.class_5a))
            .await
            .len(),
        3
    );
    assert_eq!(
        week_of(&app, &parent, &format!("student={}", f.ivan))
            .await
            .len(),
        3
    );
    assert_problem(
        app.get(&format!("/api/v1/lessons?student={}", f.oleg), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/lessons?class={}", f.other_class), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let refuser = app.token("refuser").await;
    assert_problem(
        app.get(&format!("/api/v1/lessons?class={}", f.class_5a), &refuser)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get("/api/v1/lessons?from=2026-11-23", &parent).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        app.get(
            &format!(
                "/api/v1/lessons?class={}&from=2026-11-23&to=2026-11-01",
                f.class_5a
            ),
            &parent,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

both_backends!(a_family_sees_the_class_calendar_and_week);
async fn a_family_sees_the_class_calendar_and_week(app: TestApp) {
    plan(&app).await;
    let b = app.browser("parent").await;
    let (status, page) = b
        .parsed(&format!("/timetable/classes/{}/calendar", app.f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    let periods: Vec<(String, String)> = page
        .texts("#periods tr td:first-child")
        .into_iter()
        .zip(page.texts("#periods tr td:nth-child(2)"))
        .collect();
    assert!(
        periods.contains(&("1 четверть".into(), "01.09.2026 – 24.10.2026".into())),
        "{periods:?}"
    );
    assert!(
        page.texts("#bells tr td:nth-child(2)")
            .contains(&"08:30–09:15".to_owned()),
        "{:?}",
        page.texts("#bells tr")
    );
    let (status, page) = b
        .parsed(&format!(
            "/timetable/classes/{}?week=2026-11-23",
            app.f.class_5a
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.text("#week").contains("Математика") && !page.source().contains("add-line"),
        "families read, they do not plan"
    );
    let (status, _) = b
        .page(&format!(
            "/timetable/classes/{}/calendar",
            app.f.other_class
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = b.page("/timetable/desk").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
