//! Statistics through the JSON API and the pages: hand-computed classes for the results (н/а,
//! осв., a pupil who left, a pupil without marks, final marks and the journal's averages), the
//! curriculum lag on a hand-built timetable with cancellations, a substitution, a transfer and
//! a public holiday, lesson types planned against held, attendance by reason, XLSX, and who is
//! refused. Every scenario also runs on PostgreSQL.

mod attendance;
mod curriculum;
mod results;

use crate::journal::{id, timetable};
use crate::support::{TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::{PeriodId, PersonId};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The fixture's two quarters: (1st, 2nd).
async fn quarters(app: &TestApp) -> (PeriodId, PeriodId) {
    let mut c = app.db.db.acquire().await.unwrap();
    let p = tabel_store::school::list_periods(&mut c.conn(), app.f.year)
        .await
        .unwrap();
    (p[0].id, p[1].id)
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

fn line<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name || l["group_name"] == name)
        .unwrap_or_else(|| panic!("no line {name} in {list}"))
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
