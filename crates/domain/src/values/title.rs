use std::fmt;
use std::str::FromStr;

use super::text::char_len;

/// Why a task title was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    /// Nothing left after trimming white space.
    #[error("title must not be empty")]
    Empty,
    /// More than [`TaskTitle::MAX_CHARS`] characters after trimming.
    #[error("title must be at most {max} characters, got {actual}", max = TaskTitle::MAX_CHARS)]
    TooLong {
        /// The length that was given, in characters.
        actual: usize,
    },
    /// A control character (titles are one line of plain text).
    #[error("title must not contain control characters")]
    ControlCharacter,
}

/// A task's title: 1–200 characters after trimming, one line, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskTitle(String);

impl TaskTitle {
    /// The longest title accepted, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Trims `raw` and checks it.
    ///
    /// # Errors
    /// [`TitleError::Empty`], [`TitleError::TooLong`] or [`TitleError::ControlCharacter`].
    pub fn parse(raw: &str) -> Result<Self, TitleError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(TitleError::Empty);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(TitleError::ControlCharacter);
        }
        let actual = char_len(trimmed);
        if actual > Self::MAX_CHARS {
            return Err(TitleError::TooLong { actual });
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The title as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The title as an owned `String`.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for TaskTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TaskTitle {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for TaskTitle {
    type Err = TitleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for TaskTitle {
    type Error = TitleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
