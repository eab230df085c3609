//! Uploaded tables: a workbook's first sheet read within the reader's fixed budget
//! ([`tabel_reports::workbook`]). The use cases read them through [`crate::App::run_bounded`],
//! a few at a time, so that a burst of uploads queues instead of multiplying the budget by the
//! number of requests.

use tabel_domain::table::CellError;
use tabel_reports::workbook::{self, Limit, Limits, WorkbookError};

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
    use super::*;
    use tabel_reports::workbook::craft::hostile;

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
