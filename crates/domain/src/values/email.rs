use std::fmt;
use std::str::FromStr;

/// Why an e-mail address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Not of the shape `local@domain` with a dot in the domain, or with white space.
    #[error("email must look like name@example.org")]
    Malformed,
    /// Longer than 254 characters (RFC 5321's path limit).
    #[error("email must be at most 254 characters")]
    TooLong,
}

/// An e-mail address, checked for shape only: whether it receives mail is not knowable here.
///
/// The domain part is lower-cased (it is case-insensitive); the local part is kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The longest address accepted.
    pub const MAX_CHARS: usize = 254;

    /// Checks the shape of `raw`, trimmed.
    ///
    /// # Errors
    /// [`EmailError::Malformed`] or [`EmailError::TooLong`].
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let raw = raw.trim();
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = raw.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@')
            && !local.contains('@')
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(EmailError::Malformed);
        }
        // Lower-casing can lengthen some letters ('İ' → "i̇"); the stored form is what counts.
        let address = format!("{local}@{}", domain.to_lowercase());
        if address.chars().count() > Self::MAX_CHARS {
            return Err(EmailError::TooLong);
        }
        Ok(Self(address))
    }

    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for EmailAddress {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
