//! Notifications on the command line: the channel flags shared by `tabel serve` and
//! `tabel notify run-once`, merged with `TABEL_*` variables and the `[notify]` table of
//! `tabel.toml`; and `tabel notify run-once`, one round of the worker for operators (a cron
//! job beside a server that runs without the worker, or a check after changing the SMTP
//! settings).

use crate::DbArg;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::time::Duration;
use tabel::config::{NotifyFile, parse_date};
use tabel::open_db;
use tabel_app::{App, AppConfig};
use tabel_domain::notify::WebhookRules;
use tabel_notify::{NotifyConfig, Secret, SmsConfig, SmsMethod, SmtpConfig, TlsMode, Worker};
use time::Date;

/// Channel settings. Secrets are better given as variables (`TABEL_SMTP_PASSWORD`,
/// `TABEL_SMS_AUTH_HEADER`) or in tabel.toml than as flags, which other users of the machine
/// can see in the process list.
#[derive(Args, Clone, Default)]
pub struct NotifyArgs {
    /// SMTP server for e-mail (e-mail is off without it).
    #[arg(long, env = "TABEL_SMTP_HOST", value_name = "HOST")]
    smtp_host: Option<String>,
    /// SMTP port (default: 25, 587 or 465 by --smtp-tls).
    #[arg(long, env = "TABEL_SMTP_PORT", value_name = "PORT")]
    smtp_port: Option<u16>,
    /// SMTP protection: none, starttls or tls (default starttls).
    #[arg(long, env = "TABEL_SMTP_TLS", value_name = "MODE")]
    smtp_tls: Option<String>,
    /// SMTP login.
    #[arg(long, env = "TABEL_SMTP_USER", value_name = "LOGIN")]
    smtp_user: Option<String>,
    /// SMTP password.
    #[arg(
        long,
        env = "TABEL_SMTP_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    smtp_password: Option<String>,
    /// Sender of the e-mails, e.g. "Школа № 1 <noreply@school1.example>".
    #[arg(long, env = "TABEL_SMTP_FROM", value_name = "MAILBOX")]
    smtp_from: Option<String>,
    /// SMS gateway URL with {phone} and {text}, e.g.
    /// "https://sms.example/send?to={phone}&text={text}" (SMS is off without it).
    #[arg(long, env = "TABEL_SMS_URL", value_name = "URL")]
    sms_url: Option<String>,
    /// GET or POST (default POST).
    #[arg(long, env = "TABEL_SMS_METHOD", value_name = "METHOD")]
    sms_method: Option<String>,
    /// A header for the gateway, "Name: value", e.g. "Authorization: Bearer …".
    #[arg(
        long,
        env = "TABEL_SMS_AUTH_HEADER",
        value_name = "HEADER",
        hide_env_values = true
    )]
    sms_auth_header: Option<String>,
    /// A POST body template with {phone} and {text}, e.g. '{"to":"{phone}","text":"{text}"}'.
    #[arg(long, env = "TABEL_SMS_BODY", value_name = "TEMPLATE")]
    sms_body: Option<String>,
    /// Seconds between the notification worker's rounds (default 5).
    #[arg(long, env = "TABEL_NOTIFY_INTERVAL", value_name = "SECONDS")]
    notify_interval: Option<u64>,
    /// Do not run the notification worker inside `tabel serve` (run `tabel notify run-once`
    /// from a timer instead, or another server runs it).
    #[arg(long, env = "TABEL_NO_NOTIFY_WORKER")]
    no_notify_worker: bool,
    /// The address families open Tabel at, for links in messages (default
    /// http://127.0.0.1:8080).
    #[arg(long, env = "TABEL_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// A host webhooks may reach over plain http, at a non-public address too (repeat the flag,
    /// or separate hosts with commas in the variable). Without it webhooks go only to https
    /// URLs of public addresses.
    #[arg(
        long = "webhook-allow-http-host",
        env = "TABEL_WEBHOOK_ALLOW_HTTP_HOSTS",
        value_name = "HOST",
        value_delimiter = ','
    )]
    webhook_allow_http_hosts: Vec<String>,
}

/// The notifier's settings: flags and variables over the `[notify]` table over defaults.
pub fn resolve(a: &NotifyArgs, file: Option<&NotifyFile>) -> anyhow::Result<NotifyConfig> {
    let empty = NotifyFile::default();
    let f = file.unwrap_or(&empty);
    let pick = |flag: &Option<String>, file: &Option<String>| {
        flag.clone()
            .or_else(|| file.clone())
            .filter(|s| !s.trim().is_empty())
    };
    let mut c = NotifyConfig::default();
    if let Some(host) = pick(&a.smtp_host, &f.smtp_host) {
        let Some(from) = pick(&a.smtp_from, &f.smtp_from) else {
            bail!(
                "notifications: give the sender with --smtp-from (TABEL_SMTP_FROM) along with the SMTP host"
            );
        };
        let mut smtp = SmtpConfig::new(host, from);
        smtp.tls = match pick(&a.smtp_tls, &f.smtp_tls) {
            Some(raw) => TlsMode::parse(&raw).map_err(|e| anyhow::anyhow!("smtp tls: {e}"))?,
            None => TlsMode::StartTls,
        };
        smtp.port = a.smtp_port.or(f.smtp_port);
        smtp.user = pick(&a.smtp_user, &f.smtp_user);
        smtp.password = pick(&a.smtp_password, &f.smtp_password).map(Secret::new);
        if let Some(n) = f.smtp_pool {
            smtp.pool_size = n.clamp(1, 64);
        }
        c.smtp = Some(smtp);
    }
    if let Some(url) = pick(&a.sms_url, &f.sms_url) {
        let mut sms = SmsConfig::new(url);
        if let Some(m) = pick(&a.sms_method, &f.sms_method) {
            sms.method = SmsMethod::parse(&m).map_err(|e| anyhow::anyhow!("sms method: {e}"))?;
        }
        sms.auth_header = pick(&a.sms_auth_header, &f.sms_auth_header).map(Secret::new);
        sms.body = pick(&a.sms_body, &f.sms_body);
        sms.content_type = f.sms_content_type.clone();
        sms.check()
            .map_err(|e| anyhow::anyhow!("notifications: {e}"))?;
        c.sms = Some(sms);
    }
    if let Some(s) = a.notify_interval.or(f.interval_secs) {
        if s == 0 || s > 3600 {
            bail!("notifications: the interval is 1 to 3600 seconds, not {s}");
        }
        c.interval = Duration::from_secs(s);
    }
    c.worker = !a.no_notify_worker && f.worker.unwrap_or(true);
    if let Some(url) = pick(&a.public_url, &f.public_url) {
        c.public_url = url.trim_end_matches('/').to_owned();
    }
    let hosts = if a.webhook_allow_http_hosts.is_empty() {
        f.webhook_allow_http_hosts.clone().unwrap_or_default()
    } else {
        a.webhook_allow_http_hosts.clone()
    };
    c.webhook_rules = WebhookRules::allowing_http(hosts);
    if let Some(h) = f.digest_hour {
        if h > 23 {
            bail!("notifications: digest_hour is 0 to 23, not {h}");
        }
        c.digest_hour = h;
    }
    Ok(c)
}

/// `tabel notify …`.
#[derive(Subcommand)]
pub enum NotifyCommand {
    /// One round of the notification worker: fan new events out to families and services,
    /// make due digests and forecasts, send what is due (with retries and dead letters), then
    /// print what it did and the deliveries by state.
    RunOnce {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        channels: NotifyArgs,
        /// Pretend today is this date (YYYY-MM-DD) for the forecasts.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
}

/// Runs a `tabel notify` command.
pub async fn run(command: NotifyCommand) -> anyhow::Result<i32> {
    match command {
        NotifyCommand::RunOnce {
            db,
            channels,
            today,
        } => {
            let (url, file) = db.resolve()?;
            let config = resolve(&channels, file.notify.as_ref())?;
            let app = App::new(
                open_db(&url).await?,
                AppConfig {
                    today,
                    ..AppConfig::default()
                },
            );
            let worker = Worker::new(app.clone(), config)?;
            let result = worker
                .run_once()
                .await
                .context("the notification round failed");
            let counts = worker.counts().await;
            app.db().close().await;
            let r = result?;
            println!(
                "Events handled: {}; deliveries made: {}; digest lines: {}; sent: {}; to retry: {}; dead letters: {}; cancelled: {}.",
                r.events, r.created, r.digest_lines, r.sent, r.retried, r.dead, r.cancelled
            );
            if let Ok(counts) = counts {
                let list: Vec<String> = counts
                    .iter()
                    .map(|(s, n)| format!("{} {n}", s.code()))
                    .collect();
                println!(
                    "Deliveries by state: {}.",
                    if list.is_empty() {
                        "none".into()
                    } else {
                        list.join(", ")
                    }
                );
            }
            Ok(if r.dead > 0 { 3 } else { 0 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_secrets_stay_hidden() {
        let file = NotifyFile {
            smtp_host: Some("mail.file.example".into()),
            smtp_from: Some("noreply@school.example".into()),
            smtp_password: Some("from-file".into()),
            interval_secs: Some(30),
            webhook_allow_http_hosts: Some(vec!["hooks.lan".into()]),
            ..NotifyFile::default()
        };
        let flags = NotifyArgs {
            smtp_host: Some("mail.flag.example".into()),
            smtp_tls: Some("tls".into()),
            ..NotifyArgs::default()
        };
        let c = resolve(&flags, Some(&file)).unwrap();
        let smtp = c.smtp.as_ref().unwrap();
        assert_eq!(smtp.host, "mail.flag.example");
        assert_eq!(smtp.tls, TlsMode::Tls);
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "from-file");
        assert_eq!(c.interval, Duration::from_secs(30));
        assert!(!format!("{c:?}").contains("from-file"));
        assert!(c.sms.is_none() && c.worker);
        assert_eq!(c.webhook_rules.http_hosts(), ["hooks.lan"]);
        let strict = resolve(&NotifyArgs::default(), None).unwrap();
        assert!(strict.webhook_rules.http_hosts().is_empty());
    }

    #[test]
    fn incomplete_settings_are_refused() {
        let no_from = NotifyArgs {
            smtp_host: Some("mail.example".into()),
            ..NotifyArgs::default()
        };
        assert!(resolve(&no_from, None).is_err());
        let bad_sms = NotifyArgs {
            sms_url: Some("https://sms.example/send".into()),
            ..NotifyArgs::default()
        };
        assert!(resolve(&bad_sms, None).is_err());
        let bad_tls = NotifyArgs {
            smtp_host: Some("h".into()),
            smtp_from: Some("a@b.c".into()),
            smtp_tls: Some("ssl".into()),
            ..NotifyArgs::default()
        };
        assert!(resolve(&bad_tls, None).is_err());
        assert!(
            resolve(&NotifyArgs::default(), None)
                .unwrap()
                .smtp
                .is_none()
        );
    }
}
