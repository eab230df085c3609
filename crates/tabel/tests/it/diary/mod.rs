//! The family's diary over HTTP: the cabinet's pages and the diary API for a parent (two
//! children with consent), a pupil, staff and strangers; the consent gate (403 with the reason,
//! an explaining page), 404 for other people's children; homework files for families.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{Backend, TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::calendar::WeeklyHours;
use tabel_store::school::{NewCurriculumItem, insert_curriculum_item};

/// What [`family_week`] made.
pub(crate) struct Week {
    /// 5А mathematics of 23–27.11.2026: Monday, Wednesday, Friday.
    pub lessons: Vec<Value>,
    /// The homework file on Friday's lesson.
    pub file: String,
}

/// A `multipart/form-data` body with one file.
fn multipart(name: &str, kind: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tabel-diary-boundary-7f3K";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: {kind}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn ok(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The journal tests' timetable (5А mathematics Mon 2, Wed 3, Fri 1; 5Б Tue 1), Иван's English
/// subgroup on Thursday 1 in room 12, and a week of 5А's journal: Иван's marks (Monday 4 for an
/// answer, Wednesday 5 for a control work, Friday 3), late on Monday, Wednesday's topic and
/// homework, Friday's homework due on Monday 30.11 with a file; Олег's mark on Monday. The next
/// week: Monday's lesson substituted, Wednesday's cancelled. A control work on 04.12 and a
/// recommendation for Иван.
pub(crate) async fn family_week(app: &TestApp) -> Week {
    let deputy = timetable(app).await;
    let f = &app.f;
    {
        // Control works need the subject in the curriculum (3 h a week, 102 a year).
        let mut tx = app.db.db.begin().await.unwrap();
        insert_curriculum_item(
            &mut tx.conn(),
            &NewCurriculumItem {
                school: f.school,
                year: f.year,
                grade: Some(5),
                group: None,
                subject: f.math,
                weekly: WeeklyHours::from_tenths(30),
                yearly: 102,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let res = post(app, &deputy, "/api/v1/timetable", json!({"group_id": f.subgroup.to_string(), "weekday": 4, "number": 1,
        "subject_id": f.english_subject.to_string(), "teacher_id": f.english.to_string(), "room": "12"})).await;
    ok(res, "english line").await;
    let lessons = lessons_5a(app, &deputy, "2026-11-23", "2026-11-27").await;
    assert_eq!(lessons.len(), 3);
    let (mon, wed, fri) = (id(&lessons[0]), id(&lessons[1]), id(&lessons[2]));
    let teacher = app.token("teacher").await;
    for (lesson, value, work) in [
        (&mon, "4", None),
        (&wed, "5", Some("control")),
        (&fri, "3", None),
    ] {
        let mut body =
            json!({"student_id": f.ivan.to_string(), "lesson_id": lesson, "value": value});
        if let Some(w) = work {
            body["work_type"] = json!(w);
        }
        ok(post(app, &teacher, "/api/v1/marks", body).await, "mark").await;
    }
    ok(
        post(
            app,
            &teacher,
            "/api/v1/marks",
            json!({"student_id": f.oleg.to_string(), "lesson_id": mon, "value": "4/5"}),
        )
        .await,
        "oleg's mark",
    )
    .await;
    ok(
        post(app, &teacher, "/api/v1/attendance", json!({"lesson_id": mon, "student_id": f.ivan.to_string(), "code": "оп", "minutes_late": 10})).await,
        "late",
    )
    .await;
    for (lesson, body) in [
        (
            &wed,
            json!({"version": 0, "topic": "Сложение дробей", "homework": "№ 245, 247", "homework_minutes": 30, "homework_due_on": "2026-11-27"}),
        ),
        (
            &fri,
            json!({"version": 0, "topic": "Вычитание дробей", "homework": "Карточка с задачами", "homework_minutes": 20, "homework_due_on": "2026-11-30"}),
        ),
    ] {
        let res = app
            .http
            .put(app.url(&format!("/api/v1/lessons/{lesson}")))
            .bearer_auth(&teacher)
            .json(&body)
            .send()
            .await
            .unwrap();
        ok(res, "record").await;
    }
    let (content_type, body) = multipart("Карточка.pdf", "application/pdf", b"%PDF-1.4 card");
    let res = app
        .http
        .post(app.url(&format!("/api/v1/lessons/{fri}/files")))
        .bearer_auth(&teacher)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let file = id(&ok(res, "file").await);

    let next = lessons_5a(app, &deputy, "2026-11-30", "2026-12-04").await;
    assert_eq!(next.len(), 3);
    let res = post(app, &deputy, &format!("/api/v1/lessons/{}/substitution", id(&next[0])),
        json!({"teacher_id": f.english.to_string(), "reason": "болезнь учителя", "version": next[0]["version"]})).await;
    ok(res, "substitution").await;
    let res = post(
        app,
        &deputy,
        &format!("/api/v1/lessons/{}/cancellation", id(&next[1])),
        json!({"reason": "карантин", "version": next[1]["version"]}),
    )
    .await;
    ok(res, "cancellation").await;
    let res = post(app, &deputy, "/api/v1/assessments", json!({"class_id": f.class_5a.to_string(), "subject_id": f.math.to_string(),
        "date": "2026-12-04", "number": 1, "title": "Контрольная работа: дроби", "override_reason": "единственный урок недели после карантина"})).await;
    ok(res, "assessment").await;
    let res = post(app, &teacher, "/api/v1/recommendations", json!({"student_id": f.ivan.to_string(),
        "subject_id": f.math.to_string(), "body": "Повторить сложение дробей с разными знаменателями."})).await;
    ok(res, "recommendation").await;
    Week { lessons, file }
}

/// Every diary endpoint of a pupil.
fn endpoints(student: impl std::fmt::Display) -> Vec<String> {
    [
        "diary?week=2026-W48",
        "marks",
        "assessments",
        "teachers",
        "homework?from=2026-11-23&to=2026-12-06",
        "recommendations",
        "calendar",
    ]
    .iter()
    .map(|e| format!("/api/v1/students/{student}/{e}"))
    .collect()
}

/// Every cabinet page of a pupil.
fn pages(student: impl std::fmt::Display) -> Vec<String> {
    [
        "",
        "/week?week=2026-W48",
        "/marks",
        "/finals",
        "/assessments",
        "/homework",
        "/recommendations",
        "/teachers",
        "/calendar",
    ]
    .iter()
    .map(|e| format!("/diary/{student}{e}"))
    .collect()
}

fn lessons_of<'v>(week: &'v Value, date: &str) -> &'v Vec<Value> {
    week["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap_or_else(|| panic!("no day {date}: {week}"))["lessons"]
        .as_array()
        .unwrap()
}

both_backends!(
    a_parent_reads_each_childs_week_with_times_changes_homework_files_marks_and_attendance
);
async fn a_parent_reads_each_childs_week_with_times_changes_homework_files_marks_and_attendance(
    app: TestApp,
) {
    let w = family_week(&app).await;
    let f = &app.f;
    let parent = app.token("parent").await;

    let week = app
        .get_json(
            &format!("/api/v1/students/{}/diary?week=2026-W48", f.ivan),
            &parent,
        )
        .await;
    assert_eq!(week["week"], "2026-W48");
    assert_eq!(week["monday"], "2026-11-23");
    assert_eq!(
        (week["previous_week"].as_str(), week["next_week"].as_str()),
        (Some("2026-W47"), Some("2026-W49"))
    );
    assert_eq!(week["pupil"]["class"], "5А");
    let days: Vec<&str> = week["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        [
            "2026-11-23",
            "2026-11-24",
            "2026-11-25",
            "2026-11-26",
            "2026-11-27"
        ],
        "a five-day week"
    );

    let monday = &lessons_of(&week, "2026-11-23")[0];
    assert_eq!(
        (
            monday["number"].as_u64(),
            monday["starts"].as_str(),
            monday["ends"].as_str()
        ),
        (Some(2), Some("09:25"), Some("10:10"))
    );
    assert_eq!(monday["subject"], "Математика");
    assert_eq!(monday["teacher"], "Смирнова Е. В.");
    assert_eq!(monday["status"], "planned");
    let marks = monday["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 1, "Олег's mark is not Иван's: {marks:?}");
    assert_eq!(
        (marks[0]["value"].as_str(), marks[0]["weight"].as_u64()),
        (Some("4"), Some(2))
    );
    assert_eq!(
        monday["attendance"],
        json!({"code": "late", "minutes_late": 10})
    );
    assert!(
        lessons_of(&week, "2026-11-24").is_empty(),
        "5Б's lesson is not Иван's"
    );
    let wednesday = &lessons_of(&week, "2026-11-25")[0];
    assert_eq!(wednesday["topic"], "Сложение дробей");
    assert_eq!(wednesday["homework"], "№ 245, 247");
    assert_eq!(wednesday["homework_due_on"], "2026-11-27");
    assert_eq!(wednesday["marks"][0]["work_type"], "control");
    assert!(
        wednesday["marks"][0]["work_type_name"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("контрольн")
    );
    assert_eq!(wednesday["marks"][0]["weight"], 5);
    let thursday = &lessons_of(&week, "2026-11-26")[0];
    assert_eq!(
        (thursday["group"].as_str(), thursday["room"].as_str()),
        (Some("5А англ. 1"), Some("12")),
        "the subgroup's lesson"
    );
    let friday = &lessons_of(&week, "2026-11-27")[0];
    assert_eq!(friday["homework_due_on"], "2026-11-30");
    let files = friday["homework_files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["file_name"], "Карточка.pdf");
    assert_eq!(files[0]["url"], format!("/api/v1/files/{}", w.file));
    assert!(week["other_marks"].as_array().unwrap().is_empty());

    // The next week's changes: a substitution with the replaced teacher, a cancellation.
    let next = app
        .get_json(
            &format!("/api/v1/students/{}/diary?week=2026-W49", f.ivan),
            &parent,
        )
        .await;
    let monday = &lessons_of(&next, "2026-11-30")[0];
    assert_eq!(monday["status"], "substituted");
    assert_eq!(monday["teacher"], "Кузнецова О. И.");
    assert_eq!(monday["change"]["original_teacher"], "Смирнова Е. В.");
    assert_eq!(monday["change"]["reason"], "болезнь учителя");
    assert_eq!(lessons_of(&next, "2026-12-02")[0]["status"], "cancelled");

    // The other child: her own class's lesson, nothing of her brother's.
    let anna = app
        .get_json(
            &format!("/api/v1/students/{}/diary?week=2026-W48", f.anna),
            &parent,
        )
        .await;
    assert_eq!(anna["pupil"]["class"], "5Б");
    let tuesday = lessons_of(&anna, "2026-11-24");
    assert_eq!(tuesday.len(), 1);
    assert_eq!(tuesday[0]["teacher"], "Кузнецова О. И.");
    assert!(lessons_of(&anna, "2026-11-23").is_empty());

    // The default week is today's (Saturday 28.11 belongs to W48); a malformed week is 422.
    let now = app
        .get_json(&format!("/api/v1/students/{}/diary", f.ivan), &parent)
        .await;
    assert_eq!(now["week"], "2026-W48");
    for bad in ["2026-48", "2026-W54", "W48", "2026-W4"] {
        let p = assert_problem(
            app.get(
                &format!("/api/v1/students/{}/diary?week={bad}", f.ivan),
                &parent,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["errors"]["week"].is_string(), "{bad}: {p}");
    }
}

both_backends!(marks_by_subject_carry_the_same_weighted_average_as_the_teachers_grid);
async fn marks_by_subject_carry_the_same_weighted_average_as_the_teachers_grid(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let parent = app.token("parent").await;
    let marks = app
        .get_json(&format!("/api/v1/students/{}/marks", f.ivan), &parent)
        .await;
    assert_eq!(marks["period"]["number"], 2);
    assert_eq!(marks["periods"].as_array().unwrap().len(), 2);
    let subjects = marks["subjects"].as_array().unwrap();
    let math = subjects
        .iter()
        .find(|s| s["subject"] == "Математика")
        .unwrap();
    // (4·2 + 5·5 + 3·2) / 9 = 4.33
    assert_eq!(math["average"], "4.33");
    assert_eq!(math["marks_counted"], 3);
    let values: Vec<(&str, &str, u64)> = math["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["date"].as_str().unwrap(),
                m["value"].as_str().unwrap(),
                m["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("2026-11-23", "4", 2),
            ("2026-11-25", "5", 5),
            ("2026-11-27", "3", 2)
        ]
    );
    // Lessons so far in the quarter (from Friday 06.11 to Friday 27.11), not the weeks ahead.
    assert_eq!(math["lessons"], 10, "{math}");
    assert_eq!(marks["attendance"]["lessons"], 14, "and four of English");
    assert_eq!(math["lates"], 1);
    assert_eq!(marks["attendance"]["late"], 1);
    assert_eq!(marks["attendance"]["missed"], 0);
    let english = subjects
        .iter()
        .find(|s| s["subject"] == "Иностранный язык (английский)")
        .unwrap();
    assert_eq!(english["average"], "—");

    let grid = app
        .get_json(
            &format!("/api/v1/journal?group={}&subject={}", f.class_5a, f.math),
            &app.token("teacher").await,
        )
        .await;
    let row = grid["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == f.ivan.to_string())
        .unwrap();
    assert_eq!(
        row["average"], math["average"],
        "the diary and the grid agree"
    );

    // The first quarter: no marks. Bad periods: 422.
    let first = marks["periods"][0]["id"].as_str().unwrap();
    let q1 = app
        .get_json(
            &format!("/api/v1/students/{}/marks?period={first}", f.ivan),
            &parent,
        )
        .await;
    assert_eq!(q1["period"]["number"], 1);
    assert!(
        q1["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["marks"].as_array().unwrap().is_empty())
    );
    for bad in ["abc", "999999"] {
        assert_problem(
            app.get(
                &format!("/api/v1/students/{}/marks?period={bad}", f.ivan),
                &parent,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
}

both_backends!(control_works_teachers_homework_calendar_and_recommendations_of_a_pupil);
async fn control_works_teachers_homework_calendar_and_recommendations_of_a_pupil(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let student = app.token("student").await;
    let base = format!("/api/v1/students/{}", f.ivan);

    let a = app.get_json(&format!("{base}/assessments"), &student).await;
    let list = a["assessments"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{a}");
    assert_eq!(
        (list[0]["date"].as_str(), list[0]["subject"].as_str()),
        (Some("2026-12-04"), Some("Математика"))
    );
    assert_eq!(list[0]["title"], "Контрольная работа: дроби");
    let first = a["periods"][0]["id"].as_str().unwrap();
    let q1 = app
        .get_json(&format!("{base}/assessments?period={first}"), &student)
        .await;
    assert!(q1["assessments"].as_array().unwrap().is_empty());

    let t = app.get_json(&format!("{base}/teachers"), &student).await;
    assert_eq!(t["class_teacher"], "Смирнова Е. В.");
    let teachers: Vec<(&str, &str, &str)> = t["teachers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap(),
                x["subject"].as_str().unwrap(),
                x["group_kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        teachers,
        [
            ("Смирнова Елена Викторовна", "Математика", "class"),
            (
                "Кузнецова Ольга Игоревна",
                "Иностранный язык (английский)",
                "subgroup"
            ),
        ],
        "5Б's teacher of mathematics is not Иван's"
    );

    let h = app
        .get_json(
            &format!("{base}/homework?from=2026-11-23&to=2026-12-06"),
            &student,
        )
        .await;
    let items: Vec<(&str, &str, &str)> = h["homework"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["due_on"].as_str().unwrap(),
                x["assigned_on"].as_str().unwrap(),
                x["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("2026-11-27", "2026-11-25", "№ 245, 247"),
            ("2026-11-30", "2026-11-27", "Карточка с задачами")
        ]
    );
    assert_eq!(h["homework"][1]["files"][0]["file_name"], "Карточка.pdf");
    // By default from today (28.11) for two weeks: only what is still due.
    let soon = app.get_json(&format!("{base}/homework"), &student).await;
    assert_eq!(
        (soon["from"].as_str(), soon["to"].as_str()),
        (Some("2026-11-28"), Some("2026-12-11"))
    );
    assert_eq!(soon["homework"].as_array().unwrap().len(), 1);
    for bad in [
        "from=2026-12-01&to=2026-11-01",
        "from=2026-09-01&to=2026-12-01",
        "from=28.11.2026",
    ] {
        assert_problem(
            app.get(&format!("{base}/homework?{bad}"), &student).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }

    let c = app.get_json(&format!("{base}/calendar"), &student).await;
    assert_eq!(
        (c["year"].as_str(), c["week_days"].as_u64()),
        (Some("2026/2027"), Some(5))
    );
    assert_eq!(c["periods"].as_array().unwrap().len(), 2);
    assert_eq!(c["bells"].as_array().unwrap().len(), 6);
    assert_eq!(
        c["bells"][0],
        json!({"number": 1, "starts": "08:30", "ends": "09:15"})
    );

    let r = app
        .get_json(&format!("{base}/recommendations"), &student)
        .await;
    assert_eq!(
        r[0]["body"],
        "Повторить сложение дробей с разными знаменателями."
    );
}

both_backends!(every_diary_endpoint_enforces_the_link_and_the_consent);
async fn every_diary_endpoint_enforces_the_link_and_the_consent(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let (parent, student, refuser) = (
        app.token("parent").await,
        app.token("student").await,
        app.token("refuser").await,
    );
    let (teacher, english, admin2) = (
        app.token("teacher").await,
        app.token("english").await,
        app.token("admin2").await,
    );
    for path in endpoints(f.oleg) {
        // The refuser's own child: 403 with the reason.
        let p = assert_problem(app.get(&path, &refuser).await, StatusCode::FORBIDDEN).await;
        assert_eq!(p["type"], "urn:tabel:problem:consent-required", "{path}");
        assert!(p["detail"].as_str().unwrap().contains("consent"), "{p}");
        // Someone else's child: as if it did not exist.
        assert_problem(app.get(&path, &parent).await, StatusCode::NOT_FOUND).await;
        assert_problem(app.get(&path, &student).await, StatusCode::NOT_FOUND).await;
        // The school's staff read every pupil's diary.
        assert_eq!(
            app.get(&path, &teacher).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    for path in endpoints(f.ivan) {
        assert_eq!(
            app.get(&path, &parent).await.status(),
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            app.get(&path, &student).await.status(),
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            app.get(&path, &english).await.status(),
            StatusCode::OK,
            "{path}"
        );
        assert_problem(app.get(&path, &refuser).await, StatusCode::NOT_FOUND).await;
        assert_problem(app.get(&path, &admin2).await, StatusCode::NOT_FOUND).await;
        let res = app.http.get(app.url(&path)).send().await.unwrap();
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    for path in endpoints(f.anna) {
        // A pupil sees only themself (the sister is somebody else to the account).
        assert_problem(app.get(&path, &student).await, StatusCode::NOT_FOUND).await;
    }
    for path in endpoints("999999").into_iter().chain(endpoints("x")) {
        assert_problem(app.get(&path, &parent).await, StatusCode::NOT_FOUND).await;
    }
}

both_backends!(the_pupil_and_a_consenting_parent_download_homework_files_and_a_refuser_does_not);
async fn the_pupil_and_a_consenting_parent_download_homework_files_and_a_refuser_does_not(
    app: TestApp,
) {
    let w = family_week(&app).await;
    let path = format!("/api/v1/files/{}", w.file);
    for login in ["parent", "student", "teacher", "zavuch"] {
        let res = app.get(&path, &app.token(login).await).await;
        assert_eq!(res.status(), StatusCode::OK, "{login}");
        assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.4 card");
    }
    // Олег is in 5А, but his mother has no consent in force.
    let p = assert_problem(
        app.get(&path, &app.token("refuser").await).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(p["type"], "urn:tabel:problem:consent-required");
    // A teacher of the school who does not teach the lesson, another school's administrator.
    assert_problem(
        app.get(&path, &app.token("english").await).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.get(&path, &app.token("admin2").await).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Listing a lesson's files stays with the journal's readers; families read them in the diary.
    let listing = format!("/api/v1/lessons/{}/files", id(&w.lessons[2]));
    assert_problem(
        app.get(&listing, &app.token("parent").await).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The cookie session of the diary's pages downloads too.
    let browser = app.browser("parent").await;
    assert_eq!(browser.get(&path).await.status(), StatusCode::OK);
}

both_backends!(the_cabinets_pages_show_each_section_to_a_parent_with_the_child_picker);
async fn the_cabinets_pages_show_each_section_to_a_parent_with_the_child_picker(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let parent = app.browser("parent").await;

    let (status, home) = parent.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    for child in [f.ivan, f.anna] {
        assert!(
            home.has(&format!("a[href=\"/diary/{child}\"]")),
            "the home page links each diary"
        );
    }
    assert!(home.has("a[href=\"/diary/me\"]"));
    let res = parent.get("/diary").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/diary/{}", f.ivan));

    let keys = [
        "today",
        "week",
        "marks",
        "finals",
        "assessments",
        "homework",
        "recommendations",
        "teachers",
        "calendar",
    ];
    for (path, key) in pages(f.ivan).into_iter().zip(keys) {
        let (status, html) = parent.parsed(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {}", html.source());
        assert_eq!(
            html.attrs("#diary-nav a[aria-current=\"page\"]", "id"),
            [format!("nav-{key}")],
            "{path}: the section is marked, and only it"
        );
        assert_eq!(
            html.attrs("#diary-children a[aria-current=\"page\"]", "id"),
            [format!("child-{}", f.ivan)],
            "{path}: the child is marked, and only it"
        );
        assert_eq!(html.attr("html", "lang").as_deref(), Some("ru"), "{path}");
        assert_eq!(
            html.text("h1#student-name"),
            "Петров Иван Сергеевич",
            "{path}"
        );
        for nav in [
            "today",
            "week",
            "marks",
            "finals",
            "assessments",
            "homework",
            "recommendations",
            "teachers",
            "calendar",
            "me",
        ] {
            assert!(
                html.has(&format!("#diary-nav a#nav-{nav}")),
                "{path} links {nav}"
            );
        }
        // The picker keeps the section.
        let section = path
            .split('?')
            .next()
            .unwrap()
            .trim_start_matches(&format!("/diary/{}", f.ivan));
        assert_eq!(
            html.attr(&format!("#diary-children a#child-{}", f.anna), "href"),
            Some(format!("/diary/{}{section}", f.anna)),
            "{path}"
        );
        assert!(!html.has("table"), "{path}: lists, not tables, on a phone");
    }

    let (_, today) = parent.parsed(&format!("/diary/{}", f.ivan)).await;
    assert_eq!(today.text("#today-title"), "Сб, 28.11.2026", "Saturday");
    assert_eq!(today.text("#today p.muted"), "Уроков нет.", "Saturday");
    assert_eq!(
        today.text("#next-title"),
        "Ближайший учебный день: Пн, 30.11.2026"
    );
    let monday = today.texts("#next-day li.diary-lesson").join("\n");
    assert!(
        monday.contains("замена") && monday.contains("вместо: Смирнова Е. В."),
        "Monday's substitution: {monday}"
    );
    let homework = today.text("#homework-soon");
    assert!(
        homework.contains("Карточка с задачами"),
        "homework due Monday: {homework}"
    );
    assert!(
        today
            .texts("#homework-soon a, #next-day .diary-files a")
            .iter()
            .any(|a| a == "Карточка.pdf"),
        "homework due Monday with its file"
    );
    let new_marks = today.text("#new-marks");
    assert!(
        new_marks.contains("Вычитание дробей")
            || today
                .texts("#new-marks span.mark")
                .contains(&"3".to_owned()),
        "Friday's mark is new: {new_marks}"
    );
    assert!(
        today
            .text("#assessments-soon")
            .contains("Контрольная работа: дроби"),
        "the control work of 04.12"
    );
    assert!(
        today
            .text("#recommendations-latest")
            .contains("Повторить сложение дробей"),
        "the recommendation"
    );

    let (_, week) = parent
        .parsed(&format!("/diary/{}/week?week=2026-W48", f.ivan))
        .await;
    let days = week.text("#week");
    for text in [
        "Пн, 23.11.2026",
        "09:25–10:10",
        "Смирнова Е. В.",
        "Сложение дробей",
        "№ 245, 247",
        "к 27.11.2026",
        "30 минут",
        "опоздание, 10 минут",
        "5А англ. 1",
        "каб. 12",
        "Карточка.pdf",
    ] {
        assert!(days.contains(text), "week: {text} not in {days}");
    }
    assert!(
        week.attr("a#week-prev", "href")
            .is_some_and(|h| h.ends_with("?week=2026-W47"))
    );
    assert!(
        week.attr("a#week-next", "href")
            .is_some_and(|h| h.ends_with("?week=2026-W49"))
    );
    assert!(!week.source().contains("4/5"), "nothing of Олег");
    let (_, next) = parent
        .parsed(&format!("/diary/{}/week?week=2026-W49", f.ivan))
        .await;
    let cancelled = next.texts("#week li.diary-lesson").join("\n");
    assert!(
        cancelled.contains("отменён") && cancelled.contains("карантин"),
        "the cancellation: {cancelled}"
    );

    let (_, marks) = parent.parsed(&format!("/diary/{}/marks", f.ivan)).await;
    assert!(
        marks
            .texts("#subjects strong.average")
            .contains(&"4,33".to_owned()),
        "decimal comma"
    );
    let summaries = marks.texts("#subjects p.subject-summary").join("\n");
    assert!(
        summaries.contains("3 отметки") && summaries.contains("1 опоздание"),
        "Russian plurals: {summaries}"
    );
    let works = marks
        .texts("#subjects ul.diary-marks small.muted")
        .join("\n");
    assert!(
        works.contains("контрольная работа ×5") || works.contains("Контрольная работа ×5"),
        "work type and weight: {works}"
    );
    let (_, finals) = parent.parsed(&format!("/diary/{}/finals", f.ivan)).await;
    assert!(
        finals
            .text("#finals #finals-later")
            .contains("после закрытия"),
        "the place for final marks"
    );
    let (_, teachers) = parent.parsed(&format!("/diary/{}/teachers", f.ivan)).await;
    let listed = teachers.text("#teachers");
    assert!(
        listed.contains("Смирнова Елена Викторовна") && listed.contains("5А англ. 1, подгруппа"),
        "{listed}"
    );
    let (_, calendar) = parent.parsed(&format!("/diary/{}/calendar", f.ivan)).await;
    assert!(
        calendar
            .texts("#periods li")
            .iter()
            .any(|p| p.starts_with("2 четверть: 05.11.2026 – 28.12.2026")),
        "{:?}",
        calendar.texts("#periods li")
    );
    assert!(calendar.text("#school-year").contains("5 учебных дней"));

    // Anna's pages: her own class, no brother.
    let (status, anna) = parent
        .parsed(&format!("/diary/{}/week?week=2026-W48", f.anna))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(anna.text("#student-name"), "Петрова Анна Сергеевна");
    assert_eq!(anna.text("#student-class"), "5Б");
    assert!(!anna.source().contains("Сложение дробей"));

    // The parent's own page.
    let (status, me) = parent.parsed("/diary/me").await;
    assert_eq!(status, StatusCode::OK);
    let family = me.text("#family");
    assert!(
        family.contains("Петров Иван Сергеевич")
            && family.contains("Петрова Анна Сергеевна")
            && family.contains("согласие дано"),
        "{family}"
    );
    assert_eq!(
        me.attr("#to-contacts", "href").as_deref(),
        Some("/account/contacts")
    );
    assert_eq!(me.attr("#to-account", "href").as_deref(), Some("/account"));
    assert!(me.text("#consent-how").contains("Как изменить согласие"));

    // A bad week or period: an error page, not a crash.
    let (status, _) = parent
        .page(&format!("/diary/{}/week?week=2026-48", f.ivan))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = parent
        .page(&format!("/diary/{}/marks?period=x", f.ivan))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

both_backends!(a_parent_without_consent_gets_the_explanation_and_never_the_data);
async fn a_parent_without_consent_gets_the_explanation_and_never_the_data(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let refuser = app.browser("refuser").await;
    let (_, home) = refuser.parsed("/").await;
    assert!(
        home.has(&format!("a[href=\"/diary/{}\"]", f.oleg)),
        "the card links the diary"
    );
    let res = refuser.get("/diary").await;
    assert_eq!(res.headers()["location"], "/diary/me");
    for path in pages(f.oleg) {
        let (status, page) = refuser.parsed(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(page.text("#no-consent h2"), "Дневник недоступен", "{path}");
        assert_eq!(page.text("#no-consent #consent-state"), "отказ", "{path}");
        assert!(
            page.text("#consent-explanation").contains("Вы отказались")
                && page.text("#consent-todo").contains("письменное заявление"),
            "what it means and what to do"
        );
        let html = page.source();
        for data in [
            "Математика",
            "4/5",
            "5А",
            "Смирнова",
            "Сложение дробей",
            "id=\"diary-nav\"",
        ] {
            assert!(!html.contains(data), "{path} shows {data}");
        }
    }
    let (status, me) = refuser.parsed("/diary/me").await;
    assert_eq!(status, StatusCode::OK);
    let family = me.text("#family");
    assert!(
        family.contains("Сидоров Олег Павлович") && family.contains("отказ"),
        "{family}"
    );

    // Other people's children are not found, whoever asks; a pupil sees only themself.
    let parent = app.browser("parent").await;
    let student = app.browser("student").await;
    for path in pages(f.oleg) {
        assert_eq!(parent.page(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    for path in pages(f.anna) {
        assert_eq!(student.page(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    for path in pages(f.ivan) {
        let (status, html) = refuser.page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!html.contains("Петров Иван"));
    }
}

both_backends!(a_pupil_has_their_own_diary_without_the_picker_and_staff_may_read_it);
async fn a_pupil_has_their_own_diary_without_the_picker_and_staff_may_read_it(app: TestApp) {
    family_week(&app).await;
    let f = &app.f;
    let student = app.browser("student").await;
    let (_, home) = student.parsed("/").await;
    assert_eq!(
        home.attr("a#home-diary", "href"),
        Some(format!("/diary/{}", f.ivan)),
        "«Мой дневник»"
    );
    assert_eq!(home.text("a#home-diary"), "Мой дневник");
    let res = student.get("/diary").await;
    assert_eq!(res.headers()["location"], format!("/diary/{}", f.ivan));
    for path in pages(f.ivan) {
        let (status, html) = student.page(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains("id=\"diary-children\""), "no picker");
        assert!(!html.contains("id=\"nav-me\""), "no parent's page");
    }
    let teacher = app.browser("teacher").await;
    let (status, html) = teacher.parsed(&format!("/diary/{}/marks", f.ivan)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.texts("#subjects strong.average")
            .contains(&"4,33".to_owned())
    );
    let other = app.browser("admin2").await;
    assert_eq!(
        other.page(&format!("/diary/{}", f.ivan)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_diary() {
    let app = TestApp::sqlite().await;
    let res = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc: Value = res.json().await.unwrap();
    for path in [
        "diary",
        "marks",
        "assessments",
        "teachers",
        "homework",
        "recommendations",
        "calendar",
    ] {
        let p = &doc["paths"][format!("/api/v1/students/{{id}}/{path}")]["get"];
        assert!(p.is_object(), "{path}");
        if path != "recommendations" {
            assert!(
                p["responses"]["403"].is_object() && p["responses"]["404"].is_object(),
                "{path}"
            );
        }
    }
    assert!(doc["components"]["schemas"]["DiaryWeekDto"].is_object());
}

both_backends!(holidays_show_in_the_week_and_in_the_calendar(backend));
async fn holidays_show_in_the_week_and_in_the_calendar(backend: Backend) {
    use tabel_domain::school::DayOffKind;
    use tabel_store::school::{Holiday, insert_holiday};
    let app = TestApp::start(backend).await;
    family_week(&app).await;
    let f = &app.f;
    {
        let mut tx = app.db.db.begin().await.unwrap();
        let holiday = Holiday {
            id: tabel_domain::HolidayId::new(0),
            kind: DayOffKind::Holiday,
            name: "Осенние каникулы".into(),
            starts_on: time::macros::date!(2026 - 10 - 26),
            ends_on: time::macros::date!(2026 - 11 - 04),
            only_grade: None,
        };
        insert_holiday(&mut tx.conn(), f.school, f.year, &holiday)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let parent = app.token("parent").await;
    let week = app
        .get_json(
            &format!("/api/v1/students/{}/diary?week=2026-W44", f.ivan),
            &parent,
        )
        .await;
    for day in week["days"].as_array().unwrap() {
        assert_eq!(day["day_off"], "Осенние каникулы", "{day}");
    }
    let html = app
        .browser("parent")
        .await
        .parsed(&format!("/diary/{}/week?week=2026-W44", f.ivan))
        .await
        .1;
    assert!(
        html.texts("#week .diary-day p.badge")
            .iter()
            .any(|d| d.contains("Осенние каникулы")),
        "{}",
        html.text("#week")
    );
    let c = app
        .get_json(&format!("/api/v1/students/{}/calendar", f.ivan), &parent)
        .await;
    assert_eq!(c["days_off"][0]["name"], "Осенние каникулы");
    assert_eq!(c["days_off"][0]["starts_on"], "2026-10-26");
}

both_backends!(a_week_read_again_shows_what_changed_meanwhile_and_the_gate_comes_first);
/// A week already built is reused only while nothing of the school has changed: a mark, a
/// topic, a substitution made meanwhile shows on the next read; and the gate is asked before any
/// week is reused — a withdrawal closes the cached week at once.
async fn a_week_read_again_shows_what_changed_meanwhile_and_the_gate_comes_first(app: TestApp) {
    let w = family_week(&app).await;
    let f = &app.f;
    let parent = app.token("parent").await;
    let path = format!("/api/v1/students/{}/diary?week=2026-W48", f.ivan);
    let marks_on = |week: &Value, date: &str| -> Vec<String> {
        lessons_of(week, date)
            .iter()
            .flat_map(|l| l["marks"].as_array().cloned().unwrap_or_default())
            .map(|m| m["value"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let before = app.get_json(&path, &parent).await;
    assert_eq!(
        app.get_json(&path, &parent).await,
        before,
        "the same week twice"
    );
    assert_eq!(marks_on(&before, "2026-11-25"), ["5"]);

    // The teacher adds a mark on Wednesday.
    let teacher = app.token("teacher").await;
    let wed = id(&w.lessons[1]);
    ok(
        post(
            &app,
            &teacher,
            "/api/v1/marks",
            json!({"student_id": f.ivan.to_string(),
            "lesson_id": wed, "value": "4", "work_type": "answer"}),
        )
        .await,
        "second mark",
    )
    .await;
    let after = app.get_json(&path, &parent).await;
    let mut wednesday = marks_on(&after, "2026-11-25");
    wednesday.sort();
    assert_eq!(wednesday, ["4", "5"], "{after}");
    let page = app.browser("parent").await;
    let (_, html) = page
        .parsed(&format!("/diary/{}/week?week=2026-W48", f.ivan))
        .await;
    let wednesday = html.texts("#day-2026-11-25 .lesson-result").join("\n");
    assert!(wednesday.contains("Ответ на уроке"), "{wednesday}");

    // The school records the parent's withdrawal: the week she just read is closed to her.
    let admin = app.token("admin").await;
    let res = post(
        &app,
        &admin,
        "/api/v1/consents/withdrawal",
        json!({"parent_id": f.parent.to_string(), "student_id": f.ivan.to_string(), "purpose": "diary",
            "basis": {"kind": "written_application", "number": "90", "date": "2026-11-27"}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let problem = assert_problem(app.get(&path, &parent).await, StatusCode::FORBIDDEN).await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
}
