use std::fmt;

use super::TokenDigest;

/// A refresh token as handed to the client: opaque, high-entropy text. `Debug` redacts it.
///
/// Only its [`TokenDigest`] is ever stored; the token itself exists in the response body and
/// in the client, nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl RefreshToken {
    /// Wraps a token produced by a [`RefreshTokenMinter`] (or received from a client).
    #[must_use]
    pub const fn new(token: String) -> Self {
        Self(token)
    }

    /// The token, for the response body. Do not log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

/// The random number generator failed, so no token could be made.
#[derive(Debug, thiserror::Error)]
#[error("refresh token could not be generated")]
pub struct MintError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// Makes refresh tokens and the digests they are stored under.
///
/// Synchronous: drawing 32 random bytes and one SHA-256 are microseconds of work.
pub trait RefreshTokenMinter: Send + Sync + fmt::Debug {
    /// A fresh, unguessable token (at least 256 bits from a cryptographic generator) and its
    /// digest, which is what [`super::RefreshTokenRepository`] stores.
    ///
    /// # Errors
    /// [`MintError`] when the random number generator fails.
    fn mint(&self) -> Result<(RefreshToken, TokenDigest), MintError>;

    /// The digest of a token presented by a client. Deterministic: the same text always gives
    /// the same digest, so a presented token can be looked up. Any text is accepted; text that
    /// was never minted simply finds nothing.
    fn digest(&self, token: &str) -> TokenDigest;
}
