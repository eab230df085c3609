mod policy;
pub use policy::*;
