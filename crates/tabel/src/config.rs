//! Configuration: command-line flags, then `TABEL_*` environment variables, then an optional
//! `tabel.toml`, then defaults.

use anyhow::Context;
use serde::Deserialize;
use std::path::Path;
use tabel_app::AppConfig;
use tabel_domain::calendar::TimeZoneName;
use time::Date;

/// Where the server listens when nothing says otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The database when nothing says otherwise: a file in the working directory.
pub const DEFAULT_DB: &str = "sqlite://tabel.db";

/// Everything `tabel serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database URL: `sqlite://FILE` or `postgres://USER:PASSWORD@HOST/DB`.
    pub db: String,
    /// Listening address.
    pub listen: String,
    /// Fill an empty database with the demo school.
    pub demo: bool,
    /// Seed of the demo generator.
    pub seed: u64,
    /// A pinned "today" (for demos and tests).
    pub today: Option<Date>,
    /// Served over TLS: `Secure` `__Host-` cookies and HSTS.
    pub secure_cookies: bool,
    /// Listen on an address other than loopback without `secure_cookies` all the same (plain
    /// HTTP on a network: session cookies readable on the wire).
    pub insecure_listen: bool,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: Vec<tabel_web::TrustedProxy>,
    /// The bearer token `/metrics` asks for; `None`: `/metrics` is not served.
    pub metrics_token: Option<tabel_web::MetricsToken>,
    /// Login and password-reset attempts per client address per minute.
    pub login_attempts_per_minute: u32,
    /// The deployment's time zone, for "today".
    pub time_zone: TimeZoneName,
    /// The largest file a teacher may attach to a lesson's homework, in bytes.
    pub homework_file_max_bytes: usize,
    /// The bytes one user may upload a day (homework files and consent scans).
    pub upload_bytes_per_day: u64,
    /// A folder of PDF templates overriding the embedded ones (a file of the same name wins).
    pub templates_dir: Option<std::path::PathBuf>,
    /// Notifications: channels (SMTP, SMS gateway) and the worker.
    pub notify: tabel_notify::NotifyConfig,
    /// The audit key file; `None`: `<database file>.audit-key` for SQLite (required for
    /// PostgreSQL).
    pub audit_key_file: Option<std::path::PathBuf>,
    /// How long sessions, client addresses and the delivery log are kept.
    pub retention: tabel_app::retention::RetentionPolicy,
    /// Run the retention job inside the server (at start, then hourly).
    pub retention_job: bool,
    /// Where "now" comes from; `None` = the system's clock. Tests pass a
    /// [`tabel_app::clock::TestClock`] and move time through it.
    pub clock: Option<std::sync::Arc<dyn tabel_app::clock::Clock>>,
}

impl Config {
    /// Defaults for tests: a database URL and an ephemeral port.
    pub fn for_tests(db: &str) -> Config {
        Config {
            db: db.to_owned(),
            listen: "127.0.0.1:0".into(),
            demo: false,
            seed: 1,
            today: None,
            secure_cookies: false,
            insecure_listen: false,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            login_attempts_per_minute: AppConfig::default().login_attempts_per_minute,
            time_zone: TimeZoneName::MOSCOW,
            homework_file_max_bytes: tabel_app::homework_files::DEFAULT_MAX_BYTES,
            upload_bytes_per_day: tabel_app::homework_files::DEFAULT_BYTES_PER_DAY,
            templates_dir: None,
            notify: tabel_notify::NotifyConfig::disabled(),
            audit_key_file: test_audit_key_file(db),
            retention: tabel_app::retention::RetentionPolicy::default(),
            retention_job: true,
            clock: None,
        }
    }
}

/// The audit key file of a test's PostgreSQL database (which has no default place for one): in
/// the temporary folder, named after the database. `None` for SQLite (beside the file).
pub fn test_audit_key_file(url: &str) -> Option<std::path::PathBuf> {
    if tabel_store::Db::sqlite_file(url).is_some() {
        return None;
    }
    let dir = std::env::temp_dir().join("tabel-test-audit-keys");
    let _ = std::fs::create_dir_all(&dir);
    let name: String = url
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    Some(dir.join(name))
}

/// The optional `tabel.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Database URL.
    pub db: Option<String>,
    /// Listening address.
    pub listen: Option<String>,
    /// Secure cookies.
    pub secure_cookies: Option<bool>,
    /// Listen on a network address without secure cookies all the same.
    pub insecure_listen: Option<bool>,
    /// Trusted proxies: addresses or networks (CIDR).
    pub trusted_proxies: Option<Vec<String>>,
    /// The token `/metrics` asks for.
    pub metrics_token: Option<Redacted>,
    /// Time zone (IANA name of a Russian zone).
    pub time_zone: Option<String>,
    /// The largest homework file, in bytes.
    pub homework_file_max_bytes: Option<u64>,
    /// The bytes one user may upload a day.
    pub upload_bytes_per_day: Option<u64>,
    /// A folder of PDF templates overriding the embedded ones.
    pub templates_dir: Option<std::path::PathBuf>,
    /// `[notify]`: channels and the notification worker.
    pub notify: Option<NotifyFile>,
    /// The audit key file (outside the database; see DEPLOYMENT.md).
    pub audit_key_file: Option<std::path::PathBuf>,
    /// `[retention]`: how long sessions, addresses and the delivery log are kept.
    pub retention: Option<RetentionFile>,
}

/// The `[retention]` table of `tabel.toml`, in days.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionFile {
    /// Sessions are deleted this long after they expired (default 30).
    pub sessions_days: Option<u32>,
    /// Client addresses (sessions, the audit log) are kept this long (default 180).
    pub addresses_days: Option<u32>,
    /// Sent, dead and cancelled notifications are kept this long (default 365).
    pub deliveries_days: Option<u32>,
    /// Run the job inside `tabel serve` (default true).
    pub job: Option<bool>,
}

impl RetentionFile {
    /// The policy: these periods over the defaults. A period of 0 days is refused (it would
    /// forget a session's address while it is in use).
    pub fn policy(&self) -> anyhow::Result<tabel_app::retention::RetentionPolicy> {
        let d = tabel_app::retention::RetentionPolicy::default();
        let policy = tabel_app::retention::RetentionPolicy {
            sessions_days: self.sessions_days.unwrap_or(d.sessions_days),
            addresses_days: self.addresses_days.unwrap_or(d.addresses_days),
            deliveries_days: self.deliveries_days.unwrap_or(d.deliveries_days),
        };
        if policy.sessions_days == 0 || policy.addresses_days == 0 || policy.deliveries_days == 0 {
            anyhow::bail!("[retention]: periods are whole days, at least 1");
        }
        Ok(policy)
    }
}

/// A secret read from `tabel.toml`, kept out of `Debug`.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Redacted(pub String);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The `[notify]` table of `tabel.toml` (flags and `TABEL_*` variables win over it).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyFile {
    /// SMTP server host; e-mail is off without it.
    pub smtp_host: Option<String>,
    /// SMTP port (default 25, 587 or 465 by `smtp_tls`).
    pub smtp_port: Option<u16>,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: Option<String>,
    /// SMTP login.
    pub smtp_user: Option<String>,
    /// SMTP password.
    pub smtp_password: Option<String>,
    /// Sender, e.g. `Школа № 1 <noreply@school1.example>`.
    pub smtp_from: Option<String>,
    /// Pooled SMTP connections.
    pub smtp_pool: Option<u32>,
    /// SMS gateway URL template with `{phone}` and `{text}`; SMS is off without it.
    pub sms_url: Option<String>,
    /// `GET` or `POST`.
    pub sms_method: Option<String>,
    /// `Name: value` header sent to the gateway.
    pub sms_auth_header: Option<String>,
    /// POST body template.
    pub sms_body: Option<String>,
    /// POST body content type.
    pub sms_content_type: Option<String>,
    /// Seconds between the worker's rounds.
    pub interval_secs: Option<u64>,
    /// Run the worker inside `tabel serve`.
    pub worker: Option<bool>,
    /// The address families open Tabel at (links in messages).
    pub public_url: Option<String>,
    /// Local hour of the daily digest (0–23).
    pub digest_hour: Option<u8>,
    /// Hosts webhooks may reach over plain http, at a non-public address too (e.g.
    /// `["127.0.0.1"]` for a receiver on the same machine); every other webhook is https to a
    /// public address.
    pub webhook_allow_http_hosts: Option<Vec<String>>,
}

impl std::fmt::Debug for NotifyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyFile")
            .field("smtp_host", &self.smtp_host)
            .field("sms_url", &self.sms_url)
            .finish_non_exhaustive()
    }
}

impl FileConfig {
    /// Reads `path` if given (must exist), else `./tabel.toml` if it exists.
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (Path::new("tabel.toml").to_path_buf(), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FileConfig::default());
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        toml::from_str(&text).with_context(|| format!("{}: invalid configuration", path.display()))
    }
}

/// The PDF renderer: the embedded templates, or those of `dir` where it has a file of the same
/// name (read once, now; a folder that cannot be read stops the start with its name).
pub fn renderer(dir: Option<&Path>) -> anyhow::Result<tabel_reports::Renderer> {
    match dir {
        None => Ok(tabel_reports::Renderer::embedded()),
        Some(d) => {
            let r = tabel_reports::Renderer::with_overrides(d)
                .with_context(|| format!("templates_dir {}", d.display()))?;
            tracing::info!(dir = %d.display(), overridden = ?r.overridden(), "PDF templates overridden");
            Ok(r)
        }
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<Date, String> {
    Date::parse(
        raw.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("{raw:?} is not a date; use YYYY-MM-DD, e.g. 2026-11-28"))
}

/// The largest homework file a deployment may allow: the whole file is held in memory while it
/// is checked and stored.
pub const MAX_HOMEWORK_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Parses a homework file limit in bytes (1 byte .. 256 MiB).
pub fn parse_file_size(raw: &str) -> Result<usize, String> {
    let n: u64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("{raw:?} is not a number of bytes, e.g. 10485760 for 10 MiB"))?;
    if n == 0 || n > MAX_HOMEWORK_FILE_BYTES {
        return Err(format!(
            "{n} bytes: use 1 to {MAX_HOMEWORK_FILE_BYTES} bytes (256 MiB)"
        ));
    }
    usize::try_from(n).map_err(|_| format!("{n} bytes: too large for this machine"))
}

/// Parses the bytes one user may upload a day (1 MiB .. 1 TiB).
pub fn parse_bytes_per_day(raw: &str) -> Result<u64, String> {
    let n: u64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("{raw:?} is not a number of bytes, e.g. 209715200 for 200 MiB"))?;
    if !(1024 * 1024..=1024 * 1024 * 1024 * 1024).contains(&n) {
        return Err(format!(
            "{n} bytes: use 1048576 (1 MiB) to 1099511627776 (1 TiB) bytes"
        ));
    }
    Ok(n)
}

/// Parses a Russian IANA time zone name.
pub fn parse_time_zone(raw: &str) -> Result<TimeZoneName, String> {
    TimeZoneName::parse(raw).map_err(|e| e.to_string())
}

/// Parses trusted proxies (addresses or CIDR networks), naming the one that is wrong.
pub fn parse_trusted_proxies<S: AsRef<str>>(
    list: &[S],
) -> Result<Vec<tabel_web::TrustedProxy>, String> {
    list.iter()
        .map(AsRef::as_ref)
        .filter(|p| !p.trim().is_empty())
        .map(tabel_web::TrustedProxy::parse)
        .collect()
}
