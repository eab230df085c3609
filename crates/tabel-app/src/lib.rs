//! Tabel's use cases. One function per action: it takes the acting [`Principal`], opens the
//! transaction, checks permission (default deny, through [`tabel_domain::access`]), writes, appends
//! the audit record and outbox events in the same transaction, and commits. The web UI, the JSON
//! API and the CLI all call these, so they share one set of rules.
#![forbid(unsafe_code)]

pub mod absence_notes;
pub mod admin;
pub mod assessment;
pub mod auth;
pub mod blocking;
pub mod clock;
pub mod closing;
pub mod consent;
pub mod contact;
pub mod debts;
pub mod diary;
pub mod documents;
mod error;
pub mod exams;
pub mod extracts;
pub mod finals;
pub mod home;
pub mod homework_files;
pub mod journal;
pub mod notify;
pub mod password;
pub mod people;
pub mod personal_file;
pub mod privacy;
pub mod promotion;
pub mod record;
pub mod recovery;
pub mod retention;
pub mod school;
pub mod setup;
pub mod stats;
pub mod structure;
pub mod teaching;
#[cfg(test)]
mod test_support;
pub mod thematic;
pub mod throttle;
pub mod timetable;
pub mod upload;

pub use error::{AppError, FieldErrors, check};
pub use tabel_domain::access::Principal;

use std::sync::Arc;
use tabel_domain::calendar::TimeZoneName;
use tabel_store::Db;
use time::{Date, Duration};

/// Characters a written reason (for a correction, a change of the timetable) may have.
pub const MAX_REASON_CHARS: usize = 500;

/// Settings of the application layer.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a browser session lives without use.
    pub web_session_idle: Duration,
    /// How long an API token lives without use.
    pub api_session_idle: Duration,
    /// Failed logins in a row before the account is locked for a while.
    pub lockout_threshold: i64,
    /// How long the first such lock lasts; each further lock in a row lasts twice as long as
    /// the one before (up to sixteen times this).
    pub lockout_duration: Duration,
    /// Login and password-reset attempts allowed per client address per minute (and as many
    /// verification-code lookups, counted apart).
    pub login_attempts_per_minute: u32,
    /// How many password hashes may be computed at once (each takes a core for ~40 ms).
    pub hashing_permits: usize,
    /// The deployment's time zone, for "today" (each school's zone is kept for later per-school
    /// use; a region within one zone is the common case).
    pub time_zone: TimeZoneName,
    /// A pinned "today" (the demo and tests fix the date); `None` = the real date.
    pub today: Option<Date>,
    /// How long an authenticated session is reused without reading the database again (every
    /// API call otherwise costs six queries before its own work). Logout, revocation, password
    /// changes and locks made through this process take effect at once; made by another process
    /// (the CLI, another server of a region), within this time.
    pub auth_cache_ttl: std::time::Duration,
    /// The largest file a teacher may attach to a lesson's homework, in bytes.
    pub homework_file_max_bytes: usize,
    /// How many CPU-bound jobs may run at once: reading an uploaded table (each may hold up to
    /// the workbook reader's budget, under 64 MiB), hashing an uploaded file, typesetting a PDF.
    pub heavy_permits: usize,
    /// Which webhook URLs may be registered (https to public addresses unless the operator
    /// lists hosts for plain http); the notifier applies the same rules when it connects.
    pub webhook_rules: tabel_domain::notify::WebhookRules,
    /// The bytes one user may upload a day (homework files and consent scans together).
    pub upload_bytes_per_day: u64,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            web_session_idle: Duration::hours(12),
            api_session_idle: Duration::days(30),
            lockout_threshold: 5,
            lockout_duration: Duration::minutes(15),
            login_attempts_per_minute: 30,
            hashing_permits: 2,
            time_zone: TimeZoneName::MOSCOW,
            today: None,
            auth_cache_ttl: std::time::Duration::from_secs(2),
            homework_file_max_bytes: homework_files::DEFAULT_MAX_BYTES,
            heavy_permits: 2,
            webhook_rules: tabel_domain::notify::WebhookRules::default(),
            upload_bytes_per_day: homework_files::DEFAULT_BYTES_PER_DAY,
        }
    }
}

/// The application: the database and the shared services the use cases need. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    db: Db,
    hasher: password::Hasher,
    /// CPU-bound jobs, a few at once (see [`AppConfig::heavy_permits`]).
    heavy: blocking::Bounded,
    config: Arc<AppConfig>,
    /// Parsed grading policies by school, with their version: every journal write needs one,
    /// and a new version (checked by a cheap indexed query) replaces the entry.
    policies: Arc<std::sync::Mutex<PolicyCache>>,
    /// Sessions authenticated recently, by token hash (see [`AppConfig::auth_cache_ttl`]).
    sessions: Arc<std::sync::Mutex<SessionCache>>,
    /// Week diaries built recently (see [`diary::WeekCache`]).
    weeks: Arc<std::sync::Mutex<diary::WeekCache>>,
    /// Delivers verification codes as they are made (see [`notify::CodeCourier`]).
    courier: Option<Arc<dyn notify::CodeCourier>>,
    /// Where "now" comes from (see [`App::now`]).
    clock: Arc<dyn clock::Clock>,
    /// When this process last swept expired throttle rows (Unix seconds).
    throttles_swept: Arc<std::sync::atomic::AtomicI64>,
    /// The PDF renderer with a deployment's template overrides (none: the embedded templates).
    reports: Option<Arc<tabel_reports::Renderer>>,
}

type PolicyCache = std::collections::HashMap<tabel_domain::SchoolId, Arc<journal::PolicyView>>;
/// A session by token hash, with when it was remembered by the process and by [`App::now`].
type SessionCache = std::collections::HashMap<
    String,
    (
        auth::Authenticated,
        std::time::Instant,
        time::OffsetDateTime,
    ),
>;

impl App {
    /// Wraps a migrated database.
    pub fn new(db: Db, config: AppConfig) -> App {
        App {
            hasher: password::Hasher::new(config.hashing_permits),
            heavy: blocking::Bounded::new(config.heavy_permits),
            db,
            config: Arc::new(config),
            policies: Arc::default(),
            sessions: Arc::default(),
            weeks: Arc::default(),
            courier: None,
            clock: Arc::new(clock::SystemClock),
            throttles_swept: Arc::default(),
            reports: None,
        }
    }

    /// Reads the time from `clock` instead of the system's (tests move time this way).
    pub fn with_clock(mut self, clock: Arc<dyn clock::Clock>) -> App {
        self.clock = clock;
        self
    }

    /// The same application printing with another PDF renderer (a deployment's template
    /// overrides).
    pub fn with_reports(mut self, reports: tabel_reports::Renderer) -> App {
        self.reports = Some(Arc::new(reports));
        self
    }

    /// The database (for health checks and shutdown).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Runs CPU-bound work (reading an uploaded table, hashing a file, typesetting a document)
    /// off the async runtime, waiting for a permit: each job takes a core, and a table being
    /// read may hold up to the workbook reader's budget.
    pub(crate) async fn run_bounded<T, F>(&self, job: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.heavy.run(job).await
    }

    /// The password hasher (the demo generator hashes the demo passwords with it).
    pub fn hasher(&self) -> &password::Hasher {
        &self.hasher
    }

    /// The settings.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Today's date in the deployment's time zone by [`App::now`] (or the pinned date).
    pub fn today(&self) -> Date {
        self.config
            .today
            .unwrap_or_else(|| self.config.time_zone.local_date(self.now()))
    }

    /// The current instant by the application's clock, in UTC and whole microseconds (what both
    /// databases keep, so a value read back compares equal). Every use case reads the time here.
    /// A pinned "today" does not move it; see [`App::calendar_now`].
    pub fn now(&self) -> time::OffsetDateTime {
        let now = self.clock.now().to_offset(time::UtcOffset::UTC);
        now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
            .unwrap_or(now)
    }

    /// [`App::now`], or — when the deployment pins "today" (the demo, tests) — that day at the
    /// clock's local time of day, so that deadlines counted in hours (the day to publish an exam
    /// result) run against the same calendar as [`App::today`].
    pub fn calendar_now(&self) -> time::OffsetDateTime {
        let now = self.now();
        let Some(today) = self.config.today else {
            return now;
        };
        let local = self.config.time_zone.local(now);
        time::PrimitiveDateTime::new(today, local.time())
            .assume_offset(local.offset())
            .to_offset(time::UtcOffset::UTC)
    }
}

/// Where a request came from, for audit records and session lists.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The peer's address.
    pub address: String,
    /// The user agent, shortened.
    pub user_agent: String,
}

impl Client {
    /// A client that is the command line on this machine.
    pub fn cli() -> Client {
        Client {
            address: "cli".into(),
            user_agent: "tabel-cli".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clock::TestClock;
    use tabel_store::test_support::TestDb;
    use time::macros::{date, datetime};

    async fn app_at(clock: &TestClock, today: Option<Date>) -> (App, TestDb) {
        let db = TestDb::sqlite().await;
        let config = AppConfig {
            today,
            ..AppConfig::default()
        };
        let app = App::new(db.db.clone(), config).with_clock(Arc::new(clock.clone()));
        (app, db)
    }

    #[tokio::test]
    async fn now_and_today_come_from_the_clock_in_the_deployments_zone() {
        // 22:30 in UTC is already the next day in Moscow (UTC+3).
        let clock = TestClock::at(datetime!(2026-11-27 22:30:00.123456789 UTC));
        let (app, _db) = app_at(&clock, None).await;
        assert_eq!(app.now(), datetime!(2026-11-27 22:30:00.123456 UTC));
        assert_eq!(app.today(), date!(2026 - 11 - 28));
        assert_eq!(app.calendar_now(), app.now());
        clock.advance(Duration::days(2));
        assert_eq!(app.now(), datetime!(2026-11-29 22:30:00.123456 UTC));
        assert_eq!(app.today(), date!(2026 - 11 - 30));
        clock.set(datetime!(2026-12-01 09:00 +3));
        assert_eq!(app.now(), datetime!(2026-12-01 06:00 UTC));
        assert_eq!(app.now().offset(), time::UtcOffset::UTC);
    }

    #[tokio::test]
    async fn a_pinned_today_holds_the_date_and_moves_only_the_calendar_clock() {
        let clock = TestClock::at(datetime!(2026-12-06 07:15 UTC));
        let (app, _db) = app_at(&clock, Some(date!(2026 - 11 - 28))).await;
        assert_eq!(app.today(), date!(2026 - 11 - 28));
        assert_eq!(app.now(), datetime!(2026-12-06 07:15 UTC));
        // The pinned day at the clock's local time of day (10:15 in Moscow).
        assert_eq!(app.calendar_now(), datetime!(2026-11-28 07:15 UTC));
        clock.advance(Duration::days(3));
        assert_eq!(app.today(), date!(2026 - 11 - 28));
        assert_eq!(app.calendar_now(), datetime!(2026-11-28 07:15 UTC));
    }
}
