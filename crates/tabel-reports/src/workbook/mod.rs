//! The first sheet of an XLSX workbook from outside, read within a fixed budget.
//!
//! An uploaded workbook is hostile input. A reader that builds the sheet's grid sizes it from
//! what the file says: a 1.6 KB workbook with values at A1 and XFD1048576 asked calamine for
//! 549 GB and aborted the whole server (an allocation failure is not a panic: nothing catches
//! it). This reader never sizes anything from a number in the file. It opens only the parts it
//! needs (package and workbook relationships, the workbook, styles, shared strings, the first
//! sheet), inflates each through a hard stop ([`Limits::part_bytes`], and
//! [`Limits::inflated_bytes`] for them all), streams the XML, and places a value only after
//! checking its row, column and length. Formulas are not evaluated: a cell reads as its cached
//! value, as Excel last saved it.
//!
//! What it returns is the sheet's rows as texts, numbered as the spreadsheet numbers them
//! (`rows[0]` is row 1, even when the table starts lower) and starting at the table's leftmost
//! column (a table that starts in column C reads C as the first cell). Numbers read as Rust
//! prints them (`5`, `4.5`), a number in a date format as an ISO date (`2026-05-20`), booleans
//! as `true`/`false`.

mod parts;
mod sheet;
mod styles;
mod text;

#[cfg(any(test, feature = "test-support"))]
pub mod craft;

#[cfg(test)]
mod tests;

use std::fmt;

/// How much a workbook may make the reader hold. Every figure is a hard stop: reaching it
/// refuses the file with [`WorkbookError`] naming the limit, before the memory is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The last row (from 1) a value may stand in.
    pub rows: u32,
    /// The last column (from 1, A = 1) a value may stand in.
    pub columns: u32,
    /// Characters in one cell's text (Excel's own limit is 32,767).
    pub cell_chars: usize,
    /// Bytes of all the sheet's texts together, as returned.
    pub text_bytes: usize,
    /// Bytes one part (an XML file inside the archive) may inflate to.
    pub part_bytes: u64,
    /// Bytes all the parts read may inflate to together.
    pub inflated_bytes: u64,
    /// Files in the archive.
    pub entries: usize,
    /// Distinct texts in the shared-strings table.
    pub shared_strings: usize,
    /// Cell formats and number formats, each.
    pub styles: usize,
}

impl Limits {
    /// The budget for a table of at most `rows` rows and `columns` columns; the rest are the
    /// defaults every import shares. At the worst one read holds the XML reader's buffer (up to
    /// twice a part), the shared texts, the returned texts and the grid's cells (24 bytes each):
    /// under 64 MiB for 10,020 rows of 32 columns, which `tests/workbook_budget.rs` enforces.
    /// A real export of 5,000 results is about 2 MB of sheet XML.
    pub const fn table(rows: u32, columns: u32) -> Limits {
        Limits {
            rows,
            columns,
            cell_chars: 32_767,
            text_bytes: 8 << 20,
            part_bytes: 8 << 20,
            inflated_bytes: 24 << 20,
            entries: 1_000,
            shared_strings: 100_000,
            styles: 65_536,
        }
    }
}

/// Which limit a workbook reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::rows`].
    Rows(u32),
    /// [`Limits::columns`].
    Columns(u32),
    /// [`Limits::cell_chars`].
    CellChars(usize),
    /// [`Limits::text_bytes`].
    TextBytes(usize),
    /// [`Limits::part_bytes`].
    PartBytes(u64),
    /// [`Limits::inflated_bytes`].
    InflatedBytes(u64),
    /// [`Limits::entries`].
    Entries(usize),
    /// [`Limits::shared_strings`].
    SharedStrings(usize),
    /// [`Limits::styles`].
    Styles(usize),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Limit::Rows(n) => write!(f, "a file may use rows 1 to {n}"),
            Limit::Columns(n) => write!(f, "a file may use columns A to {}", column_name(n)),
            Limit::CellChars(n) => write!(f, "a cell holds at most {n} characters"),
            Limit::TextBytes(n) => {
                write!(f, "the sheet's texts may take at most {}", size(n as u64))
            }
            Limit::PartBytes(n) => {
                write!(
                    f,
                    "a part of the workbook may unpack to at most {}",
                    size(n)
                )
            }
            Limit::InflatedBytes(n) => write!(f, "the workbook may unpack to at most {}", size(n)),
            Limit::Entries(n) => write!(f, "the archive may hold at most {n} files"),
            Limit::SharedStrings(n) => {
                write!(f, "the workbook may hold at most {n} distinct texts")
            }
            Limit::Styles(n) => write!(f, "the workbook may hold at most {n} cell formats"),
        }
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Why a workbook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkbookError {
    /// Not a ZIP archive, a part missing or broken, XML that does not parse.
    #[error("not a readable XLSX workbook: {0}")]
    Unreadable(String),
    /// The file as a whole went over a limit.
    #[error("the workbook is too large: {0}")]
    TooLarge(Limit),
    /// A value stands past the last row or column, or its text is too long.
    #[error("{}: {limit}", cell_name(*column, *row))]
    Cell {
        /// Row, from 1.
        row: u32,
        /// Column, from 1 (A = 1).
        column: u32,
        limit: Limit,
    },
}

/// `A`, `Z`, `AA`, … `XFD` for columns 1, 26, 27, … 16384.
pub fn column_name(column: u32) -> String {
    let mut n = column;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn cell_name(column: u32, row: u32) -> String {
    format!("{}{row}", column_name(column))
}

/// The first sheet's rows as texts (see the module's documentation for how they read).
pub fn read_first_sheet(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, WorkbookError> {
    let mut sheets = read(bytes, limits, Some(1))?;
    Ok(sheets.pop().map(|s| s.rows).unwrap_or_default())
}

/// One sheet of a workbook: its name as the tab shows it, and its rows as texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

/// Every sheet, in the workbook's order, within one budget: the limits on rows, columns and
/// cells hold for each sheet, those on texts and inflated bytes for the workbook as a whole.
pub fn read_sheets(bytes: &[u8], limits: &Limits) -> Result<Vec<NamedSheet>, WorkbookError> {
    read(bytes, limits, None)
}

fn read(
    bytes: &[u8],
    limits: &Limits,
    at_most: Option<usize>,
) -> Result<Vec<NamedSheet>, WorkbookError> {
    let mut book = parts::Package::open(bytes, limits)?;
    let paths = book.locate()?;
    let dates = match &paths.styles {
        Some(p) => styles::read(&mut book, p)?,
        None => styles::DateStyles::default(),
    };
    let shared = match &paths.shared_strings {
        Some(p) => sheet::read_shared_strings(&mut book, p)?,
        None => Vec::new(),
    };
    let context = sheet::Context {
        shared: &shared,
        dates: &dates,
        date1904: paths.date1904,
    };
    let mut spent = 0;
    let take = at_most.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for (name, path) in paths.sheets.into_iter().take(take) {
        let rows = sheet::read_cells(&mut book, &path, &context, &mut spent)?;
        out.push(NamedSheet { name, rows });
    }
    Ok(out)
}
