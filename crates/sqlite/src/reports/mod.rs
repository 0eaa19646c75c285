//! The report repository: one aggregate statement per call (see `sql.rs` for the statements
//! and why they read only indexes).

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use taskforge_domain::ports::{Entity, ReportRepository, RepositoryError};
use taskforge_domain::query::Visibility;
use taskforge_domain::reports::{SummaryGroup, TaskSummary, top_order};
use taskforge_domain::values::{CategoryName, DueDate, Priority, Status};
use taskforge_domain::{CategoryId, ProjectId, Task};

use crate::codec::{opt_bytes16, task_from_row};
use crate::connections::Connections;
use crate::error::{corrupt, map_err};

/// The statements.
mod sql;

pub use sql::{summary_statement, top_statement};

/// [`ReportRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteReports {
    db: Arc<Connections>,
}

impl SqliteReports {
    pub(crate) const fn new(db: Arc<Connections>) -> Self {
        Self { db }
    }
}

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::Task, e)
}

fn user_value(visibility: Visibility) -> Value {
    match visibility {
        Visibility::All => Value::Null,
        Visibility::MemberOrPublic(user) => Value::Blob(user.to_bytes().to_vec()),
    }
}

/// The parameters `?1…?3` of [`summary_statement`], as [`summary_on`] binds them.
#[must_use]
pub fn summary_parameters(
    visibility: Visibility,
    project: Option<ProjectId>,
    today: DueDate,
) -> Vec<Value> {
    vec![
        user_value(visibility),
        project_value(project),
        Value::Integer(i64::from(today.days_since_epoch())),
    ]
}

/// The parameters `?1…?3` of [`top_statement`], as [`top_open_on`] binds them.
#[must_use]
pub fn top_parameters(
    visibility: Visibility,
    project: Option<ProjectId>,
    per_category: usize,
) -> Vec<Value> {
    vec![
        user_value(visibility),
        Value::Integer(i64::try_from(per_category).unwrap_or(i64::MAX)),
        project_value(project),
    ]
}

fn project_value(project: Option<ProjectId>) -> Value {
    project.map_or(Value::Null, |p| Value::Blob(p.to_bytes().to_vec()))
}

/// Binds `params` to the first parameters of `stmt` (a statement may not use them all).
fn bind(stmt: &mut rusqlite::Statement<'_>, params: Vec<Value>) -> rusqlite::Result<()> {
    let count = stmt.parameter_count();
    for (index, value) in (1..).zip(params) {
        if index <= count {
            stmt.raw_bind_parameter(index, value)?;
        }
    }
    Ok(())
}

fn group_from_row(row: &Row<'_>) -> rusqlite::Result<SummaryGroup> {
    let name: Option<String> = row.get(1)?;
    let status: String = row.get(2)?;
    let priority: i64 = row.get(3)?;
    let count = |idx: usize| -> rusqlite::Result<u64> {
        let n: i64 = row.get(idx)?;
        u64::try_from(n).map_err(|_| corrupt("count", n))
    };
    Ok(SummaryGroup {
        category_id: opt_bytes16(row, 0)?.map(CategoryId::from_bytes),
        category_name: name
            .map(|n| CategoryName::parse(&n).map_err(|e| corrupt("category name", e)))
            .transpose()?,
        status: Status::parse(&status).map_err(|e| corrupt("status", e))?,
        priority: u8::try_from(priority)
            .ok()
            .and_then(Priority::from_rank)
            .ok_or_else(|| corrupt("priority", priority))?,
        tasks: count(4)?,
        overdue: count(5)?,
    })
}

/// Runs the summary on `conn` (a pooled reader, or a test's traced connection).
///
/// # Errors
/// Whatever SQLite reports, or a corrupt row.
pub fn summary_on(
    conn: &Connection,
    visibility: Visibility,
    project: Option<ProjectId>,
    today: DueDate,
) -> rusqlite::Result<TaskSummary> {
    let sql = summary_statement(visibility, project.is_some());
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, summary_parameters(visibility, project, today))?;
    let mut rows = stmt.raw_query();
    let mut groups = Vec::new();
    while let Some(row) = rows.next()? {
        groups.push(group_from_row(row)?);
    }
    Ok(TaskSummary::from_groups(groups))
}

/// Runs the top-open-tasks ranking on `conn`.
///
/// # Errors
/// Whatever SQLite reports, or a corrupt row.
pub fn top_open_on(
    conn: &Connection,
    visibility: Visibility,
    project: Option<ProjectId>,
    per_category: usize,
) -> rusqlite::Result<Vec<Task>> {
    if per_category == 0 {
        return Ok(Vec::new());
    }
    let sql = top_statement(visibility, project.is_some());
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, top_parameters(visibility, project, per_category))?;
    let mut rows = stmt.raw_query();
    let mut tasks = Vec::new();
    while let Some(row) = rows.next()? {
        tasks.push(task_from_row(row)?);
    }
    // The statement ranks; the answer's order is the domain's, defined once.
    tasks.sort_by(top_order);
    Ok(tasks)
}

#[async_trait]
impl ReportRepository for SqliteReports {
    async fn summary(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        today: DueDate,
    ) -> Result<TaskSummary, RepositoryError> {
        self.db.read(move |conn| summary_on(conn, visibility, project, today).map_err(err)).await
    }

    async fn top_open(
        &self,
        visibility: Visibility,
        project: Option<ProjectId>,
        per_category: usize,
    ) -> Result<Vec<Task>, RepositoryError> {
        self.db
            .read(move |conn| top_open_on(conn, visibility, project, per_category).map_err(err))
            .await
    }
}
