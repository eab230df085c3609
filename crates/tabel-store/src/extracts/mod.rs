//! Paper extracts (выписки) and the archive print: the registry of issued extracts with their
//! verification codes, and the reads that gather a whole class's journal data at once.
//!
//! Gathering is by class, never by pupil: every gathering function is one query over "the pupils
//! who were in the class at some point of the range" (optionally narrowed to one of them), so a
//! class of 30 costs the same handful of queries as one pupil. A pupil's lessons are those of
//! every group the pupil belonged to on the lesson's date (class, subgroups, streams, ИУП);
//! the use case matches lessons to memberships in memory.
//!
//! Everything public is re-exported here, so `tabel_store::extracts::X` names it wherever it
//! lives.

mod gather;
mod print;
mod registry;

pub use gather::*;
pub use print::*;
pub use registry::*;
