//! The pupil's record end to end: a record spanning two levels, two schools and classes, in
//! order; what the family sees and what staff see (results not yet published); who is refused
//! (another family's child, a parent without consent, a teacher without the pupil, another
//! school); the pages for the pupil, the parent and the class teacher.

use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::Value;
use tabel_domain::exams::{ExamKind, ExamMark};
use tabel_domain::school::GroupKind;
use tabel_domain::{PeriodId, SubjectId};
use tabel_store::Db;
use tabel_store::exams::{NewResult, insert_result};
use tabel_store::finals::{NewFinal, Slot, write};
use tabel_store::school::*;
use time::macros::{date, datetime};

/// Runs a statement with integer arguments on either backend: the deferral and debt tables
/// are kept by another part of the application; the record only reads them.
async fn exec(db: &Db, sql: &str, args: &[i64]) {
    match db {
        Db::Sqlite(p, _) => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
            for a in args {
                q = q.bind(*a);
            }
            q.execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
            for a in args {
                q = q.bind(*a);
            }
            q.execute(p).await.unwrap();
        }
    }
}

/// What [`history`] made.
pub(crate) struct History {
    q1: PeriodId,
    q2: PeriodId,
}

/// Иван's earlier year: 2025/2026 in the other school's 4А (Русский язык 5, Математика 3 after
/// a debt cleared on the second retake, Окружающий мир 5, a published ВПР), and this year in 5А:
/// the first quarter's mathematics 5, a deferral of the second quarter's English, and a ВПР
/// result the school has not published yet.
pub(crate) async fn history(app: &TestApp) -> History {
    let f = &app.f;
    let at = datetime!(2026-05-28 09:00 UTC);
    let mut tx = app.db.db.begin().await.unwrap();
    let c = &mut tx.conn();
    let other = f.other_school;
    let past = insert_academic_year(c, other, 2025, date!(2025 - 09 - 01), date!(2026 - 05 - 26))
        .await
        .unwrap();
    let class_4a = insert_group(
        c,
        &NewGroup {
            school: other,
            year: past,
            kind: GroupKind::Class,
            name: "4А",
            grade: 4,
            parent: None,
            subject: None,
        },
    )
    .await
    .unwrap();
    insert_membership(
        c,
        other,
        class_4a,
        f.ivan,
        date!(2025 - 09 - 01),
        Some(date!(2026 - 05 - 26)),
    )
    .await
    .unwrap();
    let mut subjects: Vec<SubjectId> = Vec::new();
    for (name, order) in [
        ("Окружающий мир", 30),
        ("Математика", 10),
        ("Русский язык", 5),
    ] {
        subjects.push(insert_subject(c, other, name, name, order).await.unwrap());
    }
    let [world, math_there, russian] = subjects[..] else {
        panic!("three subjects")
    };
    let periods = list_periods(c, f.year).await.unwrap();
    let (q1, q2) = (periods[0].id, periods[1].id);
    for (school, year, subject, group, slot, value) in [
        (other, past, world, class_4a, Slot::Year, "5"),
        (other, past, math_there, class_4a, Slot::Year, "3"),
        (other, past, russian, class_4a, Slot::Year, "5"),
        (f.school, f.year, f.math, f.class_5a, Slot::Period(q1), "5"),
    ] {
        let new = NewFinal {
            school,
            year,
            student: f.ivan,
            subject,
            group: Some(group),
            slot,
            value,
            proposal: None,
            proposal_basis: None,
            reason: "",
            set_by: None,
            at,
        };
        write(c, &new, 0).await.unwrap().unwrap();
    }
    for (school, year, subject, name, taken_on, published) in [
        (
            other,
            past,
            world,
            "Окружающий мир",
            date!(2026 - 04 - 21),
            true,
        ),
        (
            f.school,
            f.year,
            f.math,
            "Математика",
            date!(2026 - 11 - 17),
            false,
        ),
    ] {
        insert_result(
            c,
            &NewResult {
                school,
                year,
                batch: None,
                student: f.ivan,
                exam: ExamKind::Vpr,
                subject: Some(subject),
                subject_name: name,
                taken_on: Some(taken_on),
                score: Some(17),
                mark: ExamMark::Mark(5),
                source: "ВПР.xlsx",
                received_at: at,
                imported_by: None,
                published_at: published.then_some(at),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let db = &app.db.db;
    exec(
        db,
        "INSERT INTO academic_debts (school_id, academic_year_id, student_id, subject_id, slot, arisen_on, deadline, \
         illness_days, state, result, closed_at, created_at) \
         VALUES ($1, $2, $3, $4, 'year', '2026-05-28', '2027-05-27', 0, 'closed', '3', '2026-09-20T09:00:00Z', '2026-05-28T09:00:00Z')",
        &[other.get(), past.get(), f.ivan.get(), math_there.get()],
    )
    .await;
    for (attempt, on, value) in [(1, "2026-06-15", "2"), (2, "2026-09-18", "3")] {
        exec(
            db,
            &format!(
                "INSERT INTO debt_retakes (debt_id, attempt, on_date, value, recorded_at) \
                 SELECT id, $2, '{on}', '{value}', '{on}T09:00:00Z' FROM academic_debts WHERE student_id = $1"
            ),
            &[f.ivan.get(), attempt],
        )
        .await;
    }
    exec(
        db,
        &format!(
            "INSERT INTO final_deferrals (school_id, academic_year_id, student_id, subject_id, slot, starts_on, ends_on, \
             basis, state, created_at) VALUES ($1, $2, $3, $4, 'p{q2}', '2026-11-20', '2026-12-20', 'справка № 17', 'open', \
             '2026-11-20T09:00:00Z')"
        ),
        &[f.school.get(), f.year.get(), f.ivan.get(), f.english_subject.get()],
    )
    .await;
    History { q1, q2 }
}

/// The entries of a record as (kind, level, year, class, subject, slot, value).
fn shape(record: &Value) -> Vec<[String; 7]> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    record
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            [
                s(&e["kind"]),
                s(&e["level"]),
                s(&e["year"]),
                s(&e["class"]),
                s(&e["subject"]),
                s(&e["slot"]),
                s(&e["value"]),
            ]
        })
        .collect()
}

fn row(
    kind: &str,
    level: &str,
    year: &str,
    class: &str,
    subject: &str,
    slot: &str,
    value: &str,
) -> [String; 7] {
    [kind, level, year, class, subject, slot, value].map(str::to_owned)
}

both_backends!(a_record_spans_two_levels_and_two_schools_in_order);
async fn a_record_spans_two_levels_and_two_schools_in_order(app: TestApp) {
    let app = &app;
    let h = history(app).await;
    let f = &app.f;
    let path = format!("/api/v1/students/{}/record", f.ivan);
    let parent = app.token("parent").await;
    let record = app.get_json(&path, &parent).await;
    let (q1, q2) = (format!("p{}", h.q1), format!("p{}", h.q2));
    let (primary, basic) = ("primary", "basic");
    let (past, now) = ("2025/2026", "2026/2027");
    assert_eq!(
        shape(&record),
        [
            row("final", primary, past, "4А", "Русский язык", "year", "5"),
            row("final", primary, past, "4А", "Математика", "year", "3"),
            row("final", primary, past, "4А", "Окружающий мир", "year", "5"),
            row(
                "exam_result",
                primary,
                past,
                "4А",
                "Окружающий мир",
                "",
                "5"
            ),
            row("debt", primary, past, "4А", "Математика", "year", "closed"),
            row("final", basic, now, "5А", "Математика", &q1, "5"),
            row(
                "deferral",
                basic,
                now,
                "5А",
                "Иностранный язык (английский)",
                &q2,
                "open"
            ),
        ]
    );
    // The earlier year comes from the other school, with its subjects; the grade is the class's.
    assert_eq!(record[0]["school_id"], f.other_school.to_string());
    assert_eq!(record[0]["grade"], 4);
    assert_eq!(record[5]["school_id"], f.school.to_string());
    assert_eq!(record[5]["subject_id"], f.math.to_string());
    assert_eq!(record[5]["final_mark"]["period_kind"], "quarter");
    assert_eq!(record[5]["final_mark"]["period_number"], 1);
    assert_eq!(record[3]["exam_result"]["exam"], "vpr");
    assert_eq!(record[4]["debt"]["result"], "3");
    let retakes: Vec<(i64, &str)> = record[4]["debt"]["retakes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["attempt"].as_i64().unwrap(), r["value"].as_str().unwrap()))
        .collect();
    assert_eq!(retakes, [(1, "2"), (2, "3")]);
    assert_eq!(record[6]["deferral"]["basis"], "справка № 17");

    // The pupil sees what the family sees; staff also see the result not yet published, marked.
    let student = app.get_json(&path, &app.token("student").await).await;
    assert_eq!(shape(&student), shape(&record));
    for login in ["zavuch", "teacher", "admin"] {
        let staff = app.get_json(&path, &app.token(login).await).await;
        let held: Vec<&Value> = staff
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "exam_result" && e["exam_result"]["published_at"].is_null())
            .collect();
        assert_eq!(held.len(), 1, "{login}");
        assert_eq!(held[0]["year"], now);
        assert_eq!(staff.as_array().unwrap().len(), 8, "{login}");
    }
}

both_backends!(only_the_family_the_pupils_teachers_and_the_administration_read_a_record);
async fn only_the_family_the_pupils_teachers_and_the_administration_read_a_record(app: TestApp) {
    history(&app).await;
    let f = &app.f;
    let path = |who: tabel_domain::PersonId| format!("/api/v1/students/{who}/record");
    // A parent of other children: nothing to see here.
    let parent = app.token("parent").await;
    assert_problem(app.get(&path(f.oleg), &parent).await, StatusCode::NOT_FOUND).await;
    let refuser = app.token("refuser").await;
    assert_problem(
        app.get(&path(f.ivan), &refuser).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Her own child, without the diary consent: refused with the reason.
    let problem = assert_problem(
        app.get(&path(f.oleg), &refuser).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
    // A teacher of the school who does not teach the pupil: refused; one who does: allowed.
    let english = app.token("english").await;
    assert_problem(
        app.get(&path(f.oleg), &english).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.get(&path(f.ivan), &english).await.status(),
        StatusCode::OK
    );
    // The class teacher of 5А reads Олег's; another school's administrator nothing, though
    // Иван's earlier year was spent there (the record stays with the school he is in now).
    let teacher = app.token("teacher").await;
    assert_eq!(
        app.get(&path(f.oleg), &teacher).await.status(),
        StatusCode::OK
    );
    let admin2 = app.token("admin2").await;
    assert_problem(app.get(&path(f.ivan), &admin2).await, StatusCode::NOT_FOUND).await;
    // A pupil reads only their own.
    let student = app.token("student").await;
    assert_problem(
        app.get(&path(f.anna), &student).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Nobody without a token; nonsense ids are simply not found.
    assert_eq!(
        app.http
            .get(app.url(&path(f.ivan)))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_problem(
        app.get("/api/v1/students/x1/record", &parent).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

both_backends!(the_record_pages_render_for_the_pupil_the_parent_and_the_class_teacher);
async fn the_record_pages_render_for_the_pupil_the_parent_and_the_class_teacher(app: TestApp) {
    history(&app).await;
    let f = &app.f;
    let diary = format!("/diary/{}/record", f.ivan);
    for login in ["parent", "student"] {
        let (status, page) = app.browser(login).await.parsed(&diary).await;
        assert_eq!(status, StatusCode::OK, "{login}");
        assert_eq!(
            page.attrs("#diary-nav a[aria-current=\"page\"]", "id"),
            ["nav-record"],
            "{login}"
        );
        let html = page.text("#record");
        for text in [
            "Начальное общее образование",
            "Основное общее образование",
            "2025/2026",
            "4А",
            "Школа № 2",
            "Окружающий мир",
            "ВПР",
            "справка № 17",
            "ликвидирована: 3",
            "1) 15.06.2026: 2; 2) 18.09.2026: 3",
        ] {
            assert!(html.contains(text), "{login} sees {text:?}");
        }
        assert!(
            !html.contains("ещё не опубликован"),
            "{login}: nothing unpublished"
        );
    }
    // Without the consent: the diary's page that says why.
    let (status, html) = app
        .browser("refuser")
        .await
        .parsed(&format!("/diary/{}/record", f.oleg))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.has("article#no-consent"), "{}", html.source());

    // The class teacher opens it from the class's list, printable, with what the family does
    // not see yet marked.
    let teacher = app.browser("teacher").await;
    let (_, class) = teacher
        .parsed(&format!("/school/classes/{}", f.class_5a))
        .await;
    let school_page = format!("/school/students/{}/record", f.ivan);
    assert!(
        class.attrs("a.record-open", "href").contains(&school_page),
        "{}",
        class.source()
    );
    let (status, html) = teacher.parsed(&school_page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.text("h1#student-name"), "Петров Иван Сергеевич");
    assert!(html.has("#record table#level-primary-table"));
    assert!(html.has("#record table#level-basic-table"));
    assert!(
        html.text("#record")
            .contains("ещё не опубликован для семьи"),
        "the class teacher sees what the family does not yet"
    );
    assert!(
        html.text("main > p.muted small")
            .contains("Сформировано 28.11.2026"),
        "{}",
        html.source()
    );
    let (_, card) = teacher.parsed(&format!("/students/{}", f.ivan)).await;
    assert_eq!(
        card.attr("a#student-record", "href").as_ref(),
        Some(&school_page)
    );
    // A teacher who only teaches another class sees no links and is refused the page.
    let english = app.browser("english").await;
    let (_, class) = english
        .page(&format!("/school/classes/{}", f.class_5a))
        .await;
    assert!(!class.contains("/record\""), "no record links for her");
    let (status, _) = english
        .page(&format!("/school/students/{}/record", f.oleg))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // In English for a deputy head who reads it so.
    let zavuch = app.browser("zavuch").await;
    zavuch.get("/lang/en").await;
    let (status, html) = zavuch.parsed(&school_page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.text("#level-basic-title"),
        "Basic general education (grades 5–9)"
    );
    assert!(
        html.text("#record").contains("not yet published"),
        "{}",
        html.source()
    );
}

both_backends!(a_parent_on_a_phone_reads_the_record_without_scrolling_the_page_sideways);
/// On a phone (360 px) the parent reaches the record in two taps from the home page; the tables
/// scroll inside their box, the page never sideways.
async fn a_parent_on_a_phone_reads_the_record_without_scrolling_the_page_sideways(app: TestApp) {
    history(&app).await;
    let Some(d) = crate::browser::Driver::start().await else {
        return;
    };
    d.window(360, 740).await;
    d.go(&app.url("/login")).await;
    d.type_into("#login", "parent").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click("#submit").await;
    d.find("#greeting").await;
    let diary = format!("/diary/{}", app.f.ivan);
    d.click(&format!("#children a.diary-open[href='{diary}']"))
        .await;
    d.wait_url(&diary).await;
    d.click("#nav-record").await;
    let url = d.wait_url(&format!("{diary}/record")).await;
    assert!(url.ends_with("/record"), "{url}");
    let table = d.text("#level-primary-table").await;
    assert!(
        table.contains("Окружающий мир") && table.contains("4А"),
        "{table}"
    );
    let v = d
        .script("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await;
    let (scroll, width) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
    assert!(scroll <= width, "{scroll} px wide in a {width} px window");
    let tmp = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = tmp
        .parent()
        .map_or(tmp.clone(), std::path::PathBuf::from)
        .join("screenshots")
        .join("diary-record-levels.png");
    // The whole page at the phone's width.
    let height = d
        .script("return document.documentElement.scrollHeight")
        .await
        .as_u64()
        .unwrap_or(740);
    d.window(
        360,
        u32::try_from(height + 120).unwrap_or(740).clamp(740, 6000),
    )
    .await;
    d.screenshot(&path).await;
    // The class teacher's printable page, on a desktop.
    d.click("#logout").await;
    d.wait_url("/login").await;
    d.window(1100, 900).await;
    d.type_into("#login", "teacher").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click("#submit").await;
    d.find("#greeting").await;
    d.go(&app.url(&format!("/school/students/{}/record", app.f.ivan)))
        .await;
    let table = d.text("#level-basic-table").await;
    assert!(
        table.contains("2026/2027") && table.contains("5А"),
        "{table}"
    );
    let desk = path.with_file_name("record-class-teacher.png");
    d.screenshot(&desk).await;
    d.quit().await;
    eprintln!("screenshots: {} {}", path.display(), desk.display());
}

#[tokio::test]
async fn the_openapi_document_describes_the_record() {
    let app = TestApp::sqlite().await;
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p = &doc["paths"]["/api/v1/students/{id}/record"]["get"];
    assert!(p["responses"]["403"].is_object() && p["responses"]["404"].is_object());
    let entry = &doc["components"]["schemas"]["RecordEntryDto"]["properties"];
    for field in [
        "kind",
        "level",
        "year",
        "grade",
        "class",
        "school_id",
        "subject_id",
        "subject",
        "slot",
        "value",
        "final_mark",
        "exam_result",
        "deferral",
        "debt",
    ] {
        assert!(entry[field].is_object(), "{field}: {entry}");
    }
}
