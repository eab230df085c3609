//! Fuzzing every reader of outside input that works on bytes or text, driven by proptest so that
//! it runs in CI for a bounded time: the one reader of uploaded tables (workbooks and CSV, for each
//! import's caps) and the importers behind it, the journal's mark and cell syntax, the audit
//! checkpoint file. No input may panic, and what is read stays within the caps.
//!
//! `TABEL_FUZZ_CASES` sets the cases per property (default 256; `.ci/run` keeps the default, a
//! developer hunting runs `TABEL_FUZZ_CASES=100000 cargo test -p tabel-app --test fuzz_readers`).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use tabel_app::upload::{Spec, read_table, read_tables};
use tabel_domain::table::{CELL_CHARS, Caps};
use tabel_reports::workbook::craft;
use time::macros::date;

fn cases() -> u32 {
    std::env::var("TABEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Each import's budget, as the use cases state it.
fn specs() -> [(&'static str, Spec<'static>); 3] {
    let spec = |caps: Caps, max_bytes: usize| Spec {
        caps,
        max_bytes,
        too_many_rows: "too many rows",
    };
    [
        ("plan", spec(tabel_domain::thematic::CAPS, 2 << 20)),
        ("exams", spec(tabel_domain::exams::CAPS, 2 << 20)),
        ("setup", spec(tabel_domain::setup::CAPS, 16 << 20)),
    ]
}

/// Reads with every import's caps and feeds what was read to that import's parser.
fn read_everything(bytes: &[u8]) -> Result<(), TestCaseError> {
    for (name, spec) in specs() {
        match read_tables(bytes, &spec) {
            Ok(tables) => {
                for t in &tables {
                    prop_assert!(t.rows.len() <= spec.caps.rows as usize, "{}", name);
                    for row in &t.rows {
                        prop_assert!(row.len() <= spec.caps.columns as usize, "{}", name);
                        prop_assert!(
                            row.iter().all(|c| c.chars().count() <= CELL_CHARS),
                            "{}",
                            name
                        );
                    }
                }
                let first = read_table(bytes, &spec);
                prop_assert!(
                    first.is_ok(),
                    "{}: all sheets read, the first refused",
                    name
                );
                let rows = first.unwrap();
                match name {
                    "plan" => drop(tabel_domain::thematic::parse_rows(rows)),
                    "exams" => {
                        for kind in tabel_domain::exams::ExamKind::ALL {
                            drop(tabel_domain::exams::parse_rows(kind, rows.clone()));
                        }
                    }
                    _ => {
                        let lists: Vec<(String, Vec<Vec<String>>)> = tables
                            .into_iter()
                            .map(|t| (t.sheet.unwrap_or_else(|| "pupils.csv".into()), t.rows))
                            .collect();
                        drop(tabel_domain::setup::read_workbook(
                            &lists,
                            date!(2026 - 12 - 07),
                        ));
                        drop(tabel_domain::setup::read_csv_files(
                            &lists,
                            date!(2026 - 12 - 07),
                        ));
                    }
                }
            }
            Err(e) => prop_assert!(!e.message.is_empty(), "{}: a refusal says why", name),
        }
    }
    Ok(())
}

/// Text shaped like a school's CSV: headings the importers know, Cyrillic, numbers, dates,
/// separators, quotes, line breaks and byte order marks in any order.
fn csv_like() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("Фамилия".to_owned()),
        Just("Имя".to_owned()),
        Just("Класс".to_owned()),
        Just("Тема".to_owned()),
        Just("Часы".to_owned()),
        Just("ФИО".to_owned()),
        Just("Предмет".to_owned()),
        Just("Отметка".to_owned()),
        Just("Дата рождения".to_owned()),
        Just("5А".to_owned()),
        Just("01.09.2015".to_owned()),
        Just("2026-05-20".to_owned()),
        "[0-9]{1,6}",
        "[А-Яа-яЁё ]{0,12}",
        Just(";".to_owned()),
        Just(",".to_owned()),
        Just("\t".to_owned()),
        Just("\"".to_owned()),
        Just("\"\"".to_owned()),
        Just("\r\n".to_owned()),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just("\u{FEFF}".to_owned()),
    ];
    prop::collection::vec(token, 0..200).prop_map(|t| t.concat())
}

/// A workbook whose sheet holds cells anywhere, of any text, as inline strings.
fn workbook() -> impl Strategy<Value = Vec<u8>> {
    let cell = (1u32..40, 1u32..12_000, "[А-Яа-я0-9 .;<>&\"]{0,20}");
    (prop::collection::vec(cell, 0..40), "[A-Z]{1,3}[0-9]{1,7}").prop_map(|(cells, dim)| {
        let mut cells = cells;
        cells.sort_by_key(|&(c, r, _)| (r, c));
        let mut xml = String::new();
        for (column, row, text) in &cells {
            let name = tabel_reports::workbook::column_name(*column);
            let text = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            xml.push_str(&format!(
                "<row r=\"{row}\"><c r=\"{name}{row}\" t=\"inlineStr\"><is><t>{text}</t></is></c></row>"
            ));
        }
        craft::Book::rows(&dim, &xml).bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn no_bytes_make_a_reader_panic(bytes in prop::collection::vec(any::<u8>(), 0..4_000)) {
        read_everything(&bytes)?;
    }

    #[test]
    fn no_csv_like_text_makes_a_reader_or_an_importer_panic(text in csv_like()) {
        read_everything(text.as_bytes())?;
        // The same text as Windows-1251, as Russian Excel saves it.
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
        read_everything(&cp1251)?;
    }

    #[test]
    fn no_workbook_makes_a_reader_panic(book in workbook()) {
        read_everything(&book)?;
    }

    #[test]
    fn no_damaged_workbook_makes_a_reader_panic(
        book in workbook(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = book;
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        read_everything(&bytes)?;
        let end = cut.index(bytes.len());
        read_everything(&bytes[..end])?;
    }

    #[test]
    fn no_typed_cell_makes_the_journal_panic(raw in "\\PC{0,12}", subject in any::<i64>()) {
        let policy = tabel_domain::journal::GradingPolicy::default();
        let _ = policy.parse_cell(&raw, subject);
        let _ = policy.parse_mark(&raw, subject);
    }

    #[test]
    fn no_checkpoint_file_makes_verify_panic(text in "[0-9a-f #\\-\\n]{0,200}") {
        let _ = tabel_domain::audit::Checkpoint::parse_file(&text);
    }
}

#[test]
fn every_hostile_workbook_is_refused_by_every_import() {
    for (what, bytes) in craft::hostile::all() {
        for (name, spec) in specs() {
            assert!(read_tables(&bytes, &spec).is_err(), "{what} for {name}");
        }
    }
}
