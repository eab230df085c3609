mod values;
pub use values::*;
