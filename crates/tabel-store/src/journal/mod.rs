//! The class journal's storage: grading policies (versioned), lesson records, marks, attendance
//! and recommendations. Every row a teacher writes carries a version; an update or delete names
//! the version it expects and changes nothing when the row has moved on (the caller answers 409).
//!
//! A file per kind of row; everything public is re-exported here, so `tabel_store::journal::X`
//! names it wherever it lives.

use crate::{Result, StoreError};

mod attendance;
mod bulk;
mod journals;
mod marks;
mod periods;
mod policy;
mod recommendations;
mod records;
mod roster;

pub use attendance::*;
pub use bulk::*;
pub use journals::*;
pub use marks::*;
pub use periods::*;
pub use policy::*;
pub use recommendations::*;
pub use records::*;
pub use roster::*;

fn small(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("value {v} out of range")))
}
