//! Statistics through the JSON API and the pages: hand-computed classes for the results (н/а,
//! осв., a pupil who left, a pupil without marks, final marks and the journal's averages), the
//! curriculum lag on a hand-built timetable with cancellations, a substitution, a transfer and
//! a public holiday, lesson types planned against held, attendance by reason, XLSX, and who is
//! refused. Every scenario also runs on PostgreSQL.

use crate::journal::{id, lessons_5a, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::school::{DayOffKind, Sex};
use tabel_domain::text::{NamePart, PersonName};
use tabel_domain::{GroupId, HolidayId, PeriodId, PersonId};
use tabel_store::finals::{NewFinal, Slot};
use time::Date;
use time::macros::date;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The fixture's two quarters: (1st, 2nd).
async fn quarters(app: &TestApp) -> (PeriodId, PeriodId) {
    let mut c = app.db.db.acquire().await.unwrap();
    let p = tabel_store::school::list_periods(&mut c.conn(), app.f.year)
        .await
        .unwrap();
    (p[0].id, p[1].id)
}

/// A pupil of the school in a class from the 1st of September (until `left`, if given).
async fn pupil(app: &TestApp, class: GroupId, last: &str, left: Option<Date>) -> PersonId {
    let mut tx = app.db.db.begin().await.unwrap();
    let c = &mut tx.conn();
    let name = PersonName {
        last: NamePart::parse(last).unwrap(),
        first: NamePart::parse("Тест").unwrap(),
        middle: None,
    };
    let person = tabel_store::school::insert_person(
        c,
        &tabel_store::school::NewPerson {
            school: app.f.school,
            name: &name,
            sex: Sex::Male,
            birth_date: None,
        },
    )
    .await
    .unwrap();
    tabel_store::school::insert_student(c, person, app.f.school, date!(2021 - 09 - 01))
        .await
        .unwrap();
    tabel_store::school::insert_membership(
        c,
        app.f.school,
        class,
        person,
        date!(2026 - 09 - 01),
        left,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    person
}

/// A final mark of mathematics, written directly (the final-marks use cases live elsewhere).
async fn final_mark(app: &TestApp, student: PersonId, group: GroupId, slot: Slot, value: &str) {
    let mut tx = app.db.db.begin().await.unwrap();
    let written = tabel_store::finals::write(
        &mut tx.conn(),
        &NewFinal {
            school: app.f.school,
            year: app.f.year,
            student,
            subject: app.f.math,
            group: Some(group),
            slot,
            value,
            proposal: None,
            proposal_basis: None,
            reason: "",
            set_by: None,
            at: tabel_store::now_micros(),
        },
        0,
    )
    .await
    .unwrap();
    assert!(written.is_some());
    tx.commit().await.unwrap();
}

/// Mathematics lessons of a class between two dates.
async fn math_lessons(
    app: &TestApp,
    token: &str,
    class: GroupId,
    from: &str,
    to: &str,
) -> Vec<Value> {
    let all = app
        .get_json(
            &format!("/api/v1/lessons?class={class}&from={from}&to={to}"),
            token,
        )
        .await;
    all.as_array()
        .unwrap()
        .iter()
        .filter(|l| l["subject_id"] == app.f.math.to_string() && l["group_id"] == class.to_string())
        .cloned()
        .collect()
}

async fn mark(
    app: &TestApp,
    token: &str,
    student: PersonId,
    lesson: &Value,
    value: &str,
    work: &str,
) {
    let res = post(
        app,
        token,
        "/api/v1/marks",
        json!({"student_id": student.to_string(), "lesson_id": id(lesson), "value": value, "work_type": work}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
}

async fn absent(
    app: &TestApp,
    token: &str,
    student: PersonId,
    lesson: &Value,
    code: &str,
    late: Option<u16>,
) {
    let res = post(
        app,
        token,
        "/api/v1/attendance",
        json!({"student_id": student.to_string(), "lesson_id": id(lesson), "code": code, "minutes_late": late}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

fn line<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name || l["group_name"] == name)
        .unwrap_or_else(|| panic!("no line {name} in {list}"))
}

/// (n, n5, n4, n3, n2, na, exempt, without_marks, left)
fn counts(l: &Value) -> [u64; 9] {
    [
        "n",
        "n5",
        "n4",
        "n3",
        "n2",
        "na",
        "exempt",
        "without_marks",
        "left",
    ]
    .map(|k| l[k].as_u64().unwrap_or_else(|| panic!("{k} in {l}")))
}

/// (progress, quality, sou, average)
fn figures(l: &Value) -> [Option<f64>; 4] {
    ["progress", "quality", "sou", "average"].map(|k| l[k].as_f64())
}

async fn results_scenario(app: &TestApp) {
    let deputy = timetable(app).await;
    let f = &app.f;
    let (q1, q2) = quarters(app).await;
    let teacher = app.token("teacher").await;
    let english = app.token("english").await;

    // 5А: Иван and Олег of the fixture, and five more; 5Б: Анна and one more.
    let alekseev = pupil(app, f.class_5a, "Алексеев", None).await;
    let borisov = pupil(app, f.class_5a, "Борисов", None).await;
    let vlasov = pupil(app, f.class_5a, "Власов", None).await;
    let _golubev = pupil(app, f.class_5a, "Голубев", None).await;
    let dmitriev = pupil(app, f.class_5a, "Дмитриев", Some(date!(2026 - 10 - 10))).await;
    let egorov = pupil(app, f.class_5b, "Егоров", None).await;

    // Current marks of the first quarter.
    let a = lessons_5a(app, &deputy, "2026-09-07", "2026-09-11").await;
    assert_eq!(a.len(), 3);
    for (who, lesson, value) in [
        (f.ivan, 0, "5"),
        (f.ivan, 1, "5"),
        (f.ivan, 2, "4"),
        (f.oleg, 0, "4"),
        (f.oleg, 1, "3/5"),
        (alekseev, 0, "3"),
        (alekseev, 1, "3"),
        (dmitriev, 0, "2"),
    ] {
        mark(app, &teacher, who, &a[lesson], value, "answer").await;
    }
    let b = math_lessons(app, &deputy, f.class_5b, "2026-09-07", "2026-09-11").await;
    assert_eq!(b.len(), 1);
    mark(app, &english, f.anna, &b[0], "2", "answer").await;
    mark(app, &english, egorov, &b[0], "4", "answer").await;

    // The first quarter's final marks: Голубев has neither marks nor a final mark; Борисов is
    // н/а without current marks (he stays in N); Власов is exempt; Дмитриев left on 10 October.
    for (who, group, value) in [
        (f.ivan, f.class_5a, "5"),
        (f.oleg, f.class_5a, "4"),
        (alekseev, f.class_5a, "3"),
        (borisov, f.class_5a, "na"),
        (vlasov, f.class_5a, "exempt"),
        (dmitriev, f.class_5a, "2"),
        (f.anna, f.class_5b, "2"),
        (egorov, f.class_5b, "4"),
    ] {
        final_mark(app, who, group, Slot::Period(q1), value).await;
    }

    let path = format!("/api/v1/stats/results?period={q1}&subject={}", f.math);
    let r = app.get_json(&path, &deputy).await;
    assert_eq!(r["frame"]["slot"], format!("p{q1}"));
    assert_eq!(r["frame"]["subject_name"], "Математика");
    assert_eq!(r["frame"]["as_of"], "2026-10-24", "the quarter is over");
    // Mathematics in the school: N = 6 (5, 4, 4, 3, 2, н/а); осв., the pupil without marks
    // and the one who left are outside N.
    let math = line(&r["by_subject"], "Математика");
    assert_eq!(counts(math), [6, 1, 2, 1, 1, 1, 1, 1, 1]);
    assert_eq!(math["from_final_marks"], 6);
    // % успеваемости 4/6, % качества 3/6, СОУ (100 + 2·64 + 36 + 16 + 7)/6 = 47.83, the
    // average (5 + 4 + 4 + 3 + 2)/5 = 3.60 (н/а has no points).
    assert_eq!(
        figures(math),
        [Some(66.67), Some(50.0), Some(47.83), Some(3.6)]
    );
    // 5А: 5, 4, 3, н/а → 3/4, 2/4, (100 + 64 + 36 + 7)/4 = 51.75, 4.00.
    let a5 = line(&r["by_class"], "5А");
    assert_eq!(counts(a5), [4, 1, 1, 1, 0, 1, 1, 1, 1]);
    assert_eq!(
        figures(a5),
        [Some(75.0), Some(50.0), Some(51.75), Some(4.0)]
    );
    // 5Б: 4, 2 → 1/2, 1/2, (64 + 16)/2 = 40, 3.00.
    let b5 = line(&r["by_class"], "5Б");
    assert_eq!(counts(b5), [2, 0, 1, 0, 1, 0, 0, 0, 0]);
    assert_eq!(figures(b5), [Some(50.0), Some(50.0), Some(40.0), Some(3.0)]);
    assert_eq!(counts(&r["total"]), counts(math));
    // The current marks of the quarter: a double mark is two marks; the leaver's count.
    let m = &r["current_marks_total"];
    assert_eq!(
        ["five", "four", "three", "two", "total"].map(|k| m[k].as_u64().unwrap()),
        [3, 3, 3, 2, 11]
    );

    // A class teacher's view of 5А, all subjects: Иван has no English marks in the quarter.
    let r = app
        .get_json(
            &format!("/api/v1/stats/results?period={q1}&class={}", f.class_5a),
            &teacher,
        )
        .await;
    assert_eq!(r["by_class"].as_array().unwrap().len(), 1);
    let eng = line(&r["by_subject"], "Иностранный язык (английский)");
    assert_eq!(counts(eng), [0, 0, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(figures(eng), [None, None, None, None]);
    assert_eq!(counts(&r["total"]), [4, 1, 1, 1, 0, 1, 1, 2, 1]);

    // The second quarter, under way: no final marks yet but Олег's, so Иван counts by the
    // journal's weighted average: 5 and 4 of one weight → 4.50 → 5.
    let c = lessons_5a(app, &deputy, "2026-11-09", "2026-11-13").await;
    mark(app, &teacher, f.ivan, &c[0], "5", "answer").await;
    mark(app, &teacher, f.ivan, &c[1], "4", "answer").await;
    mark(app, &teacher, f.oleg, &c[0], "3", "answer").await;
    final_mark(app, f.oleg, f.class_5a, Slot::Period(q2), "4").await;
    let r = app
        .get_json(
            &format!(
                "/api/v1/stats/results?class={}&subject={}",
                f.class_5a, f.math
            ),
            &deputy,
        )
        .await;
    assert_eq!(
        r["frame"]["period_id"],
        q2.to_string(),
        "the current period"
    );
    assert_eq!(r["frame"]["as_of"], "2026-11-28");
    let a5 = line(&r["by_class"], "5А");
    // Дмитриев left before the quarter began: he is not in it at all.
    assert_eq!(counts(a5), [2, 1, 1, 0, 0, 0, 0, 4, 0]);
    assert_eq!(
        (a5["from_final_marks"].as_u64(), a5["from_journal"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        figures(a5),
        [Some(100.0), Some(100.0), Some(82.0), Some(4.5)]
    );

    // The same as a workbook, by the Accept header or by format=xlsx.
    for (url, accept) in [(path.clone(), XLSX), (format!("{path}&format=xlsx"), "*/*")] {
        let res = app
            .http
            .get(app.url(&url))
            .bearer_auth(&deputy)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], XLSX);
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "an XLSX is a zip archive");
    }
}

async fn curriculum_scenario(app: &TestApp) {
    let f = &app.f;
    // The autumn holidays, and a public holiday on Monday 16 November (made up for the test).
    {
        let mut tx = app.db.db.begin().await.unwrap();
        let c = &mut tx.conn();
        for (kind, name, a, b) in [
            (
                DayOffKind::Holiday,
                "Осенние каникулы",
                date!(2026 - 10 - 26),
                date!(2026 - 11 - 04),
            ),
            (
                DayOffKind::NonWorking,
                "Праздник",
                date!(2026 - 11 - 16),
                date!(2026 - 11 - 16),
            ),
        ] {
            tabel_store::school::insert_holiday(
                c,
                f.school,
                f.year,
                &tabel_store::school::Holiday {
                    id: HolidayId::new(0),
                    kind,
                    name: name.into(),
                    starts_on: a,
                    ends_on: b,
                    only_grade: None,
                },
            )
            .await
            .unwrap();
        }
        // Grade 5 mathematics: 3 hours a week, 102 a year.
        tabel_store::school::insert_curriculum_item(
            c,
            &tabel_store::school::NewCurriculumItem {
                school: f.school,
                year: f.year,
                grade: Some(5),
                group: None,
                subject: f.math,
                weekly: tabel_domain::calendar::WeeklyHours::from_tenths(30),
                yearly: 102,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // 5А mathematics on Monday, Wednesday and Friday: in the second quarter up to Saturday
    // 28 November the timetable gives 6, 9, 11, 13, 18, 20, 23, 25 and 27 November (Monday
    // the 16th is the public holiday).
    let deputy = timetable(app).await;
    let teacher = app.token("teacher").await;
    let l = lessons_5a(app, &deputy, "2026-11-05", "2026-11-28").await;
    let dates: Vec<&str> = l.iter().map(|l| l["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        [
            "2026-11-06",
            "2026-11-09",
            "2026-11-11",
            "2026-11-13",
            "2026-11-18",
            "2026-11-20",
            "2026-11-23",
            "2026-11-25",
            "2026-11-27"
        ]
    );
    let by_date = |d: &str| l.iter().find(|x| x["date"] == d).unwrap().clone();
    let change = |d: &str, what: &str, body: Value| {
        let lesson = by_date(d);
        let deputy = deputy.clone();
        let what = what.to_owned();
        async move {
            let mut body = body;
            body["version"] = lesson["version"].clone();
            let res = post(
                app,
                &deputy,
                &format!("/api/v1/lessons/{}/{what}", id(&lesson)),
                body,
            )
            .await;
            assert_eq!(
                res.status(),
                StatusCode::OK,
                "{}",
                res.text().await.unwrap()
            );
        }
    };
    // A cause nobody knows is named, and nothing changes.
    let res = post(
        app,
        &deputy,
        &format!(
            "/api/v1/lessons/{}/cancellation",
            id(&by_date("2026-11-11"))
        ),
        json!({"reason": "урок снят", "cause": "flu", "version": 0}),
    )
    .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem.to_string().contains("cause"), "{problem}");
    // The cause decides over the words: «урок снят» alone says nothing of the teacher.
    change(
        "2026-11-11",
        "cancellation",
        json!({"reason": "урок снят", "cause": "teacher_absent"}),
    )
    .await;
    change(
        "2026-11-20",
        "cancellation",
        json!({"reason": "карантин по ОРВИ"}),
    )
    .await;
    change(
        "2026-11-18",
        "substitution",
        json!({"reason": "болезнь учителя", "teacher_id": f.english.to_string()}),
    )
    .await;
    change(
        "2026-11-27",
        "transfer",
        json!({"reason": "экскурсия класса", "date": "2026-12-02", "number": 5}),
    )
    .await;
    // The teacher records Monday the 23rd as not held.
    let res = app
        .http
        .put(app.url(&format!("/api/v1/lessons/{}", id(&by_date("2026-11-23")))))
        .bearer_auth(&teacher)
        .json(&json!({"version": 0, "held": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let r = app
        .get_json(
            &format!("/api/v1/stats/curriculum?class={}", f.class_5a),
            &deputy,
        )
        .await;
    let j = r["journals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["group_name"] == "5А" && j["subject_id"] == f.math.to_string())
        .unwrap();
    // The grade has 187 study days (weekdays of 1 September – 31 May outside the autumn
    // holidays; the public holiday counts); the quarter 38, of them 17 up to the 28th. Plan:
    // 102 · 38/187 = 20.7 → 21, to date 102 · 17/187 = 9.3 → 9.
    assert_eq!(
        (
            j["planned_year"].as_u64(),
            j["planned_period"].as_u64(),
            j["planned_to_date"].as_u64()
        ),
        (Some(102), Some(21), Some(9))
    );
    // Held: 6, 9, 13, 18 (a substitution) and 25 November; timetabled for the quarter: 22
    // lessons less the two cancelled (the transferred one is now on 2 December).
    assert_eq!(
        (
            j["held"].as_u64(),
            j["substituted"].as_u64(),
            j["scheduled"].as_u64()
        ),
        (Some(5), Some(1), Some(20))
    );
    // Lag 9 − 5 = 4: one cancelled for the teacher's illness, one for the quarantine, one lost
    // to the public holiday, one not held, one moved away; the timetable's 3 a week is one
    // more than the curriculum's pace by now.
    assert_eq!(j["lag"], 4);
    assert_eq!(
        j["reasons"],
        json!({"cancelled_teacher_absent": 1, "cancelled_other": 1, "holidays": 1, "not_held": 1, "moved": 1, "other": -1})
    );
    assert_eq!(j["done"], 55.56);
    // The English subgroup has no curriculum line: no plan, no lag.
    let eng = r["journals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["subject_id"] == f.english_subject.to_string())
        .unwrap();
    assert!(eng["planned_year"].is_null() && eng["lag"].is_null());
    // The page: a chart and the table.
    let b = app.browser("zavuch").await;
    let (status, html) = b
        .parsed(&format!("/stats?class={}&view=curriculum", f.class_5a))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.has(".stats-charts figure svg") && html.has("#curriculum"),
        "{}",
        html.source()
    );
    let shown = html.texts(".stats-charts figure, table.stats").join("\n");
    assert!(
        shown.contains("карантин") || shown.contains("Отмена: иные причины"),
        "{shown}"
    );
}

async fn lesson_types_scenario(app: &TestApp) {
    let deputy = timetable(app).await;
    let f = &app.f;
    let (q1, q2) = quarters(app).await;
    let teacher = app.token("teacher").await;
    // 5А mathematics lessons are numbered from Wednesday 2 September: the control work falls
    // on the 3rd (7 September), the practical on the 4th (9 September), the laboratory on the
    // 21st and 22nd (19 and 21 October); in the second quarter (no holidays in this calendar:
    // its 29th lesson is 6 November) the control works fall on the 35th (20 November) and the
    // 40th (2 December).
    let plan = "№;Тема;Часы;Тип урока\r\n\
        1;Натуральные числа;2;\r\n\
        2;Контрольная работа № 1;1;control\r\n\
        3;Практическая работа;1;practical\r\n\
        4;Дроби;16;\r\n\
        5;Лабораторная работа;2;laboratory\r\n\
        6;Повторение;12;\r\n\
        7;Контрольная работа № 2;1;control\r\n\
        8;Практикум;4;\r\n\
        9;Контрольная работа № 3;1;control\r\n";
    let res = app
        .http
        .post(app.url(&format!(
            "/api/v1/thematic-plans?group={}&subject={}&name=plan",
            f.class_5a, f.math
        )))
        .bearer_auth(&teacher)
        .header("content-type", "text/csv")
        .body(plan)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let sept = lessons_5a(app, &deputy, "2026-09-07", "2026-09-09").await;
    // The control work is written; the practical lesson was given as an ordinary one.
    mark(app, &teacher, f.ivan, &sept[0], "5", "control").await;
    mark(app, &teacher, f.oleg, &sept[0], "3", "control").await;
    let res = app
        .http
        .put(app.url(&format!("/api/v1/lessons/{}", id(&sept[1]))))
        .bearer_auth(&teacher)
        .json(&json!({"version": 1, "topic": "Практическая работа", "lesson_type": "lesson"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let path = |p: PeriodId| {
        format!(
            "/api/v1/stats/lesson-types?period={p}&teacher={}",
            f.teacher
        )
    };
    let r = app.get_json(&path(q1), &teacher).await;
    let total = |r: &Value, t: &str| {
        let l = r["totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["lesson_type"] == t)
            .unwrap()
            .clone();
        ["planned_year", "planned_period", "planned_to_date", "held"]
            .map(|k| l[k].as_u64().unwrap())
    };
    assert_eq!(total(&r, "control"), [3, 1, 1, 1]);
    assert_eq!(total(&r, "practical"), [1, 1, 1, 0]);
    assert_eq!(total(&r, "laboratory"), [2, 2, 2, 2]);
    let c = &r["control_works_total"];
    assert_eq!(
        (
            c["marks"].as_u64(),
            c["n5"].as_u64(),
            c["n3"].as_u64(),
            c["quality"].as_f64(),
            c["average"].as_f64()
        ),
        (Some(2), Some(1), Some(1), Some(50.0), Some(4.0))
    );

    // 20 November's control work is cancelled: the plan moves on to the next lesson (23rd),
    // which is still to date but was not a control work; the 3rd falls on 4 December.
    let nov = lessons_5a(app, &deputy, "2026-11-20", "2026-11-20").await;
    let res = post(
        app,
        &deputy,
        &format!("/api/v1/lessons/{}/cancellation", id(&nov[0])),
        json!({"reason": "карантин", "version": nov[0]["version"]}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = app.get_json(&path(q2), &teacher).await;
    assert_eq!(total(&r, "control"), [3, 2, 1, 0]);
    assert_eq!(total(&r, "laboratory"), [2, 0, 0, 0]);
}

async fn attendance_scenario(app: &TestApp) {
    let deputy = timetable(app).await;
    let f = &app.f;
    let teacher = app.token("teacher").await;
    // Second quarter so far: 6, 9, 11, 13, 16, 18, 20, 23, 25, 27 November — ten lessons.
    let l = lessons_5a(app, &deputy, "2026-11-05", "2026-11-28").await;
    assert_eq!(l.len(), 10);
    absent(app, &teacher, f.oleg, &l[1], "ill", None).await;
    absent(app, &teacher, f.oleg, &l[2], "ill", None).await;
    absent(app, &teacher, f.oleg, &l[3], "unexcused", None).await;
    absent(app, &teacher, f.ivan, &l[5], "late", Some(10)).await;
    // 30 minutes late of 45: a missed lesson.
    absent(app, &teacher, f.ivan, &l[6], "late", Some(30)).await;
    absent(app, &teacher, f.ivan, &l[7], "excused", None).await;

    let r = app
        .get_json(
            &format!("/api/v1/stats/attendance?class={}&threshold=25", f.class_5a),
            &teacher,
        )
        .await;
    let a5 = line(&r["by_class"], "5А");
    assert_eq!(
        [
            "pupils",
            "lessons",
            "missed",
            "ill",
            "excused",
            "unexcused",
            "late",
            "late_over_half"
        ]
        .map(|k| a5[k].as_u64().unwrap()),
        [2, 20, 5, 2, 1, 1, 2, 1]
    );
    assert_eq!(a5["missed_share"], 25.0);
    // Олег missed 3 of 10 (30 % > 25 %); Иван 2 of 10.
    let over = r["pupils_over_threshold"].as_array().unwrap();
    assert_eq!(over.len(), 1, "{over:?}");
    assert_eq!(over[0]["name"], "Сидоров Олег");
    assert_eq!(
        (over[0]["missed"].as_u64(), over[0]["missed_share"].as_f64()),
        (Some(3), Some(30.0))
    );
    // The whole school (the deputy): 5Б's Анна had three Tuesday lessons and missed none.
    let r = app
        .get_json("/api/v1/stats/attendance?threshold=10", &deputy)
        .await;
    assert_eq!(
        ["pupils", "lessons", "missed"].map(|k| r["total"][k].as_u64().unwrap()),
        [3, 23, 5]
    );
    assert_eq!(r["pupils_over_threshold"].as_array().unwrap().len(), 2);
    let b = line(&r["by_class"], "5Б");
    assert_eq!(
        (b["lessons"].as_u64(), b["missed"].as_u64()),
        (Some(3), Some(0))
    );
}

both_backends!(results_count_final_marks_with_na_exempt_leavers_and_pupils_without_marks);
async fn results_count_final_marks_with_na_exempt_leavers_and_pupils_without_marks(app: TestApp) {
    results_scenario(&app).await;
}

both_backends!(curriculum_lag_is_explained_by_cancellations_holidays_and_transfers);
async fn curriculum_lag_is_explained_by_cancellations_holidays_and_transfers(app: TestApp) {
    curriculum_scenario(&app).await;
}

both_backends!(lesson_types_planned_in_the_thematic_plan_are_set_against_those_held);
async fn lesson_types_planned_in_the_thematic_plan_are_set_against_those_held(app: TestApp) {
    lesson_types_scenario(&app).await;
}

both_backends!(attendance_counts_missed_lessons_by_reason_and_lists_pupils_over_the_threshold);
async fn attendance_counts_missed_lessons_by_reason_and_lists_pupils_over_the_threshold(
    app: TestApp,
) {
    attendance_scenario(&app).await;
}

both_backends!(statistics_are_refused_to_families_and_narrowed_for_teachers);
async fn statistics_are_refused_to_families_and_narrowed_for_teachers(app: TestApp) {
    timetable(&app).await;
    let f = &app.f;
    let kinds = ["results", "curriculum", "lesson-types", "attendance"];
    // Families: nothing, whatever they ask.
    for login in ["parent", "student"] {
        let token = app.token(login).await;
        for k in kinds {
            assert_problem(
                app.get(&format!("/api/v1/stats/{k}"), &token).await,
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        assert_problem(
            app.get(
                &format!("/api/v1/stats/results?class={}", f.class_5a),
                &token,
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // Without a token.
    let res = app
        .http
        .get(app.url("/api/v1/stats/results"))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    // Another school's administrator does not even see the school.
    let other = app.token("admin2").await;
    assert_problem(
        app.get(
            &format!("/api/v1/stats/results?school={}", f.school),
            &other,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The mathematics teacher (class teacher of 5А): her class and her own journals only.
    let teacher = app.token("teacher").await;
    let cases = [
        (String::new(), StatusCode::FORBIDDEN),
        ("grade=5".to_owned(), StatusCode::FORBIDDEN),
        (format!("subject={}", f.math), StatusCode::FORBIDDEN),
        (format!("class={}", f.class_5b), StatusCode::FORBIDDEN),
        (format!("teacher={}", f.english), StatusCode::FORBIDDEN),
        (format!("class={}", f.class_5a), StatusCode::OK),
        (format!("teacher={}", f.teacher), StatusCode::OK),
        (
            format!("teacher={}&class={}", f.teacher, f.class_5b),
            StatusCode::OK,
        ),
    ];
    for k in kinds {
        for (q, status) in &cases {
            let res = app.get(&format!("/api/v1/stats/{k}?{q}"), &teacher).await;
            assert_eq!(res.status(), *status, "{k}?{q}");
        }
    }
    // The English teacher is no class teacher: 5А only through her own journals.
    let english = app.token("english").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/stats/results?class={}", f.class_5a),
            &english
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let r = app
        .get_json(
            &format!(
                "/api/v1/stats/curriculum?class={}&teacher={}",
                f.class_5a, f.english
            ),
            &english,
        )
        .await;
    let journals = r["journals"].as_array().unwrap();
    assert_eq!(journals.len(), 1, "the English subgroup only: {journals:?}");
    assert_eq!(journals[0]["group_name"], "5А англ. 1");
    // Unknown ids are not found; malformed input is refused.
    let deputy = app.token("zavuch").await;
    for (q, status) in [
        ("class=999999", StatusCode::NOT_FOUND),
        (
            &format!("class={}", f.other_class) as &str,
            StatusCode::NOT_FOUND,
        ),
        ("subject=999999", StatusCode::NOT_FOUND),
        ("period=999999", StatusCode::NOT_FOUND),
        ("period=spring", StatusCode::UNPROCESSABLE_ENTITY),
        ("grade=12", StatusCode::UNPROCESSABLE_ENTITY),
        ("class=5A", StatusCode::UNPROCESSABLE_ENTITY),
        ("format=pdf", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        assert_problem(
            app.get(&format!("/api/v1/stats/results?{q}"), &deputy)
                .await,
            status,
        )
        .await;
    }
    let r = app
        .get_json("/api/v1/stats/results?period=year", &deputy)
        .await;
    assert_eq!(r["frame"]["slot"], "year");
    assert!(r["frame"]["period_id"].is_null());

    // Pages: the deputy sees the school with charts; the home page links to them; a parent is
    // refused; the class teacher lands on her class.
    let b = app.browser("zavuch").await;
    let (status, home) = b.parsed("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.has("a[href=\"/stats\"]"));
    for k in kinds {
        let (status, html) = b.parsed(&format!("/stats?view={k}")).await;
        assert_eq!(status, StatusCode::OK, "{k}");
        assert!(
            html.has(".stats-charts figure svg") && html.has("form#stats-scope"),
            "{k}"
        );
    }
    let res = b.get("/stats?view=attendance&format=xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], XLSX);
    let (status, _) = app.browser("parent").await.page("/stats").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = app.browser("teacher").await.parsed("/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.text("#stats-about").contains("5А")
            || html.text("#stats-scope select[name=\"class\"] option[selected]") == "5А",
        "{}",
        html.source()
    );
    let (status, _) = app
        .browser("teacher")
        .await
        .page(&format!("/stats?class={}", f.class_5b))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The OpenAPI document lists the four under the tag.
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for k in kinds {
        let op = &doc["paths"][format!("/api/v1/stats/{k}")]["get"];
        assert_eq!(op["tags"][0], "stats", "{k}");
    }
}

both_backends!(the_command_line_writes_every_table_to_a_workbook);
async fn the_command_line_writes_every_table_to_a_workbook(app: TestApp) {
    timetable(&app).await;
    let (q1, _) = quarters(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stats.xlsx");
    let school = app.f.school.to_string();
    let period = q1.to_string();
    let out = crate::cli::tabel(
        &[
            "stats",
            "--db",
            &app.db.url,
            "--school",
            &school,
            "--period",
            &period,
            "--today",
            "2026-11-28",
            "--xlsx",
            file.to_str().unwrap(),
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 четверть 2026/2027"), "{stdout}");
    assert!(stdout.contains("Выполнение программы"), "{stdout}");
    assert!(std::fs::read(&file).unwrap().starts_with(b"PK"));
    // Two schools in the fixture: the command asks which; a bad period is named.
    let out = crate::cli::tabel(&["stats", "--db", &app.db.url], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--school"));
    let out = crate::cli::tabel(
        &[
            "stats",
            "--db",
            &app.db.url,
            "--school",
            &school,
            "--period",
            "spring",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("period"));
}
