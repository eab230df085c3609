//! The school's set-up through the JSON API: import of its lists (preview or apply) and the
//! template workbook.

pub(crate) mod api;
pub(crate) mod pages;

pub use pages::Drafts;
