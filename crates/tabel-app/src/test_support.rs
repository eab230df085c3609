//! What the app's unit tests share.
#![allow(clippy::unwrap_used)]

/// A workbook of one sheet: `rows` of text cells, then `numbers` and `dates` (3.6.2027 in the
/// dd.mm.yyyy format) written over them at (row, column).
pub(crate) fn xlsx(rows: &[&[&str]], numbers: &[(u32, u16, f64)], dates: &[(u32, u16)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (col, text) in row.iter().enumerate() {
            sheet
                .write_string(
                    u32::try_from(r).unwrap(),
                    u16::try_from(col).unwrap(),
                    *text,
                )
                .unwrap();
        }
    }
    for (r, col, n) in numbers {
        sheet.write_number(*r, *col, *n).unwrap();
    }
    let format = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    for (r, col) in dates {
        let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 6, 3).unwrap();
        sheet
            .write_datetime_with_format(*r, *col, &d, &format)
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}
