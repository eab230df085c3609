//! Parents' settings and their timing: quiet hours, the evening digest, the weekly forecast; who
//! may keep settings.

use super::{MONDAY_NOON, deliveries, families, publish_finals, recipients, settings, worker};
use crate::journal::{id, lessons_5a, timetable};
use crate::support::{Backend, TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::notify::DeliveryState;
use tabel_notify::NotifyConfig;
use tabel_notify::test_support::SmtpSink;

/// Records a mark for Иван in the week's first mathematics lesson.
async fn mark_for_ivan(app: &TestApp, deputy: &str, value: &str, nth: usize) {
    let week = lessons_5a(app, deputy, "2026-11-23", "2026-11-27").await;
    let teacher = app.token("teacher").await;
    let res = post(
        app,
        &teacher,
        "/api/v1/marks",
        json!({"student_id": app.f.ivan.to_string(), "lesson_id": id(&week[nth]), "value": value, "work_type": "answer"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
}

both_backends!(quiet_hours_hold_a_mark_until_they_end_but_never_a_final_result(backend));
async fn quiet_hours_hold_a_mark_until_they_end_but_never_a_final_result(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    families(&app).await;
    // 15:00 in Moscow, inside quiet hours 14:00–17:00 (17:00 in Moscow is 14:00 UTC).
    let (from, to) = ("14:00", "17:00");
    let end = time::macros::datetime!(2026-11-23 14:00 UTC);
    let parent = app.token("parent").await;
    let res = app
        .http
        .put(app.url("/api/v1/me/notification-settings"))
        .bearer_auth(&parent)
        .json(&json!({"quiet_from": from, "quiet_to": to,
            "events": [{"event": "mark", "channel": "email", "mode": "immediate"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["quiet_from"], from);
    let deputy = timetable(&app).await;
    mark_for_ivan(&app, &deputy, "4", 1).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let w = worker(&app, settings(Some(&sink)));
    w.run_once_at(MONDAY_NOON + time::Duration::hours(3))
        .await
        .unwrap();
    // The final result went to both parents; the mark waits for Мария's quiet hours to end.
    let subjects: Vec<String> = sink.mails().iter().map(|m| m.subject()).collect();
    assert_eq!(sink.count(), 2, "{subjects:?}");
    assert!(
        subjects.iter().all(|s| s.starts_with("Итоговая отметка")),
        "{subjects:?}"
    );
    let held = deliveries(&app, DeliveryState::Pending).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].kind, "mark");
    assert_eq!(held[0].due_at, end);
    w.run_once_at(end - time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(sink.count(), 2);
    w.run_once_at(end + time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(sink.count(), 3);
    assert_eq!(sink.mails()[2].subject(), "Новая отметка: Петров Иван");
}

both_backends!(marks_wait_for_the_evening_digest_one_message_a_day(backend));
async fn marks_wait_for_the_evening_digest_one_message_a_day(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    families(&app).await;
    let deputy = timetable(&app).await;
    mark_for_ivan(&app, &deputy, "5", 0).await;
    mark_for_ivan(&app, &deputy, "3", 1).await;
    let w = worker(&app, settings(Some(&sink)));
    let day = MONDAY_NOON.date();
    let morning = day.with_hms(7, 0, 0).unwrap().assume_utc(); // 10:00 in Moscow
    let r = w.run_once_at(morning).await.unwrap();
    // Two marks × two parents with a deliverable address; nothing sent before the evening.
    assert_eq!((r.digest_lines, r.sent), (4, 0), "{r:?}");
    let evening = day.with_hms(15, 30, 0).unwrap().assume_utc(); // 18:30 in Moscow
    let r = w.run_once_at(evening).await.unwrap();
    assert_eq!(r.sent, 2, "{r:?}");
    assert_eq!(
        recipients(&sink),
        ["maria@example.org", "sergey@example.org"]
    );
    let mail = &sink.mails()[0];
    assert!(
        mail.subject().starts_with("Электронный дневник за"),
        "{}",
        mail.subject()
    );
    assert!(mail.subject().ends_with("2 события"), "{}", mail.subject());
    let text = mail.text();
    assert!(
        text.contains("новая отметка по предмету «Математика» — 5"),
        "{text}"
    );
    assert!(
        text.contains("новая отметка по предмету «Математика» — 3"),
        "{text}"
    );
    // Later that evening: today's digest went out already.
    let r = w
        .run_once_at(evening + time::Duration::hours(2))
        .await
        .unwrap();
    assert_eq!((r.created, r.sent), (0, 0), "{r:?}");
}

both_backends!(the_weekly_forecast_goes_to_each_consenting_parent_once_a_week(backend));
async fn the_weekly_forecast_goes_to_each_consenting_parent_once_a_week(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::start(backend).await;
    families(&app).await;
    let deputy = timetable(&app).await;
    mark_for_ivan(&app, &deputy, "5", 0).await;
    let w = worker(
        &app,
        NotifyConfig {
            forecast_weekday: Some(time::Weekday::Friday),
            ..settings(Some(&sink))
        },
    );
    // Thursday evening: not yet (the forecast goes from Friday).
    let thursday = time::macros::datetime!(2026-11-26 16:00 UTC);
    w.run_once_at(thursday).await.unwrap();
    assert!(
        sink.mails()
            .iter()
            .all(|m| !m.subject().starts_with("Прогноз"))
    );
    let friday = time::macros::datetime!(2026-11-27 16:00 UTC); // 19:00 in Moscow
    w.run_once_at(friday).await.unwrap();
    let forecasts: Vec<_> = sink
        .mails()
        .into_iter()
        .filter(|m| m.subject().starts_with("Прогноз итоговых отметок"))
        .collect();
    let mut to: Vec<String> = forecasts.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    // Мария for Иван and Анна, Сергей for Иван; nobody for Олег (his mother refused).
    assert_eq!(
        to,
        [
            "maria@example.org",
            "maria@example.org",
            "sergey@example.org"
        ]
    );
    let ivan = forecasts
        .iter()
        .find(|m| m.subject().ends_with("Петров Иван"))
        .unwrap();
    assert!(ivan.text().contains("Математика — "), "{}", ivan.text());
    // Saturday: the week's forecast was sent.
    let before = sink.count();
    w.run_once_at(friday + time::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(sink.count(), before);
}

both_backends!(parents_keep_their_settings_and_nobody_else_has_any);
async fn parents_keep_their_settings_and_nobody_else_has_any(app: TestApp) {
    let parent = app.browser("parent").await;
    let (status, page) = parent.parsed("/account/notifications").await;
    assert_eq!(status, StatusCode::OK);
    let legends = page.texts("#notify-settings fieldset legend strong");
    assert!(
        legends.contains(&"Итоговые отметки".to_owned())
            && legends.contains(&"Тихие часы".to_owned()),
        "{legends:?}"
    );
    let (_, contacts) = parent.parsed("/account/contacts").await;
    assert_eq!(
        contacts.attr("a#to-notifications", "href").as_deref(),
        Some("/account/notifications"),
        "linked from the contacts page"
    );
    let form = [
        ("final_mode", "immediate"),
        ("final_channel", "email"),
        ("mark_mode", "off"),
        ("mark_channel", "preferred"),
        ("forecast_mode", "weekly"),
        ("forecast_channel", "sms"),
        ("quiet_from", "22:00"),
        ("quiet_to", "07:30"),
    ];
    let res = parent.post_form("/account/notifications", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = app.token("parent").await;
    let s = app
        .get_json("/api/v1/me/notification-settings", &token)
        .await;
    assert_eq!(s["quiet_from"], "22:00");
    assert_eq!(s["quiet_to"], "07:30");
    assert!(s["saved"].as_bool().unwrap());
    let events = s["events"].as_array().unwrap();
    let mark = events.iter().find(|e| e["event"] == "mark").unwrap();
    assert_eq!(mark["mode"], "off");
    let homework = events.iter().find(|e| e["event"] == "homework").unwrap();
    assert_eq!(homework["mode"], "daily", "left out: the default");
    // A bad form keeps nothing and names the field.
    let res = parent
        .post_form(
            "/account/notifications",
            &[("quiet_from", "25:00"), ("quiet_to", "07:00")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app
        .http
        .put(app.url("/api/v1/me/notification-settings"))
        .bearer_auth(&token)
        .json(&json!({"events": [{"event": "final", "channel": "email", "mode": "weekly"}]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["final.mode"].is_string(), "{problem}");
    let still = app
        .get_json("/api/v1/me/notification-settings", &token)
        .await;
    assert_eq!(still["quiet_from"], "22:00");
    // Not a legal representative: nothing to see.
    for login in ["teacher", "admin", "student"] {
        let t = app.token(login).await;
        assert_problem(
            app.get("/api/v1/me/notification-settings", &t).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let teacher = app.browser("teacher").await;
    assert_eq!(
        teacher.page("/account/notifications").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        teacher
            .page(&format!("/admin/{}/deliveries", app.f.school))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let admin = app.browser("admin").await;
    let (status, page) = admin
        .parsed(&format!("/admin/{}/webhooks", app.f.school))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text("h1").contains("Вебхуки"), "{}", page.source());
}
