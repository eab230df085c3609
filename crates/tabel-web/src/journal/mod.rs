//! The class journal: the grid, lessons, the cell editor and the JSON API.

pub(crate) mod api;
pub(crate) mod cell;
pub(crate) mod lesson;
pub(crate) mod pages;
mod recommend;
mod write_api;
