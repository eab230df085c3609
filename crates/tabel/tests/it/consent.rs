//! The consent registry: recording applications, withdrawals that take effect at once (sessions
//! included), the gate's answer to a parent without consent, who may keep the registry (and who
//! may not), the pages, the printed form and the scan of the paper.

use crate::support::{Page, TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn written(number: &str) -> Value {
    json!({"kind": "written_application", "number": number, "date": "2026-11-20"})
}

/// The refuser (Сидорова Ольга) brings a written consent for Олег.
fn consent_for_oleg(app: &TestApp) -> Value {
    json!({"parent_id": app.f.refuser.to_string(), "student_id": app.f.oleg.to_string(),
        "diary": "given", "electronic_delivery": "given", "basis": written("57"), "note": "на собрании"})
}

async fn registry_line<'a>(registry: &'a Value, student: &str, parent: &str) -> &'a Value {
    registry["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["student_id"] == student && l["parent_id"] == parent)
        .unwrap()
}

both_backends!(a_consent_opens_the_diary_and_a_withdrawal_closes_it_at_once);
async fn a_consent_opens_the_diary_and_a_withdrawal_closes_it_at_once(app: TestApp) {
    let app = &app;
    let f = &app.f;
    let refuser = app.token("refuser").await;
    let oleg = format!("/api/v1/students/{}", f.oleg);
    // Before: refused, with the reason.
    let problem = assert_problem(app.get(&oleg, &refuser).await, StatusCode::FORBIDDEN).await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");

    // The school records her written consent: she sees Олег at once, in the same session.
    let admin = app.token("admin").await;
    let res = post(app, &admin, "/api/v1/consents", consent_for_oleg(app)).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(app.get(&oleg, &refuser).await.status(), StatusCode::OK);
    let me = app.get_json("/api/v1/me", &refuser).await;
    assert_eq!(me["children"][0]["visible"], true);

    // The class's registry shows it; the counts add up.
    let registry = app
        .get_json(&format!("/api/v1/classes/{}/consents", f.class_5a), &admin)
        .await;
    let line = registry_line(&registry, &f.oleg.to_string(), &f.refuser.to_string()).await;
    assert_eq!(
        (line["diary"].as_str(), line["electronic_delivery"].as_str()),
        (Some("given"), Some("given"))
    );
    let counts = &registry["counts"];
    let total: u64 = ["given", "refused", "withdrawn", "none"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum();
    let with_parent = registry["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| !l["parent_id"].is_null())
        .count();
    assert_eq!(total as usize, with_parent);
    // Both consents in force: Олег is no longer on the paper list; Иван never was.
    let paper = registry["paper_extracts"].as_array().unwrap();
    assert!(!paper.contains(&json!(f.oleg.to_string())), "{registry}");
    assert!(!paper.contains(&json!(f.ivan.to_string())), "{registry}");

    // She withdraws it herself: refused again at once, the delivery consent ends with it.
    let res = post(
        app,
        &refuser,
        "/api/v1/consents/withdrawal",
        json!({"parent_id": f.refuser.to_string(), "student_id": f.oleg.to_string(), "purpose": "diary"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let written: Value = res.json().await.unwrap();
    assert_eq!(
        written["ids"].as_array().unwrap().len(),
        2,
        "diary and delivery"
    );
    let problem = assert_problem(app.get(&oleg, &refuser).await, StatusCode::FORBIDDEN).await;
    assert_eq!(problem["type"], "urn:tabel:problem:consent-required");
    // A second withdrawal has nothing to withdraw.
    let res = post(
        app,
        &refuser,
        "/api/v1/consents/withdrawal",
        json!({"parent_id": f.refuser.to_string(), "student_id": f.oleg.to_string(), "purpose": "diary"}),
    )
    .await;
    assert_problem(res, StatusCode::CONFLICT).await;

    // She still reads her own records (that is where she learns the state), newest first.
    let mine = app
        .get_json(&format!("/api/v1/students/{}/consents", f.oleg), &refuser)
        .await;
    let records = mine["records"].as_array().unwrap();
    assert_eq!(records[0]["state"], "withdrawn");
    assert_eq!(records[0]["basis_kind"], "cabinet");
    assert_eq!(records[0]["recorded_by"], "refuser");
    let given = records
        .iter()
        .find(|r| r["state"] == "given" && r["purpose"] == "diary")
        .unwrap();
    assert_eq!(given["basis"], "заявление № 57 от 20.11.2026");
    assert_eq!(given["document_number"], "57");
    assert_eq!(given["note"], "на собрании");
    assert_eq!(mine["parents"][0]["diary"], "withdrawn");

    // Every record is in the audit chain, and the chain holds.
    let report = tabel_app::App::new(app.db.db.clone(), tabel_app::AppConfig::default())
        .verify_audit()
        .await
        .unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
}

both_backends!(only_the_registrys_keepers_record_and_bad_applications_are_named);
async fn only_the_registrys_keepers_record_and_bad_applications_are_named(app: TestApp) {
    let f = &app.f;
    let body = consent_for_oleg(&app);
    // A teacher who is not 5А's class teacher, a parent, the other school's administrator.
    for (login, status) in [
        ("english", StatusCode::FORBIDDEN),
        ("parent", StatusCode::NOT_FOUND),
        ("refuser", StatusCode::FORBIDDEN),
        ("admin2", StatusCode::NOT_FOUND),
    ] {
        let token = app.token(login).await;
        assert_problem(
            post(&app, &token, "/api/v1/consents", body.clone()).await,
            status,
        )
        .await;
        let res = app
            .get(&format!("/api/v1/classes/{}/consents", f.class_5a), &token)
            .await;
        assert!(
            res.status() == StatusCode::FORBIDDEN || res.status() == StatusCode::NOT_FOUND,
            "{login}: {}",
            res.status()
        );
    }
    // Nothing was written by them.
    let admin = app.token("admin").await;
    let history = app
        .get_json(&format!("/api/v1/students/{}/consents", f.oleg), &admin)
        .await;
    assert_eq!(history["records"][0]["state"], "refused");
    // The parent does not see another family's consents.
    let parent = app.token("parent").await;
    assert_problem(
        app.get(&format!("/api/v1/students/{}/consents", f.oleg), &parent)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The class teacher (the `teacher`) keeps the registry of 5А.
    let teacher = app.token("teacher").await;
    let res = post(&app, &teacher, "/api/v1/consents", body.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // Bad applications: each names its field, and nothing is written.
    let mut cases = vec![];
    let mut no_number = body.clone();
    no_number["basis"] = json!({"kind": "written_application", "date": "2026-11-20"});
    cases.push((no_number, "basis.number"));
    let mut future = body.clone();
    future["basis"] = json!({"kind": "written_application", "number": "1", "date": "2026-12-01"});
    cases.push((future, "basis.date"));
    let mut no_doc = body.clone();
    no_doc["basis"] = json!({"kind": "electronic_document"});
    cases.push((no_doc, "basis.document_id"));
    let mut delivery_alone = body.clone();
    delivery_alone["diary"] = json!("refused");
    cases.push((delivery_alone, "electronic_delivery"));
    let mut nothing = body.clone();
    nothing["diary"] = Value::Null;
    nothing["electronic_delivery"] = Value::Null;
    cases.push((nothing, "diary"));
    let mut stranger = body.clone();
    stranger["parent_id"] = json!(f.parent.to_string());
    cases.push((stranger, "parent_id"));
    let mut withdrawn = body.clone();
    withdrawn["diary"] = json!("withdrawn");
    cases.push((withdrawn, "diary"));
    let before = app
        .get_json(&format!("/api/v1/students/{}/consents", f.oleg), &admin)
        .await["records"]
        .as_array()
        .unwrap()
        .len();
    for (case, field) in cases {
        let problem = assert_problem(
            post(&app, &admin, "/api/v1/consents", case).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"].get(field).is_some(), "{field}: {problem}");
    }
    let after = app
        .get_json(&format!("/api/v1/students/{}/consents", f.oleg), &admin)
        .await["records"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
    // The school's withdrawal needs the application.
    assert_problem(
        post(
            &app,
            &admin,
            "/api/v1/consents/withdrawal",
            json!({"parent_id": f.refuser.to_string(), "student_id": f.oleg.to_string(), "purpose": "diary"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let res = post(
        &app,
        &admin,
        "/api/v1/consents/withdrawal",
        json!({"parent_id": f.refuser.to_string(), "student_id": f.oleg.to_string(), "purpose": "electronic_delivery",
            "basis": {"kind": "electronic_document", "document_id": "EPGU-77-123", "signature": "ГОСТ 34.10: AB12"}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The diary consent stays in force: only delivery was withdrawn.
    let refuser = app.token("refuser").await;
    assert_eq!(
        app.get(&format!("/api/v1/students/{}", f.oleg), &refuser)
            .await
            .status(),
        StatusCode::OK
    );
}

both_backends!(the_pages_keep_the_registry_and_tell_a_parent_what_to_do);
async fn the_pages_keep_the_registry_and_tell_a_parent_what_to_do(app: TestApp) {
    let f = &app.f;
    let (oleg, refuser_id) = (f.oleg.to_string(), f.refuser.to_string());

    // The class page links the registry for the deputy head; the registry names the states.
    let zavuch = app.browser("zavuch").await;
    let (_, class) = zavuch
        .parsed(&format!("/school/classes/{}", f.class_5a))
        .await;
    let registry = format!("/consents/classes/{}", f.class_5a);
    assert_eq!(
        class.attr("a#class-consents", "href").as_ref(),
        Some(&registry)
    );
    let (status, html) = zavuch.parsed(&registry).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    let lines = html.texts("#registry tbody tr");
    let oleg_line = lines
        .iter()
        .find(|l| l.contains("Сидоров Олег"))
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert!(oleg_line.contains("отказ"), "{oleg_line}");
    assert!(
        oleg_line.contains("на бумаге"),
        "the refuser's child is on the paper list: {oleg_line}"
    );
    assert!(
        lines.iter().any(|l| l.contains("согласие дано")),
        "{lines:?}"
    );
    // ...and not for a teacher who is not the class teacher.
    let (status, _) = app.browser("english").await.page(&registry).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The parent without consent: the diary is closed with the explanation, her page says what
    // to do and gives the form to print.
    let refuser = app.browser("refuser").await;
    let (status, html) = refuser.parsed(&format!("/students/{oleg}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.text("main").contains("согласие"), "{}", html.source());
    let child = format!("/consents/students/{oleg}");
    let (status, html) = refuser.parsed(&child).await;
    assert_eq!(status, StatusCode::OK, "{}", html.source());
    assert!(html.has(&format!("#parent-{refuser_id} #what-to-do")));
    assert!(
        !html.source().contains("id=\"register-form\""),
        "staff forms stay with staff"
    );
    let form = format!("/consents/form?parent={refuser_id}&student={oleg}");
    assert_eq!(
        html.attr(&format!("#parent-{refuser_id} a#form-{refuser_id}"), "href"),
        Some(form.clone())
    );
    let (status, printed) = refuser.parsed(&form).await;
    assert_eq!(status, StatusCode::OK);
    let printed = printed.text("#consent-form");
    assert!(
        printed.contains("Сидорова Ольга")
            && printed.contains("Сидоров Олег")
            && printed.contains("152-ФЗ"),
        "{printed}"
    );
    // Another family's form is not hers to print.
    let (status, _) = refuser
        .page(&format!(
            "/consents/form?parent={}&student={}",
            f.parent, f.ivan
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The deputy head records her application from the child's page; a bad one is refused
    // with the page and what was typed.
    let register = format!("{child}/register");
    let res = zavuch
        .post_form(
            &register,
            &[
                ("parent_id", &refuser_id),
                ("diary", "given"),
                ("electronic_delivery", "refused"),
                ("basis_kind", "written_application"),
                ("number", ""),
                ("date", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Page::parse(&res.text().await.unwrap());
    assert!(
        html.has("#consent-error[role=\"alert\"]"),
        "{}",
        html.source()
    );
    assert_eq!(
        html.attr("#register-date", "value").as_deref(),
        Some("2026-11-25"),
        "what was typed is kept"
    );
    let res = zavuch
        .post_form(
            &register,
            &[
                ("parent_id", &refuser_id),
                ("diary", "given"),
                ("electronic_delivery", "refused"),
                ("basis_kind", "written_application"),
                ("number", "61"),
                ("date", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = zavuch.parsed(&child).await;
    assert!(
        html.texts("#history tbody tr td:nth-child(5)")
            .iter()
            .any(|b| b.contains("заявление № 61 от 25.11.2026")),
        "{}",
        html.source()
    );

    // Now she sees Олег; she withdraws the consent from her page and he is gone at once.
    assert_eq!(
        refuser.get(&format!("/students/{oleg}")).await.status(),
        StatusCode::OK
    );
    let (_, html) = refuser.parsed(&child).await;
    assert!(
        html.has(&format!("#parent-{refuser_id} form#withdraw-diary")),
        "{}",
        html.source()
    );
    let res = refuser
        .post_form(
            &format!("{child}/withdraw"),
            &[("parent_id", &refuser_id), ("purpose", "diary")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        refuser.get(&format!("/students/{oleg}")).await.status(),
        StatusCode::FORBIDDEN
    );

    // The scan of the application: kept from the page, downloaded through the API, one only.
    let admin = app.token("admin").await;
    let history = app
        .get_json(&format!("/api/v1/students/{oleg}/consents"), &admin)
        .await;
    let record = history["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["basis"] == "заявление № 61 от 25.11.2026")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pdf = b"%PDF-1.4 scan of the application".to_vec();
    let (content_type, body) =
        crate::homework_files::multipart(Some(("заявление-61.pdf", "application/pdf", &pdf)), &[]);
    let res = zavuch
        .http
        .post(format!("{}/consents/records/{record}/scan", zavuch.base))
        .header("Origin", &zavuch.base)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .get(&format!("/api/v1/consents/{record}/scan"), &admin)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    // Not for the parent (the registry's papers stay with the school), and one scan per record.
    let refuser_token = app.token("refuser").await;
    assert!(
        app.get(&format!("/api/v1/consents/{record}/scan"), &refuser_token)
            .await
            .status()
            .is_client_error()
    );
    let again = app
        .http
        .put(app.url(&format!("/api/v1/consents/{record}/scan?name=x.png")))
        .bearer_auth(&admin)
        .header("Content-Type", "image/png")
        .body(vec![1u8, 2, 3])
        .send()
        .await
        .unwrap();
    assert_problem(again, StatusCode::CONFLICT).await;
    let wrong_type = app
        .http
        .put(app.url(&format!(
            "/api/v1/consents/{}/scan",
            history["records"][0]["id"].as_str().unwrap()
        )))
        .bearer_auth(&admin)
        .header("Content-Type", "text/html")
        .body("<script>")
        .send()
        .await
        .unwrap();
    assert_problem(wrong_type, StatusCode::UNPROCESSABLE_ENTITY).await;
}

both_backends!(a_parent_with_no_consent_record_sees_nothing_of_the_child);
/// A representative linked to a child with no consent record at all (nothing submitted yet)
/// sees none of the child's data, on every diary endpoint; the registry says "none" for her.
async fn a_parent_with_no_consent_record_sees_nothing_of_the_child(app: TestApp) {
    let f = &app.f;
    let admin = app.browser("admin").await;
    let res = admin
        .post_form(
            &format!("/admin/{}/links", f.school),
            &[
                ("parent_id", &f.refuser.to_string()),
                ("student_id", &f.ivan.to_string()),
                ("relation", "guardian"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let refuser = app.token("refuser").await;
    let ivan = f.ivan.to_string();
    for path in [
        format!("/api/v1/students/{ivan}"),
        format!("/api/v1/students/{ivan}/diary?week=2026-W48"),
        format!("/api/v1/students/{ivan}/marks"),
        format!("/api/v1/students/{ivan}/homework?from=2026-11-23&to=2026-11-29"),
        format!("/api/v1/students/{ivan}/assessments"),
        format!("/api/v1/students/{ivan}/teachers"),
        format!("/api/v1/students/{ivan}/calendar"),
        format!("/api/v1/students/{ivan}/recommendations"),
        format!("/api/v1/students/{ivan}/finals"),
        format!("/api/v1/students/{ivan}/forecast"),
    ] {
        let problem = assert_problem(app.get(&path, &refuser).await, StatusCode::FORBIDDEN).await;
        assert_eq!(
            problem["type"], "urn:tabel:problem:consent-required",
            "{path}"
        );
    }
    let (status, html) = app
        .browser("refuser")
        .await
        .parsed(&format!("/diary/{ivan}/week"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.text("main").contains("согласи"), "{}", html.source());
    // Her line in the registry says "not submitted"; Иван keeps his mother's consents, so he
    // stays electronic.
    let zavuch = app.token("zavuch").await;
    let registry = app
        .get_json(&format!("/api/v1/classes/{}/consents", f.class_5a), &zavuch)
        .await;
    let line = registry["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["student_id"] == ivan && l["parent_id"] == f.refuser.to_string())
        .unwrap();
    assert_eq!(line["diary"], "none");
    assert!(
        !registry["paper_extracts"]
            .as_array()
            .unwrap()
            .contains(&json!(ivan))
    );
}
