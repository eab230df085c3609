//! Parents' notification settings: channels per kind of event, mode, quiet hours.

use crate::{Conn, Result, StoreError};
use tabel_domain::notify::{ChannelChoice, EventKind, EventSetting, Mode, QuietHours};
use tabel_domain::{PersonId, SchoolId, UserId};
use time::OffsetDateTime;

pub use tabel_domain::notify::Settings;

/// A parent's settings (defaults when never saved).
pub async fn settings_of(conn: &mut Conn<'_>, parent: PersonId) -> Result<Settings> {
    #[derive(sqlx::FromRow)]
    struct Head {
        quiet_from: Option<i64>,
        quiet_to: Option<i64>,
        updated_at: OffsetDateTime,
    }
    #[derive(sqlx::FromRow)]
    struct Line {
        event: String,
        channel: String,
        mode: String,
    }
    const HEAD: &str =
        "SELECT quiet_from, quiet_to, updated_at FROM notify_settings WHERE parent_id = $1";
    const LINES: &str =
        "SELECT event, channel, mode FROM notify_event_settings WHERE parent_id = $1";
    let mut s = Settings::default();
    if let Some(h) = fetch_optional!(conn, Head, HEAD, parent.get())? {
        s.updated_at = Some(h.updated_at);
        if let (Some(f), Some(t)) = (h.quiet_from, h.quiet_to) {
            let f = u16::try_from(f).map_err(|_| StoreError::Corrupt("quiet_from".into()))?;
            let t = u16::try_from(t).map_err(|_| StoreError::Corrupt("quiet_to".into()))?;
            s.quiet = QuietHours::from_minutes(f, t).ok();
        }
    }
    for l in fetch_all!(conn, Line, LINES, parent.get())? {
        s.events.insert(
            EventKind::from_code(&l.event)?,
            EventSetting {
                channel: ChannelChoice::from_code(&l.channel)?,
                mode: Mode::from_code(&l.mode)?,
            },
        );
    }
    Ok(s)
}

/// Replaces a parent's settings.
pub async fn save_settings(
    conn: &mut Conn<'_>,
    (school, parent): (SchoolId, PersonId),
    s: &Settings,
    (by, at): (Option<UserId>, OffsetDateTime),
) -> Result<()> {
    const HEAD: &str = "INSERT INTO notify_settings (parent_id, school_id, quiet_from, quiet_to, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (parent_id) DO UPDATE SET school_id = $2, \
         quiet_from = $3, quiet_to = $4, updated_by = $5, updated_at = $6";
    const CLEAR: &str = "DELETE FROM notify_event_settings WHERE parent_id = $1";
    const LINE: &str = "INSERT INTO notify_event_settings (parent_id, school_id, event, channel, mode) \
         VALUES ($1, $2, $3, $4, $5)";
    execute!(
        conn,
        HEAD,
        parent.get(),
        school.get(),
        s.quiet.map(|q| i64::from(q.from())),
        s.quiet.map(|q| i64::from(q.to())),
        by.map(UserId::get),
        at
    )?;
    execute!(conn, CLEAR, parent.get())?;
    for (kind, e) in &s.events {
        execute!(
            conn,
            LINE,
            parent.get(),
            school.get(),
            kind.code(),
            e.channel.code(),
            e.mode.code()
        )?;
    }
    Ok(())
}
