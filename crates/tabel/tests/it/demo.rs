//! The demo school through the real server: every demo login gets a page that fits the role.

use crate::support::client;
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

async fn every_demo_login_sees_a_page_that_fits(db: TestDb) {
    let (base, _db) = serve_demo(db).await;
    let expectations: [(&str, &[&str]); 7] = [
        ("admin", &["Администратор", "Учётные записи"]),
        ("zavuch", &["Заместитель директора", "Структура школы"]),
        (
            "teacher",
            &["Учитель", "Мои классы и предметы", "Математика"],
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
        let page = home_of(&base, login).await;
        for t in texts {
            assert!(page.contains(t), "{login}'s home shows {t:?}");
        }
    }
}

#[tokio::test]
async fn every_demo_login_sees_a_page_that_fits_on_sqlite() {
    every_demo_login_sees_a_page_that_fits(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn every_demo_login_sees_a_page_that_fits_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        every_demo_login_sees_a_page_that_fits(db).await;
    }
}
