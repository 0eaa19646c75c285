//! The report repository: summary and top open tasks, each one aggregate statement.
//!
//! As in the listing, optional conditions are written `$n IS NULL OR …` and every connection
//! plans each execution for its bound values (`plan_cache_mode = force_custom_plan`, see
//! `database.rs`), so an absent project or visibility folds away before planning.

use std::sync::Arc;

use async_trait::async_trait;
use taskforge_domain::ports::{Entity, ReportRepository, RepositoryError};
use taskforge_domain::query::Visibility;
use taskforge_domain::reports::{SummaryGroup, TaskSummary, top_order};
use taskforge_domain::values::{CategoryName, DueDate, Status};
use taskforge_domain::{CategoryId, ProjectId, Task};
use uuid::Uuid;

use crate::codec::{get, priority, task_columns, tasks_from_rows};
use crate::database::Inner;
use crate::error::corrupt;
use crate::statements::rows;

/// [`ReportRepository`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgReports {
    db: Arc<Inner>,
}

impl PgReports {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

/// A task visible to user `$1` (NULL: everything is).
macro_rules! visible {
    ($t:literal) => {
        concat!(
            "($1::uuid IS NULL OR ",
            $t,
            ".is_public OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = ",
            $t,
            ".project_id AND m.user_id = $1))"
        )
    };
}

/// Counts per (category, status, priority) with the category's current name; `$2` the project
/// or NULL, `$3` today's day number.
pub const SUMMARY_STATEMENT: &str = concat!(
    "SELECT g.category_id, c.name, g.status, g.priority, g.n, g.overdue FROM (\
     SELECT t.category_id, t.status, t.priority, count(*) AS n, \
     count(*) FILTER (WHERE t.status <> 'done' AND t.due_date < $3::int) AS overdue \
     FROM tasks t WHERE ($2::uuid IS NULL OR t.project_id = $2) AND ",
    visible!("t"),
    " GROUP BY t.category_id, t.status, t.priority) g \
     LEFT JOIN categories c ON c.id = g.category_id"
);

/// The first `$2` open tasks of each category in rank order (priority, urgent first; due
/// date, undated last — `due_key` holds that order; id); `$3` the project or NULL.
///
/// The ranked ids are gathered into an array first (`= ANY(ARRAY(…))`), so the full rows are
/// then read by primary key: joined to the ranking instead, the planner estimated a third of
/// the ranked rows to survive and read all of `tasks` for a hash join.
pub const TOP_STATEMENT: &str = concat!(
    "SELECT ",
    task_columns!(),
    " FROM tasks t WHERE t.id = ANY(ARRAY(SELECT r.id FROM (\
     SELECT w.id, row_number() OVER (PARTITION BY w.category_id \
       ORDER BY w.priority DESC, w.due_key, w.id) AS rank \
     FROM tasks w WHERE w.status <> 'done' AND ($3::uuid IS NULL OR w.project_id = $3) AND ",
    visible!("w"),
    ") r WHERE r.rank <= $2::bigint))"
);

fn user(visibility: Visibility) -> Option<Uuid> {
    match visibility {
        Visibility::All => None,
        Visibility::MemberOrPublic(user) => Some(*user.as_uuid()),
    }
}

#[async_trait]
impl ReportRepository for PgReports {
    async fn summary(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        today: DueDate,
    ) -> Result<TaskSummary, RepositoryError> {
        let client = self.db.client().await?;
        let found = rows(
            &client,
            Entity::Task,
            SUMMARY_STATEMENT,
            &[&user(visibility), &project.map(|p| *p.as_uuid()), &today.days_since_epoch()],
        )
        .await?;
        let count = |row: &tokio_postgres::Row, idx: usize| -> Result<u64, RepositoryError> {
            let n: i64 = get(row, idx)?;
            u64::try_from(n).map_err(|_| corrupt("count", n))
        };
        let groups = found
            .iter()
            .map(|row| {
                let name: Option<&str> = get(row, 1)?;
                let status: &str = get(row, 2)?;
                Ok(SummaryGroup {
                    category_id: get::<Option<Uuid>>(row, 0)?.map(CategoryId::from_uuid),
                    category_name: name
                        .map(|n| CategoryName::parse(n).map_err(|e| corrupt("category name", e)))
                        .transpose()?,
                    status: Status::parse(status).map_err(|e| corrupt("status", e))?,
                    priority: priority(row, 3)?,
                    tasks: count(row, 4)?,
                    overdue: count(row, 5)?,
                })
            })
            .collect::<Result<Vec<_>, RepositoryError>>()?;
        Ok(TaskSummary::from_groups(groups))
    }

    async fn top_open(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        per_category: usize,
    ) -> Result<Vec<Task>, RepositoryError> {
        if per_category == 0 {
            return Ok(Vec::new());
        }
        let client = self.db.client().await?;
        let found = rows(
            &client,
            Entity::Task,
            TOP_STATEMENT,
            &[
                &user(visibility),
                &i64::try_from(per_category).unwrap_or(i64::MAX),
                &project.map(|p| *p.as_uuid()),
            ],
        )
        .await?;
        let mut tasks = tasks_from_rows(&found)?;
        tasks.sort_by(top_order);
        Ok(tasks)
    }
}
