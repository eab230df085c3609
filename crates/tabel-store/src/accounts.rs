//! Accounts handed out at scale: who in a school (or a class) has none yet, parents' pending
//! invitations and their codes.

use crate::{Conn, Result};
use tabel_domain::*;
use time::{Date, OffsetDateTime};

/// A person who may get an account: a pupil, a parent named for a pupil, or a staff member.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Holder {
    pub id: i64,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    /// `pupil`, `parent` or `staff`.
    pub kind: String,
    /// A pupil's class on the date (for a parent: empty).
    pub class_name: Option<String>,
    /// The roles a staff member's account gets (codes, comma-separated).
    pub roles: Option<String>,
    /// Their account, if they have one.
    pub user_id: Option<i64>,
    pub login: Option<String>,
}

const SELECT_HOLDERS: &str = "SELECT p.id, p.last_name, p.first_name, p.middle_name, 'pupil' AS kind, \
         g.name AS class_name, NULL AS roles, u.id AS user_id, u.login \
     FROM memberships m JOIN study_groups g ON g.id = m.group_id AND g.kind = 'class' AND g.academic_year_id = $2 \
     JOIN persons p ON p.id = m.student_id LEFT JOIN users u ON u.person_id = p.id \
     WHERE m.school_id = $1 AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $3) \
       AND ($4 IS NULL OR g.id = $4) AND $5 = 1 \
     UNION ALL \
     SELECT DISTINCT p.id, p.last_name, p.first_name, p.middle_name, 'parent' AS kind, \
         NULL AS class_name, NULL AS roles, u.id AS user_id, u.login \
     FROM (SELECT parent_id, student_id FROM invitations WHERE school_id = $1 AND used_at IS NULL \
           UNION SELECT parent_id, student_id FROM guardianships WHERE school_id = $1 AND ended_at IS NULL) pc \
     JOIN memberships m ON m.student_id = pc.student_id AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $3) \
     JOIN study_groups g ON g.id = m.group_id AND g.kind = 'class' AND g.academic_year_id = $2 \
     JOIN persons p ON p.id = pc.parent_id LEFT JOIN users u ON u.person_id = p.id \
     WHERE ($4 IS NULL OR g.id = $4) AND $6 = 1 \
     UNION ALL \
     SELECT p.id, p.last_name, p.first_name, p.middle_name, 'staff' AS kind, NULL AS class_name, \
         st.roles, u.id AS user_id, u.login \
     FROM staff st JOIN persons p ON p.id = st.person_id LEFT JOIN users u ON u.person_id = p.id \
     WHERE st.school_id = $1 AND $4 IS NULL AND $7 = 1 \
     ORDER BY 5, 6, 2, 3, 1";
/// The school's pupils, parents and staff (of one class: its pupils and their parents), each
/// once, with their accounts if any.
#[allow(clippy::too_many_arguments)]
pub async fn holders(
    conn: &mut Conn<'_>,
    school: SchoolId,
    year: AcademicYearId,
    on: Date,
    class: Option<GroupId>,
    pupils: bool,
    parents: bool,
    staff: bool,
) -> Result<Vec<Holder>> {
    Ok(fetch_all!(
        conn,
        Holder,
        SELECT_HOLDERS,
        school.get(),
        year.get(),
        on,
        class.map(GroupId::get),
        i64::from(pupils),
        i64::from(parents),
        i64::from(staff)
    )?)
}

/// A parent's invitation not yet redeemed, with the child's name and class.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingInvitation {
    pub id: i64,
    pub parent_id: i64,
    pub student_id: i64,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub class_name: Option<String>,
}

const SELECT_PENDING: &str = "SELECT i.id, i.parent_id, i.student_id, p.last_name, p.first_name, p.middle_name, \
     (SELECT g.name FROM memberships m JOIN study_groups g ON g.id = m.group_id AND g.kind = 'class' \
      WHERE m.student_id = i.student_id AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2) \
      ORDER BY m.starts_on DESC LIMIT 1) AS class_name \
     FROM invitations i JOIN persons p ON p.id = i.student_id \
     WHERE i.school_id = $1 AND i.used_at IS NULL ORDER BY i.parent_id, p.sort_key";
/// The school's pending invitations.
pub async fn pending_invitations(
    conn: &mut Conn<'_>,
    school: SchoolId,
    on: Date,
) -> Result<Vec<PendingInvitation>> {
    Ok(fetch_all!(
        conn,
        PendingInvitation,
        SELECT_PENDING,
        school.get(),
        on
    )?)
}

const SET_CODE: &str =
    "UPDATE invitations SET code_hash = $2, expires_at = $3 WHERE id = $1 AND used_at IS NULL";
/// Gives an invitation a new code (the old one stops working).
pub async fn set_invitation_code(
    conn: &mut Conn<'_>,
    id: i64,
    code_hash: &str,
    expires_at: OffsetDateTime,
) -> Result<()> {
    execute!(conn, SET_CODE, id, code_hash, expires_at)?;
    Ok(())
}

/// An invitation found by its code.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invitation {
    pub id: i64,
    pub school_id: i64,
    pub parent_id: i64,
    pub student_id: i64,
    pub relation: String,
    pub expires_at: Option<OffsetDateTime>,
    pub used_at: Option<OffsetDateTime>,
}

const SELECT_BY_CODE: &str = "SELECT id, school_id, parent_id, student_id, relation, expires_at, used_at \
     FROM invitations WHERE code_hash = $1";
/// The invitation whose code hashes to `code_hash`.
pub async fn invitation_by_code(
    conn: &mut Conn<'_>,
    code_hash: &str,
) -> Result<Option<Invitation>> {
    Ok(fetch_optional!(
        conn,
        Invitation,
        SELECT_BY_CODE,
        code_hash
    )?)
}

const USE_INVITATION: &str = "UPDATE invitations SET used_at = $2, used_by = $3, code_hash = NULL WHERE id = $1 AND used_at IS NULL";
/// Marks an invitation used; false when someone used it first.
pub async fn use_invitation(
    conn: &mut Conn<'_>,
    id: i64,
    at: OffsetDateTime,
    user: UserId,
) -> Result<bool> {
    Ok(execute!(conn, USE_INVITATION, id, at, user.get())? == 1)
}

const INSERT_ATTEMPT: &str = "INSERT INTO invitation_attempts (user_id, at) VALUES ($1, $2)";
/// Records a failed attempt to redeem a code.
pub async fn record_failed_attempt(
    conn: &mut Conn<'_>,
    user: UserId,
    at: OffsetDateTime,
) -> Result<()> {
    execute!(conn, INSERT_ATTEMPT, user.get(), at)?;
    Ok(())
}

const COUNT_ATTEMPTS: &str =
    "SELECT COUNT(*) FROM invitation_attempts WHERE user_id = $1 AND at >= $2";
/// Failed attempts of an account since an instant.
pub async fn failed_attempts_since(
    conn: &mut Conn<'_>,
    user: UserId,
    since: OffsetDateTime,
) -> Result<i64> {
    Ok(fetch_scalar!(conn, i64, COUNT_ATTEMPTS, user.get(), since)?)
}

/// Logins that start with a prefix (to make a new one unique); `_` in the prefix matches any
/// character, so callers compare what comes back.
pub async fn logins_like(conn: &mut Conn<'_>, prefix: &str) -> Result<Vec<String>> {
    const SQL: &str = "SELECT login FROM users WHERE login LIKE $1";
    let pattern = format!("{}%", prefix.replace('%', ""));
    Ok(fetch_all!(conn, (String,), SQL, pattern)?
        .into_iter()
        .map(|r| r.0)
        .collect())
}

const INSERT_RESET: &str = "INSERT INTO password_resets (user_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)";
const VOID_RESETS: &str =
    "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL";
/// Records a new reset code for an account; the earlier ones stop working.
pub async fn insert_reset(
    conn: &mut Conn<'_>,
    user: UserId,
    code_hash: &str,
    at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    execute!(conn, VOID_RESETS, user.get(), at)?;
    execute!(conn, INSERT_RESET, user.get(), code_hash, at, expires_at)?;
    Ok(())
}

const COUNT_RESETS: &str =
    "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at >= $2";
/// Reset codes made for an account since an instant.
pub async fn resets_since(conn: &mut Conn<'_>, user: UserId, since: OffsetDateTime) -> Result<i64> {
    Ok(fetch_scalar!(conn, i64, COUNT_RESETS, user.get(), since)?)
}

/// An account's live reset code.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reset {
    pub id: i64,
    pub code_hash: String,
    pub expires_at: OffsetDateTime,
    pub attempts: i64,
}

const LIVE_RESET: &str = "SELECT id, code_hash, expires_at, attempts FROM password_resets \
     WHERE user_id = $1 AND used_at IS NULL ORDER BY id DESC LIMIT 1";
/// The account's newest unused reset code.
pub async fn live_reset(conn: &mut Conn<'_>, user: UserId) -> Result<Option<Reset>> {
    Ok(fetch_optional!(conn, Reset, LIVE_RESET, user.get())?)
}

const TRIED_RESET: &str = "UPDATE password_resets SET attempts = attempts + 1 WHERE id = $1";
/// Counts a wrong try of a reset code.
pub async fn tried_reset(conn: &mut Conn<'_>, id: i64) -> Result<()> {
    execute!(conn, TRIED_RESET, id)?;
    Ok(())
}

const USE_RESET: &str = "UPDATE password_resets SET used_at = $2 WHERE id = $1";
/// Marks a reset code used.
pub async fn use_reset(conn: &mut Conn<'_>, id: i64, at: OffsetDateTime) -> Result<()> {
    execute!(conn, USE_RESET, id, at)?;
    Ok(())
}
