//! Entities: the things TaskForge stores. Their fields are value objects, so every field is
//! valid by construction; rules that span fields or entities live in [`crate::services`].

mod category;
mod project;
mod task;
mod user;

pub use category::Category;
pub use project::{Project, ProjectMember};
pub use task::{MAX_DEPTH, Task};
pub use user::User;
