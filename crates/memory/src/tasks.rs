use async_trait::async_trait;
use taskforge_domain::model::{EntryDraft, EntryId, TrashedSubtree};
use taskforge_domain::ports::{Entity, RepositoryError, TaskRepository, TreeGuards};
use taskforge_domain::query::{TaskQuery, Visibility};
use taskforge_domain::values::Timestamp;
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

/// The references a database would enforce on a task row, the two composite ones included:
/// the parent is a task of the same project, the assignee a member of it.
pub(crate) fn check_references(state: &State, task: &Task) -> Result<(), RepositoryError> {
    if !state.projects.contains_key(&task.project_id) {
        return Err(RepositoryError::MissingReference(Entity::Project));
    }
    let parent_project = task.parent_id.map(|p| state.tasks.get(&p).map(|t| t.project_id));
    if parent_project.is_some_and(|project| project != Some(task.project_id)) {
        return Err(RepositoryError::MissingReference(Entity::Task));
    }
    if task.category_id.is_some_and(|c| !state.categories.contains_key(&c)) {
        return Err(RepositoryError::MissingReference(Entity::Category));
    }
    if let Some(assignee) = task.assignee_id {
        if !state.users.contains_key(&assignee) {
            return Err(RepositoryError::MissingReference(Entity::User));
        }
        if !state.is_member(task.project_id, assignee) {
            return Err(RepositoryError::MissingReference(Entity::Member));
        }
    }
    Ok(())
}

/// The guards of a write of `task`: every guarded task at its version, and the task's subtree
/// no taller than allowed.
fn check_guards(state: &State, task: TaskId, guards: &TreeGuards) -> Result<(), RepositoryError> {
    let versions_hold = guards
        .versions
        .iter()
        .all(|g| state.tasks.get(&g.task_id).is_some_and(|t| t.version == g.version));
    if !versions_hold {
        return Err(RepositoryError::TreeChanged);
    }
    if guards.subtree_height.is_some_and(|max| state.subtree_height(task) > max) {
        return Err(RepositoryError::SubtreeGrew);
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
    async fn insert(
        &self,
        task: &Task,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let mut state = self.db.lock();
        if state.tasks.contains_key(&task.id) {
            return Err(RepositoryError::Duplicate(Entity::Task));
        }
        check_guards(&state, task.id, guards)?;
        check_references(&state, task)?;
        state.tasks.insert(task.id, task.clone());
        Ok(state.record(entry))
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
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let mut state = self.db.lock();
        let stored_project = check_version(&state, task.id, expected)?.project_id;
        check_guards(&state, task.id, guards)?;
        // Moving is `move_tree`'s job: it takes the subtree along.
        let task = Task { project_id: stored_project, ..task.clone() };
        check_references(&state, &task)?;
        state.tasks.insert(task.id, task);
        Ok(state.record(entry))
    }

    async fn delete(
        &self,
        id: TaskId,
        entry: &EntryDraft,
    ) -> Result<(Vec<TaskId>, EntryId), RepositoryError> {
        let mut state = self.db.lock();
        let Some(root) = state.tasks.get(&id).cloned() else {
            return Err(RepositoryError::NotFound(Entity::Task));
        };
        let subtree: Vec<Task> =
            std::iter::once(root.clone()).chain(state.descendants(id)).collect();
        let ids: Vec<TaskId> = subtree.iter().map(|t| t.id).collect();
        for removed in &ids {
            state.tasks.remove(removed);
        }
        state.trash.insert(
            id,
            TrashedSubtree {
                root: id,
                project_id: root.project_id,
                trashed_at: entry.at,
                trashed_by: entry.actor,
                tasks: subtree,
            },
        );
        let entry = state.record(entry);
        Ok((ids, entry))
    }

    async fn move_tree(
        &self,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
        entry: &EntryDraft,
    ) -> Result<(Vec<Task>, EntryId), RepositoryError> {
        let mut state = self.db.lock();
        let root = check_version(&state, id, expected)?.clone();
        if !state.projects.contains_key(&to) {
            return Err(RepositoryError::MissingReference(Entity::Project));
        }
        let subtree: Vec<Task> = std::iter::once(root).chain(state.descendants(id)).collect();
        let stays_assigned = |t: &Task| t.assignee_id.is_none_or(|a| state.is_member(to, a));
        if !subtree.iter().all(stays_assigned) {
            return Err(RepositoryError::MissingReference(Entity::Member));
        }
        let moved: Vec<Task> = subtree
            .into_iter()
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
        let root_entry = state.record(entry);
        for subtask in entry.subtask_moves(&moved) {
            state.record(&subtask);
        }
        Ok((moved, root_entry))
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
