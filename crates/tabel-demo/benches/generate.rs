//! How long the demo takes to write one school into a fresh SQLite file (the budget: under 10 s
//! in release; a region of 20 schools under 3 minutes). Database creation and migration are
//! outside the measurement.
#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::time::{Duration, Instant};
use tabel_demo::{DemoOptions, generate};
use tabel_store::test_support::TestDb;
use time::macros::date;

fn one_school(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let options = DemoOptions {
        schools: 1,
        seed: 42,
        today: date!(2026 - 11 - 28),
    };
    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    group.bench_function("one_school_sqlite", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let t = TestDb::sqlite().await;
                    let started = Instant::now();
                    generate(&t.db, &options).await.expect("generate");
                    total += started.elapsed();
                    t.db.close().await;
                }
                total
            })
        });
    });
    group.finish();
}

criterion_group!(benches, one_school);
criterion_main!(benches);
