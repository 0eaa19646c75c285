//! Task use cases: create, read, change, delete, move and list.

mod checks;

use std::collections::HashSet;
use std::sync::Arc;

use super::task_rules::{check_parent, subtree_height};
use super::{TaskError, TaskRule};
use crate::commands::{CreateTask, MoveTask, Patch, UpdateTask};
use crate::events::{DomainEvent, EventKind};
use crate::id::{TaskId, UserId};
use crate::model::{
    Change, EntryDraft, EntryId, FieldChange, HistoryEntry, Task, TaskChange, TaskFieldChange,
    task_changes,
};
use crate::policy::{self, Actor, Decision, TaskRelation};
use crate::ports::Clock;
use crate::ports::{
    CategoryRepository, Entity, EventPublisher, ProjectRepository, RepositoryError, TaskRepository,
    TreeGuards,
};
use crate::query::{Cursor, ListTasks, Page, TaskQuery};
use crate::values::{Description, Labels, Version};

/// How often a create or an update without an expected version re-reads and re-applies itself when
/// another write got in between (a guard failed). Merge-patches commute on distinct fields and
/// a create only needs its parent's chain as it is now, so a retry is what the caller meant;
/// after this many the conflict is reported.
const WRITE_ATTEMPTS: usize = 3;

/// The task use cases (a Facade over the task, project and category ports).
#[derive(Debug, Clone)]
pub struct TaskService {
    tasks: Arc<dyn TaskRepository>,
    projects: Arc<dyn ProjectRepository>,
    categories: Arc<dyn CategoryRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventPublisher>,
}

impl TaskService {
    /// Wires the service to its ports.
    #[must_use]
    pub fn new(
        tasks: Arc<dyn TaskRepository>,
        projects: Arc<dyn ProjectRepository>,
        categories: Arc<dyn CategoryRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventPublisher>,
    ) -> Self {
        Self { tasks, projects, categories, clock, events }
    }

    /// Creates a task in a project the actor may write to.
    ///
    /// The parent's rules (same project, depth) are checked on the parent's chain as read, and
    /// the insert is guarded by that chain's versions: if the chain changed before the insert
    /// (the parent moved, or an ancestor was re-parented), the check runs again on the new
    /// chain. The store itself refuses a parent in another project and an assignee who is not
    /// a member, whatever the order of concurrent requests.
    ///
    /// # Errors
    /// [`TaskError::ProjectNotFound`] (absent or invisible), [`TaskError::Forbidden`] (a viewer
    /// member), [`TaskError::Rule`] for a bad parent, category or assignee,
    /// [`TaskError::Conflict`] when the parent's chain kept changing, or [`TaskError::Store`].
    pub async fn create(&self, actor: &Actor, cmd: CreateTask) -> Result<Task, TaskError> {
        let project = self.projects.get(cmd.project_id).await?.ok_or(TaskError::ProjectNotFound)?;
        let is_member = self.is_member(actor, project.id).await?;
        match policy::create_task(actor, is_member) {
            Decision::Allow => {}
            Decision::Forbidden => return Err(TaskError::Forbidden),
            Decision::NotFound => return Err(TaskError::ProjectNotFound),
        }
        if let Some(category) = cmd.category_id {
            self.ensure_category(category).await?;
        }
        if let Some(assignee) = cmd.assignee_id {
            self.ensure_assignable(project.id, assignee).await?;
        }
        let now = self.clock.now();
        let task = Task {
            id: TaskId::new(),
            project_id: project.id,
            title: cmd.title,
            description: cmd.description.unwrap_or_default(),
            status: cmd.status.unwrap_or_default(),
            priority: cmd.priority.unwrap_or_default(),
            category_id: cmd.category_id,
            assignee_id: cmd.assignee_id,
            labels: cmd.labels.unwrap_or_default(),
            due_date: cmd.due_date,
            parent_id: cmd.parent_id,
            is_public: cmd.is_public.unwrap_or(false),
            created_by: actor.user_id,
            created_at: now,
            updated_at: now,
            version: Version::FIRST,
        };
        for _ in 0..WRITE_ATTEMPTS {
            let guards = match task.parent_id {
                Some(parent_id) => self.subtask_guards(actor, project.id, parent_id).await?,
                None => TreeGuards::none(),
            };
            match self.tasks.insert(&task, &guards, &EntryDraft::task_created(&task)).await {
                Ok(entry) => {
                    self.publish(actor, entry, EventKind::TaskCreated(Box::new(task.clone())));
                    return Ok(task);
                }
                // The parent's chain changed since it was read: check the new one.
                Err(RepositoryError::TreeChanged | RepositoryError::SubtreeGrew) => {}
                Err(e) => return Err(reference_error(e)),
            }
        }
        Err(TaskError::Conflict)
    }

    /// The task, if the actor may see it.
    ///
    /// # Errors
    /// [`TaskError::NotFound`] (absent or invisible) or [`TaskError::Store`].
    pub async fn get(&self, actor: &Actor, id: TaskId) -> Result<Task, TaskError> {
        let task = self.tasks.get(id).await?.ok_or(TaskError::NotFound)?;
        // Reads are the hot path: skip the membership query when it cannot change the answer.
        let relation = if policy::read_task_needs_membership(actor, task.is_public) {
            self.relation(actor, &task).await?
        } else {
            TaskRelation { is_member: false, is_public: task.is_public }
        };
        match policy::read_task(actor, relation) {
            Decision::Allow => Ok(task),
            Decision::Forbidden | Decision::NotFound => Err(TaskError::NotFound),
        }
    }

    /// Applies a merge-patch. A patch that changes nothing returns the task as it is, at the
    /// same version.
    ///
    /// # Errors
    /// [`TaskError::NotFound`], [`TaskError::Forbidden`], [`TaskError::PreconditionFailed`]
    /// when the expected version is stale, [`TaskError::Conflict`] when concurrent writes kept winning,
    /// [`TaskError::Rule`], or [`TaskError::Store`].
    pub async fn update(
        &self,
        actor: &Actor,
        id: TaskId,
        cmd: UpdateTask,
    ) -> Result<Task, TaskError> {
        self.write_update(actor, id, cmd, None).await
    }

    /// Reverts `entry` (Command with its inverse): sets back the "before" value of every field
    /// the entry changed, if the task still holds every "after" value. The revert is a normal
    /// update — the rules are checked again, the version moves on, `if_match` is honoured —
    /// recorded as a [`TaskChange::Reverted`] entry, which can itself be reverted.
    ///
    /// # Errors
    /// [`TaskError::EntryNotFound`] when the entry is not about this task,
    /// [`TaskError::NotRevertible`] for an entry that is not an update or a revert,
    /// [`TaskError::ChangedSince`] naming the fields that changed after the entry, and every
    /// error of [`Self::update`].
    pub async fn revert(
        &self,
        actor: &Actor,
        id: TaskId,
        entry: &HistoryEntry,
        if_match: Option<Version>,
    ) -> Result<Task, TaskError> {
        let changes = match &entry.change {
            Change::Task { task_id, .. } if *task_id != id => return Err(TaskError::EntryNotFound),
            Change::Task { change: TaskChange::Updated(changes), .. }
            | Change::Task { change: TaskChange::Reverted { changes, .. }, .. } => changes,
            Change::Task { .. } => return Err(TaskError::NotRevertible),
            Change::Project(_) => return Err(TaskError::EntryNotFound),
        };
        let mut cmd = UpdateTask { if_match, ..UpdateTask::default() };
        for change in changes {
            undo(&mut cmd, change);
        }
        self.write_update(actor, id, cmd, Some((entry.id, changes))).await
    }

    /// An update, or with `reverting` the revert of that entry (whose changes must all still
    /// hold, checked on each attempt's fresh read).
    async fn write_update(
        &self,
        actor: &Actor,
        id: TaskId,
        cmd: UpdateTask,
        reverting: Option<(EntryId, &[TaskFieldChange])>,
    ) -> Result<Task, TaskError> {
        for _ in 0..WRITE_ATTEMPTS {
            let before = self.writable(actor, id).await?;
            check_if_match(cmd.if_match, before.version)?;
            if let Some((_, changes)) = reverting {
                let changed: Vec<_> =
                    changes.iter().filter(|c| !c.holds_after(&before)).map(|c| c.field()).collect();
                if !changed.is_empty() {
                    return Err(TaskError::ChangedSince { changed });
                }
            }
            let Some((after, guards)) = self.apply(actor, &before, cmd.clone()).await? else {
                return Ok(before);
            };
            let changes = task_changes(&before, &after);
            let change = match reverting {
                Some((entry, _)) => TaskChange::Reverted { entry, changes },
                None => TaskChange::Updated(changes),
            };
            let draft = EntryDraft::task(&after, actor.user_id, after.updated_at, change);
            match self.tasks.update(&after, before.version, &guards, &draft).await {
                Ok(entry) => {
                    self.publish(
                        actor,
                        entry,
                        EventKind::TaskUpdated {
                            before: Box::new(before),
                            after: Box::new(after.clone()),
                        },
                    );
                    return Ok(after);
                }
                // Someone else wrote first. With an expected version the client asked for exactly that
                // version, so report it; without, re-read and re-apply.
                Err(RepositoryError::VersionConflict(_)) if cmd.if_match.is_some() => {
                    let current = self.tasks.get(id).await?.ok_or(TaskError::NotFound)?;
                    return Err(TaskError::PreconditionFailed { current: current.version });
                }
                // The task is where the client expected it, but the tree around it changed
                // since the service checked its rules: check them again on the new tree
                // (with or without an expected version — the client's version still holds).
                Err(
                    RepositoryError::VersionConflict(_)
                    | RepositoryError::TreeChanged
                    | RepositoryError::SubtreeGrew,
                ) => {}
                Err(RepositoryError::NotFound(_)) => return Err(TaskError::NotFound),
                Err(e) => return Err(reference_error(e)),
            }
        }
        Err(TaskError::Conflict)
    }

    /// Deletes the task and all its subtasks.
    ///
    /// # Errors
    /// [`TaskError::NotFound`], [`TaskError::Forbidden`], [`TaskError::PreconditionFailed`]
    /// when `if_match` is stale, or [`TaskError::Store`].
    pub async fn delete(
        &self,
        actor: &Actor,
        id: TaskId,
        if_match: Option<Version>,
    ) -> Result<(), TaskError> {
        let task = self.writable(actor, id).await?;
        check_if_match(if_match, task.version)?;
        let draft = EntryDraft::task(&task, actor.user_id, self.clock.now(), TaskChange::Trashed);
        let (deleted, entry) = match self.tasks.delete(id, &draft).await {
            Ok(deleted) => deleted,
            Err(RepositoryError::NotFound(_)) => return Err(TaskError::NotFound),
            Err(e) => return Err(e.into()),
        };
        self.publish(
            actor,
            entry,
            EventKind::TaskTrashed { task_id: id, project_id: task.project_id, trashed: deleted },
        );
        Ok(())
    }

    /// Moves the task and its subtasks to another project, all or nothing. The task becomes a
    /// root there (its parent stays behind). Moving to the project it is in changes nothing.
    ///
    /// # Errors
    /// [`TaskError::NotFound`] for the task, [`TaskError::ProjectNotFound`] for the target,
    /// [`TaskError::Forbidden`], [`TaskError::PreconditionFailed`],
    /// [`TaskError::Conflict`] when the tree changed meanwhile,
    /// [`TaskRule::AssigneeNotMember`] when a moved task's assignee is not a member of the
    /// target, or [`TaskError::Store`].
    pub async fn move_task(
        &self,
        actor: &Actor,
        id: TaskId,
        cmd: MoveTask,
    ) -> Result<Task, TaskError> {
        let task = self.writable(actor, id).await?;
        let target = self.projects.get(cmd.project_id).await?.ok_or(TaskError::ProjectNotFound)?;
        let relation = self.relation(actor, &task).await?;
        let in_target = self.is_member(actor, target.id).await?;
        match policy::move_task(actor, relation, in_target) {
            Decision::Allow => {}
            Decision::Forbidden => return Err(TaskError::Forbidden),
            // `writable` already showed the task is visible, so it is the target that is not.
            Decision::NotFound => return Err(TaskError::ProjectNotFound),
        }
        check_if_match(cmd.if_match, task.version)?;
        if target.id == task.project_id {
            return Ok(task);
        }
        let descendants = self.tasks.descendants(id).await?;
        let members: HashSet<UserId> =
            self.projects.members(target.id).await?.into_iter().map(|m| m.user_id).collect();
        let orphaned = std::iter::once(&task)
            .chain(&descendants)
            .filter_map(|t| t.assignee_id)
            .any(|a| !members.contains(&a));
        if orphaned {
            return Err(TaskRule::AssigneeNotMember.into());
        }
        let now = self.clock.now();
        let draft = EntryDraft {
            project_id: target.id,
            actor: actor.user_id,
            at: now,
            change: crate::model::Change::Task {
                task_id: id,
                change: TaskChange::Moved(FieldChange {
                    before: task.project_id,
                    after: target.id,
                }),
            },
        };
        let (moved, entry) =
            match self.tasks.move_tree(id, target.id, task.version, now, &draft).await {
                Ok(moved) => moved,
                Err(RepositoryError::VersionConflict(_)) => {
                    return Err(self.stale(id, cmd.if_match).await);
                }
                Err(RepositoryError::NotFound(Entity::Task)) => return Err(TaskError::NotFound),
                Err(RepositoryError::MissingReference(Entity::Project)) => {
                    return Err(TaskError::ProjectNotFound);
                }
                // A task assigned to a non-member of the target joined the subtree meanwhile.
                Err(RepositoryError::MissingReference(Entity::Member)) => {
                    return Err(TaskRule::AssigneeNotMember.into());
                }
                Err(e) => return Err(e.into()),
            };
        let root = moved.first().cloned().ok_or(TaskError::NotFound)?;
        self.publish(
            actor,
            entry,
            EventKind::TaskMoved {
                task_id: id,
                from: task.project_id,
                to: target.id,
                moved: moved.iter().map(|t| t.id).collect(),
            },
        );
        Ok(root)
    }

    /// One page of the tasks the actor may see, filtered and sorted.
    ///
    /// # Errors
    /// [`TaskError::InvalidCursor`] when the cursor belongs to another sort order, or
    /// [`TaskError::Store`].
    pub async fn list(&self, actor: &Actor, request: ListTasks) -> Result<Page<Task>, TaskError> {
        if let Some(cursor) = &request.after {
            cursor.check_sort(request.sort)?;
        }
        let limit = request.limit.get();
        let query = TaskQuery {
            visibility: policy::task_visibility(actor),
            filter: request.filter,
            sort: request.sort,
            after: request.after,
            fetch: limit + 1,
        };
        let mut items = self.tasks.list(&query).await?;
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| Cursor::after(query.sort, last))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// The task after the patch and the guards its write needs; `None` if nothing changes.
    async fn apply(
        &self,
        actor: &Actor,
        before: &Task,
        cmd: UpdateTask,
    ) -> Result<Option<(Task, TreeGuards)>, TaskError> {
        let mut after = before.clone();
        if let Some(title) = cmd.title {
            after.title = title;
        }
        after.description =
            cmd.description.apply(Some(after.description)).unwrap_or_else(Description::empty);
        after.status = cmd.status.unwrap_or(after.status);
        after.priority = cmd.priority.unwrap_or(after.priority);
        after.category_id = cmd.category_id.apply(after.category_id);
        after.assignee_id = cmd.assignee_id.apply(after.assignee_id);
        after.labels = cmd.labels.apply(Some(after.labels)).unwrap_or_else(Labels::none);
        after.due_date = cmd.due_date.apply(after.due_date);
        after.parent_id = cmd.parent_id.apply(after.parent_id);
        after.is_public = cmd.is_public.unwrap_or(after.is_public);
        if after == *before {
            return Ok(None);
        }
        if let Some(category) = after.category_id.filter(|c| Some(*c) != before.category_id) {
            self.ensure_category(category).await?;
        }
        if let Some(assignee) = after.assignee_id.filter(|a| Some(*a) != before.assignee_id) {
            self.ensure_assignable(after.project_id, assignee).await?;
        }
        let mut guards = TreeGuards::none();
        if let Some(parent_id) = after.parent_id.filter(|p| Some(*p) != before.parent_id) {
            if parent_id == before.id {
                return Err(TaskRule::Cycle.into());
            }
            let parent = self.visible_parent(actor, parent_id).await?;
            let ancestors = self.tasks.ancestors(parent_id).await?;
            let height = subtree_height(before.id, &self.tasks.descendants(before.id).await?);
            // The write re-checks both facts the rules were decided on: the new parent's
            // chain is unchanged, and the task's own subtree has not grown taller.
            guards = TreeGuards {
                versions: check_parent(
                    Some(before.id),
                    after.project_id,
                    height,
                    &parent,
                    &ancestors,
                )?,
                subtree_height: Some(height),
            };
        }
        after.version = before.version.next();
        after.updated_at = self.clock.now().max(before.updated_at);
        Ok(Some((after, guards)))
    }

    fn publish(&self, actor: &Actor, entry: EntryId, kind: EventKind) {
        self.events.publish(&DomainEvent {
            actor: Some(actor.user_id),
            at: self.clock.now(),
            entry: Some(entry),
            kind,
        });
    }
}

/// Adds to `cmd` the patch that sets `change`'s field back to its "before" value.
fn undo(cmd: &mut UpdateTask, change: &TaskFieldChange) {
    fn patch<T: Clone>(value: Option<&T>) -> Patch<T> {
        value.map_or(Patch::Clear, |v| Patch::Set(v.clone()))
    }
    match change {
        TaskFieldChange::Title(c) => cmd.title = Some(c.before.clone()),
        TaskFieldChange::Description(c) => cmd.description = Patch::Set(c.before.clone()),
        TaskFieldChange::Status(c) => cmd.status = Some(c.before),
        TaskFieldChange::Priority(c) => cmd.priority = Some(c.before),
        TaskFieldChange::Category(c) => cmd.category_id = patch(c.before.as_ref()),
        TaskFieldChange::Assignee(c) => cmd.assignee_id = patch(c.before.as_ref()),
        TaskFieldChange::Labels(c) => cmd.labels = Patch::Set(c.before.clone()),
        TaskFieldChange::DueDate(c) => cmd.due_date = patch(c.before.as_ref()),
        TaskFieldChange::Parent(c) => cmd.parent_id = patch(c.before.as_ref()),
        TaskFieldChange::IsPublic(c) => cmd.is_public = Some(c.before),
    }
}

fn check_if_match(if_match: Option<Version>, current: Version) -> Result<(), TaskError> {
    match if_match {
        Some(expected) if expected != current => Err(TaskError::PreconditionFailed { current }),
        _ => Ok(()),
    }
}

/// A reference that vanished between the service's check and the write.
fn reference_error(e: RepositoryError) -> TaskError {
    match e {
        RepositoryError::MissingReference(Entity::Project) => TaskError::ProjectNotFound,
        RepositoryError::MissingReference(Entity::Task) => TaskRule::ParentNotFound.into(),
        RepositoryError::MissingReference(Entity::Category) => TaskRule::CategoryNotFound.into(),
        RepositoryError::MissingReference(Entity::User | Entity::Member) => {
            TaskRule::AssigneeNotMember.into()
        }
        other => TaskError::Store(other),
    }
}
