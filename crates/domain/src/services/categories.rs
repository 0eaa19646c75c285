//! Category use cases.

use std::sync::Arc;

use super::CategoryError;
use crate::clock::Clock;
use crate::commands::CreateCategory;
use crate::events::{DomainEvent, EventKind};
use crate::id::CategoryId;
use crate::model::Category;
use crate::policy::{self, Actor, Decision};
use crate::ports::{CategoryRepository, EventPublisher, RepositoryError};
use crate::values::CategoryName;

/// The category use cases.
#[derive(Debug, Clone)]
pub struct CategoryService {
    categories: Arc<dyn CategoryRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventPublisher>,
}

impl CategoryService {
    /// Wires the service to its ports.
    #[must_use]
    pub fn new(
        categories: Arc<dyn CategoryRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventPublisher>,
    ) -> Self {
        Self { categories, clock, events }
    }

    /// Every category, by name.
    ///
    /// # Errors
    /// [`CategoryError::Store`].
    pub async fn list(&self, actor: &Actor) -> Result<Vec<Category>, CategoryError> {
        allow(policy::read_categories(actor))?;
        Ok(self.categories.list().await?)
    }

    /// Creates a category.
    ///
    /// # Errors
    /// [`CategoryError::Forbidden`] for viewers, [`CategoryError::Duplicate`], or
    /// [`CategoryError::Store`].
    pub async fn create(
        &self,
        actor: &Actor,
        cmd: CreateCategory,
    ) -> Result<Category, CategoryError> {
        allow(policy::create_category(actor))?;
        let category =
            Category { id: CategoryId::new(), name: cmd.name, created_at: self.clock.now() };
        self.categories.insert(&category).await.map_err(map_write)?;
        self.publish(actor, EventKind::CategoryCreated(Box::new(category.clone())));
        Ok(category)
    }

    /// Renames a category.
    ///
    /// # Errors
    /// [`CategoryError::Forbidden`] for non-admins, [`CategoryError::NotFound`],
    /// [`CategoryError::Duplicate`], or [`CategoryError::Store`].
    pub async fn rename(
        &self,
        actor: &Actor,
        id: CategoryId,
        name: CategoryName,
    ) -> Result<Category, CategoryError> {
        allow(policy::manage_category(actor))?;
        let mut category = self.categories.get(id).await?.ok_or(CategoryError::NotFound)?;
        if category.name == name {
            return Ok(category);
        }
        category.name = name;
        self.categories.update(&category).await.map_err(map_write)?;
        self.publish(actor, EventKind::CategoryRenamed(Box::new(category.clone())));
        Ok(category)
    }

    /// Deletes a category and clears it from its tasks.
    ///
    /// # Errors
    /// [`CategoryError::Forbidden`] for non-admins, [`CategoryError::NotFound`], or
    /// [`CategoryError::Store`].
    pub async fn delete(&self, actor: &Actor, id: CategoryId) -> Result<(), CategoryError> {
        allow(policy::manage_category(actor))?;
        self.categories.delete(id, self.clock.now()).await.map_err(map_write)?;
        self.publish(actor, EventKind::CategoryDeleted(id));
        Ok(())
    }

    fn publish(&self, actor: &Actor, kind: EventKind) {
        self.events.publish(&DomainEvent {
            actor: Some(actor.user_id),
            at: self.clock.now(),
            kind,
        });
    }
}

fn allow(decision: Decision) -> Result<(), CategoryError> {
    match decision {
        Decision::Allow => Ok(()),
        Decision::Forbidden | Decision::NotFound => Err(CategoryError::Forbidden),
    }
}

fn map_write(e: RepositoryError) -> CategoryError {
    match e {
        RepositoryError::Duplicate(_) => CategoryError::Duplicate,
        RepositoryError::NotFound(_) => CategoryError::NotFound,
        other => CategoryError::Store(other),
    }
}
