//! Spreadsheets in the shape schools publish.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// A table to write: a title, column headers and rows of text cells.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// Sheet name (at most 31 characters; cut if longer).
    pub name: String,
    /// The heading above the table.
    pub title: String,
    /// A line under the title (e.g. "Утверждено приказом …").
    pub subtitle: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Column widths in characters.
    pub widths: Vec<f64>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// Writing failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the spreadsheet: {0}")]
pub struct XlsxFailed(#[from] XlsxError);

/// Writes sheets into one workbook.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxFailed> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7");
    let cell = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    for s in sheets {
        let ws = book.add_worksheet();
        let name: String = s
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        ws.set_name(if name.is_empty() {
            "Лист1".to_owned()
        } else {
            name
        })?;
        ws.write_string_with_format(0, 0, &s.title, &title)?;
        ws.write_string(1, 0, &s.subtitle)?;
        for (c, h) in s.headers.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(3, col, h, &header)?;
            if let Some(w) = s.widths.get(c) {
                ws.set_column_width(col, *w)?;
            }
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r + 4).unwrap_or(u32::MAX);
            for (c, v) in row.iter().enumerate() {
                ws.write_string_with_format(r, u16::try_from(c).unwrap_or(u16::MAX), v, &cell)?;
            }
        }
        ws.set_freeze_panes(4, 0)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_is_a_zip_with_the_sheet() {
        let bytes = workbook(&[Sheet {
            name: "График".into(),
            title: "График оценочных процедур".into(),
            subtitle: "2026/2027".into(),
            headers: vec!["Класс".into(), "Предмет".into()],
            widths: vec![8.0, 30.0],
            rows: vec![vec!["5А".into(), "Математика".into()]],
        }])
        .unwrap_or_default();
        assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
        assert!(bytes.len() > 1000);
    }
}
