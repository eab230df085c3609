//! The dashboard of overdue publications with who has not been informed; the demo's batch.

use super::{LONG_AGO, VPR, created, import, publish};
use crate::support::{Backend, TestApp, both_backends, client};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn line_of<'a>(overdue: &'a Value, student: &str) -> Option<&'a Value> {
    overdue["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["result"]["student_id"] == student)
}

fn not_informed(line: &Value) -> Vec<(String, String, String)> {
    line["not_informed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["role"].as_str().unwrap().to_owned(),
                p["channel"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both_backends!(overdue_results_are_flagged_with_who_has_not_been_informed_until_published);
async fn overdue_results_are_flagged_with_who_has_not_been_informed_until_published(app: TestApp) {
    let app = &app;
    let f = &app.f;
    let admin = app.token("admin").await;
    // Received two days ago and held back: overdue.
    let batch = created(
        import(
            app,
            &admin,
            &format!("exam=vpr&received_at={LONG_AGO}&name=vpr.csv"),
            "text/csv",
            VPR,
        )
        .await,
    )
    .await;
    assert_eq!(batch["batch"]["rows"], 3);
    assert_eq!(batch["published"], 0);
    assert_eq!(batch["batch"]["overdue"], true);
    assert_eq!(batch["due_at"], "2026-11-27T09:00:00Z");
    // Received just now (the default) and held back: due, not overdue.
    let fresh = created(
        import(
            app,
            &admin,
            "exam=vpr",
            "text/csv",
            "ФИО;Предмет;Отметка\nПетров Иван;Окружающий мир;4\n",
        )
        .await,
    )
    .await;
    assert_eq!(fresh["other_subjects"], json!(["Окружающий мир"]));

    let overdue = app.get_json("/api/v1/exam-results/overdue", &admin).await;
    assert_eq!(overdue["pending"], 1, "{overdue}");
    let lines = overdue["results"].as_array().unwrap();
    assert_eq!(lines.len(), 3, "{overdue}");
    assert!(lines.iter().all(|l| l["state"] == "overdue"
        && l["overdue_hours"].as_i64().unwrap() >= 12
        && l["result"]["published_at"].is_null()));
    // Олег: no account of his own; his mother refused the diary — she gets paper.
    let oleg = line_of(&overdue, &f.oleg.to_string()).unwrap();
    assert_eq!(oleg["result"]["mark"], "2");
    assert_eq!(oleg["result"]["class"], "5А");
    assert_eq!(
        not_informed(oleg),
        vec![
            ("Сидоров Олег".into(), "pupil".into(), "no_account".into()),
            (
                "Сидорова Ольга Викторовна".into(),
                "representative".into(),
                "paper".into()
            ),
        ]
    );
    // Иван: he and his mother both read the diary.
    let ivan = line_of(&overdue, &f.ivan.to_string()).unwrap();
    assert_eq!(
        not_informed(ivan),
        vec![
            ("Петров Иван".into(), "pupil".into(), "diary".into()),
            (
                "Петрова Мария Андреевна".into(),
                "representative".into(),
                "diary".into()
            ),
        ]
    );
    assert_eq!(ivan["result"]["score"], 17);
    assert_eq!(ivan["result"]["taken_on"], "2026-11-20");

    // Until it is published the family sees nothing of it.
    let student = app.token("student").await;
    let parent = app.token("parent").await;
    let mine = format!("/api/v1/students/{}/exams", f.ivan);
    assert_eq!(app.get_json(&mine, &student).await, json!([]));
    assert_eq!(app.get_json(&mine, &parent).await, json!([]));
    // The administration sees both of Иван's results, held back.
    let all = app.get_json(&mine, &admin).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|r| r["published_at"].is_null())
    );

    // Publishing Иван's result takes it off the overdue list: it is now published late, and
    // with the diary reaching everyone in his family nobody is left uninformed.
    let id = ivan["result"]["id"].as_str().unwrap().to_owned();
    let res = publish(app, &admin, json!({"ids": [id]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["published"], json!([id]));
    let overdue = app.get_json("/api/v1/exam-results/overdue", &admin).await;
    let ivan = line_of(&overdue, &f.ivan.to_string()).unwrap();
    assert_eq!(ivan["state"], "published_late");
    assert!(ivan["delay_hours"].as_i64().unwrap() >= 36, "{ivan}");
    assert_eq!(ivan["not_informed"], json!([]));
    let still_overdue = overdue["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["state"] == "overdue")
        .count();
    assert_eq!(still_overdue, 2);

    // The family sees it now: the pupil, the consenting parent, in the API and the diary.
    let seen = app.get_json(&mine, &student).await;
    assert_eq!(
        seen.as_array().unwrap().len(),
        1,
        "the held-back one stays hidden"
    );
    assert_eq!(
        (&seen[0]["exam"], &seen[0]["subject"], &seen[0]["mark"]),
        (&json!("vpr"), &json!("Математика"), &json!("5"))
    );
    assert_eq!(app.get_json(&mine, &parent).await, seen);
    let b = app.browser("parent").await;
    let (status, page) = b.parsed(&format!("/diary/{}/finals", f.ivan)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("#exams-heading"), "Результаты экзаменов");
    let exams = page.texts("#exams ul.diary-exams li strong");
    assert_eq!(exams, ["ВПР · Математика"], "held back stays hidden");
    assert!(
        !page.source().contains("Окружающий мир"),
        "held back stays hidden"
    );

    // The rest of the batch: published in one go; the refuser's line keeps her on paper.
    let batch_id = batch["batch"]["id"].as_str().unwrap();
    let res = publish(app, &admin, json!({"batch_id": batch_id})).await;
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["published"].as_array().unwrap().len(), 2);
    let overdue = app.get_json("/api/v1/exam-results/overdue", &admin).await;
    assert!(
        overdue["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["state"] == "published_late"),
        "{overdue}"
    );
    let oleg = line_of(&overdue, &f.oleg.to_string()).unwrap();
    assert_eq!(
        not_informed(oleg),
        vec![
            ("Сидоров Олег".into(), "pupil".into(), "no_account".into()),
            (
                "Сидорова Ольга Викторовна".into(),
                "representative".into(),
                "paper".into()
            ),
        ]
    );
    // Publishing again does nothing.
    let res = publish(app, &admin, json!({"batch_id": batch_id})).await;
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["published"], json!([]));

    // A result published at import, within its day, never shows on the dashboard.
    created(
        import(
            app,
            &admin,
            "exam=interview&publish=true",
            "text/csv",
            "ФИО;Результат;Баллы\nПетрова Анна;зачёт;17\n",
        )
        .await,
    )
    .await;
    let overdue = app.get_json("/api/v1/exam-results/overdue", &admin).await;
    assert!(
        !overdue["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["result"]["exam"] == "interview")
    );
    let anna = app
        .get_json(&format!("/api/v1/students/{}/exams", f.anna), &parent)
        .await;
    assert_eq!(anna[0]["mark"], "pass");
    assert_eq!(anna[0]["subject"], "Русский язык");

    // Every publication was announced and every result audited; the chain holds.
    let mut c = app.db.db.acquire().await.unwrap();
    let events = tabel_store::outbox::pending(&mut c.conn(), 10_000)
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.topic == "exam.result_published")
            .count(),
        4
    );
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

both_backends!(the_demo_has_a_vpr_batch_partly_unpublished_on_the_dashboard(backend));
async fn the_demo_has_a_vpr_batch_partly_unpublished_on_the_dashboard(backend: Backend) {
    let db = backend.db().await;
    let mut config = tabel::Config::for_tests(&db.url);
    config.demo = true;
    config.today = Some(time::macros::date!(2026 - 11 - 28));
    let app = tabel::Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let http = client(false);
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "zavuch", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let get = |path: &str| http.get(format!("{base}{path}")).bearer_auth(token).send();
    let batches: Value = get("/api/v1/exam-results/batches")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let batch = &batches[0];
    assert_eq!(batch["exam"], "vpr");
    assert_eq!(batch["received_at"], "2026-11-25T08:00:00Z");
    let (rows, published) = (
        batch["rows"].as_i64().unwrap(),
        batch["published"].as_i64().unwrap(),
    );
    assert!(rows >= 40 && published > 0 && published < rows, "{batch}");
    let overdue: Value = get("/api/v1/exam-results/overdue")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines = overdue["results"].as_array().unwrap();
    assert!(lines.iter().any(|l| l["state"] == "overdue"), "{overdue}");
    assert!(
        lines.iter().any(|l| l["state"] == "published_late"),
        "{overdue}"
    );
    // The refuser's child's result is held back: she is to be informed on paper.
    assert!(
        lines.iter().any(|l| l["state"] == "overdue"
            && l["not_informed"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["channel"] == "paper")),
        "{overdue}"
    );
}
