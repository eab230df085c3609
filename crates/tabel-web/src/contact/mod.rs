//! Contacts of families with their provenance, and their confirmation: pages and API.

pub(crate) mod api;
pub(crate) mod pages;
