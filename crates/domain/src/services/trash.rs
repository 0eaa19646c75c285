//! Trash use cases: list what was deleted, restore a subtree, purge it for good.

use std::collections::HashMap;
use std::sync::Arc;

use super::TaskError;
use crate::events::{DomainEvent, EventKind};
use crate::id::{CategoryId, ProjectId, TaskId};
use crate::model::{
    EntryDraft, FieldChange, Project, Task, TaskChange, TaskFieldChange, TrashedSubtree,
};
use crate::policy::{self, Actor, Decision};
use crate::ports::{
    CategoryRepository, Clock, Entity, EventPublisher, ProjectRepository, RepositoryError,
    TrashRepository,
};
use crate::query::Page;
use crate::values::{PageLimit, Timestamp};

/// How often a restore re-plans when a category or a membership changed between its look
/// and its write.
const RESTORE_ATTEMPTS: usize = 3;

/// The trash: deleted task subtrees, for whoever may see their project.
///
/// A subtree whose project was deleted is visible (listed, restored to a 409, purged) to
/// admins only: nobody else can be told what the project was.
#[derive(Debug, Clone)]
pub struct TrashService {
    trash: Arc<dyn TrashRepository>,
    projects: Arc<dyn ProjectRepository>,
    categories: Arc<dyn CategoryRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventPublisher>,
}

impl TrashService {
    /// Wires the service to its ports.
    #[must_use]
    pub fn new(
        trash: Arc<dyn TrashRepository>,
        projects: Arc<dyn ProjectRepository>,
        categories: Arc<dyn CategoryRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventPublisher>,
    ) -> Self {
        Self { trash, projects, categories, clock, events }
    }

    /// One page of a project's trash, by root id, after `after` when given.
    ///
    /// # Errors
    /// [`TaskError::ProjectNotFound`] when the actor may not see the project (or it is gone
    /// and they are no admin), or [`TaskError::Store`].
    pub async fn list(
        &self,
        actor: &Actor,
        project: ProjectId,
        after: Option<TaskId>,
        limit: PageLimit,
    ) -> Result<Page<TrashedSubtree, TaskId>, TaskError> {
        // Checks that the actor may see the project, or the trash of a deleted one.
        self.project(actor, project).await.map_err(|e| match e {
            TaskError::NotFound => TaskError::ProjectNotFound,
            other => other,
        })?;
        let mut items = self.trash.list(project, after, limit.get() + 1).await?;
        let next_cursor = if items.len() > limit.get() {
            items.truncate(limit.get());
            items.last().map(|t| t.root)
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Brings the subtree of `root` back, all or nothing, for a writer of its project. A
    /// category deleted meanwhile is cleared, and so is an assignee who is no longer a member
    /// (the root's clearings are recorded in the `restored` entry). Every restored task's
    /// version goes up by one.
    ///
    /// # Errors
    /// [`TaskError::NotFound`] when `root` is not a trashed subtree the actor may see,
    /// [`TaskError::Forbidden`] for a viewer, [`TaskError::ProjectGone`] or
    /// [`TaskError::ParentGone`] (409s), [`TaskError::Conflict`] when its references kept
    /// changing, or [`TaskError::Store`].
    pub async fn restore(&self, actor: &Actor, root: TaskId) -> Result<Task, TaskError> {
        for _ in 0..RESTORE_ATTEMPTS {
            let trashed = self.trash.get(root).await?.ok_or(TaskError::NotFound)?;
            let Some((_, is_member)) = self.visible(actor, trashed.project_id).await? else {
                return Err(TaskError::ProjectGone);
            };
            match policy::create_task(actor, is_member) {
                Decision::Allow => {}
                Decision::Forbidden => return Err(TaskError::Forbidden),
                Decision::NotFound => return Err(TaskError::NotFound),
            }
            let (tasks, cleared) = self.plan(&trashed).await?;
            let Some(first) = tasks.first().cloned() else { return Err(TaskError::NotFound) };
            let draft = EntryDraft::task(
                &first,
                actor.user_id,
                first.updated_at,
                TaskChange::Restored { cleared },
            );
            match self.trash.restore(root, &tasks, &draft).await {
                Ok(entry) => {
                    self.events.publish(&DomainEvent {
                        actor: Some(actor.user_id),
                        at: self.clock.now(),
                        entry: Some(entry),
                        kind: EventKind::TaskRestored {
                            task_id: root,
                            project_id: trashed.project_id,
                            restored: tasks.iter().map(|t| t.id).collect(),
                        },
                    });
                    return Ok(first);
                }
                Err(RepositoryError::NotFound(_)) => return Err(TaskError::NotFound),
                Err(RepositoryError::MissingReference(Entity::Project)) => {
                    return Err(TaskError::ProjectGone);
                }
                Err(RepositoryError::MissingReference(Entity::Task)) => {
                    return Err(TaskError::ParentGone);
                }
                // A category or a membership changed since the plan: plan again.
                Err(RepositoryError::MissingReference(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(TaskError::Conflict)
    }

    /// Purges the subtree of `root` for good: its project's owner (while an editor) or an
    /// admin.
    ///
    /// # Errors
    /// [`TaskError::NotFound`] when `root` is not a trashed subtree the actor may see,
    /// [`TaskError::Forbidden`] for other members, or [`TaskError::Store`].
    pub async fn purge(&self, actor: &Actor, root: TaskId) -> Result<(), TaskError> {
        let trashed = self.trash.get(root).await?.ok_or(TaskError::NotFound)?;
        let decision = match self.visible(actor, trashed.project_id).await? {
            Some((project, is_member)) => {
                policy::manage_project(actor, is_member, project.owner_id == actor.user_id)
            }
            // Only admins see the trash of a project that is gone.
            None => Decision::Allow,
        };
        match decision {
            Decision::Allow => {}
            Decision::Forbidden => return Err(TaskError::Forbidden),
            Decision::NotFound => return Err(TaskError::NotFound),
        }
        match self.trash.purge(root).await {
            Ok(()) => {}
            Err(RepositoryError::NotFound(_)) => return Err(TaskError::NotFound),
            Err(e) => return Err(e.into()),
        }
        self.events.publish(&DomainEvent {
            actor: Some(actor.user_id),
            at: self.clock.now(),
            entry: None,
            kind: EventKind::TaskPurged { task_id: root, project_id: trashed.project_id },
        });
        Ok(())
    }

    /// Purges every subtree trashed before `before` (the retention sweep); returns how many.
    ///
    /// # Errors
    /// [`RepositoryError`] of the store.
    pub async fn purge_trashed_before(&self, before: Timestamp) -> Result<usize, RepositoryError> {
        self.trash.purge_trashed_before(before).await
    }

    /// The project and whether the actor is a member; `ProjectNotFound` when the actor may
    /// not see it, `None` inside when it is gone (and the actor is an admin).
    async fn project(
        &self,
        actor: &Actor,
        id: ProjectId,
    ) -> Result<(Option<Project>, bool), TaskError> {
        match self.visible(actor, id).await? {
            Some((project, is_member)) => Ok((Some(project), is_member)),
            None => Ok((None, false)),
        }
    }

    /// `Some((project, is_member))` when the project exists and the actor may read it;
    /// `None` when it is gone and the actor is an admin; otherwise `NotFound`.
    async fn visible(
        &self,
        actor: &Actor,
        id: ProjectId,
    ) -> Result<Option<(Project, bool)>, TaskError> {
        let Some(project) = self.projects.get(id).await? else {
            return match policy::see_trash_of_deleted_project(actor) {
                Decision::Allow => Ok(None),
                Decision::Forbidden | Decision::NotFound => Err(TaskError::NotFound),
            };
        };
        let is_member = self.projects.is_member(id, actor.user_id).await?;
        match policy::read_project(actor, is_member) {
            Decision::Allow => Ok(Some((project, is_member))),
            Decision::Forbidden | Decision::NotFound => Err(TaskError::NotFound),
        }
    }

    /// The tasks as they will be restored, and the root's cleared references.
    async fn plan(
        &self,
        trashed: &TrashedSubtree,
    ) -> Result<(Vec<Task>, Vec<TaskFieldChange>), TaskError> {
        let now = self.clock.now();
        let members: Vec<_> = self
            .projects
            .members(trashed.project_id)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        let mut categories: HashMap<CategoryId, bool> = HashMap::new();
        let mut tasks = Vec::with_capacity(trashed.tasks.len());
        let mut cleared = Vec::new();
        for task in &trashed.tasks {
            let mut restored = task.clone();
            if let Some(category) = task.category_id {
                let exists = match categories.get(&category) {
                    Some(known) => *known,
                    None => {
                        let found = self.categories.get(category).await?.is_some();
                        categories.insert(category, found);
                        found
                    }
                };
                if !exists {
                    restored.category_id = None;
                    if task.id == trashed.root {
                        cleared.push(TaskFieldChange::Category(FieldChange {
                            before: task.category_id,
                            after: None,
                        }));
                    }
                }
            }
            if task.assignee_id.is_some_and(|a| !members.contains(&a)) {
                restored.assignee_id = None;
                if task.id == trashed.root {
                    cleared.push(TaskFieldChange::Assignee(FieldChange {
                        before: task.assignee_id,
                        after: None,
                    }));
                }
            }
            restored.version = task.version.next();
            restored.updated_at = now.max(task.updated_at);
            tasks.push(restored);
        }
        Ok((tasks, cleared))
    }
}
