//! `tabel`: the command line. A shim over the library: parse, configure, run, report errors on
//! stderr with a non-zero exit.
#![forbid(unsafe_code)]
// A command-line program: its results and errors are meant for stdout and stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod backup_cli;
mod exams_cli;
mod extracts_cli;
mod finals_cli;
mod notify_cli;
mod region_cli;
mod stats_cli;
mod year_cli;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use tabel::config::{
    DEFAULT_DB, DEFAULT_LISTEN, FileConfig, parse_bytes_per_day, parse_date, parse_file_size,
    parse_time_zone, parse_trusted_proxies,
};
use tabel::{Application, Config, open_db, open_db_reading};
use tabel_app::admin::{NewAccount, NewSchoolInput};
use tabel_app::setup::Upload;
use tabel_app::{App, AppConfig, AppError};
use tabel_domain::SchoolId;
use tabel_domain::calendar::TimeZoneName;
use time::Date;

/// Tabel: the electronic class journal and diary of a school (SQLite) or a region (PostgreSQL).
#[derive(Parser)]
#[command(name = "tabel", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArg {
    /// Database: sqlite://FILE (created if missing) or postgres://USER:PASSWORD@HOST/DB.
    /// Default: sqlite://tabel.db in the current directory, or `db` from tabel.toml.
    #[arg(long, env = "TABEL_DB", value_name = "URL")]
    db: Option<String>,
    /// Configuration file (default: ./tabel.toml if present).
    #[arg(long, env = "TABEL_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// The audit key file (kept outside the database). Default: `audit_key_file` from
    /// tabel.toml, else FILE.audit-key beside an SQLite database (made at the first start);
    /// required for PostgreSQL.
    #[arg(long = "audit-key", env = "TABEL_AUDIT_KEY_FILE", value_name = "FILE")]
    audit_key: Option<PathBuf>,
}

impl DbArg {
    fn resolve(&self) -> anyhow::Result<(String, FileConfig)> {
        let file = FileConfig::load(self.config.as_deref())?;
        if let Some(key) = self
            .audit_key
            .clone()
            .or_else(|| file.audit_key_file.clone())
        {
            tabel::set_audit_key_file(key);
        }
        let db = self
            .db
            .clone()
            .or_else(|| file.db.clone())
            .unwrap_or_else(|| DEFAULT_DB.to_owned());
        Ok((db, file))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (interface for teachers, families and the administration, and the API).
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address and port to listen on. Use 0.0.0.0:8080 to accept connections from the network
        /// (put a TLS proxy in front and pass --secure-cookies).
        #[arg(long, env = "TABEL_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
        /// Fill an empty database with the demo school first (logins: admin, zavuch, teacher,
        /// classteacher, parent, student, refuser; password "demo").
        #[arg(long)]
        demo: bool,
        /// Seed of the demo school.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Pretend today is this date (YYYY-MM-DD), e.g. to show the demo on a fixed day.
        #[arg(long, env = "TABEL_TODAY", value_parser = parse_date)]
        today: Option<Date>,
        /// The server is reached over HTTPS: mark cookies Secure (and use the __Host- prefix) and
        /// send Strict-Transport-Security. Required to listen on an address other than loopback.
        #[arg(long, env = "TABEL_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Listen on a network address without --secure-cookies all the same (plain HTTP: the
        /// session cookie travels in clear).
        #[arg(long, env = "TABEL_INSECURE_LISTEN")]
        insecure_listen: bool,
        /// Reverse proxies whose Forwarded / X-Forwarded-For headers name the client, as
        /// addresses or networks, comma-separated (e.g. 127.0.0.1,10.0.0.0/8). From anyone else
        /// those headers are ignored.
        #[arg(
            long,
            env = "TABEL_TRUSTED_PROXIES",
            value_name = "LIST",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<String>,
        /// The bearer token a Prometheus scraper sends for /metrics; without one /metrics is
        /// not served.
        #[arg(
            long,
            env = "TABEL_METRICS_TOKEN",
            value_name = "TOKEN",
            hide_env_values = true
        )]
        metrics_token: Option<String>,
        /// Time zone of the schools, e.g. Asia/Yekaterinburg (decides when "today" begins).
        #[arg(long, env = "TABEL_TIME_ZONE", value_name = "ZONE", value_parser = parse_time_zone)]
        time_zone: Option<TimeZoneName>,
        /// The largest file a teacher may attach to a lesson's homework, in bytes (default
        /// 10485760 = 10 MiB; at most 256 MiB).
        #[arg(long, env = "TABEL_HOMEWORK_FILE_MAX_BYTES", value_name = "BYTES", value_parser = parse_file_size)]
        homework_file_max_bytes: Option<usize>,
        /// The bytes one user may upload a day, homework files and consent scans together
        /// (default 209715200 = 200 MiB); past it uploads are refused until the next day.
        #[arg(long, env = "TABEL_UPLOAD_BYTES_PER_DAY", value_name = "BYTES", value_parser = parse_bytes_per_day)]
        upload_bytes_per_day: Option<u64>,
        /// A folder of PDF templates (extract.typ, summary_sheet.typ, consent_form.typ,
        /// journal_archive.typ, common.typ) overriding the embedded ones by file name.
        #[arg(long, env = "TABEL_TEMPLATES_DIR", value_name = "DIR")]
        templates_dir: Option<PathBuf>,
        #[command(flatten)]
        notify: notify_cli::NotifyArgs,
    },
    /// Create or update the database's tables to this version of Tabel.
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Fill an EMPTY database with a realistic demo school (or a region of several schools).
    Demo {
        #[command(flatten)]
        db: DbArg,
        /// Number of schools (one region).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=500))]
        schools: u32,
        /// Seed: the same seed and date always give the same school.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The academic year is the one containing this date (YYYY-MM-DD). Default: today.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Set up schools: `tabel school add` creates a school with its first administrator.
    School {
        #[command(subcommand)]
        command: SchoolCommand,
    },
    /// Import a school's lists from a workbook (.xlsx, one sheet per list) or CSV files named
    /// after their lists (pupils.csv, Ученики.csv …) or a folder of them: a preview with
    /// --dry-run, else all or nothing. Problems name the sheet, row and column.
    Import {
        #[command(flatten)]
        db: DbArg,
        /// The workbook, CSV files or a folder holding them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The school's number (needed when the database holds more than one).
        #[arg(long)]
        school: Option<String>,
        /// Show what would be created and updated, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import into the academic year containing this date (YYYY-MM-DD), with changes
        /// taking effect from it. Default: today.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Regional administrators: `tabel region admin add` (they create the region's schools at
    /// /region).
    Region {
        #[command(subcommand)]
        command: region_cli::RegionCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// A consistent copy of the whole database, taken while the server runs: SQLite copies
    /// itself, PostgreSQL through pg_dump (custom format).
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The backup file (must not exist).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Put a backup into a new, empty database (a new SQLite file, or a new PostgreSQL
    /// database), migrate it to this version and check it (integrity, audit chains, the
    /// journal against the log) before it is used.
    Restore {
        #[command(flatten)]
        db: DbArg,
        /// A file written by `tabel backup`.
        file: PathBuf,
    },
    /// Forget what is kept no longer (sessions, client addresses, the delivery log).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Statistics of a school (or a class, parallel, subject, teacher) for a period: results,
    /// curriculum compliance, lesson types, attendance; `--xlsx FILE` writes every table.
    Stats(stats_cli::StatsArgs),
    /// Paper extracts (выписки) of a class or a pupil for a period, as one PDF; each is recorded
    /// in the registry with its verification code.
    Extracts(extracts_cli::ExtractsArgs),
    /// The year-end archive on paper: every class journal and the summary sheets, as PDF files.
    Archive(extracts_cli::ArchiveArgs),
    /// Exam results (ОГЭ, ЕГЭ, ВПР, собеседование, school exams).
    Exams {
        #[command(subcommand)]
        command: exams_cli::ExamsCommand,
    },
    /// Final marks.
    Finals {
        #[command(subcommand)]
        command: FinalsCommand,
    },
    /// School years: closing one (its archive is built and it becomes read-only).
    Year {
        #[command(subcommand)]
        command: year_cli::YearCommand,
    },
    /// Notifications to families (e-mail, SMS) and services (webhooks).
    Notify {
        #[command(subcommand)]
        command: notify_cli::NotifyCommand,
    },
}

#[derive(Subcommand)]
enum FinalsCommand {
    /// List the journal's proposals for a reporting period (nothing is written).
    Propose {
        #[command(flatten)]
        db: DbArg,
        /// The school's id (the first school when absent).
        #[arg(long)]
        school: Option<i64>,
        /// A class, e.g. 5А (the whole school when absent).
        #[arg(long)]
        class: Option<String>,
        /// The period: its id, or its number (1 = the first quarter or half-year).
        #[arg(long)]
        period: String,
        /// Pretend today is this date (YYYY-MM-DD).
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
}

#[derive(Subcommand)]
enum SchoolCommand {
    /// Create a school and its first administrator's account (the password is read from
    /// standard input). The administrator then sets the school up in the browser.
    Add {
        #[command(flatten)]
        db: DbArg,
        /// Full name, e.g. "МБОУ «Средняя общеобразовательная школа № 5»".
        #[arg(long)]
        name: String,
        /// Short name, e.g. "СОШ № 5".
        #[arg(long)]
        short_name: String,
        /// Region, e.g. "Свердловская область" (found by name, or added).
        #[arg(long)]
        region: String,
        /// Municipality, e.g. "г. Екатеринбург" (found by name in the region, or added).
        #[arg(long)]
        municipality: String,
        /// Time zone of the school, e.g. Asia/Yekaterinburg.
        #[arg(long, default_value = "Europe/Moscow")]
        time_zone: String,
        /// Login of the first administrator (Latin letters, digits, . - _).
        #[arg(long)]
        admin_login: String,
        /// The administrator's name shown in the interface, e.g. "Иванова А. С.".
        #[arg(long)]
        admin_name: String,
    },
    /// Write the school's lists as they stand today to FILE, in the set-up workbook's format:
    /// edit it and bring it back with `tabel import`.
    Export {
        #[command(flatten)]
        db: DbArg,
        /// Where to write it, e.g. school.xlsx.
        file: PathBuf,
        /// The school's number (needed when the database holds more than one).
        #[arg(long)]
        school: Option<String>,
        /// The lists as of this date (YYYY-MM-DD). Default: today.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Write the set-up workbook's template (a sheet per list, an example row each) to FILE,
    /// to fill in and bring back with `tabel import`.
    Template {
        /// Where to write it, e.g. school.xlsx.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArg,
        /// Login (Latin letters, digits, . - _).
        login: String,
        /// Name shown in the interface, e.g. "Иванова А. С.".
        #[arg(long)]
        name: String,
        /// Role in the school: admin, deputy or teacher (repeat for several).
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// School number in the database (needed only when it holds several schools).
        #[arg(long)]
        school: Option<String>,
        /// The person in the school's records this account belongs to.
        #[arg(long)]
        person: Option<String>,
    },
    /// Set a new password (read from standard input); the user's sessions end.
    Passwd {
        #[command(flatten)]
        db: DbArg,
        /// Login.
        login: String,
    },
    /// Lock an account: it cannot log in and its sessions end.
    Lock {
        #[command(flatten)]
        db: DbArg,
        /// Login.
        login: String,
    },
    /// Unlock an account (also clears a lock after failed logins).
    Unlock {
        #[command(flatten)]
        db: DbArg,
        /// Login.
        login: String,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Forget now what the retention periods keep no longer (`[retention]` in tabel.toml):
    /// expired sessions, client addresses (sessions, login throttles, the audit log, where they
    /// are redacted), the delivery log of notifications; print what went, per kind.
    Run {
        #[command(flatten)]
        db: DbArg,
        /// Only count what would go.
        #[arg(long)]
        dry_run: bool,
        /// The moment to count the periods from (RFC 3339), instead of now.
        #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
        now: Option<time::OffsetDateTime>,
    },
}

fn parse_instant(raw: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| format!("{raw:?} is not an instant; use RFC 3339, e.g. 2026-11-28T12:00:00Z"))
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every school's audit chain, check it against checkpoints kept outside the
    /// database, and compare the journal's marks and attendance with what the log last recorded
    /// of them; exit 1 naming what is broken.
    Verify {
        #[command(flatten)]
        db: DbArg,
        /// A file written by `tabel audit checkpoint` earlier: every record up to each chain's
        /// position then must still be there, unchanged.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
    },
    /// Print where every chain stands (chain, position, hash of its last record), to keep
    /// outside the database (another machine, a printout): `tabel audit verify --checkpoint`
    /// then finds any record up to it rewritten, even with the chain recomputed.
    Checkpoint {
        #[command(flatten)]
        db: DbArg,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("TABEL_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("TABEL_LOG_FORMAT").is_ok_and(|v| v == "json");
    // Colour codes only for a person at a terminal: a journal (systemd, a container's log) keeps
    // plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn read_password(prompt: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt} (the text will be visible): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(password)
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(errors) => {
            let list: Vec<String> = errors
                .into_iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect();
            anyhow::anyhow!("invalid input: {}", list.join("; "))
        }
        AppError::NotFound => anyhow::anyhow!("no such account"),
        other => anyhow::Error::new(other),
    }
}

async fn app_for(db: &DbArg) -> anyhow::Result<App> {
    let (url, _) = db.resolve()?;
    Ok(App::new(open_db(&url).await?, AppConfig::default()))
}

/// An application over the database for a command that only reads the audit log.
async fn reader_for(db: &DbArg) -> anyhow::Result<App> {
    let (url, _) = db.resolve()?;
    Ok(App::new(open_db_reading(&url).await?, AppConfig::default()))
}

async fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            demo,
            seed,
            today,
            secure_cookies,
            insecure_listen,
            trusted_proxies,
            metrics_token,
            time_zone,
            homework_file_max_bytes,
            upload_bytes_per_day,
            templates_dir,
            notify,
        } => {
            let (url, file) = db.resolve()?;
            let notify = notify_cli::resolve(&notify, file.notify.as_ref())?;
            let retention = file.retention.unwrap_or_default();
            let config = Config {
                audit_key_file: db.audit_key.clone().or(file.audit_key_file),
                retention: retention
                    .policy()
                    .map_err(|e| anyhow::anyhow!("tabel.toml: {e}"))?,
                retention_job: retention.job.unwrap_or(true),
                db: url,
                listen: listen
                    .or(file.listen)
                    .unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
                demo,
                seed,
                today,
                secure_cookies: secure_cookies || file.secure_cookies.unwrap_or(false),
                insecure_listen: insecure_listen || file.insecure_listen.unwrap_or(false),
                trusted_proxies: if trusted_proxies.is_empty() {
                    parse_trusted_proxies(file.trusted_proxies.as_deref().unwrap_or_default())
                        .map_err(|e| anyhow::anyhow!("tabel.toml: trusted_proxies: {e}"))?
                } else {
                    parse_trusted_proxies(&trusted_proxies)
                        .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?
                },
                metrics_token: metrics_token
                    .as_deref()
                    .or(file.metrics_token.as_ref().map(|t| t.0.as_str()))
                    .and_then(tabel_web::MetricsToken::new),
                login_attempts_per_minute: AppConfig::default().login_attempts_per_minute,
                time_zone: match (time_zone, file.time_zone.as_deref()) {
                    (Some(z), _) => z,
                    (None, Some(raw)) => parse_time_zone(raw)
                        .map_err(|e| anyhow::anyhow!("tabel.toml: time_zone: {e}"))?,
                    (None, None) => TimeZoneName::MOSCOW,
                },
                homework_file_max_bytes: match (
                    homework_file_max_bytes,
                    file.homework_file_max_bytes,
                ) {
                    (Some(n), _) => n,
                    (None, Some(n)) => parse_file_size(&n.to_string())
                        .map_err(|e| anyhow::anyhow!("tabel.toml: homework_file_max_bytes: {e}"))?,
                    (None, None) => tabel_app::homework_files::DEFAULT_MAX_BYTES,
                },
                upload_bytes_per_day: match (upload_bytes_per_day, file.upload_bytes_per_day) {
                    (Some(n), _) => n,
                    (None, Some(n)) => parse_bytes_per_day(&n.to_string())
                        .map_err(|e| anyhow::anyhow!("tabel.toml: upload_bytes_per_day: {e}"))?,
                    (None, None) => tabel_app::homework_files::DEFAULT_BYTES_PER_DAY,
                },
                templates_dir: templates_dir.or(file.templates_dir),
                notify,
                clock: None,
            };
            let app = Application::build(config).await?;
            if let Some(addr) = app.address() {
                println!("Tabel is running: open http://{addr}/ in a browser (Ctrl-C stops it).");
                if demo {
                    println!(
                        "Demo logins: admin, zavuch, teacher, classteacher, parent, student, refuser — password: demo"
                    );
                }
            }
            app.run_until_stopped().await?;
            Ok(0)
        }
        Command::Migrate { db } => {
            let (url, _) = db.resolve()?;
            open_db_reading(&url).await?.close().await;
            println!("The database {} is up to date.", tabel::redact(&url));
            Ok(0)
        }
        Command::Demo {
            db,
            schools,
            seed,
            today,
        } => {
            let (url, _) = db.resolve()?;
            let database = open_db(&url).await?;
            let today =
                today.unwrap_or_else(|| App::new(database.clone(), AppConfig::default()).today());
            let started = std::time::Instant::now();
            let result = tabel_demo::generate(
                &database,
                &tabel_demo::DemoOptions {
                    schools,
                    seed,
                    today,
                },
            )
            .await;
            database.close().await;
            let summary = match result {
                Ok(s) => s,
                Err(e) => bail!("{e}"),
            };
            println!(
                "Generated {} school(s): {} students, {} staff, {} parents, {} accounts, {} marks in {:.1} s.",
                summary.schools,
                summary.students,
                summary.staff,
                summary.parents,
                summary.accounts,
                summary.marks,
                started.elapsed().as_secs_f64()
            );
            println!(
                "Demo logins (password \"demo\"): {}",
                tabel_demo::DEMO_LOGINS.join(", ")
            );
            Ok(0)
        }
        Command::School { command } => school(command).await,
        Command::Import {
            db,
            files,
            school,
            dry_run,
            today,
        } => import(db, files, school, dry_run, today).await,
        Command::User { command } => user(command).await,
        Command::Region { command } => region_cli::run(command).await,
        Command::Stats(args) => stats_cli::run(args).await,
        Command::Exams { command } => exams_cli::run(command).await,
        Command::Extracts(args) => extracts_cli::extracts(args).await,
        Command::Archive(args) => extracts_cli::archive(args).await,
        Command::Notify { command } => notify_cli::run(command).await,
        Command::Year { command } => year_cli::run(command).await,
        Command::Finals {
            command:
                FinalsCommand::Propose {
                    db,
                    school,
                    class,
                    period,
                    today,
                },
        } => {
            let (url, _) = db.resolve()?;
            let config = AppConfig {
                today,
                ..AppConfig::default()
            };
            let app = App::new(open_db(&url).await?, config);
            let args = finals_cli::Propose {
                school,
                class: class.as_deref(),
                period: &period,
                today,
            };
            let result = finals_cli::propose(&app, &args).await;
            app.db().close().await;
            result.map(|_| 0)
        }
        Command::Backup { db, output } => {
            let (url, _) = db.resolve()?;
            backup_cli::backup(&url, &output).await.map(|()| 0)
        }
        Command::Restore { db, file } => {
            let (url, _) = db.resolve()?;
            backup_cli::restore(&url, &file).await.map(|()| 0)
        }
        Command::Audit {
            command: AuditCommand::Verify { db, checkpoint },
        } => {
            let points = match &checkpoint {
                Some(path) => {
                    let text = String::from_utf8(
                        tabel::read_capped(path, 16 << 20)?
                            .ok_or_else(|| anyhow::anyhow!("{}: too large", path.display()))?,
                    )
                    .map_err(|_| anyhow::anyhow!("{}: not a text file", path.display()))?;
                    tabel_domain::audit::Checkpoint::parse_file(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
                }
                None => Vec::new(),
            };
            let app = reader_for(&db).await?;
            let report = app.verify_audit().await.map_err(explain)?;
            let anchors = app.verify_checkpoints(&points).await.map_err(explain)?;
            let journal = app.verify_journal().await.map_err(explain)?;
            app.db().close().await;
            for b in report.breaks.iter().chain(&anchors) {
                let record = b.id.map(|id| format!(", row id {id}")).unwrap_or_default();
                eprintln!(
                    "BROKEN: chain {} (school {}), record {}{}: {}",
                    b.chain, b.chain, b.seq, record, b.problem
                );
            }
            for m in &journal.mismatches {
                eprintln!(
                    "DIFFERS: {} {} (school {}): {}",
                    m.entity, m.id, m.school, m.problem
                );
            }
            if journal.mismatched > journal.mismatches.len() as u64 {
                eprintln!(
                    "… and {} more journal rows that differ from the log",
                    journal.mismatched - journal.mismatches.len() as u64
                );
            }
            if report.unchecked > 0 {
                eprintln!(
                    "WARNING: no audit key given (--audit-key, TABEL_AUDIT_KEY_FILE or \
                     audit_key_file; the log's key is {}): the hashes of {} keyed record(s) \
                     cannot be checked, only their links to each other.",
                    report
                        .key_missing
                        .as_deref()
                        .map_or("unknown", |k| k.get(..16).unwrap_or(k)),
                    report.unchecked
                );
            }
            if report.redacted > 0 {
                println!(
                    "{} detail(s) redacted (retention or erasure requests), accepted by their digests.",
                    report.redacted
                );
            }
            for (entity, n) in &journal.unaudited {
                println!(
                    "{n} {entity} row(s) were written by a loader and have no record of their own."
                );
            }
            let broken = !report.breaks.is_empty() || !anchors.is_empty() || journal.mismatched > 0;
            if broken {
                eprintln!(
                    "Audit log damaged: {} of {} chain(s) broken, {} of {} checkpoint(s) not matched, \
                     {} journal row(s) differ ({} record(s) checked).",
                    report.breaks.len(),
                    report.chains,
                    anchors.len(),
                    points.len(),
                    journal.mismatched,
                    report.records
                );
                Ok(1)
            } else {
                println!(
                    "Audit log intact: {} chain(s), {} record(s) verified{}; the journal matches it.",
                    report.chains,
                    report.records,
                    if points.is_empty() {
                        String::new()
                    } else {
                        format!(", {} checkpoint(s) matched", points.len())
                    }
                );
                Ok(0)
            }
        }
        Command::Retention {
            command: RetentionCommand::Run { db, dry_run, now },
        } => {
            let (_, file) = db.resolve()?;
            let policy = file
                .retention
                .unwrap_or_default()
                .policy()
                .map_err(|e| anyhow::anyhow!("tabel.toml: {e}"))?;
            let app = app_for(&db).await?;
            let now = now.unwrap_or_else(|| app.now());
            let result = app.run_retention(policy, now, dry_run).await;
            app.db().close().await;
            let r = result.map_err(explain)?;
            let verb = if dry_run { "would go" } else { "removed" };
            println!(
                "Retention ({} days for sessions, {} for addresses, {} for deliveries), {verb}:",
                policy.sessions_days, policy.addresses_days, policy.deliveries_days
            );
            println!("  sessions: {}", r.sessions);
            println!("  session addresses cleared: {}", r.session_addresses);
            println!("  login throttles: {}", r.throttles);
            println!("  notification deliveries: {}", r.deliveries);
            println!("  audit log addresses redacted: {}", r.audit_addresses);
            Ok(0)
        }
        Command::Audit {
            command: AuditCommand::Checkpoint { db, output },
        } => {
            let app = reader_for(&db).await?;
            let points = app.audit_checkpoint().await.map_err(explain)?;
            app.db().close().await;
            let mut text = format!(
                "# Tabel audit checkpoint, {} UTC: chain, position, hash of the last record\n",
                time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            );
            for p in &points {
                text.push_str(&p.line());
                text.push('\n');
            }
            match output {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("{}: cannot write", path.display()))?;
                    eprintln!("{} chain(s) written to {}.", points.len(), path.display());
                }
                None => print!("{text}"),
            }
            Ok(0)
        }
    }
}

/// The school `--school` names, or the only one the database holds.
async fn one_school(app: &App, school: Option<&str>) -> anyhow::Result<SchoolId> {
    if let Some(s) = school {
        return s
            .parse()
            .map_err(|_| anyhow::anyhow!("--school {s:?} is not a school number"));
    }
    let all = app.system_schools().await.map_err(explain)?;
    match all.as_slice() {
        [one] => Ok(one.id),
        [] => bail!("the database holds no school yet (run `tabel school add`, or `tabel demo`)"),
        many => bail!(
            "the database holds {} schools; choose one with --school (numbers: {})",
            many.len(),
            many.iter()
                .map(|s| s.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The files an import names: each file, and the CSV files of a folder (by name).
fn import_files(paths: &[PathBuf]) -> anyhow::Result<Vec<Upload>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("{}: cannot read the folder", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
                .collect();
            inside.sort();
            if inside.is_empty() {
                bail!("{}: the folder holds no .csv file", path.display());
            }
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    let mut left = tabel_app::setup::MAX_UPLOAD_BYTES;
    let mut out = Vec::new();
    for f in files {
        // What the earlier files took is not left for this one: the import's limit is for all.
        let Some(bytes) = tabel::read_capped(&f, left)? else {
            bail!(
                "{}: the files come to more than {} MB, the most a set-up import may be",
                f.display(),
                tabel_app::setup::MAX_UPLOAD_BYTES >> 20
            );
        };
        left -= bytes.len();
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(Upload { name, bytes });
    }
    Ok(out)
}

async fn import(
    db: DbArg,
    files: Vec<PathBuf>,
    school: Option<String>,
    dry_run: bool,
    today: Option<Date>,
) -> anyhow::Result<i32> {
    let (url, _) = db.resolve()?;
    let config = AppConfig {
        today,
        ..AppConfig::default()
    };
    let app = App::new(open_db(&url).await?, config);
    let school = one_school(&app, school.as_deref()).await?;
    let uploads = import_files(&files)?;
    let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let shown = shown.join(", ");
    let client = tabel_app::Client {
        address: "cli".into(),
        user_agent: "tabel import".into(),
    };
    let report = app
        .system_import_school(school, uploads, !dry_run, &client)
        .await
        .map_err(explain)?;
    println!("School {school}, year {}:", report.year);
    if report.creates_year {
        println!("  the year is created from the federal calendar (periods, holidays, bells)");
    }
    for l in &report.lists {
        println!(
            "  {:<14} {:>5} new, {:>5} updated, {:>5} unchanged",
            l.sheet, l.created, l.updated, l.unchanged
        );
    }
    for c in report.changes.iter().filter(|c| c.action == "update") {
        println!("  «{}», row {}: {} — {}", c.sheet, c.row, c.what, c.detail);
    }
    if !report.errors.is_empty() {
        for e in &report.errors {
            eprintln!("{shown}: {e}");
        }
        if report.more_errors > 0 {
            eprintln!("{shown}: … and {} more problems", report.more_errors);
        }
        eprintln!("Nothing was written: fix the file and import it again.");
        return Ok(1);
    }
    if dry_run {
        println!("Dry run: nothing was written.");
    } else if report.is_unchanged() {
        println!("Nothing to change: the school already holds these lists.");
    } else {
        println!(
            "Imported ({} changes, {} lessons generated).",
            report.changes.len(),
            report.lessons
        );
    }
    Ok(0)
}

async fn school(command: SchoolCommand) -> anyhow::Result<i32> {
    match command {
        SchoolCommand::Add {
            db,
            name,
            short_name,
            region,
            municipality,
            time_zone,
            admin_login,
            admin_name,
        } => {
            let app = app_for(&db).await?;
            let password = read_password("Password for the administrator")?;
            let school = NewSchoolInput {
                name,
                short_name,
                region,
                municipality,
                time_zone,
            };
            let admin = NewAccount {
                login: admin_login.clone(),
                display_name: admin_name,
                password,
                roles: vec!["admin".to_owned()],
                person_id: None,
            };
            let made = app
                .system_create_school(&school, &admin)
                .await
                .map_err(explain)?;
            println!(
                "Created school {} «{}» with its administrator {admin_login} (id {}).",
                made.school, school.short_name, made.admin
            );
            Ok(0)
        }
        SchoolCommand::Export {
            db,
            file,
            school,
            today,
        } => {
            let (url, _) = db.resolve()?;
            let config = AppConfig {
                today,
                ..AppConfig::default()
            };
            let app = App::new(open_db(&url).await?, config);
            let school = one_school(&app, school.as_deref()).await?;
            let bytes = app.system_export_school(school).await.map_err(explain)?;
            std::fs::write(&file, bytes)
                .with_context(|| format!("{}: cannot write the file", file.display()))?;
            println!("Wrote the lists of school {school} to {}.", file.display());
            Ok(0)
        }
        SchoolCommand::Template { file } => {
            let bytes = tabel_app::setup::template().map_err(explain)?;
            std::fs::write(&file, bytes)
                .with_context(|| format!("{}: cannot write the file", file.display()))?;
            println!(
                "Wrote the set-up template to {}: fill in its sheets, then run `tabel import {}`.",
                file.display(),
                file.display()
            );
            Ok(0)
        }
    }
}

async fn user(command: UserCommand) -> anyhow::Result<i32> {
    match command {
        UserCommand::Add {
            db,
            login,
            name,
            roles,
            school,
            person,
        } => {
            let app = app_for(&db).await?;
            let school = one_school(&app, school.as_deref()).await?;
            let password = read_password("Password for the new account")?;
            let account = NewAccount {
                login: login.clone(),
                display_name: name,
                password,
                roles,
                person_id: person,
            };
            let id = app
                .system_create_user(school, &account)
                .await
                .map_err(explain)?;
            println!("Created account {login} (id {id}) in school {school}.");
            Ok(0)
        }
        UserCommand::Passwd { db, login } => {
            let app = app_for(&db).await?;
            let password = read_password("New password")?;
            app.system_reset_password(&login, &password)
                .await
                .map_err(explain)?;
            println!("Password of {login} changed; its sessions have ended.");
            Ok(0)
        }
        UserCommand::Lock { db, login } => {
            let app = app_for(&db).await?;
            app.system_set_locked(&login, true).await.map_err(explain)?;
            println!("Account {login} locked; its sessions have ended.");
            Ok(0)
        }
        UserCommand::Unlock { db, login } => {
            let app = app_for(&db).await?;
            app.system_set_locked(&login, false)
                .await
                .map_err(explain)?;
            println!("Account {login} unlocked.");
            Ok(0)
        }
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(0) => std::process::ExitCode::SUCCESS,
        Ok(code) => std::process::ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
