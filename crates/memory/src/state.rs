//! The tables, and the referential rules shared by several repositories.

use std::collections::{BTreeMap, HashMap};

use taskforge_domain::clock::Timestamp;
use taskforge_domain::ports::{RefreshTokenRecord, TokenDigest};
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
}

impl State {
    pub(crate) fn is_member(&self, project: ProjectId, user: UserId) -> bool {
        self.members.contains_key(&(project, user))
    }

    /// Every task below `root`, parents before children (breadth-first).
    pub(crate) fn descendants(&self, root: TaskId) -> Vec<Task> {
        let mut found: Vec<Task> = Vec::new();
        let mut frontier = vec![root];
        while !frontier.is_empty() {
            let children: Vec<Task> = self
                .tasks
                .values()
                .filter(|t| t.parent_id.is_some_and(|p| frontier.contains(&p)))
                .filter(|t| t.id != root && !found.iter().any(|f| f.id == t.id))
                .cloned()
                .collect();
            frontier = children.iter().map(|t| t.id).collect();
            found.extend(children);
        }
        found
    }

    /// Un-assigns `user` from tasks selected by `in_scope`, bumping each changed task.
    pub(crate) fn unassign(
        &mut self,
        user: UserId,
        at: Timestamp,
        in_scope: impl Fn(&Task) -> bool,
    ) {
        for task in self.tasks.values_mut() {
            if task.assignee_id == Some(user) && in_scope(task) {
                task.assignee_id = None;
                task.version = task.version.next();
                task.updated_at = at;
            }
        }
    }
}
