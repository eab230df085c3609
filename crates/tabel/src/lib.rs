//! The Tabel binary's library half: configuration, start-up as a value
//! ([`Application::build`] → [`Application::port`] → [`Application::run_until_stopped`]), so that
//! tests start exactly what `tabel serve` starts, on `127.0.0.1:0`.
#![forbid(unsafe_code)]

pub mod audit_key;
pub mod config;

use anyhow::Context;
use std::net::SocketAddr;
use tabel_app::{App, AppConfig};
use tabel_store::Db;
use tabel_web::{AppState, WebConfig};
use tokio::net::TcpListener;

pub use config::Config;

/// A built, listening server.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
    db: Db,
    /// The notification worker, when it runs inside the server.
    notifier: Option<tabel_notify::Worker>,
    /// The retention job's periods; `None`: the job does not run inside the server.
    retention: Option<tabel_app::retention::RetentionPolicy>,
}

/// A file given on the command line, read whole but never more than `max` bytes: the size the
/// file system reports is not trusted (a pipe or `/dev/zero` reports none, and a file may grow
/// while it is read), so the read itself stops one byte past the limit. `None` when the file is
/// larger.
pub fn read_capped(path: &std::path::Path, max: usize) -> anyhow::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let shown = path.display();
    let file =
        std::fs::File::open(path).with_context(|| format!("{shown}: cannot read the file"))?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{shown}: cannot read the file"))?;
    Ok((bytes.len() <= max).then_some(bytes))
}

/// The audit key file the command line configured (`--audit-key`, `TABEL_AUDIT_KEY_FILE` or
/// `audit_key_file` in tabel.toml), for [`open_db`]; a one-shot command sets it once.
static AUDIT_KEY_FILE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Sets the audit key file [`open_db`] uses (the first call wins).
pub fn set_audit_key_file(path: std::path::PathBuf) {
    let _ = AUDIT_KEY_FILE.set(path);
}

/// Opens and migrates the database at `url`, for a command that writes: the audit key is loaded
/// (made for a database that has none) and checked, see [`audit_key`].
pub async fn open_db(url: &str) -> anyhow::Result<Db> {
    open_db_with(
        url,
        AUDIT_KEY_FILE.get().map(std::path::PathBuf::as_path),
        audit_key::KeyUse::Write,
    )
    .await
}

/// Opens and migrates the database at `url` for a command that only reads the audit log: the
/// key is used when there, never made.
pub async fn open_db_reading(url: &str) -> anyhow::Result<Db> {
    open_db_with(
        url,
        AUDIT_KEY_FILE.get().map(std::path::PathBuf::as_path),
        audit_key::KeyUse::Read,
    )
    .await
}

/// Opens and migrates the database at `url` with the audit key in `key_file` (or the default
/// place), used as `usage` says.
pub async fn open_db_with(
    url: &str,
    key_file: Option<&std::path::Path>,
    usage: audit_key::KeyUse,
) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))?;
    db.migrate()
        .await
        .context("cannot apply the database migrations")?;
    if let Err(e) = audit_key::load(&db, url, key_file, usage).await {
        db.close().await;
        return Err(e);
    }
    Ok(db)
}

/// A URL with its password hidden, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Application {
    /// Opens the database, applies migrations, fills it with the demo school when asked (and
    /// empty), and binds the listening socket.
    ///
    /// An address other than loopback is refused without `secure_cookies` (the session cookie
    /// would travel in clear on the network) unless `insecure_listen` says so.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let bound = listener.local_addr()?;
        if !bound.ip().is_loopback() && !config.secure_cookies && !config.insecure_listen {
            anyhow::bail!(
                "refusing to listen on {} ({bound}) without --secure-cookies: sessions would \
                 travel in clear on the network. Put a TLS proxy in front and pass \
                 --secure-cookies, listen on 127.0.0.1, or pass --insecure-listen to serve plain \
                 HTTP on the network anyway",
                config.listen
            );
        }
        let db = open_db_with(
            &config.db,
            config.audit_key_file.as_deref(),
            audit_key::KeyUse::Write,
        )
        .await?;
        let app_config = AppConfig {
            login_attempts_per_minute: config.login_attempts_per_minute,
            today: config.today,
            time_zone: config.time_zone.clone(),
            homework_file_max_bytes: config.homework_file_max_bytes,
            webhook_rules: config.notify.webhook_rules.clone(),
            upload_bytes_per_day: config.upload_bytes_per_day,
            ..AppConfig::default()
        };
        // The channels are built once: the worker sends through them, and so does the courier
        // that delivers verification codes the moment the application makes them.
        let channels = std::sync::Arc::new(
            tabel_notify::Channels::new(&config.notify).context("cannot set up notifications")?,
        );
        let mut app = App::new(db.clone(), app_config)
            .with_reports(crate::config::renderer(config.templates_dir.as_deref())?);
        if let Some(clock) = &config.clock {
            app = app.with_clock(clock.clone());
        }
        if channels.has_email() || channels.has_sms() {
            let courier =
                tabel_notify::ChannelCourier::start(channels.clone(), &config.notify.public_url);
            app = app.with_code_courier(std::sync::Arc::new(courier));
        }
        let notifier = config.notify.worker.then(|| {
            tabel_notify::Worker::with_channels(app.clone(), config.notify.clone(), channels)
        });
        if config.demo {
            let mut c = db.acquire().await?;
            let schools = tabel_store::school::count_schools(&mut c.conn()).await?;
            drop(c);
            if schools == 0 {
                let started = std::time::Instant::now();
                let summary = tabel_demo::generate(
                    &db,
                    &tabel_demo::DemoOptions {
                        schools: 1,
                        seed: config.seed,
                        today: app.today(),
                    },
                )
                .await
                .context("cannot generate the demo school")?;
                tracing::info!(
                    students = summary.students,
                    staff = summary.staff,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "demo school generated; log in as admin, zavuch, teacher, classteacher, parent, student or refuser with password \"demo\""
                );
            } else {
                tracing::info!("the database already holds data; --demo leaves it as it is");
            }
        }
        let web = WebConfig {
            secure_cookies: config.secure_cookies,
            trusted_proxies: config.trusted_proxies.clone(),
            metrics_token: config.metrics_token.clone(),
        };
        Ok(Application {
            listener,
            state: AppState::new(app, web),
            db,
            notifier,
            retention: config.retention_job.then_some(config.retention),
        })
    }

    /// The port actually bound (for `--listen 127.0.0.1:0`).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The address bound.
    pub fn address(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight and closes the
    /// database (checkpointing SQLite's WAL).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes (tests stop the server this way).
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = self.state.app.clone();
        let router = tabel_web::router(self.state);
        // The worker stops with the server: it finishes the round in progress, then returns.
        let (stopped, stopping) = tokio::sync::watch::channel(false);
        let retention = self
            .retention
            .map(|policy| tokio::spawn(retention_job(app.clone(), policy, stopping.clone())));
        let clock = tokio::spawn(school_clock(app, stopping.clone()));
        let notifier = self.notifier.map(|w| {
            let mut stopping = stopping.clone();
            tokio::spawn(w.run(async move {
                let _ = stopping.wait_for(|s| *s).await;
            }))
        });
        let served = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop)
        .await;
        let _ = stopped.send(true);
        if let Some(task) = notifier {
            let _ = task.await;
        }
        let _ = clock.await;
        if let Some(task) = retention {
            let _ = task.await;
        }
        served.context("the server failed")?;
        self.db.close().await;
        Ok(())
    }
}

/// How often the school's clock looks for what fell due (deferrals that ended without a mark).
const CLOCK_TICK: std::time::Duration = std::time::Duration::from_secs(600);

/// The school's clock: at start and every [`CLOCK_TICK`], reminders of deferrals that ended
/// without a mark go out (once each). Stops with the server.
async fn school_clock(app: tabel_app::App, mut stopping: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(CLOCK_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopping.wait_for(|s| *s) => return,
        }
        match app.remind_deferrals().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                reminders = n,
                "deferrals ended without a mark: reminders sent"
            ),
            Err(e) => tracing::warn!(error = %e, "deferral reminders failed; retrying later"),
        }
    }
}

/// How often the retention job runs.
const RETENTION_TICK: std::time::Duration = std::time::Duration::from_secs(3600);

/// The retention job: at start and every [`RETENTION_TICK`], forgets what the policy keeps no
/// longer (see [`tabel_app::retention`]), as of the application's "now". Stops with the server.
async fn retention_job(
    app: tabel_app::App,
    policy: tabel_app::retention::RetentionPolicy,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(RETENTION_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopping.wait_for(|s| *s) => return,
        }
        match app.run_retention(policy, app.now(), false).await {
            Ok(r) if r == tabel_app::retention::RetentionReport::default() => {}
            Ok(r) => tracing::info!(
                sessions = r.sessions,
                session_addresses = r.session_addresses,
                throttles = r.throttles,
                deliveries = r.deliveries,
                audit_addresses = r.audit_addresses,
                "retention: expired data removed or redacted"
            ),
            Err(e) => tracing::warn!(error = %e, "the retention job failed; retrying later"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            redact("postgres://tabel:secret@db:5432/tabel"),
            "postgres://tabel:***@db:5432/tabel"
        );
        assert_eq!(
            redact("postgres://tabel@db/tabel"),
            "postgres://tabel@db/tabel"
        );
        assert_eq!(redact("sqlite://tabel.db"), "sqlite://tabel.db");
    }
}
