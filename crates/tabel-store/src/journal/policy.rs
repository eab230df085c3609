//! The school's grading policy, stored as numbered versions of its JSON body.

use crate::{Conn, Result};
use tabel_domain::{SchoolId, UserId};
use time::OffsetDateTime;

/// A stored policy version: its number and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    /// Version, from 1.
    pub version: i64,
    /// The policy as JSON.
    pub body: String,
    /// When it was saved.
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    version: i64,
    body: String,
    created_at: OffsetDateTime,
}

/// The school's newest policy, if it ever saved one.
pub async fn current_policy(conn: &mut Conn<'_>, school: SchoolId) -> Result<Option<StoredPolicy>> {
    const SQL: &str = "SELECT version, body, created_at FROM grading_policies WHERE school_id = $1 \
         ORDER BY version DESC LIMIT 1";
    Ok(
        fetch_optional!(conn, PolicyRow, SQL, school.get())?.map(|r| StoredPolicy {
            version: r.version,
            body: r.body,
            created_at: r.created_at,
        }),
    )
}

/// Saves a new policy version (the next number); a concurrent save of the same number fails
/// with [`StoreError::Duplicate`](crate::StoreError::Duplicate).
pub async fn insert_policy(
    conn: &mut Conn<'_>,
    school: SchoolId,
    version: i64,
    body: &str,
    (by, now): (Option<UserId>, OffsetDateTime),
) -> Result<()> {
    const SQL: &str = "INSERT INTO grading_policies (school_id, version, body, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5)";
    execute!(
        conn,
        SQL,
        school.get(),
        version,
        body,
        now,
        by.map(UserId::get)
    )?;
    Ok(())
}

/// The version of the school's current policy (0 = none saved).
pub async fn policy_version(conn: &mut Conn<'_>, school: SchoolId) -> Result<i64> {
    const SQL: &str = "SELECT COALESCE(MAX(version), 0) FROM grading_policies WHERE school_id = $1";
    Ok(fetch_scalar!(conn, i64, SQL, school.get())?)
}
