use std::fmt;

use super::text::{char_len, is_invisible};

/// Why a password was refused. Carries lengths only, never the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than 8 characters.
    #[error("password must be at least {min} characters", min = Password::MIN_CHARS)]
    TooShort,
    /// More than 128 characters.
    #[error("password must be at most {max} characters", max = Password::MAX_CHARS)]
    TooLong,
    /// Only white space, control or zero-width characters: nothing anyone could read back or
    /// type reliably on another keyboard.
    #[error("password must contain at least one visible character")]
    Invisible,
    /// Found in the list of commonly used passwords.
    #[error("password is too common")]
    TooCommon,
}

/// A plaintext password in transit: 8–128 characters, at least one of them visible, no other
/// composition rules (NIST SP 800-63B allows any printable character, which a string of only
/// spaces, control characters or zero-width characters is not).
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

    /// Checks the length of `raw` and that it holds a visible character
    /// ([`crate::values::is_invisible`]). White space is significant and kept.
    ///
    /// Only *new* passwords go through here (registration, a change, the operator's command
    /// line); a login compares what it is given, so an account made before this rule still
    /// logs in.
    ///
    /// # Errors
    /// [`PasswordError::TooShort`], [`PasswordError::TooLong`] or [`PasswordError::Invisible`].
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let len = char_len(raw);
        if len < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if len > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if raw.chars().all(is_invisible) {
            return Err(PasswordError::Invisible);
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
    fn a_password_of_only_invisible_characters_is_refused() {
        for raw in [
            " ".repeat(8),
            "\t\n\r \u{a0}\u{a0}\u{3000}\u{2003}".to_owned(),
            "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}\u{00ad}\u{180e}\u{2800}".to_owned(),
            "\u{1}\u{2}\u{7f}\u{85}\u{9f}\u{0}\u{1b}\u{1f}".to_owned(),
        ] {
            assert_eq!(Password::parse(&raw), Err(PasswordError::Invisible), "{raw:?}");
        }
        assert!(Password::parse("        x").is_ok());
        assert!(
            Password::parse("\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}\u{200b}.").is_ok()
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Password::parse("ééééééé").is_err());
        assert!(Password::parse("éééééééé").is_ok());
    }
}
