//! Documents out of view structs: XLSX now; PDF (typst) comes with the paper extracts.
#![forbid(unsafe_code)]

pub mod xlsx;
