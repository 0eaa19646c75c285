use async_trait::async_trait;

use super::RepositoryError;
use crate::id::{ProjectId, UserId};
use crate::model::{EntryDraft, EntryId, Project, ProjectMember};
use crate::query::Visibility;
use crate::values::Timestamp;

/// Persistence of projects and their memberships.
///
/// Every method is atomic: a call that fails has changed nothing. `insert` and `update`
/// record the [`EntryDraft`] they are given in the same transaction, as
/// [`crate::ports::TaskRepository`]'s writes do (ADR 0024), and return its [`EntryId`].
#[async_trait]
pub trait ProjectRepository: Send + Sync + std::fmt::Debug {
    /// Stores a new project, makes its owner a member (added at `project.created_at`) and
    /// records `entry`.
    ///
    /// # Errors
    /// - [`RepositoryError::Duplicate`] when a project with the same id exists.
    /// - [`RepositoryError::MissingReference`] when the owner does not exist.
    async fn insert(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError>;

    /// The project with `id`, or `None`.
    ///
    /// # Errors
    /// Only storage failures.
    async fn get(&self, id: ProjectId) -> Result<Option<Project>, RepositoryError>;

    /// Up to `limit` projects visible under `visibility` (all, or those the user is a member
    /// of — public tasks do not make their project visible), ordered by id ascending (that is,
    /// by creation), strictly after `after` when given.
    ///
    /// # Errors
    /// Only storage failures.
    async fn list(
        &self,
        visibility: Visibility,
        after: Option<ProjectId>,
        limit: usize,
    ) -> Result<Vec<Project>, RepositoryError>;

    /// Replaces the stored name, description and owner of the project with these; `id` and
    /// `created_at` stay as stored. The new owner must already be a member (the service
    /// checks); this call does not add them. Records `entry`.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when no project has this id.
    /// - [`RepositoryError::MissingReference`] when the new owner does not exist.
    async fn update(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError>;

    /// Deletes the project, all its tasks and all its memberships. Its trash stays (a
    /// restore then answers that the project is gone; see [`crate::ports::TrashRepository`]).
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] when no project has this id.
    async fn delete(&self, id: ProjectId) -> Result<(), RepositoryError>;

    /// True when `user` is a member of `project` (false for unknown ids).
    ///
    /// # Errors
    /// Only storage failures.
    async fn is_member(&self, project: ProjectId, user: UserId) -> Result<bool, RepositoryError>;

    /// The members of `project` with their usernames, ordered by username; empty for an
    /// unknown project.
    ///
    /// # Errors
    /// Only storage failures.
    async fn members(&self, project: ProjectId) -> Result<Vec<ProjectMember>, RepositoryError>;

    /// Makes `user` a member of `project` as of `at`. Returns `false` (and changes nothing)
    /// when they already were one.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when the project does not exist.
    /// - [`RepositoryError::MissingReference`] when the user does not exist.
    async fn add_member(
        &self,
        project: ProjectId,
        user: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError>;

    /// Removes `user` from `project` and, in the same transaction, un-assigns them from the
    /// project's tasks (each such task gets version +1 and `updated_at = at`), so every
    /// assignee stays a member of the task's project (which task writes check on their side).
    /// For each task un-assigned, in task id order, records the entry
    /// [`crate::model::EntryDraft::assignee_cleared`] builds (by `actor` at `at`).
    /// Returns `false` (and changes nothing) when they were not a member.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] when the project does not exist.
    async fn remove_member(
        &self,
        project: ProjectId,
        user: UserId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError>;
}
