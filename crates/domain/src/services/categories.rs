//! Category use cases, and the budget of categories each user may create.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use super::budget::UserBudget;
use super::{BucketSettings, CategoryError};
use crate::commands::CreateCategory;
use crate::events::{DomainEvent, EventKind};
use crate::id::CategoryId;
use crate::model::Category;
use crate::policy::{self, Actor, Decision};
use crate::ports::Clock;
use crate::ports::{CategoryRepository, EventPublisher, RepositoryError};
use crate::query::{CategoryCursor, Page};
use crate::values::{CategoryName, PageLimit, Role};

/// The category use cases.
#[derive(Debug, Clone)]
pub struct CategoryService {
    categories: Arc<dyn CategoryRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventPublisher>,
    budget: Arc<UserBudget>,
}

impl CategoryService {
    /// How many categories a user may create by default: a burst of 30, then one more every
    /// two minutes (30 an hour). Categories are a vocabulary every user shares and reads, so a
    /// script must not be able to flood it; a team setting one up stays well inside.
    pub const DEFAULT_CREATION_BUDGET: BucketSettings = BucketSettings {
        capacity: match NonZeroU32::new(30) {
            Some(burst) => burst,
            None => NonZeroU32::MIN,
        },
        refill_every: Duration::from_secs(120),
    };

    /// Wires the service to its ports, with [`Self::DEFAULT_CREATION_BUDGET`].
    #[must_use]
    pub fn new(
        categories: Arc<dyn CategoryRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventPublisher>,
    ) -> Self {
        let budget = Arc::new(UserBudget::new(Self::DEFAULT_CREATION_BUDGET));
        Self { categories, clock, events, budget }
    }

    /// The same service with another budget of creations per user (a `refill_every` of zero
    /// removes the limit). Admins are never limited: they are trusted, and may need to set up
    /// a whole vocabulary at once.
    #[must_use]
    pub fn with_creation_budget(self, budget: BucketSettings) -> Self {
        Self { budget: Arc::new(UserBudget::new(budget)), ..self }
    }

    /// One page of the categories, by name ignoring case, after `after` when given.
    ///
    /// # Errors
    /// [`CategoryError::Store`].
    pub async fn list(
        &self,
        actor: &Actor,
        after: Option<CategoryCursor>,
        limit: PageLimit,
    ) -> Result<Page<Category, CategoryCursor>, CategoryError> {
        allow(policy::read_categories(actor))?;
        let after = after.as_ref().map(CategoryCursor::name);
        let mut items = self.categories.list(after, limit.get() + 1).await?;
        let next_cursor = if items.len() > limit.get() {
            items.truncate(limit.get());
            items.last().map(CategoryCursor::after)
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// One category, by id.
    ///
    /// # Errors
    /// [`CategoryError::NotFound`] or [`CategoryError::Store`].
    pub async fn get(&self, actor: &Actor, id: CategoryId) -> Result<Category, CategoryError> {
        allow(policy::read_categories(actor))?;
        self.categories.get(id).await?.ok_or(CategoryError::NotFound)
    }

    /// Creates a category. Every attempt by a non-admin draws on their creation budget
    /// (refused ones too: a name already taken costs a write attempt all the same).
    ///
    /// # Errors
    /// [`CategoryError::Forbidden`] for viewers, [`CategoryError::Throttled`] when the
    /// actor's budget is spent, [`CategoryError::Duplicate`], or [`CategoryError::Store`].
    pub async fn create(
        &self,
        actor: &Actor,
        cmd: CreateCategory,
    ) -> Result<Category, CategoryError> {
        allow(policy::create_category(actor))?;
        if actor.role != Role::Admin {
            self.budget
                .draw(actor.user_id, self.clock.now())
                .map_err(|retry_after| CategoryError::Throttled { retry_after })?;
        }
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
        self.categories.delete(id, actor.user_id, self.clock.now()).await.map_err(map_write)?;
        self.publish(actor, EventKind::CategoryDeleted(id));
        Ok(())
    }

    fn publish(&self, actor: &Actor, kind: EventKind) {
        self.events.publish(&DomainEvent {
            actor: Some(actor.user_id),
            at: self.clock.now(),
            entry: None,
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
