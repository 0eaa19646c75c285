use std::collections::HashMap;

use async_trait::async_trait;

use super::RepositoryError;
use crate::id::{CategoryId, UserId};
use crate::model::Category;
use crate::values::CategoryName;
use crate::values::Timestamp;

/// Persistence of categories.
///
/// Every method is atomic: a call that fails has changed nothing.
#[async_trait]
pub trait CategoryRepository: Send + Sync + std::fmt::Debug {
    /// Stores a new category.
    ///
    /// # Errors
    /// [`RepositoryError::Duplicate`] when the id is taken or another category has the same
    /// name ignoring case ([`crate::values::CategoryName::unique_key`]).
    async fn insert(&self, category: &Category) -> Result<(), RepositoryError>;

    /// The category with `id`, or `None`.
    ///
    /// # Errors
    /// Only storage failures.
    async fn get(&self, id: CategoryId) -> Result<Option<Category>, RepositoryError>;

    /// The names of the categories among `ids` that exist, keyed by id (unknown ids are
    /// simply absent; duplicates are fine), each looked up by its key. One round trip for any
    /// number of ids: how an export or a report names the categories of the tasks it holds
    /// without reading every category there is.
    ///
    /// # Errors
    /// Only storage failures.
    async fn names(
        &self,
        ids: &[CategoryId],
    ) -> Result<HashMap<CategoryId, CategoryName>, RepositoryError>;

    /// Up to `limit` categories ordered by name ignoring case
    /// ([`CategoryName::unique_key`]), strictly after `after` in that order when given (the
    /// name need not belong to a stored category any more: keyset pagination).
    ///
    /// # Errors
    /// Only storage failures.
    async fn list(
        &self,
        after: Option<&CategoryName>,
        limit: usize,
    ) -> Result<Vec<Category>, RepositoryError>;

    /// Replaces the stored name with `category.name`; `created_at` stays as stored.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when no category has this id.
    /// - [`RepositoryError::Duplicate`] when another category has that name ignoring case.
    async fn update(&self, category: &Category) -> Result<(), RepositoryError>;

    /// Deletes the category and, in the same transaction, clears it from every task that had
    /// it (each such task gets version +1 and `updated_at = at`) and records, for each such
    /// task in task id order, the entry [`crate::model::EntryDraft::category_cleared`] builds
    /// (by `actor` at `at`).
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] when no category has this id.
    async fn delete(
        &self,
        id: CategoryId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError>;
}
