//! Report use cases: the summary counts and the top open tasks per category (`docs/api.md`,
//! "Reports").

use std::sync::Arc;

use super::ReportError;
use crate::id::{CategoryId, ProjectId};
use crate::model::Task;
use crate::policy::{self, Actor, Decision};
use crate::ports::Clock;
use crate::ports::{CategoryRepository, ProjectRepository, ReportRepository};
use crate::reports::{TaskSummary, TopCategory, rank_order};
use crate::values::{CategoryName, DueDate, PerCategory};

/// A summary as the caller asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryReport {
    /// The project it is restricted to, if any.
    pub project_id: Option<ProjectId>,
    /// The day "overdue" was measured against (UTC, from the clock).
    pub today: DueDate,
    /// The counts.
    pub summary: TaskSummary,
}

/// The report use cases. Reports count exactly the tasks a listing would show the caller
/// ([`policy::task_visibility`]); a project filter must name a project the caller can see.
#[derive(Debug, Clone)]
pub struct ReportService {
    reports: Arc<dyn ReportRepository>,
    projects: Arc<dyn ProjectRepository>,
    categories: Arc<dyn CategoryRepository>,
    clock: Arc<dyn Clock>,
}

impl ReportService {
    /// Wires the service to its ports.
    #[must_use]
    pub fn new(
        reports: Arc<dyn ReportRepository>,
        projects: Arc<dyn ProjectRepository>,
        categories: Arc<dyn CategoryRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { reports, projects, categories, clock }
    }

    /// Counts by status, priority and category, and the overdue count, of every task the
    /// actor can see — of `project` only when given. "Overdue" is measured against today's
    /// date in UTC according to the clock.
    ///
    /// # Errors
    /// [`ReportError::ProjectNotFound`] when `project` does not exist or the actor may not
    /// see it (members and admins only: public tasks do not make their project visible), or
    /// [`ReportError::Store`].
    pub async fn summary(
        &self,
        actor: &Actor,
        project: Option<ProjectId>,
    ) -> Result<SummaryReport, ReportError> {
        if let Some(id) = project {
            self.visible_project(actor, id).await?;
        }
        let today = self.clock.now().date();
        let summary = self.reports.summary(policy::task_visibility(actor), project, today).await?;
        Ok(SummaryReport { project_id: project, today, summary })
    }

    /// The first `per_category` open tasks of each category the actor can see — of
    /// `project` only when given — ranked by priority (urgent first), then due date (earliest
    /// first, undated last), then id. Categories come in name order (ignoring case), the
    /// uncategorised tasks last; a category without open visible tasks is left out.
    ///
    /// # Errors
    /// [`ReportError::ProjectNotFound`] when `project` does not exist or the actor may not
    /// see it (as for [`ReportService::summary`]), or [`ReportError::Store`].
    pub async fn top_open(
        &self,
        actor: &Actor,
        project: Option<ProjectId>,
        per_category: PerCategory,
    ) -> Result<Vec<TopCategory>, ReportError> {
        if let Some(id) = project {
            self.visible_project(actor, id).await?;
        }
        let visibility = policy::task_visibility(actor);
        let mut tasks = self.reports.top_open(visibility, project, per_category.get()).await?;
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        // Only the categories of these tasks, each by key, however many categories exist.
        let mut ids: Vec<CategoryId> = tasks.iter().filter_map(|t| t.category_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let names = self.categories.names(&ids).await?;
        let mut named: Vec<(CategoryId, CategoryName)> = names.into_iter().collect();
        named.sort_by_cached_key(|(id, name)| (name.unique_key(), *id));
        let mut groups: Vec<TopCategory> = Vec::new();
        for (id, name) in named {
            let (mine, rest): (Vec<Task>, Vec<Task>) =
                tasks.into_iter().partition(|t| t.category_id == Some(id));
            tasks = rest;
            groups.push(group(Some(id), Some(name), mine));
        }
        // Left: the uncategorised, and tasks of a category deleted since they were read.
        let (none, orphans): (Vec<Task>, Vec<Task>) =
            tasks.into_iter().partition(|t| t.category_id.is_none());
        let mut orphan_ids: Vec<_> = orphans.iter().filter_map(|t| t.category_id).collect();
        orphan_ids.dedup();
        for id in orphan_ids {
            let mine = orphans.iter().filter(|t| t.category_id == Some(id)).cloned().collect();
            groups.push(group(Some(id), None, mine));
        }
        if !none.is_empty() {
            groups.push(group(None, None, none));
        }
        Ok(groups)
    }

    async fn visible_project(&self, actor: &Actor, id: ProjectId) -> Result<(), ReportError> {
        self.projects.get(id).await?.ok_or(ReportError::ProjectNotFound)?;
        let is_member = self.projects.is_member(id, actor.user_id).await?;
        match policy::read_project(actor, is_member) {
            Decision::Allow => Ok(()),
            Decision::Forbidden | Decision::NotFound => Err(ReportError::ProjectNotFound),
        }
    }
}

fn group(
    category_id: Option<crate::id::CategoryId>,
    name: Option<crate::values::CategoryName>,
    mut tasks: Vec<Task>,
) -> TopCategory {
    tasks.sort_by(rank_order);
    TopCategory { category_id, name, tasks }
}
