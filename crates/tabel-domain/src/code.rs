//! Stored codes: the one macro that makes an enumeration whose variants are kept as short text
//! codes, and the error for a code this build does not know.

/// A stored code that does not name a known variant: the database holds something this build
/// does not understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} code {code:?}")]
pub struct UnknownCode {
    /// Which enumeration.
    pub kind: &'static str,
    /// The code found.
    pub code: String,
}

macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal $(| $alias:literal)*),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stored code.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// Parses a stored code.
            pub fn from_code(code: &str) -> Result<Self, $crate::code::UnknownCode> {
                match code {
                    $($code $(| $alias)* => Ok($name::$variant),)*
                    other => Err($crate::code::UnknownCode { kind: stringify!($name), code: other.to_owned() }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use coded_enum;
