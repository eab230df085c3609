//! Databases for tests: a SQLite file in a temporary directory, or a fresh database in a
//! throwaway PostgreSQL cluster that this test process starts from the local `initdb` and
//! `postgres` binaries (as user `postgres` when run as root, since PostgreSQL refuses root).
//!
//! The cluster lives as long as the test process: it is started by a small shell that waits on
//! a pipe held open by this process; when the process exits, the pipe closes and the shell stops
//! the server and removes its directory.
//!
//! Without PostgreSQL binaries a PostgreSQL test fails, unless skipping was asked for with
//! `TABEL_ALLOW_SKIP=1` (see [`skip`], the one check every test that cannot run here goes
//! through).

#![allow(clippy::expect_used)] // test helpers: a broken fixture should stop the test at once

use crate::Db;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A database for one test; the files go away when it is dropped.
#[derive(Debug)]
pub struct TestDb {
    /// The open, migrated database.
    pub db: Db,
    /// Its URL (for starting the real application on it).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A migrated SQLite database in a new temporary file.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("tabel.db").display());
        let db = Db::connect(&url).await.expect("open sqlite");
        db.migrate().await.expect("migrate sqlite");
        TestDb {
            db,
            url,
            _dir: Some(dir),
        }
    }

    /// A migrated, empty database in the process's throwaway cluster, or `None` when there is
    /// no PostgreSQL here and skipping was allowed ([`skip`]).
    pub async fn postgres() -> Option<TestDb> {
        let url = Self::postgres_url().await?;
        let db = Db::connect(&url).await.expect("connect postgres");
        db.migrate().await.expect("migrate postgres");
        Some(TestDb {
            db,
            url,
            _dir: None,
        })
    }

    /// A fresh, empty (not migrated) database's URL in the throwaway cluster.
    pub async fn postgres_url() -> Option<String> {
        if !postgres_available() {
            return None;
        }
        let port = cluster().expect("the cluster runs");
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let admin = Db::connect(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
            .await
            .expect("connect to throwaway cluster");
        if let Db::Postgres(p) = &admin {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(p)
                .await
                .expect("create database");
        }
        admin.close().await;
        Some(format!("postgres://postgres@127.0.0.1:{port}/{name}"))
    }
}

/// Whether this process's throwaway PostgreSQL cluster runs (it is started on first use). When it
/// cannot start, [`skip`] is called: so `false` only when skipping was allowed.
pub fn postgres_available() -> bool {
    match cluster() {
        Ok(_) => true,
        Err(why) => {
            skip(&format!(
                "the PostgreSQL test cluster is unavailable: {why}"
            ));
            false
        }
    }
}

/// Whether a test that cannot run here may pass after saying so: only when asked for with
/// `TABEL_ALLOW_SKIP=1`, and never under `CI=true` (CI checks everything).
///
/// `tabel_reports::poppler` has the same check (that crate cannot depend on this one).
pub fn skip_allowed() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| v == "1" || v == "true");
    set("TABEL_ALLOW_SKIP") && !set("CI")
}

/// The one way a test that cannot run here (no PostgreSQL, no Chromium, no poppler) ends: it
/// fails naming what is missing, unless [`skip_allowed`]; then it prints a loud SKIPPED line
/// and the caller returns (the test passes without having checked anything).
///
/// # Panics
/// Unless skipping was allowed.
pub fn skip(what: &str) {
    assert!(
        skip_allowed(),
        "this test cannot run here: {what}. Install what is missing, or set TABEL_ALLOW_SKIP=1 \
         to skip it (never under CI=true)"
    );
    // Straight to the process's stderr: the harness hides what a passing test prints with eprintln!.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!! SKIPPED: {what} (TABEL_ALLOW_SKIP=1) !!!!!\n"
    );
}

struct Cluster {
    port: u16,
    _child: Child,
    _stdin: ChildStdin,
}

static CLUSTER: OnceLock<Result<Mutex<Cluster>, String>> = OnceLock::new();

/// The cluster's port, started on first use; why not, when it cannot start (remembered, so that
/// every PostgreSQL test says so without trying again).
fn cluster() -> Result<u16, String> {
    match CLUSTER.get_or_init(|| start_cluster().map(Mutex::new)) {
        Ok(c) => Ok(c
            .lock()
            .map(|c| c.port)
            .unwrap_or_else(|e| e.into_inner().port)),
        Err(why) => Err(why.clone()),
    }
}

fn bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("TABEL_PG_BINDIR") {
        return Some(PathBuf::from(dir));
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists() && p.join("postgres").exists())
        .collect();
    candidates.sort();
    candidates.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn as_postgres_user(root: bool, program: &Path) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn start_cluster() -> Result<Cluster, String> {
    let bin = bin_dir().ok_or("no PostgreSQL server binaries (initdb, postgres) found")?;
    let root = is_root();
    // Not a TempDir: the shell below removes it after the server stops.
    let dir = tempfile::Builder::new()
        .prefix("tabel-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    if root {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err("cannot hand the data directory to user postgres".into());
        }
    }
    let data = dir.join("data");
    let out = as_postgres_user(root, &bin.join("initdb"))
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
            "-D",
        ])
        .arg(&data)
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = free_port().map_err(|e| e.to_string())?;
    let script = r#"
"$0" -D "$1/data" -p "$2" -k "$1" -c listen_addresses=127.0.0.1 -c fsync=off \
  -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
  -c shared_buffers=64MB >"$1/log" 2>&1 &
pid=$!
read _ignored
kill -INT "$pid"
wait "$pid"
rm -rf "$1"
"#;
    let mut cmd = as_postgres_user(root, Path::new("sh"));
    cmd.arg("-c")
        .arg(script)
        .arg(bin.join("postgres"))
        .arg(&dir)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().map_err(|e| format!("start postgres: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin")?;
    let started = Instant::now();
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // Accepting TCP is not yet accepting logins; give it a moment more.
            std::thread::sleep(Duration::from_millis(200));
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            return Err(format!("postgres did not start: {log}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::io::stdout().flush();
    Ok(Cluster {
        port,
        _child: child,
        _stdin: stdin,
    })
}

/// Makes `<name>::sqlite` and `<name>::postgres` tests from one async body taking a `&Db`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident : &Db) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn body($db: &$crate::Db) $body

                #[tokio::test]
                async fn sqlite() {
                    let t = $crate::test_support::TestDb::sqlite().await;
                    body(&t.db).await;
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(t) = $crate::test_support::TestDb::postgres().await {
                        body(&t.db).await;
                    }
                }
            }
        )*
    };
}

/// A small, fully known school for tests (and a second school, to test that schools stay apart).
/// "Today" for it is [`Fixture::TODAY`].
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Школа № 1.
    pub school: tabel_domain::SchoolId,
    /// Школа № 2 (another school in the same region).
    pub other_school: tabel_domain::SchoolId,
    /// 2026/2027.
    pub year: tabel_domain::AcademicYearId,
    /// 5А.
    pub class_5a: tabel_domain::GroupId,
    /// 5Б.
    pub class_5b: tabel_domain::GroupId,
    /// 5А англ. 1 (subgroup of 5А).
    pub subgroup: tabel_domain::GroupId,
    /// A class of the other school.
    pub other_class: tabel_domain::GroupId,
    /// Петров Иван (5А, subgroup), child of the parent; has the `student` account.
    pub ivan: tabel_domain::PersonId,
    /// Петрова Анна (5Б), child of the parent.
    pub anna: tabel_domain::PersonId,
    /// Сидоров Олег (5А), not the parent's child; child of the refuser.
    pub oleg: tabel_domain::PersonId,
    /// A pupil of the other school.
    pub other_pupil: tabel_domain::PersonId,
    /// Петрова Мария, mother of Иван and Анна, consent given.
    pub parent: tabel_domain::PersonId,
    /// Сидорова Ольга, refused consent and electronic delivery.
    pub refuser: tabel_domain::PersonId,
    /// Смирнова Елена (teacher of mathematics in 5А, class teacher of 5А).
    pub teacher: tabel_domain::PersonId,
    /// Кузнецова Ольга: English in the subgroup, mathematics in 5Б; has the `english` account.
    pub english: tabel_domain::PersonId,
    /// Математика.
    pub math: tabel_domain::SubjectId,
    /// Иностранный язык (английский).
    pub english_subject: tabel_domain::SubjectId,
    /// Accounts: admin, teacher, parent, student, refuser, admin2 (other school's admin), zavuch
    /// (deputy head), english (a second teacher).
    pub users: Vec<(&'static str, tabel_domain::UserId)>,
}

impl Fixture {
    /// The date the fixture's "today" is pinned to.
    pub const TODAY: time::Date = time::macros::date!(2026 - 11 - 28);

    /// An account's id by login.
    pub fn user(&self, login: &str) -> tabel_domain::UserId {
        self.users
            .iter()
            .find(|(l, _)| *l == login)
            .map(|(_, id)| *id)
            .expect("fixture login")
    }

    /// Creates the fixture; every account gets `password_hash` (an Argon2 PHC string).
    pub async fn create(db: &Db, password_hash: &str) -> Fixture {
        use crate::school::*;
        use crate::user::{NewUser, grant_role, insert_user};
        use tabel_domain::calendar::WeekLength;
        use tabel_domain::school::*;
        use tabel_domain::text::{NamePart, PersonName};
        use time::macros::date;

        let now = crate::now_micros();
        let mut tx = db.begin().await.expect("begin");
        let c = &mut tx.conn();
        let region = insert_region(c, "Тестовая область").await.expect("region");
        let muni = insert_municipality(c, region, "Городской округ Тест")
            .await
            .expect("municipality");
        let mut schools = Vec::new();
        for n in 1..=2 {
            let name = format!("МБОУ «Школа № {n}»");
            let short = format!("Школа № {n}");
            schools.push(
                insert_school(
                    c,
                    &NewSchool {
                        municipality: muni,
                        name: &name,
                        short_name: &short,
                        time_zone: "Europe/Moscow",
                        created_at: now,
                    },
                )
                .await
                .expect("school"),
            );
        }
        let (school, other_school) = (schools[0], schools[1]);
        let (start, end) = (date!(2026 - 09 - 01), date!(2027 - 05 - 31));
        let year = insert_academic_year(c, school, 2026, start, end)
            .await
            .expect("year");
        let other_year = insert_academic_year(c, other_school, 2026, start, end)
            .await
            .expect("year");
        let five = WeekLength::try_from(5u8).expect("week");
        insert_parallel(c, school, year, 5, five, PeriodKind::Quarter)
            .await
            .expect("parallel");
        insert_period(
            c,
            school,
            year,
            PeriodKind::Quarter,
            1,
            start,
            date!(2026 - 10 - 24),
        )
        .await
        .expect("period");
        insert_period(
            c,
            school,
            year,
            PeriodKind::Quarter,
            2,
            date!(2026 - 11 - 05),
            date!(2026 - 12 - 28),
        )
        .await
        .expect("period");
        let math = insert_subject(c, school, "Математика", "Мат", 10)
            .await
            .expect("subject");
        let english_subject =
            insert_subject(c, school, "Иностранный язык (английский)", "Англ", 20)
                .await
                .expect("subject");
        let group = |school, year, kind, name: &'static str, parent, subject| NewGroup {
            school,
            year,
            kind,
            name,
            grade: 5,
            parent,
            subject,
        };
        let class_5a = insert_group(c, &group(school, year, GroupKind::Class, "5А", None, None))
            .await
            .expect("5А");
        let class_5b = insert_group(c, &group(school, year, GroupKind::Class, "5Б", None, None))
            .await
            .expect("5Б");
        let subgroup = insert_group(
            c,
            &group(
                school,
                year,
                GroupKind::Subgroup,
                "5А англ. 1",
                Some(class_5a),
                Some(english_subject),
            ),
        )
        .await
        .expect("subgroup");
        let other_class = insert_group(
            c,
            &group(other_school, other_year, GroupKind::Class, "5А", None, None),
        )
        .await
        .expect("other class");

        let person =
            |school, last: &str, first: &str, middle: &str, sex, born: Option<time::Date>| {
                let name = PersonName {
                    last: NamePart::parse(last).expect("name"),
                    first: NamePart::parse(first).expect("name"),
                    middle: Some(NamePart::parse(middle).expect("name")),
                };
                (school, name, sex, born)
            };
        let specs = vec![
            person(
                school,
                "Петров",
                "Иван",
                "Сергеевич",
                Sex::Male,
                Some(date!(2015 - 03 - 14)),
            ),
            person(
                school,
                "Петрова",
                "Анна",
                "Сергеевна",
                Sex::Female,
                Some(date!(2015 - 03 - 14)),
            ),
            person(
                school,
                "Сидоров",
                "Олег",
                "Павлович",
                Sex::Male,
                Some(date!(2015 - 07 - 02)),
            ),
            person(
                other_school,
                "Кузнецов",
                "Пётр",
                "Ильич",
                Sex::Male,
                Some(date!(2015 - 01 - 20)),
            ),
            person(school, "Петрова", "Мария", "Андреевна", Sex::Female, None),
            person(school, "Сидорова", "Ольга", "Викторовна", Sex::Female, None),
            person(school, "Смирнова", "Елена", "Викторовна", Sex::Female, None),
            person(school, "Директоров", "Николай", "Иванович", Sex::Male, None),
            person(
                other_school,
                "Завучева",
                "Ирина",
                "Олеговна",
                Sex::Female,
                None,
            ),
            person(school, "Кузнецова", "Ольга", "Игоревна", Sex::Female, None),
            person(school, "Орлова", "Вера", "Петровна", Sex::Female, None),
        ];
        let mut ids = Vec::new();
        for (s, name, sex, born) in &specs {
            ids.push(
                insert_person(
                    c,
                    &NewPerson {
                        school: *s,
                        name,
                        sex: *sex,
                        birth_date: *born,
                    },
                )
                .await
                .expect("person"),
            );
        }
        let [
            ivan,
            anna,
            oleg,
            other_pupil,
            parent,
            refuser,
            teacher,
            director,
            other_admin,
            english,
            deputy,
        ] = ids[..]
        else {
            panic!("eleven people")
        };
        for (p, s) in [
            (ivan, school),
            (anna, school),
            (oleg, school),
            (other_pupil, other_school),
        ] {
            insert_student(c, p, s, date!(2021 - 09 - 01))
                .await
                .expect("student");
        }
        for (g, p) in [
            (class_5a, ivan),
            (subgroup, ivan),
            (class_5b, anna),
            (class_5a, oleg),
            (other_class, other_pupil),
        ] {
            let s = if g == other_class {
                other_school
            } else {
                school
            };
            insert_membership(c, s, g, p, start, None)
                .await
                .expect("membership");
        }
        insert_staff(c, teacher, school, "учитель математики")
            .await
            .expect("staff");
        insert_staff(c, director, school, "директор")
            .await
            .expect("staff");
        insert_staff(c, other_admin, other_school, "заместитель директора")
            .await
            .expect("staff");
        insert_staff(c, english, school, "учитель английского языка")
            .await
            .expect("staff");
        insert_staff(c, deputy, school, "заместитель директора по УВР")
            .await
            .expect("staff");
        insert_assignment(c, school, year, english, english_subject, subgroup, start)
            .await
            .expect("assignment");
        insert_assignment(c, school, year, english, math, class_5b, start)
            .await
            .expect("assignment");
        insert_assignment(c, school, year, teacher, math, class_5a, start)
            .await
            .expect("assignment");
        insert_class_teacher(c, school, class_5a, teacher, start)
            .await
            .expect("class teacher");
        for (p, child, state) in [
            (parent, ivan, ConsentState::Given),
            (parent, anna, ConsentState::Given),
            (refuser, oleg, ConsentState::Refused),
        ] {
            insert_guardianship(
                c,
                &NewGuardianship {
                    school,
                    parent: p,
                    student: child,
                    relation: Relation::Mother,
                    confirmed_at: now,
                    confirmed_by: None,
                },
            )
            .await
            .expect("guardianship");
            for purpose in ConsentPurpose::ALL {
                insert_consent(
                    c,
                    &NewConsent {
                        school,
                        parent: p,
                        student: child,
                        purpose: *purpose,
                        state,
                        text_version: "test-1",
                        basis: "заявление",
                        recorded_by: None,
                        recorded_at: now,
                    },
                )
                .await
                .expect("consent");
            }
        }
        let mut users = Vec::new();
        for (login, person, s, role) in [
            ("admin", Some(director), school, Some(Role::Admin)),
            ("teacher", Some(teacher), school, Some(Role::Teacher)),
            ("parent", Some(parent), school, None),
            ("student", Some(ivan), school, None),
            ("refuser", Some(refuser), school, None),
            ("admin2", Some(other_admin), other_school, Some(Role::Admin)),
            ("zavuch", Some(deputy), school, Some(Role::Deputy)),
            ("english", Some(english), school, Some(Role::Teacher)),
        ] {
            let id = insert_user(
                c,
                &NewUser {
                    login,
                    password_hash: Some(password_hash),
                    person,
                    display_name: login,
                    school: Some(s),
                    locale: "ru",
                    created_at: now,
                },
            )
            .await
            .expect("user");
            if let Some(r) = role {
                grant_role(c, id, r, s).await.expect("role");
            }
            users.push((login, id));
        }
        tx.commit().await.expect("commit");
        Fixture {
            school,
            other_school,
            year,
            class_5a,
            class_5b,
            subgroup,
            other_class,
            ivan,
            anna,
            oleg,
            other_pupil,
            parent,
            refuser,
            teacher,
            english,
            math,
            english_subject,
            users,
        }
    }
}
