//! Paper extracts for families without electronic delivery: pages and API.

pub(crate) mod api;
pub(crate) mod pages;
