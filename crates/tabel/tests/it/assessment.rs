//! The schedule of assessment procedures through the API: each rule at its edge, overrides,
//! who sees what, the XLSX export.

use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::calendar::WeeklyHours;
use tabel_store::school::{NewCurriculumItem, insert_curriculum_item};

/// Bells, 5А's Tuesday (English 1 and 3 in the subgroup, mathematics 2) and the curriculum:
/// mathematics 2 h a week, 68 a year (6 procedures allowed); English 3 h, 102 a year.
pub(crate) async fn setup(app: &TestApp) -> String {
    let f = &app.f;
    {
        let mut tx = app.db.db.begin().await.unwrap();
        for (subject, tenths, yearly) in [(f.math, 20, 68), (f.english_subject, 30, 102)] {
            insert_curriculum_item(
                &mut tx.conn(),
                &NewCurriculumItem {
                    school: f.school,
                    year: f.year,
                    grade: Some(5),
                    group: None,
                    subject,
                    weekly: WeeklyHours::from_tenths(tenths),
                    yearly,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let token = app.token("zavuch").await;
    let bells: Vec<Value> = (1..=6).map(|n: u16| json!({"number": n, "starts": format!("{:02}:00", 7 + n), "ends": format!("{:02}:45", 7 + n)})).collect();
    let res = app
        .http
        .put(app.url("/api/v1/bells"))
        .bearer_auth(&token)
        .json(&json!({"slots": bells}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for (group, number, subject, teacher) in [
        (f.subgroup, 1, f.english_subject, f.english),
        (f.class_5a, 2, f.math, f.teacher),
        (f.subgroup, 3, f.english_subject, f.english),
    ] {
        let res = app
            .http
            .post(app.url("/api/v1/timetable"))
            .bearer_auth(&token)
            .json(&json!({"group_id": group.to_string(), "weekday": 2, "number": number, "subject_id": subject.to_string(), "teacher_id": teacher.to_string()}))
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

pub(crate) async fn plan(
    app: &TestApp,
    token: &str,
    subject: tabel_domain::SubjectId,
    date: &str,
    number: u8,
    extra: Value,
) -> reqwest::Response {
    let mut body = json!({"class_id": app.f.class_5a.to_string(), "subject_id": subject.to_string(), "date": date, "number": number, "title": "Контрольная работа"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    app.http
        .post(app.url("/api/v1/assessments"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn refused(res: reqwest::Response) -> Value {
    let body = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    body["errors"].clone()
}

both_backends!(each_rule_allows_its_edge_and_refuses_one_step_over);
async fn each_rule_allows_its_edge_and_refuses_one_step_over(app: TestApp) {
    let token = setup(&app).await;
    let math = app.f.math;
    // Tuesdays, three weeks apart: six procedures fit 10 % of 68 hours.
    let tuesdays = [
        "2026-09-08",
        "2026-09-29",
        "2026-10-20",
        "2026-11-10",
        "2026-12-01",
        "2026-12-22",
    ];
    for d in tuesdays {
        let res = plan(&app, &token, math, d, 2, json!({})).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{d}: {}",
            res.text().await.unwrap()
        );
    }
    let errors = refused(plan(&app, &token, math, "2027-01-19", 2, json!({})).await).await;
    assert_eq!(
        errors["quota"],
        "7 of 6 allowed for Математика in 5А (parallel 5: 10 % of 68 h a year)"
    );
    // Once in 2.5 weeks: between two procedures (14 and 7 days away) is too soon; the nearest is named.
    let errors = refused(plan(&app, &token, math, "2026-09-22", 2, json!({})).await).await;
    assert!(
        errors["frequency"]
            .as_str()
            .unwrap()
            .contains("7 days from the procedure of 2026-09-29"),
        "{errors}"
    );
    // One per class per day; English has three lessons a week, so not the first or last lesson.
    let errors = refused(
        plan(
            &app,
            &token,
            app.f.english_subject,
            "2026-09-08",
            1,
            json!({}),
        )
        .await,
    )
    .await;
    assert!(
        errors["one-per-day"].is_string() && errors["first-last"].is_string(),
        "{errors}"
    );
    assert!(errors.get("quota").is_none());
    // At least 30 minutes.
    let errors = refused(
        plan(
            &app,
            &token,
            app.f.english_subject,
            "2026-09-15",
            3,
            json!({"minutes": 29}),
        )
        .await,
    )
    .await;
    assert!(
        errors["duration"].is_string() && errors["first-last"].is_string(),
        "{errors}"
    );
    // A procedure needs a lesson of the subject at that number.
    let errors = refused(plan(&app, &token, math, "2026-09-15", 4, json!({})).await).await;
    assert!(
        errors["number"].as_str().unwrap().contains("no lesson"),
        "{errors}"
    );
    let schedule = app
        .get_json(
            &format!("/api/v1/assessments?class={}", app.f.class_5a),
            &token,
        )
        .await;
    assert_eq!(
        schedule.as_array().unwrap().len(),
        6,
        "nothing refused was saved"
    );
}

both_backends!(only_a_deputy_head_overrides_and_the_reason_is_kept);
async fn only_a_deputy_head_overrides_and_the_reason_is_kept(app: TestApp) {
    let deputy = setup(&app).await;
    let math = app.f.math;
    assert_eq!(
        plan(&app, &deputy, math, "2026-09-08", 2, json!({}))
            .await
            .status(),
        StatusCode::CREATED
    );
    let admin = app.token("admin").await;
    let res = plan(
        &app,
        &admin,
        math,
        "2026-09-15",
        2,
        json!({"override_reason": "перенос ВПР"}),
    )
    .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = plan(
        &app,
        &deputy,
        math,
        "2026-09-15",
        2,
        json!({"override_reason": "  "}),
    )
    .await;
    assert!(
        refused(res).await["frequency"].is_string(),
        "an empty reason is no override"
    );
    let res = plan(
        &app,
        &deputy,
        math,
        "2026-09-15",
        2,
        json!({"override_reason": "перенос ВПР по письму управления"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let schedule = app
        .get_json(
            &format!("/api/v1/assessments?class={}", app.f.class_5a),
            &deputy,
        )
        .await;
    assert_eq!(
        schedule[1]["override_reason"],
        "перенос ВПР по письму управления"
    );
    assert_eq!(schedule[0]["override_reason"], Value::Null);
    let teacher = app.token("teacher").await;
    assert_problem(
        plan(&app, &teacher, math, "2026-10-20", 2, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

both_backends!(families_see_their_class_schedule_and_staff_export_the_school_schedule);
async fn families_see_their_class_schedule_and_staff_export_the_school_schedule(app: TestApp) {
    let deputy = setup(&app).await;
    assert_eq!(
        plan(
            &app,
            &deputy,
            app.f.math,
            "2026-09-08",
            2,
            json!({"level": "federal", "title": "ВПР"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
    let parent = app.token("parent").await;
    // Families see the schedule once it is approved and published.
    let path = format!("/api/v1/assessments?class={}", app.f.class_5a);
    assert_eq!(app.get_json(&path, &parent).await, json!([]));
    let res = crate::support::post(
        &app,
        &deputy,
        "/api/v1/assessment-schedule/approve",
        json!({}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let res = crate::support::post(
        &app,
        &deputy,
        "/api/v1/assessment-schedule/publish",
        json!({}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let mine = app.get_json(&path, &parent).await;
    assert_eq!(mine[0]["level"], "federal");
    assert_problem(
        app.get(
            &format!("/api/v1/assessments?class={}", app.f.other_class),
            &parent,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get("/api/v1/assessments", &parent).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get("/api/v1/assessments.xlsx", &parent).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let teacher = app.token("teacher").await;
    let res = app.get("/api/v1/assessments.xlsx", &teacher).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"));
    let b = app.browser("parent").await;
    let (status, page) = b
        .parsed(&format!("/assessments?class={}", app.f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = page.select_rows("#assessments tbody tr");
    assert!(
        rows.iter()
            .any(|r| r[1] == "08.09.2026" && r[5].contains("ВПР")),
        "{rows:?}"
    );
    let (status, page) = app
        .browser("zavuch")
        .await
        .parsed(&format!("/assessments?class={}", app.f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.has("form#plan-form"));
    // Removing needs a reason; then it is gone.
    let id = mine[0]["id"].as_str().unwrap();
    let res = app
        .http
        .delete(app.url(&format!("/api/v1/assessments/{id}?reason=")))
        .bearer_auth(&deputy)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app
        .http
        .delete(app.url(&format!("/api/v1/assessments/{id}?reason=ошибка")))
        .bearer_auth(&deputy)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}
