//! What the authentication use cases fail with, in the domain's terms; what each variant
//! means on a wire is the driving adapter's decision (for HTTP see `docs/api.md`, "Errors").

use std::time::Duration;

use crate::services::whole_seconds;

use crate::ports::{HashError, MintError, RepositoryError, TokenError};
use crate::values::PasswordError;

/// What an authentication use case can fail with.
///
/// The messages are safe to show: none holds a password, a token or a hash, and
/// [`AuthError::InvalidCredentials`] is the same whether the username exists or not.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Self-registration is switched off.
    #[error("registration is closed")]
    RegistrationClosed,
    /// The username is taken, ignoring case.
    #[error("username is already taken")]
    UsernameTaken,
    /// The new password breaks the policy: too short, too long or too common. The
    /// inner message names the rule.
    #[error(transparent)]
    InvalidPassword(#[from] PasswordError),
    /// Unknown username or wrong password: deliberately one error for both.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// Too many failed attempts for this username or address.
    #[error("too many failed login attempts; try again in {} s", whole_seconds(*.retry_after))]
    Throttled {
        /// How long until an attempt will be considered again.
        retry_after: Duration,
    },
    /// This address registered too often lately.
    #[error("too many registrations from this address; try again in {} s", whole_seconds(*.retry_after))]
    RegistrationThrottled {
        /// How long until the address may register again.
        retry_after: Duration,
    },
    /// The refresh token is unknown, revoked, or its user no longer exists.
    #[error("refresh token is invalid")]
    InvalidRefreshToken,
    /// The refresh token is past its lifetime.
    #[error("refresh token has expired")]
    RefreshTokenExpired,
    /// The refresh token had already been exchanged: it was stolen or replayed, so its whole
    /// family was revoked.
    #[error("refresh token was already used; please log in again")]
    RefreshTokenReused,
    /// Changing the password: the current password given is wrong. Distinct from
    /// [`AuthError::InvalidCredentials`]: the caller is authenticated, and a client must not
    /// mistake this for its own credentials having failed.
    #[error("current password is wrong")]
    WrongCurrentPassword,
    /// The authenticated account no longer exists.
    #[error("account not found")]
    AccountNotFound,
    /// Hashing failed: [`HashError::Overloaded`] passes soon, the rest is a fault.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// An access token could not be signed.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A refresh token could not be generated.
    #[error(transparent)]
    Mint(#[from] MintError),
    /// Storage failed; [`RepositoryError`] says whether retrying may help.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}
