use async_trait::async_trait;
use taskforge_domain::ports::{
    Entity, RefreshTokenRecord, RefreshTokenRepository, RepositoryError, TokenDigest,
};
use taskforge_domain::values::Timestamp;
use taskforge_domain::{TokenFamilyId, UserId};

use crate::MemoryDatabase;

/// [`RefreshTokenRepository`] over a [`MemoryDatabase`].
#[derive(Debug, Clone)]
pub struct MemoryRefreshTokenRepository {
    db: MemoryDatabase,
}

impl MemoryRefreshTokenRepository {
    /// A repository over `db`.
    #[must_use]
    pub fn new(db: MemoryDatabase) -> Self {
        Self { db }
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[async_trait]
impl RefreshTokenRepository for MemoryRefreshTokenRepository {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        if state.refresh_tokens.contains_key(&record.digest) {
            return Err(RepositoryError::Duplicate(Entity::RefreshToken));
        }
        if !state.users.contains_key(&record.user_id) {
            return Err(RepositoryError::MissingReference(Entity::User));
        }
        state.refresh_tokens.insert(record.digest, record.clone());
        Ok(())
    }

    async fn find(
        &self,
        digest: &TokenDigest,
    ) -> Result<Option<RefreshTokenRecord>, RepositoryError> {
        Ok(self.db.lock().refresh_tokens.get(digest).cloned())
    }

    async fn rotate(
        &self,
        old: &TokenDigest,
        successor: &RefreshTokenRecord,
    ) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        let current =
            state.refresh_tokens.get(old).ok_or(RepositoryError::NotFound(Entity::RefreshToken))?;
        if current.used_at.is_some() || current.revoked_at.is_some() {
            return Err(RepositoryError::TokenSpent);
        }
        if state.refresh_tokens.contains_key(&successor.digest) {
            return Err(RepositoryError::Duplicate(Entity::RefreshToken));
        }
        if !state.users.contains_key(&successor.user_id) {
            return Err(RepositoryError::MissingReference(Entity::User));
        }
        if let Some(current) = state.refresh_tokens.get_mut(old) {
            current.used_at = Some(successor.issued_at);
        }
        state.refresh_tokens.insert(successor.digest, successor.clone());
        Ok(())
    }

    async fn revoke_family(
        &self,
        family: TokenFamilyId,
        at: Timestamp,
    ) -> Result<u64, RepositoryError> {
        let mut state = self.db.lock();
        let mut revoked = 0;
        for token in state.refresh_tokens.values_mut() {
            if token.family == family && token.revoked_at.is_none() {
                token.revoked_at = Some(at);
                revoked += 1;
            }
        }
        Ok(count(revoked))
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        at: Timestamp,
    ) -> Result<u64, RepositoryError> {
        let mut state = self.db.lock();
        let mut revoked = 0;
        for token in state.refresh_tokens.values_mut() {
            if token.user_id == user && token.revoked_at.is_none() {
                token.revoked_at = Some(at);
                revoked += 1;
            }
        }
        Ok(count(revoked))
    }

    async fn delete_expired(&self, before: Timestamp) -> Result<u64, RepositoryError> {
        let mut state = self.db.lock();
        let before_len = state.refresh_tokens.len();
        state.refresh_tokens.retain(|_, token| token.expires_at >= before);
        Ok(count(before_len - state.refresh_tokens.len()))
    }
}
