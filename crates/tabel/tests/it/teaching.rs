//! The school's teaching structure edited by its administrators: teaching assignments, groups
//! and their pupils, the curriculum, staff with roles — through the API and the pages, with
//! the audit records every change writes, the refusals that change nothing, and what the
//! journal makes of the dates.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn base(app: &TestApp) -> String {
    format!("/api/v1/schools/{}/structure", app.f.school)
}

/// How many audit records the school's chain holds.
async fn audit_seq(app: &TestApp) -> i64 {
    let mut c = app.db.db.acquire().await.unwrap();
    tabel_store::audit::head_seq(&mut c.conn(), app.f.school.get())
        .await
        .unwrap()
}

/// The latest audit record about an entity: action, actor, after.
async fn last_audit(app: &TestApp, entity: &str, entity_id: &str) -> (String, Option<i64>, Value) {
    let mut c = app.db.db.acquire().await.unwrap();
    let r = tabel_store::audit::history_of(&mut c.conn(), entity, entity_id, 1)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no audit record of {entity} {entity_id}"));
    let after = r
        .after_json
        .as_deref()
        .map_or(Value::Null, |j| serde_json::from_str(j).unwrap());
    (r.action, r.actor_user_id, after)
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.http
        .patch(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn delete(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn created(res: reqwest::Response) -> String {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|x| x[key] == value)
}

both_backends!(assignments_are_planned_by_administrators_and_deputies_only);
async fn assignments_are_planned_by_administrators_and_deputies_only(app: TestApp) {
    let f = &app.f;
    let path = format!("{}/assignments", base(&app));
    let admin = app.token("admin").await;
    let zavuch = app.token("zavuch").await;
    let list = app.get_json(&path, &admin).await;
    assert_eq!(list["year"]["label"], "2026/2027");
    assert_eq!(list["assignments"].as_array().unwrap().len(), 3);
    let english_load = find(&list["loads"], "teacher_id", &f.english.to_string()).unwrap();
    assert_eq!(english_load["running"], 2);

    // The deputy head gives the English teacher 5А's English, 3 hours a week.
    let new = json!({"teacher_id": f.english.to_string(), "group_id": f.class_5a.to_string(),
        "subject_id": f.english_subject.to_string(), "hours_per_week_tenths": 30,
        "starts_on": "2026-12-01"});
    let aid = created(post(&app, &zavuch, &path, new.clone()).await).await;
    let (action, actor, after) = last_audit(&app, "assignment", &aid).await;
    assert_eq!(action, "assignment.create");
    assert_eq!(actor, Some(f.user("zavuch").get()));
    assert_eq!(after["hours_tenths"], 30);
    let list = app.get_json(&path, &admin).await;
    let line = find(&list["assignments"], "id", &aid).unwrap();
    assert_eq!(
        (
            line["group"].as_str(),
            line["hours_per_week_tenths"].as_u64(),
            line["starts_on"].as_str(),
            line["ends_on"].as_str()
        ),
        (Some("5А"), Some(30), Some("2026-12-01"), None)
    );

    // Refusals change nothing and write nothing.
    let seq = audit_seq(&app).await;
    let dup = assert_problem(
        post(&app, &admin, &path, new.clone()).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(dup["detail"].as_str().unwrap().contains("already"), "{dup}");
    let mut bad = new.clone();
    bad["hours_per_week_tenths"] = json!(0);
    let p = assert_problem(
        post(&app, &admin, &path, bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["hours_per_week_tenths"].is_string(), "{p}");
    let mut bad = new.clone();
    bad["group_id"] = json!(f.other_class.to_string());
    let p = assert_problem(
        post(&app, &admin, &path, bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["group_id"].is_string(), "{p}");
    let mut bad = new.clone();
    bad["starts_on"] = json!("2027-07-01");
    assert_problem(
        post(&app, &admin, &path, bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for login in ["teacher", "english", "parent", "student"] {
        let token = app.token(login).await;
        assert_problem(app.get(&path, &token).await, StatusCode::FORBIDDEN).await;
        assert_problem(
            post(&app, &token, &path, new.clone()).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            delete(&app, &token, &format!("{path}/{aid}")).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // Another school's administrator: nothing here exists for them; an assignment named
    // through another school's path is nobody's.
    let admin2 = app.token("admin2").await;
    assert_problem(app.get(&path, &admin2).await, StatusCode::NOT_FOUND).await;
    let theirs = format!(
        "/api/v1/schools/{}/structure/assignments/{aid}",
        f.other_school
    );
    assert_problem(
        patch(&app, &admin2, &theirs, json!({"hours_per_week_tenths": 10})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        patch(&app, &admin, &theirs, json!({"hours_per_week_tenths": 10})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(audit_seq(&app).await, seq);
    assert_eq!(
        app.get_json(&path, &admin).await["assignments"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Hours change; an assignment nothing was written under is deleted.
    let res = patch(
        &app,
        &admin,
        &format!("{path}/{aid}"),
        json!({"hours_per_week_tenths": 25}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["hours_per_week_tenths"], 25);
    assert_eq!(
        last_audit(&app, "assignment", &aid).await.0,
        "assignment.update"
    );
    let res = delete(&app, &admin, &format!("{path}/{aid}")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        last_audit(&app, "assignment", &aid).await.0,
        "assignment.delete"
    );
    assert!(
        find(
            &app.get_json(&path, &admin).await["assignments"],
            "id",
            &aid
        )
        .is_none()
    );
}

both_backends!(an_ended_assignment_stops_the_teacher_writing_after_its_last_day);
async fn an_ended_assignment_stops_the_teacher_writing_after_its_last_day(app: TestApp) {
    let f = &app.f;
    let deputy = timetable(&app).await;
    let week = lessons_5a(&app, &deputy, "2026-11-23", "2026-11-27").await;
    let (monday, wednesday, friday) = (id(&week[0]), id(&week[1]), id(&week[2]));
    let teacher = app.token("teacher").await;
    let mark =
        |lesson: &str| json!({"student_id": f.ivan.to_string(), "lesson_id": lesson, "value": "5"});
    assert_eq!(
        post(&app, &teacher, "/api/v1/marks", mark(&wednesday))
            .await
            .status(),
        StatusCode::CREATED
    );
    let path = format!("{}/assignments", base(&app));
    let admin = app.token("admin").await;
    let list = app.get_json(&path, &admin).await;
    let aid = list["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["teacher_id"] == f.teacher.to_string().as_str())
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .unwrap();

    // Ending before Wednesday would leave Wednesday's mark outside the assignment; deleting it
    // would leave the journal's marks without it: both refused, naming what was written.
    let seq = audit_seq(&app).await;
    let p = assert_problem(
        post(
            &app,
            &admin,
            &format!("{path}/{aid}/end"),
            json!({"ends_on": "2026-11-24"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("marks: 1") && detail.contains("lessons with journal data: 1"),
        "{detail}"
    );
    let p = assert_problem(
        delete(&app, &admin, &format!("{path}/{aid}")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("end it instead"),
        "{p}"
    );
    assert_eq!(audit_seq(&app).await, seq);
    let line = find(
        &app.get_json(&path, &admin).await["assignments"],
        "id",
        &aid,
    )
    .unwrap()
    .clone();
    assert!(line["ends_on"].is_null());

    // Ended on Wednesday: Monday and Wednesday stay the teacher's, Friday is not.
    let res = post(
        &app,
        &admin,
        &format!("{path}/{aid}/end"),
        json!({"ends_on": "2026-11-25"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let ended: Value = res.json().await.unwrap();
    assert_eq!(ended["ends_on"], "2026-11-25");
    let (action, actor, after) = last_audit(&app, "assignment", &aid).await;
    assert_eq!(
        (action.as_str(), actor, after["ends_on"].as_str()),
        (
            "assignment.end",
            Some(f.user("admin").get()),
            Some("2026-11-25")
        )
    );
    assert_eq!(
        post(&app, &teacher, "/api/v1/marks", mark(&monday))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_problem(
        post(&app, &teacher, "/api/v1/marks", mark(&friday)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let journal = app
        .get_json(
            &format!("/api/v1/journal?group={}&subject={}", f.class_5a, f.math),
            &teacher,
        )
        .await;
    assert_eq!(journal["marks"].as_array().unwrap().len(), 2);
}

both_backends!(groups_are_made_renamed_and_deleted_only_when_nothing_depends_on_them);
async fn groups_are_made_renamed_and_deleted_only_when_nothing_depends_on_them(app: TestApp) {
    let f = &app.f;
    let path = format!("{}/groups", base(&app));
    let admin = app.token("admin").await;
    let sub = created(
        post(
            &app,
            &admin,
            &path,
            json!({"kind": "subgroup", "name": "5А англ. 2", "parent_id": f.class_5a.to_string(),
                "subject_id": f.english_subject.to_string()}),
        )
        .await,
    )
    .await;
    assert_eq!(last_audit(&app, "group", &sub).await.0, "group.create");
    let stream = created(
        post(
            &app,
            &app.token("zavuch").await,
            &path,
            json!({"kind": "stream", "name": "5 математика+", "subject_id": f.math.to_string(),
                "class_ids": [f.class_5a.to_string(), f.class_5b.to_string()]}),
        )
        .await,
    )
    .await;
    let list = app.get_json(&path, &admin).await;
    let s = find(&list["groups"], "id", &stream).unwrap();
    assert_eq!(s["kind"], "stream");
    assert_eq!(s["classes"], json!(["5А", "5Б"]));
    let g = find(&list["groups"], "id", &sub).unwrap();
    assert_eq!(
        (g["parent"].as_str(), g["grade"].as_u64()),
        (Some("5А"), Some(5))
    );

    // Refused: a class (made elsewhere), a subgroup without its subject, a name taken, a class
    // of another school; teachers and families; another school's administrator.
    let seq = audit_seq(&app).await;
    for (body, field) in [
        (json!({"kind": "class", "name": "5В"}), "kind"),
        (
            json!({"kind": "subgroup", "name": "5А гр. 3", "parent_id": f.class_5a.to_string()}),
            "subject_id",
        ),
        (
            json!({"kind": "subgroup", "name": "5а АНГЛ. 2", "parent_id": f.class_5a.to_string(),
                "subject_id": f.english_subject.to_string()}),
            "name",
        ),
        (
            json!({"kind": "stream", "name": "поток", "class_ids": [f.other_class.to_string()]}),
            "class_ids",
        ),
    ] {
        let p = assert_problem(
            post(&app, &admin, &path, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["errors"][field].is_string(), "{p}");
    }
    let teacher = app.token("teacher").await;
    assert_problem(
        post(
            &app,
            &teacher,
            &path,
            json!({"kind": "subgroup", "name": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        delete(&app, &app.token("parent").await, &format!("{path}/{sub}")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        delete(&app, &app.token("admin2").await, &format!("{path}/{sub}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The fixture's subgroup has its pupil and an assignment: refused, naming the assignment.
    let p = assert_problem(
        delete(&app, &admin, &format!("{path}/{}", f.subgroup)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("teaching assignments: 1"),
        "{p}"
    );
    assert_eq!(audit_seq(&app).await, seq);
    assert_eq!(
        app.get_json(&path, &admin).await["groups"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let res = patch(
        &app,
        &admin,
        &format!("{path}/{sub}"),
        json!({"name": "5А английский, гр. 2"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (action, _, after) = last_audit(&app, "group", &sub).await;
    assert_eq!(
        (action.as_str(), after["name"].as_str()),
        ("group.update", Some("5А английский, гр. 2"))
    );
    let res = delete(&app, &admin, &format!("{path}/{sub}")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(last_audit(&app, "group", &sub).await.0, "group.delete");
    assert!(find(&app.get_json(&path, &admin).await["groups"], "id", &sub).is_none());
}

both_backends!(a_pupil_added_to_a_subgroup_is_in_its_journal_from_that_day);
async fn a_pupil_added_to_a_subgroup_is_in_its_journal_from_that_day(app: TestApp) {
    let f = &app.f;
    let pupils = format!("{}/groups/{}/pupils", base(&app), f.subgroup);
    let admin = app.token("admin").await;
    let english = app.token("english").await;
    let journal = format!(
        "/api/v1/journal?group={}&subject={}",
        f.subgroup, f.english_subject
    );
    let before = app.get_json(&journal, &english).await;
    assert_eq!(before["students"].as_array().unwrap().len(), 1);

    // Anna is in 5Б: not a pupil of 5А's subgroup. Refused, naming her; nothing written.
    let seq = audit_seq(&app).await;
    let p = assert_problem(
        post(
            &app,
            &admin,
            &pupils,
            json!({"student_ids": [f.oleg.to_string(), f.anna.to_string()], "starts_on": "2026-11-25"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"]["student_ids"]
            .as_str()
            .unwrap()
            .contains("Петрова Анна"),
        "{p}"
    );
    assert_problem(
        post(
            &app,
            &app.token("teacher").await,
            &pupils,
            json!({"student_ids": [f.oleg.to_string()], "starts_on": "2026-11-25"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get(&pupils, &app.token("admin2").await).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Another school's class named under this school: nobody's.
    assert_problem(
        post(
            &app,
            &admin,
            &format!("{}/groups/{}/pupils", base(&app), f.other_class),
            json!({"student_ids": [f.other_pupil.to_string()], "starts_on": "2026-11-25"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(audit_seq(&app).await, seq);
    assert_eq!(
        app.get_json(&pupils, &admin).await["memberships"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Oleg joins on Wednesday: in the journal from that day.
    let res = post(
        &app,
        &admin,
        &pupils,
        json!({"student_ids": [f.oleg.to_string()], "starts_on": "2026-11-25"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let made: Value = res.json().await.unwrap();
    let m = made["ids"][0].as_str().unwrap().to_owned();
    let (action, _, after) = last_audit(&app, "membership", &m).await;
    assert_eq!(
        (action.as_str(), after["starts_on"].as_str()),
        ("membership.create", Some("2026-11-25"))
    );
    let grid = app.get_json(&journal, &english).await;
    let oleg = find(&grid["students"], "id", &f.oleg.to_string()).unwrap();
    assert_eq!(
        (oleg["from"].as_str(), oleg["to"].as_str()),
        (Some("2026-11-25"), None)
    );
    // Twice on the same days: refused.
    assert_problem(
        post(
            &app,
            &admin,
            &pupils,
            json!({"student_ids": [f.oleg.to_string()], "starts_on": "2026-12-01"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // He leaves after Friday: the membership ends on that day, kept.
    let res = post(
        &app,
        &admin,
        &format!("{pupils}/{m}/end"),
        json!({"ends_on": "2026-11-27"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(last_audit(&app, "membership", &m).await.0, "membership.end");
    let list = app.get_json(&pupils, &admin).await;
    let line = find(&list["memberships"], "id", &m).unwrap();
    assert_eq!(line["ends_on"], "2026-11-27");
    let grid = app.get_json(&journal, &english).await;
    let oleg = find(&grid["students"], "id", &f.oleg.to_string()).unwrap();
    assert_eq!(oleg["to"], "2026-11-27");

    // Added by mistake on Monday and taken out the same day: nothing was written, it goes.
    let res = post(
        &app,
        &admin,
        &pupils,
        json!({"student_ids": [f.oleg.to_string()], "starts_on": "2026-11-30"}),
    )
    .await;
    let made: Value = res.json().await.unwrap();
    let second = made["ids"][0].as_str().unwrap().to_owned();
    let res = delete(&app, &admin, &format!("{pupils}/{second}")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        last_audit(&app, "membership", &second).await.0,
        "membership.delete"
    );
    assert!(
        find(
            &app.get_json(&pupils, &admin).await["memberships"],
            "id",
            &second
        )
        .is_none()
    );

    // A stream of 5Б alone does not take a pupil of 5А.
    let stream = created(
        post(
            &app,
            &admin,
            &format!("{}/groups", base(&app)),
            json!({"kind": "stream", "name": "5Б поток", "class_ids": [f.class_5b.to_string()]}),
        )
        .await,
    )
    .await;
    let p = assert_problem(
        post(
            &app,
            &admin,
            &format!("{}/groups/{stream}/pupils", base(&app)),
            json!({"student_ids": [f.oleg.to_string()], "starts_on": "2026-11-25"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"]["student_ids"]
            .as_str()
            .unwrap()
            .contains("Сидоров Олег"),
        "{p}"
    );
}

both_backends!(the_curriculum_is_edited_per_parallel_with_yearly_hours_derived);
async fn the_curriculum_is_edited_per_parallel_with_yearly_hours_derived(app: TestApp) {
    let f = &app.f;
    let path = format!("{}/curriculum", base(&app));
    let admin = app.token("admin").await;
    let math = created(
        post(
            &app,
            &admin,
            &path,
            json!({"grade": 5, "subject_id": f.math.to_string(), "hours_per_week_tenths": 50}),
        )
        .await,
    )
    .await;
    let (action, _, after) = last_audit(&app, "curriculum", &math).await;
    assert_eq!(
        (action.as_str(), after["hours_per_year"].as_i64()),
        ("curriculum.create", Some(170))
    );
    created(
        post(
            &app,
            &admin,
            &path,
            json!({"grade": 5, "subject_id": f.english_subject.to_string(),
                "hours_per_week_tenths": 10, "part": "chosen"}),
        )
        .await,
    )
    .await;
    let sub_line = created(
        post(
            &app,
            &app.token("zavuch").await,
            &path,
            json!({"group_id": f.subgroup.to_string(), "subject_id": f.english_subject.to_string(),
                "hours_per_week_tenths": 25}),
        )
        .await,
    )
    .await;
    let plan = app.get_json(&path, &admin).await;
    assert_eq!(plan["lines"].as_array().unwrap().len(), 3);
    assert_eq!(
        plan["totals"],
        json!([{"grade": 5, "compulsory_tenths": 50, "chosen_tenths": 10}])
    );
    let line = find(&plan["lines"], "id", &sub_line).unwrap();
    assert_eq!(
        (line["group"].as_str(), line["hours_per_year"].as_i64()),
        (Some("5А англ. 1"), Some(85))
    );

    let seq = audit_seq(&app).await;
    assert_problem(
        post(
            &app,
            &admin,
            &path,
            json!({"grade": 5, "subject_id": f.math.to_string(), "hours_per_week_tenths": 40}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let p = assert_problem(
        post(
            &app,
            &admin,
            &path,
            json!({"grade": 7, "subject_id": f.math.to_string(), "hours_per_week_tenths": 40}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["grade"].is_string(), "{p}");
    assert_problem(
        put(
            &app,
            &admin,
            &format!("{path}/{math}"),
            json!({"hours_per_week_tenths": 45, "part": "elsewhere"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for login in ["teacher", "parent"] {
        assert_problem(
            app.get(&path, &app.token(login).await).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_problem(
        delete(&app, &app.token("admin2").await, &format!("{path}/{math}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(audit_seq(&app).await, seq);

    let res = put(
        &app,
        &admin,
        &format!("{path}/{math}"),
        json!({"hours_per_week_tenths": 45, "part": "compulsory"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (action, _, after) = last_audit(&app, "curriculum", &math).await;
    assert_eq!(
        (action.as_str(), after["hours_per_year"].as_i64()),
        ("curriculum.update", Some(153))
    );
    let res = delete(&app, &admin, &format!("{path}/{sub_line}")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        last_audit(&app, "curriculum", &sub_line).await.0,
        "curriculum.delete"
    );
    let plan = app.get_json(&path, &admin).await;
    assert_eq!(plan["lines"].as_array().unwrap().len(), 2);
    assert_eq!(plan["totals"][0]["compulsory_tenths"], 45);
}

both_backends!(staff_roles_reach_the_account_and_leaving_waits_for_the_teaching_to_end);
async fn staff_roles_reach_the_account_and_leaving_waits_for_the_teaching_to_end(app: TestApp) {
    let f = &app.f;
    let path = format!("{}/staff", base(&app));
    let admin = app.token("admin").await;
    let staff = app.get_json(&path, &admin).await;
    let smirnova = find(&staff, "id", &f.teacher.to_string()).unwrap();
    assert_eq!(
        (
            smirnova["login"].as_str(),
            smirnova["assignments"].as_i64(),
            smirnova["class_teacher_of"].clone()
        ),
        (Some("teacher"), Some(1), json!(["5А"]))
    );
    // Staff and roles are the administrators' alone: roles grant access.
    for (login, status) in [
        ("zavuch", StatusCode::FORBIDDEN),
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        assert_problem(app.get(&path, &token).await, status).await;
        assert_problem(
            patch(
                &app,
                &token,
                &format!("{path}/{}", f.english),
                json!({"roles": ["admin"]}),
            )
            .await,
            status,
        )
        .await;
    }

    // The English teacher becomes a deputy head too: her account plans from now on.
    let english = app.token("english").await;
    let plans = format!("{}/assignments", base(&app));
    assert_problem(app.get(&plans, &english).await, StatusCode::FORBIDDEN).await;
    let res = patch(
        &app,
        &admin,
        &format!("{path}/{}", f.english),
        json!({"roles": ["teacher", "deputy"], "position": "заместитель директора по УВР"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (action, _, after) = last_audit(&app, "staff", &f.english.to_string()).await;
    assert_eq!(
        (action.as_str(), after["roles"].as_str()),
        ("staff.update", Some("deputy,teacher"))
    );
    assert_eq!(app.get(&plans, &english).await.status(), StatusCode::OK);

    let seq = audit_seq(&app).await;
    // An administrator keeps their own role; unknown roles and empty positions are refused.
    assert_problem(
        patch(
            &app,
            &admin,
            &format!("{path}/{}", staff_id(&staff, "admin")),
            json!({"roles": ["teacher"]}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        patch(
            &app,
            &admin,
            &format!("{path}/{}", f.english),
            json!({"roles": ["root"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        patch(
            &app,
            &admin,
            &format!("{path}/{}", f.english),
            json!({"position": "   "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Leaving while teaching is refused, naming what they teach and lead.
    let p = assert_problem(
        post(
            &app,
            &admin,
            &format!("{path}/{}/end", f.teacher),
            json!({"ends_on": "2026-11-30"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("Математика, 5А") && detail.contains("class teacher (1): 5А"),
        "{detail}"
    );
    assert_eq!(audit_seq(&app).await, seq);

    // A newcomer: the name parsed as the import does, the sex by the patronymic.
    let new = created(
        post(
            &app,
            &admin,
            &path,
            json!({"name": "Новикова Светлана Игоревна", "position": "учитель музыки"}),
        )
        .await,
    )
    .await;
    let staff = app.get_json(&path, &admin).await;
    let line = find(&staff, "id", &new).unwrap();
    assert_eq!(
        (line["roles"].clone(), line["login"].is_null()),
        (json!(["teacher"]), true)
    );
    assert_eq!(last_audit(&app, "staff", &new).await.0, "staff.create");
    assert_problem(
        post(
            &app,
            &admin,
            &path,
            json!({"name": "Новикова", "position": "учитель"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // The English teacher's assignments end on Monday; then she leaves, and her account is
    // locked at once.
    let list = app.get_json(&plans, &admin).await;
    for a in list["assignments"].as_array().unwrap() {
        if a["teacher_id"] == f.english.to_string().as_str() {
            let res = post(
                &app,
                &admin,
                &format!("{plans}/{}/end", a["id"].as_str().unwrap()),
                json!({"ends_on": "2026-11-30"}),
            )
            .await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    }
    let res = post(
        &app,
        &admin,
        &format!("{path}/{}/end", f.english),
        json!({"ends_on": "2026-11-30"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        last_audit(&app, "staff", &f.english.to_string()).await.0,
        "staff.leave"
    );
    let line = find(
        &app.get_json(&path, &admin).await,
        "id",
        &f.english.to_string(),
    )
    .unwrap()
    .clone();
    assert_eq!(line["left_on"], "2026-11-30");
    assert_eq!(
        app.login_api("english", PASSWORD).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_problem(app.get(&plans, &english).await, StatusCode::UNAUTHORIZED).await;
}

fn staff_id(staff: &Value, login: &str) -> String {
    staff
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["login"] == login)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

both_backends!(the_pages_edit_the_structure_and_show_what_they_refuse);
async fn the_pages_edit_the_structure_and_show_what_they_refuse(app: TestApp) {
    let f = &app.f;
    let school = f.school;
    let pages = format!("/admin/{school}/structure");
    let admin = app.browser("admin").await;

    // The load: three assignments; a new one typed with a decimal comma and a Russian date.
    let (status, page) = admin.parsed(&format!("{pages}/assignments")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.count("#assignments tbody tr"), 3);
    let form = [
        ("year", f.year.to_string()),
        ("teacher", f.english.to_string()),
        ("group", f.class_5a.to_string()),
        ("subject", f.english_subject.to_string()),
        ("hours", "2,5".to_owned()),
        ("starts_on", "01.12.2026".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = admin
        .post_form(&format!("{pages}/assignments"), &form)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).contains("done=1"), "{}", location(&res));
    let (_, page) = admin.parsed(&format!("{pages}/assignments")).await;
    let rows = page.select_rows("#assignments tbody tr");
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .any(|r| r[1] == "5А" && r[4] == "01.12.2026" && r[5].is_empty()),
        "{rows:?}"
    );
    assert!(
        page.attrs("#assignments input[name=hours]", "value")
            .contains(&"2,5".to_owned())
    );
    // The same again: refused on the page, nothing added.
    let res = admin
        .post_form(&format!("{pages}/assignments"), &form)
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(
        page.text("#refused").starts_with("Не сделано:"),
        "{}",
        page.text("#refused")
    );
    assert_eq!(page.count("#assignments tbody tr"), 4);

    // A subgroup made on the page; Oleg joins it from Wednesday.
    let res = admin
        .post_form(
            &format!("{pages}/groups"),
            &[
                ("kind", "subgroup"),
                ("name", "5А англ. 2"),
                ("parent", &f.class_5a.to_string()),
                ("subject", &f.english_subject.to_string()),
                ("starts_on", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = admin.parsed(&format!("{pages}/groups")).await;
    let rows = page.select_rows("#groups tbody tr");
    let row = rows.iter().find(|r| r[0] == "5А англ. 2").unwrap();
    assert_eq!((row[1].as_str(), row[2].as_str()), ("подгруппа", "5А"));
    let link = page
        .attrs("#groups a", "href")
        .into_iter()
        .find(|h| h.ends_with("/pupils") && !h.contains(&format!("/{}/", f.subgroup)))
        .unwrap();
    let (_, pupils) = admin.parsed(&link).await;
    assert_eq!(
        pupils.attrs("#add-pupils input[name=pupils]", "value"),
        vec![f.ivan.to_string(), f.oleg.to_string()]
    );
    let res = admin
        .post_form(
            &link,
            &[("pupils", &f.oleg.to_string()), ("starts_on", "25.11.2026")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, pupils) = admin.parsed(&link).await;
    assert_eq!(
        pupils.select_rows("#pupils tbody tr")[0][..3],
        [
            "Сидоров Олег Павлович".to_owned(),
            "25.11.2026".to_owned(),
            String::new()
        ]
    );
    // Anna (5Б) is refused, named.
    let res = admin
        .post_form(
            &link,
            &[("pupils", &f.anna.to_string()), ("starts_on", "25.11.2026")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(page.text("#refused").contains("Петрова Анна"));

    // The curriculum: a parallel's line with hours a year derived, and its totals.
    let res = admin
        .post_form(
            &format!("{pages}/curriculum"),
            &[
                ("target", "grade:5"),
                ("subject", &f.math.to_string()),
                ("hours", "4,5"),
                ("part", "compulsory"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = admin.parsed(&format!("{pages}/curriculum")).await;
    let rows = page.select_rows("#curriculum tbody tr");
    assert_eq!(
        rows[0][..5],
        ["5 классы", "Математика", "4,5", "обязательная", "153"]
    );
    assert_eq!(
        page.select_rows("#totals tbody tr"),
        vec![vec!["5", "4,5", "0"]]
    );

    // Staff: the English teacher gets the deputy's role too.
    let (_, page) = admin.parsed(&format!("{pages}/staff")).await;
    let teacher_row = page.select_rows(&format!("#staff-{}", f.teacher));
    assert_eq!(
        (teacher_row[0][3].as_str(), teacher_row[0][5].as_str()),
        ("teacher", "5А")
    );
    let res = admin
        .post_form(
            &format!("{pages}/staff/{}", f.english),
            &[
                ("position", "учитель английского языка"),
                ("role_teacher", "1"),
                ("role_deputy", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = admin.parsed(&format!("{pages}/staff")).await;
    assert!(
        page.text(&format!("#staff-{} td:nth-child(3)", f.english))
            .contains("Заместитель директора")
    );

    // Who may see the pages: the deputy plans but does not edit staff; teachers and families
    // are refused; another school's administrator and another school's pages show nothing.
    let zavuch = app.browser("zavuch").await;
    assert_eq!(
        zavuch.page(&format!("{pages}/assignments")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        zavuch.page(&format!("{pages}/staff")).await.0,
        StatusCode::FORBIDDEN
    );
    for login in ["teacher", "parent", "student"] {
        let b = app.browser(login).await;
        for page in ["assignments", "groups", "curriculum", "staff"] {
            assert_eq!(
                b.page(&format!("{pages}/{page}")).await.0,
                StatusCode::FORBIDDEN,
                "{login} {page}"
            );
        }
        let res = b.post_form(&format!("{pages}/assignments"), &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    let admin2 = app.browser("admin2").await;
    assert_eq!(
        admin2.page(&format!("{pages}/groups")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .page(&format!("/admin/{}/structure/groups", f.other_school))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = admin.parsed(&format!("{pages}/assignments")).await;
    assert_eq!(page.count("#assignments tbody tr"), 4);
}

both_backends!(an_individual_curriculum_takes_one_pupil_from_its_first_day);
async fn an_individual_curriculum_takes_one_pupil_from_its_first_day(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let groups = format!("{}/groups", base(&app));
    let iup = created(
        post(
            &app,
            &admin,
            &groups,
            json!({"kind": "individual", "name": "ИУП: Сидоров О. П.",
                "pupil_id": f.oleg.to_string(), "starts_on": "2026-11-30"}),
        )
        .await,
    )
    .await;
    let list = app.get_json(&groups, &admin).await;
    let g = find(&list["groups"], "id", &iup).unwrap();
    assert_eq!(
        (g["kind"].as_str(), g["grade"].as_u64()),
        (Some("individual"), Some(5))
    );
    let pupils = app
        .get_json(&format!("{groups}/{iup}/pupils"), &admin)
        .await;
    let m = &pupils["memberships"][0];
    assert_eq!(
        (
            m["student_id"].as_str(),
            m["starts_on"].as_str(),
            m["ends_on"].as_str()
        ),
        (Some(f.oleg.to_string().as_str()), Some("2026-11-30"), None)
    );
    let membership = m["id"].as_str().unwrap().to_owned();
    assert_eq!(
        last_audit(&app, "membership", &membership).await.0,
        "membership.create"
    );
    // One pupil only; a pupil of no class of the year is refused.
    let seq = audit_seq(&app).await;
    let p = assert_problem(
        post(
            &app,
            &admin,
            &format!("{groups}/{iup}/pupils"),
            json!({"student_ids": [f.ivan.to_string()], "starts_on": "2026-11-30"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"]["student_ids"]
            .as_str()
            .unwrap()
            .contains("one pupil"),
        "{p}"
    );
    assert_problem(
        post(
            &app,
            &admin,
            &groups,
            json!({"kind": "individual", "name": "ИУП 2", "pupil_id": f.other_pupil.to_string()}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(audit_seq(&app).await, seq);

    // The API's endpoints are in its OpenAPI document.
    let doc = app.get_json("/api/v1/openapi.json", &admin).await;
    for path in [
        "/api/v1/schools/{id}/structure/assignments",
        "/api/v1/schools/{id}/structure/assignments/{assignment}/end",
        "/api/v1/schools/{id}/structure/groups/{group}/pupils",
        "/api/v1/schools/{id}/structure/curriculum/{line}",
        "/api/v1/schools/{id}/structure/staff/{person}/end",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
}

both_backends!(a_pupil_is_not_taken_out_of_a_group_before_marks_written_for_them);
async fn a_pupil_is_not_taken_out_of_a_group_before_marks_written_for_them(app: TestApp) {
    let f = &app.f;
    // The subgroup's English on Thursdays.
    let deputy = app.token("zavuch").await;
    app.standard_bells(&deputy).await;
    let res = post(
        &app,
        &deputy,
        "/api/v1/timetable",
        json!({"group_id": f.subgroup.to_string(), "weekday": 4, "number": 4,
            "subject_id": f.english_subject.to_string(), "teacher_id": f.english.to_string(),
            "room": ""}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let english = app.token("english").await;
    let res = post(
        &app,
        &english,
        "/api/v1/marks",
        json!({"student_id": f.ivan.to_string(), "group_id": f.subgroup.to_string(),
            "subject_id": f.english_subject.to_string(), "date": "2026-11-26", "value": "5",
            "work_type": "test"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let admin = app.token("admin").await;
    let pupils = format!("{}/groups/{}/pupils", base(&app), f.subgroup);
    let list = app.get_json(&pupils, &admin).await;
    let m = list["memberships"][0]["id"].as_str().unwrap().to_owned();
    let seq = audit_seq(&app).await;
    let p = assert_problem(
        post(
            &app,
            &admin,
            &format!("{pupils}/{m}/end"),
            json!({"ends_on": "2026-11-25"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("Петров Иван Сергеевич") && detail.contains("marks: 1"),
        "{detail}"
    );
    assert_problem(
        delete(&app, &admin, &format!("{pupils}/{m}")).await,
        StatusCode::CONFLICT,
    )
    .await;
    // A day that is no day of the membership is a malformed request of its own.
    assert_problem(
        post(
            &app,
            &admin,
            &format!("{pupils}/{m}/end"),
            json!({"ends_on": "2026-08-01"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(audit_seq(&app).await, seq);
    assert!(app.get_json(&pupils, &admin).await["memberships"][0]["ends_on"].is_null());
    // After the mark's day he may leave.
    let res = post(
        &app,
        &admin,
        &format!("{pupils}/{m}/end"),
        json!({"ends_on": "2026-11-26"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_json(&pupils, &admin).await["memberships"][0]["ends_on"],
        "2026-11-26"
    );
}

both_backends!(a_retired_subject_is_offered_for_no_new_load_curriculum_or_group);
async fn a_retired_subject_is_offered_for_no_new_load_curriculum_or_group(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let math = f.math.to_string();
    let res = post(
        &app,
        &admin,
        &format!("{}/subjects/{math}/retire", base(&app)),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let before = audit_seq(&app).await;
    for (path, body) in [
        (
            "curriculum",
            json!({"grade": 5, "subject_id": math, "hours_per_week_tenths": 50}),
        ),
        (
            "assignments",
            json!({"teacher_id": f.english.to_string(), "group_id": f.class_5b.to_string(),
                "subject_id": math, "hours_per_week_tenths": 10}),
        ),
        (
            "groups",
            json!({"kind": "subgroup", "name": "5А мат. 1", "parent_id": f.class_5a.to_string(),
                "subject_id": math}),
        ),
    ] {
        let res = post(&app, &admin, &format!("{}/{path}", base(&app)), body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            problem["errors"]["subject_id"]
                .as_str()
                .is_some_and(|m| m.contains("retired")),
            "{path}: {problem}"
        );
        // Nor is it in the page's pick-list.
        let (_, page) = app
            .browser("admin")
            .await
            .parsed(&format!("/admin/{}/structure/{path}", f.school))
            .await;
        let offered = page.attrs("select[name=subject] option", "value");
        assert!(
            offered.contains(&f.english_subject.to_string()),
            "{path}: {offered:?}"
        );
        assert!(!offered.contains(&math), "{path}: {offered:?}");
    }
    assert_eq!(audit_seq(&app).await, before, "nothing written");
}
