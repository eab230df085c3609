//! The notifier's settings: the channels (SMTP, the SMS gateway), the worker's pace and the
//! retry policy. Secrets (the SMTP password, the gateway's auth header) never show in `Debug`.

use std::fmt;
use std::time::Duration;
use tabel_domain::notify::{Backoff, WebhookRules};
use time::Weekday;

/// A secret from the configuration; `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a relay on the same host or a trusted network only).
    None,
    /// Plain connection upgraded with STARTTLS (required; usually port 587).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl TlsMode {
    /// Parses `none`, `starttls` or `tls`.
    pub fn parse(raw: &str) -> Result<TlsMode, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::StartTls),
            "tls" | "smtps" => Ok(TlsMode::Tls),
            other => Err(format!("{other:?}: use none, starttls or tls")),
        }
    }

    /// The usual port.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        }
    }
}

/// The SMTP server mail goes through.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Host name (also checked against its certificate with TLS).
    pub host: String,
    /// Port (default by TLS mode: 25, 587, 465).
    pub port: Option<u16>,
    /// Protection.
    pub tls: TlsMode,
    /// Login, if the server wants one.
    pub user: Option<String>,
    /// Password.
    pub password: Option<Secret>,
    /// The sender, e.g. `Школа № 1 <noreply@school1.example>`.
    pub from: String,
    /// Connections kept open and reused.
    pub pool_size: u32,
    /// How long one SMTP exchange may take.
    pub timeout: Duration,
}

impl SmtpConfig {
    /// A server with defaults: no TLS, no login, 8 pooled connections, 30 s timeout.
    pub fn new(host: impl Into<String>, from: impl Into<String>) -> SmtpConfig {
        SmtpConfig {
            host: host.into(),
            port: None,
            tls: TlsMode::None,
            user: None,
            password: None,
            from: from.into(),
            pool_size: 8,
            timeout: Duration::from_secs(30),
        }
    }
}

/// HTTP method of the SMS gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsMethod {
    /// GET: everything in the URL.
    Get,
    /// POST: the URL, and the body template if any.
    Post,
}

impl SmsMethod {
    /// Parses `GET` or `POST`.
    pub fn parse(raw: &str) -> Result<SmsMethod, String> {
        match raw.trim().to_ascii_uppercase().as_str() {
            "GET" => Ok(SmsMethod::Get),
            "POST" => Ok(SmsMethod::Post),
            other => Err(format!("{other:?}: use GET or POST")),
        }
    }
}

/// An SMS gateway reached over HTTP. In `url` (and `body`), `{phone}` becomes the number
/// (`+79123456789`) and `{text}` the message: percent-encoded in the URL; in the body
/// percent-encoded for a form, JSON-escaped for JSON (by `content_type`).
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// E.g. `https://sms.example/send?to={phone}&msg={text}`.
    pub url: String,
    /// GET or POST.
    pub method: SmsMethod,
    /// An auth header, `Name: value` (e.g. `Authorization: Bearer …`).
    pub auth_header: Option<Secret>,
    /// A POST body template, e.g. `{"to":"{phone}","text":"{text}"}`.
    pub body: Option<String>,
    /// The body's content type (default `application/json` when a body is given).
    pub content_type: Option<String>,
    /// How long one request may take.
    pub timeout: Duration,
}

impl SmsConfig {
    /// A gateway with defaults: POST, no body, no auth, 15 s timeout.
    pub fn new(url: impl Into<String>) -> SmsConfig {
        SmsConfig {
            url: url.into(),
            method: SmsMethod::Post,
            auth_header: None,
            body: None,
            content_type: None,
            timeout: Duration::from_secs(15),
        }
    }

    /// Checks the template: an http(s) URL naming `{phone}` (in the URL or the body) and
    /// `{text}`; an auth header of the form `Name: value`.
    pub fn check(&self) -> Result<(), String> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err("the SMS gateway URL must start with http:// or https://".into());
        }
        let all = format!("{}{}", self.url, self.body.as_deref().unwrap_or(""));
        if !all.contains("{phone}") || !all.contains("{text}") {
            return Err("the SMS gateway URL or body must contain {phone} and {text}".into());
        }
        if let Some(h) = &self.auth_header
            && h.expose()
                .split_once(':')
                .is_none_or(|(n, _)| n.trim().is_empty())
        {
            return Err("the SMS gateway auth header must look like `Name: value`".into());
        }
        Ok(())
    }
}

/// Everything the notifier needs.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// E-mail, if configured.
    pub smtp: Option<SmtpConfig>,
    /// SMS, if configured.
    pub sms: Option<SmsConfig>,
    /// Run the worker inside `tabel serve`.
    pub worker: bool,
    /// Pause between the worker's rounds.
    pub interval: Duration,
    /// The address families open the diary at, for links (`https://tabel.school.example`).
    pub public_url: String,
    /// Events fanned out per transaction, and deliveries claimed per round.
    pub batch: usize,
    /// Messages in flight at once (at most the SMTP pool's size is useful for e-mail).
    pub concurrency: usize,
    /// How long a worker holds a claimed delivery before another may take it over.
    pub lease: Duration,
    /// Retries of failed deliveries.
    pub backoff: Backoff,
    /// Local hour the daily digest is made.
    pub digest_hour: u8,
    /// From which weekday (local) the week's forecast goes out; `None`: no weekly forecasts.
    pub forecast_weekday: Option<Weekday>,
    /// How long a webhook request may take.
    pub webhook_timeout: Duration,
    /// Where webhooks may go: https to public addresses, checked again at every connection
    /// (a name is resolved and its non-public addresses dropped), plain http and non-public
    /// addresses only for the hosts listed (`webhook_allow_http_hosts`).
    pub webhook_rules: WebhookRules,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            smtp: None,
            sms: None,
            worker: true,
            interval: Duration::from_secs(5),
            public_url: "http://127.0.0.1:8080".into(),
            batch: 500,
            concurrency: 8,
            lease: Duration::from_secs(120),
            backoff: Backoff::default(),
            digest_hour: 18,
            forecast_weekday: Some(Weekday::Friday),
            webhook_timeout: Duration::from_secs(10),
            webhook_rules: WebhookRules::default(),
        }
    }
}

impl NotifyConfig {
    /// Settings with no channel and no worker (tests of other features, tools).
    pub fn disabled() -> NotifyConfig {
        NotifyConfig {
            worker: false,
            ..NotifyConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_never_show_and_templates_are_checked() {
        let mut smtp = SmtpConfig::new("mail.example", "noreply@example.org");
        smtp.password = Some(Secret::new("hunter2"));
        assert!(!format!("{smtp:?}").contains("hunter2"));
        let mut sms = SmsConfig::new("https://sms.example/send?to={phone}&text={text}");
        sms.auth_header = Some(Secret::new("Authorization: Bearer abc"));
        assert!(sms.check().is_ok());
        assert!(!format!("{sms:?}").contains("abc"));
        sms.auth_header = Some(Secret::new("no colon"));
        assert!(sms.check().is_err());
        assert!(SmsConfig::new("https://sms.example/send").check().is_err());
        assert!(SmsConfig::new("ftp://x/{phone}{text}").check().is_err());
        assert_eq!(TlsMode::parse("STARTTLS").unwrap(), TlsMode::StartTls);
        assert!(TlsMode::parse("ssl3").is_err());
        assert_eq!(TlsMode::Tls.default_port(), 465);
        assert_eq!(SmsMethod::parse("get").unwrap(), SmsMethod::Get);
    }
}
