//! Every contact endpoint enforces the parent↔child link.

use super::{add, added, audit_holds, confirm, send};
use crate::support::{TestApp, assert_problem, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(every_endpoint_enforces_the_link_between_parent_and_child);
async fn every_endpoint_enforces_the_link_between_parent_and_child(app: TestApp) {
    let f = &app.f;
    let admin = app.token("admin").await;
    let refusers = added(
        &app,
        &admin,
        f.refuser,
        json!({"kind": "phone", "value": "+7 922 000-11-22",
        "provenance": "written_application", "basis": "заявление № 7"}),
    )
    .await;
    let theirs = refusers["id"].as_str().unwrap();
    let parents = added(
        &app,
        &admin,
        f.parent,
        json!({"kind": "email", "value": "petrova@mail.ru",
        "provenance": "written_application", "basis": "заявление № 8"}),
    )
    .await;
    let mine = parents["id"].as_str().unwrap();

    // Another family: not visible at all.
    let parent = app.token("parent").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.refuser), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        add(
            &app,
            &parent,
            f.refuser,
            json!({"kind": "phone", "value": "+79000000000"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for (method, path, body) in [
        (
            reqwest::Method::DELETE,
            format!("/api/v1/contacts/{theirs}"),
            None,
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/contacts/{theirs}/preferred"),
            Some(json!({"preferred": true})),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/contacts/{theirs}/verification"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/contacts/{theirs}/confirm"),
            Some(json!({"code": "123456"})),
        ),
    ] {
        let res = send(&app, method.clone(), &path, &parent, body).await;
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
    let refuser = app.token("refuser").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.parent), &refuser)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // A pupil, another school's administrator, a person who is no parent: not visible.
    let student = app.token("student").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.parent), &student)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let admin2 = app.token("admin2").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.parent), &admin2)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        send(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/contacts/{mine}"),
            &admin2,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.teacher), &admin)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get("/api/v1/parents/abc/contacts", &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A teacher of the school without the child's class: known, refused.
    let english = app.token("english").await;
    assert_problem(
        app.get(&format!("/api/v1/parents/{}/contacts", f.parent), &english)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        add(
            &app,
            &english,
            f.parent,
            json!({"kind": "phone", "value": "+79000000000",
        "provenance": "written_application", "basis": "заявление"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        send(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/contacts/{mine}"),
            &english,
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The class teacher of 5А manages both families of 5А, and staff ask for codes, but only
    // the parent confirms.
    let teacher = app.token("teacher").await;
    let listed = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.refuser), &teacher)
        .await;
    assert_eq!(listed[0]["id"], theirs);
    let res = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/contacts/{theirs}/verification"),
        &teacher,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_problem(
        confirm(&app, &teacher, theirs, "123456").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/contacts/{theirs}"),
        &teacher,
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Without a token: 401.
    let res = app
        .http
        .get(app.url(&format!("/api/v1/parents/{}/contacts", f.parent)))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    audit_holds(&app).await;
}
