//! The channels a message leaves by: e-mail over SMTP (lettre, pooled connections reused
//! across messages), SMS through a configurable HTTP gateway, and webhooks (a JSON POST signed
//! with HMAC-SHA256 over the timestamp and the body).
//!
//! Webhook URLs are given by school administrators, not by the operator, so they go through a
//! client of their own: the URL is checked again against the [`WebhookRules`] before each try,
//! names are resolved by [`PublicOnly`] (which drops non-public addresses, so a name that
//! resolves to 127.0.0.1 or 169.254.169.254 at delivery time reaches nothing), redirects are
//! not followed and no proxy from the environment is used. The SMS gateway is the operator's
//! own setting and keeps the ordinary client.
//!
//! Errors keep what an administrator needs and nothing a URL or an answer carries: an SMS
//! gateway's URL holds the phone, the text and often the gateway's key, and an answer's body
//! may echo them or show a service's insides, so errors name the status or the failure
//! without the URL, never the body.

use crate::config::{NotifyConfig, SmsConfig, SmsMethod, SmtpConfig, TlsMode};
use hmac::{Hmac, KeyInit, Mac};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MessageBuilder};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tabel_domain::notify::{Channel, WebhookRules, WebhookUrl};
use tokio::sync::Semaphore;

/// Why a message did not leave (the text goes to the delivery's last error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The channel is not configured in this deployment.
    #[error("{0} is not configured")]
    NotConfigured(&'static str),
    /// The address cannot be used (a malformed e-mail address, say).
    #[error("bad address: {0}")]
    BadAddress(String),
    /// The server or gateway refused or could not be reached.
    #[error("{0}")]
    Failed(String),
}

/// What one message needs to leave.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The channel.
    pub channel: Channel,
    /// E-mail address, phone or URL.
    pub address: &'a str,
    /// Subject (e-mail), topic (webhook).
    pub subject: &'a str,
    /// Text, or the webhook's JSON.
    pub body: &'a str,
    /// The idempotency key: the e-mail's Message-ID and the webhook's delivery header, so that
    /// a receiver can drop the rare second copy of an at-least-once delivery.
    pub key: &'a str,
    /// The webhook's secret.
    pub secret: Option<&'a str>,
}

/// The configured channels, built once and shared by the worker's tasks.
#[derive(Debug, Clone)]
pub struct Channels {
    email: Option<Email>,
    sms: Option<Sms>,
    http: reqwest::Client,
    /// Webhooks' own client: only public addresses (see the module's notes).
    hooks: reqwest::Client,
    rules: WebhookRules,
}

#[derive(Debug, Clone)]
struct Email {
    sender: Sender,
    from: Mailbox,
    domain: String,
}

/// How e-mail leaves. lettre 0.11.23 leaves Nagle's algorithm on: its last write of a message
/// (`\r\n.\r\n`) then waits for the server's delayed ACK, 40 ms a message whatever the
/// pool size (fixed upstream in lettre PR #1159, not yet released). Plain and STARTTLS
/// connections are therefore opened here with `TCP_NODELAY` and pooled here; implicit TLS
/// (SMTPS) keeps lettre's own pool until a release carries the fix.
#[derive(Debug, Clone)]
enum Sender {
    Pool(Arc<SmtpPool>),
    Lettre(AsyncSmtpTransport<Tokio1Executor>),
}

/// Idle connections are dropped after this long (servers close them after a minute or so).
const IDLE: Duration = Duration::from_secs(30);

/// SMTP connections kept open and reused: at most `max` at once, each with `TCP_NODELAY`.
struct SmtpPool {
    host: String,
    port: u16,
    starttls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    permits: Semaphore,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl std::fmt::Debug for SmtpPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpPool")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("starttls", &self.starttls.is_some())
            .field("login", &self.credentials.is_some())
            .finish_non_exhaustive()
    }
}

impl SmtpPool {
    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while let Some((conn, since)) = idle.pop() {
            if since.elapsed() < IDLE && !conn.has_broken() {
                return Some(conn);
            }
        }
        None
    }

    fn put_back(&self, conn: AsyncSmtpConnection) {
        if !conn.has_broken() {
            self.idle
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((conn, Instant::now()));
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| format!("cannot connect to {}:{}: {e}", self.host, self.port))?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(params) = &self.starttls {
            if !conn.can_starttls() {
                return Err("the server does not offer STARTTLS".into());
            }
            conn.starttls(params.clone(), &self.hello)
                .await
                .map_err(|e| e.to_string())?;
        }
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(conn)
    }

    async fn send(&self, message: &lettre::Message) -> Result<(), String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        let raw = message.formatted();
        let envelope = message.envelope();
        // A reused connection the server closed meanwhile fails at once; try a fresh one then.
        if let Some(mut conn) = self.take_idle() {
            match tokio::time::timeout(self.timeout, conn.send(envelope, &raw)).await {
                Ok(Ok(_)) => {
                    self.put_back(conn);
                    return Ok(());
                }
                Ok(Err(e)) if !conn.has_broken() => return Err(e.to_string()),
                _ => {}
            }
        }
        let fresh = async {
            let mut conn = self.connect().await?;
            conn.send(envelope, &raw).await.map_err(|e| e.to_string())?;
            Ok::<_, String>(conn)
        };
        match tokio::time::timeout(self.timeout, fresh).await {
            Ok(Ok(conn)) => {
                self.put_back(conn);
                Ok(())
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(format!("no answer within {} s", self.timeout.as_secs())),
        }
    }
}

#[derive(Debug, Clone)]
struct Sms {
    config: SmsConfig,
}

/// A configuration that cannot work (reported at start-up, never later).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("notifications: {0}")]
pub struct ConfigError(pub String);

impl Channels {
    /// Builds the channels the configuration names.
    pub fn new(config: &NotifyConfig) -> Result<Channels, ConfigError> {
        let email = config.smtp.as_ref().map(Email::new).transpose()?;
        let sms = match &config.sms {
            Some(s) => {
                s.check().map_err(ConfigError)?;
                Some(Sms { config: s.clone() })
            }
            None => None,
        };
        let timeout = config.sms.as_ref().map_or(config.webhook_timeout, |s| {
            s.timeout.max(config.webhook_timeout)
        });
        install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tabel-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError(format!("HTTP client: {e}")))?;
        let hooks = reqwest::Client::builder()
            .timeout(config.webhook_timeout)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(PublicOnly {
                rules: config.webhook_rules.clone(),
            })
            .user_agent(concat!("tabel-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError(format!("HTTP client: {e}")))?;
        Ok(Channels {
            email,
            sms,
            http,
            hooks,
            rules: config.webhook_rules.clone(),
        })
    }

    /// Whether e-mail can be sent.
    pub fn has_email(&self) -> bool {
        self.email.is_some()
    }

    /// Whether SMS can be sent.
    pub fn has_sms(&self) -> bool {
        self.sms.is_some()
    }

    /// Sends one message through its channel.
    pub async fn send(&self, m: &Outgoing<'_>) -> Result<(), SendError> {
        match m.channel {
            Channel::Email => match &self.email {
                Some(e) => e.send(m).await,
                None => Err(SendError::NotConfigured("e-mail (SMTP)")),
            },
            Channel::Sms => match &self.sms {
                Some(s) => s.send(&self.http, m.address, m.body).await,
                None => Err(SendError::NotConfigured("the SMS gateway")),
            },
            Channel::Webhook => webhook(&self.hooks, &self.rules, m).await,
        }
    }
}

impl Email {
    fn new(c: &SmtpConfig) -> Result<Email, ConfigError> {
        let from: Mailbox = c
            .from
            .parse()
            .map_err(|e| ConfigError(format!("smtp from {:?}: {e}", c.from)))?;
        let domain = from.email.domain().to_owned();
        let params = || {
            TlsParameters::new(c.host.clone()).map_err(|e| ConfigError(format!("smtp TLS: {e}")))
        };
        let credentials = c.user.as_ref().map(|user| {
            let password = c.password.as_ref().map(|p| p.expose().to_owned());
            Credentials::new(user.clone(), password.unwrap_or_default())
        });
        let port = c.port.unwrap_or_else(|| c.tls.default_port());
        let sender = match c.tls {
            TlsMode::None | TlsMode::StartTls => Sender::Pool(Arc::new(SmtpPool {
                host: c.host.clone(),
                port,
                starttls: if c.tls == TlsMode::StartTls {
                    Some(params()?)
                } else {
                    None
                },
                credentials,
                hello: ClientId::default(),
                timeout: c.timeout,
                permits: Semaphore::new(usize::try_from(c.pool_size.max(1)).unwrap_or(8)),
                idle: Mutex::new(Vec::new()),
            })),
            TlsMode::Tls => {
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(c.host.clone())
                    .port(port)
                    .tls(Tls::Wrapper(params()?))
                    .timeout(Some(c.timeout))
                    .pool_config(PoolConfig::new().max_size(c.pool_size.max(1)));
                if let Some(creds) = credentials {
                    b = b.credentials(creds);
                }
                Sender::Lettre(b.build())
            }
        };
        Ok(Email {
            sender,
            from,
            domain,
        })
    }

    async fn send(&self, m: &Outgoing<'_>) -> Result<(), SendError> {
        let to: Mailbox = m
            .address
            .parse()
            .map_err(|e| SendError::BadAddress(format!("{}: {e}", m.address)))?;
        let message = MessageBuilder::new()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject)
            .message_id(Some(message_id(m.key, &self.domain)))
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.to_owned())
            .map_err(|e| SendError::Failed(format!("cannot build the message: {e}")))?;
        match &self.sender {
            Sender::Pool(pool) => pool.send(&message).await,
            Sender::Lettre(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
        .map_err(|e| SendError::Failed(format!("SMTP: {e}")))
    }
}

/// A Message-ID from the idempotency key: the same delivery always carries the same id.
fn message_id(key: &str, domain: &str) -> String {
    let local: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("<{local}@{domain}>")
}

/// RFC 3986's unreserved characters: all that a URL query or a form body may carry as it is.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes for a URL query or a form body (RFC 3986 unreserved stay as they are).
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Escapes for the inside of a JSON string.
fn json_escape(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

impl Sms {
    fn request(&self, http: &reqwest::Client, phone: &str, text: &str) -> reqwest::RequestBuilder {
        let c = &self.config;
        let url = c
            .url
            .replace("{phone}", &percent_encode(phone))
            .replace("{text}", &percent_encode(text));
        let mut req = match c.method {
            SmsMethod::Get => http.get(url),
            SmsMethod::Post => http.post(url),
        };
        if let Some(h) = &c.auth_header
            && let Some((name, value)) = h.expose().split_once(':')
        {
            req = req.header(name.trim(), value.trim());
        }
        if let Some(body) = &c.body {
            let ct = c.content_type.as_deref().unwrap_or("application/json");
            let filled = if ct.contains("json") {
                body.replace("{phone}", &json_escape(phone))
                    .replace("{text}", &json_escape(text))
            } else {
                body.replace("{phone}", &percent_encode(phone))
                    .replace("{text}", &percent_encode(text))
            };
            req = req.header("content-type", ct).body(filled);
        }
        req.timeout(c.timeout)
    }

    async fn send(&self, http: &reqwest::Client, phone: &str, text: &str) -> Result<(), SendError> {
        let res = self
            .request(http, phone, text)
            .send()
            .await
            .map_err(|e| SendError::Failed(format!("SMS gateway: {}", request_error(e))))?;
        answer("SMS gateway", &res)
    }
}

/// The cause chain of an HTTP error in one line ("connection refused" sits deep inside),
/// without the request's URL: an SMS gateway's URL carries the phone, the text and the key.
fn request_error(e: reqwest::Error) -> String {
    error_chain(&e.without_url())
}

/// The cause chain of an error in one line.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Success, or the answer's status alone: its body may echo what was sent (a phone, a text)
/// or show the receiver's insides, and the error is shown to administrators and stored.
fn answer(what: &str, res: &reqwest::Response) -> Result<(), SendError> {
    let status = res.status();
    if status.is_success() {
        return Ok(());
    }
    Err(SendError::Failed(format!("{what} answered {status}")))
}

/// The webhooks' resolver: the system's, with every non-public address dropped (unless the
/// host is listed in the rules). A name with no public address left fails to resolve, so the
/// connection is never opened; checking here, rather than the URL alone, also catches a name
/// whose addresses change after registration (DNS rebinding).
#[derive(Debug)]
pub struct PublicOnly {
    rules: WebhookRules,
}

impl PublicOnly {
    /// A resolver under these rules.
    pub fn new(rules: WebhookRules) -> PublicOnly {
        PublicOnly { rules }
    }
}

/// A name whose addresses are all refused.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0} has no public address (loopback, private, link-local and reserved addresses are refused)"
)]
struct NotPublic(String);

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let rules = self.rules.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept: Vec<std::net::SocketAddr> =
                found.filter(|a| rules.may_connect(&host, a.ip())).collect();
            if kept.is_empty() {
                return Err(Box::new(NotPublic(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-tabel-signature";
/// The header carrying the idempotency key.
pub const DELIVERY_HEADER: &str = "x-tabel-delivery";
/// The header carrying the topic.
pub const TOPIC_HEADER: &str = "x-tabel-topic";

/// The signature of a webhook body at a Unix time: `t=<unix>,v1=<hex HMAC-SHA256 of
/// "<unix>.<body>">` — the timestamp is signed too, so a captured request cannot be replayed
/// later with a fresh time.
pub fn sign(secret: &str, unix: i64, body: &str) -> String {
    format!("t={unix},v1={}", hex::encode(mac(secret, unix, body)))
}

fn mac(secret: &str, unix: i64, body: &str) -> Vec<u8> {
    // HMAC accepts keys of any length; the error arm cannot happen.
    let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    m.update(unix.to_string().as_bytes());
    m.update(b".");
    m.update(body.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// Checks a signature header as a receiver would: the MAC over the timestamp and body (in
/// constant time), and the timestamp within `tolerance` seconds of `now`.
pub fn verify(secret: &str, header: &str, body: &str, now: i64, tolerance: i64) -> bool {
    let mut unix = None;
    let mut given = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => unix = v.parse::<i64>().ok(),
            Some(("v1", v)) => given = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(unix), Some(given)) = (unix, given) else {
        return false;
    };
    if (now - unix).abs() > tolerance {
        return false;
    }
    let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    m.update(unix.to_string().as_bytes());
    m.update(b".");
    m.update(body.as_bytes());
    m.verify_slice(&given).is_ok()
}

/// Makes *ring* the process's rustls provider (once) — the HTTP client uses the process default,
/// and lettre picks ring by its feature; another provider installed first is left in place. Any
/// program that builds a `reqwest` client without [`Channels`] calls it first (the load
/// generators do), or the client panics.
pub fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // An error only says a provider is installed already, which is what is needed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

async fn webhook(
    http: &reqwest::Client,
    rules: &WebhookRules,
    m: &Outgoing<'_>,
) -> Result<(), SendError> {
    let secret = m
        .secret
        .ok_or(SendError::NotConfigured("the webhook's secret"))?;
    // Checked again at each try: the rules may have narrowed since the subscription was made,
    // and an address literal never reaches the resolver.
    let url = WebhookUrl::parse(m.address, rules).map_err(|e| SendError::BadAddress(e.message))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let res = http
        .post(url.as_str())
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, sign(secret, now, m.body))
        .header(DELIVERY_HEADER, m.key)
        .header(TOPIC_HEADER, m.subject)
        .body(m.body.to_owned())
        .send()
        .await
        .map_err(|e| SendError::Failed(format!("webhook: {}", request_error(e))))?;
    answer("webhook", &res)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_fails() {
        let body = r#"{"topic":"final.published"}"#;
        let header = sign("s3cret", 1_800_000_000, body);
        assert!(header.starts_with("t=1800000000,v1="));
        assert!(verify("s3cret", &header, body, 1_800_000_100, 300));
        assert!(
            !verify("s3cret", &header, body, 1_800_001_000, 300),
            "too old"
        );
        assert!(
            !verify("other", &header, body, 1_800_000_000, 300),
            "wrong key"
        );
        assert!(
            !verify("s3cret", &header, "{}", 1_800_000_000, 300),
            "changed body"
        );
        let shifted = header.replace("t=1800000000", "t=1800000001");
        assert!(
            !verify("s3cret", &shifted, body, 1_800_000_000, 300),
            "changed time"
        );
        assert!(!verify("s3cret", "garbage", body, 1_800_000_000, 300));
    }

    #[test]
    fn templates_are_filled_with_escaped_values() {
        assert_eq!(percent_encode("+7 912"), "%2B7%20912");
        assert_eq!(percent_encode("Иван"), "%D0%98%D0%B2%D0%B0%D0%BD");
        assert_eq!(percent_encode("a-b_c.d~e/f&g"), "a-b_c.d~e%2Ff%26g");
        assert_eq!(json_escape("a\"b\nc"), "a\\\"b\\nc");
        assert_eq!(
            message_id("e42:email:c7", "school.example"),
            "<e42.email.c7@school.example>"
        );
    }
}
