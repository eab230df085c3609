//! Pure rules on realistic sizes: checking a new assessment procedure against a class's year,
//! and computing a class's dated lessons for a year from its weekly timetable.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tabel_domain::assessment::{Context, Planned, check};
use tabel_domain::school::DayOffKind;
use tabel_domain::timetable::{DayOff, GradeCalendar, WeeklyLine, lessons_for};
use time::macros::date;

fn assessment(c: &mut Criterion) {
    // A busy class: 60 procedures across 12 subjects over the year.
    let schedule: Vec<Planned> = (0..60)
        .map(|i| Planned {
            id: i + 1,
            class: 1,
            subject: i % 12,
            on: date!(2026 - 09 - 07) + time::Duration::days(i * 4),
            number: 3,
            group: None,
            work: i + 1,
        })
        .collect();
    // Four other classes of the parallel writing the same works a day or two later.
    let parallel: Vec<Planned> = (0..240)
        .map(|i| Planned {
            id: 100 + i,
            class: 2 + i / 60,
            subject: (i % 60) % 12,
            on: date!(2026 - 09 - 07) + time::Duration::days((i % 60) * 4 + 1 + i / 120),
            number: 3,
            group: None,
            work: i % 60 + 1,
        })
        .collect();
    let ctx = Context {
        grade: 8,
        class_schedule: &schedule,
        parallel_schedule: &[],
        yearly_hours: 102,
        weekly_tenths: 30,
        day_bounds: Some((1, 7)),
        first_half_ends: date!(2026 - 12 - 28),
        minutes: 40,
    };
    let new = Planned {
        id: 0,
        class: 1,
        subject: 5,
        on: date!(2027 - 03 - 10),
        number: 3,
        group: None,
        work: 0,
    };
    c.bench_function("assessment/check_against_a_year_of_60", |b| {
        b.iter(|| check(black_box(&new), black_box(&ctx)))
    });
    let with_parallel = Context {
        parallel_schedule: &parallel,
        ..ctx.clone()
    };
    c.bench_function("assessment/check_against_a_parallel_of_5_classes", |b| {
        b.iter(|| check(black_box(&new), black_box(&with_parallel)))
    });
}

fn lessons(c: &mut Criterion) {
    let cal = GradeCalendar {
        grade: 7,
        first_day: date!(2026 - 09 - 01),
        last_day: date!(2027 - 05 - 26),
        week_days: 5,
        days_off: vec![
            DayOff {
                kind: DayOffKind::Holiday,
                starts_on: date!(2026 - 10 - 26),
                ends_on: date!(2026 - 11 - 03),
                only_grade: None,
                as_weekday: None,
            },
            DayOff {
                kind: DayOffKind::Holiday,
                starts_on: date!(2026 - 12 - 29),
                ends_on: date!(2027 - 01 - 10),
                only_grade: None,
                as_weekday: None,
            },
            DayOff {
                kind: DayOffKind::Holiday,
                starts_on: date!(2027 - 03 - 22),
                ends_on: date!(2027 - 03 - 31),
                only_grade: None,
                as_weekday: None,
            },
        ],
    };
    // 32 lessons a week: one class's timetable.
    let lines: Vec<WeeklyLine> = (0..32)
        .map(|i| WeeklyLine {
            entry: i,
            weekday: (i % 5 + 1) as u8,
            number: (i / 5 + 1) as u8,
            valid_from: date!(2026 - 09 - 01),
            valid_to: None,
        })
        .collect();
    c.bench_function("lessons/one_class_year", |b| {
        b.iter(|| {
            lessons_for(
                black_box(&cal),
                black_box(&lines),
                date!(2026 - 09 - 01),
                date!(2027 - 05 - 26),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = assessment, lessons
}
criterion_main!(benches);
