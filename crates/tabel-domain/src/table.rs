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

/// How much one table from outside may hold, as a CSV file or as a workbook's sheet: each
/// import states its rows and columns; the length of a cell and the bytes of all the texts are
/// the same for every import ([`CELL_CHARS`], [`TEXT_BYTES`]). The workbook reader
/// (`tabel_reports::workbook::Limits`) is built from the same figures, so a file is refused at
/// the same place whichever format it comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// The last row (from 1) a value may stand in; blank lines count, as a spreadsheet counts
    /// them.
    pub rows: u32,
    /// The last column (from 1) a value may stand in; empty fields past it are dropped.
    pub columns: u32,
}

/// Characters a cell may hold (Excel's own limit).
pub const CELL_CHARS: usize = 32_767;

/// Bytes of all a table's texts together.
pub const TEXT_BYTES: usize = 8 << 20;

/// Why CSV bytes could not be read as a table. Each names where, so that the reader of an
/// upload can tell the user in the same words as for a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvError {
    /// UTF-16 or UTF-32, or bytes that are not text at all.
    Encoding,
    /// A record past [`Caps::rows`]; its row.
    TooManyRows {
        /// From 1.
        row: usize,
    },
    /// A quoted field runs to the end of the file; the row it opened on.
    UnclosedQuote {
        /// From 1.
        row: usize,
    },
    /// A value stands past [`Caps::columns`].
    PastLastColumn {
        /// From 1.
        row: usize,
        /// From 1 (A = 1).
        column: usize,
    },
    /// A field is longer than [`CELL_CHARS`] characters.
    FieldTooLong {
        /// From 1.
        row: usize,
        /// From 1 (A = 1).
        column: usize,
    },
    /// The fields together take more than [`TEXT_BYTES`].
    TooMuchText {
        /// From 1.
        row: usize,
    },
}

/// Reads an uploaded CSV file as a table: its text ([`csv_text`]) split into records
/// ([`records`]) within `caps`.
pub fn read_csv(bytes: &[u8], caps: &Caps) -> Result<Vec<Vec<String>>, CsvError> {
    let text = csv_text(bytes)?;
    records(&text, caps)
}

/// CSV bytes as text: UTF-8 (with or without a BOM) or Windows-1251 ([`decode`]). Refused:
/// UTF-16 and UTF-32 (their byte order marks, or NUL bytes), and bytes that are not text at all.
pub fn csv_text(bytes: &[u8]) -> Result<String, CsvError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || bytes.contains(&0) {
        return Err(CsvError::Encoding);
    }
    let text = decode(bytes);
    // Text a spreadsheet saves has no control characters but line breaks and tabs; decoded
    // bytes of another encoding (or of no text at all) usually do.
    if text
        .chars()
        .any(|c| c == '\u{FFFD}' || c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return Err(CsvError::Encoding);
    }
    Ok(text)
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

/// The parser's buffer for one field: [`CELL_CHARS`] characters of at most four bytes each,
/// and one byte more so that a field that fills it exactly is still seen to end. A field that
/// overflows it is longer than the limit and is refused without being held.
const FIELD_BUFFER: usize = CELL_CHARS * 4 + 1;

/// Splits CSV text into records of fields (RFC 4180 quoting as the csv crate reads it: `"a;b"`,
/// `""` for a quote, line breaks inside quotes kept; `\r\n`, `\n` and `\r` end a record),
/// within `caps`: a record past the last row (blank lines count and come back as a record of one
/// empty field, so that a record's place is its row in a spreadsheet and a file of blank lines
/// is bounded too), a value past the last column (empty fields there, which spreadsheets save
/// for rows shorter than the widest, are dropped), a field longer than [`CELL_CHARS`] and texts
/// over [`TEXT_BYTES`] are refused. One pass, constant work a byte; the largest buffer is one
/// field's.
pub fn records(text: &str, caps: &Caps) -> Result<Vec<Vec<String>>, CsvError> {
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
    let columns = caps.columns as usize;
    let mut text_bytes = 0usize;
    let mut pos = 0;
    loop {
        // The parser skips the line breaks before a record; a spreadsheet numbers the blank
        // lines they make, and so do we.
        let run = input[pos..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        for _ in 0..line_breaks(input, pos, pos + run) {
            push_record(&mut rows, vec![String::new()], caps)?;
        }
        let row = rows.len() + 1;
        let mut record: Vec<String> = Vec::new();
        let mut column = 0usize;
        let mut field_start = pos + run;
        loop {
            let mut len = 0;
            column += 1;
            let record_end = loop {
                let (res, nin, nout) = parser.read_field(&input[pos..], &mut out[len..]);
                pos += nin;
                len += nout;
                match res {
                    // All the text was given at once: the next call, with none left, ends it.
                    ReadFieldResult::InputEmpty => {}
                    ReadFieldResult::OutputFull => {
                        return Err(CsvError::FieldTooLong { row, column });
                    }
                    ReadFieldResult::Field { record_end } => break record_end,
                    ReadFieldResult::End => return Ok(rows),
                }
            };
            // The parser closes a quote left open at the end of the text; we refuse it.
            if pos == input.len() && unclosed(&input[field_start..]) {
                return Err(CsvError::UnclosedQuote { row });
            }
            if column > columns {
                if len > 0 {
                    return Err(CsvError::PastLastColumn { row, column });
                }
            } else {
                // The parser splits only at ASCII bytes and drops only quotes: the bytes of a
                // field of UTF-8 text are UTF-8.
                let field = String::from_utf8_lossy(&out[..len]).into_owned();
                if field.chars().count() > CELL_CHARS {
                    return Err(CsvError::FieldTooLong { row, column });
                }
                text_bytes += field.len();
                if text_bytes > TEXT_BYTES {
                    return Err(CsvError::TooMuchText { row });
                }
                record.push(field);
            }
            if record_end {
                break;
            }
            field_start = pos;
        }
        push_record(&mut rows, record, caps)?;
    }
}

fn push_record(
    rows: &mut Vec<Vec<String>>,
    record: Vec<String>,
    caps: &Caps,
) -> Result<(), CsvError> {
    if rows.len() >= caps.rows as usize {
        return Err(CsvError::TooManyRows {
            row: rows.len() + 1,
        });
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

    /// The records of `text` within `rows` rows and 256 columns.
    fn rec(text: &str, rows: usize) -> Result<Vec<Vec<String>>, CsvError> {
        let caps = Caps {
            rows: u32::try_from(rows).unwrap(),
            columns: 256,
        };
        records(text, &caps)
    }

    #[test]
    fn the_separator_is_the_one_the_first_line_uses_most() {
        assert_eq!(rec("a;b;c\n1;2;3\n", 10).unwrap()[1], ["1", "2", "3"]);
        assert_eq!(rec("a,b\n\"1,5\",2\n", 10).unwrap()[1], ["1,5", "2"]);
        assert_eq!(rec("a\tb\n1\t2", 10).unwrap()[1], ["1", "2"]);
        assert_eq!(rec("\n\n\"x;y\",z,w\n", 10).unwrap()[2], ["x;y", "z", "w"]);
        assert_eq!(rec("abc\n", 10).unwrap(), [["abc"]]);
    }

    #[test]
    fn quotes_hold_separators_quotes_and_line_breaks() {
        assert_eq!(
            rec("\"a;b\";\"say \"\"hi\"\"\";\"two\r\nlines\"\nx", 10).unwrap(),
            vec![vec!["a;b", "say \"hi\"", "two\r\nlines"], vec!["x"]]
        );
        // Text after a closing quote joins the field; a quote inside a bare field is text.
        assert_eq!(rec("\"a\"b;c\"d", 10).unwrap(), [["ab", "c\"d"]]);
        // RFC 4180: a quote opens a field only as its first character (blanks before it are
        // text).
        assert_eq!(rec("  \"a;b\";c", 10).unwrap(), [["  \"a", "b\"", "c"]]);
        assert_eq!(rec("a;", 10).unwrap(), [["a", ""]]);
        assert_eq!(rec("", 10).unwrap(), Vec::<Vec<String>>::new());
    }

    #[test]
    fn blank_lines_keep_their_rows_and_every_line_ending_ends_a_record() {
        let blank = || vec![String::new()];
        let row = |f: &str| vec![f.to_owned()];
        assert_eq!(rec("a\n\nb", 10).unwrap(), [row("a"), blank(), row("b")]);
        assert_eq!(
            rec("\r\n\r\na\r\n", 10).unwrap(),
            [blank(), blank(), row("a")]
        );
        assert_eq!(rec("a\r\rb\r", 10).unwrap(), [row("a"), blank(), row("b")]);
        assert_eq!(rec("a\n\n", 10).unwrap(), [row("a"), blank()]);
        assert_eq!(rec("\u{FEFF}\u{FEFF}\na", 10).unwrap(), [blank(), row("a")]);
        // A line break inside quotes stays in its row, as in a spreadsheet.
        assert_eq!(
            rec("\"x\n\ny\";1\n\nz", 10).unwrap(),
            vec![vec!["x\n\ny".to_owned(), "1".to_owned()], blank(), row("z")]
        );
        let long = "я".repeat(CELL_CHARS + 1);
        assert_eq!(
            rec(&format!("a\r\n\r\n\"x\ny\"\n{long}"), 10),
            Err(CsvError::FieldTooLong { row: 4, column: 1 })
        );
    }

    #[test]
    fn wide_rows_and_long_fields_are_refused_in_one_pass() {
        // Empty fields past the last column are dropped; a value there is refused.
        let narrow = Caps {
            rows: 10,
            columns: 3,
        };
        assert_eq!(records("a;b;c;;;;\n", &narrow).unwrap(), [["a", "b", "c"]]);
        assert_eq!(
            records("a\n;;;\"\";x\n", &narrow),
            Err(CsvError::PastLastColumn { row: 2, column: 5 })
        );
        // Empty fields cost nothing, however many: 100,000 of them are one row of three.
        assert_eq!(
            records(&";".repeat(100_000), &narrow).unwrap(),
            [["", "", ""]]
        );
        let long = "я".repeat(CELL_CHARS + 1);
        assert_eq!(
            rec(&format!("a\n\"{long}\""), 10),
            Err(CsvError::FieldTooLong { row: 2, column: 1 })
        );
        assert_eq!(
            rec(&format!("a;{long};b"), 10),
            Err(CsvError::FieldTooLong { row: 1, column: 2 })
        );
        // The limit counts characters, not bytes: four-byte ones fill the buffer exactly.
        let widest = "😀".repeat(CELL_CHARS);
        assert_eq!(rec(&widest, 10).unwrap()[0][0].chars().count(), CELL_CHARS);
        assert_eq!(
            rec(&format!("{widest}😀"), 10),
            Err(CsvError::FieldTooLong { row: 1, column: 1 })
        );
        assert_eq!(
            rec(&format!("{}я", "a".repeat(CELL_CHARS)), 10),
            Err(CsvError::FieldTooLong { row: 1, column: 1 })
        );
        // Blanks and then a quote, many times over: linear, not quadratic (this took minutes).
        let text = format!("{}x{}", " ".repeat(30_000), "\"".repeat(30_000));
        let started = std::time::Instant::now();
        let _ = rec(&text, 10);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn limits_and_unclosed_quotes_are_errors() {
        assert_eq!(rec("a\nb\nc\n", 2), Err(CsvError::TooManyRows { row: 3 }));
        assert_eq!(rec("a\nb\nc", 2), Err(CsvError::TooManyRows { row: 3 }));
        assert_eq!(rec("a\nb", 2).unwrap().len(), 2);
        // A file of blank lines is bounded too.
        assert_eq!(
            rec(&"\r\n".repeat(100_000), 10),
            Err(CsvError::TooManyRows { row: 11 })
        );
        assert_eq!(rec("a\n\"b\n", 10), Err(CsvError::UnclosedQuote { row: 2 }));
        assert_eq!(
            rec("a\n\nx;\"b;c\nd", 10),
            Err(CsvError::UnclosedQuote { row: 3 })
        );
        assert_eq!(rec("\"a\"\"", 10), Err(CsvError::UnclosedQuote { row: 1 }));
        assert_eq!(rec("\"a\"\"\"", 10).unwrap(), [["a\""]]);
    }

    #[test]
    fn text_of_another_encoding_or_none_is_refused() {
        let caps = Caps {
            rows: 10,
            columns: 5,
        };
        let utf16: Vec<u8> = "\u{FEFF}a;b"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(read_csv(&utf16, &caps), Err(CsvError::Encoding));
        assert_eq!(read_csv(b"a;\0b", &caps), Err(CsvError::Encoding));
        assert_eq!(read_csv(b"a;\x01b", &caps), Err(CsvError::Encoding));
        assert_eq!(read_csv(b"a;\t;b\r\n", &caps).unwrap(), [["a", "\t", "b"]]);
        let mut much = String::new();
        for _ in 0..300 {
            much.push_str(&"я".repeat(CELL_CHARS / 2));
            much.push('\n');
        }
        let wide = Caps {
            rows: 1_000,
            columns: 5,
        };
        assert!(matches!(
            read_csv(much.as_bytes(), &wide),
            Err(CsvError::TooMuchText { .. })
        ));
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
            prop_assert_eq!(rec(&text, 1000).unwrap(), unquoted(&text));
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
            prop_assert_eq!(rec(&text, 1000).unwrap(), rows);
        }

        #[test]
        fn any_text_is_read_within_the_limits_or_refused(
            text in prop_oneof![any::<String>(), "[a\";,\t\r\n ]{0,300}"],
            max in 0usize..20,
        ) {
            if let Ok(rows) = rec(&text, max) {
                prop_assert!(rows.len() <= max);
                for r in &rows {
                    prop_assert!(!r.is_empty() && r.len() <= 256);
                    prop_assert!(r.iter().all(|f| f.chars().count() <= CELL_CHARS));
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
