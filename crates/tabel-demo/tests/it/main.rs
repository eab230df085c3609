//! The demo generator against real databases: a realistic school with working demo accounts,
//! refusal of a non-empty database, determinism, and a region of several schools.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod journal;
mod school;
mod timetable;

use tabel_demo::DemoOptions;
use tabel_domain::SchoolId;
use tabel_store::Db;
use tabel_store::user as user_repo;
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

/// Rows of a one-column text query about one school, on either backend.
async fn texts(db: &Db, sql: &str, school: SchoolId) -> Vec<String> {
    match db {
        Db::Sqlite(p, _) => sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.to_owned()))
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

/// A count about one school, on either backend.
async fn count(db: &Db, sql: &str, school: SchoolId) -> i64 {
    match db {
        Db::Sqlite(p, _) => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
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
