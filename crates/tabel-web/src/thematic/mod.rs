//! Thematic plans (topics of lessons) of a subject: pages and API.

pub(crate) mod api;
pub(crate) mod pages;
