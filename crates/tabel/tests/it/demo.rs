//! The demo school through the real server: every demo login gets a page that fits the role.

use crate::support::{Backend, Page, both_backends, client};
use reqwest::StatusCode;
use tabel::{Application, Config};
use tabel_store::test_support::TestDb;

async fn serve_demo(db: TestDb) -> (String, TestDb) {
    let mut config = Config::for_tests(&db.url);
    config.demo = true;
    config.today = Some(time::macros::date!(2026 - 11 - 28));
    let app = Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    (base, db)
}

async fn home_of(base: &str, login: &str) -> String {
    let c = client(true);
    let res = c
        .post(format!("{base}/login"))
        .header("Origin", base)
        .form(&[("login", login), ("password", "demo"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{login} logs in with the demo password"
    );
    let res = c.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

both_backends!(every_demo_login_sees_a_page_that_fits(backend));
async fn every_demo_login_sees_a_page_that_fits(backend: Backend) {
    let (base, _db) = serve_demo(backend.db().await).await;
    let expectations: [(&str, &[&str]); 7] = [
        ("admin", &["Администратор", "Учётные записи"]),
        (
            "zavuch",
            &[
                "Заместитель директора",
                "Структура школы",
                "Отсрочки и академические задолженности",
            ],
        ),
        (
            "teacher",
            &[
                "Учитель",
                "Мои классы и предметы",
                "Математика",
                // The demo's overdue deferral is in one of the teacher's journals.
                "Отсрочки, закончившиеся без отметки",
            ],
        ),
        (
            "classteacher",
            &["Классный руководитель", "Мои классы", "5А"],
        ),
        ("parent", &["Мои дети", "согласие дано"]),
        ("student", &["Обучающийся", "Мой класс и группы"]),
        ("refuser", &["Мои дети", "выписки на бумаге"]),
    ];
    for (login, texts) in expectations {
        // The home page's own content, not the menu.
        let page = Page::parse(&home_of(&base, login).await).text("main");
        for t in texts {
            assert!(page.contains(t), "{login}'s home shows {t:?}: {page}");
        }
    }
    // Two open deferrals (one overdue) and one academic debt with a failed retake.
    let token = demo_token(&base, "zavuch").await;
    let desk: serde_json::Value = client(false)
        .get(format!("{base}/api/v1/deferrals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let open: Vec<&serde_json::Value> = desk["deferrals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["state"] == "open")
        .collect();
    assert_eq!(open.len(), 2, "{desk}");
    assert_eq!(open[0]["stage"], "overdue");
    assert_eq!(open[1]["stage"], "running");
    let debts = desk["debts"].as_array().unwrap();
    assert_eq!(debts.len(), 1, "{desk}");
    assert_eq!(debts[0]["origin"], "deferral");
    assert_eq!(debts[0]["attempts_left"], 1);
}

async fn demo_token(base: &str, login: &str) -> String {
    let res: serde_json::Value = client(false)
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"login": login, "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    res["token"].as_str().unwrap().to_owned()
}

both_backends!(demo_records_span_the_levels_of_education(backend));
/// The demo's records span the levels of education: the `student` (5А) has the year marks of
/// grades 2–4 in 2А–4А, and a pupil of 11А the 9th grade's ОГЭ, exam marks and certificate
/// (basic level) beside grade 10 (secondary).
async fn demo_records_span_the_levels_of_education(backend: Backend) {
    let (base, _db) = serve_demo(backend.db().await).await;
    let http = client(false);
    let token = |login: &'static str| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let res: serde_json::Value = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({"login": login, "password": "demo"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            res["token"].as_str().unwrap().to_owned()
        }
    };
    let get = |path: String, token: String| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let res = http
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    let levels = |record: &serde_json::Value| {
        let mut v: Vec<String> = record
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["level"].as_str().map(str::to_owned))
            .collect();
        v.dedup();
        v
    };

    let student = token("student").await;
    let me = get("/api/v1/me".into(), student.clone()).await;
    let person = me["person_id"].as_str().unwrap().to_owned();
    let record = get(format!("/api/v1/students/{person}/record"), student).await;
    assert_eq!(levels(&record), ["primary", "basic"], "{record}");
    let years: Vec<(&str, &str)> = record
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["slot"] == "year")
        .map(|e| (e["year"].as_str().unwrap(), e["class"].as_str().unwrap()))
        .collect();
    for (year, class) in [
        ("2023/2024", "2А"),
        ("2024/2025", "3А"),
        ("2025/2026", "4А"),
    ] {
        assert!(
            years.contains(&(year, class)),
            "{year} in {class}: {years:?}"
        );
    }

    let zavuch = token("zavuch").await;
    let classes = get("/api/v1/classes".into(), zavuch.clone()).await;
    let senior = classes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "11А")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pupils = get(format!("/api/v1/classes/{senior}/students"), zavuch.clone()).await;
    let mut found = false;
    for p in pupils.as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let record = get(format!("/api/v1/students/{id}/record"), zavuch.clone()).await;
        let entries = record.as_array().unwrap();
        let oge = entries
            .iter()
            .filter(|e| e["exam_result"]["exam"] == "oge")
            .count();
        if oge == 0 {
            continue; // came to the school after grade 9
        }
        found = true;
        assert_eq!(oge, 4, "{record}");
        // Primary too, when the pupil came in grade 1.
        assert!(levels(&record).ends_with(&["basic".to_owned(), "secondary".to_owned()]));
        let certificate: Vec<&serde_json::Value> =
            entries.iter().filter(|e| e["slot"] == "final").collect();
        assert!(certificate.len() >= 15, "{record}");
        assert!(
            certificate
                .iter()
                .all(|e| e["grade"] == 9 && e["level"] == "basic")
        );
        assert!(
            entries
                .iter()
                .any(|e| e["slot"] == "exam" && e["subject"] == "Алгебра")
        );
        break;
    }
    assert!(found, "some pupil of 11А took the ОГЭ here");
}
