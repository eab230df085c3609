mod proposal;
pub use proposal::*;
