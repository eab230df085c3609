//! Tabel's wording and formats, shared by the pages, the notifications and the documents: the
//! interface languages, the Fluent catalogue (Russian first, English second), dates, decimals,
//! plural forms, the names of reporting periods and of work types.
//!
//! Wording lives in the Fluent files under `locales/`; pure number and date formats are Rust.
//! Notifications and printed documents are Russian whatever the interface language: they ask
//! for `Lang::Ru`.
#![forbid(unsafe_code)]

mod catalogue;
mod format;
mod lang;
mod period;
mod work;

pub use catalogue::{Catalogue, FluentValue, Tr, catalogue, tr};
pub use format::{average, date, date_time, date_time_utc, day_month, hundredths, rfc3339, tenths};
pub use lang::Lang;
pub use period::{
    FinalSlot, period_for, period_name, period_short, period_title, slot_for, slot_name,
    slot_short, slot_title,
};
pub use work::{work_abbreviations, work_name};
