//! Tabel's storage: one [`Db`] over SQLite (a school on one file) or PostgreSQL (a region), with
//! every query written once with `$n` placeholders and run on both; migrations; repositories for
//! the school model, accounts, sessions, the audit log and the outbox.
//!
//! Rules kept here:
//! - every school-owned row carries `school_id`;
//! - instants are bound from Rust, never taken from the database's clock, and never compared in
//!   SQL (SQLite stores them as text, where such comparisons go wrong): compare in Rust;
//! - writes go through a [`Tx`], which on SQLite is `BEGIN IMMEDIATE`.
#![forbid(unsafe_code)]

#[macro_use]
mod macros;
pub mod absence_notes;
pub mod accounts;
pub mod assessment;
pub mod audit;
pub mod closing;
pub mod consent;
pub mod contact;
mod db;
pub mod debts;
pub mod delivery;
pub mod diary;
pub mod erasure;
mod error;
pub mod exams;
pub mod exemptions;
pub mod extracts;
pub mod finals;
pub mod homework_files;
pub mod journal;
pub mod outbox;
pub mod people;
pub mod personal_file;
pub mod promotion;
pub mod record;
pub mod region;
pub mod retention;
pub mod school;
pub mod session;
pub mod setup;
pub mod stats;
pub mod structure;
pub mod teaching;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod thematic;
pub mod throttle;
pub mod timetable;
pub mod user;

pub use db::{Backend, Conn, Db, PoolConn, Tx, now_micros};
pub use error::StoreError;

/// Results of storage calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
