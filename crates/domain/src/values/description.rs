use std::fmt;

use super::text::{char_len, is_forbidden_in_text};

/// Why a description was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    /// Longer than allowed.
    #[error("description must be at most {max} characters, got {actual}")]
    TooLong {
        /// The limit, in characters.
        max: usize,
        /// The length that was given, in characters.
        actual: usize,
    },
    /// A control character other than tab, line feed or carriage return.
    #[error("description must not contain control characters other than tab and line breaks")]
    ControlCharacter,
}

fn check(raw: &str, max: usize) -> Result<(), DescriptionError> {
    if raw.chars().any(is_forbidden_in_text) {
        return Err(DescriptionError::ControlCharacter);
    }
    let actual = char_len(raw);
    if actual > max {
        return Err(DescriptionError::TooLong { max, actual });
    }
    Ok(())
}

macro_rules! define_description {
    ($(#[$meta:meta])* $name:ident, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
        pub struct $name(String);

        impl $name {
            /// The longest text accepted, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Checks `raw`; white space is kept as written (descriptions are multi-line text).
            ///
            /// # Errors
            /// [`DescriptionError::TooLong`] or [`DescriptionError::ControlCharacter`].
            pub fn parse(raw: &str) -> Result<Self, DescriptionError> {
                check(raw, Self::MAX_CHARS)?;
                Ok(Self(raw.to_owned()))
            }

            /// The empty description.
            #[must_use]
            pub const fn empty() -> Self {
                Self(String::new())
            }

            /// True when there is no text.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            /// The text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DescriptionError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                check(&s, Self::MAX_CHARS)?;
                Ok(Self(s))
            }
        }
    };
}

define_description!(
    /// A task's description: up to 10,000 characters, possibly empty, multi-line.
    Description,
    10_000
);
define_description!(
    /// A project's description: up to 2,000 characters, possibly empty, multi-line.
    ProjectDescription,
    2_000
);
