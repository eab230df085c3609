//! Statistics of lessons held against the curriculum, by lesson types and by results: pages and API.

pub(crate) mod api;
mod charts;
pub(crate) mod pages;
mod tables;
