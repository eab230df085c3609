//! The workbook reader's memory budget, measured: every hostile workbook and a stream of random
//! and mutated ones are read under a global allocator that refuses (and so aborts the test on)
//! any allocation past the budget, and the peak is reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use cap::Cap;
use peak_alloc::PeakAlloc;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tabel_reports::workbook::craft::{Book, Packing, hostile};
use tabel_reports::workbook::{Limits, column_name, read_first_sheet};

/// Counts the peak (`PeakAlloc`) under a limit that refuses, and so aborts the test on, any
/// allocation past it (`Cap`).
#[global_allocator]
static HEAP: Cap<PeakAlloc> = Cap::new(PeakAlloc, usize::MAX);

/// What one read may hold at the most, on top of what was allocated before it (the upload
/// itself): the limits' worst case is about 50 MB.
const BUDGET: usize = 64 << 20;

/// Reads under the budget; returns the most bytes held above the start at any moment.
fn read_within_budget(bytes: &[u8], limits: &Limits) -> usize {
    let base = HEAP.allocated();
    HEAP.set_limit(base + BUDGET).unwrap();
    PeakAlloc.reset_peak_usage();
    let start = PeakAlloc.current_usage();
    let _ = read_first_sheet(bytes, limits);
    let peak = PeakAlloc.peak_usage();
    HEAP.set_limit(usize::MAX).unwrap();
    peak.saturating_sub(start)
}

#[test]
fn no_workbook_makes_the_reader_hold_more_than_its_budget() {
    let limits = Limits::table(10_020, 32);
    // The hostile ones first, each made before the measurement starts.
    let mut worst = 0;
    for (name, bytes) in hostile::all() {
        let used = read_within_budget(&bytes, &limits);
        println!(
            "{name} ({} bytes): {} KiB at the peak",
            bytes.len(),
            used >> 10
        );
        worst = worst.max(used);
    }
    // A workbook at the limits: every row and column used, written as tersely as XML allows
    // (no references), so the grid is as large as the part budget lets it be.
    let row = format!("<row>{}</row>", "<c><v>7</v></c>".repeat(32));
    let full = Book::rows("A1:AF10020", &row.repeat(10_020)).bytes();
    let used = read_within_budget(&full, &limits);
    println!("a full sheet: {} KiB at the peak", used >> 10);
    assert_eq!(read_first_sheet(&full, &limits).unwrap().len(), 10_020);
    worst = worst.max(used);

    // Texts up to the part and text budgets: 250 shared texts of 32,000 characters, each shown.
    let long = "a".repeat(32_000);
    let texts: Vec<&str> = (0..250).map(|_| long.as_str()).collect();
    let rows: String = (1..=250)
        .map(|r| {
            format!(
                r#"<row r="{r}"><c r="A{r}" t="s"><v>{}</v></c></row>"#,
                r - 1
            )
        })
        .collect();
    let texts = Book::rows("A1:A250", &rows).with_shared(&texts).bytes();
    let used = read_within_budget(&texts, &limits);
    println!("8 MB of texts: {} KiB at the peak", used >> 10);
    assert_eq!(read_first_sheet(&texts, &limits).unwrap().len(), 250);
    worst = worst.max(used);

    // Random and mutated workbooks.
    let mut runner = TestRunner::new(Config {
        cases: 100,
        failure_persistence: None,
        ..Config::default()
    });
    let cells = prop::collection::vec((1u32..=1_048_576, 1u32..=16_384, 0usize..200), 0..50);
    let strategy = (cells, any::<u8>(), any::<prop::sample::Index>());
    runner
        .run(&strategy, |(cells, flip, at)| {
            let body: String = cells
                .iter()
                .map(|&(r, c, n)| {
                    format!(
                        r#"<row r="{r}"><c r="{}{r}" t="inlineStr"><is><t>{}</t></is></c></row>"#,
                        column_name(c),
                        "ы".repeat(n)
                    )
                })
                .collect();
            let mut book = Book::rows("A1:XFD1048576", &body);
            book.packing = if flip % 2 == 0 {
                Packing::Stored
            } else {
                Packing::Deflate(u32::from(flip % 10))
            };
            let mut bytes = book.bytes();
            let i = at.index(bytes.len());
            bytes[i] ^= flip;
            let used = read_within_budget(&bytes, &limits);
            prop_assert!(used <= BUDGET);
            Ok(())
        })
        .unwrap();
    println!(
        "worst peak: {} KiB (budget {} KiB)",
        worst >> 10,
        BUDGET >> 10
    );
    assert!(worst <= BUDGET);
}
