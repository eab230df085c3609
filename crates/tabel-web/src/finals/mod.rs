//! Final marks of periods and the year: the sheet, planning and API.

pub(crate) mod api;
pub(crate) mod pages;
