use super::craft::{Book, Packing, Part, hostile, inline_row};
use super::*;
use proptest::prelude::*;

const LIMITS: Limits = Limits::table(2_010, 32);

fn read(bytes: &[u8]) -> Result<Vec<Vec<String>>, WorkbookError> {
    read_first_sheet(bytes, &LIMITS)
}

#[test]
fn a_workbook_from_a_spreadsheet_program_reads_as_it_shows() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    ws.write_string(2, 2, "Тема").unwrap();
    ws.write_string(2, 3, "Часы").unwrap();
    ws.write_string(3, 2, "Дроби & «проценты»").unwrap();
    ws.write_number(3, 3, 2).unwrap();
    ws.write_number(4, 3, 4.5).unwrap();
    ws.write_boolean(4, 4, true).unwrap();
    let day = ExcelDateTime::from_ymd(2026, 5, 20).unwrap();
    ws.write_datetime_with_format(5, 2, &day, &date).unwrap();
    ws.write_formula(5, 3, "=D4+D5").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let rows = read(&bytes).unwrap();
    assert_eq!(rows.len(), 6);
    assert!(rows[..2].iter().all(Vec::is_empty));
    // The table starts in column C: C reads as the first cell.
    assert_eq!(rows[2], ["Тема", "Часы"]);
    assert_eq!(rows[3], ["Дроби & «проценты»", "2"]);
    assert_eq!(rows[4], ["", "4.5", "true"]);
    // A formula reads as the value saved with it (this writer saves 0), not evaluated.
    assert_eq!(rows[5], ["2026-05-20", "0"]);
}

#[test]
fn every_sheet_reads_by_name_in_the_workbooks_order() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let pupils = wb.add_worksheet();
    pupils.set_name("Ученики").unwrap();
    pupils.write_string(0, 0, "Фамилия").unwrap();
    pupils.write_string(1, 0, "Ёлкина").unwrap();
    let staff = wb.add_worksheet();
    staff.set_name("Сотрудники").unwrap();
    staff.write_string(0, 1, "Должность").unwrap();
    wb.add_worksheet().set_name("Пустой").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let sheets = read_sheets(&bytes, &LIMITS).unwrap();
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Ученики", "Сотрудники", "Пустой"]);
    assert_eq!(sheets[0].rows, [["Фамилия"], ["Ёлкина"]]);
    assert_eq!(sheets[1].rows, [["Должность"]]);
    assert!(sheets[2].rows.is_empty());
    assert_eq!(read(&bytes).unwrap(), sheets[0].rows);
}

#[test]
fn the_text_budget_is_the_workbooks_not_each_sheets() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let long = "я".repeat(2_000);
    for s in 0..3 {
        let ws = wb.add_worksheet();
        for r in 0..10 {
            ws.write_string(r, 0, format!("{s}{r}{long}")).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    // Each sheet holds about 40 KB of text; the three together pass 100 KB.
    let limits = Limits {
        text_bytes: 100_000,
        ..LIMITS
    };
    assert_eq!(read(&bytes).unwrap().len(), 10);
    assert_eq!(
        read_sheets(&bytes, &limits).unwrap_err(),
        WorkbookError::TooLarge(Limit::TextBytes(100_000))
    );
}

#[test]
fn every_hostile_workbook_is_refused_quickly() {
    for (name, bytes) in hostile::all() {
        assert!(bytes.len() < 2 << 20, "{name}: {} bytes", bytes.len());
        let started = std::time::Instant::now();
        let e = read(&bytes).expect_err(name);
        assert!(
            started.elapsed().as_secs() < 5,
            "{name}: {:?}",
            started.elapsed()
        );
        let text = e.to_string();
        assert!(!text.is_empty(), "{name}");
    }
}

#[test]
fn each_limit_is_named_when_it_is_reached() {
    let e = read(&hostile::far_cells()).unwrap_err();
    assert_eq!(
        e,
        WorkbookError::Cell {
            row: 1_048_576,
            column: 16_384,
            limit: Limit::Rows(2_010)
        }
    );
    assert_eq!(e.to_string(), "XFD1048576: a file may use rows 1 to 2010");

    let e = read(&hostile::row_bomb(64)).unwrap_err();
    assert_eq!(
        e,
        WorkbookError::TooLarge(Limit::PartBytes(LIMITS.part_bytes))
    );
    let e = read(&hostile::string_bomb(64)).unwrap_err();
    assert_eq!(
        e,
        WorkbookError::TooLarge(Limit::PartBytes(LIMITS.part_bytes))
    );
    assert_eq!(
        read(&hostile::many_entries(1_001)).unwrap_err(),
        WorkbookError::TooLarge(Limit::Entries(1_000))
    );
    assert!(read(&hostile::many_entries(990)).is_ok());

    let wide = Book::rows("A1:AG1", r#"<row r="1"><c r="AG1"><v>1</v></c></row>"#);
    assert_eq!(
        read(&wide.bytes()).unwrap_err().to_string(),
        "AG1: a file may use columns A to AF"
    );
}

#[test]
fn a_lying_size_meets_the_hard_stop() {
    // The headers say 1,000 bytes; 200 MiB come out. Either the archive's own check or the
    // budget stops it; nothing past the budget is held.
    let e = read(&hostile::lying_bomb(200)).unwrap_err();
    assert!(
        matches!(e, WorkbookError::Unreadable(_) | WorkbookError::TooLarge(_)),
        "{e:?}"
    );
    // Told the truth about a size under the part budget but over what is left of the whole.
    let small = Limits {
        inflated_bytes: 2_000,
        ..LIMITS
    };
    let big = Book::rows("A1", &inline_row(1, &["x".repeat(3_000).as_str()]));
    assert_eq!(
        read_first_sheet(&big.bytes(), &small).unwrap_err(),
        WorkbookError::TooLarge(Limit::InflatedBytes(2_000))
    );
}

#[test]
fn counts_and_lengths_stop_at_their_limits() {
    let tight = Limits {
        shared_strings: 3,
        cell_chars: 5,
        text_bytes: 12,
        styles: 2,
        ..LIMITS
    };
    let book = |texts: &[&str], rows: &str| Book::rows("A1", rows).with_shared(texts).bytes();
    let one = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    assert_eq!(
        read_first_sheet(&book(&["a", "b", "c", "d"], one), &tight).unwrap_err(),
        WorkbookError::TooLarge(Limit::SharedStrings(3))
    );
    // A too-long shared text is refused only where a cell shows it, and named there.
    let two = r#"<row r="2"><c r="B2" t="s"><v>1</v></c></row>"#;
    assert_eq!(
        read_first_sheet(&book(&["ok", "абвгде"], two), &tight).unwrap_err(),
        WorkbookError::Cell {
            row: 2,
            column: 2,
            limit: Limit::CellChars(5)
        }
    );
    assert!(read_first_sheet(&book(&["ok", "абвгде"], one), &tight).is_ok());
    let inline = Book::rows("A1", &inline_row(3, &["abc", "абвгде"])).bytes();
    assert_eq!(
        read_first_sheet(&inline, &tight).unwrap_err().to_string(),
        "B3: a cell holds at most 5 characters"
    );
    // The same short text shown many times adds up.
    let many: String = (1..=7)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#))
        .collect();
    assert_eq!(
        read_first_sheet(&book(&["ab"], &many), &tight).unwrap_err(),
        WorkbookError::TooLarge(Limit::TextBytes(12))
    );
    let mut styled = Book::rows("A1", one);
    styled.styles = Some(Part::text(
        r#"<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="0"/></cellXfs></styleSheet>"#,
    ));
    assert_eq!(
        read_first_sheet(&styled.bytes(), &tight).unwrap_err(),
        WorkbookError::TooLarge(Limit::Styles(2))
    );
}

#[test]
fn the_xml_forms_of_a_cell_all_read() {
    let mut book = Book::rows(
        "A1:F2",
        concat!(
            // No `r` on the row or cells: they follow on.
            r#"<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="b"><v>0</v></c>"#,
            r#"<c t="e"><v>#DIV/0!</v></c><c t="str"><f>A1</f><v>x &amp; y</v></c></row>"#,
            r#"<row r="2"><c r="A2" s="1"><v>46162</v></c><c r="B2" s="2"><v>46162</v></c>"#,
            r#"<c r="C2" t="d"><v>2026-09-01T00:00:00</v></c><c r="D2" s="1"/>"#,
            r#"<c r="E2" t="inlineStr"><is><r><t>Ё</t></r><r><t>лка</t></r><rPh><t>x</t></rPh></is></c>"#,
            r#"<c r="F2"><v>&#49;&#x32;</v></c></row>"#
        ),
    );
    book.shared_strings = Some(Part::text(concat!(
        r#"<sst><si><r><t>Рус</t></r><r><rPr/><t xml:space="preserve">ский </t></r>"#,
        r#"<rPh><t>ruby</t></rPh></si><si><t>a_x000D_b</t></si></sst>"#
    )));
    book.styles = Some(Part::text(concat!(
        r#"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>"#,
        r#"<cellStyleXfs><xf numFmtId="14"/><xf numFmtId="14"/></cellStyleXfs>"#,
        r#"<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="2"/></cellXfs></styleSheet>"#
    )));
    let rows = read(&book.bytes()).unwrap();
    assert_eq!(rows[0], ["Русский ", "a\rb", "false", "#DIV/0!", "x & y"]);
    assert_eq!(
        rows[1],
        ["2026-05-20", "46162", "2026-09-01", "", "Ёлка", "12"]
    );

    book.workbook_pr = r#"date1904="1""#.into();
    assert_eq!(read(&book.bytes()).unwrap()[1][0], "2030-05-21");
}

#[test]
fn broken_archives_and_parts_are_unreadable_not_panics() {
    for bytes in [
        &b"PK\x03\x04garbage"[..],
        b"",
        b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    ] {
        assert!(matches!(read(bytes), Err(WorkbookError::Unreadable(_))));
    }
    let bad = [
        "<row r=\"x\"/>",
        "<row><c r=\"1A\"><v>1</v></c></row>",
        "<row><c t=\"s\"><v>7</v></c></row>",
        "<row><c><v>&bogus;</v></c></row>",
        "<row><c><v>1</x></c></row>",
    ];
    for rows in bad {
        let e = read(&Book::rows("A1", rows).bytes()).unwrap_err();
        assert!(matches!(e, WorkbookError::Unreadable(_)), "{rows}: {e:?}");
    }
    // An empty sheet part is a sheet without rows.
    let mut empty = Book::rows("A1", "");
    empty.sheet = Part::text("");
    assert_eq!(read(&empty.bytes()).unwrap(), Vec::<Vec<String>>::new());
}

#[test]
fn stored_parts_read_like_deflated_ones() {
    let mut book = Book::rows("A1", &inline_row(1, &["a", "b"]));
    book.packing = Packing::Stored;
    assert_eq!(read(&book.bytes()).unwrap(), [["a", "b"]]);
}

/// A random workbook: cells anywhere in Excel's grid, shared strings of random count and length
/// (some referred to past the table's end), a random dimension, and random compression.
fn workbook() -> impl Strategy<Value = Vec<u8>> {
    let cell = (
        1u32..=1_048_576,
        1u32..=16_384,
        0u8..4,
        0usize..40,
        0usize..3_000,
    );
    (
        prop::collection::vec(cell, 0..60),
        prop::collection::vec(0usize..200, 0..40),
        (1u32..=1_048_576, 1u32..=16_384),
        prop_oneof![Just(Packing::Stored), (0u32..=9).prop_map(Packing::Deflate)],
    )
        .prop_map(|(cells, shared, dim, packing)| {
            let mut cells = cells;
            // Mostly small positions, as a table has; some anywhere.
            for (i, c) in cells.iter_mut().enumerate() {
                if i % 4 != 0 {
                    c.0 = c.0 % 40 + 1;
                    c.1 = c.1 % 8 + 1;
                }
            }
            cells.sort_by_key(|c| (c.0, c.1));
            let body: String = cells
                .iter()
                .map(|&(r, c, kind, idx, len)| {
                    let at = format!("{}{r}", column_name(c));
                    match kind {
                        0 => format!(r#"<row r="{r}"><c r="{at}"><v>{idx}.5</v></c></row>"#),
                        1 => format!(r#"<row r="{r}"><c r="{at}" t="s"><v>{idx}</v></c></row>"#),
                        2 => format!(
                            r#"<row r="{r}"><c r="{at}" t="inlineStr"><is><t>{}</t></is></c></row>"#,
                            "щ".repeat(len)
                        ),
                        _ => format!(r#"<row r="{r}"><c r="{at}" s="{idx}"><v>4{len}</v></c></row>"#),
                    }
                })
                .collect();
            let texts: Vec<String> = shared.iter().map(|&n| "ж".repeat(n)).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let mut book = Book::rows(&format!("A1:{}{}", column_name(dim.1), dim.0), &body)
                .with_shared(&refs);
            book.packing = packing;
            book.bytes()
        })
}

/// What a returned sheet may hold under the limits.
fn within(rows: &[Vec<String>], limits: &Limits) -> bool {
    let texts: usize = rows.iter().flatten().map(String::len).sum();
    rows.len() <= limits.rows as usize
        && rows.iter().all(|r| r.len() <= limits.columns as usize)
        && rows
            .iter()
            .flatten()
            .all(|c| c.chars().count() <= limits.cell_chars)
        && texts <= limits.text_bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_workbooks_read_within_the_limits(bytes in workbook()) {
        let limits = Limits { cell_chars: 150, text_bytes: 4_000, ..LIMITS };
        match read_first_sheet(&bytes, &limits) {
            Ok(rows) => prop_assert!(within(&rows, &limits)),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn mutated_workbooks_never_panic(
        bytes in workbook(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = bytes;
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let _ = read(&bytes);
        let keep = cut.index(bytes.len() + 1);
        if let Ok(rows) = read(&bytes[..keep]) {
            prop_assert!(within(&rows, &LIMITS));
        }
    }
}
