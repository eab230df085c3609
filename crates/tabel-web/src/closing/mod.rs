//! Closing reporting periods for a class, a parallel or the school, closing the school year and
//! its archive: the pages and the API.

pub(crate) mod api;
pub(crate) mod pages;
