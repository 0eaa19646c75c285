use std::fmt;
use std::str::FromStr;

use super::text::char_len;

/// Why a project or category name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing left after trimming white space.
    #[error("name must not be empty")]
    Empty,
    /// Longer than allowed after trimming.
    #[error("name must be at most {max} characters, got {actual}")]
    TooLong {
        /// The limit, in characters.
        max: usize,
        /// The length that was given, in characters.
        actual: usize,
    },
    /// A control character (names are one line of plain text).
    #[error("name must not contain control characters")]
    ControlCharacter,
}

fn check(raw: &str, max: usize) -> Result<&str, NameError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(NameError::ControlCharacter);
    }
    let actual = char_len(trimmed);
    if actual > max {
        return Err(NameError::TooLong { max, actual });
    }
    Ok(trimmed)
}

macro_rules! define_name {
    ($(#[$meta:meta])* $name:ident, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The longest name accepted, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trims `raw` and checks it.
            ///
            /// # Errors
            /// [`NameError::Empty`], [`NameError::TooLong`] or [`NameError::ControlCharacter`].
            pub fn parse(raw: &str) -> Result<Self, NameError> {
                check(raw, Self::MAX_CHARS).map(|s| Self(s.to_owned()))
            }

            /// The name as written.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The key under which names are unique: the name lowercased.
            #[must_use]
            pub fn unique_key(&self) -> String {
                self.0.to_lowercase()
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

        impl FromStr for $name {
            type Err = NameError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = NameError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
    };
}

define_name!(
    /// A project's name: 1–100 characters after trimming, one line.
    ProjectName,
    100
);
define_name!(
    /// A category's name: 1–50 characters after trimming, one line, unique case-insensitively
    /// (see [`CategoryName::unique_key`]).
    CategoryName,
    50
);
