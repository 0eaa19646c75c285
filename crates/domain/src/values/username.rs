use std::fmt;
use std::str::FromStr;

/// Why a username was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Fewer than 3 or more than 32 characters.
    #[error("username must be 3 to 32 characters, got {actual}")]
    Length {
        /// The length that was given, in characters.
        actual: usize,
    },
    /// A character outside `a-z 0-9 _ . -` (letters in either case).
    #[error("username may only contain letters a-z, digits and _ . -")]
    InvalidCharacter,
}

/// A login name: 3–32 characters of `a-z 0-9 _ . -`.
///
/// Usernames are unique case-insensitively, so the parser folds ASCII capitals to lower case:
/// `Alice` and `alice` are the same user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

impl Username {
    /// The shortest username accepted.
    pub const MIN_CHARS: usize = 3;
    /// The longest username accepted.
    pub const MAX_CHARS: usize = 32;

    /// Checks `raw` and lower-cases it.
    ///
    /// # Errors
    /// [`UsernameError::Length`] or [`UsernameError::InvalidCharacter`].
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            return Err(UsernameError::InvalidCharacter);
        }
        // Only ASCII is left, so bytes are characters.
        let actual = raw.len();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&actual) {
            return Err(UsernameError::Length { actual });
        }
        Ok(Self(raw.to_ascii_lowercase()))
    }

    /// The username, lower case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Username {
    type Err = UsernameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Username {
    type Error = UsernameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
