//! Regions, municipalities and schools, and a school's counts for the overview page.

use crate::{Conn, Result};
use tabel_domain::*;
use time::OffsetDateTime;

pub use tabel_domain::school::School;

#[derive(sqlx::FromRow)]
struct SchoolRow {
    id: i64,
    name: String,
    short_name: String,
    time_zone: String,
    municipality: String,
    region: String,
}

impl From<SchoolRow> for School {
    fn from(r: SchoolRow) -> Self {
        School {
            id: SchoolId::new(r.id),
            name: r.name,
            short_name: r.short_name,
            time_zone: r.time_zone,
            municipality: r.municipality,
            region: r.region,
        }
    }
}

const SELECT_SCHOOLS: &str = "SELECT s.id, s.name, s.short_name, s.time_zone, m.name AS municipality, r.name AS region \
     FROM schools s JOIN municipalities m ON m.id = s.municipality_id JOIN regions r ON r.id = m.region_id \
     ORDER BY s.id";

/// Every school of the deployment.
pub async fn list_schools(conn: &mut Conn<'_>) -> Result<Vec<School>> {
    let rows = fetch_all!(conn, SchoolRow, SELECT_SCHOOLS)?;
    Ok(rows.into_iter().map(School::from).collect())
}

/// Whether the deployment holds any school (the demo refuses a non-empty database).
pub async fn count_schools(conn: &mut Conn<'_>) -> Result<i64> {
    Ok(fetch_scalar!(conn, i64, "SELECT COUNT(*) FROM schools")?)
}

const INSERT_REGION: &str = "INSERT INTO regions (name) VALUES ($1) RETURNING id";
/// Adds a region.
pub async fn insert_region(conn: &mut Conn<'_>, name: &str) -> Result<RegionId> {
    Ok(RegionId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_REGION,
        name
    )?))
}

/// The region of this name, added if there is none.
pub async fn region_named(conn: &mut Conn<'_>, name: &str) -> Result<RegionId> {
    const SQL: &str = "SELECT id FROM regions WHERE name = $1";
    match fetch_optional!(conn, (i64,), SQL, name)? {
        Some((id,)) => Ok(RegionId::new(id)),
        None => insert_region(conn, name).await,
    }
}

/// The municipality of this name in a region, added if there is none.
pub async fn municipality_named(
    conn: &mut Conn<'_>,
    region: RegionId,
    name: &str,
) -> Result<MunicipalityId> {
    const SQL: &str = "SELECT id FROM municipalities WHERE region_id = $1 AND name = $2";
    match fetch_optional!(conn, (i64,), SQL, region.get(), name)? {
        Some((id,)) => Ok(MunicipalityId::new(id)),
        None => insert_municipality(conn, region, name).await,
    }
}

const INSERT_MUNICIPALITY: &str =
    "INSERT INTO municipalities (region_id, name) VALUES ($1, $2) RETURNING id";
/// Adds a municipality.
pub async fn insert_municipality(
    conn: &mut Conn<'_>,
    region: RegionId,
    name: &str,
) -> Result<MunicipalityId> {
    Ok(MunicipalityId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_MUNICIPALITY,
        region.get(),
        name
    )?))
}

/// A new school.
#[derive(Debug, Clone)]
pub struct NewSchool<'a> {
    /// Where.
    pub municipality: MunicipalityId,
    /// Full name.
    pub name: &'a str,
    /// Short name.
    pub short_name: &'a str,
    /// IANA time zone.
    pub time_zone: &'a str,
    /// When created.
    pub created_at: OffsetDateTime,
}

const INSERT_SCHOOL: &str = "INSERT INTO schools (municipality_id, name, short_name, time_zone, created_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
/// Adds a school.
pub async fn insert_school(conn: &mut Conn<'_>, s: &NewSchool<'_>) -> Result<SchoolId> {
    Ok(SchoolId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_SCHOOL,
        s.municipality.get(),
        s.name,
        s.short_name,
        s.time_zone,
        s.created_at
    )?))
}

pub use tabel_domain::school::SchoolCounts;

const SELECT_COUNTS: &str = "SELECT \
     (SELECT COUNT(*) FROM students WHERE school_id = $1 AND left_on IS NULL) AS students, \
     (SELECT COUNT(*) FROM staff WHERE school_id = $1) AS staff, \
     (SELECT COUNT(*) FROM study_groups WHERE academic_year_id = $2 AND kind = 'class') AS classes, \
     (SELECT COUNT(*) FROM study_groups WHERE academic_year_id = $2 AND kind <> 'class') AS other_groups, \
     (SELECT COUNT(DISTINCT parent_id) FROM guardianships WHERE school_id = $1 AND ended_at IS NULL) AS parents";
/// Counts for the overview page.
pub async fn school_counts(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
) -> Result<SchoolCounts> {
    let (students, staff, classes, other_groups, parents) = fetch_one!(
        conn,
        (i64, i64, i64, i64, i64),
        SELECT_COUNTS,
        school.get(),
        year.get()
    )?;
    Ok(SchoolCounts {
        students,
        staff,
        classes,
        other_groups,
        parents,
    })
}
