//! The export use case: every task the caller can see, filtered and sorted as a listing,
//! handed out page by page so an exporter can write rows as they come and memory stays flat
//! however many tasks there are (`docs/api.md`, "Export").

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::TaskError;
use crate::id::{CategoryId, UserId};
use crate::model::Task;
use crate::policy::{self, Actor};
use crate::ports::{CategoryRepository, TaskRepository, UserRepository};
use crate::query::{Cursor, TaskFilter, TaskQuery, TaskSort};
use crate::values::{CategoryName, Username};

/// How many tasks one page of an export holds: big enough that per-page costs vanish, small
/// enough that a page is a few hundred kilobytes at most.
pub const EXPORT_PAGE_SIZE: usize = 500;

/// One exported task with the names an export shows instead of ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// The task, as stored.
    pub task: Task,
    /// The name of its category, if it has one.
    pub category: Option<CategoryName>,
    /// The username of its assignee, if it has one.
    pub assignee: Option<Username>,
}

/// The export use case.
#[derive(Debug, Clone)]
pub struct ExportService {
    tasks: Arc<dyn TaskRepository>,
    categories: Arc<dyn CategoryRepository>,
    users: Arc<dyn UserRepository>,
}

impl ExportService {
    /// Wires the service to its ports.
    #[must_use]
    pub fn new(
        tasks: Arc<dyn TaskRepository>,
        categories: Arc<dyn CategoryRepository>,
        users: Arc<dyn UserRepository>,
    ) -> Self {
        Self { tasks, categories, users }
    }

    /// Starts exporting the tasks the actor can see ([`policy::task_visibility`], exactly as
    /// a listing) that match `filter`, in `sort` order. Nothing is read yet; pages are read by
    /// [`TaskExport::next_page`].
    ///
    /// # Errors
    /// [`TaskError::Store`].
    pub async fn start(
        &self,
        actor: &Actor,
        filter: TaskFilter,
        sort: TaskSort,
    ) -> Result<TaskExport, TaskError> {
        Ok(TaskExport {
            service: self.clone(),
            query: TaskQuery {
                visibility: policy::task_visibility(actor),
                filter,
                sort,
                after: None,
                fetch: EXPORT_PAGE_SIZE + 1,
            },
            finished: false,
            pages_read: 0,
        })
    }
}

/// An export in progress: a keyset cursor over the listing. Each page costs a constant number
/// of repository calls — one `TaskRepository::list`, one `UserRepository::usernames` for the
/// page's assignees and one `CategoryRepository::names` for its categories, each by key —
/// whatever the page holds (no N+1), and however many categories exist.
#[derive(Debug)]
pub struct TaskExport {
    service: ExportService,
    query: TaskQuery,
    finished: bool,
    pages_read: usize,
}

impl TaskExport {
    /// The next page of at most [`EXPORT_PAGE_SIZE`] rows, or `None` when every task has
    /// been handed out. Tasks inserted or changed meanwhile appear or not as a listing's next
    /// page would show them (keyset pagination: no task twice, none skipped that stayed put).
    ///
    /// # Errors
    /// [`TaskError::Store`]; the export can be retried from where it stopped.
    pub async fn next_page(&mut self) -> Result<Option<Vec<ExportRow>>, TaskError> {
        if self.finished {
            return Ok(None);
        }
        let mut tasks = self.service.tasks.list(&self.query).await?;
        self.pages_read += 1;
        if tasks.len() > EXPORT_PAGE_SIZE {
            tasks.truncate(EXPORT_PAGE_SIZE);
        } else {
            self.finished = true;
        }
        match tasks.last() {
            Some(last) => self.query.after = Some(Cursor::after(self.query.sort, last)),
            None => return Ok(None),
        }
        let categories: HashSet<CategoryId> = tasks.iter().filter_map(|t| t.category_id).collect();
        let category_names = if categories.is_empty() {
            HashMap::new()
        } else {
            let ids: Vec<CategoryId> = categories.into_iter().collect();
            self.service.categories.names(&ids).await?
        };
        let assignees: HashSet<UserId> = tasks.iter().filter_map(|t| t.assignee_id).collect();
        let usernames = if assignees.is_empty() {
            HashMap::new()
        } else {
            let ids: Vec<UserId> = assignees.into_iter().collect();
            self.service.users.usernames(&ids).await?
        };
        let rows = tasks
            .into_iter()
            .map(|task| ExportRow {
                category: task.category_id.and_then(|c| category_names.get(&c).cloned()),
                assignee: task.assignee_id.and_then(|a| usernames.get(&a).cloned()),
                task,
            })
            .collect();
        Ok(Some(rows))
    }

    /// True when every page has been handed out.
    #[must_use]
    pub const fn is_finished(&self) -> bool {
        self.finished
    }

    /// How many pages have been read from the repository so far.
    #[must_use]
    pub const fn pages_read(&self) -> usize {
        self.pages_read
    }
}
