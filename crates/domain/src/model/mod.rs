//! Entities: the things TaskForge stores. Their fields are value objects, so every field is
//! valid by construction; rules that span fields or entities live in [`crate::services`].

mod category;
mod history;
mod history_storage;
mod project;
mod task;
mod trash;
mod user;

pub use category::Category;
pub use history::{
    Change, EntryDraft, EntryId, EntryIdError, FieldChange, HistoryEntry, ProjectChange,
    ProjectFieldChange, TaskChange, TaskFieldChange, TaskFieldName, project_changes, task_changes,
};
pub use history_storage::{StoredChange, StoredChangeError};
pub use project::{Project, ProjectMember};
pub use task::{MAX_DEPTH, Task};
pub use trash::TrashedSubtree;
pub use user::User;
