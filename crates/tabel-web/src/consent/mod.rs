//! The consent registry: parents' consent to or refusal of personal-data processing, pages and API.

pub(crate) mod api;
pub(crate) mod pages;
