//! Tabel's domain: the values and rules of a Russian school journal, with no IO.
//!
//! Everything here is pure: typed ids, parsed values (parse, don't validate), the school model's
//! enumerations, the academic calendar arithmetic, the access rules ("who may see/do what") and
//! the audit hash chain. Storage, HTTP and the CLI build on these types.
#![forbid(unsafe_code)]

pub mod absence;
pub mod access;
pub mod assessment;
pub mod audit;
pub mod calendar;
pub mod code;
pub mod consent;
pub mod contact;
pub mod debts;
pub mod exams;
pub mod extract;
pub mod federal;
pub mod finals;
pub mod id;
pub mod journal;
pub mod notify;
pub mod personal_file;
pub mod promotion;
pub mod record;
pub mod school;
pub mod setup;
pub mod stats;
pub mod structure;
pub mod table;
pub mod teaching;
pub mod text;
pub mod thematic;
pub mod timetable;

pub use id::*;
