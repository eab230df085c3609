//! The electronic diary of a pupil for parents and students: pages, API and the views both share.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod sections;
pub(crate) mod views;
