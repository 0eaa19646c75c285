//! An example of implementing one of TaskForge's ports outside the repository's adapters.
//!
//! [`ListingReports`] answers the [`ReportRepository`] port without a store of its own: it
//! reads the visible tasks through any [`TaskRepository::list`] and the category names
//! through any [`CategoryRepository::names`], then counts and ranks them in memory with the
//! domain's own rules ([`TaskSummary::from_groups`], [`top_order`]). That trades the port's
//! "constant number of statements" promise for an adapter of some thirty lines that works
//! over every store — fine for a small deployment or a prototype store that has no
//! aggregates yet.
//!
//! `tests/contract.rs` plugs it into the in-memory store in place of that store's own report
//! repository and runs the whole contract suite of `taskforge-testkit` against the result.

use std::sync::Arc;

use async_trait::async_trait;
use taskforge_domain::ports::{
    CategoryRepository, ReportRepository, RepositoryError, TaskRepository,
};
use taskforge_domain::query::{TaskFilter, TaskQuery, TaskSort, Visibility};
use taskforge_domain::reports::{SummaryGroup, TaskSummary, top_order};
use taskforge_domain::values::DueDate;
use taskforge_domain::{CategoryId, ProjectId, Task};

/// A [`ReportRepository`] computed from the task listing and the category names of another
/// store's repositories.
#[derive(Debug, Clone)]
pub struct ListingReports {
    tasks: Arc<dyn TaskRepository>,
    categories: Arc<dyn CategoryRepository>,
}

impl ListingReports {
    /// Reports over the tasks of `tasks`, naming categories through `categories`.
    #[must_use]
    pub fn new(tasks: Arc<dyn TaskRepository>, categories: Arc<dyn CategoryRepository>) -> Self {
        Self { tasks, categories }
    }

    /// Every task visible under `visibility`, of `project` only when given, in one listing.
    async fn visible(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
    ) -> Result<Vec<Task>, RepositoryError> {
        let query = TaskQuery {
            visibility,
            filter: TaskFilter { project_id: project, ..TaskFilter::default() },
            sort: TaskSort::default(),
            after: None,
            fetch: usize::MAX,
        };
        self.tasks.list(&query).await
    }
}

#[async_trait]
impl ReportRepository for ListingReports {
    async fn summary(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        today: DueDate,
    ) -> Result<TaskSummary, RepositoryError> {
        let tasks = self.visible(visibility, project).await?;
        let mut ids: Vec<CategoryId> = tasks.iter().filter_map(|t| t.category_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let names = self.categories.names(&ids).await?;
        Ok(TaskSummary::from_groups(tasks.iter().map(|t| SummaryGroup {
            category_id: t.category_id,
            category_name: t.category_id.and_then(|c| names.get(&c).cloned()),
            status: t.status,
            priority: t.priority,
            tasks: 1,
            overdue: u64::from(t.is_overdue(today)),
        })))
    }

    async fn top_open(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        per_category: usize,
    ) -> Result<Vec<Task>, RepositoryError> {
        let mut open: Vec<Task> = self
            .visible(visibility, project)
            .await?
            .into_iter()
            .filter(|t| t.status.is_open())
            .collect();
        open.sort_by(top_order);
        let mut kept: Vec<Task> = Vec::new();
        let mut in_group = 0;
        for task in open {
            let same_group = kept.last().is_some_and(|k| k.category_id == task.category_id);
            in_group = if same_group { in_group + 1 } else { 1 };
            if in_group <= per_category {
                kept.push(task);
            }
        }
        Ok(kept)
    }
}
