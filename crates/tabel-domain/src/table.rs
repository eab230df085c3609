//! Reading the tables schools keep in spreadsheets: CSV as Russian Excel saves it (UTF-8 with or
//! without a BOM, or Windows-1251; `;`, `,` or tab separated; RFC 4180 quoting), and the
//! problems of a table's cells, each naming the row (as the spreadsheet numbers it, from 1) and
//! the column. The importers (the thematic plan, exam results) build on these; the reading of
//! XLSX bytes lives with the use cases, whose cells come here as text.

use std::fmt;

/// A problem with one cell (or row) of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Row, from 1 (0 = the file as a whole).
    pub row: usize,
    /// The column's heading, if the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl CellError {
    /// A problem of the file as a whole.
    pub fn whole(message: impl Into<String>) -> CellError {
        CellError {
            row: 0,
            column: None,
            message: message.into(),
        }
    }

    /// Where: `row 7, column «Часы»`, `row 7`, or `file`.
    pub fn place(&self) -> String {
        match (&self.column, self.row) {
            (_, 0) => "file".to_owned(),
            (Some(c), r) => format!("row {r}, column «{c}»"),
            (None, r) => format!("row {r}"),
        }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place(), self.message)
    }
}

/// Why CSV text could not be split into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvError {
    /// More records than the caller allows.
    TooManyRows,
    /// A quoted field runs to the end of the file; the row it opened on.
    UnclosedQuote {
        /// From 1.
        row: usize,
    },
    /// A record has more than [`MAX_FIELDS`] fields.
    TooManyFields {
        /// From 1.
        row: usize,
    },
    /// A field is longer than [`MAX_FIELD_CHARS`] characters.
    FieldTooLong {
        /// From 1.
        row: usize,
    },
}

/// Fields a CSV record may have: no import needs a tenth of them, and each costs a string.
pub const MAX_FIELDS: usize = 256;

/// Characters a CSV field may hold (Excel's own limit for a cell).
pub const MAX_FIELD_CHARS: usize = 32_767;

impl CsvError {
    /// The refusal as a cell error; `too_many_rows` says in the import's words how many rows
    /// a file may have.
    pub fn cell_error(self, too_many_rows: String) -> CellError {
        let at = |row: usize, message: String| CellError {
            row,
            column: None,
            message,
        };
        match self {
            CsvError::TooManyRows => CellError::whole(too_many_rows),
            CsvError::UnclosedQuote { row } => {
                at(row, "a quote (\") is opened and never closed".into())
            }
            CsvError::TooManyFields { row } => {
                at(row, format!("a row may have at most {MAX_FIELDS} fields"))
            }
            CsvError::FieldTooLong { row } => at(
                row,
                format!("a field may hold at most {MAX_FIELD_CHARS} characters"),
            ),
        }
    }
}

/// The text of CSV bytes: UTF-8 (a BOM dropped), else Windows-1251 (what Russian Excel saves as
/// "CSV").
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => decode_cp1251(bytes),
    }
}

/// The separator the first non-blank line uses most (`;` when it uses none).
fn separator(text: &str) -> char {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut best = (';', 0);
    for sep in [';', ',', '\t'] {
        let mut quoted = false;
        let n = first
            .chars()
            .filter(|&c| {
                if c == '"' {
                    quoted = !quoted;
                }
                !quoted && c == sep
            })
            .count();
        if n > best.1 {
            best = (sep, n);
        }
    }
    best.0
}

/// Splits CSV text into records of fields (quotes: `"a;b"`, `""` for a quote, line breaks
/// inside quotes kept), refusing more than `max_records` records (blank lines count: a file of
/// blank lines is bounded too), more than [`MAX_FIELDS`] fields in a record and fields longer
/// than [`MAX_FIELD_CHARS`]. One pass, constant work a character.
pub fn records(text: &str, max_records: usize) -> Result<Vec<Vec<String>>, CsvError> {
    let sep = separator(text);
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = Field::default();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let row = records.len() + 1;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"', row)?;
                } else {
                    quoted = false;
                }
            } else {
                field.push(c, row)?;
            }
        } else if c == '"' && field.blank {
            field = Field::default();
            quoted = true;
        } else if c == sep {
            field.end(&mut record, row)?;
        } else if c == '\r' || c == '\n' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            field.end(&mut record, row)?;
            records.push(std::mem::take(&mut record));
            if records.len() > max_records {
                return Err(CsvError::TooManyRows);
            }
        } else {
            field.push(c, row)?;
        }
    }
    if quoted {
        return Err(CsvError::UnclosedQuote {
            row: records.len() + 1,
        });
    }
    if !field.text.is_empty() || !record.is_empty() {
        field.end(&mut record, records.len() + 1)?;
        records.push(record);
        if records.len() > max_records {
            return Err(CsvError::TooManyRows);
        }
    }
    Ok(records)
}

/// The field being read: its text, its length in characters, and whether it is all white space
/// so far (a quote may open a field after blanks), kept as it grows so that no character is
/// looked at twice.
struct Field {
    text: String,
    chars: usize,
    blank: bool,
}

impl Default for Field {
    fn default() -> Self {
        Field {
            text: String::new(),
            chars: 0,
            blank: true,
        }
    }
}

impl Field {
    fn push(&mut self, c: char, row: usize) -> Result<(), CsvError> {
        self.chars += 1;
        if self.chars > MAX_FIELD_CHARS {
            return Err(CsvError::FieldTooLong { row });
        }
        self.blank &= c.is_whitespace();
        self.text.push(c);
        Ok(())
    }

    /// Ends the field into the record and starts the next.
    fn end(&mut self, record: &mut Vec<String>, row: usize) -> Result<(), CsvError> {
        if record.len() == MAX_FIELDS {
            return Err(CsvError::TooManyFields { row });
        }
        record.push(std::mem::take(self).text);
        Ok(())
    }
}

/// A column heading as compared: trimmed, lower case, `ё` as `е`, dots and a trailing colon
/// dropped, inner white space collapsed (`Ф.И.О.:` → `фио`, `Дата  рождения` → `дата
/// рождения`).
pub fn heading_key(raw: &str) -> String {
    let h: String = raw
        .trim()
        .trim_end_matches(':')
        .chars()
        .filter(|c| *c != '.')
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect();
    h.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Windows-1251's upper half from 0x80 to 0xBF (0xC0–0xFF are А–я in order).
const CP1251_HIGH: [char; 64] = [
    'Ђ', 'Ѓ', '‚', 'ѓ', '„', '…', '†', '‡', '€', '‰', 'Љ', '‹', 'Њ', 'Ќ', 'Ћ', 'Џ', //
    'ђ', '‘', '’', '“', '”', '•', '–', '—', '\u{FFFD}', '™', 'љ', '›', 'њ', 'ќ', 'ћ', 'џ', //
    '\u{A0}', 'Ў', 'ў', 'Ј', '¤', 'Ґ', '¦', '§', 'Ё', '©', 'Є', '«', '¬', '\u{AD}', '®',
    'Ї', //
    '°', '±', 'І', 'і', 'ґ', 'µ', '¶', '·', 'ё', '№', 'є', '»', 'ј', 'Ѕ', 'ѕ', 'ї',
];

fn decode_cp1251(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0..=0x7F => char::from(b),
            0x80..=0xBF => CP1251_HIGH[usize::from(b - 0x80)],
            _ => char::from_u32(0x0410 + u32::from(b - 0xC0)).unwrap_or('\u{FFFD}'),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_separator_is_the_one_the_first_line_uses_most() {
        assert_eq!(records("a;b;c\n1;2;3\n", 10).unwrap()[1], ["1", "2", "3"]);
        assert_eq!(records("a,b\n\"1,5\",2\n", 10).unwrap()[1], ["1,5", "2"]);
        assert_eq!(records("a\tb\n1\t2", 10).unwrap()[1], ["1", "2"]);
    }

    #[test]
    fn wide_rows_and_long_fields_are_refused_in_one_pass() {
        let wide = ";".repeat(MAX_FIELDS);
        assert_eq!(
            records(&format!("a\n{wide}\n"), 10),
            Err(CsvError::TooManyFields { row: 2 })
        );
        assert!(records(&";".repeat(MAX_FIELDS - 1), 10).is_ok());
        let long = "я".repeat(MAX_FIELD_CHARS + 1);
        assert_eq!(
            records(&format!("a\n\"{long}\""), 10),
            Err(CsvError::FieldTooLong { row: 2 })
        );
        // Blanks and then a quote, many times over: linear, not quadratic (this took minutes).
        let text = format!("{}x{}", " ".repeat(30_000), "\"".repeat(30_000));
        let started = std::time::Instant::now();
        let _ = records(&text, 10);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(
            records("  \"a;b\";c", 10).unwrap(),
            [["a;b", "c"]],
            "a quote after blanks still opens a field"
        );
    }

    #[test]
    fn limits_and_unclosed_quotes_are_errors() {
        assert_eq!(records("a\nb\nc\n", 2), Err(CsvError::TooManyRows));
        assert_eq!(records("a\nb\nc", 2), Err(CsvError::TooManyRows));
        assert_eq!(
            records("a\n\"b\n", 10),
            Err(CsvError::UnclosedQuote { row: 2 })
        );
    }

    #[test]
    fn headings_compare_without_case_dots_or_yo() {
        assert_eq!(heading_key(" Ф.И.О.: "), "фио");
        assert_eq!(heading_key("Дата  Рождения"), "дата рождения");
        assert_eq!(heading_key("Отчёт"), "отчет");
    }

    #[test]
    fn windows_1251_is_decoded_and_a_bom_dropped() {
        assert_eq!(decode(&[0xA8, 0xEB, 0xEA, 0xE8]), "Ёлки");
        assert_eq!(decode("\u{FEFF}ФИО".as_bytes()), "ФИО");
    }
}
