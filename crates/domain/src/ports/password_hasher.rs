use async_trait::async_trait;

use crate::values::{Password, PasswordHash};

/// Hashing failed for a reason other than a wrong password.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The stored hash is not in a format this hasher understands.
    #[error("stored password hash is not in a supported format")]
    UnsupportedFormat,
    /// Every hashing worker is busy; try again shortly.
    #[error("password hashing is overloaded")]
    Overloaded,
    /// Any other failure (e.g. the random number generator).
    #[error("password hashing failed")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Turns passwords into slow, salted hashes and checks them.
///
/// Async because hashing is deliberately expensive: implementations run it off the async
/// reactor, on a bounded pool, so a burst of logins cannot starve other requests.
#[async_trait]
pub trait PasswordHasher: Send + Sync + std::fmt::Debug {
    /// A new salted hash of `password` with the current parameters, as a PHC string.
    ///
    /// # Errors
    /// [`HashError::Overloaded`] or [`HashError::Other`].
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;

    /// True when `password` matches `hash`; the comparison is constant-time.
    ///
    /// # Errors
    /// [`HashError::UnsupportedFormat`] for a hash of an unknown scheme, or the errors of
    /// [`PasswordHasher::hash`]. A wrong password is `Ok(false)`, never an error.
    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, HashError>;

    /// True when `hash` was made with weaker parameters than the current ones, so a successful
    /// login should store a fresh hash.
    fn needs_rehash(&self, hash: &PasswordHash) -> bool;
}
