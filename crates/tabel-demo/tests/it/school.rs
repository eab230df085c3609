//! The generated school: realistic with working demo accounts, deterministic by seed, a region
//! with accounts only in the first school, zero schools refused.

use super::{TODAY, options, user_person};
use std::time::Instant;
use tabel_demo::{DEMO_LOGINS, DemoError, DemoRegion, GroupRef, generate, generate_region};
use tabel_domain::school::{ConsentState, GroupKind, Role};
use tabel_domain::{GroupId, SchoolId};
use tabel_store::school as school_repo;
use tabel_store::test_support::TestDb;
use tabel_store::user as user_repo;
use tabel_store::{Db, audit};

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
