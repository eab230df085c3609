//! Uploads. A file is received into a temporary file as it arrives ([`Spool`]): hashed on the
//! way, cut off at its cap, and only after the caller was found allowed to upload there.
//!
//! The one reader of tables from outside: every import (the thematic plan, exam results, the
//! school's set-up lists) reads its file here, a workbook (XLSX) or CSV alike, within the same
//! caps: the import's rows and columns ([`Caps`]), the file's bytes, and the length of a cell
//! and the bytes of all the texts shared by all ([`tabel_domain::table::CELL_CHARS`],
//! [`tabel_domain::table::TEXT_BYTES`]). A workbook is read by [`tabel_reports::workbook`],
//! which streams its XML through hard stops; CSV by [`tabel_domain::table::records`], one pass
//! holding one field at a time. A refusal names the row and column in the same words whichever
//! format the file came in. The use cases read them through [`crate::App::run_bounded`], a few
//! at a time, so that a burst of uploads queues instead of multiplying the budget by the number
//! of requests.

use sha2::{Digest, Sha256};
use std::fmt;
use tabel_domain::table::{self, Caps, CellError, CsvError};
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

/// One table a file holds: a workbook's sheet (with its name) or a CSV file's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The sheet's name; `None` for a CSV file.
    pub sheet: Option<String>,
    /// Rows as texts, `rows[0]` being row 1.
    pub rows: Vec<Vec<String>>,
}

/// Where a file may be refused: the import's caps, the file's bytes and, in the import's
/// words, why a row past the last is refused.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    /// Rows and columns.
    pub caps: Caps,
    /// Bytes of the file.
    pub max_bytes: usize,
    /// E.g. «too many rows: a plan has at most 500 topics».
    pub too_many_rows: &'a str,
}

/// Whether a file is a ZIP archive (an XLSX workbook) rather than CSV text.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The reader's budget for a workbook, from the same figures as CSV's.
fn limits(caps: &Caps) -> Limits {
    Limits {
        cell_chars: table::CELL_CHARS,
        text_bytes: table::TEXT_BYTES,
        ..Limits::table(caps.rows, caps.columns)
    }
}

/// The first table of a file: a workbook's first sheet, or the CSV file's records.
pub fn read_table(bytes: &[u8], spec: &Spec<'_>) -> Result<Vec<Vec<String>>, CellError> {
    too_large(bytes, spec)?;
    if is_workbook(bytes) {
        workbook::read_first_sheet(bytes, &limits(&spec.caps))
            .map_err(|e| workbook_refusal(e, spec))
    } else {
        table::read_csv(bytes, &spec.caps).map_err(|e| csv_refusal(e, spec))
    }
}

/// Every table of a file: each sheet of a workbook, or the CSV file's records.
pub fn read_tables(bytes: &[u8], spec: &Spec<'_>) -> Result<Vec<Table>, CellError> {
    too_large(bytes, spec)?;
    if is_workbook(bytes) {
        let sheets = workbook::read_sheets(bytes, &limits(&spec.caps))
            .map_err(|e| workbook_refusal(e, spec))?;
        Ok(sheets
            .into_iter()
            .map(|s| Table {
                sheet: Some(s.name),
                rows: s.rows,
            })
            .collect())
    } else {
        let rows = table::read_csv(bytes, &spec.caps).map_err(|e| csv_refusal(e, spec))?;
        Ok(vec![Table { sheet: None, rows }])
    }
}

fn too_large(bytes: &[u8], spec: &Spec<'_>) -> Result<(), CellError> {
    if bytes.len() > spec.max_bytes {
        return Err(CellError::whole(format!(
            "the file is {}; a file may be at most {}",
            size(bytes.len()),
            size(spec.max_bytes)
        )));
    }
    Ok(())
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{} KB", bytes.div_ceil(1 << 10))
    } else {
        format!("{bytes} bytes")
    }
}

fn at(row: usize, column: Option<usize>, message: String) -> CellError {
    CellError {
        row,
        column: column.map(|c| workbook::column_name(u32::try_from(c).unwrap_or(u32::MAX))),
        message,
    }
}

fn workbook_refusal(e: WorkbookError, spec: &Spec<'_>) -> CellError {
    match e {
        WorkbookError::Cell {
            row,
            column,
            limit: Limit::Rows(_),
        } => at(row as usize, Some(column as usize), rows_refusal(spec)),
        WorkbookError::Cell { row, column, limit } => {
            at(row as usize, Some(column as usize), limit.to_string())
        }
        other => CellError::whole(other.to_string()),
    }
}

fn csv_refusal(e: CsvError, spec: &Spec<'_>) -> CellError {
    match e {
        CsvError::Encoding => CellError::whole(
            "the file's encoding is not one Tabel reads: save it as CSV in UTF-8 or Windows-1251",
        ),
        CsvError::TooManyRows { row } => at(row, None, rows_refusal(spec)),
        CsvError::UnclosedQuote { row } => {
            at(row, None, "a quote (\") is opened and never closed".into())
        }
        CsvError::PastLastColumn { row, column } => at(
            row,
            Some(column),
            Limit::Columns(spec.caps.columns).to_string(),
        ),
        CsvError::FieldTooLong { row, column } => at(
            row,
            Some(column),
            Limit::CellChars(table::CELL_CHARS).to_string(),
        ),
        CsvError::TooMuchText { row } => {
            at(row, None, Limit::TextBytes(table::TEXT_BYTES).to_string())
        }
    }
}

fn rows_refusal(spec: &Spec<'_>) -> String {
    format!(
        "{} (a file may use rows 1 to {})",
        spec.too_many_rows, spec.caps.rows
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tabel_reports::workbook::craft::{self, hostile};

    const SPEC: Spec<'static> = Spec {
        caps: Caps {
            rows: 2_010,
            columns: 32,
        },
        max_bytes: 2 << 20,
        too_many_rows: "too many rows",
    };

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
        let e = read_table(&hostile::far_cells(), &SPEC).unwrap_err();
        assert_eq!(e.row, 1_048_576);
        assert_eq!(e.column.as_deref(), Some("XFD"));
        assert_eq!(e.message, "too many rows (a file may use rows 1 to 2010)");
        let e = read_table(&hostile::string_bomb(16), &SPEC).unwrap_err();
        assert_eq!(e.row, 0);
        assert!(e.message.contains("8 MiB"), "{}", e.message);
    }

    /// The same table as a workbook and as CSV is read alike and refused alike, in the same
    /// words at the same place.
    #[test]
    fn a_workbook_and_a_csv_file_are_read_and_refused_alike() {
        let narrow = Spec {
            caps: Caps {
                rows: 3,
                columns: 2,
            },
            ..SPEC
        };
        let book = |rows: &[&[&str]]| {
            let xml: String = rows
                .iter()
                .enumerate()
                .map(|(i, r)| craft::inline_row(u32::try_from(i + 1).unwrap(), r))
                .collect();
            craft::Book::rows("A1", &xml).bytes()
        };
        let csv = |rows: &[&[&str]]| {
            rows.iter()
                .map(|r| r.join(";"))
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes()
        };
        let fine: &[&[&str]] = &[&["Тема", "Часы"], &["Дроби", "2"]];
        assert_eq!(read_table(&book(fine), &narrow).unwrap(), fine);
        assert_eq!(read_table(&csv(fine), &narrow).unwrap(), fine);
        let wide: &[&[&str]] = &[&["Тема", "Часы"], &["Дроби", "2", "лишнее"]];
        let long = "я".repeat(table::CELL_CHARS + 1);
        let long_row: &[&[&str]] = &[&["Тема", "Часы"], &[long.as_str(), "2"]];
        let tall: &[&[&str]] = &[&["a"], &["b"], &["c"], &["d"]];
        for (table, place, words) in [
            (wide, "row 2, column «C»", "a file may use columns A to B"),
            (
                long_row,
                "row 2, column «A»",
                "a cell holds at most 32767 characters",
            ),
            (
                tall,
                "row 4, column «A»",
                "too many rows (a file may use rows 1 to 3)",
            ),
        ] {
            let from_book = read_table(&book(table), &narrow).unwrap_err();
            let from_csv = read_table(&csv(table), &narrow).unwrap_err();
            assert_eq!(from_book.message, words);
            assert_eq!(from_csv.message, words);
            assert_eq!(from_book.place(), place);
            // A CSV record has no column to name for a row too many.
            assert_eq!(from_csv.row, from_book.row);
        }
    }

    #[test]
    fn a_file_over_the_imports_bytes_is_refused_before_it_is_read() {
        let tiny = Spec {
            max_bytes: 10,
            ..SPEC
        };
        let e = read_table(b"a;b;c;d;e;f", &tiny).unwrap_err();
        assert_eq!(
            e.message,
            "the file is 11 bytes; a file may be at most 10 bytes"
        );
        assert!(read_tables(&hostile::far_cells(), &tiny).is_err());
        let utf16: Vec<u8> = "\u{FEFF}a"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let e = read_table(&utf16, &SPEC).unwrap_err();
        assert!(e.message.contains("UTF-8 or Windows-1251"), "{}", e.message);
    }
}
