//! Accounts and their roles.

use crate::{Conn, Result, StoreError};
use serde::Serialize;
use tabel_domain::school::Role;
use tabel_domain::{PersonId, SchoolId, UserId};
use time::OffsetDateTime;

/// An account as authentication needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAuth {
    /// Id.
    pub id: UserId,
    /// Login.
    pub login: String,
    /// The Argon2id PHC string; `None` for an account that cannot log in with a password.
    pub password_hash: Option<String>,
    /// Failed attempts since the last success.
    pub failed_logins: i64,
    /// Locked after repeated failures until then.
    pub locked_until: Option<OffsetDateTime>,
    /// Locked by an administrator.
    pub disabled_at: Option<OffsetDateTime>,
    /// Row version for optimistic updates.
    pub version: i64,
    /// The password is a one-time password from a login letter: the user must set their own.
    pub must_change_password: bool,
}

#[derive(sqlx::FromRow)]
struct UserAuthRow {
    id: i64,
    login: String,
    password_hash: Option<String>,
    failed_logins: i64,
    locked_until: Option<OffsetDateTime>,
    disabled_at: Option<OffsetDateTime>,
    version: i64,
    must_change_password: i64,
}

impl From<UserAuthRow> for UserAuth {
    fn from(r: UserAuthRow) -> Self {
        UserAuth {
            id: UserId::new(r.id),
            login: r.login,
            password_hash: r.password_hash,
            failed_logins: r.failed_logins,
            locked_until: r.locked_until,
            disabled_at: r.disabled_at,
            version: r.version,
            must_change_password: r.must_change_password != 0,
        }
    }
}

/// An account by login (already lower-cased by [`tabel_domain::text::Login`]).
pub async fn auth_by_login(conn: &mut Conn<'_>, login: &str) -> Result<Option<UserAuth>> {
    const SQL: &str = concat!(
        "SELECT id, login, password_hash, failed_logins, locked_until, disabled_at, version, must_change_password FROM users ",
        "WHERE login = $1"
    );
    Ok(fetch_optional!(conn, UserAuthRow, SQL, login)?.map(UserAuth::from))
}

/// An account by id.
pub async fn auth_by_id(conn: &mut Conn<'_>, id: UserId) -> Result<Option<UserAuth>> {
    const SQL: &str = concat!(
        "SELECT id, login, password_hash, failed_logins, locked_until, disabled_at, version, must_change_password FROM users ",
        "WHERE id = $1"
    );
    Ok(fetch_optional!(conn, UserAuthRow, SQL, id.get())?.map(UserAuth::from))
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login.
    pub login: &'a str,
    /// Argon2id hash, if a password is set.
    pub password_hash: Option<&'a str>,
    /// The person behind the account.
    pub person: Option<PersonId>,
    /// Name to show.
    pub display_name: &'a str,
    /// The home school.
    pub school: Option<SchoolId>,
    /// "ru" or "en".
    pub locale: &'a str,
    /// When.
    pub created_at: OffsetDateTime,
}

const INSERT_USER: &str = "INSERT INTO users (login, password_hash, person_id, display_name, school_id, locale, failed_logins, locked_until, disabled_at, password_changed_at, created_at, version) \
     VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, NULL, $7, $7, 1) RETURNING id";
/// Adds an account. A taken login gives [`StoreError::Duplicate`].
pub async fn insert_user(conn: &mut Conn<'_>, u: &NewUser<'_>) -> Result<UserId> {
    Ok(UserId::new(fetch_scalar!(
        conn,
        i64,
        INSERT_USER,
        u.login,
        u.password_hash,
        u.person.map(PersonId::get),
        u.display_name,
        u.school.map(SchoolId::get),
        u.locale,
        u.created_at
    )?))
}

const INSERT_ROLE: &str = "INSERT INTO user_roles (user_id, role, school_id) VALUES ($1, $2, $3)";
/// Grants a role in a school.
pub async fn grant_role(
    conn: &mut Conn<'_>,
    user: UserId,
    role: Role,
    school: SchoolId,
) -> Result<()> {
    execute!(conn, INSERT_ROLE, user.get(), role.code(), school.get())?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RoleRow {
    role: String,
    school_id: i64,
}

const SELECT_ROLES: &str =
    "SELECT role, school_id FROM user_roles WHERE user_id = $1 ORDER BY school_id, role";
/// Roles granted directly to an account.
pub async fn roles_of(conn: &mut Conn<'_>, user: UserId) -> Result<Vec<(Role, SchoolId)>> {
    fetch_all!(conn, RoleRow, SELECT_ROLES, user.get())?
        .into_iter()
        .map(|r| Ok((Role::from_code(&r.role)?, SchoolId::new(r.school_id))))
        .collect()
}

/// Records a failed login: the counter and, past the threshold, the lockout.
pub async fn record_failed_login(
    conn: &mut Conn<'_>,
    user: UserId,
    failed_logins: i64,
    locked_until: Option<OffsetDateTime>,
) -> Result<()> {
    const SQL: &str = "UPDATE users SET failed_logins = $2, locked_until = $3, version = version + 1 WHERE id = $1";
    execute!(conn, SQL, user.get(), failed_logins, locked_until)?;
    Ok(())
}

/// Records a successful login: clears the counter.
pub async fn record_successful_login(conn: &mut Conn<'_>, user: UserId) -> Result<()> {
    const SQL: &str = "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND failed_logins <> 0";
    execute!(conn, SQL, user.get())?;
    Ok(())
}

/// Sets a new password hash.
pub async fn set_password(
    conn: &mut Conn<'_>,
    user: UserId,
    hash: &str,
    at: OffsetDateTime,
) -> Result<()> {
    const SQL: &str = "UPDATE users SET password_hash = $2, password_changed_at = $3, failed_logins = 0, locked_until = NULL, must_change_password = 0, version = version + 1 WHERE id = $1";
    if execute!(conn, SQL, user.get(), hash, at)? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Locks (`Some(at)`) or unlocks (`None`) an account by an administrator's decision; unlocking
/// also clears an automatic lockout.
pub async fn set_disabled(
    conn: &mut Conn<'_>,
    user: UserId,
    at: Option<OffsetDateTime>,
) -> Result<()> {
    const SQL: &str = "UPDATE users SET disabled_at = $2, failed_logins = 0, locked_until = NULL, version = version + 1 WHERE id = $1";
    if execute!(conn, SQL, user.get(), at)? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets the interface language of an account.
pub async fn set_locale(conn: &mut Conn<'_>, user: UserId, locale: &str) -> Result<()> {
    const SQL: &str = "UPDATE users SET locale = $2 WHERE id = $1";
    execute!(conn, SQL, user.get(), locale)?;
    Ok(())
}

pub use tabel_domain::school::UserSummary;

#[derive(sqlx::FromRow)]
struct UserSummaryRow {
    id: i64,
    login: String,
    display_name: String,
    person_id: Option<i64>,
    has_password: i64,
    disabled_at: Option<OffsetDateTime>,
    locked_until: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct UserRoleRow {
    user_id: i64,
    role: String,
}

/// Accounts of a school, by login, with their granted roles (two queries, not one per user).
/// `query` filters by a login or name fragment.
pub async fn list_users(
    conn: &mut Conn<'_>,
    school: SchoolId,
    query: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<UserSummary>> {
    const SQL: &str = "SELECT id, login, display_name, person_id, \
         CAST(CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_password, disabled_at, locked_until, created_at \
         FROM users WHERE school_id = $1 AND ($2 IS NULL OR login LIKE $2 OR display_name LIKE $3) \
         ORDER BY login LIMIT $4 OFFSET $5";
    const ROLES: &str = "SELECT ur.user_id, ur.role FROM user_roles ur JOIN users u ON u.id = ur.user_id \
         WHERE u.school_id = $1 ORDER BY ur.user_id, ur.role";
    let login_pattern =
        query.map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_', '\\'], "")));
    let name_pattern = query.map(|q| format!("%{}%", q.trim().replace(['%', '_', '\\'], "")));
    let rows = fetch_all!(
        conn,
        UserSummaryRow,
        SQL,
        school.get(),
        login_pattern,
        name_pattern,
        limit,
        offset
    )?;
    let roles = fetch_all!(conn, UserRoleRow, ROLES, school.get())?;
    let mut by_user: std::collections::HashMap<i64, Vec<Role>> = std::collections::HashMap::new();
    for r in roles {
        by_user
            .entry(r.user_id)
            .or_default()
            .push(Role::from_code(&r.role)?);
    }
    Ok(rows
        .into_iter()
        .map(|r| UserSummary {
            id: UserId::new(r.id),
            roles: by_user.remove(&r.id).unwrap_or_default(),
            login: r.login,
            display_name: r.display_name,
            person: r.person_id.map(PersonId::new),
            has_password: r.has_password != 0,
            disabled: r.disabled_at.is_some(),
            locked_until: r.locked_until,
            created_at: r.created_at,
        })
        .collect())
}

/// An account's profile: what `GET /api/v1/me` starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Id.
    pub id: UserId,
    /// Login.
    pub login: String,
    /// Name.
    pub display_name: String,
    /// The person behind the account.
    pub person: Option<PersonId>,
    /// The home school.
    pub school: Option<SchoolId>,
    /// Interface language.
    pub locale: String,
    /// Locked by an administrator.
    pub disabled: bool,
    /// Holds a one-time password: must set their own before anything else.
    pub must_change_password: bool,
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    id: i64,
    login: String,
    display_name: String,
    person_id: Option<i64>,
    school_id: Option<i64>,
    locale: String,
    disabled_at: Option<OffsetDateTime>,
    must_change_password: i64,
}

impl From<ProfileRow> for Profile {
    fn from(r: ProfileRow) -> Self {
        Profile {
            id: UserId::new(r.id),
            login: r.login,
            display_name: r.display_name,
            person: r.person_id.map(PersonId::new),
            school: r.school_id.map(SchoolId::new),
            locale: r.locale,
            disabled: r.disabled_at.is_some(),
            must_change_password: r.must_change_password != 0,
        }
    }
}

/// An account's profile by id.
pub async fn profile(conn: &mut Conn<'_>, user: UserId) -> Result<Option<Profile>> {
    const SQL: &str = "SELECT id, login, display_name, person_id, school_id, locale, disabled_at, must_change_password FROM users WHERE id = $1";
    Ok(fetch_optional!(conn, ProfileRow, SQL, user.get())?.map(Profile::from))
}

/// The account of a person, if one exists.
pub async fn user_of_person(conn: &mut Conn<'_>, person: PersonId) -> Result<Option<Profile>> {
    const SQL: &str = "SELECT id, login, display_name, person_id, school_id, locale, disabled_at, must_change_password FROM users WHERE person_id = $1 ORDER BY id LIMIT 1";
    Ok(fetch_optional!(conn, ProfileRow, SQL, person.get())?.map(Profile::from))
}

/// Gives an account a password someone else knows (a login letter's one-time password, or one
/// an administrator set): its holder must set their own at the next login.
pub async fn set_one_time_password(conn: &mut Conn<'_>, user: UserId, hash: &str) -> Result<()> {
    const SQL: &str = "UPDATE users SET password_hash = $2, must_change_password = 1, failed_logins = 0, locked_until = NULL, version = version + 1 WHERE id = $1";
    if execute!(conn, SQL, user.get(), hash)? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
