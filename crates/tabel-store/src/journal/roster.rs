//! A journal's roster: who was in the group over a date range, and on a given day.

use crate::{Conn, Result};
use tabel_domain::{GroupId, PersonId};
use time::Date;

pub use tabel_domain::journal::RosterEntry;

#[derive(sqlx::FromRow)]
struct RosterRow {
    id: i64,
    last_name: String,
    first_name: String,
    starts_on: Date,
    ends_on: Option<Date>,
}

/// Everyone who was in a group at some point of a date range (a pupil who moved keeps their
/// history in the old journal), in journal order.
pub async fn roster(
    conn: &mut Conn<'_>,
    group: GroupId,
    (from, to): (Date, Date),
) -> Result<Vec<RosterEntry>> {
    const SQL: &str = "SELECT p.id, p.last_name, p.first_name, m.starts_on, m.ends_on \
         FROM memberships m JOIN persons p ON p.id = m.student_id \
         WHERE m.group_id = $1 AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on >= $2) \
         ORDER BY p.sort_key, p.id, m.starts_on";
    let mut out: Vec<RosterEntry> = Vec::new();
    for r in fetch_all!(conn, RosterRow, SQL, group.get(), from, to)? {
        // Two memberships of one pupil in the range (left and came back): one row, widest
        // dates, the days between them away.
        if let Some(last) = out.last_mut().filter(|e| e.student.get() == r.id) {
            if let Some(left) = last.to
                && let (Some(first), Some(back)) = (left.next_day(), r.starts_on.previous_day())
                && first <= back
            {
                last.away.push((first, back));
            }
            last.to = match (last.to, r.ends_on) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            continue;
        }
        out.push(RosterEntry {
            student: PersonId::new(r.id),
            last_name: r.last_name,
            first_name: r.first_name,
            from: r.starts_on,
            to: r.ends_on,
            away: Vec::new(),
        });
    }
    Ok(out)
}

/// Whether a pupil was in a group on a date.
pub async fn was_member(
    conn: &mut Conn<'_>,
    group: GroupId,
    student: PersonId,
    on: Date,
) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM memberships WHERE group_id = $1 AND student_id = $2 \
         AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)";
    Ok(fetch_scalar!(conn, i64, SQL, group.get(), student.get(), on)? > 0)
}
