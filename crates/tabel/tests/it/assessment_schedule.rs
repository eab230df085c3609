//! The schedule of assessment procedures as a document (issue 18, point 2), on both backends:
//! draft → approved by the deputy head (dated) → published to families; a correction is a new
//! version that families see only once it is published, with when and what changed; the
//! frequency rule per parallel, one work written class by class; procedures of a subgroup and of
//! a stream; the refusals; the pages.

use crate::assessment::{plan, setup};
use crate::support::{TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn approve(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    post(app, token, "/api/v1/assessment-schedule/approve", body).await
}

async fn publish(app: &TestApp, token: &str) -> reqwest::Response {
    post(app, token, "/api/v1/assessment-schedule/publish", json!({})).await
}

async fn created(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// A weekly lesson of a group.
async fn lesson(
    app: &TestApp,
    token: &str,
    (group, weekday, number): (tabel_domain::GroupId, u8, u8),
    subject: tabel_domain::SubjectId,
    teacher: tabel_domain::PersonId,
) {
    let res = post(
        app,
        token,
        "/api/v1/timetable",
        json!({"group_id": group.to_string(), "weekday": weekday, "number": number, "subject_id": subject.to_string(), "teacher_id": teacher.to_string()}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
}

/// 5Б's Wednesday: mathematics at lesson 2 between two English lessons of the whole class.
async fn timetable_5b(app: &TestApp, token: &str) {
    let f = &app.f;
    for (number, subject) in [(1, f.english_subject), (2, f.math), (3, f.english_subject)] {
        lesson(app, token, (f.class_5b, 3, number), subject, f.english).await;
    }
}

both_backends!(a_schedule_is_approved_published_and_corrected_in_versions);
async fn a_schedule_is_approved_published_and_corrected_in_versions(app: TestApp) {
    let deputy = setup(&app).await;
    let admin = app.token("admin").await;
    let teacher = app.token("teacher").await;
    let parent = app.token("parent").await;
    let class = app.f.class_5a.to_string();
    let id = created(plan(&app, &deputy, app.f.math, "2026-12-01", 2, json!({})).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A draft: families see nothing yet; staff see what awaits approval.
    let published_path = format!("/api/v1/assessments/published?class={class}");
    let none = app.get_json(&published_path, &parent).await;
    assert_eq!(none["version"], Value::Null);
    assert_eq!(none["procedures"], json!([]));
    let doc = app.get_json("/api/v1/assessment-schedule", &teacher).await;
    assert_eq!(doc["state"], "draft");
    assert_eq!(doc["pending"][0]["kind"], "added");
    assert_eq!(doc["pending"][0]["after"]["id"], id.as_str());
    assert_problem(
        app.get("/api/v1/assessment-schedule", &parent).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Only a deputy head approves; not in the future; nothing to publish before.
    assert_problem(
        approve(&app, &teacher, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        approve(&app, &admin, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        approve(&app, &parent, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let future = assert_problem(
        approve(&app, &deputy, json!({"approved_on": "2026-11-29"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(future["errors"]["approved_on"].is_string(), "{future}");
    assert_problem(publish(&app, &admin).await, StatusCode::CONFLICT).await;
    let v1 = created(
        approve(
            &app,
            &deputy,
            json!({"approved_on": "2026-11-27", "basis": "Приказ № 112 от 27.11.2026"}),
        )
        .await,
    )
    .await;
    assert_eq!(v1["version"], 1);
    assert_problem(
        approve(&app, &deputy, json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let doc = app.get_json("/api/v1/assessment-schedule", &teacher).await;
    assert_eq!(doc["state"], "approved");
    assert_eq!(doc["versions"][0]["approved_on"], "2026-11-27");
    assert_eq!(doc["versions"][0]["basis"], "Приказ № 112 от 27.11.2026");
    assert_eq!(doc["versions"][0]["published_at"], Value::Null);
    // Approved is not yet published.
    assert_eq!(
        app.get_json(&published_path, &parent).await["version"],
        Value::Null
    );
    assert_problem(publish(&app, &teacher).await, StatusCode::FORBIDDEN).await;
    let res = publish(&app, &admin).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_problem(publish(&app, &admin).await, StatusCode::CONFLICT).await;
    let seen = app.get_json(&published_path, &parent).await;
    assert_eq!(seen["version"], 1);
    assert_eq!(seen["approved_on"], "2026-11-27");
    assert_eq!(seen["procedures"][0]["date"], "2026-12-01");
    assert_eq!(seen["changed"], json!([]));
    assert_eq!(
        app.get_json("/api/v1/assessment-schedule", &teacher).await["state"],
        "published"
    );
    // A correction: the working schedule moves on, families keep version 1 until version 2 is
    // approved (with a note: families read it) and published.
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/assessments/{id}/move"),
        json!({"date": "2026-12-08", "number": 2}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let list_path = format!("/api/v1/assessments?class={class}");
    assert_eq!(
        app.get_json(&list_path, &parent).await[0]["date"],
        "2026-12-01"
    );
    assert_eq!(
        app.get_json(&list_path, &teacher).await[0]["date"],
        "2026-12-08"
    );
    let doc = app.get_json("/api/v1/assessment-schedule", &teacher).await;
    assert_eq!(doc["state"], "draft");
    assert_eq!(doc["pending"][0]["kind"], "moved");
    assert_eq!(doc["pending"][0]["before"]["date"], "2026-12-01");
    let no_note = assert_problem(
        approve(&app, &deputy, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(no_note["errors"]["note"].is_string(), "{no_note}");
    let v2 = created(
        approve(
            &app,
            &deputy,
            json!({"note": "Контрольная по математике перенесена на неделю"}),
        )
        .await,
    )
    .await;
    assert_eq!(v2["version"], 2);
    assert_eq!(app.get_json(&published_path, &parent).await["version"], 1);
    assert_eq!(publish(&app, &deputy).await.status(), StatusCode::OK);
    let seen = app.get_json(&published_path, &parent).await;
    assert_eq!(seen["version"], 2);
    assert_eq!(seen["approved_on"], "2026-11-28");
    assert_eq!(
        seen["note"],
        "Контрольная по математике перенесена на неделю"
    );
    assert!(seen["published_at"].as_str().unwrap().starts_with("20"));
    assert_eq!(seen["changed"][0]["kind"], "moved");
    assert_eq!(seen["changed"][0]["before"]["date"], "2026-12-01");
    assert_eq!(seen["changed"][0]["after"]["date"], "2026-12-08");
    assert_eq!(seen["procedures"][0]["date"], "2026-12-08");
    // Version 1 keeps what was approved then.
    let v1 = app
        .get_json("/api/v1/assessment-schedule/versions/1", &teacher)
        .await;
    assert_eq!(v1["items"][0]["date"], "2026-12-01");
    assert_eq!(v1["published_by"].as_str().map(str::is_empty), Some(false));
    assert_problem(
        app.get("/api/v1/assessment-schedule/versions/9", &teacher)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Another school's administrator sees none of it.
    let admin2 = app.token("admin2").await;
    assert_problem(
        app.get(&published_path, &admin2).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The family's page says which version and what changed; the deputy head's page shows the
    // versions and offers no approval while nothing changed.
    let (status, page) = app
        .browser("parent")
        .await
        .parsed(&format!("/assessments?class={class}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.text("#published").contains('2'),
        "{}",
        page.text("#published")
    );
    assert!(page.text("#note").contains("перенесена"));
    assert!(
        page.text("#changed").contains("08.12.2026"),
        "{}",
        page.text("#changed")
    );
    let b = app.browser("zavuch").await;
    let (status, page) = b.parsed("/assessments").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.attr("#state", "data-state").as_deref(),
        Some("published")
    );
    assert_eq!(page.select_rows("#versions tbody tr").len(), 2);
    assert!(!page.has("#approve-form"));
    assert!(!page.has("#publish-form"));
}

both_backends!(the_pages_approve_and_publish_and_name_what_breaks_a_rule);
async fn the_pages_approve_and_publish_and_name_what_breaks_a_rule(app: TestApp) {
    let deputy = setup(&app).await;
    let created_id = created(plan(&app, &deputy, app.f.math, "2026-12-01", 2, json!({})).await)
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The timetable changes under the procedure: its lesson is cancelled.
    let lessons = app
        .get_json(
            &format!(
                "/api/v1/lessons?class={}&from=2026-12-01&to=2026-12-01",
                app.f.class_5a
            ),
            &deputy,
        )
        .await;
    let math = lessons
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["number"] == 2)
        .unwrap();
    let res = post(
        &app,
        &deputy,
        &format!(
            "/api/v1/lessons/{}/cancellation",
            math["id"].as_str().unwrap()
        ),
        json!({"reason": "карантин", "version": math["version"]}),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let b = app.browser("zavuch").await;
    let (status, page) = b.parsed("/assessments").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.attr("#state", "data-state").as_deref(), Some("draft"));
    assert!(page.has("#approve-form"));
    let res = b
        .post_form(
            "/assessments/approve",
            &[("approved_on", "2026-11-28"), ("basis", "Приказ № 7")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = crate::support::Page::parse(&res.text().await.unwrap());
    let alert = page.text("#document .field-error");
    assert!(
        alert.contains("5А") && alert.contains("2026-12-01"),
        "{alert}"
    );
    // Moved to a lesson that holds, the schedule is approved and published from the page.
    let res = post(
        &app,
        &deputy,
        &format!("/api/v1/assessments/{created_id}/move"),
        json!({"date": "2026-12-08", "number": 2}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = b
        .post_form(
            "/assessments/approve",
            &[("approved_on", "2026-11-28"), ("basis", "Приказ № 7")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = b.parsed("/assessments?done=approved").await;
    assert_eq!(
        page.attr("#state", "data-state").as_deref(),
        Some("approved")
    );
    assert!(page.has("#publish-form"));
    let res = b.post_form("/assessments/publish", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = b.post_form("/assessments/publish", &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // A teacher may not approve from the page either.
    let res = app
        .browser("teacher")
        .await
        .post_form("/assessments/approve", &[("approved_on", "2026-11-28")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

both_backends!(the_frequency_rule_holds_per_parallel_and_a_work_of_the_parallel_counts_once);
async fn the_frequency_rule_holds_per_parallel_and_a_work_of_the_parallel_counts_once(
    app: TestApp,
) {
    let deputy = setup(&app).await;
    timetable_5b(&app, &deputy).await;
    let f = &app.f;
    let a = created(plan(&app, &deputy, f.math, "2026-12-01", 2, json!({})).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let for_5b = |date: &str, extra: Value| {
        let mut body = json!({"class_id": f.class_5b.to_string(), "subject_id": f.math.to_string(), "date": date, "number": 2, "title": "Контрольная работа"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        body
    };
    // 5Б writes another work a day later: the parallel would write twice in two days.
    let res = post(
        &app,
        &deputy,
        "/api/v1/assessments",
        for_5b("2026-12-02", json!({})),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let message = problem["errors"]["frequency"].as_str().unwrap_or_default();
    assert!(
        message.contains("5А") && message.contains("2026-12-01"),
        "{problem}"
    );
    // The same work, written by 5Б the next day: one work of the parallel.
    let b = created(
        post(
            &app,
            &deputy,
            "/api/v1/assessments",
            for_5b("2026-12-02", json!({"same_work_as": a})),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let school = app.get_json("/api/v1/assessments", &deputy).await;
    let row = |id: &str| {
        school
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&b)["work_id"], a.as_str());
    assert_eq!(row(&a)["work_id"], a.as_str());
    // A work of another subject or parallel is not the same work.
    let res = plan(
        &app,
        &deputy,
        f.english_subject,
        "2026-12-15",
        3,
        json!({"same_work_as": a, "group_id": f.subgroup.to_string()}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["same_work_as"].is_string(), "{problem}");
    // 18 days after the parallel's work, 5Б writes its next one.
    created(
        post(
            &app,
            &deputy,
            "/api/v1/assessments",
            for_5b("2026-12-23", json!({})),
        )
        .await,
    )
    .await;
}

both_backends!(a_subgroup_writes_its_own_procedure_and_its_families_see_it);
async fn a_subgroup_writes_its_own_procedure_and_its_families_see_it(app: TestApp) {
    let deputy = setup(&app).await;
    let f = &app.f;
    // A fourth lesson on Tuesday: English at lesson 3 is then neither first nor last.
    lesson(&app, &deputy, (f.class_5a, 2, 4), f.math, f.teacher).await;
    // English group 1 writes at lesson 3 (its own lesson); not at lesson 2 (mathematics).
    let res = plan(
        &app,
        &deputy,
        f.english_subject,
        "2026-12-01",
        2,
        json!({"group_id": f.subgroup.to_string()}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = plan(
        &app,
        &deputy,
        f.english_subject,
        "2026-12-01",
        3,
        json!({"group_id": f.subgroup.to_string(), "title": "Контрольная работа (англ., гр. 1)"}),
    )
    .await;
    let id = created(res).await["id"].as_str().unwrap().to_owned();
    // Another school's group is refused as unknown.
    let res = plan(
        &app,
        &deputy,
        f.english_subject,
        "2026-12-01",
        3,
        json!({"group_id": f.other_class.to_string()}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["group_id"].is_string(), "{problem}");
    let list = app
        .get_json(
            &format!("/api/v1/assessments?class={}", f.class_5a),
            &deputy,
        )
        .await;
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["group_id"], f.subgroup.to_string().as_str());
    assert!(
        list[0]["group"].as_str().unwrap().contains("англ"),
        "{list}"
    );
    // Published, the family of a pupil of the group sees it in the diary's control works.
    created(approve(&app, &deputy, json!({})).await).await;
    assert_eq!(publish(&app, &deputy).await.status(), StatusCode::OK);
    let parent = app.token("parent").await;
    let seen = app
        .get_json(
            &format!("/api/v1/assessments/published?class={}", f.class_5a),
            &parent,
        )
        .await;
    assert_eq!(
        seen["procedures"][0]["group_id"],
        f.subgroup.to_string().as_str()
    );
    let (status, page) = app
        .browser("parent")
        .await
        .parsed(&format!("/assessments?class={}", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = page.select_rows("#assessments tbody tr");
    assert!(rows[0][0].contains("5А ("), "{rows:?}");
}
