//! The curriculum lag on a hand-built timetable (cancellations, a substitution, a transfer, a
//! public holiday) and lesson types planned against held.

use super::{mark, quarters};
use crate::journal::{id, lessons_5a, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::school::DayOffKind;
use tabel_domain::{HolidayId, PeriodId};
use time::macros::date;

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

both_backends!(curriculum_lag_is_explained_by_cancellations_holidays_and_transfers);
async fn curriculum_lag_is_explained_by_cancellations_holidays_and_transfers(app: TestApp) {
    curriculum_scenario(&app).await;
}

both_backends!(lesson_types_planned_in_the_thematic_plan_are_set_against_those_held);
async fn lesson_types_planned_in_the_thematic_plan_are_set_against_those_held(app: TestApp) {
    lesson_types_scenario(&app).await;
}
