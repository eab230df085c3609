//! The grading policy page.

use crate::support::{Page, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::Value;

/// The policy form as the page fills it, from the API's view of the current policy.
fn policy_form(policy: &Value) -> Vec<(String, String)> {
    let mut form = vec![
        (
            "scale".to_owned(),
            policy["scale"].as_str().unwrap().to_owned(),
        ),
        ("min_marks".to_owned(), policy["min_marks"].to_string()),
        ("two_caps".to_owned(), "1".to_owned()),
    ];
    for (i, t) in policy["thresholds"].as_array().unwrap().iter().enumerate() {
        let h = t.as_u64().unwrap();
        form.push((
            format!("threshold_{}", i + 3),
            format!("{}.{:02}", h / 100, h % 100),
        ));
    }
    for (i, w) in policy["work_types"].as_array().unwrap().iter().enumerate() {
        form.push((
            format!("wt_code_{i}"),
            w["code"].as_str().unwrap().to_owned(),
        ));
        form.push((
            format!("wt_name_{i}"),
            w["name"].as_str().unwrap().to_owned(),
        ));
        form.push((format!("wt_weight_{i}"), w["weight"].to_string()));
    }
    form
}

both_backends!(an_administrator_saves_a_new_grading_policy_version_from_the_page);
async fn an_administrator_saves_a_new_grading_policy_version_from_the_page(app: TestApp) {
    let path = format!("/admin/{}/grading-policy", app.f.school);
    let admin = app.browser("admin").await;
    let (status, html) = admin.parsed(&path).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert!(html.text("main h1").contains("Система оценивания"));
    assert!(
        html.attrs("#policy-form input[name^=\"threshold_\"]", "value")
            .contains(&"4.50".to_owned()),
        "{}",
        html.source()
    );
    assert!(
        html.attrs("#work-types input[name^=\"wt_name_\"]", "value")
            .contains(&"Контрольная работа".to_owned())
    );

    let token = app.token("admin").await;
    let current = app.get_json("/api/v1/grading-policy", &token).await;
    assert_eq!(current["version"], 0);
    let mut form = policy_form(&current["policy"]);
    let first = form.iter_mut().find(|(k, _)| k == "wt_weight_0").unwrap();
    first.1 = "1".to_owned();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = admin.post_form(&path, &pairs).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let saved = app.get_json("/api/v1/grading-policy", &token).await;
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["policy"]["work_types"][0]["weight"], 1);
    assert_eq!(
        saved["policy"]["lesson_types"], current["policy"]["lesson_types"],
        "lesson types carried over"
    );

    // Thresholds out of order, or not a number: 422 with the field named; nothing saved.
    for (field, value, named) in [
        ("threshold_3", "4.50", "thresholds"),
        ("threshold_4", "abc", "threshold_4"),
    ] {
        let mut bad = form.clone();
        bad.iter_mut().find(|(k, _)| k == field).unwrap().1 = value.to_owned();
        let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let res = admin.post_form(&path, &pairs).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = Page::parse(&res.text().await.unwrap());
        assert!(
            html.texts("p.field-error[role=\"alert\"]")
                .iter()
                .any(|e| e.starts_with(&format!("{named}:"))),
            "{}",
            html.source()
        );
        assert_eq!(
            html.attr(&format!("#policy-form input[name=\"{field}\"]"), "value")
                .as_deref(),
            Some(value),
            "kept"
        );
    }
    assert_eq!(
        app.get_json("/api/v1/grading-policy", &token).await["version"],
        1
    );

    let teacher = app.browser("teacher").await;
    let (status, _) = teacher.page(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = teacher.post_form(&path, &pairs).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
