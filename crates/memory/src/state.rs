//! The tables, and the referential rules shared by several repositories.

use std::collections::{BTreeMap, HashMap, HashSet};

use taskforge_domain::model::{EntryId, HistoryEntry, TrashedSubtree};
use taskforge_domain::ports::{RefreshTokenRecord, TokenDigest};
use taskforge_domain::values::Timestamp;
use taskforge_domain::{Category, CategoryId, Project, ProjectId, Task, TaskId, User, UserId};

/// Every table of the store.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) users: BTreeMap<UserId, User>,
    pub(crate) projects: BTreeMap<ProjectId, Project>,
    /// (project, user) → when they joined.
    pub(crate) members: BTreeMap<(ProjectId, UserId), Timestamp>,
    pub(crate) categories: BTreeMap<CategoryId, Category>,
    pub(crate) tasks: BTreeMap<TaskId, Task>,
    pub(crate) refresh_tokens: HashMap<TokenDigest, RefreshTokenRecord>,
    /// The change log, by id.
    pub(crate) history: BTreeMap<EntryId, HistoryEntry>,
    /// The trash, by the root of each trashed subtree.
    pub(crate) trash: BTreeMap<TaskId, TrashedSubtree>,
    /// The last id handed out (0 before the first): ids are never reused.
    pub(crate) last_entry: u64,
}

impl State {
    pub(crate) fn is_member(&self, project: ProjectId, user: UserId) -> bool {
        self.members.contains_key(&(project, user))
    }

    /// Every task below `root` in its project, parents before children (breadth-first).
    pub(crate) fn descendants(&self, root: TaskId) -> Vec<Task> {
        self.levels_below(root).into_iter().flatten().collect()
    }

    /// How many levels the subtree of `root` spans: 1 for a leaf, 0 for an unknown task.
    pub(crate) fn subtree_height(&self, root: TaskId) -> usize {
        if self.tasks.contains_key(&root) { 1 + self.levels_below(root).len() } else { 0 }
    }

    /// The tasks below `root` level by level (children, grandchildren, …), each once. Only
    /// children in `root`'s project are followed: a subtree never leaves its project.
    fn levels_below(&self, root: TaskId) -> Vec<Vec<Task>> {
        let Some(project) = self.tasks.get(&root).map(|t| t.project_id) else {
            return Vec::new();
        };
        let mut seen: HashSet<TaskId> = HashSet::from([root]);
        let mut levels: Vec<Vec<Task>> = Vec::new();
        let mut frontier: HashSet<TaskId> = HashSet::from([root]);
        while !frontier.is_empty() {
            let children: Vec<Task> = self
                .tasks
                .values()
                .filter(|t| t.project_id == project)
                .filter(|t| t.parent_id.is_some_and(|p| frontier.contains(&p)))
                .filter(|t| seen.insert(t.id))
                .cloned()
                .collect();
            frontier = children.iter().map(|t| t.id).collect();
            if !children.is_empty() {
                levels.push(children);
            }
        }
        levels
    }

    /// Un-assigns `user` from tasks selected by `in_scope`, bumping each changed task.
    pub(crate) fn unassign(
        &mut self,
        user: UserId,
        at: Timestamp,
        in_scope: impl Fn(&Task) -> bool,
    ) -> Vec<(TaskId, ProjectId)> {
        let mut cleared = Vec::new();
        for task in self.tasks.values_mut() {
            if task.assignee_id == Some(user) && in_scope(task) {
                task.assignee_id = None;
                task.version = task.version.next();
                task.updated_at = at;
                cleared.push((task.id, task.project_id));
            }
        }
        cleared.sort_unstable();
        cleared
    }
}
