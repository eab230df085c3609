//! The generated journal: marks up to today that keep every rule, deterministic by seed.

use super::{TODAY, count, options, texts, user_person};
use std::time::Instant;
use tabel_demo::generate_region;
use tabel_store::audit;
use tabel_store::school as school_repo;
use tabel_store::test_support::TestDb;
use time::macros::date;

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
