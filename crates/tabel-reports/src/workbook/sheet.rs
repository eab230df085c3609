//! The shared-strings table and the first sheet's cells, streamed.

use super::parts::{Package, Part};
use super::styles::DateStyles;
use super::text::{Text, attr, is};
use super::{Limit, WorkbookError};
use quick_xml::events::Event;

/// One entry of the shared-strings table: its text, or only the mark that it was too long.
#[derive(Debug)]
pub(super) enum Shared {
    Text(String),
    TooLong,
}

/// What the cells are read against.
pub(super) struct Context<'s> {
    pub shared: &'s [Shared],
    pub dates: &'s DateStyles,
    pub date1904: bool,
}

/// Reads `<sst>`: one entry per `<si>`, its `<t>` texts joined (rich-text runs), phonetic
/// guides (`<rPh>`) left out.
pub(super) fn read_shared_strings(
    book: &mut Package<'_>,
    path: &str,
) -> Result<Vec<Shared>, WorkbookError> {
    let limits = *book.limits;
    let Some(mut part) = book.part(path)? else {
        return Ok(Vec::new());
    };
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut text = Text::default();
    let (mut in_t, mut in_phonetic) = (false, false);
    let push = |out: &mut Vec<Shared>, text: &mut Text| {
        if out.len() == limits.shared_strings {
            return Err(WorkbookError::TooLarge(Limit::SharedStrings(
                limits.shared_strings,
            )));
        }
        out.push(if text.too_long() {
            text.clear();
            Shared::TooLong
        } else {
            Shared::Text(text.take())
        });
        Ok(())
    };
    loop {
        match part.next(&mut buf)? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"si" => text.clear(),
                b"t" if !in_phonetic => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Event::Empty(e) if is(&e, b"si") => {
                text.clear();
                push(&mut out, &mut text)?;
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"si" => push(&mut out, &mut text)?,
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            Event::Text(t) if in_t => {
                let s = t.xml_content().map_err(|e| part.broken(e))?;
                text.push(&s, limits.cell_chars);
            }
            Event::CData(t) if in_t => {
                let s = t.decode().map_err(|e| part.broken(e))?;
                text.push(&s, limits.cell_chars);
            }
            Event::GeneralRef(r) if in_t => {
                text.push_ref(&r, limits.cell_chars)
                    .map_err(|m| part.broken(m))?;
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

/// Which text of a cell is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Nothing,
    Value,
    Inline,
}

/// The cell being read.
struct Cell {
    row: u32,
    column: u32,
    kind: Vec<u8>,
    style: usize,
    inline: bool,
    phonetic: bool,
}

/// The rows collected so far and what they have cost.
struct Grid {
    rows: Vec<Vec<String>>,
    left: u32,
    text_bytes: usize,
}

/// Streams `<sheetData>`, placing each non-empty value after checking its place and size.
/// `spent` is the text already taken by the sheets read before this one: the text budget is the
/// workbook's, not each sheet's.
pub(super) fn read_cells(
    book: &mut Package<'_>,
    path: &str,
    cx: &Context<'_>,
    spent: &mut usize,
) -> Result<Vec<Vec<String>>, WorkbookError> {
    let limits = *book.limits;
    let Some(mut part) = book.part(path)? else {
        return Err(WorkbookError::Unreadable(format!("no {path}")));
    };
    let mut buf = Vec::new();
    let mut grid = Grid {
        rows: Vec::new(),
        left: u32::MAX,
        text_bytes: *spent,
    };
    let mut text = Text::default();
    let mut reading = Reading::Nothing;
    let (mut in_data, mut row, mut column) = (false, 0u32, 0u32);
    let mut cell: Option<Cell> = None;
    loop {
        match part.next(&mut buf)? {
            Event::Start(e) if is(&e, b"sheetData") => in_data = true,
            Event::End(e) if e.local_name().as_ref() == b"sheetData" => break,
            Event::Start(e) | Event::Empty(e) if in_data && is(&e, b"row") => {
                let r = attr(&e, b"r").map_err(|m| part.broken(m))?;
                row = match r {
                    Some(r) => parse_index(&r).ok_or_else(|| part.broken(format!("row «{r}»")))?,
                    None => row.saturating_add(1),
                };
                column = 0;
            }
            Event::Start(e) if in_data && is(&e, b"c") => {
                let c = start_cell(&part, &e, row, column)?;
                (row, column) = (c.row, c.column);
                cell = Some(c);
                text.clear();
            }
            Event::Empty(e) if in_data && is(&e, b"c") => {
                // A formatted cell with no value: it only moves the cursor.
                let c = start_cell(&part, &e, row, column)?;
                (row, column) = (c.row, c.column);
            }
            Event::Start(e) if cell.is_some() => {
                if let Some(c) = cell.as_mut() {
                    match e.local_name().as_ref() {
                        b"v" => reading = Reading::Value,
                        b"is" => c.inline = true,
                        b"t" if c.inline && !c.phonetic => reading = Reading::Inline,
                        b"rPh" => c.phonetic = true,
                        _ => {}
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"c" => {
                    if let Some(c) = cell.take() {
                        place(&mut grid, &c, &mut text, cx, &limits, &part)?;
                    }
                    reading = Reading::Nothing;
                }
                b"v" | b"t" => reading = Reading::Nothing,
                b"rPh" => {
                    if let Some(c) = cell.as_mut() {
                        c.phonetic = false;
                    }
                }
                _ => {}
            },
            Event::Text(t) if reading != Reading::Nothing => {
                let s = t.xml_content().map_err(|e| part.broken(e))?;
                text.push(&s, limits.cell_chars);
            }
            Event::CData(t) if reading != Reading::Nothing => {
                let s = t.decode().map_err(|e| part.broken(e))?;
                text.push(&s, limits.cell_chars);
            }
            Event::GeneralRef(r) if reading != Reading::Nothing => {
                text.push_ref(&r, limits.cell_chars)
                    .map_err(|m| part.broken(m))?;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    *spent = grid.text_bytes;
    let mut rows = grid.rows;
    if grid.left > 1 && grid.left != u32::MAX {
        let skip = (grid.left - 1) as usize;
        for r in &mut rows {
            r.drain(..skip.min(r.len()));
        }
    }
    Ok(rows)
}

/// A cell's place (its `r`, or the next column of the current row) and its type and style.
fn start_cell(
    part: &Part<'_, '_>,
    e: &quick_xml::events::BytesStart<'_>,
    row: u32,
    column: u32,
) -> Result<Cell, WorkbookError> {
    let (row, column) = match attr(e, b"r").map_err(|m| part.broken(m))? {
        Some(r) => parse_ref(&r).ok_or_else(|| part.broken(format!("cell reference «{r}»")))?,
        None => (row.max(1), column.saturating_add(1)),
    };
    let kind = attr(e, b"t")
        .map_err(|m| part.broken(m))?
        .unwrap_or_default()
        .into_bytes();
    let style = attr(e, b"s")
        .map_err(|m| part.broken(m))?
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    Ok(Cell {
        row,
        column,
        kind,
        style,
        inline: false,
        phonetic: false,
    })
}

/// Turns a finished cell into its text and puts it in the grid, within the limits.
fn place(
    grid: &mut Grid,
    c: &Cell,
    text: &mut Text,
    cx: &Context<'_>,
    limits: &super::Limits,
    part: &Part<'_, '_>,
) -> Result<(), WorkbookError> {
    let at = |limit| WorkbookError::Cell {
        row: c.row,
        column: c.column,
        limit,
    };
    if text.too_long() {
        return Err(at(Limit::CellChars(limits.cell_chars)));
    }
    let value = match c.kind.as_slice() {
        b"s" => {
            let raw = text.as_str().trim();
            let entry = raw.parse::<usize>().ok().and_then(|i| cx.shared.get(i));
            match entry {
                Some(Shared::Text(s)) => s.clone(),
                Some(Shared::TooLong) => return Err(at(Limit::CellChars(limits.cell_chars))),
                None => {
                    return Err(part.broken(format!(
                        "cell {}{} refers to shared text «{raw}», which does not exist",
                        super::column_name(c.column),
                        c.row
                    )));
                }
            }
        }
        b"b" => match text.as_str().trim() {
            "1" | "true" => "true".to_owned(),
            _ => "false".to_owned(),
        },
        b"inlineStr" | b"str" | b"e" => text.take(),
        b"d" => {
            let raw = text.take();
            match raw.get(..10) {
                Some(day) if raw.len() == 10 || raw.as_bytes().get(10) == Some(&b'T') => {
                    day.to_owned()
                }
                _ => raw,
            }
        }
        _ => number(text.as_str(), cx.dates.is_date(c.style), cx.date1904),
    };
    if value.is_empty() {
        return Ok(());
    }
    if c.row > limits.rows {
        return Err(at(Limit::Rows(limits.rows)));
    }
    if c.column > limits.columns {
        return Err(at(Limit::Columns(limits.columns)));
    }
    grid.text_bytes += value.len();
    if grid.text_bytes > limits.text_bytes {
        return Err(WorkbookError::TooLarge(Limit::TextBytes(limits.text_bytes)));
    }
    // Both indexes are within the limits checked above, so neither vector grows past them.
    let (r, col) = (c.row as usize - 1, c.column as usize - 1);
    if grid.rows.len() <= r {
        grid.rows.resize_with(r + 1, Vec::new);
    }
    let cells = &mut grid.rows[r];
    if cells.len() <= col {
        cells.resize_with(col + 1, String::new);
    }
    cells[col] = value;
    grid.left = grid.left.min(c.column);
    Ok(())
}

/// A number cell as text: a date in a date format, otherwise the number as Rust prints it
/// (`5`, `4.5`); a value that is not a number stays as written.
fn number(raw: &str, date: bool, date1904: bool) -> String {
    let raw = raw.trim();
    let Ok(v) = raw.parse::<f64>() else {
        return raw.to_owned();
    };
    if !v.is_finite() {
        return raw.to_owned();
    }
    if date && let Some(d) = serial_date(v, date1904) {
        return d;
    }
    v.to_string()
}

/// A day count as an ISO date: from 1899-12-30 (Excel's 1900 system, which counts a 29 February
/// 1900 that never was, so days before 1 March 1900 start a day later) or from 1904-01-01.
fn serial_date(v: f64, date1904: bool) -> Option<String> {
    use time::{Date, Duration, Month};
    if !(0.0..3_000_000.0).contains(&v) {
        return None;
    }
    let days = v.floor() as i64;
    let base = match (date1904, days) {
        (true, _) => Date::from_calendar_date(1904, Month::January, 1).ok()?,
        (false, 0..=60) => Date::from_calendar_date(1899, Month::December, 31).ok()?,
        (false, _) => Date::from_calendar_date(1899, Month::December, 30).ok()?,
    };
    let d = base.checked_add(Duration::days(days))?;
    (d.year() <= 9999).then(|| d.to_string())
}

/// `7` → 7; a row number from 1 up.
fn parse_index(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok().filter(|&n| n > 0)
}

/// `B3` → (row 3, column 2). Columns stop at XFD (16384) as Excel's do, rows at 1,048,576; a
/// reference past them does not parse.
fn parse_ref(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('$');
    let split = s.find(|c: char| !c.is_ascii_alphabetic())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let column = letters.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row = parse_index(digits.trim_start_matches('$'))?;
    (column <= 16_384 && row <= 1_048_576).then_some((row, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_within_excels_grid() {
        assert_eq!(parse_ref("A1"), Some((1, 1)));
        assert_eq!(parse_ref("XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(parse_ref("$C$7"), Some((7, 3)));
        assert_eq!(parse_ref("XFE1"), None);
        assert_eq!(parse_ref("A1048577"), None);
        assert_eq!(parse_ref("A0"), None);
        assert_eq!(parse_ref("ZZZZ1"), None);
        assert_eq!(parse_ref("12"), None);
        assert_eq!(parse_ref("A99999999999"), None);
    }

    #[test]
    fn day_counts_read_as_the_days_excel_shows() {
        assert_eq!(serial_date(46_162.0, false).as_deref(), Some("2026-05-20"));
        assert_eq!(serial_date(46_162.75, false).as_deref(), Some("2026-05-20"));
        assert_eq!(serial_date(1.0, false).as_deref(), Some("1900-01-01"));
        assert_eq!(serial_date(61.0, false).as_deref(), Some("1900-03-01"));
        assert_eq!(serial_date(0.0, true).as_deref(), Some("1904-01-01"));
        assert_eq!(serial_date(-1.0, false), None);
        assert_eq!(serial_date(1e12, false), None);
    }

    #[test]
    fn numbers_read_as_printed() {
        assert_eq!(number("5", false, false), "5");
        assert_eq!(number("4.5", false, false), "4.5");
        assert_eq!(number("1.5E+3", false, false), "1500");
        assert_eq!(number("n/a", false, false), "n/a");
        assert_eq!(number("NaN", false, false), "NaN");
    }
}
