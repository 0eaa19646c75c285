//! Wire types: what the JSON bodies look like, kept apart from the domain types so either can
//! change without the other ("commands in, entities out": the domain never derives
//! `Deserialize` for the wire's sake, and a body is turned into a domain command here).
//!
//! Request bodies deny unknown fields (400) and turn into domain commands with
//! `try_into_domain()`, which collects every invalid value into one 422. Responses are built
//! from entities.

mod auth;
mod categories;
mod field;
mod history;
mod projects;
mod reports;
mod secret;
mod tasks;
mod trash;
mod users;
mod validation;
mod wire;

pub use auth::{
    ChangePasswordBody, LoginBody, RefreshBody, RegisterBody, TokenResponse, TokenType,
};
pub use categories::{CategoryBody, CategoryPage, CategoryResponse};
pub use field::Field;
pub use history::{FieldChangeResponse, HistoryEntryResponse, HistoryPage};
pub use projects::{
    CreateProjectBody, MemberList, MemberResponse, ProjectPage, ProjectResponse, UpdateProjectBody,
};
pub use reports::{
    CategoryCountResponse, PriorityCounts, StatusCounts, SummaryResponse, TopCategoryResponse,
    TopResponse,
};
pub use secret::SecretString;
pub use tasks::{CreateTaskBody, MoveTaskBody, TaskJson, TaskPage, TaskResponse, UpdateTaskBody};
pub use trash::{TrashPage, TrashedResponse};
pub use users::{SetRoleBody, UserPage, UserResponse};
pub use wire::{WirePriority, WireRole, WireStatus};
