//! The audit key: 32 secret bytes in a file outside the database, under which the audit log's
//! records are hashed (an HMAC), so that whoever holds only the database cannot rewrite the
//! log and recompute a chain that verifies.
//!
//! Where it lives: `audit_key_file` in `tabel.toml`, `TABEL_AUDIT_KEY_FILE` or `--audit-key`;
//! for an SQLite database without that setting, `<database file>.audit-key` beside it (made at
//! the first start, mode 0600). PostgreSQL has no file of its own beside which a key could
//! sit, and a key in the working directory would be lost with a container: there the setting
//! is required.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use tabel_store::Db;
use tabel_store::audit::{self, AuditKey, KeyCheck};

/// The setting's names, for messages.
const SETTING: &str = "audit_key_file (tabel.toml), TABEL_AUDIT_KEY_FILE or --audit-key";

/// What a command does with the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// It writes records: the key must be there (made when the database has none yet) and
    /// match the database's.
    Write,
    /// It only reads the log (verify, checkpoint, backup): the key is used when present and
    /// never made; without it keyed records are checked for their links only.
    Read,
}

/// The key file for `url`: the configured one, else `<file>.audit-key` for SQLite.
pub fn key_path(url: &str, configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = configured {
        return Some(p.to_path_buf());
    }
    Db::sqlite_file(url).map(|f| {
        let mut name = f.into_os_string();
        name.push(".audit-key");
        PathBuf::from(name)
    })
}

/// Reads the key, makes it when asked, checks it against the database and holds it in this
/// process's memory. `Ok(None)`: read-only use without a key.
pub async fn load(
    db: &Db,
    url: &str,
    configured: Option<&Path>,
    usage: KeyUse,
) -> anyhow::Result<Option<AuditKey>> {
    let stored = {
        let mut c = db.acquire().await?;
        audit::key_id(&mut c.conn()).await?
    };
    let Some(path) = key_path(url, configured) else {
        if usage == KeyUse::Read {
            return Ok(None);
        }
        bail!(
            "the audit key is not configured: a PostgreSQL database needs {SETTING} naming a \
             file outside the database (made at the first start; keep a copy apart from the \
             database's backups)"
        );
    };
    let shown = path.display();
    let key = match std::fs::read_to_string(&path) {
        Ok(text) => AuditKey::parse(&text).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match (usage, &stored) {
            (KeyUse::Read, _) => return Ok(None),
            (KeyUse::Write, Some(id)) => bail!(
                "the audit key file {shown} is missing, and the audit log is kept under the \
                     key {} — restore the file from its backup (or point {SETTING} at it)",
                short(id)
            ),
            (KeyUse::Write, None) => create(&path)?,
        },
        Err(e) => return Err(e).with_context(|| format!("{shown}: cannot read the audit key")),
    };
    warn_if_readable(&path);
    let id = key.id();
    match &stored {
        Some(s) if *s != id => bail!(
            "the audit key in {shown} (id {}) is not the key the audit log was written under \
             (id {}): give the right file with {SETTING}",
            short(&id),
            short(s)
        ),
        _ => {}
    }
    audit::use_key(key.clone());
    if usage == KeyUse::Write && stored.is_none() {
        let mut tx = db.begin().await?;
        let check = audit::adopt_key(&mut tx.conn(), &key, tabel_store::now_micros()).await?;
        match check {
            KeyCheck::Matches | KeyCheck::Adopted => tx.commit().await?,
            KeyCheck::Other(s) => bail!(
                "the audit key in {shown} is not the audit log's (id {})",
                short(&s)
            ),
            KeyCheck::Lost => bail!(
                "the audit log holds keyed records but the database no longer names their key \
                 (removed behind the application's back): run `tabel audit verify` with the key"
            ),
        }
        tracing::info!(file = %shown, key = %short(&id), "the audit log is kept under this key from now on");
    }
    Ok(Some(key))
}

/// A key's id shortened for messages (enough to tell two apart).
fn short(id: &str) -> &str {
    id.get(..16).unwrap_or(id)
}

/// A new key in a new file, readable by its owner only.
fn create(path: &Path) -> anyhow::Result<AuditKey> {
    use std::io::Write;
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    let key = AuditKey::from_bytes(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("{}: cannot create the audit key", path.display()))?;
    file.write_all(key.to_file_text().as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("{}: cannot write the audit key", path.display()))?;
    tracing::warn!(
        file = %path.display(),
        "a new audit key was made: back it up apart from the database (without it the log's \
         records cannot be verified)"
    );
    Ok(key)
}

#[cfg(unix)]
fn warn_if_readable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path)
        && m.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(file = %path.display(), "the audit key file is readable by others than its owner: chmod 600 it");
    }
}

#[cfg(not(unix))]
fn warn_if_readable(_: &Path) {}
