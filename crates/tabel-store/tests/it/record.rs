//! The record's reads: a pupil's final marks, classes, exam results, deferrals and debts across
//! years and schools, each in one query.

use tabel_domain::exams::{ExamKind, ExamMark};
use tabel_domain::school::{GroupKind, PeriodKind};
use tabel_store::exams::{NewResult, insert_result};
use tabel_store::finals::{NewFinal, Slot, write};
use tabel_store::record as repo;
use tabel_store::school::*;
use tabel_store::test_support::Fixture;
use tabel_store::{Conn, both_backends, now_micros};
use time::macros::date;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";

/// Runs a statement with integer arguments on either backend (the deferral and debt tables
/// have no writers here: another part of the application keeps them).
async fn exec(c: &mut Conn<'_>, sql: &str, args: &[i64]) {
    match c {
        Conn::Sqlite(conn) => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
            for a in args {
                q = q.bind(*a);
            }
            q.execute(&mut **conn).await.unwrap();
        }
        Conn::Postgres(conn) => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
            for a in args {
                q = q.bind(*a);
            }
            q.execute(&mut **conn).await.unwrap();
        }
    }
}

/// A final mark read back: (start year, school, subject, slot, grade, value).
type Line<'a> = (i32, i64, &'a str, Slot, Option<u8>, &'a str);

both_backends! {
    async fn a_record_reads_every_year_and_school_of_a_pupil_in_one_query_each(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let now = now_micros();
        let mut tx = db.begin().await.unwrap();
        let c = &mut tx.conn();
        // Иван spent 2025/2026 in the other school's 4А.
        let past = insert_academic_year(c, f.other_school, 2025, date!(2025 - 09 - 01), date!(2026 - 05 - 31)).await.unwrap();
        let math_there = insert_subject(c, f.other_school, "Математика", "Мат", 40).await.unwrap();
        let c4 = insert_group(c, &NewGroup { school: f.other_school, year: past, kind: GroupKind::Class, name: "4А",
            grade: 4, parent: None, subject: None }).await.unwrap();
        insert_membership(c, f.other_school, c4, f.ivan, date!(2025 - 09 - 01), Some(date!(2026 - 05 - 31))).await.unwrap();
        let q1 = list_periods(c, f.year).await.unwrap()[0].id;
        for (school, year, subject, group, slot, value) in [
            (f.other_school, past, math_there, c4, Slot::Year, "4"),
            (f.school, f.year, f.math, f.class_5a, Slot::Period(q1), "5"),
        ] {
            write(c, &NewFinal { school, year, student: f.ivan, subject, group: Some(group), slot, value,
                proposal: None, proposal_basis: None, reason: "", set_by: None, at: now }, 0).await.unwrap().unwrap();
        }
        insert_result(c, &NewResult { school: f.other_school, year: past, batch: None, student: f.ivan, exam: ExamKind::Vpr,
            subject: Some(math_there), subject_name: "Математика", taken_on: Some(date!(2026 - 04 - 21)), score: Some(12),
            mark: ExamMark::Mark(4), source: "t", received_at: now, imported_by: None, published_at: None }).await.unwrap();
        let slot = format!("p{q1}");
        exec(c, &format!("INSERT INTO final_deferrals (school_id, academic_year_id, student_id, subject_id, slot, starts_on, \
             ends_on, basis, state, created_at) VALUES ($1, $2, $3, $4, '{slot}', '2026-10-20', '2026-11-10', 'справка', 'open', '2026-10-21T09:00:00Z')"),
            &[f.school.get(), f.year.get(), f.ivan.get(), f.english_subject.get()]).await;
        exec(c, "INSERT INTO academic_debts (school_id, academic_year_id, student_id, subject_id, slot, arisen_on, deadline, \
             illness_days, state, created_at) VALUES ($1, $2, $3, $4, 'year', '2026-06-01', '2027-05-31', 0, 'open', '2026-06-01T09:00:00Z')",
            &[f.other_school.get(), past.get(), f.ivan.get(), math_there.get()]).await;
        exec(c, "INSERT INTO debt_retakes (debt_id, attempt, on_date, value, recorded_at) \
             SELECT id, 1, '2026-09-15', '2', '2026-09-15T09:00:00Z' FROM academic_debts WHERE student_id = $1", &[f.ivan.get()]).await;
        tx.commit().await.unwrap();

        let mut pc = db.acquire().await.unwrap();
        let c = &mut pc.conn();
        let finals = repo::finals_of(c, f.ivan).await.unwrap();
        let got: Vec<Line<'_>> = finals
            .iter()
            .map(|m| (m.start_year, m.school.get(), m.subject_name.as_str(), m.slot, m.grade, m.value.as_str()))
            .collect();
        assert_eq!(got, [
            (2025, f.other_school.get(), "Математика", Slot::Year, Some(4), "4"),
            (2026, f.school.get(), "Математика", Slot::Period(q1), Some(5), "5"),
        ]);
        assert_eq!(finals[0].subject_order, 40, "the order of the school that set it");
        assert_eq!(finals[1].period, Some((PeriodKind::Quarter, 1)));
        let classes = repo::classes_of(c, f.ivan).await.unwrap();
        let names: Vec<(i32, &str, &str, u8)> = classes
            .iter()
            .map(|k| (k.start_year, k.name.as_str(), k.school_name.as_str(), k.grade))
            .collect();
        assert_eq!(names, [(2025, "4А", "Школа № 2", 4), (2026, "5А", "Школа № 1", 5)]);
        let exams = repo::exams_of(c, f.ivan).await.unwrap();
        assert_eq!((exams.len(), exams[0].start_year, exams[0].published_at), (1, 2025, None));
        let deferrals = repo::deferrals_of(c, f.ivan).await.unwrap();
        assert_eq!(deferrals.len(), 1);
        assert_eq!((deferrals[0].period, deferrals[0].state.as_str()), (Some((PeriodKind::Quarter, 1)), "open"));
        assert_eq!(deferrals[0].subject_name, "Иностранный язык (английский)");
        let debts = repo::debts_of(c, f.ivan).await.unwrap();
        assert_eq!(debts.len(), 1);
        assert_eq!((debts[0].start_year, debts[0].period, debts[0].retakes.len()), (2025, None, 1));
        assert_eq!(debts[0].retakes[0].value, "2");
        // Nothing of another pupil.
        assert!(repo::finals_of(c, f.anna).await.unwrap().is_empty());
        assert!(repo::debts_of(c, f.anna).await.unwrap().is_empty());
        // Teachers of the pupil's groups today: mathematics in 5А, English in the subgroup.
        assert!(repo::teaches(c, f.teacher, f.ivan, Fixture::TODAY).await.unwrap());
        assert!(repo::teaches(c, f.english, f.ivan, Fixture::TODAY).await.unwrap());
        assert!(!repo::teaches(c, f.english, f.oleg, Fixture::TODAY).await.unwrap());
        assert!(!repo::teaches(c, f.teacher, f.ivan, date!(2026 - 08 - 01)).await.unwrap());
    }
}
