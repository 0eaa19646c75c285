use std::collections::HashMap;

use async_trait::async_trait;
use taskforge_domain::ports::{Entity, RepositoryError, UserRepository};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{Role, Username};
use taskforge_domain::{User, UserId};

use crate::MemoryDatabase;
use crate::state::State;

/// [`UserRepository`] over a [`MemoryDatabase`].
#[derive(Debug, Clone)]
pub struct MemoryUserRepository {
    db: MemoryDatabase,
}

impl MemoryUserRepository {
    /// A repository over `db`.
    #[must_use]
    pub fn new(db: MemoryDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl UserRepository for MemoryUserRepository {
    async fn insert(&self, user: &User) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        let taken = state.users.contains_key(&user.id)
            || state.users.values().any(|u| u.username == user.username);
        if taken {
            return Err(RepositoryError::Duplicate(Entity::User));
        }
        state.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        Ok(self.db.lock().users.get(&id).cloned())
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, RepositoryError> {
        Ok(self.db.lock().users.values().find(|u| &u.username == username).cloned())
    }

    async fn usernames(
        &self,
        ids: &[UserId],
    ) -> Result<HashMap<UserId, Username>, RepositoryError> {
        let state = self.db.lock();
        Ok(ids
            .iter()
            .filter_map(|id| state.users.get(id).map(|u| (*id, u.username.clone())))
            .collect())
    }

    async fn list(
        &self,
        after: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<User>, RepositoryError> {
        let state = self.db.lock();
        let mut users: Vec<User> = state
            .users
            .values()
            .filter(|u| after.is_none_or(|a| &u.username > a))
            .cloned()
            .collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        users.truncate(limit);
        Ok(users)
    }

    async fn count_with_role(&self, role: Role) -> Result<u64, RepositoryError> {
        let count = self.db.lock().users.values().filter(|u| u.role == role).count();
        Ok(u64::try_from(count).unwrap_or(u64::MAX))
    }

    async fn update(&self, user: &User) -> Result<(), RepositoryError> {
        update(&mut self.db.lock(), user)
    }

    async fn delete(&self, id: UserId, at: Timestamp) -> Result<(), RepositoryError> {
        delete(&mut self.db.lock(), id, at)
    }

    async fn update_keeping_another_admin(&self, user: &User) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        ensure_another_admin(&state, user.id)?;
        update(&mut state, user)
    }

    async fn delete_keeping_another_admin(
        &self,
        id: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        ensure_another_admin(&state, id)?;
        delete(&mut state, id, at)
    }
}

/// The check of the `…_keeping_another_admin` writes, made under the same lock as the write.
fn ensure_another_admin(state: &State, id: UserId) -> Result<(), RepositoryError> {
    if state.users.values().any(|u| u.id != id && u.role == Role::Admin) {
        Ok(())
    } else {
        Err(RepositoryError::LastAdmin)
    }
}

fn update(state: &mut State, user: &User) -> Result<(), RepositoryError> {
    if !state.users.contains_key(&user.id) {
        return Err(RepositoryError::NotFound(Entity::User));
    }
    if state.users.values().any(|u| u.id != user.id && u.username == user.username) {
        return Err(RepositoryError::Duplicate(Entity::User));
    }
    // `created_at` is not one of the replaced fields: it stays as stored.
    if let Some(stored) = state.users.get_mut(&user.id) {
        *stored = User { created_at: stored.created_at, ..user.clone() };
    }
    Ok(())
}

fn delete(state: &mut State, id: UserId, at: Timestamp) -> Result<(), RepositoryError> {
    if !state.users.contains_key(&id) {
        return Err(RepositoryError::NotFound(Entity::User));
    }
    if state.projects.values().any(|p| p.owner_id == id) {
        return Err(RepositoryError::InUse(Entity::User));
    }
    state.users.remove(&id);
    state.members.retain(|(_, user), _| *user != id);
    state.refresh_tokens.retain(|_, token| token.user_id != id);
    state.unassign(id, at, |_| true);
    Ok(())
}
