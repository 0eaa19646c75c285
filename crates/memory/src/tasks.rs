use async_trait::async_trait;
use taskforge_domain::clock::Timestamp;
use taskforge_domain::ports::{Entity, RepositoryError, TaskRepository, VersionGuard};
use taskforge_domain::query::{TaskQuery, Visibility};
use taskforge_domain::values::Version;
use taskforge_domain::{ProjectId, Task, TaskId};

use crate::MemoryDatabase;
use crate::state::State;

/// How far [`TaskRepository::ancestors`] walks before giving up on corrupt (cyclic) data.
const MAX_ANCESTOR_STEPS: usize = 64;

/// [`TaskRepository`] over a [`MemoryDatabase`].
#[derive(Debug, Clone)]
pub struct MemoryTaskRepository {
    db: MemoryDatabase,
}

impl MemoryTaskRepository {
    /// A repository over `db`.
    #[must_use]
    pub fn new(db: MemoryDatabase) -> Self {
        Self { db }
    }
}

/// The foreign keys a database would enforce on a task row.
fn check_references(state: &State, task: &Task) -> Result<(), RepositoryError> {
    if !state.projects.contains_key(&task.project_id) {
        return Err(RepositoryError::MissingReference(Entity::Project));
    }
    if task.parent_id.is_some_and(|p| !state.tasks.contains_key(&p)) {
        return Err(RepositoryError::MissingReference(Entity::Task));
    }
    if task.category_id.is_some_and(|c| !state.categories.contains_key(&c)) {
        return Err(RepositoryError::MissingReference(Entity::Category));
    }
    if task.assignee_id.is_some_and(|u| !state.users.contains_key(&u)) {
        return Err(RepositoryError::MissingReference(Entity::User));
    }
    Ok(())
}

fn check_version(state: &State, id: TaskId, expected: Version) -> Result<&Task, RepositoryError> {
    let stored = state.tasks.get(&id).ok_or(RepositoryError::NotFound(Entity::Task))?;
    if stored.version == expected {
        Ok(stored)
    } else {
        Err(RepositoryError::VersionConflict(Entity::Task))
    }
}

fn visible(state: &State, visibility: Visibility, task: &Task) -> bool {
    match visibility {
        Visibility::All => true,
        Visibility::MemberOrPublic(user) => {
            task.is_public || state.is_member(task.project_id, user)
        }
    }
}

#[async_trait]
impl TaskRepository for MemoryTaskRepository {
    async fn insert(&self, task: &Task) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        if state.tasks.contains_key(&task.id) {
            return Err(RepositoryError::Duplicate(Entity::Task));
        }
        check_references(&state, task)?;
        state.tasks.insert(task.id, task.clone());
        Ok(())
    }

    async fn get(&self, id: TaskId) -> Result<Option<Task>, RepositoryError> {
        Ok(self.db.lock().tasks.get(&id).cloned())
    }

    async fn ancestors(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError> {
        let state = self.db.lock();
        let mut chain = Vec::new();
        let mut next = state.tasks.get(&id).and_then(|t| t.parent_id);
        while let Some(parent_id) = next {
            if chain.len() == MAX_ANCESTOR_STEPS {
                break;
            }
            let Some(parent) = state.tasks.get(&parent_id) else { break };
            next = parent.parent_id;
            chain.push(parent.clone());
        }
        Ok(chain)
    }

    async fn descendants(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError> {
        Ok(self.db.lock().descendants(id))
    }

    async fn update(
        &self,
        task: &Task,
        expected: Version,
        guards: &[VersionGuard],
    ) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        check_version(&state, task.id, expected)?;
        for guard in guards {
            match state.tasks.get(&guard.task_id) {
                Some(t) if t.version == guard.version => {}
                _ => return Err(RepositoryError::VersionConflict(Entity::Task)),
            }
        }
        check_references(&state, task)?;
        state.tasks.insert(task.id, task.clone());
        Ok(())
    }

    async fn delete(&self, id: TaskId) -> Result<Vec<TaskId>, RepositoryError> {
        let mut state = self.db.lock();
        if !state.tasks.contains_key(&id) {
            return Err(RepositoryError::NotFound(Entity::Task));
        }
        let ids: Vec<TaskId> =
            std::iter::once(id).chain(state.descendants(id).into_iter().map(|t| t.id)).collect();
        for removed in &ids {
            state.tasks.remove(removed);
        }
        Ok(ids)
    }

    async fn move_tree(
        &self,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
    ) -> Result<Vec<Task>, RepositoryError> {
        let mut state = self.db.lock();
        let root = check_version(&state, id, expected)?.clone();
        if !state.projects.contains_key(&to) {
            return Err(RepositoryError::MissingReference(Entity::Project));
        }
        let moved: Vec<Task> = std::iter::once(root)
            .chain(state.descendants(id))
            .map(|mut task| {
                if task.id == id {
                    task.parent_id = None;
                }
                task.project_id = to;
                task.version = task.version.next();
                task.updated_at = at;
                task
            })
            .collect();
        for task in &moved {
            state.tasks.insert(task.id, task.clone());
        }
        Ok(moved)
    }

    async fn list(&self, query: &TaskQuery) -> Result<Vec<Task>, RepositoryError> {
        let state = self.db.lock();
        let mut tasks: Vec<&Task> = state
            .tasks
            .values()
            .filter(|t| visible(&state, query.visibility, t))
            .filter(|t| query.filter.matches(t))
            .filter(|t| query.after.as_ref().is_none_or(|c| c.admits(t)))
            .collect();
        tasks.sort_by(|a, b| query.sort.compare(a, b));
        Ok(tasks.into_iter().take(query.fetch).cloned().collect())
    }
}
