//! The timetable with substitutions and transfers: pages and API.

pub(crate) mod api;
mod changes_api;
mod changes_pages;
mod desk;
pub(crate) mod pages;
