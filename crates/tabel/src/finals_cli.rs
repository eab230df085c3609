//! `tabel finals propose`: the journal's proposals for a reporting period, listed (a dry run:
//! nothing is written), for a class or the whole school.

use anyhow::{Context, anyhow};
use tabel_app::App;
use tabel_domain::access::Principal;
use tabel_domain::school::{GroupKind, Role};
use tabel_domain::{SchoolId, UserId};
use tabel_store::school as school_repo;
use time::Date;

/// What to propose.
pub struct Propose<'a> {
    /// The school (its id); the first school of the database when absent.
    pub school: Option<i64>,
    /// A class name ("5А"); the whole school when absent.
    pub class: Option<&'a str>,
    /// A period: its id, or its number in the class's (or the first grade's) kind of periods.
    pub period: &'a str,
    /// "Today" (the demo's pinned date); the real date when absent.
    pub today: Option<Date>,
}

/// Prints the proposals; returns how many there were.
pub async fn propose(app: &App, args: &Propose<'_>) -> anyhow::Result<usize> {
    let db = app.db();
    let mut conn = db.acquire().await?;
    let c = &mut conn.conn();
    let schools = school_repo::list_schools(c).await?;
    let school = match args.school {
        Some(id) => schools
            .iter()
            .find(|s| s.id.get() == id)
            .ok_or_else(|| anyhow!("no school with id {id}"))?,
        None => schools
            .first()
            .ok_or_else(|| anyhow!("the database holds no school"))?,
    };
    let today = args.today.unwrap_or_else(|| app.today());
    let year = school_repo::academic_year_on(c, school.id, today)
        .await?
        .ok_or_else(|| anyhow!("{} has no academic year on {today}", school.name))?;
    let classes = school_repo::list_groups(c, year.id, today, Some(GroupKind::Class)).await?;
    let class = match args.class {
        Some(name) => Some(
            classes
                .iter()
                .find(|g| g.name.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| anyhow!("no class {name:?} in {} this year", school.name))?,
        ),
        None => None,
    };
    let periods = school_repo::list_periods(c, year.id).await?;
    let parallels = school_repo::list_parallels(c, year.id).await?;
    let kind = class
        .and_then(|k| parallels.iter().find(|x| x.grade == k.grade))
        .or_else(|| parallels.first())
        .map(|x| x.period_kind);
    let period = match args.period.trim().parse::<i64>() {
        Ok(n) if periods.iter().any(|x| x.id.get() == n) => {
            periods.iter().find(|x| x.id.get() == n)
        }
        Ok(n) => periods
            .iter()
            .find(|x| Some(x.kind) == kind && i64::from(x.number) == n),
        Err(_) => None,
    }
    .ok_or_else(|| anyhow!("no period {:?}: give its id or its number", args.period))?;
    drop(conn);
    let operator = operator(school.id);
    let started = std::time::Instant::now();
    let lines = app
        .school_proposals(&operator, school.id, period.id, class.map(|k| k.id))
        .await
        .context("proposals")?;
    // The time to work the proposals out, not to print them.
    let took = started.elapsed();
    for l in &lines {
        let proposal = l
            .proposal
            .map(|p| format!("{} ({})", p.value, p.basis.code()))
            .unwrap_or_else(|| "—".into());
        println!(
            "{}\t{}\t{}\t{}\t{}",
            l.class, l.name, l.subject_name, l.average, proposal
        );
    }
    eprintln!(
        "{} proposal(s) for period {} {} of {} in {:.1} ms (nothing written).",
        lines.len(),
        period.number,
        period.kind.code(),
        school.name,
        took.as_secs_f64() * 1000.0
    );
    Ok(lines.len())
}

/// The operator at the console acts as the school's administrator.
fn operator(school: SchoolId) -> Principal {
    Principal {
        user: UserId::new(0),
        person: None,
        grants: vec![(Role::Admin, school)],
        class_teacher_of: Vec::new(),
        children: Vec::new(),
        student_in: None,
        pupils: Vec::new(),
        student_consent: false,
    }
}
