//! `tabel backup` and `tabel restore`: a copy of the whole database taken while the server runs,
//! and that copy put back into an empty database, checked before it is trusted.
//!
//! SQLite copies itself (`VACUUM INTO`, one read transaction; writers go on). PostgreSQL is
//! copied by its own tools, `pg_dump` in the custom format and `pg_restore`, found on the
//! `PATH` (Debian's `postgresql-client`); a base backup with WAL archiving
//! (`pg_basebackup`) is the route for point-in-time recovery, described in docs/DEPLOYMENT.md.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use tabel::open_db_reading;
use tabel_app::{App, AppConfig};
use tabel_store::Db;

/// What a backup file is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    PgDump,
}

fn kind_of(file: &Path) -> anyhow::Result<Kind> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .with_context(|| format!("{}: cannot read the file", file.display()))?;
    match &head[..n] {
        h if h.starts_with(b"SQLite format 3\0") => Ok(Kind::Sqlite),
        h if h.starts_with(b"PGDMP") => Ok(Kind::PgDump),
        _ => bail!(
            "{}: not a Tabel backup (neither a SQLite database nor a pg_dump archive)",
            file.display()
        ),
    }
}

/// A file beside `path`, moved over it when done: nobody finds half a backup.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn pg_tool(name: &str) -> PathBuf {
    // Debian's wrapper on the PATH picks the cluster's version; a bare server install has the
    // tools only in its own folder.
    if Command::new(name).arg("--version").output().is_ok() {
        return PathBuf::from(name);
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .rev()
        .map(|d| d.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from(name))
}

fn run_tool(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| {
        format!(
            "{what}: cannot run {:?} (install postgresql-client)",
            cmd.get_program()
        )
    })?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// `tabel backup -o FILE`: the database as it is now, into FILE (which must not exist).
pub async fn backup(url: &str, output: &Path) -> anyhow::Result<()> {
    if output.exists() {
        bail!(
            "{}: the file exists; a backup never overwrites one",
            output.display()
        );
    }
    let temp = partial(output);
    let _ = std::fs::remove_file(&temp);
    let db = open_db_reading(url).await?;
    let started = std::time::Instant::now();
    if db.backup_into(&temp).await?.is_none() {
        db.close().await;
        run_tool(
            Command::new(pg_tool("pg_dump"))
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(&temp)
                .arg(url),
            "pg_dump",
        )?;
    } else {
        db.close().await;
    }
    std::fs::rename(&temp, output)
        .with_context(|| format!("{}: cannot write", output.display()))?;
    let size = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up to {} ({:.1} MB in {:.1} s). Restore it with: tabel restore {} --db URL",
        output.display(),
        size as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64(),
        output.display()
    );
    Ok(())
}

/// `tabel restore FILE`: the backup into the database at `url`, which must be empty (a new
/// SQLite file, or a new PostgreSQL database); then migrated to this version and checked.
pub async fn restore(url: &str, file: &Path) -> anyhow::Result<()> {
    let kind = kind_of(file)?;
    let target_file = Db::sqlite_file(url);
    match (kind, &target_file) {
        (Kind::Sqlite, None) | (Kind::PgDump, Some(_)) => bail!(
            "{}: a backup restores into the engine it came from (a SQLite file into sqlite://…, \
             a pg_dump archive into postgres://…)",
            file.display()
        ),
        _ => {}
    }
    let checked_url = match &target_file {
        Some(target) => {
            if target.exists() && std::fs::metadata(target).map(|m| m.len()).unwrap_or(0) > 0 {
                bail!(
                    "{}: the database file exists; restore into a new file and swap them while \
                     the server is stopped",
                    target.display()
                );
            }
            let temp = partial(target);
            let _ = std::fs::remove_file(&temp);
            std::fs::copy(file, &temp)
                .with_context(|| format!("{}: cannot write", temp.display()))?;
            format!("sqlite://{}", temp.display())
        }
        None => {
            let db = Db::connect(url)
                .await
                .with_context(|| format!("cannot open {url}"))?;
            let holds = db.holds_tables().await?;
            db.close().await;
            if holds {
                bail!("the database holds tables already; restore into a new, empty database");
            }
            run_tool(
                Command::new(pg_tool("pg_restore"))
                    .args([
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        "--single-transaction",
                        "--dbname",
                    ])
                    .arg(url)
                    .arg(file),
                "pg_restore",
            )?;
            url.to_owned()
        }
    };
    // Migrated to this version, then checked as `tabel audit verify` checks.
    let db = open_db_reading(&checked_url).await?;
    let problems = db.integrity_problems().await?;
    let app = App::new(db.clone(), AppConfig::default());
    let report = app.verify_audit().await?;
    let journal = app.verify_journal().await?;
    db.close().await;
    let sound = problems.is_empty() && report.breaks.is_empty() && journal.mismatched == 0;
    if let Some(target) = &target_file {
        let temp = partial(target);
        if !sound {
            let _ = std::fs::remove_file(&temp);
        } else {
            std::fs::rename(&temp, target)
                .with_context(|| format!("{}: cannot write", target.display()))?;
        }
    }
    if !sound {
        for p in &problems {
            eprintln!("DAMAGED: {p}");
        }
        for b in &report.breaks {
            eprintln!("BROKEN: chain {}, record {}: {}", b.chain, b.seq, b.problem);
        }
        bail!(
            "the backup does not check out ({} integrity problem(s), {} broken chain(s), {} \
             journal row(s) differing from the log){}",
            problems.len(),
            report.breaks.len(),
            journal.mismatched,
            if target_file.is_some() {
                "; nothing was restored"
            } else {
                "; drop the database and restore another backup"
            }
        );
    }
    println!(
        "Restored {}: {} audit chain(s), {} record(s) verified; the journal matches the log.",
        file.display(),
        report.chains,
        report.records
    );
    Ok(())
}
