//! The generated timetable and assessment schedule keep their rules.

use super::{TODAY, options, texts, user_person};
use std::time::Instant;
use tabel_app::{App, AppConfig, AppError};
use tabel_demo::{ChangeKind, generate_region};
use tabel_domain::SchoolId;
use tabel_domain::access::Principal;
use tabel_domain::school::{Level, Role};
use tabel_store::{Db, audit};
use time::Date;
use time::macros::date;

/// A count over one school's lessons between two dates, on either backend.
async fn count_between(db: &Db, sql: &str, school: SchoolId, from: Date, to: Date) -> i64 {
    match db {
        Db::Sqlite(p, _) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(school.get())
            .bind(from)
            .bind(to)
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(school.get())
            .bind(from)
            .bind(to)
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

/// A teacher in two places: two held lessons in one (date, number).
const TEACHER_TWICE: &str = "SELECT CAST(teacher_id AS TEXT) || ' ' || CAST(on_date AS TEXT) || ' #' || CAST(number AS TEXT) \
     FROM lessons WHERE school_id = $1 AND status <> 'cancelled' \
     GROUP BY teacher_id, on_date, number HAVING COUNT(*) > 1";

/// A room holding two groups at once.
const ROOM_TWICE: &str = "SELECT room || ' ' || CAST(on_date AS TEXT) || ' #' || CAST(number AS TEXT) \
     FROM lessons WHERE school_id = $1 AND status <> 'cancelled' AND room <> '' \
     GROUP BY room, on_date, number HAVING COUNT(*) > 1";

/// A class in two places: its own lessons, its subgroups' and individual curricula's, and the
/// streams it feeds, in one slot — except subgroups of the class sharing it (the class split).
const CLASS_TWICE: &str = "WITH lc AS ( \
       SELECT l.on_date, l.number, l.group_id, g.kind, g.id AS class_id FROM lessons l \
         JOIN study_groups g ON g.id = l.group_id \
         WHERE l.school_id = $1 AND l.status <> 'cancelled' AND g.kind = 'class' \
       UNION ALL \
       SELECT l.on_date, l.number, l.group_id, g.kind, g.parent_group_id FROM lessons l \
         JOIN study_groups g ON g.id = l.group_id \
         WHERE l.school_id = $1 AND l.status <> 'cancelled' AND g.parent_group_id IS NOT NULL \
       UNION ALL \
       SELECT l.on_date, l.number, l.group_id, 'stream', sc.class_id FROM lessons l \
         JOIN stream_classes sc ON sc.stream_id = l.group_id \
         WHERE l.school_id = $1 AND l.status <> 'cancelled') \
     SELECT CAST(class_id AS TEXT) || ' ' || CAST(on_date AS TEXT) || ' #' || CAST(number AS TEXT) FROM lc \
     GROUP BY class_id, on_date, number \
     HAVING COUNT(*) > 1 AND (SUM(CASE WHEN kind = 'subgroup' THEN 0 ELSE 1 END) > 0 \
       OR COUNT(DISTINCT group_id) < COUNT(*))";

/// Changed lessons by status in a date range.
const CHANGED: &str = "SELECT status || ' ' || CAST(COUNT(*) AS TEXT) FROM lessons \
     WHERE school_id = $1 AND status <> 'planned' GROUP BY status ORDER BY status";

tabel_store::both_backends! {
    async fn the_timetable_has_lessons_every_school_day_and_nobody_in_two_places(db: &Db) {
        let started = Instant::now();
        let region = generate_region(db, &options(1, 1)).await.unwrap();
        let demo = &region.schools[0];
        let tt = &demo.timetable;
        eprintln!(
            "timetable on {:?}: phase {:?} (school {:?}); {} entries, {} lessons, {} weekly lessons skipped {:?}, {} gaps, {} changes",
            db.backend(),
            tt.elapsed,
            started.elapsed(),
            tt.entries.len(),
            tt.lessons,
            tt.skipped_lessons(),
            tt.skipped,
            tt.gaps,
            tt.changes.len(),
        );
        assert_eq!(tt.bells.len(), 8);
        assert_eq!(tt.short_days.first(), Some(&date!(2026 - 12 - 30)));
        assert!(tt.entries.len() > 700, "{}", tt.entries.len());
        assert!(tt.lessons > 25_000, "{}", tt.lessons);
        assert!(tt.skipped_lessons() <= 10, "{:?}", tt.skipped);
        let school = demo.id;

        // Every class has lessons on every school day of a sample week; none on holidays.
        let mut pc = db.acquire().await.unwrap();
        let c = &mut pc.conn();
        for class in &demo.classes {
            let lessons = tabel_store::timetable::lessons_of_class(c, class.id, date!(2026 - 11 - 23), date!(2026 - 11 - 28))
                .await
                .unwrap();
            let days: std::collections::BTreeSet<Date> = lessons.iter().map(|l| l.on).collect();
            let mut want: Vec<Date> = (23..=27).map(|d| Date::from_calendar_date(2026, time::Month::November, d).unwrap()).collect();
            if class.grade >= 10 {
                want.push(date!(2026 - 11 - 28));
            }
            assert_eq!(days.into_iter().collect::<Vec<_>>(), want, "{}", class.name);
            let wednesday: std::collections::BTreeSet<u8> = lessons
                .iter()
                .filter(|l| l.on == date!(2026 - 11 - 25))
                .map(|l| l.number)
                .collect();
            assert!(wednesday.len() >= 4, "{}: lessons {wednesday:?} on Wednesday", class.name);
        }
        drop(pc);
        let between = "SELECT COUNT(*) FROM lessons WHERE school_id = $1 AND on_date >= $2 AND on_date <= $3";
        assert_eq!(count_between(db, between, school, date!(2026 - 11 - 04), date!(2026 - 11 - 04)).await, 0);
        assert_eq!(count_between(db, between, school, date!(2026 - 12 - 31), date!(2027 - 01 - 08)).await, 0);
        assert!(count_between(db, between, school, date!(2027 - 02 - 20), date!(2027 - 02 - 20)).await > 100, "the worked Saturday");

        // Nobody in two places, all year.
        assert_eq!(texts(db, TEACHER_TWICE, school).await, Vec::<String>::new(), "teachers");
        assert_eq!(texts(db, ROOM_TWICE, school).await, Vec::<String>::new(), "rooms");
        assert_eq!(texts(db, CLASS_TWICE, school).await, Vec::<String>::new(), "classes");

        // Substitutions, cancellations and transfers around today, audited and announced.
        let window = |status: &str| {
            format!("SELECT COUNT(*) FROM lessons WHERE school_id = $1 AND on_date >= $2 AND on_date <= $3 AND status = '{status}'")
        };
        let (from, to) = (TODAY - time::Duration::days(21), TODAY + time::Duration::days(21));
        let substituted = count_between(db, &window("substituted"), school, from, to).await;
        let cancelled = count_between(db, &window("cancelled"), school, from, to).await;
        let transferred = count_between(db, &window("transferred"), school, from, to).await;
        eprintln!("changes: {substituted} substituted, {cancelled} cancelled, {transferred} transferred; {:?}", texts(db, CHANGED, school).await);
        assert!((10..=20).contains(&substituted), "{substituted}");
        assert!((1..=12).contains(&cancelled), "{cancelled}");
        assert!((2..=3).contains(&transferred), "{transferred}");
        assert_eq!((substituted + cancelled + transferred) as usize, tt.changes.len());
        let events = texts(
            db,
            "SELECT CAST(COUNT(*) AS TEXT) FROM outbox WHERE school_id = $1 AND topic = 'lesson.changed'",
            school,
        )
        .await;
        assert_eq!(events, vec![tt.changes.len().to_string()]);
        for change in &tt.changes {
            match change.kind {
                ChangeKind::Substitution => assert!(change.original_teacher.is_some_and(|t| t != change.teacher)),
                ChangeKind::Transfer => assert!(change.original.is_some_and(|o| o != (change.on, change.number))),
                ChangeKind::Cancellation => assert!(!change.reason.is_empty()),
            }
        }
        let mut pc = db.acquire().await.unwrap();
        let report = audit::verify(&mut pc.conn()).await.unwrap();
        assert!(report.breaks.is_empty(), "{report:?}");
        assert_eq!(report.records, 1 + tt.changes.len() as u64);
    }
}

/// Procedures of one school by class and date, to find two on one day.
const ASSESSMENTS_TWICE_A_DAY: &str = "SELECT CAST(class_id AS TEXT) || ' ' || CAST(on_date AS TEXT) FROM assessments \
     WHERE school_id = $1 GROUP BY class_id, on_date HAVING COUNT(*) > 1";

tabel_store::both_backends! {
    async fn the_assessment_schedule_keeps_every_rule(db: &Db) {
        let region = generate_region(db, &options(1, 3)).await.unwrap();
        let demo = &region.schools[0];
        let school = demo.id;
        let n = demo.assessments.len();
        eprintln!("assessment procedures on {:?}: {n}", db.backend());
        assert!((150..=900).contains(&n), "{n} procedures");
        assert!(texts(db, ASSESSMENTS_TWICE_A_DAY, school).await.is_empty());
        // Every procedure passes the application's own check against the stored timetable and
        // the rest of the schedule, re-run from the database.
        let (user, person) = user_person(db, "zavuch").await;
        let deputy = Principal {
            user,
            person: Some(person),
            grants: vec![(Role::Deputy, school)],
            class_teacher_of: Vec::new(),
            children: Vec::new(),
            student_in: None,
            pupils: Vec::new(),
            student_consent: false,
        };
        let app = App::new(db.clone(), AppConfig { today: Some(TODAY), ..AppConfig::default() });
        for a in &demo.assessments {
            let broken = app.recheck_assessment(&deputy, tabel_domain::AssessmentId::new(a.id)).await.unwrap();
            assert!(broken.is_empty(), "{a:?}: {broken:?}");
        }
        // A teacher may not run the planners' check.
        let (user, person) = user_person(db, "teacher").await;
        let teacher = Principal {
            user,
            person: Some(person),
            grants: vec![(Role::Teacher, school)],
            ..deputy.clone()
        };
        let denied = app.recheck_assessment(&teacher, tabel_domain::AssessmentId::new(demo.assessments[0].id)).await;
        assert!(matches!(denied, Err(AppError::Forbidden)), "{denied:?}");
        // Every class from grade 2 has procedures through the year; grade 1 only in its second
        // half-year; spring brings ВПР.
        for (ci, class) in demo.classes.iter().enumerate() {
            let mine: Vec<_> = demo.assessments.iter().filter(|a| a.class == ci).collect();
            if class.grade == 1 {
                assert!(mine.iter().all(|a| a.on >= date!(2027 - 01 - 01)), "{}", class.name);
            } else {
                assert!(mine.len() >= 6, "{}: {}", class.name, mine.len());
                assert!(mine.iter().any(|a| a.on < date!(2026 - 12 - 31)), "{}", class.name);
                assert!(mine.iter().any(|a| a.on > date!(2027 - 03 - 01)), "{}", class.name);
            }
        }
        assert!(demo.assessments.iter().any(|a| a.level == Level::Federal));
        assert!(demo.assessments.iter().any(|a| a.level == Level::Regional));
    }
}
