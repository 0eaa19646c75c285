use std::fmt;

/// Why a search string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchTextError {
    /// Fewer than 3 or more than 100 characters after trimming.
    #[error("search text must be 3 to 100 characters")]
    Length,
    /// A control character.
    #[error("search text must not contain control characters")]
    ControlCharacter,
}

/// A case-insensitive substring to look for in task titles: 3–100 characters after trimming.
///
/// Three characters is the shortest needle a trigram index can answer without reading every
/// row, so shorter searches are refused rather than made slow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchText(String);

impl SearchText {
    /// The shortest search accepted.
    pub const MIN_CHARS: usize = 3;
    /// The longest search accepted.
    pub const MAX_CHARS: usize = 100;

    /// Trims and checks `raw`.
    ///
    /// # Errors
    /// [`SearchTextError::Length`] or [`SearchTextError::ControlCharacter`].
    pub fn parse(raw: &str) -> Result<Self, SearchTextError> {
        let trimmed = raw.trim();
        if trimmed.chars().any(char::is_control) {
            return Err(SearchTextError::ControlCharacter);
        }
        let len = trimmed.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&len) {
            return Err(SearchTextError::Length);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The text as given (trimmed).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `title` contains this text, ignoring case.
    #[must_use]
    pub fn matches(&self, title: &str) -> bool {
        title.to_lowercase().contains(&self.0.to_lowercase())
    }
}

impl fmt::Display for SearchText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
