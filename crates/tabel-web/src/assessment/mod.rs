//! Assessment procedures (control works) of a period: the planning pages and the JSON API.

pub(crate) mod api;
pub(crate) mod pages;
