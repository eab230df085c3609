//! The channels failing and recovering: SMTP and the SMS gateway retried, then dead letters sent
//! again; signed webhooks.

use super::{
    MONDAY_NOON, add_contact, deliveries, families, local_hooks, publish_finals, receiver,
    recipients, settings, worker,
};
use crate::journal::timetable;
use crate::support::{Backend, TestApp, assert_problem, both_backends, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tabel_domain::notify::{Backoff, DeliveryState};
use tabel_notify::test_support::SmtpSink;
use tabel_notify::{NotifyConfig, SmsConfig, SmsMethod};
use tabel_store::now_micros;
use time::OffsetDateTime;

/// A minute from now: what an administrator re-sends is due at the real time of the re-send.
fn later() -> OffsetDateTime {
    now_micros().max(MONDAY_NOON) + time::Duration::minutes(1)
}

fn quick_retries() -> Backoff {
    Backoff {
        base: time::Duration::seconds(60),
        cap: time::Duration::seconds(60),
        max_attempts: 3,
    }
}

both_backends!(
    a_wrong_smtp_password_is_retried_then_a_dead_letter_and_the_admin_sends_it_again(backend)
);
async fn a_wrong_smtp_password_is_retried_then_a_dead_letter_and_the_admin_sends_it_again(
    backend: Backend,
) {
    let sink = SmtpSink::start().await;
    sink.require_login("tabel", "right");
    let app = TestApp::start(backend).await;
    families(&app).await;
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "4")]).await;
    let wrong = NotifyConfig {
        smtp: Some(sink.smtp_config_with_login("tabel", "wrong")),
        backoff: quick_retries(),
        ..settings(None)
    };
    let w = worker(&app, wrong);
    let t0 = MONDAY_NOON;
    let r = w.run_once_at(t0).await.unwrap();
    assert_eq!((r.sent, r.retried, r.dead), (0, 2, 0), "{r:?}");
    let pending = deliveries(&app, DeliveryState::Pending).await;
    assert_eq!(pending.len(), 2);
    assert!(pending.iter().all(|d| d.attempts == 1 && d.due_at > t0));
    let error = pending[0].last_error.clone().unwrap();
    assert!(
        error.contains("535") || error.contains("redentials"),
        "{error}"
    );
    // Not due yet: nothing is tried.
    assert_eq!(
        w.run_once_at(t0 + time::Duration::seconds(5))
            .await
            .unwrap()
            .retried,
        0
    );
    w.run_once_at(t0 + time::Duration::minutes(2))
        .await
        .unwrap();
    let r = w
        .run_once_at(t0 + time::Duration::minutes(4))
        .await
        .unwrap();
    assert_eq!(r.dead, 2, "{r:?}");
    assert_eq!(sink.count(), 0);

    // The administrator sees them with the error and every try.
    let admin = app.token("admin").await;
    let dead = app
        .get_json(
            &format!("/api/v1/schools/{}/deliveries?state=dead", app.f.school),
            &admin,
        )
        .await;
    let dead = dead.as_array().unwrap();
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0]["state"], "dead");
    assert_eq!(dead[0]["attempts"], 3);
    assert_eq!(dead[0]["history"].as_array().unwrap().len(), 3);
    assert!(
        dead[0]["last_error"].as_str().unwrap().contains("SMTP"),
        "{}",
        dead[0]
    );
    let browser = app.browser("admin").await;
    let (status, page) = browser
        .parsed(&format!("/admin/{}/deliveries", app.f.school))
        .await;
    assert_eq!(status, StatusCode::OK);
    let letters = page.texts("#dead-letters article.dead-letter");
    assert!(
        letters
            .iter()
            .any(|l| l.contains("maria@example.org") && l.contains("Отправить снова")),
        "{letters:?}"
    );

    // Nobody else may see or re-send them.
    let teacher = app.token("teacher").await;
    let path = format!("/api/v1/schools/{}/deliveries", app.f.school);
    assert_problem(app.get(&path, &teacher).await, StatusCode::FORBIDDEN).await;
    let other = app.token("admin2").await;
    assert_problem(app.get(&path, &other).await, StatusCode::NOT_FOUND).await;
    let id = dead[0]["id"].as_str().unwrap();
    let parent = app.token("parent").await;
    let resend = format!("/api/v1/deliveries/{id}/resend");
    assert_problem(
        post(&app, &parent, &resend, json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        post(&app, &other, &resend, json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The password is fixed; the administrator sends both again (one through the page).
    let res = post(&app, &admin, &resend, json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["state"], "pending");
    assert_problem(
        post(&app, &admin, &resend, json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let second = dead[1]["id"].as_str().unwrap();
    let res = browser
        .post_form(
            &format!("/admin/{}/deliveries/{second}/resend", app.f.school),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let right = NotifyConfig {
        smtp: Some(sink.smtp_config_with_login("tabel", "right")),
        ..settings(None)
    };
    let r = worker(&app, right).run_once_at(later()).await.unwrap();
    assert_eq!(r.sent, 2, "{r:?}");
    assert_eq!(
        recipients(&sink),
        ["maria@example.org", "sergey@example.org"]
    );
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

both_backends!(an_unreachable_sms_gateway_is_retried_then_a_dead_letter_and_sent_again_later);
async fn an_unreachable_sms_gateway_is_retried_then_a_dead_letter_and_sent_again_later(
    app: TestApp,
) {
    add_contact(&app, app.f.parent, "phone", "+7 912 345-67-89", true).await;
    let parent = app.token("parent").await;
    let res = app
        .http
        .put(app.url("/api/v1/me/notification-settings"))
        .bearer_auth(&parent)
        .json(&json!({"events": [{"event": "final", "channel": "sms", "mode": "immediate"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5")]).await;
    let gone = closed_port();
    let mut down = SmsConfig::new(format!(
        "http://127.0.0.1:{gone}/send?to={{phone}}&text={{text}}"
    ));
    down.method = SmsMethod::Get;
    let config = NotifyConfig {
        sms: Some(down),
        backoff: quick_retries(),
        ..settings(None)
    };
    let w = worker(&app, config);
    let t0 = MONDAY_NOON;
    for n in 0..3 {
        w.run_once_at(t0 + time::Duration::minutes(2 * n))
            .await
            .unwrap();
    }
    let dead = deliveries(&app, DeliveryState::Dead).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].channel.code(), "sms");
    assert_eq!(dead[0].address, "+79123456789");
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("SMS gateway"),
        "{:?}",
        dead[0].last_error
    );

    // The gateway is back (with a POST body and an auth header this time).
    let (base, got) = receiver().await;
    let mut up = SmsConfig::new(format!("{base}/send"));
    up.body = Some(r#"{"to":"{phone}","text":"{text}"}"#.into());
    up.auth_header = Some(tabel_notify::Secret::new("Authorization: Bearer gw-token"));
    let admin = app.token("admin").await;
    let res = post(
        &app,
        &admin,
        &format!("/api/v1/deliveries/{}/resend", dead[0].id),
        json!({}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = worker(
        &app,
        NotifyConfig {
            sms: Some(up),
            ..settings(None)
        },
    )
    .run_once_at(later())
    .await
    .unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0["authorization"], "Bearer gw-token");
    let sms: Value = serde_json::from_str(&got[0].2).unwrap();
    assert_eq!(sms["to"], "+79123456789");
    assert!(
        sms["text"]
            .as_str()
            .unwrap()
            .contains("итоговая по предмету «Математика»"),
        "{sms}"
    );
}

both_backends!(webhooks_carry_events_signed_so_that_the_receiver_can_verify_them(backend));
async fn webhooks_carry_events_signed_so_that_the_receiver_can_verify_them(backend: Backend) {
    // The receiver listens on loopback over plain http: the deployment lists it explicitly.
    let app = TestApp::with(backend, |c| c.notify.webhook_rules = local_hooks()).await;
    let hooks_config = || NotifyConfig {
        webhook_rules: local_hooks(),
        ..settings(None)
    };
    let (base, got) = receiver().await;
    let admin = app.token("admin").await;
    let hooks = format!("/api/v1/schools/{}/webhooks", app.f.school);
    let teacher = app.token("teacher").await;
    let body = json!({"url": format!("{base}/hook"), "topics": "final.published", "description": "региональная система"});
    assert_problem(
        post(&app, &teacher, &hooks, body.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let bad = assert_problem(
        post(
            &app,
            &admin,
            &hooks,
            json!({"url": "ftp://x", "topics": "final.published"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(bad["errors"]["url"].is_string(), "{bad}");
    let res = post(&app, &admin, &hooks, body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    let listed = app.get_json(&hooks, &admin).await;
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is shown once"
    );

    timetable(&app).await;
    publish_finals(&app, &[(app.f.ivan, "5"), (app.f.oleg, "4")]).await;
    let r = worker(&app, hooks_config())
        .run_once_at(MONDAY_NOON)
        .await
        .unwrap();
    // Олег's family refused the consent: nothing about him leaves (see privacy.rs).
    assert_eq!(r.sent, 1, "{r:?}");
    let received = got.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    for (headers, uri, body) in &received {
        assert_eq!(uri, "/hook");
        let signature = headers["x-tabel-signature"].to_str().unwrap();
        assert!(
            tabel_notify::verify(&secret, signature, body, now, 300),
            "{signature}"
        );
        assert!(!tabel_notify::verify(
            "another secret",
            signature,
            body,
            now,
            300
        ));
        assert!(!tabel_notify::verify(
            &secret,
            signature,
            &format!("{body} "),
            now,
            300
        ));
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["topic"], "final.published");
        assert_eq!(
            headers["x-tabel-delivery"].to_str().unwrap(),
            event["delivery"]
        );
        assert_eq!(event["school_id"], app.f.school.to_string());
    }
    // Removing the subscription ends it: nothing more goes there.
    let id = created["webhook"]["id"].as_str().unwrap();
    let res = app
        .http
        .delete(app.url(&format!("/api/v1/webhooks/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    publish_finals(&app, &[(app.f.ivan, "4")]).await;
    worker(&app, hooks_config())
        .run_once_at(MONDAY_NOON + time::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(got.lock().unwrap().len(), 1);
}
