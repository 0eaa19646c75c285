use std::fmt;

use super::text::char_len;

/// Why a password was refused. Carries lengths only, never the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than 8 characters.
    #[error("password must be at least {min} characters", min = Password::MIN_CHARS)]
    TooShort,
    /// More than 128 characters.
    #[error("password must be at most {max} characters", max = Password::MAX_CHARS)]
    TooLong,
    /// Found in the list of commonly used passwords.
    #[error("password is too common")]
    TooCommon,
}

/// A plaintext password in transit: 8–128 characters, no composition rules (NIST SP 800-63B).
///
/// It never leaves the process: no `Display`, no serialisation, and `Debug` prints
/// `Password(<redacted>)`. The common-password check belongs to registration, which holds the
/// list; see [`PasswordError::TooCommon`].
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The shortest password accepted.
    pub const MIN_CHARS: usize = 8;
    /// The longest password accepted; a bound keeps hashing cost predictable.
    pub const MAX_CHARS: usize = 128;

    /// Checks the length of `raw`. White space is significant and kept.
    ///
    /// # Errors
    /// [`PasswordError::TooShort`] or [`PasswordError::TooLong`].
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let len = char_len(raw);
        if len < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if len > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret itself, for a [`crate::ports::PasswordHasher`] to hash. Do not log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The stored text for a given [`PasswordHash`] was not a PHC string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("password hash must be a PHC string starting with '$'")]
pub struct PasswordHashError;

/// A password hash in PHC string format, e.g. `$pbkdf2-sha256$i=600000,l=32$<salt>$<hash>`.
///
/// Its parameters travel with it, so a hasher can tell when a stored hash is weaker than
/// today's settings and login can upgrade it. `Debug` does not print it: a hash is
/// offline-attackable material.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string produced by a hasher or read from storage.
    ///
    /// # Errors
    /// [`PasswordHashError`] when `phc` does not start with `$` or holds white space.
    pub fn parse(phc: &str) -> Result<Self, PasswordHashError> {
        if !phc.starts_with('$') || phc.len() < 2 || phc.chars().any(char::is_whitespace) {
            return Err(PasswordHashError);
        }
        Ok(Self(phc.to_owned()))
    }

    /// The PHC string, for storage.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
        let h = PasswordHash::parse("$pbkdf2-sha256$i=1,l=32$c2FsdA$aGFzaA").unwrap();
        assert!(!format!("{h:?}").contains("pbkdf2"));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Password::parse("ééééééé").is_err());
        assert!(Password::parse("éééééééé").is_ok());
    }
}
