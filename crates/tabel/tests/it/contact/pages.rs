//! The contact pages without JavaScript, and on a phone in a real browser.

use super::{added, audit_holds, code_for};
use crate::support::{Page, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(the_pages_add_confirm_choose_channels_and_register_from_paper);
async fn the_pages_add_confirm_choose_channels_and_register_from_paper(app: TestApp) {
    let f = &app.f;
    let b = app.browser("parent").await;
    let (status, page) = b.parsed("/account/contacts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.has("#contacts #contacts-none"), "{}", page.source());
    assert!(page.has("form#add-contact input[name=\"value\"]"));

    let res = b
        .post_form(
            "/account/contacts",
            &[
                ("kind", "phone"),
                ("network", ""),
                ("value", "8 (912) 345-67-89"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/account/contacts?done=added");
    let res = b
        .post_form(
            "/account/contacts",
            &[
                ("kind", "email"),
                ("network", ""),
                ("value", "petrova@"),
                ("preferred", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(
        page.texts("p.field-error[role=\"alert\"]")
            .iter()
            .any(|e| e.contains("это не адрес электронной почты")),
        "{}",
        page.source()
    );
    assert_eq!(
        page.attr("form#add-contact input[name=\"value\"]", "value")
            .as_deref(),
        Some("petrova@"),
        "the typed value stays"
    );
    let res = b
        .post_form(
            "/account/contacts",
            &[
                ("kind", "email"),
                ("network", ""),
                ("value", "petrova@mail.ru"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let parent = app.token("parent").await;
    let listed = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.parent), &parent)
        .await;
    let phone = listed[0]["id"].as_str().unwrap().to_owned();
    let email = listed[1]["id"].as_str().unwrap().to_owned();
    let (_, page) = b.parsed("/account/contacts").await;
    let card = page.text(&format!("#contacts #contact-{phone}"));
    assert!(card.contains("+7 912 345-67-89"), "{card}");
    assert!(
        card.contains("введён родителем в личном кабинете"),
        "{card}"
    );
    assert!(card.contains("не подтверждён"), "{card}");

    // "Send a code" promises the message; the code field appears.
    let res = b
        .post_form(&format!("/account/contacts/{phone}/verification"), &[])
        .await;
    assert_eq!(
        res.headers()["location"],
        "/account/contacts?done=sent-code"
    );
    let (_, page) = b.parsed("/account/contacts?done=sent-code").await;
    assert_eq!(
        page.attr(&format!("#contact-{phone} form.confirm-code"), "action"),
        Some(format!("/account/contacts/{phone}/confirm")),
        "{}",
        page.source()
    );
    let res = b
        .post_form(
            &format!("/account/contacts/{phone}/confirm"),
            &[("code", "xx")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(
        page.texts(&format!("#contact-{phone} p.field-error"))
            .iter()
            .any(|e| e.contains("неверный код")),
        "{}",
        page.source()
    );
    let code = code_for(&app, &parent, &phone).await;
    let res = b
        .post_form(
            &format!("/account/contacts/{phone}/confirm"),
            &[("code", code.expose())],
        )
        .await;
    assert_eq!(res.headers()["location"], "/account/contacts?done=verified");

    // Preferred channels: the ticked ones.
    let res = b
        .post_form(
            "/account/contacts/preferred",
            &[("preferred", phone.as_str()), ("preferred", email.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = b
        .post_form(
            "/account/contacts/preferred",
            &[("preferred", email.as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let listed = app
        .get_json(&format!("/api/v1/parents/{}/contacts", f.parent), &parent)
        .await;
    assert_eq!(
        (
            listed[0]["preferred"].as_bool(),
            listed[1]["preferred"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let res = b
        .post_form("/account/contacts/preferred", &[("preferred", "999999")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = b
        .post_form(&format!("/account/contacts/{email}/remove"), &[])
        .await;
    assert_eq!(res.headers()["location"], "/account/contacts?done=removed");

    // Staff reach the parents' contacts from the student's card.
    let teacher = app.browser("teacher").await;
    let (_, card) = teacher.parsed(&format!("/students/{}", f.ivan)).await;
    let href = format!("/students/{}/contacts", f.ivan);
    assert_eq!(
        card.attr("a#student-contacts", "href").as_ref(),
        Some(&href)
    );
    let (status, page) = teacher.parsed(&href).await;
    assert_eq!(status, StatusCode::OK);
    let mother = format!("#parent-{}", f.parent);
    assert!(
        page.text(&format!("{mother} h2"))
            .starts_with("Петрова Мария Андреевна"),
        "{}",
        page.source()
    );
    assert_eq!(
        page.texts(&format!("{mother} .contact-value")),
        ["+7 912 345-67-89"]
    );
    assert_eq!(
        page.texts(&format!("{mother} details li s")),
        ["petrova@mail.ru"],
        "the removed one is in the history"
    );
    let form = [
        ("parent_id", f.parent.to_string()),
        ("kind", "messenger".into()),
        ("network", "vk".into()),
        ("value", "https://vk.com/id777".into()),
        ("provenance", "written_application".into()),
        ("basis", "".into()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = teacher.post_form(&href, &pairs).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&res.text().await.unwrap());
    assert!(
        page.texts(&format!("#parent-{} p.field-error", f.parent))
            .iter()
            .any(|e| e.contains("укажите номер и дату заявления")),
        "{}",
        page.source()
    );
    let mut pairs = pairs;
    pairs[5] = ("basis", "заявление № 21 от 27.11.2026");
    let res = teacher.post_form(&href, &pairs).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = teacher.parsed(&href).await;
    let vk = page
        .texts(&format!("#parent-{} article.contact", f.parent))
        .into_iter()
        .find(|c| c.contains("vk.com/id777"))
        .unwrap_or_else(|| panic!("{}", page.source()));
    assert!(vk.contains("заявление № 21 от 27.11.2026"), "{vk}");

    // A teacher without the class sees no link and is refused the page; the parent too.
    let english = app.browser("english").await;
    let (_, card) = english.page(&format!("/students/{}", f.ivan)).await;
    assert!(!card.contains(&href));
    assert_eq!(english.page(&href).await.0, StatusCode::FORBIDDEN);
    assert_eq!(b.page(&href).await.0, StatusCode::NOT_FOUND);
    // Someone who is no parent has no contacts page.
    assert_eq!(
        english.page("/account/contacts").await.0,
        StatusCode::NOT_FOUND
    );
    audit_holds(&app).await;
}

/// The page's content fits a phone's width: nothing to scroll sideways. (`whole` includes the
/// shared navigation bar, which is wider for staff.)
async fn fits_the_phone(d: &crate::browser::Driver, what: &str, whole: bool) {
    let js = if whole {
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    } else {
        "const m = document.querySelector('main'); return [m.scrollWidth, m.clientWidth]"
    };
    let v = d.script(js).await;
    let (scroll, width) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
    assert!(
        scroll <= width,
        "{what}: {scroll} px wide in a {width} px window"
    );
}

/// A whole-page screenshot at the phone's width, into `<target>/screenshots/contacts-*.png`.
async fn phone_shot(d: &crate::browser::Driver, name: &str) {
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
    let tmp = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp
        .parent()
        .map_or(tmp.clone(), std::path::PathBuf::from)
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("contacts-{name}.png"));
    d.screenshot(&path).await;
    eprintln!("screenshot: {}", path.display());
    d.window(360, 740).await;
}

both_backends!(a_parent_on_a_phone_adds_a_contact_and_a_class_teacher_registers_one);
async fn a_parent_on_a_phone_adds_a_contact_and_a_class_teacher_registers_one(app: TestApp) {
    let admin = app.token("admin").await;
    added(&app, &admin, app.f.parent, json!({"kind": "email", "value": "maria.petrova.school.notifications@example-mail.ru",
        "provenance": "written_application", "basis": "заявление № 12 от 01.09.2026 (получено классным руководителем)"})).await;
    let Some(d) = crate::browser::Driver::start().await else {
        return;
    };
    d.window(360, 740).await;
    d.go(&app.url("/account/contacts")).await;
    d.type_into("#login", "parent").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click("#submit").await;
    d.find("#add-contact").await;
    d.click("#add-contact select[name=kind] option[value=messenger]")
        .await;
    d.click("#add-contact select[name=network] option[value=telegram]")
        .await;
    d.type_into("#add-contact input[name=value]", "t.me/Petrova_Maria")
        .await;
    d.click("#add-contact-button").await;
    assert!(d.text("#contact-notice").await.contains("Контакт добавлен"));
    assert!(d.text("#contacts").await.contains("@petrova_maria"));
    phone_shot(&d, "parent").await;
    fits_the_phone(&d, "the parent's contacts", true).await;

    // The class teacher, from the pupil's card.
    d.click("#logout").await;
    d.wait_url("/login").await;
    d.go(&app.url(&format!("/students/{}", app.f.ivan))).await;
    d.type_into("#login", "teacher").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click("#submit").await;
    d.click("#student-contacts").await;
    d.find(&format!("#parent-{}", app.f.parent)).await;
    phone_shot(&d, "staff").await;
    fits_the_phone(&d, "the parents' contacts", false).await;
    d.quit().await;
}
