//! Uploads: files received into a temporary file as they arrive ([`Spool`]), and uploaded
//! tables, a workbook's first sheet read within the reader's fixed budget
//! ([`tabel_reports::workbook`]). The use cases read tables through [`crate::App::run_bounded`],
//! a few at a time, so that a burst of uploads queues instead of multiplying the budget by the
//! number of requests.

use sha2::{Digest, Sha256};
use std::fmt;
use tabel_domain::table::CellError;
use tabel_reports::workbook::{self, Limit, Limits, WorkbookError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A file being received: its bytes go to a temporary file as they arrive, hashed (SHA-256) on
/// the way, and it is refused the moment it passes its cap, so that no request holds a whole
/// file in memory while it arrives. The web layer feeds it only after the caller was found
/// allowed to upload there.
pub struct Spool {
    file: tokio::fs::File,
    path: tempfile::TempPath,
    hasher: Sha256,
    len: usize,
    max: usize,
}

/// A file received whole: where it waits, its size and hash. The temporary file is removed
/// when this is dropped.
pub struct Spooled {
    path: Option<tempfile::TempPath>,
    len: usize,
    sha256: String,
}

/// Why a file could not be received.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// It passed the cap (what arrived so far is thrown away).
    #[error("the file is larger than the limit")]
    TooLarge,
    /// The temporary file could not be written.
    #[error("cannot keep the upload in a temporary file: {0}")]
    Io(#[from] std::io::Error),
}

impl fmt::Debug for Spool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spool")
            .field("len", &self.len)
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Spooled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spooled")
            .field("len", &self.len)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

impl Spool {
    /// An empty temporary file (in the system's temporary folder) taking at most `max` bytes.
    pub fn new(max: usize) -> Result<Spool, SpoolError> {
        let (file, path) = tempfile::NamedTempFile::new()?.into_parts();
        Ok(Spool {
            file: tokio::fs::File::from_std(file),
            path,
            hasher: Sha256::new(),
            len: 0,
            max,
        })
    }

    /// Appends the next bytes; past the cap the whole upload is refused.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), SpoolError> {
        self.len = self.len.saturating_add(chunk.len());
        if self.len > self.max {
            return Err(SpoolError::TooLarge);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(())
    }

    /// The file as received.
    pub async fn finish(mut self) -> Result<Spooled, SpoolError> {
        self.file.flush().await?;
        Ok(Spooled {
            path: Some(self.path),
            len: self.len,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }
}

impl Spooled {
    /// No file at all (a form without one): empty, refused as such by the use cases.
    pub fn nothing() -> Spooled {
        Spooled {
            path: None,
            len: 0,
            sha256: hex::encode(Sha256::digest(b"")),
        }
    }

    /// Bytes received.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was received.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// SHA-256 of the bytes, lowercase hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The bytes, read back for storing (a file is read into memory only once it is accepted:
    /// the database keeps it in a row).
    pub async fn read(&self) -> Result<Vec<u8>, std::io::Error> {
        let Some(path) = &self.path else {
            return Ok(Vec::new());
        };
        let mut bytes = Vec::with_capacity(self.len);
        tokio::fs::File::open(path)
            .await?
            .read_to_end(&mut bytes)
            .await?;
        Ok(bytes)
    }
}

/// The columns an uploaded table may use (A to AF): the widest import has about a dozen.
pub const MAX_COLUMNS: u32 = 32;

/// Whether a file is a ZIP archive (an XLSX workbook) rather than CSV text.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The first sheet's rows as texts (row 1 first, the table's leftmost column first), values
/// placed only up to row `rows`; `too_many` says in the import's words why a later row is
/// refused.
pub fn workbook_rows(
    bytes: &[u8],
    rows: u32,
    too_many: &str,
) -> Result<Vec<Vec<String>>, CellError> {
    let limits = Limits::table(rows, MAX_COLUMNS);
    workbook::read_first_sheet(bytes, &limits).map_err(|e| match e {
        WorkbookError::Cell {
            row,
            column,
            limit: Limit::Rows(_),
        } => CellError {
            row: row as usize,
            column: Some(workbook::column_name(column)),
            message: format!("{too_many} (a file may use rows 1 to {rows})"),
        },
        WorkbookError::Cell { row, column, limit } => CellError {
            row: row as usize,
            column: Some(workbook::column_name(column)),
            message: limit.to_string(),
        },
        other => CellError::whole(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tabel_reports::workbook::craft::hostile;

    #[tokio::test]
    async fn a_spool_hashes_as_it_writes_and_refuses_past_its_cap() {
        let mut spool = Spool::new(10).unwrap();
        spool.write(b"hello ").await.unwrap();
        spool.write(b"tab").await.unwrap();
        let done = spool.finish().await.unwrap();
        assert_eq!(done.len(), 9);
        assert_eq!(done.read().await.unwrap(), b"hello tab");
        assert_eq!(done.sha256(), hex::encode(Sha256::digest(b"hello tab")));
        let mut spool = Spool::new(10).unwrap();
        spool.write(b"0123456789").await.unwrap();
        assert!(matches!(spool.write(b"!").await, Err(SpoolError::TooLarge)));
        assert!(Spooled::nothing().is_empty());
    }

    #[test]
    fn a_value_past_the_last_row_is_named_in_the_imports_words() {
        let e = workbook_rows(&hostile::far_cells(), 2_010, "too many rows").unwrap_err();
        assert_eq!(e.row, 1_048_576);
        assert_eq!(e.column.as_deref(), Some("XFD"));
        assert_eq!(e.message, "too many rows (a file may use rows 1 to 2010)");
        let e = workbook_rows(&hostile::string_bomb(16), 2_010, "too many rows").unwrap_err();
        assert_eq!(e.row, 0);
        assert!(e.message.contains("8 MiB"), "{}", e.message);
    }
}
