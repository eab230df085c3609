//! The family's diary in a real headless Chromium on a phone (a 360×740 window): the parent
//! reaches every part of the cabinet in at most two taps from the home page, switches between
//! the children, never scrolls sideways, and a refusing parent sees why the diary is closed.
//! Screenshots of the main pages go to `<target>/screenshots/diary-*.png` (printed).

use crate::browser::Driver;
use crate::diary::family_week;
use crate::support::{TestApp, both_backends};
use std::path::PathBuf;

/// `<target dir>/screenshots`, next to the tests' own temporary directory.
fn screenshots() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map_or(tmp.clone(), PathBuf::from)
        .join("screenshots")
}

/// The page fits the window: nothing to scroll sideways.
async fn fits(d: &Driver, what: &str) {
    let v = d
        .script("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await;
    let (scroll, width) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
    assert!(
        scroll <= width,
        "{what}: {scroll} px wide in a {width} px window"
    );
}

/// A screenshot of the whole page at the phone's width (the window grows to the page's height
/// for it, then returns to 360×740).
async fn shot(d: &Driver, name: &str, saved: &mut Vec<PathBuf>) {
    let height = d
        .script("return document.documentElement.scrollHeight")
        .await
        .as_u64()
        .unwrap_or(740);
    let chrome = d
        .script("return window.outerHeight - window.innerHeight")
        .await
        .as_u64()
        .unwrap_or(0);
    d.window(
        360,
        u32::try_from(height + chrome)
            .unwrap_or(740)
            .clamp(740, 6000),
    )
    .await;
    let path = screenshots().join(format!("diary-{name}.png"));
    d.screenshot(&path).await;
    d.window(360, 740).await;
    saved.push(path);
}

both_backends!(
    a_parent_on_a_phone_reaches_every_part_of_the_diary_in_two_taps_and_switches_children
);
async fn a_parent_on_a_phone_reaches_every_part_of_the_diary_in_two_taps_and_switches_children(
    app: TestApp,
) {
    family_week(&app).await;
    let (ivan, anna, oleg) = (app.f.ivan, app.f.anna, app.f.oleg);
    let Some(d) = Driver::start().await else {
        return;
    };
    d.window(360, 740).await;
    d.sign_in(&app, "parent").await;
    let mut saved = Vec::new();
    fits(&d, "home").await;
    shot(&d, "home", &mut saved).await;

    let diary = format!("/diary/{ivan}");
    let items = [
        ("today", diary.clone(), "#today"),
        ("week", format!("{diary}/week"), "#week"),
        ("marks", format!("{diary}/marks"), "#subjects"),
        ("finals", format!("{diary}/finals"), "#finals"),
        ("record", format!("{diary}/record"), "#record"),
        (
            "assessments",
            format!("{diary}/assessments"),
            "#assessments",
        ),
        ("homework", format!("{diary}/homework"), "#homework"),
        (
            "recommendations",
            format!("{diary}/recommendations"),
            "#recommendations",
        ),
        ("teachers", format!("{diary}/teachers"), "#teachers"),
        ("calendar", format!("{diary}/calendar"), "#periods"),
        ("me", "/diary/me".to_owned(), "#family"),
    ];
    for (key, path, marker) in &items {
        d.go(&app.url("/")).await;
        // Tap 1: the child's card on the home page opens the diary.
        d.click(&format!("#children a.diary-open[href='{diary}']"))
            .await;
        assert!(d.wait_url(&diary).await.ends_with(&diary), "{key}: tap 1");
        d.find("#today").await;
        // Tap 2: the section in the cabinet's navigation.
        d.click(&format!("#nav-{key}")).await;
        let url = d.wait_url(path).await;
        assert!(url.ends_with(path.as_str()), "{key}: tap 2 went to {url}");
        d.find(marker).await;
        fits(&d, key).await;
        if [
            "today", "week", "marks", "homework", "teachers", "calendar", "me", "finals", "record",
        ]
        .contains(key)
        {
            shot(&d, key, &mut saved).await;
        }
    }
    // What the pages say, as a phone shows them.
    d.go(&app.url(&format!("{diary}/week?week=2026-W48"))).await;
    let week = d.text("#week").await;
    assert!(
        week.contains("Сложение дробей")
            && week.contains("Карточка.pdf")
            && week.contains("09:25–10:10"),
        "{week}"
    );
    d.go(&app.url(&format!("{diary}/marks"))).await;
    assert!(d.text("#subjects").await.contains("4,33"));

    // Switching children keeps the section.
    d.go(&app.url(&format!("{diary}/week"))).await;
    d.click(&format!("#child-{anna}")).await;
    let url = d.wait_url(&format!("/diary/{anna}/week")).await;
    assert!(url.ends_with(&format!("/diary/{anna}/week")), "{url}");
    assert_eq!(d.text("#student-name").await, "Петрова Анна Сергеевна");
    fits(&d, "anna's week").await;
    shot(&d, "week-anna", &mut saved).await;
    d.click(&format!("#child-{ivan}")).await;
    d.wait_url(&format!("/diary/{ivan}/week")).await;
    assert_eq!(d.text("#student-name").await, "Петров Иван Сергеевич");

    // The sections are reachable from the keyboard: the first link takes the focus.
    let focusable = d
        .script("var a = document.querySelector('#diary-nav a'); a.focus(); return document.activeElement === a;")
        .await;
    assert_eq!(focusable, serde_json::Value::Bool(true));

    // A refusing parent: the page says why and what to do.
    d.click("#logout").await;
    d.wait_url("/login").await;
    d.sign_in(&app, "refuser").await;
    d.click(&format!("#children a.diary-open[href='/diary/{oleg}']"))
        .await;
    d.wait_url(&format!("/diary/{oleg}")).await;
    let why = d.text("#no-consent").await;
    assert!(
        why.contains("отказ") && why.contains("письменное заявление"),
        "{why}"
    );
    fits(&d, "no consent").await;
    shot(&d, "no-consent", &mut saved).await;
    d.quit().await;
    for p in &saved {
        eprintln!("screenshot: {}", p.display());
    }
}
