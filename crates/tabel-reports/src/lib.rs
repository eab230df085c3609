//! Documents out of view structs: PDF through the typst library with vendored Cyrillic fonts
//! ([`pdf::Renderer`], templates in `templates/`, data in [`docs`]), and XLSX; and the reader of
//! uploaded workbooks ([`workbook`]), which holds no more than a fixed budget whatever the file.
#![forbid(unsafe_code)]

pub mod docs;
pub mod pdf;
#[cfg(feature = "test-support")]
pub mod poppler;
pub mod sample;
pub mod workbook;
pub mod xlsx;

pub use pdf::{Renderer, ReportError};
