//! Storage tests: every one runs on SQLite (a temp file) and PostgreSQL (a throwaway cluster).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery;
mod homework_files;
mod record;

use serde_json::json;
use tabel_domain::school::{ConsentState, GroupKind, Role};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as repo;
use tabel_store::session::{self, NewSession};
use tabel_store::test_support::Fixture;
use tabel_store::{Backend, Db, StoreError, both_backends, now_micros, user as users};

// Any string stands in for a password hash here: storage does not look inside it.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";

#[test]
fn both_backends_carry_the_same_migration_versions() {
    let sqlite: Vec<i64> = Db::migration_versions(Backend::Sqlite)
        .into_iter()
        .map(|m| m.0)
        .collect();
    let postgres: Vec<i64> = Db::migration_versions(Backend::Postgres)
        .into_iter()
        .map(|m| m.0)
        .collect();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

both_backends! {
    async fn the_school_model_round_trips(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let mut c = db.acquire().await.unwrap();
        let c = &mut c.conn();
        assert_eq!(repo::count_schools(c).await.unwrap(), 2);
        let year = repo::academic_year_on(c, f.school, Fixture::TODAY).await.unwrap().unwrap();
        assert_eq!(year.label, "2026/2027");
        let classes = repo::list_groups(c, year.id, Fixture::TODAY, Some(GroupKind::Class)).await.unwrap();
        let names: Vec<&str> = classes.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["5А", "5Б"]);
        assert_eq!(classes[0].members, 2);
        assert_eq!(classes[0].class_teacher.as_deref(), Some("Смирнова Е. В."));
        let all = repo::list_groups(c, year.id, Fixture::TODAY, None).await.unwrap();
        assert_eq!(all[2].kind, GroupKind::Subgroup);
        assert_eq!(all[2].subject.as_deref(), Some("Иностранный язык (английский)"));
        let members = repo::group_members(c, f.class_5a, Fixture::TODAY).await.unwrap();
        let names: Vec<String> = members.iter().map(|p| p.full_name()).collect();
        assert_eq!(names, ["Петров Иван Сергеевич", "Сидоров Олег Павлович"]);
        let staff = repo::list_staff(c, f.school, year.id, Fixture::TODAY).await.unwrap();
        let teacher = staff.iter().find(|s| s.person.id == f.teacher).unwrap();
        assert_eq!(teacher.subjects, ["Математика"]);
        assert_eq!(teacher.class_teacher_of, ["5А"]);
    }

    async fn memberships_are_dated_and_history_is_kept(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let moved_on = time::macros::date!(2026 - 11 - 16);
        let mut tx = db.begin().await.unwrap();
        repo::end_membership(&mut tx.conn(), f.class_5a, f.oleg, time::macros::date!(2026 - 11 - 15)).await.unwrap();
        repo::insert_membership(&mut tx.conn(), f.school, f.class_5b, f.oleg, moved_on, None).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.acquire().await.unwrap();
        let c = &mut c.conn();
        let before = repo::groups_of_student(c, f.oleg, time::macros::date!(2026 - 11 - 10)).await.unwrap();
        let after = repo::groups_of_student(c, f.oleg, Fixture::TODAY).await.unwrap();
        assert_eq!(before.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["5А"]);
        assert_eq!(after.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["5Б"]);
        assert!(repo::is_member(c, f.class_5a, f.oleg, time::macros::date!(2026 - 11 - 15)).await.unwrap());
        assert!(!repo::is_member(c, f.class_5a, f.oleg, moved_on).await.unwrap());
    }

    async fn children_carry_the_latest_consent(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let mut c = db.acquire().await.unwrap();
        let kids = repo::children_of(&mut c.conn(), f.parent).await.unwrap();
        assert_eq!(kids.len(), 2);
        assert!(kids.iter().all(|k| k.diary_consent == Some(ConsentState::Given)));
        let refused = repo::children_of(&mut c.conn(), f.refuser).await.unwrap();
        assert_eq!(refused[0].delivery_consent, Some(ConsentState::Refused));
        assert!(repo::is_linked(&mut c.conn(), f.parent, f.ivan).await.unwrap());
        assert!(!repo::is_linked(&mut c.conn(), f.parent, f.oleg).await.unwrap());
    }

    async fn logins_are_unique_and_roles_are_scoped(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let mut tx = db.begin().await.unwrap();
        let dup = users::insert_user(
            &mut tx.conn(),
            &users::NewUser {
                login: "admin",
                password_hash: None,
                person: None,
                display_name: "x",
                school: Some(f.school),
                locale: "ru",
                created_at: now_micros(),
            },
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
        drop(tx);
        let mut c = db.acquire().await.unwrap();
        let roles = users::roles_of(&mut c.conn(), f.user("admin")).await.unwrap();
        assert_eq!(roles, [(Role::Admin, f.school)]);
        let list = users::list_users(&mut c.conn(), f.school, Some("TEACH"), 10, 0).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].roles, [Role::Teacher]);
        assert!(list[0].has_password);
    }

    async fn sessions_expire_and_revoke(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        let now = now_micros();
        let mut tx = db.begin().await.unwrap();
        let s = NewSession {
            token_hash: "h1",
            user: f.user("parent"),
            kind: "web",
            now,
            expires_at: now + time::Duration::hours(1),
            user_agent: "test",
            origin: "127.0.0.1",
        };
        let id = session::insert_session(&mut tx.conn(), &s).await.unwrap();
        let other = session::insert_session(&mut tx.conn(), &NewSession { token_hash: "h2", ..s.clone() }).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = db.acquire().await.unwrap();
        let got = session::session_by_hash(&mut c.conn(), "h1").await.unwrap().unwrap();
        assert_eq!(got.created_at, now, "instants round-trip exactly");
        assert!(got.is_live(now));
        assert!(!got.is_live(now + time::Duration::hours(2)));
        assert_eq!(session::revoke_sessions_of(&mut c.conn(), f.user("parent"), Some(id), now).await.unwrap(), 1);
        assert!(session::session_by_hash(&mut c.conn(), "h2").await.unwrap().unwrap().revoked_at.is_some());
        assert_eq!(session::sessions_of(&mut c.conn(), f.user("parent")).await.unwrap().len(), 1);
        assert!(!session::revoke_session(&mut c.conn(), f.user("teacher"), id, now).await.unwrap(), "not someone else's");
        let _ = other;
    }

    async fn the_audit_chain_verifies_and_reports_tampering(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        for (chain, i) in [(f.school.get(), 1), (f.school.get(), 2), (f.other_school.get(), 3), (f.school.get(), 4)] {
            let mut tx = db.begin().await.unwrap();
            audit::append(
                &mut tx.conn(),
                &AuditEntry {
                    chain,
                    at: now_micros(),
                    actor: Some(f.user("admin").get()),
                    action: "user.lock",
                    entity: "user",
                    entity_id: i.to_string(),
                    before: Some(json!({"disabled": false})),
                    after: Some(json!({"disabled": true, "name": "Пётр"})),
                    reason: None,
                    origin: Some("127.0.0.1"),
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let mut c = db.acquire().await.unwrap();
        let report = audit::verify(&mut c.conn()).await.unwrap();
        assert_eq!((report.chains, report.records), (2, 4));
        assert!(report.breaks.is_empty(), "{report:?}");
        // Someone edits the second record of school 1 behind the application's back.
        match &mut c.conn() {
            tabel_store::Conn::Sqlite(conn) => {
                // The database refuses it until its guards are dropped.
                assert!(sqlx::query("UPDATE audit_log SET after_json = '{}'").execute(&mut **conn).await.is_err());
                for sql in ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"] {
                    sqlx::query(sql).execute(&mut **conn).await.unwrap();
                }
                sqlx::query("UPDATE audit_log SET after_json = '{\"disabled\":false}' WHERE chain_id = $1 AND seq = 2")
                    .bind(f.school.get())
                    .execute(&mut **conn)
                    .await
                    .unwrap();
            }
            tabel_store::Conn::Postgres(conn) => {
                assert!(sqlx::query("UPDATE audit_log SET after_json = '{}'").execute(&mut **conn).await.is_err());
                sqlx::query("DROP TRIGGER audit_log_no_change ON audit_log").execute(&mut **conn).await.unwrap();
                sqlx::query("UPDATE audit_log SET after_json = '{\"disabled\":false}' WHERE chain_id = $1 AND seq = 2")
                    .bind(f.school.get())
                    .execute(&mut **conn)
                    .await
                    .unwrap();
            }
        }
        let report = audit::verify(&mut c.conn()).await.unwrap();
        assert_eq!(report.breaks.len(), 1, "{report:?}");
        assert_eq!((report.breaks[0].chain, report.breaks[0].seq), (f.school.get(), 2));
    }

    async fn a_deleted_last_audit_record_is_noticed(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        for i in 0..3 {
            let mut tx = db.begin().await.unwrap();
            audit::append(
                &mut tx.conn(),
                &AuditEntry {
                    chain: f.school.get(),
                    at: now_micros(),
                    actor: None,
                    action: "test",
                    entity: "thing",
                    entity_id: i.to_string(),
                    before: None,
                    after: None,
                    reason: Some("why"),
                    origin: None,
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let mut c = db.acquire().await.unwrap();
        match &mut c.conn() {
            tabel_store::Conn::Sqlite(conn) => {
                for sql in ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"] {
                    sqlx::query(sql).execute(&mut **conn).await.unwrap();
                }
                sqlx::query("DELETE FROM audit_log WHERE seq = 3").execute(&mut **conn).await.unwrap();
            }
            tabel_store::Conn::Postgres(conn) => {
                sqlx::query("DROP TRIGGER audit_log_no_change ON audit_log").execute(&mut **conn).await.unwrap();
                sqlx::query("DELETE FROM audit_log WHERE seq = 3").execute(&mut **conn).await.unwrap();
            }
        }
        let report = audit::verify(&mut c.conn()).await.unwrap();
        assert_eq!(report.breaks.len(), 1);
        assert_eq!(report.breaks[0].seq, 3);
    }

    async fn a_rolled_back_transaction_leaves_nothing(db: &Db) {
        let f = Fixture::create(db, HASH).await;
        {
            let mut tx = db.begin().await.unwrap();
            tabel_store::outbox::emit(&mut tx.conn(), Some(f.school), "mark.recorded", &json!({}), now_micros()).await.unwrap();
            // dropped without commit
        }
        let mut c = db.acquire().await.unwrap();
        assert!(tabel_store::outbox::pending(&mut c.conn(), 10).await.unwrap().is_empty());
    }
}
