//! Exam and итоговая marks and exemptions end to end: a 9th-grade pupil's итоговая follows the
//! year and ОГЭ marks by the school's rule (the mean, x.5 up) and is derived again when the year
//! mark changes; an override needs a reason (422 without one), is audited, stays when the year
//! mark changes and can be withdrawn; the summary sheet's exam and итоговая columns fill from
//! them. An exemption gives «осв.» to the periods and the year inside it (the summary sheet,
//! the family's finals), a teacher cannot write over it, and ending it early takes the «осв.»
//! back where it no longer holds. A failing exam mark opens an academic debt. Only the
//! administration writes; teachers and the family read; another school gets 404.

use crate::support::{TestApp, assert_problem, both_backends, post, put};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn created(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn delete(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn last_audit(app: &TestApp, entity: &str, entity_id: &str) -> (String, Option<String>) {
    let mut c = app.db.db.acquire().await.unwrap();
    let r = tabel_store::audit::history_of(&mut c.conn(), entity, entity_id, 1)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no audit record of {entity} {entity_id}"));
    (r.action, r.reason)
}

/// The line of a subject in a pupil's certificate view.
fn line<'a>(view: &'a Value, subject: &str) -> &'a Value {
    view["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["subject_id"] == subject)
        .unwrap_or_else(|| panic!("no line of {subject} in {view}"))
}

fn shown(cell: &Value) -> &str {
    cell["shown"].as_str().unwrap_or("")
}

/// 9А with a new pupil, Волков Пётр, taught mathematics and English by the fixture's
/// teachers: (class, pupil).
async fn ninth_grade(app: &TestApp) -> (String, String) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let school = f.school;
    let class = created(
        post(
            app,
            &admin,
            &format!("/api/v1/schools/{school}/structure/classes"),
            json!({"grade": 9, "letter": "А", "period_kind": "quarter"}),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pupil = created(
        post(
            app,
            &admin,
            &format!("/api/v1/schools/{school}/people"),
            json!({"last_name": "Волков", "first_name": "Пётр", "middle_name": "Ильич",
                "birth_date": "2011-03-14", "on": "2026-09-01", "class_id": class}),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (teacher, subject) in [(f.teacher, f.math), (f.english, f.english_subject)] {
        created(
            post(
                app,
                &admin,
                &format!("/api/v1/schools/{school}/structure/assignments"),
                json!({"teacher_id": teacher.to_string(), "group_id": class,
                    "subject_id": subject.to_string(), "hours_per_week_tenths": 30,
                    "starts_on": "2026-09-01"}),
            )
            .await,
        )
        .await;
    }
    (class, pupil)
}

/// Sets a pupil's year mark (the teacher, with a reason: the journal proposes nothing); the
/// stored mark.
async fn year_mark(
    app: &TestApp,
    token: &str,
    (group, subject): (&str, &str),
    pupil: &str,
    (value, version): (&str, i64),
) -> Value {
    let res = put(
        app,
        token,
        &format!("/api/v1/finals?group={group}&subject={subject}&period=year"),
        json!({"rows": [{"student_id": pupil, "value": value, "reason": "по итогам года", "version": version}]}),
    )
    .await;
    ok(res).await[0].clone()
}

both_backends!(a_ninth_grader_gets_the_mean_of_year_and_exam_and_an_override_needs_a_reason);
async fn a_ninth_grader_gets_the_mean_of_year_and_exam_and_an_override_needs_a_reason(
    app: TestApp,
) {
    let f = &app.f;
    let (class, pupil) = ninth_grade(&app).await;
    let (math, english) = (f.math.to_string(), f.english_subject.to_string());
    let teacher = app.token("teacher").await;
    let english_teacher = app.token("english").await;
    let zavuch = app.token("zavuch").await;
    let view_path = format!("/api/v1/students/{pupil}/certificate");

    // Year marks: the итоговая of grade 9 follows the year mark where there is no exam.
    let math_year = year_mark(&app, &teacher, (&class, &math), &pupil, ("4", 0)).await;
    year_mark(&app, &english_teacher, (&class, &english), &pupil, ("5", 0)).await;
    let view = app.get_json(&view_path, &zavuch).await;
    assert_eq!(view["grade"], 9);
    assert_eq!(view["rule"], "mean_half_up");
    assert_eq!(view["may_manage"], true);
    assert_eq!(shown(&line(&view, &english)["final"]), "5");
    assert_eq!(shown(&line(&view, &math)["final"]), "4");
    assert!(line(&view, &math)["exam"].is_null());

    // The ОГЭ in mathematics, 5: the mean of 4 and 5 is 4.5, rounded up to 5.
    let view = created(
        post(
            &app,
            &zavuch,
            &format!("/api/v1/students/{pupil}/exam-marks"),
            json!({"subject_id": math, "exam": "ОГЭ", "mark": "5", "taken_on": "2026-11-20"}),
        )
        .await,
    )
    .await;
    let m = line(&view, &math);
    assert_eq!(
        (shown(&m["exam"]), m["exam_kind"].as_str()),
        ("5", Some("oge"))
    );
    assert_eq!(shown(&m["final"]), "5");
    assert_eq!(m["overridden"], false);
    let (action, _) = last_audit(&app, "final", &format!("{pupil}:{math}:final")).await;
    assert_eq!(action, "final.derive");
    // The exam result is stored with the others: the pupil's exams list it.
    let exams = app
        .get_json(&format!("/api/v1/students/{pupil}/exams"), &zavuch)
        .await;
    assert!(exams.to_string().contains("oge"), "{exams}");

    // The year mark changes to 3: the итоговая is derived again, (3 + 5) / 2 = 4.
    let math_year = year_mark(
        &app,
        &teacher,
        (&class, &math),
        &pupil,
        ("3", math_year["version"].as_i64().unwrap()),
    )
    .await;
    let view = app.get_json(&view_path, &teacher).await;
    assert_eq!(shown(&line(&view, &math)["final"]), "4");
    assert_eq!(view["may_manage"], false);
    let version = line(&view, &math)["final"]["version"].as_i64().unwrap();

    // An override without a reason: 422 problem+json naming the field; nothing changes.
    let override_path = format!("/api/v1/students/{pupil}/final-marks/{math}");
    let problem = assert_problem(
        put(
            &app,
            &zavuch,
            &override_path,
            json!({"value": "3", "reason": "  ", "version": version}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["reason"].is_string(), "{problem}");
    let problem = assert_problem(
        put(
            &app,
            &zavuch,
            &override_path,
            json!({"value": "7", "reason": "решение педсовета", "version": version}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["value"].is_string(), "{problem}");
    assert_eq!(
        shown(&line(&app.get_json(&view_path, &zavuch).await, &math)["final"]),
        "4"
    );
    // A stale version: 409.
    assert_problem(
        put(
            &app,
            &zavuch,
            &override_path,
            json!({"value": "3", "reason": "решение педсовета", "version": version + 5}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    // With a reason: the value is the deputy head's, the rule's beside it, audited.
    let view = ok(put(
        &app,
        &zavuch,
        &override_path,
        json!({"value": "3", "reason": "решение педсовета, протокол № 4", "version": version}),
    )
    .await)
    .await;
    let m = line(&view, &math);
    assert_eq!(
        (
            shown(&m["final"]),
            m["overridden"].as_bool(),
            m["derived"].as_str()
        ),
        ("3", Some(true), Some("4"))
    );
    assert_eq!(m["reason"], "решение педсовета, протокол № 4");
    let (action, reason) = last_audit(&app, "final", &format!("{pupil}:{math}:final")).await;
    assert_eq!(
        (action.as_str(), reason.as_deref()),
        ("final.override", Some("решение педсовета, протокол № 4"))
    );

    // The year mark changes to 5: the override stays, the rule's value follows (5).
    year_mark(
        &app,
        &teacher,
        (&class, &math),
        &pupil,
        ("5", math_year["version"].as_i64().unwrap()),
    )
    .await;
    let view = app.get_json(&view_path, &zavuch).await;
    let m = line(&view, &math);
    assert_eq!(
        (
            shown(&m["final"]),
            m["overridden"].as_bool(),
            m["derived"].as_str()
        ),
        ("3", Some(true), Some("5"))
    );
    // The page shows that it is overridden, and why; the pupil's record links it.
    let b = app.browser("zavuch").await;
    let (_, record) = b.parsed(&format!("/school/students/{pupil}/record")).await;
    assert_eq!(
        record.attr("#record-certificate", "href"),
        Some(format!("/school/students/{pupil}/certificate"))
    );
    let (status, page) = b
        .parsed(&format!("/school/students/{pupil}/certificate"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let row = format!("#certificate tr[data-subject=\"{math}\"]");
    assert_eq!(page.text(&format!("{row} td.year")), "5");
    assert!(page.text(&format!("{row} td.exam")).starts_with("5 ОГЭ"));
    let cell = page.text(&format!("{row} td.final"));
    assert!(
        cell.starts_with('3') && cell.contains("изменена: решение педсовета"),
        "{cell}"
    );

    // The summary sheet's exam and итоговая columns fill from them.
    let sheet = app
        .get_json(&format!("/api/v1/summary-sheet?class={class}"), &zavuch)
        .await;
    let slots: Vec<&str> = sheet["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let subject_at = sheet["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["id"] == math.as_str())
        .unwrap();
    let cells = &sheet["students"][0]["cells"][subject_at];
    let at = |slot: &str| cells[slots.iter().position(|s| *s == slot).unwrap()].clone();
    assert_eq!(
        (at("year"), at("exam"), at("final")),
        (json!("5"), json!("5"), json!("3"))
    );

    // Withdrawn: the rule's value returns (the mean of 5 and 5).
    let version = m["final"]["version"].as_i64().unwrap();
    let view = ok(delete(&app, &zavuch, &format!("{override_path}?version={version}")).await).await;
    let m = line(&view, &math);
    assert_eq!(
        (shown(&m["final"]), m["overridden"].as_bool()),
        ("5", Some(false))
    );
}

both_backends!(exam_marks_and_overrides_are_written_by_the_administration_only);
async fn exam_marks_and_overrides_are_written_by_the_administration_only(app: TestApp) {
    let f = &app.f;
    let (ivan, oleg, math) = (f.ivan.to_string(), f.oleg.to_string(), f.math.to_string());
    let exam = json!({"subject_id": math, "exam": "school", "mark": "4", "taken_on": "2026-11-20"});
    let over = json!({"value": "4", "reason": "причина", "version": 0});
    // The pupil's teachers and family read; they may not write (403); another school's
    // administrator does not see the pupil (404).
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("english", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("student", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        let res = post(
            &app,
            &token,
            &format!("/api/v1/students/{ivan}/exam-marks"),
            exam.clone(),
        )
        .await;
        assert_problem(res, status).await;
        let res = put(
            &app,
            &token,
            &format!("/api/v1/students/{ivan}/final-marks/{math}"),
            over.clone(),
        )
        .await;
        assert_problem(res, status).await;
        let res = post(
            &app,
            &token,
            &format!("/api/v1/students/{ivan}/exemptions"),
            json!({"subject_id": math, "starts_on": "2026-09-01", "ends_on": "2026-12-28",
                "document_kind": "medical", "document_number": "1", "document_date": "2026-09-01"}),
        )
        .await;
        assert_problem(res, status).await;
        let read = app
            .get(&format!("/api/v1/students/{ivan}/certificate"), &token)
            .await
            .status();
        let expected = if login == "admin2" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(read, expected, "{login} reads");
    }
    // A parent reads only their own child, and only with the diary consent.
    let parent = app.token("parent").await;
    assert_eq!(
        app.get(&format!("/api/v1/students/{oleg}/certificate"), &parent)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let refuser = app.token("refuser").await;
    assert_eq!(
        app.get(&format!("/api/v1/students/{oleg}/certificate"), &refuser)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // The school's administrator writes; a bad mark or exam is 422, nothing stored.
    let admin = app.token("admin").await;
    let mut bad = exam.clone();
    bad["mark"] = json!("6");
    let problem = assert_problem(
        post(
            &app,
            &admin,
            &format!("/api/v1/students/{ivan}/exam-marks"),
            bad,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["mark"].is_string(), "{problem}");
    let mut future = exam.clone();
    future["taken_on"] = json!("2027-05-20");
    assert_problem(
        post(
            &app,
            &admin,
            &format!("/api/v1/students/{ivan}/exam-marks"),
            future,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        app.get_json(&format!("/api/v1/students/{ivan}/certificate"), &admin)
            .await["lines"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let view = created(
        post(
            &app,
            &admin,
            &format!("/api/v1/students/{ivan}/exam-marks"),
            exam.clone(),
        )
        .await,
    )
    .await;
    // Grade 5 with a school exam but no year mark yet: an exam mark, no итоговая.
    let m = line(&view, &math);
    assert_eq!((shown(&m["exam"]), m["final"].is_null()), ("4", true));
    // The family sees it.
    let family = app
        .get_json(&format!("/api/v1/students/{ivan}/certificate"), &parent)
        .await;
    assert_eq!(shown(&line(&family, &math)["exam"]), "4");
    assert_eq!(family["may_manage"], false);
}

both_backends!(a_failing_exam_mark_opens_an_academic_debt);
async fn a_failing_exam_mark_opens_an_academic_debt(app: TestApp) {
    let f = &app.f;
    let (oleg, math) = (f.oleg.to_string(), f.math.to_string());
    let zavuch = app.token("zavuch").await;
    created(
        post(
            &app,
            &zavuch,
            &format!("/api/v1/students/{oleg}/exam-marks"),
            json!({"subject_id": math, "exam": "school", "mark": "2", "taken_on": "2026-11-25"}),
        )
        .await,
    )
    .await;
    let debts = app
        .get_json(&format!("/api/v1/students/{oleg}/debts"), &zavuch)
        .await;
    let debt = &debts["debts"][0];
    assert_eq!(
        (
            &debt["slot"],
            &debt["origin"],
            &debt["arisen_value"],
            &debt["stage"]
        ),
        (&json!("exam"), &json!("final"), &json!("2"), &json!("open")),
        "{debts}"
    );
    // A passing retake clears it and becomes the exam mark.
    let res = post(
        &app,
        &zavuch,
        &format!("/api/v1/debts/{}/retakes", debt["id"].as_str().unwrap()),
        json!({"on_date": "2026-11-28", "value": "4", "version": debt["version"]}),
    )
    .await;
    let line_ = ok(res).await;
    assert_eq!(line_["stage"], "closed", "{line_}");
    let view = app
        .get_json(&format!("/api/v1/students/{oleg}/certificate"), &zavuch)
        .await;
    assert_eq!(shown(&line(&view, &math)["exam"]), "4");
    // A ЕГЭ test score is a result, not an exam mark: no debt, no exam column.
    let view = created(
        post(
            &app,
            &zavuch,
            &format!("/api/v1/students/{oleg}/exam-marks"),
            json!({"subject_id": f.english_subject.to_string(), "exam": "ege", "mark": "20",
                "taken_on": "2026-11-25"}),
        )
        .await,
    )
    .await;
    assert!(
        view["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["subject_id"] != f.english_subject.to_string()),
        "{view}"
    );
}

both_backends!(an_exemption_gives_osv_in_the_finals_and_the_summary_sheet);
async fn an_exemption_gives_osv_in_the_finals_and_the_summary_sheet(app: TestApp) {
    let f = &app.f;
    let (ivan, math) = (f.ivan.to_string(), f.math.to_string());
    let zavuch = app.token("zavuch").await;
    let teacher = app.token("teacher").await;
    let parent = app.token("parent").await;
    let path = format!("/api/v1/students/{ivan}/exemptions");
    let body = json!({"subject_id": math, "starts_on": "2026-09-01", "ends_on": "2026-12-28",
        "document_kind": "medical", "document_number": "17/к", "document_date": "2026-08-28",
        "document_note": "ГБУЗ ДП № 12"});

    // Bad dates or no document number: 422 naming the field; nothing stored.
    let mut backwards = body.clone();
    backwards["ends_on"] = json!("2026-08-01");
    let problem = assert_problem(
        post(&app, &zavuch, &path, backwards).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem["errors"]["ends_on"].is_string(), "{problem}");
    let mut no_number = body.clone();
    no_number["document_number"] = json!(" ");
    let problem = assert_problem(
        post(&app, &zavuch, &path, no_number).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"]["document_number"].is_string(),
        "{problem}"
    );
    assert!(
        app.get_json(&format!("/api/v1/students/{ivan}/certificate"), &zavuch)
            .await["exemptions"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Both quarters fall inside: «осв.» in each and in the year.
    let exemption = created(post(&app, &zavuch, &path, body.clone()).await).await;
    let id = exemption["id"].as_str().unwrap().to_owned();
    let (action, _) = last_audit(&app, "exemption", &id).await;
    assert_eq!(action, "exemption.create");
    // An overlapping one of the same subject is refused.
    assert_problem(
        post(&app, &zavuch, &path, body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let finals = app
        .get_json(&format!("/api/v1/students/{ivan}/finals"), &parent)
        .await;
    let mut math_slots: Vec<(String, String)> = finals
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["subject_id"] == math.as_str())
        .map(|x| {
            (
                x["slot"].as_str().unwrap().to_owned(),
                x["shown"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    math_slots.sort();
    assert_eq!(math_slots.len(), 3, "{finals}");
    assert!(
        math_slots.iter().all(|(_, v)| v == "осв."),
        "{math_slots:?}"
    );
    assert!(math_slots.iter().any(|(s, _)| s == "year"));
    // The statistics leave the exempted pupil out of N.
    let period = math_slots
        .iter()
        .find_map(|(s, _)| s.strip_prefix('p'))
        .unwrap()
        .to_owned();
    let stats = app
        .get_json(
            &format!("/api/v1/stats/results?period={period}&subject={math}"),
            &zavuch,
        )
        .await;
    let a5 = stats["by_class"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "5А")
        .unwrap();
    assert_eq!(a5["exempt"], 1, "{stats}");
    // The family sees the exemption with its document.
    let family = app
        .get_json(&format!("/api/v1/students/{ivan}/certificate"), &parent)
        .await;
    assert_eq!(family["exemptions"][0]["document_number"], "17/к");
    // The family's diary shows «осв.» in the finals.
    let b = app.browser("parent").await;
    let (status, diary) = b.page(&format!("/diary/{ivan}/finals")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(diary.contains("осв."), "{diary}");
    let diary = crate::support::Page::parse(&diary);
    let listed = diary.text("#diary-exemptions li");
    assert!(
        listed.contains("01.09.2026 – 28.12.2026") && listed.contains("№ 17/к"),
        "{listed}"
    );

    // The summary sheet reads «осв.» in every math cell of Ivan but the exam and итоговая.
    let sheet = app
        .get_json(
            &format!("/api/v1/summary-sheet?class={}", f.class_5a),
            &zavuch,
        )
        .await;
    let slots = sheet["slots"].as_array().unwrap().clone();
    let subject_at = sheet["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["id"] == math.as_str())
        .unwrap();
    let row = sheet["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == ivan.as_str())
        .unwrap();
    for (i, slot) in slots.iter().enumerate() {
        let v = &row["cells"][subject_at][i];
        if slot == "exam" || slot == "final" {
            assert_eq!(v, "", "{slot}");
        } else {
            assert_eq!(v, "осв.", "{slot}");
        }
    }
    let b = app.browser("zavuch").await;
    let (_, page) = b
        .parsed(&format!("/school/classes/{}/summary", f.class_5a))
        .await;
    assert!(page.texts("#summary td").iter().any(|t| t == "осв."));

    // The teacher cannot write over it.
    let sheet = app
        .get_json(
            &format!(
                "/api/v1/finals?group={}&subject={math}&period=year",
                f.class_5a
            ),
            &teacher,
        )
        .await;
    let version = sheet[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["student_id"] == ivan.as_str())
        .unwrap()["current"]["version"]
        .as_i64()
        .unwrap_or(1);
    let problem = assert_problem(
        put(
            &app,
            &teacher,
            &format!(
                "/api/v1/finals?group={}&subject={math}&period=year",
                f.class_5a
            ),
            json!({"rows": [{"student_id": ivan, "value": "5", "reason": "ответы", "version": version}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"]["rows[0].value"]
            .as_str()
            .unwrap()
            .contains("exempted"),
        "{problem}"
    );

    // Ending it and denials: the teacher and the family may not (403), another school does
    // not see it (404); a day outside it is 422.
    let end = format!("/api/v1/exemptions/{id}/end");
    for (login, status) in [
        ("teacher", StatusCode::FORBIDDEN),
        ("parent", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        assert_problem(
            post(
                &app,
                &token,
                &end,
                json!({"ends_on": "2026-10-31", "version": 1}),
            )
            .await,
            status,
        )
        .await;
    }
    assert_problem(
        post(
            &app,
            &zavuch,
            &end,
            json!({"ends_on": "2027-01-31", "version": 1}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Ended on 31 October: the first quarter keeps «осв.», the second and the year lose it.
    let ended = ok(post(
        &app,
        &zavuch,
        &end,
        json!({"ends_on": "2026-10-31", "version": 1}),
    )
    .await)
    .await;
    assert_eq!(ended["ends_on"], "2026-10-31");
    assert!(ended["ended_at"].is_string());
    let finals = app
        .get_json(&format!("/api/v1/students/{ivan}/finals"), &parent)
        .await;
    let left: Vec<&Value> = finals
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["subject_id"] == math.as_str())
        .collect();
    assert_eq!(left.len(), 1, "{finals}");
    assert_eq!(left[0]["shown"], "осв.");
    assert_ne!(left[0]["slot"], "year");
}

both_backends!(published_exam_results_fill_the_exam_column_and_a_failing_one_opens_a_debt);
async fn published_exam_results_fill_the_exam_column_and_a_failing_one_opens_a_debt(app: TestApp) {
    let f = &app.f;
    let (ivan, oleg, math) = (f.ivan.to_string(), f.oleg.to_string(), f.math.to_string());
    let zavuch = app.token("zavuch").await;
    // The school's transfer exam in mathematics, imported and held back.
    let csv = "ФИО;Класс;Предмет;Дата;Отметка\r\n\
        Петров Иван Сергеевич;5А;Математика;20.11.2026;4\r\n\
        Сидоров Олег;5А;Математика;20.11.2026;2\r\n";
    let res = app
        .http
        .post(app.url("/api/v1/exam-results?exam=school"))
        .bearer_auth(&zavuch)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let summary = created(res).await;
    let batch = summary["batch"]["id"].as_str().unwrap().to_owned();
    let certificate = |pupil: String| {
        let (app, zavuch) = (&app, &zavuch);
        async move {
            app.get_json(&format!("/api/v1/students/{pupil}/certificate"), zavuch)
                .await
        }
    };
    // Unpublished: no exam mark yet.
    assert!(
        certificate(ivan.clone()).await["lines"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let res = app
        .http
        .post(app.url("/api/v1/exam-results/publication"))
        .bearer_auth(&zavuch)
        .json(&json!({"batch_id": batch}))
        .send()
        .await
        .unwrap();
    ok(res).await;
    assert_eq!(
        shown(&line(&certificate(ivan.clone()).await, &math)["exam"]),
        "4"
    );
    assert_eq!(line(&certificate(ivan).await, &math)["exam_kind"], "school");
    assert_eq!(
        shown(&line(&certificate(oleg.clone()).await, &math)["exam"]),
        "2"
    );
    let debts = app
        .get_json(&format!("/api/v1/students/{oleg}/debts"), &zavuch)
        .await;
    assert_eq!(debts["debts"][0]["slot"], "exam", "{debts}");
    assert_eq!(debts["debts"][0]["stage"], "open", "{debts}");
}
