//! Files attached to homework: upload, download and the API.

pub(crate) mod api;
pub(crate) mod pages;
