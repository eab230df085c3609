//! Demo data for Tabel: a deterministic generator of realistic Russian general-education
//! schools — one school or a region of many — written through the store's repository functions.
//!
//! Each school has grades 1–11 in about 27 classes with some 650 pupils, their parents with
//! guardianships and consents, about 48 staff, the federal curriculum with subgroups, streams
//! and individual curricula, teaching assignments and class teachers, the academic calendar
//! with periods and holidays, the bell schedule and a conflict-free weekly timetable with the
//! year's dated lessons (about 26,000) and, around "today", substitutions, cancellations and
//! transfers ([`timetable`]), the year's schedule of assessment procedures within the rules
//! ([`assessments`]), and the class journal from the first day of the year up to "today":
//! topics, homework, attendance and some 100,000 marks ([`journal`]), parents' contacts, and a
//! batch of grade 5's ВПР results partly published late or not at all (`exams`, for the
//! dashboard of overdue publications), and the pupils' earlier years — their classes, year
//! marks and, for today's senior grades, the 9th grade's ОГЭ and certificate marks — so that a
//! record spans the levels of education (`past_years`). The first school also gets
//! the seven demo accounts ([`DEMO_LOGINS`], password [`DEMO_PASSWORD`]), and its lists go
//! through the set-up import: exported, imported back, and imported into a new school of a
//! scratch database that must come out the same (`through_the_import`).
//!
//! The same seed and "today" give the same data (and, in an empty database, the same ids):
//! every school draws from its own [`rng::SplitMix64`] streams derived from the seed and the
//! school's index, one stream per phase, so later phases can be added without changing what the
//! earlier ones produce. Each school is written in one transaction with one audit record, plus
//! one for every lesson change the timetable phase records.
#![forbid(unsafe_code)]

mod accounts;
pub mod assessments;
/// The federal calendar, which lives in the domain: a real school's first year uses it too.
pub mod calendar {
    pub use tabel_domain::federal::*;
}
mod contacts;
pub mod curriculum;
mod deferrals;
mod exams;
mod finals;
mod groups;
pub mod journal;
pub mod model;
pub mod names;
mod past_years;
mod people;
pub mod rng;
mod structure;
pub mod teaching;
pub mod timetable;

pub use model::*;

use calendar::CalendarPlan;
use rng::SplitMix64;
use tabel_domain::calendar::SchoolYear;
use tabel_domain::{MunicipalityId, RegionId};
use tabel_store::audit::{self, AuditEntry};
use tabel_store::school as school_repo;
use tabel_store::{Conn, Db, StoreError};
use time::{Date, Month, OffsetDateTime};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo";

/// The demo accounts, all in the first school.
pub const DEMO_LOGINS: [&str; 7] = [
    "admin",
    "zavuch",
    "teacher",
    "classteacher",
    "parent",
    "student",
    "refuser",
];

/// The version of the consent text the generated consents refer to.
pub const CONSENT_TEXT_VERSION: &str = tabel_domain::consent::CURRENT_TEXT_VERSION;

/// The region's name.
pub const REGION_NAME: &str = "Демонстрационная область";

/// Schools per municipality.
const SCHOOLS_PER_MUNICIPALITY: u32 = 5;

const MUNICIPALITIES: [&str; 8] = [
    "Городской округ Светлогорск",
    "Городской округ Приозёрск",
    "Заречный муниципальный район",
    "Городской округ Берёзовский",
    "Сосновский муниципальный округ",
    "Городской округ Лесногорск",
    "Озёрный муниципальный район",
    "Городской округ Краснознаменск",
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// How many schools (at least 1); accounts go to the first.
    pub schools: u32,
    /// The seed: the same seed and `today` give the same data.
    pub seed: u64,
    /// "Today": the academic year is the one containing it.
    pub today: Date,
}

/// What was generated, in totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Schools.
    pub schools: u32,
    /// Students.
    pub students: u64,
    /// Staff members.
    pub staff: u64,
    /// Legal representatives.
    pub parents: u64,
    /// Login accounts.
    pub accounts: u64,
    /// Marks in the journals.
    pub marks: u64,
}

/// Why the demo could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database already holds schools: the demo never mixes with real data.
    #[error(
        "the database already holds {schools} school(s); the demo fills only an empty database"
    )]
    NotEmpty {
        /// How many schools it holds.
        schools: i64,
    },
    /// Zero schools were asked for.
    #[error("the demo needs at least one school")]
    NoSchools,
    /// Storage failed; the school being written was rolled back.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The demo password could not be hashed.
    #[error("could not hash the demo password: {0}")]
    Hash(String),
    /// The generator made a value its own parsers refuse (a bug in the generator).
    #[error("the demo generator made an invalid value: {0}")]
    Invalid(String),
}

/// What every phase of a school's generation shares.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) seed: u64,
    pub(crate) today: Date,
    pub(crate) calendar: &'a CalendarPlan,
    pub(crate) password_hash: &'a str,
    pub(crate) now: OffsetDateTime,
}

/// The phases' random streams: a phase's number must never change once published.
mod phase {
    pub const STRUCTURE: u64 = 1;
    pub const STAFF: u64 = 2;
    pub const PEOPLE: u64 = 3;
    pub const GROUPS: u64 = 4;
    pub const TIMETABLE: u64 = 5;
    pub const LESSON_CHANGES: u64 = 6;
    pub const ASSESSMENTS: u64 = 7;
    pub const JOURNAL: u64 = 8;
    pub const CONTACTS: u64 = 9;
    pub const EXAMS: u64 = 10;
    pub const PAST_YEARS: u64 = 12;
}

pub(crate) fn calendar_date(year: i32, month: Month, day: u8) -> Result<Date, DemoError> {
    Date::from_calendar_date(year, month, day).map_err(|e| DemoError::Invalid(e.to_string()))
}

/// Fills an empty database with the demo region and returns the totals.
pub async fn generate(db: &Db, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    Ok(generate_region(db, opts).await?.summary())
}

/// Fills an empty database with the demo region and returns everything it made, for callers
/// that add more (a timetable, marks…) on top.
#[tracing::instrument(skip_all, fields(schools = opts.schools, seed = opts.seed, today = %opts.today))]
pub async fn generate_region(db: &Db, opts: &DemoOptions) -> Result<DemoRegion, DemoError> {
    if opts.schools == 0 {
        return Err(DemoError::NoSchools);
    }
    let existing = {
        let mut conn = db.acquire().await?;
        school_repo::count_schools(&mut conn.conn()).await?
    };
    if existing > 0 {
        return Err(DemoError::NotEmpty { schools: existing });
    }
    // One hash for every account: Argon2id costs tens of milliseconds.
    let password_hash =
        tabel_app::password::hash_now(DEMO_PASSWORD).map_err(|e| DemoError::Hash(e.to_string()))?;
    let calendar = calendar::plan(SchoolYear::containing(opts.today))
        .map_err(|e| DemoError::Invalid(e.to_string()))?;
    let ctx = Ctx {
        seed: opts.seed,
        today: opts.today,
        calendar: &calendar,
        password_hash: &password_hash,
        now: tabel_store::now_micros(),
    };

    let mut region: Option<RegionId> = None;
    let mut municipalities: Vec<DemoMunicipality> = Vec::new();
    let mut schools = Vec::new();
    for index in 0..opts.schools {
        let mut tx = db.begin().await?;
        let mut conn = tx.conn();
        let c = &mut conn;
        // The region and each municipality are written with the first school in them, so that
        // a failed school leaves no orphans behind its rolled-back transaction.
        let region_id = match region {
            Some(id) => id,
            None => school_repo::insert_region(c, REGION_NAME).await?,
        };
        let m = usize::try_from(index / SCHOOLS_PER_MUNICIPALITY).unwrap_or(0);
        let new_municipality = municipalities.len() <= m;
        let municipality = match municipalities.get(m) {
            Some(existing) => existing.clone(),
            None => {
                let name = match MUNICIPALITIES.get(m) {
                    Some(name) => (*name).to_owned(),
                    None => format!("Муниципальный округ № {}", m + 1),
                };
                let id = school_repo::insert_municipality(c, region_id, &name).await?;
                DemoMunicipality { id, name }
            }
        };
        let school = generate_school(c, &ctx, index, municipality.id).await?;
        tx.commit().await?;
        tracing::info!(school = %school.short_name, students = school.students.len(), "demo school written");
        region = Some(region_id);
        if new_municipality {
            municipalities.push(municipality);
        }
        schools.push(school);
    }
    let Some(id) = region else {
        return Err(DemoError::NoSchools);
    };
    if let Some(first) = schools.first() {
        through_the_import(db, first, opts.today).await?;
    }
    Ok(DemoRegion {
        id,
        name: REGION_NAME.to_owned(),
        municipalities,
        schools,
    })
}

/// The demo school through the door a real school takes. Its lists, exported in the set-up
/// workbook's format, are imported back (a preview, which must change nothing), and applied to
/// a new school in a scratch database made the way a real school starts (`tabel school add`,
/// then the import); that school's export must hold the same rows. So the import reads, matches
/// and writes a realistic school each time the demo runs, and the generator, the import and the
/// export agree on every pupil, parent, class, load and timetable line.
///
/// The demo's own school is still written by the generator: it holds what no list carries yet
/// (subgroups, streams, individual curricula, consents, past years, the journal), and its ids
/// stay the same for a seed.
async fn through_the_import(db: &Db, school: &DemoSchool, today: Date) -> Result<(), DemoError> {
    let invalid = |e: tabel_app::AppError| DemoError::Invalid(e.to_string());
    let app = app_on(db.clone(), today);
    let workbook = app.system_export_school(school.id).await.map_err(invalid)?;
    let upload = || {
        vec![tabel_app::setup::Upload {
            name: "demo.xlsx".into(),
            bytes: workbook.clone(),
        }]
    };
    let cli = tabel_app::Client::cli();
    let report = app
        .system_import_school(school.id, upload(), false, &cli)
        .await
        .map_err(invalid)?;
    refuse_changes(&report, "the import would change the demo school")?;

    let scratch = tempfile::tempdir().map_err(|e| DemoError::Invalid(e.to_string()))?;
    let url = format!("sqlite://{}", scratch.path().join("school.db").display());
    let other = Db::connect(&url).await?;
    other.migrate().await?;
    let app = app_on(other.clone(), today);
    let created = app
        .system_create_school(
            &tabel_app::admin::NewSchoolInput {
                name: school.name.clone(),
                short_name: school.short_name.clone(),
                region: REGION_NAME.to_owned(),
                municipality: "Городской округ Светлогорск".to_owned(),
                time_zone: "Europe/Moscow".to_owned(),
            },
            &tabel_app::admin::NewAccount {
                login: "office".to_owned(),
                display_name: "Канцелярия".to_owned(),
                password: "a scratch school's office".to_owned(),
                roles: vec!["admin".to_owned()],
                person_id: None,
            },
        )
        .await
        .map_err(invalid)?;
    let applied = app
        .system_import_school(created.school, upload(), true, &cli)
        .await
        .map_err(invalid)?;
    if let Some(e) = applied.errors.first() {
        return Err(DemoError::Invalid(format!(
            "the import refuses the demo school's lists in a new school: {e}"
        )));
    }
    let again = app
        .system_export_school(created.school)
        .await
        .map_err(invalid)?;
    let report = app
        .system_import_school(created.school, upload(), false, &cli)
        .await
        .map_err(invalid)?;
    refuse_changes(&report, "a second import would change the imported school")?;
    other.close().await;
    if let Some(d) = tabel_app::setup::first_difference(&workbook, &again).map_err(invalid)? {
        return Err(DemoError::Invalid(format!(
            "the school imported from the demo's lists exports differently: {d}"
        )));
    }
    Ok(())
}

fn app_on(db: Db, today: Date) -> tabel_app::App {
    tabel_app::App::new(
        db,
        tabel_app::AppConfig {
            today: Some(today),
            ..tabel_app::AppConfig::default()
        },
    )
}

fn refuse_changes(report: &tabel_app::setup::ImportReport, what: &str) -> Result<(), DemoError> {
    if let Some(e) = report.errors.first() {
        return Err(DemoError::Invalid(format!("{what}: {e}")));
    }
    if let Some(c) = report.changes.first() {
        return Err(DemoError::Invalid(format!(
            "{what}: «{}», row {}: {} {}",
            c.sheet, c.row, c.what, c.detail
        )));
    }
    Ok(())
}

/// Writes one school, phase by phase, inside the caller's transaction.
async fn generate_school(
    c: &mut Conn<'_>,
    ctx: &Ctx<'_>,
    index: u32,
    municipality: MunicipalityId,
) -> Result<DemoSchool, DemoError> {
    let stream = |phase| SplitMix64::stream(ctx.seed, index, phase);
    let mut school =
        structure::create_school(c, ctx, index, municipality, &mut stream(phase::STRUCTURE))
            .await?;
    teaching::staff_and_assignments(c, ctx, &mut school, &mut stream(phase::STAFF)).await?;
    people::students_and_families(c, ctx, &mut school, &mut stream(phase::PEOPLE)).await?;
    let mut groups_rng = stream(phase::GROUPS);
    groups::memberships(c, ctx, &mut school, &mut groups_rng).await?;
    groups::individual_plans(c, ctx, &mut school, &mut groups_rng).await?;
    if index == 0 {
        accounts::create(c, ctx, &mut school).await?;
    }
    timetable::timetable(
        c,
        ctx,
        &mut school,
        &mut stream(phase::TIMETABLE),
        &mut stream(phase::LESSON_CHANGES),
    )
    .await?;
    assessments::schedule(c, ctx, &mut school, &mut stream(phase::ASSESSMENTS)).await?;
    journal::journal(c, ctx, &mut school, &mut stream(phase::JOURNAL)).await?;
    let contacts = contacts::contacts(c, ctx, &school, &mut stream(phase::CONTACTS)).await?;
    let picks = deferrals::pick(&school, ctx.today);
    let skipped = picks
        .as_ref()
        .map(deferrals::Picks::skipped)
        .unwrap_or_default();
    let finals = finals::finals(c, ctx, &school, &skipped).await?;
    let (deferred, debts) = match &picks {
        Some(p) => deferrals::write(c, &school, p, ctx.today).await?,
        None => (0, 0),
    };
    let exam_results = exams::results(c, ctx, &school, &mut stream(phase::EXAMS)).await?;
    let past = past_years::past_years(c, &school, &mut stream(phase::PAST_YEARS)).await?;

    let summary = serde_json::json!({
        "name": school.name,
        "year": format!("{}/{}", school.year.start_year, school.year.start_year + 1),
        "classes": school.classes.len(),
        "groups": school.groups.len(),
        "students": school.students.len(),
        "staff": school.staff.len(),
        "parents": school.parents.len(),
        "assignments": school.assignments.len(),
        "timetable_entries": school.timetable.entries.len(),
        "lessons": school.timetable.lessons,
        "lesson_changes": school.timetable.changes.len(),
        "assessments": school.assessments.len(),
        "journal_records": school.journal.records,
        "homework": school.journal.homework,
        "marks": school.journal.marks,
        "attendance": school.journal.attendance,
        "contacts": contacts,
        "final_marks": finals,
        "exam_results": exam_results,
        "deferrals": deferred,
        "academic_debts": debts,
        "past_years": {
            "years": past.years, "classes": past.classes, "memberships": past.memberships,
            "final_marks": past.finals, "exam_results": past.exams,
        },
        "accounts": school.accounts.iter().map(|a| a.login).collect::<Vec<_>>(),
        "seed": ctx.seed.to_string(),
        "today": ctx.today.to_string(),
    });
    audit::append(
        c,
        &AuditEntry {
            chain: school.id.get(),
            at: ctx.now,
            actor: None,
            action: "demo.generate",
            entity: "school",
            entity_id: school.id.to_string(),
            before: None,
            after: Some(summary),
            reason: Some("demo data"),
            origin: Some("tabel demo"),
        },
    )
    .await?;
    Ok(school)
}
