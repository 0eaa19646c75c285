//! What the authentication use cases fail with. The comments name the HTTP status the edge
//! maps each variant to (`docs/api.md`, "Errors"); the mapping itself lives in the HTTP adapter.

use std::time::Duration;

use crate::ports::{HashError, MintError, RepositoryError, TokenError};
use crate::values::PasswordError;

/// What an authentication use case can fail with.
///
/// The messages are safe to show: none holds a password, a token or a hash, and
/// [`AuthError::InvalidCredentials`] is the same whether the username exists or not.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Self-registration is switched off (403).
    #[error("registration is closed")]
    RegistrationClosed,
    /// The username is taken, ignoring case (409).
    #[error("username is already taken")]
    UsernameTaken,
    /// The new password breaks the policy: too short, too long or too common (422). The
    /// inner message names the rule.
    #[error(transparent)]
    InvalidPassword(#[from] PasswordError),
    /// Unknown username or wrong password: deliberately one error for both (401).
    #[error("invalid username or password")]
    InvalidCredentials,
    /// Too many failed attempts for this username or address (429 with `Retry-After`).
    #[error("too many failed login attempts; try again in {} s", retry_after_seconds(*.retry_after))]
    Throttled {
        /// How long until an attempt will be considered again.
        retry_after: Duration,
    },
    /// This address registered too often lately (429 with `Retry-After`).
    #[error("too many registrations from this address; try again in {} s", retry_after_seconds(*.retry_after))]
    RegistrationThrottled {
        /// How long until the address may register again.
        retry_after: Duration,
    },
    /// The refresh token is unknown, revoked, or its user no longer exists (401).
    #[error("refresh token is invalid")]
    InvalidRefreshToken,
    /// The refresh token is past its lifetime (401).
    #[error("refresh token has expired")]
    RefreshTokenExpired,
    /// The refresh token had already been exchanged: it was stolen or replayed, so its whole
    /// family was revoked (401).
    #[error("refresh token was already used; please log in again")]
    RefreshTokenReused,
    /// Changing the password: the current password given is wrong (403 — the caller is
    /// authenticated, so 401 would wrongly tell the client its access token failed).
    #[error("current password is wrong")]
    WrongCurrentPassword,
    /// The authenticated account no longer exists (401).
    #[error("account not found")]
    AccountNotFound,
    /// Hashing failed: [`HashError::Overloaded`] is 503, the rest 500.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// An access token could not be signed (500).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A refresh token could not be generated (500).
    #[error(transparent)]
    Mint(#[from] MintError),
    /// Storage failed (503 or 500).
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// Whole seconds, rounded up, as `Retry-After` wants them (never 0 for a real wait).
#[must_use]
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs();
    if wait.subsec_nanos() > 0 { whole.saturating_add(1) } else { whole }
}
