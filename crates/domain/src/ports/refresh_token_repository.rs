use std::fmt;

use async_trait::async_trait;

use super::RepositoryError;
use crate::id::{TokenFamilyId, UserId};
use crate::values::Timestamp;

/// The SHA-256 digest of a refresh token. Only digests are stored, so a leaked database does
/// not hand out working tokens.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenDigest(pub [u8; 32]);

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Enough to correlate log lines, not enough to matter.
        write!(
            f,
            "TokenDigest({:02x}{:02x}{:02x}{:02x}…)",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}

/// A stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    /// Digest of the token.
    pub digest: TokenDigest,
    /// Whose token it is.
    pub user_id: UserId,
    /// The login this token descends from; reuse of any rotated member revokes them all.
    pub family: TokenFamilyId,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was exchanged for its successor, if it was.
    pub used_at: Option<Timestamp>,
    /// When it was revoked (logout, reuse, password change), if it was.
    pub revoked_at: Option<Timestamp>,
}

impl RefreshTokenRecord {
    /// True when it may still be exchanged at `now`: not used, not revoked, not expired.
    #[must_use]
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.used_at.is_none() && self.revoked_at.is_none() && now < self.expires_at
    }
}

/// Persistence of refresh tokens (by digest).
///
/// Every method is atomic: a call that fails has changed nothing.
#[async_trait]
pub trait RefreshTokenRepository: Send + Sync + std::fmt::Debug {
    /// Stores a newly issued token.
    ///
    /// # Errors
    /// - [`RepositoryError::Duplicate`] when the digest is already stored.
    /// - [`RepositoryError::MissingReference`] when the user does not exist.
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), RepositoryError>;

    /// The token with this digest, or `None`.
    ///
    /// # Errors
    /// Only storage failures.
    async fn find(
        &self,
        digest: &TokenDigest,
    ) -> Result<Option<RefreshTokenRecord>, RepositoryError>;

    /// Rotation as one compare-and-set: marks `old` used at `successor.issued_at` and stores
    /// `successor`, only if `old` is neither used nor revoked.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when `old` is not stored.
    /// - [`RepositoryError::TokenSpent`] when `old` was already used or revoked (a replay:
    ///   the caller then revokes the family).
    /// - [`RepositoryError::Duplicate`] when the successor's digest is already stored.
    async fn rotate(
        &self,
        old: &TokenDigest,
        successor: &RefreshTokenRecord,
    ) -> Result<(), RepositoryError>;

    /// Revokes every not yet revoked token of `family` at `at`; returns how many.
    ///
    /// # Errors
    /// Only storage failures.
    async fn revoke_family(
        &self,
        family: TokenFamilyId,
        at: Timestamp,
    ) -> Result<u64, RepositoryError>;

    /// Revokes every not yet revoked token of `user` at `at`; returns how many.
    ///
    /// # Errors
    /// Only storage failures.
    async fn revoke_all_for_user(
        &self,
        user: UserId,
        at: Timestamp,
    ) -> Result<u64, RepositoryError>;

    /// Deletes tokens whose `expires_at` is strictly before `before`; returns how many.
    ///
    /// # Errors
    /// Only storage failures.
    async fn delete_expired(&self, before: Timestamp) -> Result<u64, RepositoryError>;
}
