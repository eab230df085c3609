//! Absence notes from families (issue 18, point 7) over HTTP on both backends: a parent sends
//! a note (JSON, or a form with a scan), the class teacher sees it waiting and accepts it — the
//! pupil's absences without a reason within its dates become Б in the journal, those recorded
//! later too — or rejects it with a comment the family reads; the parent hears of the decision
//! by e-mail. Denials: another parent, a parent without consent, the pupil, a teacher who is not
//! the class teacher, another school; bad input is 422 problem+json. The pages, and a headless
//! Chromium playing the parent and the class teacher.

use crate::browser::Driver;
use crate::journal::{id, lessons_5a, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn notes_path(student: impl std::fmt::Display) -> String {
    format!("/api/v1/students/{student}/absence-notes")
}

async fn ok(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Marks a pupil on a lesson (as the `teacher`); the stored record.
async fn mark(app: &TestApp, lesson: &str, student: impl std::fmt::Display, code: &str) -> Value {
    let teacher = app.token("teacher").await;
    let res = post(
        app,
        &teacher,
        "/api/v1/attendance",
        json!({"lesson_id": lesson, "student_id": student.to_string(), "code": code}),
    )
    .await;
    ok(res, "attendance").await
}

/// Иван's attendance on 5А's mathematics as the journal's grid shows it: (lesson, code, reason).
async fn ivan_in_grid(app: &TestApp) -> Vec<(String, String, String)> {
    let teacher = app.token("teacher").await;
    let grid = app
        .get_json(
            &format!(
                "/api/v1/journal?group={}&subject={}",
                app.f.class_5a, app.f.math
            ),
            &teacher,
        )
        .await;
    let mut out: Vec<(String, String, String)> = grid["attendance"]
        .as_array()
        .unwrap_or_else(|| panic!("{grid}"))
        .iter()
        .filter(|a| a["student_id"] == app.f.ivan.to_string())
        .map(|a| {
            (
                a["lesson_id"].as_str().unwrap().to_owned(),
                a["code"].as_str().unwrap().to_owned(),
                a["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// 5А's mathematics of 23–27.11.2026 (Monday, Wednesday, Friday) with Иван absent without a
/// reason on Monday and Friday.
async fn week_with_absences(app: &TestApp) -> (String, String, String) {
    let deputy = timetable(app).await;
    let lessons = lessons_5a(app, &deputy, "2026-11-23", "2026-11-27").await;
    assert_eq!(lessons.len(), 3);
    let (mon, wed, fri) = (id(&lessons[0]), id(&lessons[1]), id(&lessons[2]));
    assert_eq!(mark(app, &mon, app.f.ivan, "н").await["code"], "unexcused");
    mark(app, &fri, app.f.ivan, "н").await;
    (mon, wed, fri)
}

async fn send(app: &TestApp, token: &str, student: impl std::fmt::Display, body: Value) -> Value {
    ok(
        post(app, token, &notes_path(student), body).await,
        "send a note",
    )
    .await
}

async fn decide(app: &TestApp, token: &str, note: &str, body: Value) -> reqwest::Response {
    post(
        app,
        token,
        &format!("/api/v1/absence-notes/{note}/decision"),
        body,
    )
    .await
}

both_backends!(an_accepted_note_excuses_the_absences_within_its_dates);
async fn an_accepted_note_excuses_the_absences_within_its_dates(app: TestApp) {
    let (mon, wed, fri) = week_with_absences(&app).await;
    let parent = app.token("parent").await;
    let note = send(
        &app,
        &parent,
        app.f.ivan,
        json!({"from": "2026-11-23", "to": "2026-11-25", "reason": "illness", "text": " ОРВИ "}),
    )
    .await;
    assert_eq!(note["state"], "pending");
    assert_eq!(note["text"], "ОРВИ");
    assert_eq!(note["class"], "5А");
    assert_eq!(note["may_decide"], false);
    let note_id = note["id"].as_str().unwrap().to_owned();

    // The parent sees it waiting; so does the class teacher, on the list and the home page.
    let mine = app.get_json(&notes_path(app.f.ivan), &parent).await;
    assert_eq!(mine["may_send"], true);
    assert_eq!(mine["notes"][0]["state"], "pending");
    let teacher = app.token("teacher").await;
    let waiting = app.get_json("/api/v1/absence-notes", &teacher).await;
    let ids: Vec<&str> = waiting
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [note_id.as_str()]);
    assert_eq!(waiting[0]["may_decide"], true);
    let (status, home) = app.browser("teacher").await.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(home.text("#notes-count"), "1");

    // Accepted: Monday's Н becomes Б with the note as its reason; Friday is outside its dates.
    let accepted = ok(
        decide(
            &app,
            &teacher,
            &note_id,
            json!({"decision": "accept", "version": note["version"]}),
        )
        .await,
        "accept",
    )
    .await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["excused"], 1);
    assert_eq!(accepted["decided_by"], "Смирнова Елена Викторовна");
    let grid = ivan_in_grid(&app).await;
    let code_of = |lesson: &str| {
        grid.iter()
            .find(|(l, _, _)| l == lesson)
            .map(|(_, c, r)| (c.clone(), r.clone()))
    };
    let (code, reason) = code_of(&mon).unwrap();
    assert_eq!(code, "ill");
    assert!(
        reason.contains(&format!("Объяснительная № {note_id}")),
        "{reason}"
    );
    assert_eq!(code_of(&fri).unwrap().0, "unexcused");

    // Wednesday's absence recorded only now is excused by the accepted note as it is recorded.
    let late = mark(&app, &wed, app.f.ivan, "н").await;
    assert_eq!(late["code"], "ill");
    let n = app
        .get_json(&format!("/api/v1/absence-notes/{note_id}"), &parent)
        .await;
    assert_eq!(n["state"], "accepted");
    assert_eq!(n["excused"], 2);
    // Another pupil's absence that day is not covered.
    assert_eq!(mark(&app, &wed, app.f.oleg, "н").await["code"], "unexcused");

    // The cell's history keeps the change, by the class teacher, with the note as reason.
    let history = app
        .get_json(
            &format!("/api/v1/cells/history?lesson={mon}&student={}", app.f.ivan),
            &teacher,
        )
        .await;
    assert_eq!(history[0]["action"], "attendance.set", "{history}");
    assert_eq!(history[0]["after"]["code"], "ill");
    assert_eq!(history[0]["before"]["code"], "unexcused");
    assert!(
        history[0]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("Объяснительная")),
        "{history}"
    );

    // Decided once: a second decision is 409; the count on the home page is back to 0.
    let again = decide(
        &app,
        &teacher,
        &note_id,
        json!({"decision": "reject", "comment": "нет"}),
    )
    .await;
    assert_problem(again, StatusCode::CONFLICT).await;
    let (_, home) = app.browser("teacher").await.parsed("/").await;
    assert_eq!(home.text("#notes-count"), "0");
}

both_backends!(a_rejected_note_carries_the_comment_and_leaves_the_journal_alone);
async fn a_rejected_note_carries_the_comment_and_leaves_the_journal_alone(app: TestApp) {
    let (mon, _, _) = week_with_absences(&app).await;
    let parent = app.token("parent").await;
    let note = send(
        &app,
        &parent,
        app.f.ivan,
        json!({"from": "2026-11-23", "to": "2026-11-23", "reason": "other", "text": "Проспал"}),
    )
    .await;
    let note_id = note["id"].as_str().unwrap();
    let zavuch = app.token("zavuch").await;
    // The deputy head decides every class's notes; a rejection needs a comment.
    let res = decide(
        &app,
        &zavuch,
        note_id,
        json!({"decision": "reject", "comment": "  "}),
    )
    .await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p["errors"]["comment"].is_string(), "{p}");
    let res = decide(&app, &zavuch, note_id, json!({"decision": "maybe"})).await;
    assert!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]["decision"]
            .is_string()
    );
    let rejected = ok(
        decide(
            &app,
            &zavuch,
            note_id,
            json!({"decision": "reject", "comment": "Это не уважительная причина"}),
        )
        .await,
        "reject",
    )
    .await;
    assert_eq!(rejected["state"], "rejected");
    let mine = app.get_json(&notes_path(app.f.ivan), &parent).await;
    assert_eq!(mine["notes"][0]["state"], "rejected");
    assert_eq!(mine["notes"][0]["comment"], "Это не уважительная причина");
    let grid = ivan_in_grid(&app).await;
    let monday = grid.iter().find(|(l, _, _)| *l == mon).unwrap();
    assert_eq!(monday.1, "unexcused");
    // Nothing waits any more; the decided one is under `rejected`.
    let teacher = app.token("teacher").await;
    assert_eq!(
        app.get_json("/api/v1/absence-notes", &teacher).await,
        json!([])
    );
    let decided = app
        .get_json("/api/v1/absence-notes?state=rejected", &teacher)
        .await;
    assert_eq!(decided[0]["id"], note_id);
    let res = app.get("/api/v1/absence-notes?state=lost", &teacher).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

both_backends!(only_the_family_with_consent_sends_and_only_the_class_teacher_decides);
async fn only_the_family_with_consent_sends_and_only_the_class_teacher_decides(app: TestApp) {
    let f = &app.f;
    let body = json!({"from": "2026-11-26", "to": "2026-11-26", "reason": "family"});
    let parent = app.token("parent").await;
    let note = send(&app, &parent, f.ivan, body.clone()).await;
    let note_id = note["id"].as_str().unwrap().to_owned();
    let one = format!("/api/v1/absence-notes/{note_id}");

    // Another family's child: not there at all. A parent without the consent: told why (403).
    let res = post(&app, &parent, &notes_path(f.oleg), body.clone()).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let refuser = app.token("refuser").await;
    let res = post(&app, &refuser, &notes_path(f.oleg), body.clone()).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = app.get(&notes_path(f.oleg), &refuser).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = app.get(&one, &refuser).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;

    // The pupil reads their notes but does not send one.
    let student = app.token("student").await;
    let res = post(&app, &student, &notes_path(f.ivan), body.clone()).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let own = app.get_json(&notes_path(f.ivan), &student).await;
    assert_eq!(own["may_send"], false);
    assert_eq!(own["notes"][0]["id"], note_id.as_str());

    // A teacher of the pupil who is not the class teacher: 403 for everything, staff or not.
    let english = app.token("english").await;
    for res in [
        app.get(&notes_path(f.ivan), &english).await,
        app.get(&one, &english).await,
        app.get("/api/v1/absence-notes", &english).await,
        decide(&app, &english, &note_id, json!({"decision": "accept"})).await,
        post(&app, &english, &notes_path(f.ivan), body.clone()).await,
    ] {
        assert_problem(res, StatusCode::FORBIDDEN).await;
    }
    // Neither the parent nor the pupil decides.
    for token in [&parent, &student] {
        let res = decide(&app, token, &note_id, json!({"decision": "accept"})).await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
        let res = app.get("/api/v1/absence-notes", token).await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
    }
    // Анна is in 5Б: the class teacher of 5А does not decide her notes.
    let anna = send(&app, &parent, f.anna, body.clone()).await;
    let teacher = app.token("teacher").await;
    let res = decide(
        &app,
        &teacher,
        anna["id"].as_str().unwrap(),
        json!({"decision": "accept"}),
    )
    .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let waiting = app.get_json("/api/v1/absence-notes", &teacher).await;
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");

    // Another school's administrator: nothing exists.
    let admin2 = app.token("admin2").await;
    for res in [
        app.get(&one, &admin2).await,
        app.get(&format!("{one}/scan"), &admin2).await,
        app.get(&notes_path(f.ivan), &admin2).await,
        decide(&app, &admin2, &note_id, json!({"decision": "accept"})).await,
        post(&app, &admin2, &notes_path(f.ivan), body.clone()).await,
    ] {
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
    let other_school = app.get_json("/api/v1/absence-notes", &admin2).await;
    assert_eq!(other_school, json!([]));
    // Nothing was decided by the refusals.
    let n = app.get_json(&one, &teacher).await;
    assert_eq!(n["state"], "pending");
}

both_backends!(bad_notes_are_422_and_nothing_is_stored);
async fn bad_notes_are_422_and_nothing_is_stored(app: TestApp) {
    let parent = app.token("parent").await;
    let long = "я".repeat(1001);
    for (body, field) in [
        (
            json!({"from": "2026-10-28", "to": "2026-10-29", "reason": "illness"}),
            "from",
        ),
        (
            json!({"from": "2026-11-25", "to": "2026-11-24", "reason": "illness"}),
            "to",
        ),
        (
            json!({"from": "2026-11-25", "to": "2026-12-29", "reason": "illness"}),
            "to",
        ),
        (
            json!({"from": "25.11.2026", "to": "2026-11-25", "reason": "illness"}),
            "from",
        ),
        (
            json!({"from": "2026-11-25", "to": "2026-11-25", "reason": "flu"}),
            "reason",
        ),
        (
            json!({"from": "2026-11-25", "to": "2026-11-25", "reason": "other"}),
            "text",
        ),
        (
            json!({"from": "2026-11-25", "to": "2026-11-25", "reason": "illness", "text": long}),
            "text",
        ),
    ] {
        let res = post(&app, &parent, &notes_path(app.f.ivan), body.clone()).await;
        let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(p["errors"][field].is_string(), "{body}: {p}");
    }
    let res = post(&app, &parent, &notes_path(app.f.ivan), json!({"from": 1})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let mine = app.get_json(&notes_path(app.f.ivan), &parent).await;
    assert_eq!(mine["notes"], json!([]));
}

/// A `multipart/form-data` body of text fields only (a form sent without choosing a file).
fn text_form(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----tabel-note-boundary-8Rw";
    let mut body = Vec::new();
    for (field, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A `multipart/form-data` note with a scan.
fn note_form(name: &str, kind: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tabel-note-boundary-5Qz";
    let mut body = Vec::new();
    for (field, value) in [
        ("from", "2026-11-24"),
        ("to", "2026-11-24"),
        ("reason", "illness"),
        ("text", "Справка из поликлиники"),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: {kind}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn send_form(app: &TestApp, token: &str, form: (String, Vec<u8>)) -> reqwest::Response {
    app.http
        .post(app.url(&notes_path(app.f.ivan)))
        .bearer_auth(token)
        .header("Content-Type", form.0)
        .body(form.1)
        .send()
        .await
        .unwrap()
}

both_backends!(the_scan_goes_to_the_deciders_and_the_sender_only);
async fn the_scan_goes_to_the_deciders_and_the_sender_only(app: TestApp) {
    let parent = app.token("parent").await;
    let pdf = b"%PDF-1.4\n% a medical certificate\n%%EOF\n".to_vec();
    let res = send_form(
        &app,
        &parent,
        note_form("справка.pdf", "application/pdf", &pdf),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let note: Value = res.json().await.unwrap();
    assert_eq!(note["scan"]["file_name"], "справка.pdf");
    assert_eq!(note["scan"]["size_bytes"], pdf.len());
    let href = note["scan"]["href"].as_str().unwrap().to_owned();
    for login in ["parent", "teacher", "zavuch"] {
        let res = app.get(&href, &app.token(login).await).await;
        assert_eq!(res.status(), StatusCode::OK, "{login}");
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.bytes().await.unwrap().as_ref(), pdf.as_slice());
    }
    // The pupil reads the note, not the scan; the other staff neither.
    let student = app.token("student").await;
    let seen = app
        .get_json(
            &format!("/api/v1/absence-notes/{}", note["id"].as_str().unwrap()),
            &student,
        )
        .await;
    assert_eq!(seen["scan"]["href"], Value::Null);
    for login in ["student", "english"] {
        let res = app.get(&href, &app.token(login).await).await;
        assert_problem(res, StatusCode::FORBIDDEN).await;
    }
    // Only PDF, JPEG and PNG, up to 5 MB; refused before anything is stored.
    let res = send_form(&app, &parent, note_form("a.html", "text/html", b"<script>")).await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p["errors"]["file"].is_string(), "{p}");
    let big = vec![b'x'; 5 * 1024 * 1024 + 1];
    let res = send_form(&app, &parent, note_form("big.png", "image/png", &big)).await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    // A form from someone who may not send is refused before its body is read.
    let res = send_form(&app, &student, note_form("s.pdf", "application/pdf", &pdf)).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let mine = app.get_json(&notes_path(app.f.ivan), &parent).await;
    assert_eq!(mine["notes"].as_array().unwrap().len(), 1);
}

both_backends!(the_parent_hears_of_the_decision_by_mail(backend));
async fn the_parent_hears_of_the_decision_by_mail(backend: crate::support::Backend) {
    use crate::notify::{MONDAY_NOON, add_contact, settings, worker};
    let sink = tabel_notify::test_support::SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    add_contact(&app, app.f.parent, "email", "maria@example.org", true).await;
    let parent = app.token("parent").await;
    let note = send(
        &app,
        &parent,
        app.f.ivan,
        json!({"from": "2026-11-26", "to": "2026-11-27", "reason": "family"}),
    )
    .await;
    let teacher = app.token("teacher").await;
    let res = decide(
        &app,
        &teacher,
        note["id"].as_str().unwrap(),
        json!({"decision": "reject", "comment": "Нужна справка"}),
    )
    .await;
    ok(res, "reject").await;
    let r = worker(&app, settings(Some(&sink)))
        .run_once_at(MONDAY_NOON)
        .await
        .unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let mail = &sink.mails()[0];
    assert_eq!(mail.subject(), "Объяснительная отклонена: Петров Иван");
    let text = mail.text();
    assert!(text.contains("за 26.11.2026–27.11.2026"), "{text}");
    assert!(text.contains("Комментарий: Нужна справка"), "{text}");
}

both_backends!(the_pages_send_list_and_decide_a_note);
async fn the_pages_send_list_and_decide_a_note(app: TestApp) {
    let (mon, _, _) = week_with_absences(&app).await;
    let parent = app.browser("parent").await;
    let section = format!("/diary/{}/absence-notes", app.f.ivan);
    let (status, page) = parent.parsed(&section).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.has("#note-form"));
    assert_eq!(page.text("#nav-absence-notes"), "Объяснительные");
    assert!(page.has("#no-notes"));
    // A form with bad dates comes back with the reason in Russian, nothing stored.
    let send_page = |from: &'static str| {
        let (kind, body) = text_form(&[
            ("from", from),
            ("to", "2026-11-23"),
            ("reason", "illness"),
            ("text", "Температура"),
        ]);
        parent
            .http
            .post(format!("{}{section}", parent.base))
            .header("Origin", &parent.base)
            .header("Content-Type", kind)
            .body(body)
            .send()
    };
    let res = send_page("2026-10-01").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = crate::support::Page::parse(&res.text().await.unwrap());
    assert!(
        page.text("#note-errors").contains("30 дней"),
        "{}",
        page.text("#note-errors")
    );
    let res = send_page("2026-11-23").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = parent.parsed(&format!("{section}?sent=1")).await;
    assert!(page.has("#note-sent"));
    assert_eq!(page.text("#notes .state"), "Ожидает");
    assert_eq!(page.text("#notes .dates"), "23.11.2026");

    // The class teacher: the home tile, the list, the note, the decision.
    let teacher = app.browser("teacher").await;
    let (_, home) = teacher.parsed("/").await;
    assert_eq!(home.text("#notes-count"), "1");
    assert_eq!(home.attr("#home-notes", "href").unwrap(), "/absence-notes");
    let (status, list) = teacher.parsed("/absence-notes").await;
    assert_eq!(status, StatusCode::OK);
    let href = list.attr("#notes a.open", "href").unwrap();
    let (_, note) = teacher.parsed(&href).await;
    assert_eq!(note.text("#note-student"), "Петров Иван");
    assert_eq!(note.text("#note-reason"), "Болезнь");
    // Rejecting without a comment is refused on the page.
    let version = note
        .attr("#decision-form input[name=version]", "value")
        .unwrap();
    let res = teacher
        .post_form(
            &format!("{href}/decision"),
            &[
                ("decision", "reject"),
                ("comment", ""),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = teacher
        .post_form(
            &format!("{href}/decision"),
            &[
                ("decision", "accept"),
                ("comment", ""),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, note) = teacher.parsed(&href).await;
    assert_eq!(note.text("#note-state"), "Принята");
    assert!(!note.has("#decision-form"));
    let grid = ivan_in_grid(&app).await;
    assert_eq!(grid.iter().find(|(l, _, _)| *l == mon).unwrap().1, "ill");
    let (_, page) = parent.parsed(&section).await;
    assert_eq!(page.text("#notes .state"), "Принята");

    // Someone who decides nothing is refused the list; another school does not see the note.
    let (status, _) = app.browser("english").await.page("/absence-notes").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.browser("admin2").await.page(&href).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

both_backends!(a_parent_sends_a_note_in_a_browser_and_the_class_teacher_accepts_it);
async fn a_parent_sends_a_note_in_a_browser_and_the_class_teacher_accepts_it(app: TestApp) {
    let (mon, _, _) = week_with_absences(&app).await;
    let Some(d) = Driver::start().await else {
        return;
    };
    d.sign_in(&app, "parent").await;
    d.go(&app.url(&format!("/diary/{}/absence-notes", app.f.ivan)))
        .await;
    // Dates through the date inputs' values (typing into them depends on the locale).
    d.script(
        "document.querySelector('#note-form input[name=from]').value = '2026-11-23';\
         document.querySelector('#note-form input[name=to]').value = '2026-11-24';",
    )
    .await;
    d.type_into("#note-form textarea[name=text]", "Температура, был у врача")
        .await;
    d.click("#note-send").await;
    d.find("#note-sent").await;
    assert_eq!(d.text("#notes .state").await, "Ожидает");
    d.quit().await;
    drop(d);

    let Some(d) = Driver::start().await else {
        return;
    };
    d.sign_in(&app, "teacher").await;
    assert_eq!(d.text("#notes-count").await, "1");
    d.click("#home-notes").await;
    d.click("#notes a.open").await;
    assert_eq!(d.text("#note-dates").await, "23.11.2026 – 24.11.2026");
    d.click("#note-accept").await;
    d.find("#note-excused").await;
    assert_eq!(d.text("#note-state").await, "Принята");
    d.quit().await;
    let grid = ivan_in_grid(&app).await;
    assert_eq!(grid.iter().find(|(l, _, _)| *l == mon).unwrap().1, "ill");
}
