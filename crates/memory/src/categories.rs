use std::collections::HashMap;

use async_trait::async_trait;
use taskforge_domain::id::UserId;
use taskforge_domain::model::EntryDraft;
use taskforge_domain::ports::{CategoryRepository, Entity, RepositoryError};
use taskforge_domain::values::CategoryName;
use taskforge_domain::values::Timestamp;
use taskforge_domain::{Category, CategoryId};

use crate::MemoryDatabase;

/// [`CategoryRepository`] over a [`MemoryDatabase`].
#[derive(Debug, Clone)]
pub struct MemoryCategoryRepository {
    db: MemoryDatabase,
}

impl MemoryCategoryRepository {
    /// A repository over `db`.
    #[must_use]
    pub fn new(db: MemoryDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl CategoryRepository for MemoryCategoryRepository {
    async fn insert(&self, category: &Category) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        let key = category.name.unique_key();
        let taken = state.categories.contains_key(&category.id)
            || state.categories.values().any(|c| c.name.unique_key() == key);
        if taken {
            return Err(RepositoryError::Duplicate(Entity::Category));
        }
        state.categories.insert(category.id, category.clone());
        Ok(())
    }

    async fn get(&self, id: CategoryId) -> Result<Option<Category>, RepositoryError> {
        Ok(self.db.lock().categories.get(&id).cloned())
    }

    async fn names(
        &self,
        ids: &[CategoryId],
    ) -> Result<HashMap<CategoryId, CategoryName>, RepositoryError> {
        let state = self.db.lock();
        Ok(ids
            .iter()
            .filter_map(|id| state.categories.get(id).map(|c| (*id, c.name.clone())))
            .collect())
    }

    async fn list(
        &self,
        after: Option<&CategoryName>,
        limit: usize,
    ) -> Result<Vec<Category>, RepositoryError> {
        let after = after.map(CategoryName::unique_key);
        let mut categories: Vec<(String, Category)> = self
            .db
            .lock()
            .categories
            .values()
            .map(|c| (c.name.unique_key(), c.clone()))
            .filter(|(key, _)| after.as_ref().is_none_or(|a| key > a))
            .collect();
        categories.sort_by(|(a, _), (b, _)| a.cmp(b));
        Ok(categories.into_iter().take(limit).map(|(_, c)| c).collect())
    }

    async fn update(&self, category: &Category) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        if !state.categories.contains_key(&category.id) {
            return Err(RepositoryError::NotFound(Entity::Category));
        }
        let key = category.name.unique_key();
        if state.categories.values().any(|c| c.id != category.id && c.name.unique_key() == key) {
            return Err(RepositoryError::Duplicate(Entity::Category));
        }
        // `created_at` is not one of the replaced fields: it stays as stored.
        if let Some(stored) = state.categories.get_mut(&category.id) {
            *stored = Category { created_at: stored.created_at, ..category.clone() };
        }
        Ok(())
    }

    async fn delete(
        &self,
        id: CategoryId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        if state.categories.remove(&id).is_none() {
            return Err(RepositoryError::NotFound(Entity::Category));
        }
        let mut cleared = Vec::new();
        for task in state.tasks.values_mut().filter(|t| t.category_id == Some(id)) {
            task.category_id = None;
            task.version = task.version.next();
            task.updated_at = at;
            cleared.push((task.id, task.project_id));
        }
        cleared.sort_unstable();
        for (task, project) in cleared {
            state.record(&EntryDraft::category_cleared(task, project, id, actor, at));
        }
        Ok(())
    }
}
