//! Report responses.

use serde::Serialize;
use taskforge_domain::CategoryId;
use taskforge_domain::reports::{CategoryCount, TopCategory};
use taskforge_domain::services::SummaryReport;
use taskforge_domain::values::{CategoryName, Priority, Status};
use utoipa::ToSchema;

use super::TaskResponse;

/// The name shown for the uncategorised tasks.
const NO_CATEGORY: &str = "none";
/// The name shown for a category deleted while the report was computed.
const UNKNOWN_CATEGORY: &str = "unknown";

fn category_name(id: Option<CategoryId>, name: Option<&CategoryName>) -> String {
    match (id, name) {
        (_, Some(name)) => name.to_string(),
        (None, None) => NO_CATEGORY.to_owned(),
        (Some(_), None) => UNKNOWN_CATEGORY.to_owned(),
    }
}

/// Tasks per status (every status, zeros included).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCounts {
    /// To do.
    pub todo: u64,
    /// In progress.
    pub in_progress: u64,
    /// Done.
    pub done: u64,
}

/// Tasks per priority (every priority, zeros included).
#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityCounts {
    /// Low.
    pub low: u64,
    /// Medium.
    pub medium: u64,
    /// High.
    pub high: u64,
    /// Urgent.
    pub urgent: u64,
}

/// The tasks of one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryCountResponse {
    /// The category; `null` for the uncategorised tasks.
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    /// Its name; `none` for the uncategorised tasks.
    pub name: String,
    /// How many tasks.
    pub total: u64,
    /// How many of them are done.
    pub done: u64,
}

impl From<&CategoryCount> for CategoryCountResponse {
    fn from(c: &CategoryCount) -> Self {
        Self {
            category_id: c.category_id.map(|id| id.to_string()),
            name: category_name(c.category_id, c.name.as_ref()),
            total: c.total,
            done: c.done,
        }
    }
}

/// `GET /api/v1/reports/summary`: counts of the tasks the caller can see.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryResponse {
    /// The project the counts are restricted to; `null` for every visible task.
    #[schema(format = Uuid)]
    pub project_id: Option<String>,
    /// The day (UTC) "overdue" is measured against, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub today: String,
    /// How many tasks.
    pub total: u64,
    /// By status.
    pub by_status: StatusCounts,
    /// By priority.
    pub by_priority: PriorityCounts,
    /// By category, by name ignoring case, uncategorised (`none`) last; only categories that
    /// have tasks.
    pub by_category: Vec<CategoryCountResponse>,
    /// Open tasks due before today.
    pub overdue: u64,
}

impl From<&SummaryReport> for SummaryResponse {
    fn from(r: &SummaryReport) -> Self {
        let s = &r.summary;
        Self {
            project_id: r.project_id.map(|p| p.to_string()),
            today: r.today.to_string(),
            total: s.total(),
            by_status: StatusCounts {
                todo: s.with_status(Status::Todo),
                in_progress: s.with_status(Status::InProgress),
                done: s.with_status(Status::Done),
            },
            by_priority: PriorityCounts {
                low: s.with_priority(Priority::Low),
                medium: s.with_priority(Priority::Medium),
                high: s.with_priority(Priority::High),
                urgent: s.with_priority(Priority::Urgent),
            },
            by_category: s.by_category().iter().map(CategoryCountResponse::from).collect(),
            overdue: s.overdue(),
        }
    }
}

/// The top open tasks of one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopCategoryResponse {
    /// The category; `null` for the uncategorised tasks.
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    /// Its name; `none` for the uncategorised tasks.
    pub name: String,
    /// Open tasks: urgent first, then earliest due date (undated last), then oldest.
    pub tasks: Vec<TaskResponse>,
}

impl From<&TopCategory> for TopCategoryResponse {
    fn from(c: &TopCategory) -> Self {
        Self {
            category_id: c.category_id.map(|id| id.to_string()),
            name: category_name(c.category_id, c.name.as_ref()),
            tasks: c.tasks.iter().map(TaskResponse::from).collect(),
        }
    }
}

/// `GET /api/v1/reports/top`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopResponse {
    /// The project the ranking is restricted to; `null` for every visible task.
    #[schema(format = Uuid)]
    pub project_id: Option<String>,
    /// How many tasks per category were asked for.
    pub per_category: usize,
    /// The categories with open tasks, by name ignoring case, uncategorised (`none`) last.
    pub categories: Vec<TopCategoryResponse>,
}
