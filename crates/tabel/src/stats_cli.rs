//! `tabel stats`: the statistics of a school (or a narrower scope) for a period, summarised on
//! standard output and, with `--xlsx`, every table written to one workbook. It runs with the
//! database's own rights, like the other administrative commands.

use anyhow::{Context, bail};
use clap::Args;
use std::path::PathBuf;
use tabel::config::parse_date;
use tabel::open_db;
use tabel_app::stats::{DEFAULT_ABSENCE_THRESHOLD, PeriodChoice, Scope, StatsQuery};
use tabel_app::{App, AppConfig, AppError};
use tabel_domain::finals::hundredths_text;
use time::Date;

/// The arguments of `tabel stats`.
#[derive(Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub db: crate::DbArg,
    /// School number in the database (needed only when it holds several schools).
    #[arg(long)]
    pub school: Option<String>,
    /// A reporting period's id, or `year`; default the current period.
    #[arg(long)]
    pub period: Option<String>,
    /// Narrow to a class (its id).
    #[arg(long)]
    pub class: Option<String>,
    /// Narrow to a parallel (1–11).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=11))]
    pub grade: Option<u8>,
    /// Narrow to a subject (its id).
    #[arg(long)]
    pub subject: Option<String>,
    /// Narrow to a teacher's journals (the person's id).
    #[arg(long)]
    pub teacher: Option<String>,
    /// List pupils who missed more than this percent of their lessons.
    #[arg(long, default_value_t = DEFAULT_ABSENCE_THRESHOLD, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub threshold: u8,
    /// Write every table to this XLSX file.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Count "to date" as of this day (YYYY-MM-DD), e.g. for the demo; default today.
    #[arg(long, value_parser = parse_date)]
    pub today: Option<Date>,
}

fn id<T: std::str::FromStr>(flag: &str, raw: Option<&str>) -> anyhow::Result<Option<T>> {
    raw.map(|s| {
        s.trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("--{flag} {s:?} is not an id"))
    })
    .transpose()
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::NotFound => anyhow::anyhow!("no such school, period, class, subject or teacher"),
        AppError::Invalid(errors) => anyhow::anyhow!(
            "invalid input: {}",
            errors
                .into_iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::Error::new(other),
    }
}

/// Runs `tabel stats`.
pub async fn run(a: StatsArgs) -> anyhow::Result<i32> {
    let (url, _) = a.db.resolve()?;
    let db = open_db(&url).await?;
    let app = App::new(
        db.clone(),
        AppConfig {
            today: a.today,
            ..AppConfig::default()
        },
    );
    let school = match id("school", a.school.as_deref())? {
        Some(s) => s,
        None => {
            let mut c = db.acquire().await?;
            let all = tabel_store::school::list_schools(&mut c.conn()).await?;
            match all.as_slice() {
                [one] => one.id,
                [] => bail!(
                    "the database holds no school yet (run `tabel school add`, or `tabel demo`)"
                ),
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
    };
    let query = StatsQuery {
        scope: Scope {
            school,
            class: id("class", a.class.as_deref())?,
            grade: a.grade,
            subject: id("subject", a.subject.as_deref())?,
            teacher: id("teacher", a.teacher.as_deref())?,
        },
        period: PeriodChoice::parse(a.period.as_deref()).map_err(explain)?,
        absence_threshold: a.threshold,
    };
    let started = std::time::Instant::now();
    let all = app.system_stats(&query).await.map_err(explain)?;
    let took = started.elapsed();
    let pct = |v: Option<u32>| v.map_or_else(|| "—".to_owned(), hundredths_text);
    let f = &all.results.frame;
    println!("{}", f.scope_ru());
    println!(
        "{} ({} – {}), по данным на {}",
        f.period_ru(),
        f.from,
        f.to,
        f.cut.max(f.from).min(f.to)
    );
    let r = &all.results.total;
    println!(
        "Успеваемость: N = {}, успеваемость {} %, качество {} %, СОУ {} %, средний балл {} (по итоговым {}, по журналу {}; осв. {}, без отметок {}, выбыли {})",
        r.n(),
        pct(r.progress()),
        pct(r.quality()),
        pct(r.sou()),
        pct(r.average()),
        r.from_finals,
        r.from_journal,
        r.exempt,
        r.without_marks,
        r.left
    );
    let c = &all.curriculum.total;
    println!(
        "Выполнение программы: план на дату {}, проведено {} (заменой {}), отставание {}",
        c.planned_to_date.unwrap_or(0),
        c.held,
        c.substituted,
        c.lag.unwrap_or(0)
    );
    for t in &all.lesson_types.totals {
        println!(
            "  {}: по КТП на дату {}, проведено {}",
            t.type_name, t.planned_to_date, t.held
        );
    }
    let at = &all.attendance.total;
    println!(
        "Посещаемость: пропущено {} из {} уроков ({} %), учеников выше порога {} %: {}",
        at.missed(),
        at.lessons,
        pct(at.share()),
        all.attendance.threshold,
        all.attendance.pupils.len()
    );
    if let Some(path) = &a.xlsx {
        let tables = all.tables();
        let sheets = tables.len();
        let bytes = tabel_app::documents::sheets::workbook(
            &tables
                .into_iter()
                .map(tabel_app::documents::sheets::Sheet::from)
                .collect::<Vec<_>>(),
        )?;
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        println!("Written: {} ({sheets} sheets).", path.display());
    }
    eprintln!("computed in {} ms", took.as_millis());
    db.close().await;
    Ok(0)
}
