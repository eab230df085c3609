//! Times the statistics (issue 6 point 5) on a demo database: all four reports (results,
//! curriculum compliance, lesson types, attendance) of the first school for its first quarter
//! and for the current period, each table alone, and then every school of the database one
//! after another (a region).
//!
//! The demo has no final marks; when the first quarter has none, this first writes them as a
//! teacher would confirm the journal's proposals: the weighted average of the quarter through
//! the school's policy (fewer marks than its minimum → н/а), through `tabel_store::finals`.
//!
//! ```sh
//! tabel demo --db sqlite:///tmp/perf/one.db --today 2026-11-28
//! cargo run --release -p tabel --example stats_timing -- sqlite:///tmp/perf/one.db 2026-11-28 10
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tabel_app::stats::{PeriodChoice, Scope, StatsQuery};
use tabel_app::{App, AppConfig, Principal};
use tabel_domain::finals::{PeriodFacts, propose};
use tabel_domain::journal::Mark;
use tabel_domain::school::Role;
use tabel_domain::{PeriodId, SchoolId, UserId};
use tabel_store::finals::{NewFinal, Slot};
use tabel_store::school::{self as repo, Period};
use time::Date;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Min and median of some runs.
fn summary(mut runs: Vec<Duration>) -> String {
    runs.sort();
    let min = runs.first().copied().unwrap_or_default();
    let median = runs.get(runs.len() / 2).copied().unwrap_or_default();
    format!(
        "min {}, median {} ({} runs)",
        ms(min),
        ms(median),
        runs.len()
    )
}

async fn first_quarter(app: &App, school: SchoolId, today: Date) -> Period {
    let mut c = app.db().acquire().await.unwrap();
    let year = repo::academic_year_on(&mut c.conn(), school, today)
        .await
        .unwrap()
        .expect("a year");
    repo::list_periods(&mut c.conn(), year.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.number == 1 && p.kind == tabel_domain::school::PeriodKind::Quarter)
        .expect("a first quarter")
}

/// Writes the first quarter's final marks from the journal if there are none; how many.
async fn ensure_finals(app: &App, school: SchoolId, q1: &Period, today: Date) -> usize {
    let mut c = app.db().acquire().await.unwrap();
    let year = repo::academic_year_on(&mut c.conn(), school, today)
        .await
        .unwrap()
        .unwrap();
    let slot = Slot::Period(q1.id);
    if !tabel_store::stats::final_codes(&mut c.conn(), school, year.id, &slot.code())
        .await
        .unwrap()
        .is_empty()
    {
        return 0;
    }
    let policy = tabel_app::journal::load_policy(&mut c.conn(), school)
        .await
        .unwrap()
        .policy;
    let marks = tabel_store::stats::mark_counts(&mut c.conn(), school, (q1.starts_on, q1.ends_on))
        .await
        .unwrap();
    drop(c);
    let mut facts: BTreeMap<_, PeriodFacts> = BTreeMap::new();
    for m in &marks {
        let Ok(mark) = policy.parse_mark(&m.value, m.subject.get()) else {
            continue;
        };
        let f = facts.entry((m.student, m.subject)).or_default();
        match mark {
            Mark::Pass => f.passes += m.n,
            Mark::Fail => f.fails += m.n,
            _ => {
                for p in mark.points() {
                    f.average.sum += u64::from(p) * m.weights;
                    f.average.weights += m.weights;
                    f.average.count += m.n;
                }
                f.has_two |= mark.has_two();
            }
        }
    }
    let now = tabel_store::now_micros();
    let mut tx = app.db().begin().await.unwrap();
    let mut n = 0;
    for ((student, subject), f) in facts {
        let scale = policy.scale_of(subject.get());
        let Some(p) = propose(&policy, scale, &f) else {
            continue;
        };
        let code = p.value.code();
        tabel_store::finals::write(
            &mut tx.conn(),
            &NewFinal {
                school,
                year: year.id,
                student,
                subject,
                group: None,
                slot,
                value: &code,
                proposal: Some(&code),
                proposal_basis: None,
                reason: "",
                set_by: None,
                at: now,
            },
            0,
        )
        .await
        .unwrap();
        n += 1;
    }
    tx.commit().await.unwrap();
    n
}

fn admin(school: SchoolId) -> Principal {
    Principal {
        user: UserId::new(1),
        person: None,
        grants: vec![(Role::Admin, school)],
        class_teacher_of: vec![],
        children: vec![],
        student_in: None,
        pupils: Vec::new(),
        student_consent: false,
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "sqlite://tabel.db".into());
    let today = args
        .get(2)
        .map(|s| tabel::config::parse_date(s).expect("a date YYYY-MM-DD"))
        .unwrap_or(time::macros::date!(2026 - 11 - 28));
    let rounds: usize = args.get(3).map_or(5, |s| s.parse().expect("a number"));
    let db = tabel::open_db(&url).await.unwrap();
    let app = App::new(
        db.clone(),
        AppConfig {
            today: Some(today),
            ..AppConfig::default()
        },
    );
    let schools = {
        let mut c = db.acquire().await.unwrap();
        repo::list_schools(&mut c.conn()).await.unwrap()
    };
    println!(
        "{} school(s) in {}, today {today}",
        schools.len(),
        tabel::redact(&url)
    );
    let mut quarters: Vec<(SchoolId, PeriodId)> = Vec::new();
    let started = Instant::now();
    let mut written = 0;
    for s in &schools {
        let q1 = first_quarter(&app, s.id, today).await;
        written += ensure_finals(&app, s.id, &q1, today).await;
        quarters.push((s.id, q1.id));
    }
    if written > 0 {
        println!(
            "wrote {written} first-quarter final marks from the journals in {}",
            ms(started.elapsed())
        );
    }

    let (school, q1) = quarters[0];
    for (label, period) in [
        ("first quarter (final marks)", PeriodChoice::Period(q1)),
        ("current period (journal averages)", PeriodChoice::Current),
    ] {
        let q = StatsQuery {
            period,
            ..StatsQuery::of(Scope::school(school))
        };
        // Warm the pool and the caches once.
        let all = app.system_stats(&q).await.unwrap();
        let mut runs = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            app.system_stats(&q).await.unwrap();
            runs.push(t.elapsed());
        }
        let r = &all.results.total;
        println!(
            "school {school}, {label}: all four reports {} — N {}, {} from final marks, {} journals, {} pupils over the threshold",
            summary(runs),
            r.n(),
            r.from_finals,
            all.curriculum.lines.len(),
            all.attendance.pupils.len()
        );
        let p = admin(school);
        let mut each = Vec::new();
        for name in ["results", "curriculum", "lesson-types", "attendance"] {
            let mut runs = Vec::new();
            for _ in 0..rounds {
                let t = Instant::now();
                match name {
                    "results" => drop(app.stats_results(&p, &q).await.unwrap()),
                    "curriculum" => drop(app.stats_curriculum(&p, &q).await.unwrap()),
                    "lesson-types" => drop(app.stats_lesson_types(&p, &q).await.unwrap()),
                    _ => drop(app.stats_attendance(&p, &q).await.unwrap()),
                }
                runs.push(t.elapsed());
            }
            runs.sort();
            each.push(format!(
                "{name} {}",
                ms(runs.get(runs.len() / 2).copied().unwrap_or_default())
            ));
        }
        println!("  each alone (median): {}", each.join(", "));
        let t = Instant::now();
        let tables = all.tables();
        let sheets: Vec<tabel_reports::xlsx::Sheet> = tables
            .into_iter()
            .map(|t| tabel_reports::xlsx::Sheet {
                name: t.name,
                title: t.title,
                subtitle: t.subtitle,
                headers: t.headers,
                widths: t.widths,
                rows: t.rows,
            })
            .collect();
        let bytes = tabel_reports::xlsx::workbook(&sheets).unwrap();
        println!(
            "  the workbook of every table: {} sheets, {} KB in {}",
            sheets.len(),
            bytes.len() / 1024,
            ms(t.elapsed())
        );
    }

    if quarters.len() > 1 {
        let mut runs = Vec::new();
        let mut each = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            each.clear();
            for (school, q1) in &quarters {
                let q = StatsQuery {
                    period: PeriodChoice::Period(*q1),
                    ..StatsQuery::of(Scope::school(*school))
                };
                let s = Instant::now();
                app.system_stats(&q).await.unwrap();
                each.push(s.elapsed());
            }
            runs.push(t.elapsed());
        }
        println!(
            "region: all four reports of each of the {} schools for the first quarter, one after another: {}",
            quarters.len(),
            summary(runs)
        );
        println!("  a school in the last run: {}", summary(each));
    }
    db.close().await;
}
