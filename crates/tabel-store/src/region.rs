//! Regional administrators: which regions an account administers.

use crate::{Conn, Result};
use tabel_domain::{RegionId, UserId};

const GRANT: &str = "INSERT INTO region_admins (user_id, region_id) VALUES ($1, $2) \
     ON CONFLICT (user_id, region_id) DO NOTHING";
/// Makes an account an administrator of a region; returns whether it was not one already.
pub async fn grant_region_admin(
    conn: &mut Conn<'_>,
    user: UserId,
    region: RegionId,
) -> Result<bool> {
    Ok(execute!(conn, GRANT, user.get(), region.get())? > 0)
}

const REGIONS_OF: &str = "SELECT r.id, r.name FROM region_admins a JOIN regions r ON r.id = a.region_id \
     WHERE a.user_id = $1 ORDER BY r.name, r.id";
/// The regions an account administers, by name.
pub async fn regions_of(conn: &mut Conn<'_>, user: UserId) -> Result<Vec<(RegionId, String)>> {
    Ok(fetch_all!(conn, (i64, String), REGIONS_OF, user.get())?
        .into_iter()
        .map(|(id, name)| (RegionId::new(id), name))
        .collect())
}
