mod marks;
pub use marks::*;
