//! The school model: regions, schools, academic years, periods, holidays, subjects, people,
//! study groups, dated memberships, parent↔child links, consents, curriculum, teaching
//! assignments and class-teacher appointments.
//!
//! A file per entity; everything public is re-exported here, so `tabel_store::school::X` names
//! it wherever it lives.

use crate::{Result, StoreError};

mod groups;
mod guardianships;
mod people;
mod schools;
mod staff;
mod subjects;
mod years;

pub use groups::*;
pub use guardianships::*;
pub use people::*;
pub use schools::*;
pub use staff::*;
pub use subjects::*;
pub use years::*;

pub(crate) fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("{v} out of range")))
}

#[derive(sqlx::FromRow)]
struct PairRow {
    person_id: i64,
    label: String,
}
