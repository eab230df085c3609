//! `tabel year close`: closes a school year from the server's console, as the school's
//! administrator would on the archive page — the archive is built once (journals and summary
//! sheets as PDF per class, the school's statistics as PDF, the JSON export, the manifest) and
//! the year is frozen. Prints the archive's files with their size and SHA-256.

use super::DbArg;
use anyhow::{anyhow, bail};
use clap::Subcommand;
use tabel::config::parse_date;
use tabel::open_db;
use tabel_app::{App, AppConfig};
use tabel_store::closing as repo;
use tabel_store::school as school_repo;
use time::Date;

#[derive(Subcommand)]
pub(crate) enum YearCommand {
    /// Close a school year: build its archive and make it read-only (an administrator can still
    /// correct it with a reason). Refused while a period is open for some class, unless
    /// --anyway.
    Close {
        #[command(flatten)]
        db: DbArg,
        /// The school's id (needed only when the database holds several schools).
        #[arg(long)]
        school: Option<i64>,
        /// The year: its first calendar year (2026) or "2026/2027".
        #[arg(long)]
        year: String,
        /// Close it although some period is still open.
        #[arg(long)]
        anyway: bool,
        /// Pretend today is this date (YYYY-MM-DD), e.g. the demo's pinned date.
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
}

pub(crate) async fn run(command: YearCommand) -> anyhow::Result<i32> {
    let YearCommand::Close {
        db,
        school,
        year,
        anyway,
        today,
    } = command;
    let start: i32 = year
        .split('/')
        .next()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| anyhow!("--year {year:?}: give its first calendar year, e.g. 2026"))?;
    let (url, _) = db.resolve()?;
    let app = App::new(
        open_db(&url).await?,
        AppConfig {
            today,
            ..AppConfig::default()
        },
    );
    let result = close(&app, school, start, anyway).await;
    app.db().close().await;
    result
}

async fn close(app: &App, school: Option<i64>, start: i32, anyway: bool) -> anyhow::Result<i32> {
    let (school, year) = {
        let mut pooled = app.db().acquire().await?;
        let c = &mut pooled.conn();
        let schools = school_repo::list_schools(c).await?;
        let s = match school {
            Some(id) => schools
                .iter()
                .find(|s| s.id.get() == id)
                .ok_or_else(|| anyhow!("no school with id {id}"))?,
            None if schools.len() == 1 => &schools[0],
            None if schools.is_empty() => bail!("the database holds no school"),
            None => bail!("the database holds several schools: give --school"),
        };
        let label = format!("{start}/{}", start + 1);
        let y = repo::years_of_school(c, s.id)
            .await?
            .into_iter()
            .find(|y| y.label == label)
            .ok_or_else(|| anyhow!("{} has no school year {label}", s.name))?;
        (s.name.clone(), y)
    };
    let started = std::time::Instant::now();
    let files = app
        .system_close_year(year.year, anyway)
        .await
        .map_err(|e| anyhow!("{school}, {}: {e}", year.label))?;
    let took = started.elapsed();
    let mut bytes = 0;
    for f in &files {
        bytes += f.size_bytes;
        println!("{}\t{}\t{}", f.sha256, f.size_bytes, f.file_name);
    }
    eprintln!(
        "{school}: the school year {} is closed; {} archive file(s), {:.1} MB, in {:.1} s.",
        year.label,
        files.len(),
        bytes as f64 / 1_048_576.0,
        took.as_secs_f64()
    );
    Ok(0)
}
