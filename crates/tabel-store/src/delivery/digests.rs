//! Lines waiting for a parent's daily digest, and the digests they make.

use crate::{Conn, Result};
use tabel_domain::{ContactId, PersonId, SchoolId};
use time::OffsetDateTime;

/// A line for a parent's next digest to a contact.
#[derive(Debug, Clone, Copy)]
pub struct NewDigestItem<'a> {
    /// School.
    pub school: SchoolId,
    /// Parent.
    pub parent: PersonId,
    /// The pupil the line is about.
    pub student: PersonId,
    /// The contact the digest goes to.
    pub contact: ContactId,
    /// The event.
    pub event: i64,
    /// The line.
    pub line: &'a str,
    /// Now.
    pub at: OffsetDateTime,
}

/// Adds a line unless the event is in the contact's digest already; whether it was added.
pub async fn add_digest_item(conn: &mut Conn<'_>, i: &NewDigestItem<'_>) -> Result<bool> {
    const SQL: &str = "INSERT INTO digest_items (school_id, parent_id, contact_id, event_id, line, created_at, student_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, contact_id) DO NOTHING";
    Ok(execute!(
        conn,
        SQL,
        i.school.get(),
        i.parent.get(),
        i.contact.get(),
        i.event,
        i.line,
        i.at,
        i.student.get()
    )? > 0)
}

/// A contact with lines waiting for a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenDigest {
    /// School.
    pub school: SchoolId,
    /// Parent.
    pub parent: PersonId,
    /// Contact.
    pub contact: ContactId,
}

/// Contacts with lines waiting, after `after` (paging by contact id).
pub async fn open_digests(conn: &mut Conn<'_>, after: i64, limit: i64) -> Result<Vec<OpenDigest>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        school_id: i64,
        parent_id: i64,
        contact_id: i64,
    }
    const SQL: &str = "SELECT DISTINCT school_id, parent_id, contact_id FROM digest_items \
         WHERE delivery_id IS NULL AND contact_id > $1 ORDER BY contact_id LIMIT $2";
    Ok(fetch_all!(conn, Row, SQL, after, limit)?
        .into_iter()
        .map(|r| OpenDigest {
            school: SchoolId::new(r.school_id),
            parent: PersonId::new(r.parent_id),
            contact: ContactId::new(r.contact_id),
        })
        .collect())
}

/// A line waiting for a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    /// Id.
    pub id: i64,
    /// The pupil it is about.
    pub student: PersonId,
    /// The line.
    pub line: String,
}

/// The waiting lines of a contact, oldest first.
pub async fn open_items(conn: &mut Conn<'_>, contact: ContactId) -> Result<Vec<OpenItem>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        student_id: i64,
        line: String,
    }
    const SQL: &str = "SELECT id, student_id, line FROM digest_items WHERE delivery_id IS NULL AND contact_id = $1 ORDER BY id";
    Ok(fetch_all!(conn, Row, SQL, contact.get())?
        .into_iter()
        .map(|r| OpenItem {
            id: r.id,
            student: PersonId::new(r.student_id),
            line: r.line,
        })
        .collect())
}

/// Drops waiting lines that may no longer be sent (the consent was withdrawn, the contact
/// removed).
pub async fn drop_items(conn: &mut Conn<'_>, ids: &[i64]) -> Result<()> {
    const SQL: &str = "DELETE FROM digest_items WHERE id = $1 AND delivery_id IS NULL";
    for id in ids {
        execute!(conn, SQL, *id)?;
    }
    Ok(())
}

/// Ties waiting lines to the digest delivery that carries them.
pub async fn attach_items(conn: &mut Conn<'_>, ids: &[i64], delivery: i64) -> Result<()> {
    const SQL: &str =
        "UPDATE digest_items SET delivery_id = $2 WHERE id = $1 AND delivery_id IS NULL";
    for id in ids {
        execute!(conn, SQL, *id, delivery)?;
    }
    Ok(())
}
