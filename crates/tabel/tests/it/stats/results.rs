//! Results by hand-computed classes: н/а, осв., a pupil who left, a pupil without marks, final
//! marks and the journal's averages.

use super::{XLSX, line, mark, quarters};
use crate::journal::{lessons_5a, timetable};
use crate::support::{TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::Value;
use tabel_domain::school::Sex;
use tabel_domain::text::{NamePart, PersonName};
use tabel_domain::{GroupId, PersonId};
use tabel_store::finals::{NewFinal, Slot};
use time::Date;
use time::macros::date;

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

both_backends!(results_count_final_marks_with_na_exempt_leavers_and_pupils_without_marks);
async fn results_count_final_marks_with_na_exempt_leavers_and_pupils_without_marks(app: TestApp) {
    results_scenario(&app).await;
}
