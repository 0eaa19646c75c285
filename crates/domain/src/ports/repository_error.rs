use std::error::Error;
use std::fmt;

/// The kind of stored thing an error talks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A [`crate::User`].
    User,
    /// A [`crate::Project`].
    Project,
    /// A project membership.
    Member,
    /// A [`crate::Category`].
    Category,
    /// A [`crate::Task`].
    Task,
    /// A refresh token.
    RefreshToken,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::User => "user",
            Self::Project => "project",
            Self::Member => "member",
            Self::Category => "category",
            Self::Task => "task",
            Self::RefreshToken => "refresh token",
        })
    }
}

/// What a repository call can fail with. Adapters translate their driver's errors into these at
/// the boundary (a SQLite unique violation becomes [`RepositoryError::Duplicate`]).
///
/// The [`Entity`] inside names the thing the error is about — for `NotFound`,
/// `VersionConflict`, `Duplicate` and `InUse` the entity the call addresses, for
/// `MissingReference` the entity that is missing — and services rely on it (a missing
/// `Entity::Task` reference on insert is a missing parent).
///
/// Each refused compare-and-set has its own variant, because each means something different
/// to the service: a stale version ([`RepositoryError::VersionConflict`]) may be the caller's
/// own mistake, a changed task tree ([`RepositoryError::TreeChanged`],
/// [`RepositoryError::SubtreeGrew`]) only means "check again", a spent refresh token
/// ([`RepositoryError::TokenSpent`]) is a replay, and [`RepositoryError::LastAdmin`] is a rule
/// the store kept.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// The entity addressed by the call does not exist.
    #[error("{0} not found")]
    NotFound(Entity),
    /// The stored version of the addressed entity differs from the expected one (optimistic
    /// concurrency).
    #[error("{0} was changed concurrently")]
    VersionConflict(Entity),
    /// A [`crate::ports::VersionGuard`] no longer holds: a guarded task (the new parent or one
    /// of its ancestors) is gone or at another version, so the tree the service checked has
    /// changed.
    #[error("the task tree was changed concurrently")]
    TreeChanged,
    /// The written task's subtree is taller than [`crate::ports::TreeGuards::subtree_height`]:
    /// a subtask was added below it since the service counted.
    #[error("the task's subtree grew concurrently")]
    SubtreeGrew,
    /// The refresh token was already used or revoked: rotating it again is a replay.
    #[error("refresh token was already used or revoked")]
    TokenSpent,
    /// The write would leave no other administrator.
    #[error("no other administrator would remain")]
    LastAdmin,
    /// A uniqueness rule would be broken (same id, username or category name).
    #[error("{0} already exists")]
    Duplicate(Entity),
    /// The entity refers to another that does not exist (e.g. a task's project).
    #[error("referenced {0} does not exist")]
    MissingReference(Entity),
    /// The entity is still referenced and cannot be removed (e.g. a user who owns projects).
    #[error("{0} is still referenced")]
    InUse(Entity),
    /// The write lost a race inside the store that no version or guard of the caller's
    /// explains (a database that aborted one of two transactions to break a deadlock, or a
    /// serialization failure): nothing was written, and the same request, retried in a
    /// moment, may succeed. An adapter that retries such writes itself returns it only once
    /// its attempts are spent. Distinct from [`RepositoryError::VersionConflict`], which means
    /// the caller's version was stale and retrying unchanged cannot succeed.
    #[error("the write collided with a concurrent one; retry")]
    Contention(#[source] Box<dyn Error + Send + Sync>),
    /// The store cannot serve requests right now (disk full, read-only, database locked);
    /// retrying later may succeed.
    #[error("storage unavailable")]
    Unavailable(#[source] Box<dyn Error + Send + Sync>),
    /// Anything else: a bug or corruption; retrying will not help.
    #[error("storage failure")]
    Other(#[source] Box<dyn Error + Send + Sync>),
}

impl RepositoryError {
    /// Wraps a driver error that means "try again later".
    pub fn unavailable<E: Error + Send + Sync + 'static>(e: E) -> Self {
        Self::Unavailable(Box::new(e))
    }

    /// Wraps a driver error that means "lost a race, nothing was written, retry now".
    pub fn contention<E: Error + Send + Sync + 'static>(e: E) -> Self {
        Self::Contention(Box::new(e))
    }

    /// Wraps any other driver error.
    pub fn other<E: Error + Send + Sync + 'static>(e: E) -> Self {
        Self::Other(Box::new(e))
    }
}
