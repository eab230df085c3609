//! `tabel exams import`: exam results from a file on the server's command line, as the system
//! (the operator has the database). A refused file prints every error with the file, row and
//! column on stderr and exits non-zero; nothing is stored.

use super::DbArg;
use anyhow::{Context, bail};
use clap::Subcommand;
use std::path::PathBuf;
use tabel::config::parse_time_zone;
use tabel::open_db;
use tabel_app::exams::ExamImport;
use tabel_app::{App, AppConfig, AppError};
use tabel_domain::calendar::TimeZoneName;
use tabel_domain::exams::{self as rules, ExamKind};

#[derive(Subcommand)]
pub(crate) enum ExamsCommand {
    /// Import exam results from a CSV or XLSX file. The header row names the columns: ФИО (or
    /// Фамилия, Имя, Отчество), optionally Класс and Дата рождения, Предмет, Дата, Первичный
    /// балл, Отметка (ЕГЭ: Тестовый балл; собеседование: зачёт/незачёт).
    Import {
        #[command(flatten)]
        db: DbArg,
        /// Which exam: oge, ege, vpr, interview or school.
        #[arg(long)]
        exam: String,
        /// The results file (.csv or .xlsx, at most 2 MB).
        #[arg(long)]
        file: PathBuf,
        /// When the school received the results: 2026-11-27T10:00:00+03:00, or the school's
        /// local time "2026-11-27 10:00". Default: now. The day to publish counts from it.
        #[arg(long, value_name = "WHEN")]
        received_at: Option<String>,
        /// Make the results visible to pupils and parents at once (otherwise publish them in the
        /// web interface, /exams, within a day).
        #[arg(long)]
        publish: bool,
        /// School number in the database (needed only when it holds several schools).
        #[arg(long)]
        school: Option<String>,
        /// Time zone of the school, for --received-at without an offset (default Europe/Moscow
        /// or `time_zone` from tabel.toml).
        #[arg(long, env = "TABEL_TIME_ZONE", value_name = "ZONE", value_parser = parse_time_zone)]
        time_zone: Option<TimeZoneName>,
    },
}

pub(crate) async fn run(command: ExamsCommand) -> anyhow::Result<i32> {
    let ExamsCommand::Import {
        db,
        exam,
        file,
        received_at,
        publish,
        school,
        time_zone,
    } = command;
    let (url, config) = db.resolve()?;
    let zone = match (time_zone, config.time_zone.as_deref()) {
        (Some(z), _) => z,
        (None, Some(raw)) => {
            parse_time_zone(raw).map_err(|e| anyhow::anyhow!("tabel.toml: time_zone: {e}"))?
        }
        (None, None) => TimeZoneName::MOSCOW,
    };
    let Some(kind) = ExamKind::parse(&exam) else {
        bail!("--exam {exam:?}: use oge, ege, vpr, interview or school");
    };
    let received_at = match received_at.as_deref() {
        None => None,
        Some(raw) => Some(rules::parse_received_at(raw, &zone).with_context(|| {
            format!("--received-at {raw:?}: use 2026-11-27T10:00:00+03:00 or \"2026-11-27 10:00\"")
        })?),
    };
    let school = match school.as_deref() {
        None => None,
        Some(s) => Some(
            s.parse()
                .map_err(|_| anyhow::anyhow!("--school {s:?} is not a school number"))?,
        ),
    };
    let shown = file.display().to_string();
    let Some(bytes) = tabel::read_capped(&file, tabel_app::exams::MAX_FILE_BYTES)? else {
        anyhow::bail!(
            "{shown}: at most {} MB",
            tabel_app::exams::MAX_FILE_BYTES / 1024 / 1024
        );
    };
    let app = App::new(
        open_db(&url).await?,
        AppConfig {
            time_zone: zone.clone(),
            ..AppConfig::default()
        },
    );
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let result = app
        .system_import_exam_results(
            school,
            ExamImport {
                exam: kind,
                received_at,
                publish,
                file_name,
                bytes,
            },
        )
        .await;
    app.db().close().await;
    let summary = match result {
        Ok(s) => s,
        Err(AppError::Invalid(errors)) => {
            for (place, message) in &errors {
                eprintln!("{shown}: {place}: {message}");
            }
            bail!("{shown}: {} error(s); nothing was imported", errors.len());
        }
        Err(AppError::Conflict(why)) => bail!("{shown}: {why}; nothing was imported"),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("{shown}: not imported"))),
    };
    let local = |at| tabel_present::date_time(zone.local(at));
    println!(
        "Imported {} {} result(s) from {} as batch {} (received {}).",
        summary.batch.rows,
        kind.russian(),
        summary.batch.file_name,
        summary.batch.id,
        local(summary.batch.received_at)
    );
    if summary.published > 0 {
        println!("Published: pupils and parents see them now.");
    } else {
        println!(
            "Held back: publish them by {} (web interface: /exams).",
            local(summary.due_at)
        );
    }
    if !summary.other_subjects.is_empty() {
        println!(
            "Subjects not in the school's list (kept as written): {}.",
            summary.other_subjects.join(", ")
        );
    }
    Ok(0)
}
