//! `tabel extracts` and `tabel archive`: paper extracts and the year-end archive printed from
//! the command line, as the school's operator (administrator rights; the registry and the
//! audit record name no user). Extracts are recorded in the registry with their verification
//! codes exactly as when printed from the web interface.

use super::DbArg;
use anyhow::{Context, anyhow, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use tabel::config::{parse_date, renderer};
use tabel::open_db;
use tabel_app::documents;
use tabel_app::extracts::{ExtractRequest, RangeInput, Target, operator};
use tabel_app::{App, AppConfig, AppError};
use tabel_domain::school::GroupKind;
use tabel_domain::{PeriodId, PersonId, SchoolId};
use tabel_store::school as school_repo;
use time::Date;

/// `tabel extracts`.
#[derive(Args)]
pub(crate) struct ExtractsArgs {
    #[command(flatten)]
    db: DbArg,
    /// Every pupil of a class, e.g. 5А (or --student).
    #[arg(long, conflicts_with = "student", required_unless_present = "student")]
    class: Option<String>,
    /// One pupil: the person id shown in the interface (/students/ID).
    #[arg(long)]
    student: Option<i64>,
    /// With --class: only the pupils whose families get paper (the print queue).
    #[arg(long, requires = "class")]
    only_paper: bool,
    /// The period: its id, or its number in the class's year (2 = the second quarter or
    /// half-year). Default: the current period.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    period: Option<String>,
    /// First day (YYYY-MM-DD), with --to, instead of a period.
    #[arg(long, value_parser = parse_date, requires = "to")]
    from: Option<Date>,
    /// Last day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date, requires = "from")]
    to: Option<Date>,
    /// Include the homework of the range.
    #[arg(long)]
    homework: bool,
    /// To whom the paper is handed (recorded in the registry).
    #[arg(long, value_name = "TEXT", default_value = "")]
    handed_to: String,
    /// School number in the database (needed only when it holds several schools).
    #[arg(long)]
    school: Option<i64>,
    /// Pretend today is this date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    today: Option<Date>,
    /// A folder of PDF templates overriding the embedded ones (or `templates_dir` in
    /// tabel.toml).
    #[arg(long, env = "TABEL_TEMPLATES_DIR", value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    /// Where to write the PDF.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
}

/// `tabel archive`.
#[derive(Args)]
pub(crate) struct ArchiveArgs {
    #[command(flatten)]
    db: DbArg,
    /// The school year, e.g. 2026/2027.
    #[arg(long)]
    year: String,
    /// School number in the database (needed only when it holds several schools).
    #[arg(long)]
    school: Option<i64>,
    /// Pretend today is this date (YYYY-MM-DD): the date printed on the documents.
    #[arg(long, value_parser = parse_date)]
    today: Option<Date>,
    /// A folder of PDF templates overriding the embedded ones.
    #[arg(long, env = "TABEL_TEMPLATES_DIR", value_name = "DIR")]
    templates_dir: Option<PathBuf>,
    /// The folder to write into (created): one folder per class with a PDF per journal and
    /// the summary sheet.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: PathBuf,
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(errors) => anyhow!(
            "{}",
            errors
                .into_iter()
                .map(|(f, m)| format!("--{}: {m}", f.replace('_', "-")))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        AppError::NotFound => anyhow!("no such pupil or class"),
        AppError::Conflict(why) => anyhow!("{why}"),
        other => anyhow::Error::new(other),
    }
}

async fn open(db: &DbArg, today: Option<Date>, dir: Option<PathBuf>) -> anyhow::Result<App> {
    let (url, file) = db.resolve()?;
    let dir = dir.or(file.templates_dir);
    let reports = renderer(dir.as_deref())?;
    Ok(App::new(
        open_db(&url).await?,
        AppConfig {
            today,
            ..AppConfig::default()
        },
    )
    .with_reports(reports))
}

/// A period given by number: the period of that number of the class's grade.
async fn period_id(app: &App, class: &school_repo::Group, raw: &str) -> anyhow::Result<PeriodId> {
    let n: i64 = raw
        .trim()
        .parse()
        .map_err(|_| anyhow!("--period {raw:?}: give its id or its number"))?;
    let mut c = app.db().acquire().await?;
    let c = &mut c.conn();
    let periods = school_repo::list_periods(c, class.year).await?;
    if let Some(p) = periods.iter().find(|p| p.id.get() == n) {
        return Ok(p.id);
    }
    let kind = school_repo::list_parallels(c, class.year)
        .await?
        .into_iter()
        .find(|x| x.grade == class.grade)
        .map(|x| x.period_kind);
    periods
        .iter()
        .find(|p| Some(p.kind) == kind && i64::from(p.number) == n)
        .map(|p| p.id)
        .ok_or_else(|| {
            anyhow!(
                "--period {raw:?}: the class {} has no such period",
                class.name
            )
        })
}

pub(crate) async fn extracts(args: ExtractsArgs) -> anyhow::Result<i32> {
    let app = open(&args.db, args.today, args.templates_dir.clone()).await?;
    let result = run_extracts(&app, &args).await;
    app.db().close().await;
    result
}

async fn run_extracts(app: &App, args: &ExtractsArgs) -> anyhow::Result<i32> {
    let school = args.school.map(SchoolId::new);
    let (target, class) = match (&args.class, args.student) {
        (Some(name), _) => {
            let class = app
                .system_class_by_name(school, name)
                .await
                .map_err(explain)?;
            (
                Target::Class {
                    class: class.id,
                    only_paper: args.only_paper,
                },
                Some(class),
            )
        }
        (None, Some(id)) => {
            let student = PersonId::new(id);
            let mut c = app.db().acquire().await?;
            let class = school_repo::groups_of_student(&mut c.conn(), student, app.today())
                .await?
                .into_iter()
                .find(|g| g.kind == GroupKind::Class);
            (Target::Student(student), class)
        }
        (None, None) => bail!("give --class or --student"),
    };
    let period = match (&args.period, &class) {
        (Some(raw), Some(class)) => Some(period_id(app, class, raw).await?),
        (Some(raw), None) => Some(
            raw.trim()
                .parse()
                .map_err(|_| anyhow!("--period {raw:?}: not a period id"))?,
        ),
        (None, _) => None,
    };
    let req = ExtractRequest {
        range: RangeInput {
            period,
            from: args.from,
            to: args.to,
        },
        homework: args.homework,
        handed_to: args.handed_to.clone(),
    };
    let started = std::time::Instant::now();
    let issued = app
        .system_issue_extracts(target, &req, app.extract_renderer())
        .await
        .map_err(explain)?;
    write(&args.output, &issued.pdf)?;
    println!(
        "Wrote {} extract(s) of {} to {} ({} KiB) in {:.2} s.",
        issued.codes.len(),
        issued.class_name,
        args.output.display(),
        issued.pdf.len() / 1024,
        started.elapsed().as_secs_f64()
    );
    println!("SHA-256: {}", issued.sha256);
    println!(
        "Verification codes: {}",
        issued
            .codes
            .iter()
            .map(|(_, c)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(0)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

pub(crate) async fn archive(args: ArchiveArgs) -> anyhow::Result<i32> {
    let app = open(&args.db, args.today, args.templates_dir.clone()).await?;
    let result = run_archive(&app, &args).await;
    app.db().close().await;
    result
}

async fn run_archive(app: &App, args: &ArchiveArgs) -> anyhow::Result<i32> {
    let (school, classes) = app
        .system_year_classes(args.school.map(SchoolId::new), &args.year)
        .await
        .map_err(explain)?;
    if classes.is_empty() {
        bail!("the school has no classes in {}", args.year);
    }
    let p = operator(school);
    let started = std::time::Instant::now();
    let (mut files, mut bytes) = (0usize, 0usize);
    for class in &classes {
        let dir = args.output.join(documents::file_safe(&class.name));
        let archive = app
            .class_archive(&p, class.id, None)
            .await
            .map_err(explain)
            .with_context(|| format!("class {}", class.name))?;
        let journals = app
            .class_journal_pdfs(&archive)
            .await
            .map_err(explain)
            .with_context(|| format!("class {} journals", class.name))?;
        for (name, pdf) in &journals {
            write(&dir.join(format!("{name}.pdf")), pdf)?;
            files += 1;
            bytes += pdf.len();
        }
        let summary = app
            .summary_document(&p, class.id)
            .await
            .map_err(explain)
            .with_context(|| format!("class {} summary sheet", class.name))?;
        let pdf = app
            .summary_sheet_pdf(&summary)
            .await
            .map_err(explain)
            .with_context(|| format!("{} summary sheet", class.name))?;
        write(&dir.join("svodnaya-vedomost.pdf"), &pdf)?;
        files += 1;
        bytes += pdf.len();
        println!(
            "{}: {} journal(s) and the summary sheet",
            class.name,
            journals.len()
        );
    }
    println!(
        "Archive of {} for {} class(es): {files} PDF file(s), {} MiB, in {} ({:.1} s).",
        args.year,
        classes.len(),
        bytes / (1024 * 1024),
        args.output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}
