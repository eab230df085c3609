//! The demo generator against real databases: a realistic school with working demo accounts,
//! refusal of a non-empty database, determinism, and a region of several schools.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;
use tabel_app::{App, AppConfig, AppError};
use tabel_demo::{
    ChangeKind, DEMO_LOGINS, DemoError, DemoOptions, DemoRegion, GroupRef, generate,
    generate_region,
};
use tabel_domain::access::Principal;
use tabel_domain::school::{ConsentState, GroupKind, Level, Role};
use tabel_domain::{GroupId, SchoolId};
use tabel_store::school as school_repo;
use tabel_store::test_support::TestDb;
use tabel_store::user as user_repo;
use tabel_store::{Db, audit};
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 11 - 28);

fn options(schools: u32, seed: u64) -> DemoOptions {
    DemoOptions {
        schools,
        seed,
        today: TODAY,
    }
}

async fn first_school(db: &Db) -> SchoolId {
    let mut pc = db.acquire().await.unwrap();
    school_repo::list_schools(&mut pc.conn()).await.unwrap()[0].id
}

async fn class_named(db: &Db, school: SchoolId, name: &str) -> GroupId {
    let mut pc = db.acquire().await.unwrap();
    let c = &mut pc.conn();
    let year = school_repo::academic_year_on(c, school, TODAY)
        .await
        .unwrap()
        .expect("year");
    school_repo::list_groups(c, year.id, TODAY, Some(GroupKind::Class))
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.name == name)
        .expect("class")
        .id
}

async fn names_of_5a(db: &Db) -> Vec<(i64, String)> {
    let school = first_school(db).await;
    let class = class_named(db, school, "5А").await;
    let mut pc = db.acquire().await.unwrap();
    school_repo::group_members(&mut pc.conn(), class, TODAY)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id.get(), p.full_name()))
        .collect()
}

async fn user_person(db: &Db, login: &str) -> (tabel_domain::UserId, tabel_domain::PersonId) {
    let mut pc = db.acquire().await.unwrap();
    let c = &mut pc.conn();
    let user = user_repo::auth_by_login(c, login)
        .await
        .unwrap()
        .expect(login);
    let profile = user_repo::profile(c, user.id)
        .await
        .unwrap()
        .expect("profile");
    (user.id, profile.person.expect("person"))
}

async fn check_one_school(db: &Db, region: &DemoRegion) {
    let summary = region.summary();
    assert_eq!(summary.schools, 1);
    assert!((600..=700).contains(&summary.students), "{summary:?}");
    assert!(summary.staff >= 40, "{summary:?}");
    assert!(summary.parents >= summary.students * 8 / 10, "{summary:?}");
    assert_eq!(summary.accounts, 7);
    let demo = &region.schools[0];

    let mut pc = db.acquire().await.unwrap();
    let c = &mut pc.conn();
    let schools = school_repo::list_schools(c).await.unwrap();
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].short_name, "СОШ № 1");
    assert_eq!(schools[0].region, "Демонстрационная область");
    let school = schools[0].id;
    let year = school_repo::academic_year_on(c, school, TODAY)
        .await
        .unwrap()
        .expect("year");
    assert_eq!(year.label, "2026/2027");

    let counts = school_repo::school_counts(c, school, year.id)
        .await
        .unwrap();
    assert_eq!(counts.students as u64, summary.students);
    assert_eq!(counts.staff as u64, summary.staff);
    assert_eq!(counts.parents as u64, summary.parents);
    assert!((20..=30).contains(&counts.classes), "{counts:?}");
    assert!(counts.other_groups > counts.classes, "{counts:?}");

    assert_eq!(
        school_repo::list_periods(c, year.id).await.unwrap().len(),
        6
    );
    assert_eq!(
        school_repo::list_parallels(c, year.id).await.unwrap().len(),
        11
    );
    let holidays = school_repo::list_holidays(c, year.id).await.unwrap();
    assert!(holidays.iter().any(|h| h.only_grade == Some(1)));
    assert!(school_repo::list_subjects(c, school).await.unwrap().len() >= 20);
    let curriculum = school_repo::list_curriculum(c, year.id).await.unwrap();
    assert!(
        curriculum
            .iter()
            .any(|l| l.group.as_deref().is_some_and(|g| g.starts_with("ИУП")))
    );

    let groups = school_repo::list_groups(c, year.id, TODAY, None)
        .await
        .unwrap();
    let sizes: Vec<i64> = groups
        .iter()
        .filter(|g| g.kind == GroupKind::Class)
        .map(|g| g.members)
        .collect();
    assert!(sizes.iter().all(|n| (17..=29).contains(n)), "{sizes:?}");
    assert!(
        groups
            .iter()
            .any(|g| g.kind == GroupKind::Stream && g.members > 10)
    );
    assert_eq!(
        groups
            .iter()
            .filter(|g| g.kind == GroupKind::Individual && g.members == 1)
            .count(),
        2
    );
    let english = groups
        .iter()
        .find(|g| g.name == "5А англ. 1")
        .expect("subgroup");
    assert!(english.members >= 10);
    assert!(
        groups
            .iter()
            .filter(|g| g.kind == GroupKind::Class)
            .all(|g| g.class_teacher.is_some())
    );

    // The moved pupil's history is kept.
    let moved = demo.moves.first().expect("a move");
    let person = demo.students[moved.student].person.id;
    let from = demo.classes[moved.from_class].id;
    let to = demo.classes[moved.to_class].id;
    let day_before = moved.on.previous_day().unwrap();
    assert!(
        school_repo::is_member(c, from, person, day_before)
            .await
            .unwrap()
    );
    assert!(
        !school_repo::is_member(c, to, person, day_before)
            .await
            .unwrap()
    );
    assert!(
        school_repo::is_member(c, to, person, moved.on)
            .await
            .unwrap()
    );
    assert!(
        !school_repo::is_member(c, from, person, moved.on)
            .await
            .unwrap()
    );

    // Every curriculum line of every class is taught by someone.
    for (ci, class) in demo.classes.iter().enumerate() {
        let taught = school_repo::assignments_of_group(c, class.id)
            .await
            .unwrap();
        let lines = demo
            .curriculum
            .iter()
            .filter(|l| l.grade == Some(class.grade))
            .count();
        let subjects: std::collections::BTreeSet<&str> =
            taught.iter().map(|a| a.subject.as_str()).collect();
        assert_eq!(subjects.len(), lines, "{}", class.name);
        assert!(
            demo.assignments
                .iter()
                .any(|a| a.group == GroupRef::Class(ci))
        );
    }
    drop(pc);

    for login in DEMO_LOGINS {
        let mut pc = db.acquire().await.unwrap();
        let user = user_repo::auth_by_login(&mut pc.conn(), login)
            .await
            .unwrap()
            .expect(login);
        assert!(
            user.password_hash
                .as_deref()
                .unwrap()
                .starts_with("$argon2id$")
        );
    }
    for (login, roles) in [
        ("admin", vec![Role::Admin]),
        ("zavuch", vec![Role::Deputy]),
        ("teacher", vec![Role::Teacher]),
        ("classteacher", vec![Role::Teacher]),
        ("parent", vec![]),
        ("student", vec![]),
        ("refuser", vec![]),
    ] {
        let (user, _) = user_person(db, login).await;
        let mut pc = db.acquire().await.unwrap();
        let got = user_repo::roles_of(&mut pc.conn(), user).await.unwrap();
        let want: Vec<(Role, SchoolId)> = roles.into_iter().map(|r| (r, school)).collect();
        assert_eq!(got, want, "{login}");
    }

    let class_5a = class_named(db, school, "5А").await;
    let (_, class_teacher) = user_person(db, "classteacher").await;
    let (_, teacher) = user_person(db, "teacher").await;
    let (_, parent) = user_person(db, "parent").await;
    let (_, student) = user_person(db, "student").await;
    let (_, refuser) = user_person(db, "refuser").await;
    let mut pc = db.acquire().await.unwrap();
    let c = &mut pc.conn();
    assert_eq!(
        school_repo::classes_led_by(c, class_teacher, TODAY)
            .await
            .unwrap(),
        vec![(school, class_5a)]
    );
    let own = school_repo::assignments_of_teacher(c, class_teacher, year.id)
        .await
        .unwrap();
    assert!(
        own.iter().any(|a| a.group == class_5a),
        "the class teacher teaches 5А"
    );
    let taught = school_repo::assignments_of_teacher(c, teacher, year.id)
        .await
        .unwrap();
    let classes: std::collections::BTreeSet<GroupId> = taught.iter().map(|a| a.group).collect();
    assert!(classes.len() >= 2, "{taught:?}");

    let children = school_repo::children_of(c, parent).await.unwrap();
    assert_eq!(children.len(), 2);
    let mut class_names = Vec::new();
    for child in &children {
        assert_eq!(child.diary_consent, Some(ConsentState::Given));
        assert_eq!(child.delivery_consent, Some(ConsentState::Given));
        let groups = school_repo::groups_of_student(c, child.student.id, TODAY)
            .await
            .unwrap();
        let class = groups
            .iter()
            .find(|g| g.kind == GroupKind::Class)
            .expect("class");
        class_names.push(class.name.clone());
    }
    assert_ne!(class_names[0], class_names[1]);
    assert!(children.iter().any(|ch| ch.student.id == student));
    assert_eq!(
        children[0].student.last_name.chars().next(),
        children[1].student.last_name.chars().next()
    );

    let refused = school_repo::children_of(c, refuser).await.unwrap();
    assert!(!refused.is_empty());
    for child in &refused {
        assert_eq!(child.delivery_consent, Some(ConsentState::Refused));
        assert_eq!(child.diary_consent, Some(ConsentState::Refused));
    }

    // The registry is varied as a real school's: most consents given, some refused, a few
    // withdrawn in the autumn, a few never submitted, some by electronic document.
    let class_5a_registry = tabel_store::consent::registry_of_class(c, class_5a, TODAY)
        .await
        .unwrap();
    assert!(!class_5a_registry.is_empty());
    let mut statuses = std::collections::BTreeMap::new();
    let mut electronic = 0;
    for class in school_repo::list_groups(c, year.id, TODAY, Some(GroupKind::Class))
        .await
        .unwrap()
    {
        for line in tabel_store::consent::registry_of_class(c, class.id, TODAY)
            .await
            .unwrap()
            .into_iter()
            .filter(|l| l.parent.is_some())
        {
            *statuses
                .entry(tabel_domain::consent::Status::of(line.diary))
                .or_insert(0usize) += 1;
            let history = tabel_store::consent::history_of_student(c, line.student)
                .await
                .unwrap();
            electronic += history
                .iter()
                .filter(|r| r.basis.kind == tabel_domain::consent::BasisKind::ElectronicDocument)
                .count();
        }
    }
    let count = |s| statuses.get(&s).copied().unwrap_or(0);
    use tabel_domain::consent::Status;
    assert!(
        count(Status::Given) > 10 * (count(Status::Refused) + count(Status::None)),
        "{statuses:?}"
    );
    for s in [Status::Refused, Status::Withdrawn, Status::None] {
        assert!(count(s) > 0, "{s:?}: {statuses:?}");
    }
    assert!(electronic > 0);

    // The first quarter has ended by today: its final marks are set and it is closed; grade 1
    // has none.
    let finals = tabel_store::finals::of_school_year(c, school, year.id)
        .await
        .unwrap();
    assert!(finals.len() > 1000, "{} final marks", finals.len());
    let periods = school_repo::list_periods(c, year.id).await.unwrap();
    for f in &finals {
        assert!(tabel_domain::finals::FinalValue::from_code(&f.value).is_some());
        let period = periods
            .iter()
            .find(|p| Some(p.id) == f.slot.period())
            .unwrap();
        assert!(period.ends_on < TODAY && period.locked_at.is_some());
    }
    let first_graders: std::collections::HashSet<_> =
        school_repo::list_groups(c, year.id, TODAY, Some(GroupKind::Class))
            .await
            .unwrap()
            .into_iter()
            .filter(|g| g.grade == 1)
            .map(|g| g.id)
            .collect();
    for g in &first_graders {
        for m in school_repo::group_members(c, *g, TODAY).await.unwrap() {
            assert!(
                finals.iter().all(|f| f.student != m.id),
                "a first-grader has a final mark"
            );
        }
    }

    let report = audit::verify(c).await.unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
    assert_eq!(report.records, 1 + demo.timetable.changes.len() as u64);
}

tabel_store::both_backends! {
    async fn one_school_is_realistic_and_has_the_demo_accounts(db: &Db) {
        let started = Instant::now();
        let region = generate_region(db, &options(1, 42)).await.unwrap();
        eprintln!("one demo school on {:?}: {:?}, {:?}", db.backend(), started.elapsed(), region.summary());
        check_one_school(db, &region).await;
    }

    async fn a_database_that_holds_a_school_is_refused(db: &Db) {
        let region = generate_region(db, &options(1, 1)).await.unwrap();
        let again = generate(db, &options(2, 2)).await;
        assert!(matches!(again, Err(DemoError::NotEmpty { schools: 1 })), "{again:?}");
        assert_eq!(
            again.unwrap_err().to_string(),
            "the database already holds 1 school(s); the demo fills only an empty database"
        );
        let school = first_school(db).await;
        let mut pc = db.acquire().await.unwrap();
        let c = &mut pc.conn();
        assert_eq!(school_repo::list_schools(c).await.unwrap().len(), 1);
        assert_eq!(user_repo::list_users(c, school, None, 100, 0).await.unwrap().len(), 7);
        let changes = region.schools[0].timetable.changes.len() as u64;
        assert_eq!(audit::verify(c).await.unwrap().records, 1 + changes);
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_school_and_another_seed_another() {
    let mut lists = Vec::new();
    let mut timetables = Vec::new();
    let mut schedules = Vec::new();
    for seed in [7, 7, 8] {
        let t = TestDb::sqlite().await;
        let region = generate_region(&t.db, &options(1, seed)).await.unwrap();
        lists.push(names_of_5a(&t.db).await);
        let tt = &region.schools[0].timetable;
        timetables.push((tt.entries.clone(), tt.changes.clone(), tt.lessons));
        schedules.push(region.schools[0].assessments.clone());
    }
    assert!(lists[0].len() >= 20);
    assert_eq!(lists[0], lists[1]);
    assert_ne!(lists[0], lists[2]);
    assert_eq!(
        timetables[0], timetables[1],
        "the timetable repeats with the seed"
    );
    assert_ne!(timetables[0].0, timetables[2].0);
    assert_eq!(
        schedules[0], schedules[1],
        "the assessment schedule repeats"
    );
    assert_ne!(schedules[0], schedules[2]);
}

#[tokio::test]
async fn a_region_of_three_schools_has_accounts_only_in_the_first() {
    let t = TestDb::sqlite().await;
    let region = generate_region(&t.db, &options(3, 5)).await.unwrap();
    let summary = region.summary();
    assert_eq!(summary.schools, 3);
    assert_eq!(summary.accounts, 7);
    assert!(summary.students >= 1800);
    let mut pc = t.db.acquire().await.unwrap();
    let c = &mut pc.conn();
    let schools = school_repo::list_schools(c).await.unwrap();
    assert_eq!(schools.len(), 3);
    let mut users = Vec::new();
    for s in &schools {
        users.push(
            user_repo::list_users(c, s.id, None, 100, 0)
                .await
                .unwrap()
                .len(),
        );
    }
    assert_eq!(users, vec![7, 0, 0]);
    let report = audit::verify(c).await.unwrap();
    assert!(report.breaks.is_empty(), "{report:?}");
    let changes: u64 = region
        .schools
        .iter()
        .map(|s| s.timetable.changes.len() as u64)
        .sum();
    assert_eq!((report.chains, report.records), (3, 3 + changes));
}

#[tokio::test]
async fn zero_schools_are_refused_before_anything_is_written() {
    let t = TestDb::sqlite().await;
    let result = generate(&t.db, &options(0, 1)).await;
    assert!(matches!(result, Err(DemoError::NoSchools)), "{result:?}");
    let mut pc = t.db.acquire().await.unwrap();
    assert_eq!(school_repo::count_schools(&mut pc.conn()).await.unwrap(), 0);
}

/// Rows of a one-column text query about one school, on either backend.
async fn texts(db: &Db, sql: &str, school: SchoolId) -> Vec<String> {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(school.get())
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(school.get())
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

/// A count over one school's lessons between two dates, on either backend.
async fn count_between(db: &Db, sql: &str, school: SchoolId, from: Date, to: Date) -> i64 {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
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

/// A count about one school, on either backend.
async fn count(db: &Db, sql: &str, school: SchoolId) -> i64 {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(school.get())
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(school.get())
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

/// Marks written after "today" (2026-11-28).
const MARKS_AFTER_TODAY: &str =
    "SELECT COUNT(*) FROM marks WHERE school_id = $1 AND on_date > '2026-11-28'";

/// Marks in grade 1, which has none.
const MARKS_IN_GRADE_1: &str = "SELECT COUNT(*) FROM marks m JOIN study_groups g ON g.id = m.group_id \
     WHERE m.school_id = $1 AND g.grade = 1";

/// Homework in grade 1, which has none.
const HOMEWORK_IN_GRADE_1: &str = "SELECT COUNT(*) FROM lessons l JOIN study_groups g ON g.id = l.group_id \
     WHERE l.school_id = $1 AND g.grade = 1 AND (l.homework <> '' OR l.homework_minutes IS NOT NULL)";

/// Marks of pupils marked absent on the lesson (lateness is not an absence).
const MARKS_OF_ABSENT: &str = "SELECT COUNT(*) FROM marks m JOIN attendance a \
     ON a.lesson_id = m.lesson_id AND a.student_id = m.student_id WHERE m.school_id = $1 AND a.code <> 'late'";

/// Marks whose pupil was not in the lesson's group that day, or that do not sit on a held lesson
/// of their journal.
const MARKS_OUTSIDE_THE_GROUP: &str = "SELECT COUNT(*) FROM marks m JOIN lessons l ON l.id = m.lesson_id \
     WHERE m.school_id = $1 AND (l.group_id <> m.group_id OR l.subject_id <> m.subject_id OR l.on_date <> m.on_date \
       OR l.status = 'cancelled' OR NOT EXISTS (SELECT 1 FROM memberships ms WHERE ms.group_id = l.group_id \
         AND ms.student_id = m.student_id AND ms.starts_on <= l.on_date AND (ms.ends_on IS NULL OR ms.ends_on >= l.on_date)))";

/// Attendance of pupils who were not in the lesson's group that day, or on lessons not held or
/// after today.
const ATTENDANCE_OUTSIDE_THE_GROUP: &str = "SELECT COUNT(*) FROM attendance a JOIN lessons l ON l.id = a.lesson_id \
     WHERE a.school_id = $1 AND (l.status = 'cancelled' OR l.on_date > '2026-11-28' \
       OR (a.code = 'late') <> (a.minutes_late IS NOT NULL) \
       OR NOT EXISTS (SELECT 1 FROM memberships ms WHERE ms.group_id = l.group_id \
         AND ms.student_id = a.student_id AND ms.starts_on <= l.on_date AND (ms.ends_on IS NULL OR ms.ends_on >= l.on_date)))";

/// Assessment procedures up to today without control marks on their lesson (the class's own,
/// its subgroups' or a stream's it feeds).
const ASSESSMENTS_WITHOUT_MARKS: &str = "SELECT CAST(a.id AS TEXT) FROM assessments a \
     WHERE a.school_id = $1 AND a.on_date <= '2026-11-28' AND NOT EXISTS (SELECT 1 FROM lessons l \
       JOIN marks m ON m.lesson_id = l.id AND m.work_type = 'control' \
       WHERE l.subject_id = a.subject_id AND l.on_date = a.on_date AND l.number = a.number AND l.status <> 'cancelled' \
         AND l.group_id IN (SELECT a.class_id UNION SELECT id FROM study_groups WHERE parent_group_id = a.class_id \
           UNION SELECT stream_id FROM stream_classes WHERE class_id = a.class_id))";

/// Control marks on lessons not recorded as control works.
const CONTROL_OFF_CONTROL_LESSONS: &str = "SELECT COUNT(*) FROM marks m JOIN lessons l ON l.id = m.lesson_id \
     WHERE m.school_id = $1 AND m.work_type = 'control' AND (l.lesson_type IS NULL OR l.lesson_type <> 'control')";

/// Held lessons up to today without a full record, and lessons after today with one.
const RECORDS_MISSING: &str = "SELECT COUNT(*) FROM lessons WHERE school_id = $1 AND status <> 'cancelled' \
     AND on_date <= '2026-11-28' AND (topic = '' OR held IS NULL OR held <> 1 OR lesson_type IS NULL \
       OR record_version <> 1 OR has_journal_data <> 1 \
       OR (homework <> '' AND (homework_minutes IS NULL OR homework_due_on IS NULL OR homework_due_on <= on_date)))";
const RECORDS_AHEAD: &str = "SELECT COUNT(*) FROM lessons WHERE school_id = $1 \
     AND (on_date > '2026-11-28' OR status = 'cancelled') AND (record_version <> 0 OR topic <> '')";

/// Homework of grades 2–11 up to today: lessons held, and those with homework.
const LESSONS_FROM_GRADE_2: &str = "SELECT COUNT(*) FROM lessons l JOIN study_groups g ON g.id = l.group_id \
     WHERE l.school_id = $1 AND g.grade >= 2 AND l.status <> 'cancelled' AND l.on_date <= '2026-11-28'";
const HOMEWORK_FROM_GRADE_2: &str = "SELECT COUNT(*) FROM lessons l JOIN study_groups g ON g.id = l.group_id \
     WHERE l.school_id = $1 AND g.grade >= 2 AND l.homework <> ''";

/// Σ and count of the single 5-point marks.
const POINTS: &str =
    "SELECT SUM(CAST(value AS INTEGER)) FROM marks WHERE school_id = $1 AND value NOT LIKE '%/%'";
const SINGLE_MARKS: &str =
    "SELECT COUNT(*) FROM marks WHERE school_id = $1 AND value NOT LIKE '%/%'";

/// Homework minutes due on each class-day ("grade minutes"), over the class's own lessons, its
/// subgroups' and individual curricula's and the streams it feeds — as the homework-load check
/// adds them up.
const HOMEWORK_BY_CLASS_DAY: &str = "WITH tied AS ( \
       SELECT id AS class_id, id AS group_id FROM study_groups WHERE school_id = $1 AND kind = 'class' \
       UNION ALL SELECT parent_group_id, id FROM study_groups WHERE school_id = $1 AND parent_group_id IS NOT NULL \
       UNION ALL SELECT class_id, stream_id FROM stream_classes) \
     SELECT CAST(MAX(c.grade) AS TEXT) || ' ' || CAST(SUM(l.homework_minutes) AS TEXT) FROM tied t \
       JOIN lessons l ON l.group_id = t.group_id JOIN study_groups c ON c.id = t.class_id \
     WHERE l.school_id = $1 AND l.homework_minutes IS NOT NULL GROUP BY t.class_id, l.homework_due_on";

tabel_store::both_backends! {
    async fn the_journal_is_full_of_marks_up_to_today_and_keeps_every_rule(db: &Db) {
        let started = Instant::now();
        let region = generate_region(db, &options(1, 1)).await.unwrap();
        let demo = &region.schools[0];
        let j = &demo.journal;
        let school = demo.id;
        eprintln!(
            "journal on {:?}: phase {:?} (school {:?}); {} records ({} with homework), {} marks ({} control), \
             {} attendance ({} ill, {} illnesses)",
            db.backend(),
            j.elapsed,
            started.elapsed(),
            j.records,
            j.homework,
            j.marks,
            j.control_marks,
            j.attendance,
            j.ill,
            j.illnesses,
        );
        let marks = count(db, "SELECT COUNT(*) FROM marks WHERE school_id = $1", school).await;
        assert_eq!(marks as u64, j.marks);
        assert!(marks >= 100_000, "{marks} marks");
        assert_eq!(
            count(db, "SELECT COUNT(*) FROM attendance WHERE school_id = $1", school).await as u64,
            j.attendance
        );
        assert_eq!(count(db, MARKS_AFTER_TODAY, school).await, 0, "marks after today");
        assert_eq!(count(db, MARKS_IN_GRADE_1, school).await, 0, "marks in grade 1");
        assert_eq!(count(db, HOMEWORK_IN_GRADE_1, school).await, 0, "homework in grade 1");
        assert_eq!(count(db, MARKS_OF_ABSENT, school).await, 0, "marks of absent pupils");
        assert_eq!(count(db, MARKS_OUTSIDE_THE_GROUP, school).await, 0, "marks outside the group");
        assert_eq!(count(db, ATTENDANCE_OUTSIDE_THE_GROUP, school).await, 0, "attendance outside the group");
        assert_eq!(texts(db, ASSESSMENTS_WITHOUT_MARKS, school).await, Vec::<String>::new(), "assessments without marks");
        assert!(demo.assessments.iter().any(|a| a.on <= TODAY));
        assert_eq!(count(db, CONTROL_OFF_CONTROL_LESSONS, school).await, 0, "control marks off control lessons");
        assert_eq!(count(db, RECORDS_MISSING, school).await, 0, "held lessons without a record");
        assert_eq!(count(db, RECORDS_AHEAD, school).await, 0, "records ahead of today");
        let held = count(
            db,
            "SELECT COUNT(*) FROM lessons WHERE school_id = $1 AND status <> 'cancelled' AND on_date <= '2026-11-28'",
            school,
        )
        .await;
        assert_eq!(held as u64, j.records);

        // Homework on about 70 % of the lessons of grades 2–11.
        let lessons = count(db, LESSONS_FROM_GRADE_2, school).await;
        let homework = count(db, HOMEWORK_FROM_GRADE_2, school).await;
        assert!((60..=80).contains(&(homework * 100 / lessons)), "{homework} of {lessons}");

        // Realistic marks: the school's mean between 3.6 and 4.3, few 2s, some double marks.
        let (points, singles) = (count(db, POINTS, school).await, count(db, SINGLE_MARKS, school).await);
        let mean = points * 100 / singles;
        eprintln!("mean of {singles} single marks: {mean} hundredths");
        assert!((360..=430).contains(&mean), "mean {mean}");
        let twos = count(db, "SELECT COUNT(*) FROM marks WHERE school_id = $1 AND value = '2'", school).await;
        assert!(twos * 100 < marks * 6, "{twos} twos");
        assert!(count(db, "SELECT COUNT(*) FROM marks WHERE school_id = $1 AND value LIKE '%/%'", school).await > 0);
        // Every kind of attendance record.
        for code in ["ill", "excused", "unexcused", "late"] {
            let n = count(db, &format!("SELECT COUNT(*) FROM attendance WHERE school_id = $1 AND code = '{code}'"), school).await;
            assert!(n > 0, "{code}");
        }
        assert!(j.ill * 2 > j.attendance, "illness is the main reason of absence: {j:?}");

        // Homework per class-day within the grade's limit (mostly: all of them here).
        let days = texts(db, HOMEWORK_BY_CLASS_DAY, school).await;
        let over: Vec<&String> = days
            .iter()
            .filter(|d| {
                let (grade, minutes) = d.split_once(' ').unwrap();
                let limit = tabel_domain::journal::homework_limit_minutes(grade.parse().unwrap());
                minutes.parse::<u32>().unwrap() > u32::from(limit)
            })
            .collect();
        eprintln!("homework: {} class-days, {} over the limit", days.len(), over.len());
        assert!(days.len() > 1000);
        assert!(over.len() * 50 <= days.len(), "{over:?}");

        // The demo teacher's journals are full of marks; the demo parent's children have marks.
        let (teacher_user, teacher) = user_person(db, "teacher").await;
        let taught = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM marks m JOIN lessons l ON l.id = m.lesson_id \
                 WHERE m.school_id = $1 AND l.teacher_id = {} AND m.created_by = {}",
                teacher.get(),
                teacher_user.get()
            ),
            school,
        )
        .await;
        eprintln!("the demo teacher's marks: {taught}");
        assert!(taught >= 2_000, "{taught}");
        let (_, parent) = user_person(db, "parent").await;
        let mut pc = db.acquire().await.unwrap();
        let c = &mut pc.conn();
        for child in school_repo::children_of(c, parent).await.unwrap() {
            let marks = tabel_store::journal::marks_of_student(c, child.student.id, (date!(2026 - 09 - 01), TODAY))
                .await
                .unwrap();
            assert!(marks.len() >= 60, "{}: {} marks", child.student.last_name, marks.len());
        }
        let report = audit::verify(c).await.unwrap();
        assert!(report.breaks.is_empty(), "{report:?}");
    }
}

/// What the journal holds, row by row, for comparing two generations.
const JOURNAL_ROWS: &str = "SELECT 'm ' || CAST(student_id AS TEXT) || ' ' || CAST(lesson_id AS TEXT) || ' ' || value || ' ' || work_type \
       FROM marks WHERE school_id = $1 \
     UNION ALL SELECT 'a ' || CAST(student_id AS TEXT) || ' ' || CAST(lesson_id AS TEXT) || ' ' || code \
       || ' ' || COALESCE(CAST(minutes_late AS TEXT), '-') FROM attendance WHERE school_id = $1 \
     UNION ALL SELECT 'l ' || CAST(id AS TEXT) || ' ' || topic || ' ' || homework || ' ' \
       || COALESCE(CAST(homework_minutes AS TEXT), '-') || ' ' || COALESCE(CAST(homework_due_on AS TEXT), '-') \
       FROM lessons WHERE school_id = $1 AND record_version > 0";

#[tokio::test]
async fn the_same_seed_gives_the_same_journal_and_another_seed_another() {
    let mut journals = Vec::new();
    for seed in [7, 7, 8] {
        let t = TestDb::sqlite().await;
        let region = generate_region(&t.db, &options(1, seed)).await.unwrap();
        let demo = &region.schools[0];
        let mut rows = texts(&t.db, JOURNAL_ROWS, demo.id).await;
        rows.sort_unstable();
        journals.push((demo.journal.counts(), rows));
    }
    assert!(journals[0].0[2] >= 100_000, "{:?}", journals[0].0);
    assert_eq!(
        journals[0].0, journals[1].0,
        "the counts repeat with the seed"
    );
    assert!(
        journals[0].1 == journals[1].1,
        "the journal repeats with the seed"
    );
    assert_ne!(journals[0].0, journals[2].0);
    assert!(journals[0].1 != journals[2].1);
}
