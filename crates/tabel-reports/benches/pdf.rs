//! PDF budgets (docs/PERFORMANCE.md, issue 7): one pupil's extract < 50 ms; a class of 30 in
//! one PDF < 1 s. Realistic sample data: twelve subjects, 4–9 marks each, finals, forecast,
//! recommendations and homework per pupil. The renderer is built once, as the server does.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use tabel_reports::docs::ExtractDoc;
use tabel_reports::{Renderer, sample};

fn documents(c: &mut Criterion) {
    let r = Renderer::embedded();
    let one = sample::extract_doc(1);
    let class = sample::extract_doc(30);
    // typst memoises layout across renders (for the last 8 renders): the same document again is
    // much cheaper than a new one. A server prints different pupils each time, so these
    // variants outnumber the memo's age and never come back while remembered.
    let school = one.school.clone();
    let pupils: Vec<ExtractDoc> = (0..97)
        .map(|i| ExtractDoc {
            school: school.clone(),
            pupils: vec![sample::extract_pupil(i * 7 + 1)],
        })
        .collect();
    let classes: Vec<ExtractDoc> = (0..11)
        .map(|k| ExtractDoc {
            school: school.clone(),
            pupils: (0..30)
                .map(|i| sample::extract_pupil(k * 30 + i + 100))
                .collect(),
        })
        .collect();
    let sheet = sample::summary_sheet_doc(30);
    let journal = sample::journal_archive_doc(30);
    let form = sample::consent_form_doc();
    let letters = sample::login_letters_doc(30);
    let mut g = c.benchmark_group("pdf");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    g.bench_function("extract/one_pupil", |b| {
        b.iter(|| r.extracts(black_box(&one)))
    });
    g.bench_function("extract/class_of_30", |b| {
        b.iter(|| r.extracts(black_box(&class)))
    });
    let mut i = 0;
    g.bench_function("extract/one_pupil_each_time_another", |b| {
        b.iter(|| {
            i = (i + 1) % pupils.len();
            r.extracts(black_box(&pupils[i]))
        })
    });
    let mut k = 0;
    g.bench_function("extract/class_of_30_each_time_another", |b| {
        b.iter(|| {
            k = (k + 1) % classes.len();
            r.extracts(black_box(&classes[k]))
        })
    });
    g.bench_function("summary_sheet/class_of_30", |b| {
        b.iter(|| r.summary_sheet(black_box(&sheet)))
    });
    g.bench_function("journal_archive/30_pupils_4_quarters", |b| {
        b.iter(|| r.journal_archive(black_box(&journal)))
    });
    g.bench_function("consent_form", |b| {
        b.iter(|| r.consent_form(black_box(&form)))
    });
    g.bench_function("login_letters/30_letters", |b| {
        b.iter(|| r.login_letters(black_box(&letters)))
    });
    // Issue 17's budget: a parent's export of a full year (two children, ~1,900 rows) < 1 s.
    let exports: Vec<_> = (0..11).map(sample::data_export_year_doc).collect();
    let mut e = 0;
    g.sample_size(10);
    g.bench_function(
        "data_export/two_children_full_year_each_time_another",
        |b| {
            b.iter(|| {
                e = (e + 1) % exports.len();
                r.data_export(black_box(&exports[e]))
            })
        },
    );
    g.finish();
    c.bench_function("renderer/build_with_fonts", |b| b.iter(Renderer::embedded));
}

criterion_group!(benches, documents);
criterion_main!(benches);
