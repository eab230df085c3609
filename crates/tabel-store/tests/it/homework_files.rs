//! Homework files: stored with their bytes, listed without them (one lesson, or many lessons in
//! one query), deleted by marking.

use tabel_domain::LessonId;
use tabel_domain::timetable::LessonStatus;
use tabel_store::homework_files::{self as repo, NewHomeworkFile};
use tabel_store::test_support::Fixture;
use tabel_store::timetable::{self as tt, NewLesson};
use tabel_store::{Db, both_backends, now_micros};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";

/// Three lessons of 5А's mathematics; their ids in date order.
async fn lessons(db: &Db, f: &Fixture) -> Vec<i64> {
    let mut tx = db.begin().await.unwrap();
    let c = &mut tx.conn();
    let new: Vec<NewLesson<'_>> = [23u8, 24, 25]
        .iter()
        .map(|d| NewLesson {
            school: f.school,
            year: f.year,
            group: f.class_5a,
            on: time::Date::from_calendar_date(2026, time::Month::November, *d).unwrap(),
            number: 1,
            subject: f.math,
            teacher: f.teacher,
            room: "",
            status: LessonStatus::Planned,
            entry: None,
        })
        .collect();
    tt::insert_lessons(c, &new).await.unwrap();
    let ids = tt::lessons_of_journal(
        c,
        f.class_5a,
        f.math,
        time::macros::date!(2026 - 11 - 23),
        time::macros::date!(2026 - 11 - 25),
    )
    .await
    .unwrap()
    .into_iter()
    .map(|l| l.id.get())
    .collect();
    tx.commit().await.unwrap();
    ids
}

both_backends! {
    async fn files_round_trip_and_list_for_many_lessons_at_once(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let ids = lessons(db, &f).await;
        let now = now_micros();
        let bytes: Vec<u8> = (0u8..=255).cycle().take(3000).collect();
        let mut tx = db.begin().await.unwrap();
        let c = &mut tx.conn();
        let mut stored = Vec::new();
        for (lesson, name) in [(ids[0], "a.pdf"), (ids[2], "b.png"), (ids[0], "c.txt")] {
            assert!(repo::claim_lesson(c, LessonId::new(lesson)).await.unwrap());
            stored.push(
                repo::insert_file(
                    c,
                    &NewHomeworkFile {
                        school: f.school,
                        lesson,
                        file_name: name,
                        content_type: "application/pdf",
                        sha256: "00",
                        content: &bytes,
                        by: (Some(f.user("teacher")), Some(f.teacher)),
                        now,
                    },
                )
                .await
                .unwrap(),
            );
        }
        assert!(!repo::claim_lesson(c, LessonId::new(999_999)).await.unwrap());
        tx.commit().await.unwrap();

        let mut c = db.acquire().await.unwrap();
        let c = &mut c.conn();
        let first = repo::files_of_lesson(c, LessonId::new(ids[0])).await.unwrap();
        let names: Vec<&str> = first.iter().map(|x| x.file_name.as_str()).collect();
        assert_eq!(names, ["a.pdf", "c.txt"]);
        assert_eq!(first[0].size_bytes, 3000);
        assert_eq!(first[0].uploaded_at, now, "instants round-trip exactly");
        assert_eq!(first[0].uploaded_by_person, Some(f.teacher));
        let (meta, content) = repo::file_with_content(c, stored[0]).await.unwrap().unwrap();
        assert_eq!(meta, first[0]);
        assert_eq!(content, bytes);

        let many = repo::files_of_lessons(c, &ids).await.unwrap();
        let pairs: Vec<(i64, &str)> = many.iter().map(|x| (x.lesson.get(), x.file_name.as_str())).collect();
        assert_eq!(pairs, [(ids[0], "a.pdf"), (ids[0], "c.txt"), (ids[2], "b.png")]);
        assert!(repo::files_of_lessons(c, &[]).await.unwrap().is_empty());
        assert!(repo::files_of_lessons(c, &[ids[1]]).await.unwrap().is_empty());

        assert!(repo::delete_file(c, stored[0], Some(f.user("teacher")), now).await.unwrap());
        assert!(!repo::delete_file(c, stored[0], None, now).await.unwrap(), "already deleted");
        assert_eq!(repo::count_for_lesson(c, LessonId::new(ids[0])).await.unwrap(), 1);
        assert!(repo::get_file(c, stored[0]).await.unwrap().is_none());
        assert!(repo::file_with_content(c, stored[0]).await.unwrap().is_none());
        assert_eq!(repo::files_of_lessons(c, &ids).await.unwrap().len(), 2);
        // The lessons now carry journal data: regenerating the timetable keeps them.
        assert!(tt::get_lesson(c, LessonId::new(ids[0])).await.unwrap().unwrap().has_journal_data);
    }
}
