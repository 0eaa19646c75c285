use async_trait::async_trait;
use taskforge_domain::model::{EntryDraft, EntryId, HistoryEntry};
use taskforge_domain::ports::{HistoryRepository, RepositoryError};
use taskforge_domain::{ProjectId, TaskId};

use crate::MemoryDatabase;
use crate::state::State;

/// [`HistoryRepository`] over a [`MemoryDatabase`]. Entries are appended by the task and
/// project repositories under the store's one lock, in the same critical section as the change
/// they record, so ids follow the order in which changes became visible.
#[derive(Debug, Clone)]
pub struct MemoryHistoryRepository {
    db: MemoryDatabase,
}

impl MemoryHistoryRepository {
    /// A repository over `db`.
    #[must_use]
    pub fn new(db: MemoryDatabase) -> Self {
        Self { db }
    }
}

impl State {
    /// Appends `draft` to the log under the next id. Called last in a write, after every check
    /// passed, so a refused write leaves no entry.
    pub(crate) fn record(&mut self, draft: &EntryDraft) -> EntryId {
        self.last_entry = self.last_entry.saturating_add(1);
        // `last_entry` starts at 0 and only grows, so the id is at least 1.
        let id = EntryId::new(self.last_entry).unwrap_or(EntryId::MAX);
        self.history.insert(id, draft.clone().recorded(id));
        id
    }
}

fn newest_first<'a>(
    entries: impl DoubleEndedIterator<Item = &'a HistoryEntry>,
    keep: impl Fn(&HistoryEntry) -> bool,
    limit: usize,
) -> Vec<HistoryEntry> {
    entries.rev().filter(|e| keep(e)).take(limit).cloned().collect()
}

#[async_trait]
impl HistoryRepository for MemoryHistoryRepository {
    async fn of_task(
        &self,
        task: TaskId,
        before: Option<EntryId>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        let state = self.db.lock();
        let range = match before {
            Some(before) => state.history.range(..before),
            None => state.history.range(..),
        };
        Ok(newest_first(range.map(|(_, e)| e), |e| e.task_id() == Some(task), limit))
    }

    async fn of_project(
        &self,
        project: ProjectId,
        before: Option<EntryId>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        let state = self.db.lock();
        let range = match before {
            Some(before) => state.history.range(..before),
            None => state.history.range(..),
        };
        Ok(newest_first(range.map(|(_, e)| e), |e| e.project_id == project, limit))
    }

    async fn after(
        &self,
        after: EntryId,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        let state = self.db.lock();
        Ok(state
            .history
            .range((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
            .map(|(_, e)| e.clone())
            .take(limit)
            .collect())
    }

    async fn get(&self, id: EntryId) -> Result<Option<HistoryEntry>, RepositoryError> {
        Ok(self.db.lock().history.get(&id).cloned())
    }

    async fn latest(&self) -> Result<Option<EntryId>, RepositoryError> {
        Ok(self.db.lock().history.keys().next_back().copied())
    }
}
