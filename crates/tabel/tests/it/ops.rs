use crate::support::{Backend, Page, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::Value;

both_backends!(health_metrics_assets_and_the_api_description_are_served(
    backend
));
async fn health_metrics_assets_and_the_api_description_are_served(backend: Backend) {
    let app = TestApp::with(backend, |c| {
        c.metrics_token = tabel_web::MetricsToken::new("scrape");
    })
    .await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let _ = app.login_api("nobody", "x").await;
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("scrape")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("tabel_http_requests_total{class=\"2xx\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tabel_logins_total{outcome=\"failed\"} 1"),
        "{metrics}"
    );

    let page = app
        .http
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = Page::parse(&page);
    let linked = [
        page.attrs("head script", "src"),
        page.attrs("head link[rel=\"stylesheet\"]", "href"),
    ]
    .concat();
    for asset in [
        "/assets/pico-2.1.1.min.css",
        concat!("/assets/tabel-", env!("CARGO_PKG_VERSION"), ".css"),
    ] {
        assert!(
            linked.contains(&asset.to_owned()),
            "the page links {asset}: {linked:?}"
        );
        let res = app.http.get(app.url(asset)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }

    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/classes/{id}/students",
        "/api/v1/users",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    let docs = app.http.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

both_backends!(pages_speak_english_when_asked);
async fn pages_speak_english_when_asked(app: TestApp) {
    let res = app
        .http
        .get(app.url("/login"))
        .header("accept-language", "en-US,en;q=0.8")
        .send()
        .await
        .unwrap();
    let page = Page::parse(&res.text().await.unwrap());
    assert_eq!(page.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(page.text("main h1"), "Log in");
    let b = app.browser("admin").await;
    let res = b.http.get(app.url("/lang/en")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = b.parsed("/").await;
    assert!(
        page.texts("main span.badge")
            .contains(&"Administrator".to_owned()),
        "{}",
        page.source()
    );
}

both_backends!(each_role_gets_a_home_page_that_fits);
async fn each_role_gets_a_home_page_that_fits(app: TestApp) {
    let cases = [
        (
            "admin",
            vec!["Администратор", "Учётные записи", "Структура школы"],
        ),
        (
            "teacher",
            vec!["Классный руководитель", "Мои классы", "5А", "Математика"],
        ),
        ("parent", vec!["Мои дети", "Петров Иван Сергеевич"]),
        ("student", vec!["Обучающийся", "5А англ. 1"]),
        ("refuser", vec!["отказ"]),
    ];
    for (login, expected) in cases {
        let (status, page) = app.browser(login).await.parsed("/").await;
        assert_eq!(status, StatusCode::OK, "{login}");
        // The home page's own content, not the menu.
        let main = page.text("main");
        for text in expected {
            assert!(main.contains(text), "{login}: {text} not in {main}");
        }
    }
}
