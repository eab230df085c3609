use crate::{Result, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex as StdMutex};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{Mutex, OwnedMutexGuard};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The database: a pool of SQLite or PostgreSQL connections, chosen once from the URL.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite, WAL mode: the readers' pool, and the writers' pool of one connection. A write
    /// transaction never queues for a connection behind the reads (it would hold the writer gate
    /// meanwhile, and every other writer with it); it takes the writers' connection, which the
    /// gate keeps for one transaction at a time.
    Sqlite(SqlitePool, SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// A connection borrowed for some queries: the repository functions take this.
#[derive(Debug)]
pub enum Conn<'c> {
    /// A SQLite connection.
    Sqlite(&'c mut SqliteConnection),
    /// A PostgreSQL connection.
    Postgres(&'c mut PgConnection),
}

/// A connection held from the pool, for reads outside a transaction.
#[derive(Debug)]
pub enum PoolConn {
    /// SQLite.
    Sqlite(PoolConnection<Sqlite>),
    /// PostgreSQL.
    Postgres(PoolConnection<Postgres>),
}

impl PoolConn {
    /// The connection, for repository calls.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PoolConn::Sqlite(c) => Conn::Sqlite(&mut *c),
            PoolConn::Postgres(c) => Conn::Postgres(&mut *c),
        }
    }
}

/// One writer at a time per SQLite file, queued in the process. SQLite admits one writer; left
/// to itself, a writer that finds the lock taken sleeps in its busy handler (1, 2, 5, 10… ms)
/// and polls, so under load most of the time goes to sleeping. Queuing writers on an async mutex
/// before `BEGIN IMMEDIATE` hands the lock over at once; the busy timeout still covers other
/// processes on the same file (the CLI beside a running server).
static SQLITE_WRITERS: LazyLock<StdMutex<HashMap<PathBuf, Arc<Mutex<()>>>>> =
    LazyLock::new(|| StdMutex::new(HashMap::new()));

fn sqlite_gate(pool: &SqlitePool) -> Arc<Mutex<()>> {
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut gates = SQLITE_WRITERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    gates.entry(file).or_default().clone()
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    /// SQLite, begun with `BEGIN IMMEDIATE` so that a read-then-write waits for the write lock
    /// instead of failing with SQLITE_BUSY; holds the file's in-process writer gate until it ends.
    Sqlite(Transaction<'static, Sqlite>, OwnedMutexGuard<()>),
    /// PostgreSQL, READ COMMITTED.
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// The transaction's connection, for repository calls.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t, _) => Conn::Sqlite(&mut *t),
            Tx::Postgres(t) => Conn::Postgres(&mut *t),
        }
    }

    /// Commits.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, _gate) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// "Now" as both databases store it: UTC, whole microseconds, so that a value read back equals
/// the value written (PostgreSQL keeps microseconds) and hashes over it stay stable.
pub fn now_micros() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

impl Db {
    /// Opens a pool for `sqlite://FILE` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-16000");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .min_connections(1)
                .connect_with(opts.clone())
                .await?;
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_lazy_with(opts);
            Ok(Db::Sqlite(pool, writer))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// The file of a `sqlite://FILE…` URL; `None` for another URL.
    pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
        if !url.starts_with("sqlite:") {
            return None;
        }
        SqliteConnectOptions::from_str(url)
            .ok()
            .map(|o| o.get_filename().to_path_buf())
    }

    /// SQLite: a consistent copy of the whole database in a new file, taken while it serves
    /// (`VACUUM INTO` reads in one transaction; writers go on in the write-ahead log). The copy
    /// is compact and needs no log of its own. `None` for PostgreSQL, whose copies `pg_dump`
    /// makes.
    pub async fn backup_into(&self, to: &std::path::Path) -> Result<Option<()>> {
        let Db::Sqlite(pool, _) = self else {
            return Ok(None);
        };
        let to = to.to_string_lossy().into_owned();
        sqlx::query("VACUUM INTO $1").bind(to).execute(pool).await?;
        Ok(Some(()))
    }

    /// Whether the database holds any table (a restore goes only into an empty one).
    pub async fn holds_tables(&self) -> Result<bool> {
        let n: i64 = match self {
            Db::Sqlite(p, _) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
                    .fetch_one(p)
                    .await?
            }
            Db::Postgres(p) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
                )
                .fetch_one(p)
                .await?
            }
        };
        Ok(n > 0)
    }

    /// SQLite's own check of every page and index (`PRAGMA integrity_check`): the problems it
    /// names, none when the file is sound. PostgreSQL has none to run here.
    pub async fn integrity_problems(&self) -> Result<Vec<String>> {
        let Db::Sqlite(p, _) = self else {
            return Ok(Vec::new());
        };
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(p)
            .await?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations that are not applied yet.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Versions of the migrations this build carries, per backend (they must agree).
    pub fn migration_versions(backend: Backend) -> Vec<(i64, String)> {
        let m = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    /// Borrows a connection for reads.
    pub async fn acquire(&self) -> Result<PoolConn> {
        Ok(match self {
            Db::Sqlite(p, _) => PoolConn::Sqlite(p.acquire().await?),
            Db::Postgres(p) => PoolConn::Postgres(p.acquire().await?),
        })
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(_, writer) => {
                let gate = sqlite_gate(writer).lock_owned().await;
                Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?, gate)
            }
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Closes the pool (on shutdown), checkpointing SQLite's WAL.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, writer) => {
                writer.close().await;
                p.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.acquire().await?;
        let _: i64 = fetch_scalar!(&mut c.conn(), i64, "SELECT CAST(1 AS BIGINT)")?;
        Ok(())
    }
}
