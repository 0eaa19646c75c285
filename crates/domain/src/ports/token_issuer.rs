use std::fmt;

use crate::id::UserId;
use crate::values::Role;
use crate::values::Timestamp;

/// What an access token asserts. Issuer, audience and key id are the adapter's configuration;
/// the domain deals in who, what role, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The user (`sub`).
    pub subject: UserId,
    /// Their role when the token was issued (`role`); requests still check the current role.
    pub role: Role,
    /// When it was issued (`iat`, and `nbf`).
    pub issued_at: Timestamp,
    /// When it stops being accepted (`exp`).
    pub expires_at: Timestamp,
    /// A unique id for this token (`jti`), for audit and revocation lists.
    pub token_id: uuid::Uuid,
}

/// A signed access token, as sent in `Authorization: Bearer …`. `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token string produced by a [`TokenIssuer`].
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

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Why a token was refused (or could not be issued). Each case is distinct so tests and logs
/// can tell them apart; a driving adapter should answer all of them alike, so a caller learns nothing from which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    #[error("token is malformed")]
    Malformed,
    /// The header's `alg` is not the one accepted algorithm (`none` included).
    #[error("token algorithm is not accepted")]
    UnsupportedAlgorithm,
    /// The `kid` names no known key.
    #[error("token key id is unknown")]
    UnknownKey,
    /// The signature does not match.
    #[error("token signature is invalid")]
    BadSignature,
    /// Past `exp`.
    #[error("token has expired")]
    Expired,
    /// Before `nbf`.
    #[error("token is not yet valid")]
    NotYetValid,
    /// `iss` is not this service.
    #[error("token issuer is wrong")]
    WrongIssuer,
    /// `aud` is not this service.
    #[error("token audience is wrong")]
    WrongAudience,
    /// A claim is missing or of the wrong type.
    #[error("token claims are invalid")]
    InvalidClaims,
    /// Signing failed (issuing side).
    #[error("token could not be signed")]
    Signing,
}

/// Issues and verifies access tokens. Synchronous: an HMAC is microseconds of work.
pub trait TokenIssuer: Send + Sync + fmt::Debug {
    /// Signs `claims` into a token.
    ///
    /// # Errors
    /// [`TokenError::Signing`].
    fn issue(&self, claims: &Claims) -> Result<AccessToken, TokenError>;

    /// Checks `token` completely (algorithm, key, signature, time window, issuer, audience)
    /// and returns its claims.
    ///
    /// # Errors
    /// The [`TokenError`] naming the first check that failed.
    fn verify(&self, token: &str) -> Result<Claims, TokenError>;
}
