mod deliveries;
pub use deliveries::*;
