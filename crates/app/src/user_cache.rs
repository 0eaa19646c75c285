//! A caching Decorator over the user repository, so that the per-request "current role"
//! check (a demoted or deleted user loses their rights at once, not when their access token
//! expires) does not cost a database read on every request.
//!
//! Writes made through the decorator, and the `RoleChanged` / `UserDeleted` / `PasswordChanged`
//! events, void the entry at once (O(1), `cache_stamps.rs`, ADR 0014); a short time-to-live
//! bounds staleness for changes made by another process (e.g. `taskforge user set-role` while
//! the server runs). Beyond its capacity the cache evicts the least useful entries one by one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use taskforge_domain::events::{DomainEvent, EventKind};
use taskforge_domain::ports::EventSubscriber;
use taskforge_domain::ports::{RepositoryError, UserRepository};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{Role, Username};
use taskforge_domain::{User, UserId};

use crate::cache_stamps::{Forgotten, Stamp, Stamps};

/// [`UserRepository`] that remembers `get` answers (including "no such user") for a while.
#[derive(Debug)]
pub struct CachedUsers {
    inner: Arc<dyn UserRepository>,
    stamps: Stamps,
    /// id → when the answer was read, and the answer (shared, so a hit copies a pointer).
    entries: quick_cache::sync::Cache<UserId, (Stamp, Option<Arc<User>>)>,
    forgotten: Forgotten<UserId>,
}

impl CachedUsers {
    /// Caches `inner`'s answers for `ttl`, holding at most `capacity` users.
    #[must_use]
    pub fn new(inner: Arc<dyn UserRepository>, ttl: Duration, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            inner,
            stamps: Stamps::new(ttl),
            entries: quick_cache::sync::Cache::new(capacity),
            forgotten: Forgotten::new(capacity),
        }
    }

    /// How many users are cached now (at most about the capacity).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no user is cached.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets `id`: an answer read before now is never served again.
    pub fn invalidate(&self, id: UserId) {
        self.forgotten.forget(id, self.stamps.now());
        self.entries.remove(&id);
    }

    /// Forgets everyone (changes may have been missed, e.g. while another instance's
    /// announcements could not reach this one); a read in flight now is not served either.
    pub fn clear(&self) {
        self.forgotten.forget_everything(self.stamps.now());
        self.entries.clear();
    }
}

#[async_trait]
impl UserRepository for CachedUsers {
    async fn insert(&self, user: &User) -> Result<(), RepositoryError> {
        self.invalidate(user.id);
        self.inner.insert(user).await
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        if let Some((read_at, user)) = self.entries.get(&id)
            && self.stamps.fresh(read_at)
            && !self.forgotten.since(&id, read_at)
        {
            return Ok(user.as_deref().cloned());
        }
        // Stamped before the read: a change committed meanwhile voids this answer.
        let read_at = self.stamps.now();
        let user = self.inner.get(id).await?;
        self.entries.insert(id, (read_at, user.clone().map(Arc::new)));
        Ok(user)
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, RepositoryError> {
        self.inner.find_by_username(username).await
    }

    async fn usernames(
        &self,
        ids: &[UserId],
    ) -> Result<HashMap<UserId, Username>, RepositoryError> {
        // Bulk lookups (exports) go to the store: one query, and no churn of the role cache.
        self.inner.usernames(ids).await
    }

    async fn list(
        &self,
        after: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<User>, RepositoryError> {
        self.inner.list(after, limit).await
    }

    async fn count_with_role(&self, role: Role) -> Result<u64, RepositoryError> {
        self.inner.count_with_role(role).await
    }

    async fn update(&self, user: &User) -> Result<(), RepositoryError> {
        let result = self.inner.update(user).await;
        self.invalidate(user.id);
        result
    }

    async fn delete(&self, id: UserId, at: Timestamp) -> Result<(), RepositoryError> {
        let result = self.inner.delete(id, at).await;
        self.invalidate(id);
        result
    }

    async fn update_keeping_another_admin(&self, user: &User) -> Result<(), RepositoryError> {
        let result = self.inner.update_keeping_another_admin(user).await;
        self.invalidate(user.id);
        result
    }

    async fn delete_keeping_another_admin(
        &self,
        id: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError> {
        let result = self.inner.delete_keeping_another_admin(id, at).await;
        self.invalidate(id);
        result
    }
}

/// Drops cached users when events say they changed (writes from other services' paths).
impl EventSubscriber for CachedUsers {
    fn on_event(&self, event: &DomainEvent) {
        match &event.kind {
            EventKind::RoleChanged { user_id, .. } => self.invalidate(*user_id),
            EventKind::UserDeleted(user_id) | EventKind::PasswordChanged(user_id) => {
                self.invalidate(*user_id);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use taskforge_domain::values::PasswordHash;
    use taskforge_memory::MemoryDatabase;

    fn user(name: &str, role: Role) -> User {
        User {
            id: UserId::new(),
            username: Username::parse(name).unwrap(),
            email: None,
            password_hash: PasswordHash::parse("$pbkdf2-sha256$i=1,l=32$c2FsdA$aGFzaA").unwrap(),
            role,
            created_at: Timestamp::from_unix_micros(0).unwrap(),
        }
    }

    #[tokio::test]
    async fn a_role_change_through_the_cache_is_seen_at_once() {
        let inner = MemoryDatabase::new().repositories().users;
        let cache = CachedUsers::new(Arc::clone(&inner), Duration::from_secs(3600), 100);
        let mut alice = user("alice", Role::Editor);
        cache.insert(&alice).await.unwrap();
        assert_eq!(cache.get(alice.id).await.unwrap().unwrap().role, Role::Editor);
        alice.role = Role::Viewer;
        cache.update(&alice).await.unwrap();
        assert_eq!(cache.get(alice.id).await.unwrap().unwrap().role, Role::Viewer);
    }

    #[tokio::test]
    async fn a_change_behind_its_back_is_seen_after_an_event_or_the_ttl() {
        let inner = MemoryDatabase::new().repositories().users;
        let cache = CachedUsers::new(Arc::clone(&inner), Duration::from_secs(3600), 100);
        let mut bob = user("bob", Role::Admin);
        inner.insert(&bob).await.unwrap();
        assert_eq!(cache.get(bob.id).await.unwrap().unwrap().role, Role::Admin);
        bob.role = Role::Viewer;
        inner.update(&bob).await.unwrap();
        assert_eq!(cache.get(bob.id).await.unwrap().unwrap().role, Role::Admin, "cached");
        cache.on_event(&DomainEvent {
            actor: None,
            at: Timestamp::from_unix_micros(0).unwrap(),
            entry: None,
            kind: EventKind::RoleChanged { user_id: bob.id, from: Role::Admin, to: Role::Viewer },
        });
        assert_eq!(cache.get(bob.id).await.unwrap().unwrap().role, Role::Viewer);

        let no_ttl = CachedUsers::new(Arc::clone(&inner), Duration::ZERO, 100);
        assert_eq!(no_ttl.get(bob.id).await.unwrap().unwrap().role, Role::Viewer);
        bob.role = Role::Editor;
        inner.update(&bob).await.unwrap();
        assert_eq!(no_ttl.get(bob.id).await.unwrap().unwrap().role, Role::Editor);
    }

    #[tokio::test]
    async fn a_deleted_user_is_gone_at_once_and_the_cache_stays_bounded() {
        let inner = MemoryDatabase::new().repositories().users;
        let cache = CachedUsers::new(Arc::clone(&inner), Duration::from_secs(3600), 2);
        let carol = user("carol", Role::Editor);
        cache.insert(&carol).await.unwrap();
        assert!(cache.get(carol.id).await.unwrap().is_some());
        cache.delete(carol.id, Timestamp::from_unix_micros(1).unwrap()).await.unwrap();
        assert!(cache.get(carol.id).await.unwrap().is_none());
        for name in ["dan", "eve", "fay", "gus"] {
            let u = user(name, Role::Viewer);
            cache.insert(&u).await.unwrap();
            cache.get(u.id).await.unwrap();
        }
        assert!(cache.len() <= 2, "{} cached", cache.len());
    }
}
