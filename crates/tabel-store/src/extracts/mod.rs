mod gather;
pub use gather::*;
