use std::collections::HashMap;

use async_trait::async_trait;

use super::RepositoryError;
use crate::id::UserId;
use crate::model::User;
use crate::values::Timestamp;
use crate::values::{Role, Username};

/// Persistence of user accounts.
///
/// Every method is atomic: a call that fails has changed nothing.
#[async_trait]
pub trait UserRepository: Send + Sync + std::fmt::Debug {
    /// Stores a new user.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the id or the username is taken (usernames are
    /// compared after their case folding, which [`Username`] already applied).
    async fn insert(&self, user: &User) -> Result<(), RepositoryError>;

    /// The user with `id`, or `None`.
    ///
    /// # Errors
    /// Only storage failures.
    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError>;

    /// The user called `username`, or `None`.
    ///
    /// # Errors
    /// Only storage failures.
    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, RepositoryError>;

    /// The usernames of the users among `ids` that exist, keyed by id (unknown ids are simply
    /// absent; duplicates are fine). One round trip for any number of ids — it is how an
    /// export names the assignees of a page of tasks without one query per task (no N+1).
    ///
    /// # Errors
    /// Only storage failures.
    async fn usernames(&self, ids: &[UserId])
    -> Result<HashMap<UserId, Username>, RepositoryError>;

    /// Up to `limit` users ordered by username, strictly after `after` when given.
    ///
    /// # Errors
    /// Only storage failures.
    async fn list(
        &self,
        after: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<User>, RepositoryError>;

    /// How many users have `role`.
    ///
    /// # Errors
    /// Only storage failures.
    async fn count_with_role(&self, role: Role) -> Result<u64, RepositoryError>;

    /// Replaces the stored username, email, password hash and role with these; `id` and
    /// `created_at` stay as stored.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when no user has this id.
    /// - [`RepositoryError::Duplicate`] when the new username is taken by another user.
    async fn update(&self, user: &User) -> Result<(), RepositoryError>;

    /// Deletes the user, their project memberships and their refresh tokens, and un-assigns
    /// them from every task (each such task gets version +1 and `updated_at = at`). Tasks
    /// they created keep their `created_by`.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when no user has this id.
    /// - [`RepositoryError::InUse`] when they own a project (ownership must be handed over
    ///   or the project deleted first).
    async fn delete(&self, id: UserId, at: Timestamp) -> Result<(), RepositoryError>;

    /// [`UserRepository::update`], applied only while at least one *other* user holds
    /// [`Role::Admin`] — checked atomically with the write, so that two administrators
    /// demoting each other at the same moment cannot leave the service without one.
    ///
    /// # Errors
    /// As [`UserRepository::update`], and [`RepositoryError::LastAdmin`] when no other
    /// administrator remains; nothing is written then.
    async fn update_keeping_another_admin(&self, user: &User) -> Result<(), RepositoryError>;

    /// [`UserRepository::delete`], applied only while at least one *other* user holds
    /// [`Role::Admin`], checked atomically with the deletion.
    ///
    /// # Errors
    /// As [`UserRepository::delete`], and [`RepositoryError::LastAdmin`] when no other
    /// administrator remains; nothing is deleted then.
    async fn delete_keeping_another_admin(
        &self,
        id: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError>;
}
