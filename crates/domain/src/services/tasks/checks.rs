//! The facts the task use cases check before they write: may the actor change this task,
//! see this parent, assign this user, use this category — each answered from the ports, and
//! each re-checked by the store at write time where a concurrent request could change it.

use super::TaskService;
use crate::id::{CategoryId, ProjectId, TaskId, UserId};
use crate::model::Task;
use crate::policy::{self, Actor, Decision, TaskRelation};
use crate::ports::TreeGuards;
use crate::services::task_rules::check_parent;
use crate::services::{TaskError, TaskRule};
use crate::values::Version;

impl TaskService {
    /// Loads a task the actor may change.
    pub(super) async fn writable(&self, actor: &Actor, id: TaskId) -> Result<Task, TaskError> {
        let task = self.tasks.get(id).await?.ok_or(TaskError::NotFound)?;
        let relation = self.relation(actor, &task).await?;
        match policy::change_task(actor, relation) {
            Decision::Allow => Ok(task),
            Decision::Forbidden => Err(TaskError::Forbidden),
            Decision::NotFound => Err(TaskError::NotFound),
        }
    }

    /// The parent a request names, if the actor may see it. A task they may not see is
    /// reported as absent, not as "in another project", so task ids cannot be probed.
    pub(super) async fn visible_parent(
        &self,
        actor: &Actor,
        id: TaskId,
    ) -> Result<Task, TaskError> {
        let parent = self.tasks.get(id).await?.ok_or(TaskRule::ParentNotFound)?;
        let relation = self.relation(actor, &parent).await?;
        if policy::read_task(actor, relation).is_allowed() {
            Ok(parent)
        } else {
            Err(TaskRule::ParentNotFound.into())
        }
    }

    /// The guards of a new subtask of `parent_id` in `project`: the parent must be visible,
    /// in that project and shallow enough, and its chain must still be as read when the
    /// insert happens.
    pub(super) async fn subtask_guards(
        &self,
        actor: &Actor,
        project: ProjectId,
        parent_id: TaskId,
    ) -> Result<TreeGuards, TaskError> {
        let parent = self.visible_parent(actor, parent_id).await?;
        let ancestors = self.tasks.ancestors(parent_id).await?;
        let versions = check_parent(None, project, 1, &parent, &ancestors)?;
        Ok(TreeGuards { versions, subtree_height: None })
    }

    pub(super) async fn relation(
        &self,
        actor: &Actor,
        task: &Task,
    ) -> Result<TaskRelation, TaskError> {
        Ok(TaskRelation {
            is_member: self.is_member(actor, task.project_id).await?,
            is_public: task.is_public,
        })
    }

    pub(super) async fn is_member(
        &self,
        actor: &Actor,
        project: ProjectId,
    ) -> Result<bool, TaskError> {
        Ok(self.projects.is_member(project, actor.user_id).await?)
    }

    pub(super) async fn ensure_category(&self, id: CategoryId) -> Result<(), TaskError> {
        match self.categories.get(id).await? {
            Some(_) => Ok(()),
            None => Err(TaskRule::CategoryNotFound.into()),
        }
    }

    pub(super) async fn ensure_assignable(
        &self,
        project: ProjectId,
        user: UserId,
    ) -> Result<(), TaskError> {
        if self.projects.is_member(project, user).await? {
            Ok(())
        } else {
            Err(TaskRule::AssigneeNotMember.into())
        }
    }

    /// The error for a write that lost a race: a failed precondition if the client named a
    /// version, else a conflict.
    pub(super) async fn stale(&self, id: TaskId, if_match: Option<Version>) -> TaskError {
        if if_match.is_none() {
            return TaskError::Conflict;
        }
        match self.tasks.get(id).await {
            Ok(Some(current)) => TaskError::PreconditionFailed { current: current.version },
            Ok(None) => TaskError::NotFound,
            Err(e) => e.into(),
        }
    }
}
