//! The class journal's values and arithmetic: mark scales and marks (parse, don't validate),
//! attendance codes, the school's grading policy, and the one weighted-average function every
//! page, report and forecast calls.
//!
//! Averages are exact: a sum of `points × weight` over a sum of weights, both integers, so that
//! comparing with a rounding threshold ("4.50 gives a 5") never suffers from binary fractions.
//!
//! A file per topic; everything public is re-exported here, so `tabel_domain::journal::X` names
//! it wherever it lives.

mod attendance;
mod average;
mod homework;
mod marks;
mod policy;
mod read_models;

pub use attendance::*;
pub use average::*;
pub use homework::*;
pub use marks::*;
pub use policy::*;
pub use read_models::*;
