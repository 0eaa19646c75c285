//! Use cases. Each service takes its ports in its constructor and holds the business rules:
//! validation across entities, the access policy, version checks and event publishing.
//! Adapters hold none of these.

mod auth;
mod budget;
mod categories;
mod change_feed;
mod errors;
mod exports;
mod facade;
mod history;
mod projects;
mod reports;
mod task_rules;
mod tasks;
mod trash;
mod users;

pub use auth::{
    AuthError, AuthPorts, AuthService, AuthSettings, BucketSettings, InProcessThrottleStore,
    KNOWN_CLIENT_DAYS, LoginThrottle, Registration, Session, ThrottleError, ThrottleSettings,
    ThrottleTicket, check_new_password, common_password_count, ensure_uncommon, is_common_password,
};
pub use categories::CategoryService;
pub use change_feed::{ChangeFeed, FeedCursor, FeedError, FeedStep, Resume};
pub use errors::{
    CategoryError, ProjectError, ReportError, TaskError, TaskField, TaskRule, UserError,
};
pub use exports::{EXPORT_PAGE_SIZE, ExportRow, ExportService, TaskExport};
pub use facade::{ServicePorts, ServiceSettings, Services};
pub use history::HistoryService;
pub use projects::ProjectService;
pub use reports::{ReportService, SummaryReport};
pub use tasks::TaskService;
pub use trash::TrashService;
pub use users::UserService;

/// Whole seconds, rounded up, for messages (never 0 for a real wait).
fn whole_seconds(wait: std::time::Duration) -> u64 {
    let whole = wait.as_secs();
    if wait.subsec_nanos() > 0 { whole.saturating_add(1) } else { whole }
}
