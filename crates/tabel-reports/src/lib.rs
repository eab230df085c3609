//! Documents out of view structs: PDF through the typst library with vendored Cyrillic fonts
//! ([`pdf::Renderer`], templates in `templates/`, data in [`docs`]), and XLSX.
#![forbid(unsafe_code)]

pub mod docs;
pub mod pdf;
#[cfg(feature = "test-support")]
pub mod poppler;
pub mod sample;
pub mod xlsx;

pub use pdf::{Renderer, ReportError};
