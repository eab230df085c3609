//! Who attaches and reads files, and when: the lesson's writers and the journal's readers, closed
//! periods, cancelled lessons and grade 1.

use super::{assert_audit_chain_holds, delete, files_of, id, upload, week};
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_store::test_support::Fixture;

both_backends!(only_writers_of_the_lesson_attach_and_only_readers_of_the_journal_read);
async fn only_writers_of_the_lesson_attach_and_only_readers_of_the_journal_read(app: TestApp) {
    let (_, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    let res = upload(&app, &teacher, &monday, ("a.txt", "text/plain", b"a"), None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let file = id(&res.json::<Value>().await.unwrap());

    // The pupil of the lesson's group and a parent with the diary consent download (the diary
    // links the files) but do not list them (the journal's readers do).
    for (login, write, read, download_status) in [
        (
            "english",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
        ),
        (
            "parent",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
            StatusCode::OK,
        ),
        (
            "student",
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
            StatusCode::OK,
        ),
        (
            "admin2",
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
        ),
        (
            "zavuch",
            StatusCode::FORBIDDEN,
            StatusCode::OK,
            StatusCode::OK,
        ),
    ] {
        let token = app.token(login).await;
        let res = upload(&app, &token, &monday, ("b.txt", "text/plain", b"b"), None).await;
        assert_problem(res, write).await;
        assert_problem(delete(&app, &token, &file, None).await, write).await;
        let list = app
            .get(&format!("/api/v1/lessons/{monday}/files"), &token)
            .await;
        if read == StatusCode::OK {
            assert_eq!(list.status(), StatusCode::OK, "{login}");
        } else {
            assert_problem(list, read).await;
        }
        let download = app.get(&format!("/api/v1/files/{file}"), &token).await;
        if download_status == StatusCode::OK {
            assert_eq!(download.status(), StatusCode::OK, "{login}");
        } else {
            assert_problem(download, download_status).await;
        }
    }
    // Without a token: 401.
    let res = app
        .http
        .get(app.url(&format!("/api/v1/files/{file}")))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    // An administrator corrects only with a reason.
    let admin = app.token("admin").await;
    let p = assert_problem(
        upload(&app, &admin, &monday, ("c.txt", "text/plain", b"c"), None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"]["reason"].is_string(), "{p}");
    let res = upload(
        &app,
        &admin,
        &monday,
        ("c.txt", "text/plain", b"c"),
        Some("по просьбе учителя"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let names: Vec<String> = files_of(&app, &teacher, &monday)
        .await
        .iter()
        .map(|f| f["file_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["a.txt", "c.txt"]);
    assert_problem(
        app.get("/api/v1/lessons/999999/files", &teacher).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

both_backends!(a_closed_period_takes_files_only_from_an_administrator_with_a_reason);
async fn a_closed_period_takes_files_only_from_an_administrator_with_a_reason(app: TestApp) {
    let (deputy, lessons) = week(&app).await;
    let monday = id(&lessons[0]);
    let teacher = app.token("teacher").await;
    let res = upload(&app, &teacher, &monday, ("a.txt", "text/plain", b"a"), None).await;
    let file = id(&res.json::<Value>().await.unwrap());
    let grid = app
        .get_json(
            &format!(
                "/api/v1/journal?group={}&subject={}",
                app.f.class_5a, app.f.math
            ),
            &teacher,
        )
        .await;
    let period = grid["period"]["id"].as_str().unwrap().to_owned();
    let res = app
        .http
        .post(app.url(&format!("/api/v1/periods/{period}/close")))
        .bearer_auth(&deputy)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let p = assert_problem(
        upload(&app, &teacher, &monday, ("b.txt", "text/plain", b"b"), None).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("closed"), "{p}");
    assert_problem(
        delete(&app, &teacher, &file, None).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Reading goes on.
    assert_eq!(files_of(&app, &teacher, &monday).await.len(), 1);
    let admin = app.token("admin").await;
    let res = delete(&app, &admin, &file, Some("файл с ошибкой")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = upload(
        &app,
        &admin,
        &monday,
        ("b.txt", "text/plain", b"b"),
        Some("исправленный файл"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let mut c = app.db.db.acquire().await.unwrap();
    let history = tabel_store::audit::history_of(&mut c.conn(), "homework_file", &file, 10)
        .await
        .unwrap();
    assert_eq!(history[0].action, "homework_file.delete");
    assert_eq!(history[0].reason.as_deref(), Some("файл с ошибкой"));
    assert!(history[0].after_json.is_none());
    let before: Value = serde_json::from_str(history[0].before_json.as_deref().unwrap()).unwrap();
    assert_eq!(before["file_name"], "a.txt");
    drop(c);
    assert_audit_chain_holds(&app).await;
}

both_backends!(cancelled_lessons_and_grade_one_take_no_files);
async fn cancelled_lessons_and_grade_one_take_no_files(app: TestApp) {
    use tabel_domain::school::GroupKind;
    let (deputy, lessons) = week(&app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    // The deputy cancels Wednesday's lesson.
    let wednesday = id(&lessons[1]);
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{wednesday}/cancellation")))
        .bearer_auth(&deputy)
        .json(&json!({"reason": "карантин", "version": lessons[1]["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let p = assert_problem(
        upload(
            &app,
            &teacher,
            &wednesday,
            ("a.txt", "text/plain", b"a"),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"]["lesson_id"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{p}"
    );

    // A first-grade class with the teacher's mathematics on Tuesdays.
    let class = {
        let mut tx = app.db.db.begin().await.unwrap();
        let c = &mut tx.conn();
        let g5 = tabel_store::school::get_group(c, f.class_5a, Fixture::TODAY)
            .await
            .unwrap()
            .unwrap();
        let class = tabel_store::school::insert_group(
            c,
            &tabel_store::school::NewGroup {
                school: f.school,
                year: g5.year,
                kind: GroupKind::Class,
                name: "1А",
                grade: 1,
                parent: None,
                subject: None,
            },
        )
        .await
        .unwrap();
        let five = tabel_domain::calendar::WeekLength::try_from(5u8).unwrap();
        tabel_store::school::insert_parallel(
            c,
            f.school,
            g5.year,
            1,
            five,
            tabel_domain::school::PeriodKind::Quarter,
        )
        .await
        .unwrap();
        tabel_store::school::insert_assignment(
            c,
            f.school,
            g5.year,
            f.teacher,
            f.math,
            class,
            time::macros::date!(2026 - 09 - 01),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        class
    };
    let res = app
        .http
        .post(app.url("/api/v1/timetable"))
        .bearer_auth(&deputy)
        .json(
            &json!({"group_id": class.to_string(), "weekday": 2, "number": 4,
            "subject_id": f.math.to_string(), "teacher_id": f.teacher.to_string(), "room": ""}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let first_grade = app
        .get_json(
            &format!("/api/v1/lessons?class={class}&from=2026-11-23&to=2026-11-27"),
            &deputy,
        )
        .await;
    let tuesday = id(&first_grade[0]);
    let p = assert_problem(
        upload(
            &app,
            &teacher,
            &tuesday,
            ("a.txt", "text/plain", b"a"),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"]["file"].as_str().unwrap().contains("grade 1"),
        "{p}"
    );
    assert!(files_of(&app, &teacher, &tuesday).await.is_empty());
    assert!(files_of(&app, &teacher, &wednesday).await.is_empty());
}
