use async_trait::async_trait;
use taskforge_domain::ports::{ReportRepository, RepositoryError};
use taskforge_domain::query::Visibility;
use taskforge_domain::reports::{SummaryGroup, TaskSummary, top_order};
use taskforge_domain::values::DueDate;
use taskforge_domain::{ProjectId, Task};

use crate::MemoryDatabase;
use crate::state::State;

/// [`ReportRepository`] over a [`MemoryDatabase`]: the same answers as the SQLite aggregate
/// queries, computed in one pass over the tasks under the store's lock.
#[derive(Debug, Clone)]
pub struct MemoryReportRepository {
    db: MemoryDatabase,
}

impl MemoryReportRepository {
    /// A repository over `db`.
    #[must_use]
    pub fn new(db: MemoryDatabase) -> Self {
        Self { db }
    }
}

fn visible(state: &State, visibility: Visibility) -> impl Iterator<Item = &Task> {
    state.tasks.values().filter(move |t| match visibility {
        Visibility::All => true,
        Visibility::MemberOrPublic(user) => t.is_public || state.is_member(t.project_id, user),
    })
}

#[async_trait]
impl ReportRepository for MemoryReportRepository {
    async fn summary(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        today: DueDate,
    ) -> Result<TaskSummary, RepositoryError> {
        let state = self.db.lock();
        let groups = visible(&state, visibility)
            .filter(|t| project.is_none_or(|p| t.project_id == p))
            .map(|t| SummaryGroup {
                category_id: t.category_id,
                category_name: t
                    .category_id
                    .and_then(|c| state.categories.get(&c))
                    .map(|c| c.name.clone()),
                status: t.status,
                priority: t.priority,
                tasks: 1,
                overdue: u64::from(t.is_overdue(today)),
            })
            .collect::<Vec<_>>();
        Ok(TaskSummary::from_groups(groups))
    }

    async fn top_open(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        per_category: usize,
    ) -> Result<Vec<Task>, RepositoryError> {
        let state = self.db.lock();
        let mut open: Vec<&Task> = visible(&state, visibility)
            .filter(|t| t.status.is_open() && project.is_none_or(|p| t.project_id == p))
            .collect();
        open.sort_by(|a, b| top_order(a, b));
        let mut kept: Vec<Task> = Vec::new();
        let mut in_group = 0;
        for task in open {
            let same_group = kept.last().is_some_and(|k| k.category_id == task.category_id);
            in_group = if same_group { in_group + 1 } else { 1 };
            if in_group <= per_category {
                kept.push(task.clone());
            }
        }
        Ok(kept)
    }
}
