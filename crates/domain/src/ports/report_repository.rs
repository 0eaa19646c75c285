use async_trait::async_trait;

use super::RepositoryError;
use crate::id::ProjectId;
use crate::model::Task;
use crate::query::Visibility;
use crate::reports::TaskSummary;
use crate::values::DueDate;

/// Aggregate reads over tasks for the reports (`docs/api.md`, "Reports"): read-only, and each call
/// answers from one consistent snapshot with a constant number of statements, however many tasks
/// there are (an adapter aggregates in the store, it does not load every task).
///
/// Visibility is the same as [`super::TaskRepository::list`]'s: with
/// [`Visibility::MemberOrPublic`] a task counts when the user is a member of its project or it
/// is public. The caller (the report use case) decides who may ask about which project.
#[async_trait]
pub trait ReportRepository: Send + Sync + std::fmt::Debug {
    /// The counts of the tasks visible under `visibility` — of project `project` only when
    /// given (an unknown project has no tasks: an empty summary) — as
    /// [`TaskSummary::from_groups`] rolls them up: by status, by priority, by category with
    /// the category's current name and how many of its tasks are done (uncategorised tasks
    /// form one entry with neither id nor name), and how many are overdue — open
    /// ([`crate::values::Status::is_open`]) with a due date strictly before `today`.
    ///
    /// # Errors
    /// Only storage failures.
    async fn summary(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        today: DueDate,
    ) -> Result<TaskSummary, RepositoryError>;

    /// For each category — the uncategorised tasks forming one group of their own — the first
    /// `per_category` open tasks visible under `visibility` — of project `project` only when
    /// given (an unknown project has no tasks: an empty answer) — in
    /// [`rank_order`](crate::reports::rank_order) (priority, urgent first; due date, earliest
    /// first, undated last; id). Returned as stored (labels included) in
    /// [`top_order`](crate::reports::top_order): grouped by category id, the uncategorised
    /// group first, each group in rank order. Categories without open visible tasks do not
    /// appear; `per_category` 0 returns nothing.
    ///
    /// # Errors
    /// Only storage failures.
    async fn top_open(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        per_category: usize,
    ) -> Result<Vec<Task>, RepositoryError>;
}
