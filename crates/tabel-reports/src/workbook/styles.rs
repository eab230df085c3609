//! Which cell formats show a number as a date: a date is stored as a day count, and only its
//! format says so.

use super::parts::Package;
use super::text::{attr, is};
use super::{Limit, WorkbookError};
use quick_xml::events::Event;

/// For each cell format (a cell's `s`), whether it shows a date.
#[derive(Debug, Default)]
pub(super) struct DateStyles(Vec<bool>);

impl DateStyles {
    pub fn is_date(&self, style: usize) -> bool {
        self.0.get(style).copied().unwrap_or(false)
    }
}

/// Reads `cellXfs` and the custom `numFmts` of the styles part.
pub(super) fn read(book: &mut Package<'_>, path: &str) -> Result<DateStyles, WorkbookError> {
    let max = book.limits.styles;
    let Some(mut part) = book.part(path)? else {
        return Ok(DateStyles::default());
    };
    let mut buf = Vec::new();
    // Custom number formats (id ≥ 164 in practice) that show dates.
    let mut custom: Vec<(u32, bool)> = Vec::new();
    // The number format of each cell format, in order.
    let mut formats: Vec<u32> = Vec::new();
    let mut in_cell_xfs = false;
    loop {
        match part.next(&mut buf)? {
            Event::Start(e) | Event::Empty(e) if is(&e, b"numFmt") => {
                if custom.len() == max {
                    return Err(WorkbookError::TooLarge(Limit::Styles(max)));
                }
                let id = attr(&e, b"numFmtId").map_err(|m| part.broken(m))?;
                let code = attr(&e, b"formatCode").map_err(|m| part.broken(m))?;
                if let Some(id) = id.and_then(|i| i.trim().parse().ok()) {
                    custom.push((id, is_date_code(&code.unwrap_or_default())));
                }
            }
            Event::Start(e) if is(&e, b"cellXfs") => in_cell_xfs = true,
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
            Event::Start(e) | Event::Empty(e) if in_cell_xfs && is(&e, b"xf") => {
                if formats.len() == max {
                    return Err(WorkbookError::TooLarge(Limit::Styles(max)));
                }
                let id = attr(&e, b"numFmtId").map_err(|m| part.broken(m))?;
                formats.push(id.and_then(|i| i.trim().parse().ok()).unwrap_or(0));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let is_date = |id: u32| match custom.iter().rev().find(|(c, _)| *c == id) {
        Some((_, date)) => *date,
        None => is_builtin_date(id),
    };
    Ok(DateStyles(formats.into_iter().map(is_date).collect()))
}

/// The built-in number formats that show dates or times (ECMA-376, 18.8.30).
fn is_builtin_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// Whether a format code shows a date: it has a day, month, year, hour or second placeholder
/// outside quoted text, escapes and `[…]` sections (colours, locales, and elapsed times such as
/// `[h]:mm`, which are durations, not dates).
fn is_date_code(code: &str) -> bool {
    // Only the first section counts: the one for positive numbers.
    let mut chars = code.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            ';' => return false,
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                let elapsed = inner
                    .chars()
                    .all(|c| matches!(c, 'h' | 'H' | 'm' | 'M' | 's' | 'S'));
                if elapsed && !inner.is_empty() {
                    return false;
                }
            }
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_codes_are_told_from_number_codes() {
        for date in [
            "dd.mm.yyyy",
            "d/m/yy",
            "[$-419]dd mmmm yyyy",
            "yyyy-mm-dd hh:mm",
            "m/d",
        ] {
            assert!(is_date_code(date), "{date}");
        }
        for number in [
            "General",
            "0.00",
            "#,##0 \"руб.\"",
            "[Red]0.0",
            "0.0\\m",
            "[h]:mm",
            "0;\"d\"",
        ] {
            assert!(!is_date_code(number), "{number}");
        }
        assert!(is_builtin_date(14) && is_builtin_date(22) && !is_builtin_date(0));
    }
}
