//! The school-wide proposals of a reporting period (issue 6's budget: the whole demo school,
//! every class × subject, in under 100 ms) on a warm pool — as the server answers them — for
//! the finished first quarter and the second to date, on SQLite and, where a cluster can be
//! started, on PostgreSQL. `tabel finals propose` measures the same on a cold process.
#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use tabel_app::{App, AppConfig};
use tabel_demo::{DemoOptions, generate};
use tabel_domain::school::PeriodKind;
use tabel_domain::{PeriodId, SchoolId};
use tabel_store::school as repo;
use tabel_store::test_support::TestDb;
use time::macros::date;

fn proposals(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let today = date!(2026 - 11 - 28);
    let mut group = c.benchmark_group("proposals");
    group.sample_size(20);
    let mut dbs = vec![("sqlite", runtime.block_on(TestDb::sqlite()))];
    match runtime.block_on(TestDb::postgres()) {
        Some(pg) => dbs.push(("postgres", pg)),
        None => tabel_store::test_support::skip("the PostgreSQL proposals benchmark"),
    }
    for (backend, t) in &dbs {
        let (app, school, periods) = runtime.block_on(async {
            let options = DemoOptions {
                schools: 1,
                seed: 42,
                today,
            };
            generate(&t.db, &options).await.expect("demo");
            let mut c = t.db.acquire().await.expect("connection");
            let c = &mut c.conn();
            let school = SchoolId::new(1);
            let year = repo::academic_year_on(c, school, today)
                .await
                .expect("year")
                .expect("a year today");
            let periods: Vec<(u8, PeriodId)> = repo::list_periods(c, year.id)
                .await
                .expect("periods")
                .into_iter()
                .filter(|p| p.kind == PeriodKind::Quarter && p.number <= 2)
                .map(|p| (p.number, p.id))
                .collect();
            let config = AppConfig {
                today: Some(today),
                ..AppConfig::default()
            };
            (App::new(t.db.clone(), config), school, periods)
        });
        let operator = tabel_app::extracts::operator(school);
        for (number, period) in periods {
            group.bench_function(format!("{backend}_quarter_{number}"), |b| {
                b.iter(|| {
                    runtime.block_on(async {
                        let lines = app
                            .school_proposals(&operator, school, period, None)
                            .await
                            .expect("proposals");
                        assert!(lines.len() > 5_000, "{} lines", lines.len());
                    })
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, proposals);
criterion_main!(benches);
