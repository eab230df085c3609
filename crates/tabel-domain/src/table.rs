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
/// "CSV"). Only a UTF-8 BOM is looked for: the bytes of any other are read as Windows-1251 too.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match encoding_rs::UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => text.into_owned(),
        None => encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// The separator the first non-blank line uses most (`;` when it uses none).
fn separator(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut best = (b';', 0);
    for sep in [b';', b',', b'\t'] {
        let mut quoted = false;
        let n = first
            .bytes()
            .filter(|&c| {
                if c == b'"' {
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

/// The parser's buffer for one field: [`MAX_FIELD_CHARS`] characters of at most four bytes each,
/// and one byte more so that a field that fills it exactly is still seen to end. A field that
/// overflows it is longer than the limit and is refused without being held.
const FIELD_BUFFER: usize = MAX_FIELD_CHARS * 4 + 1;

/// Splits CSV text into records of fields (RFC 4180 quoting as the csv crate reads it: `"a;b"`,
/// `""` for a quote, line breaks inside quotes kept; `\r\n`, `\n` and `\r` end a record),
/// refusing more than `max_records` records (blank lines count and come back as a record of one
/// empty field, so that a record's place is its row in a spreadsheet and a file of blank lines
/// is bounded too), more than [`MAX_FIELDS`] fields in a record and fields longer than
/// [`MAX_FIELD_CHARS`]. One pass, constant work a byte; the largest buffer is one field's.
pub fn records(text: &str, max_records: usize) -> Result<Vec<Vec<String>>, CsvError> {
    use csv_core::ReadFieldResult;
    // The parser would drop a byte order mark without a trace of the line breaks after it; the
    // marks are nothing to a spreadsheet either.
    let text = text.trim_start_matches('\u{FEFF}');
    let input = text.as_bytes();
    let mut parser = csv_core::ReaderBuilder::new()
        .delimiter(separator(text))
        .build();
    let mut out = vec![0u8; FIELD_BUFFER];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut pos = 0;
    loop {
        // The parser skips the line breaks before a record; a spreadsheet numbers the blank
        // lines they make, and so do we.
        let run = input[pos..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        for _ in 0..line_breaks(input, pos, pos + run) {
            push_record(&mut rows, vec![String::new()], max_records)?;
        }
        let row = rows.len() + 1;
        let mut record: Vec<String> = Vec::new();
        let mut field_start = pos + run;
        loop {
            let mut len = 0;
            let record_end = loop {
                let (res, nin, nout) = parser.read_field(&input[pos..], &mut out[len..]);
                pos += nin;
                len += nout;
                match res {
                    // All the text was given at once: the next call, with none left, ends it.
                    ReadFieldResult::InputEmpty => {}
                    ReadFieldResult::OutputFull => return Err(CsvError::FieldTooLong { row }),
                    ReadFieldResult::Field { record_end } => break record_end,
                    ReadFieldResult::End => return Ok(rows),
                }
            };
            // The parser splits only at ASCII bytes and drops only quotes: the bytes of a field
            // of UTF-8 text are UTF-8.
            let field = String::from_utf8_lossy(&out[..len]).into_owned();
            if field.chars().count() > MAX_FIELD_CHARS {
                return Err(CsvError::FieldTooLong { row });
            }
            if record.len() == MAX_FIELDS {
                return Err(CsvError::TooManyFields { row });
            }
            // The parser closes a quote left open at the end of the text; we refuse it.
            if pos == input.len() && unclosed(&input[field_start..]) {
                return Err(CsvError::UnclosedQuote { row });
            }
            record.push(field);
            if record_end {
                break;
            }
            field_start = pos;
        }
        push_record(&mut rows, record, max_records)?;
    }
}

fn push_record(
    rows: &mut Vec<Vec<String>>,
    record: Vec<String>,
    max_records: usize,
) -> Result<(), CsvError> {
    if rows.len() == max_records {
        return Err(CsvError::TooManyRows);
    }
    rows.push(record);
    Ok(())
}

/// Line breaks in `input[from..to]` (bytes `\r` and `\n` only): `\r\n` is one, and so is a `\n`
/// whose `\r` came just before `from`.
fn line_breaks(input: &[u8], from: usize, to: usize) -> usize {
    (from..to)
        .filter(|&i| match input[i] {
            b'\r' => true,
            b'\n' => i == 0 || input[i - 1] != b'\r',
            _ => false,
        })
        .count()
}

/// Whether a field's raw text opens a quote that never closes (`""` inside quotes is a quote).
fn unclosed(raw: &[u8]) -> bool {
    let Some(mut rest) = raw.strip_prefix(b"\"") else {
        return false;
    };
    while let Some(at) = rest.iter().position(|&b| b == b'"') {
        match rest.get(at + 1) {
            Some(b'"') => rest = &rest[at + 2..],
            _ => return false,
        }
    }
    true
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_separator_is_the_one_the_first_line_uses_most() {
        assert_eq!(records("a;b;c\n1;2;3\n", 10).unwrap()[1], ["1", "2", "3"]);
        assert_eq!(records("a,b\n\"1,5\",2\n", 10).unwrap()[1], ["1,5", "2"]);
        assert_eq!(records("a\tb\n1\t2", 10).unwrap()[1], ["1", "2"]);
        assert_eq!(
            records("\n\n\"x;y\",z,w\n", 10).unwrap()[2],
            ["x;y", "z", "w"]
        );
        assert_eq!(records("abc\n", 10).unwrap(), [["abc"]]);
    }

    #[test]
    fn quotes_hold_separators_quotes_and_line_breaks() {
        assert_eq!(
            records("\"a;b\";\"say \"\"hi\"\"\";\"two\r\nlines\"\nx", 10).unwrap(),
            vec![vec!["a;b", "say \"hi\"", "two\r\nlines"], vec!["x"]]
        );
        // Text after a closing quote joins the field; a quote inside a bare field is text.
        assert_eq!(records("\"a\"b;c\"d", 10).unwrap(), [["ab", "c\"d"]]);
        // RFC 4180: a quote opens a field only as its first character (blanks before it are
        // text).
        assert_eq!(records("  \"a;b\";c", 10).unwrap(), [["  \"a", "b\"", "c"]]);
        assert_eq!(records("a;", 10).unwrap(), [["a", ""]]);
        assert_eq!(records("", 10).unwrap(), Vec::<Vec<String>>::new());
    }

    #[test]
    fn blank_lines_keep_their_rows_and_every_line_ending_ends_a_record() {
        let blank = || vec![String::new()];
        let row = |f: &str| vec![f.to_owned()];
        assert_eq!(
            records("a\n\nb", 10).unwrap(),
            [row("a"), blank(), row("b")]
        );
        assert_eq!(
            records("\r\n\r\na\r\n", 10).unwrap(),
            [blank(), blank(), row("a")]
        );
        assert_eq!(
            records("a\r\rb\r", 10).unwrap(),
            [row("a"), blank(), row("b")]
        );
        assert_eq!(records("a\n\n", 10).unwrap(), [row("a"), blank()]);
        assert_eq!(
            records("\u{FEFF}\u{FEFF}\na", 10).unwrap(),
            [blank(), row("a")]
        );
        // A line break inside quotes stays in its row, as in a spreadsheet.
        assert_eq!(
            records("\"x\n\ny\";1\n\nz", 10).unwrap(),
            vec![vec!["x\n\ny".to_owned(), "1".to_owned()], blank(), row("z")]
        );
        let long = "я".repeat(MAX_FIELD_CHARS + 1);
        assert_eq!(
            records(&format!("a\r\n\r\n\"x\ny\"\n{long}"), 10),
            Err(CsvError::FieldTooLong { row: 4 })
        );
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
        assert_eq!(
            records(&format!("a;{long};b"), 10),
            Err(CsvError::FieldTooLong { row: 1 })
        );
        // The limit counts characters, not bytes: four-byte ones fill the buffer exactly.
        let widest = "😀".repeat(MAX_FIELD_CHARS);
        assert_eq!(
            records(&widest, 10).unwrap()[0][0].chars().count(),
            MAX_FIELD_CHARS
        );
        assert_eq!(
            records(&format!("{widest}😀"), 10),
            Err(CsvError::FieldTooLong { row: 1 })
        );
        assert_eq!(
            records(&format!("{}я", "a".repeat(MAX_FIELD_CHARS)), 10),
            Err(CsvError::FieldTooLong { row: 1 })
        );
        // Blanks and then a quote, many times over: linear, not quadratic (this took minutes).
        let text = format!("{}x{}", " ".repeat(30_000), "\"".repeat(30_000));
        let started = std::time::Instant::now();
        let _ = records(&text, 10);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn limits_and_unclosed_quotes_are_errors() {
        assert_eq!(records("a\nb\nc\n", 2), Err(CsvError::TooManyRows));
        assert_eq!(records("a\nb\nc", 2), Err(CsvError::TooManyRows));
        assert_eq!(records("a\nb", 2).unwrap().len(), 2);
        // A file of blank lines is bounded too.
        assert_eq!(
            records(&"\r\n".repeat(100_000), 10),
            Err(CsvError::TooManyRows)
        );
        assert_eq!(
            records("a\n\"b\n", 10),
            Err(CsvError::UnclosedQuote { row: 2 })
        );
        assert_eq!(
            records("a\n\nx;\"b;c\nd", 10),
            Err(CsvError::UnclosedQuote { row: 3 })
        );
        assert_eq!(
            records("\"a\"\"", 10),
            Err(CsvError::UnclosedQuote { row: 1 })
        );
        assert_eq!(records("\"a\"\"\"", 10).unwrap(), [["a\""]]);
    }

    #[test]
    fn refusals_name_the_row_in_the_imports_words() {
        let e = CsvError::UnclosedQuote { row: 3 }.cell_error("too many".into());
        assert_eq!(
            e.to_string(),
            "row 3: a quote (\") is opened and never closed"
        );
        let e = CsvError::TooManyRows.cell_error("too many rows: at most 5".into());
        assert_eq!(e.to_string(), "file: too many rows: at most 5");
        let e = CsvError::FieldTooLong { row: 2 }.cell_error(String::new());
        assert_eq!(
            e.to_string(),
            "row 2: a field may hold at most 32767 characters"
        );
        let e = CsvError::TooManyFields { row: 9 }.cell_error(String::new());
        assert_eq!(e.to_string(), "row 9: a row may have at most 256 fields");
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
        assert_eq!(decode(b"\xEF\xBB\xBF"), "");
        let upper: Vec<u8> = (0xC0..=0xFF).collect();
        let alphabet: String = ('А'..='я').collect();
        assert_eq!(decode(&upper), alphabet);
        assert_eq!(decode(&[0xB8, 0xB9, 0x20, 0x31]), "ё№ 1");
        // The one byte Windows-1251 leaves unassigned reads as the C1 control of its number.
        assert_eq!(decode(&[0x98, 0xC0]), "\u{98}А");
        // One byte that is not UTF-8 makes the whole file Windows-1251.
        assert_eq!(decode(b"ok;\xC4\xE0"), "ok;Да");
    }

    /// What a quote-free file means: lines (`\r\n`, `\r` or `\n` each end one; a blank line is a
    /// record of one empty field) of `;`-separated fields.
    fn unquoted(text: &str) -> Vec<Vec<String>> {
        let split = |l: &str| l.split(';').map(str::to_owned).collect::<Vec<_>>();
        let mut rows = Vec::new();
        let mut line = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' || c == '\n' {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                rows.push(split(&line));
                line.clear();
            } else {
                line.push(c);
            }
        }
        if !line.is_empty() {
            rows.push(split(&line));
        }
        rows
    }

    fn quoted(field: &str) -> String {
        format!("\"{}\"", field.replace('"', "\"\""))
    }

    proptest! {
        #[test]
        fn quote_free_files_split_into_their_lines_and_fields(
            text in "[ab я;\r\n]{0,80}",
        ) {
            prop_assert_eq!(records(&text, 1000).unwrap(), unquoted(&text));
        }

        #[test]
        fn quoted_records_come_back_as_written(
            rows in prop::collection::vec(
                prop::collection::vec("[aя;,\t\" \r\n]{0,6}", 1..5),
                0..6,
            ),
            ending in prop::sample::select(vec!["\n", "\r\n", "\r"]),
            last_ends in any::<bool>(),
        ) {
            let mut text = rows
                .iter()
                .map(|r| r.iter().map(|f| quoted(f)).collect::<Vec<_>>().join(";"))
                .collect::<Vec<_>>()
                .join(ending);
            if last_ends && !rows.is_empty() {
                text.push_str(ending);
            }
            prop_assert_eq!(records(&text, 1000).unwrap(), rows);
        }

        #[test]
        fn any_text_is_read_within_the_limits_or_refused(
            text in prop_oneof![any::<String>(), "[a\";,\t\r\n ]{0,300}"],
            max in 0usize..20,
        ) {
            if let Ok(rows) = records(&text, max) {
                prop_assert!(rows.len() <= max);
                for r in &rows {
                    prop_assert!(!r.is_empty() && r.len() <= MAX_FIELDS);
                    prop_assert!(r.iter().all(|f| f.chars().count() <= MAX_FIELD_CHARS));
                }
            }
        }

        #[test]
        fn utf8_text_decodes_to_itself_with_or_without_a_bom(text in any::<String>()) {
            prop_assume!(!text.starts_with('\u{FEFF}'));
            prop_assert_eq!(decode(text.as_bytes()), text.clone());
            prop_assert_eq!(decode(format!("\u{FEFF}{text}").as_bytes()), text);
        }

        #[test]
        fn windows_1251_text_decodes_to_itself(text in "[А-яЁё№«» a-z0-9;,.\"]{1,40}") {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&text);
            prop_assert!(!unmappable);
            // A few short Cyrillic byte pairs happen to be UTF-8 too (`Рё` is `и`): UTF-8 wins.
            prop_assume!(std::str::from_utf8(&bytes).is_err() || text.is_ascii());
            prop_assert_eq!(decode(&bytes), text);
        }
    }
}
