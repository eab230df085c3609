mod groups;
pub use groups::*;
