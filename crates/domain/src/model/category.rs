use crate::id::CategoryId;
use crate::values::CategoryName;
use crate::values::Timestamp;

/// A global classification for tasks, e.g. "bug" or "chore".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Identity.
    pub id: CategoryId,
    /// Name, unique case-insensitively.
    pub name: CategoryName,
    /// When the category was created.
    pub created_at: Timestamp,
}
