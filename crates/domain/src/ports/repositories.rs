use std::sync::Arc;

use super::{
    CategoryRepository, HistoryRepository, ProjectRepository, RefreshTokenRepository,
    ReportRepository, TaskRepository, TrashRepository, UserRepository,
};

/// Every repository port of one store, as the app wires them and the contract suite takes
/// them. All eight must share one underlying store: cross-entity rules (deleting a project
/// deletes its tasks) only hold within one.
#[derive(Debug, Clone)]
pub struct Repositories {
    /// Users.
    pub users: Arc<dyn UserRepository>,
    /// Projects and memberships.
    pub projects: Arc<dyn ProjectRepository>,
    /// Categories.
    pub categories: Arc<dyn CategoryRepository>,
    /// Tasks.
    pub tasks: Arc<dyn TaskRepository>,
    /// Refresh tokens.
    pub refresh_tokens: Arc<dyn RefreshTokenRepository>,
    /// Aggregate reads over tasks (summary, top open tasks per category).
    pub reports: Arc<dyn ReportRepository>,
    /// The change log of tasks and projects (written by the task and project repositories).
    pub history: Arc<dyn HistoryRepository>,
    /// The trash of deleted task subtrees.
    pub trash: Arc<dyn TrashRepository>,
}
