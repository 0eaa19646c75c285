//! History entries as JSON: a task's history and a project's activity.

use serde::Serialize;
use serde_json::{Value, json};
use taskforge_domain::model::{
    Change, EntryId, HistoryEntry, ProjectChange, ProjectFieldChange, TaskChange, TaskFieldChange,
};
use taskforge_domain::query::Page;
use taskforge_domain::values::Labels;
use utoipa::ToSchema;

/// One field's value before and after a change, as the task or project JSON spells it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeResponse {
    /// The field, named as in the task or project JSON (`title`, `due_date`, `project_id`…).
    pub field: &'static str,
    /// Its value before the change (`null` for none).
    #[schema(value_type = Object)]
    pub before: Value,
    /// Its value after the change.
    #[schema(value_type = Object)]
    pub after: Value,
}

/// One recorded change of a task or a project.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntryResponse {
    /// The entry's position in the service-wide change log (increasing, in commit order).
    #[schema(minimum = 1)]
    pub id: u64,
    /// What happened: `task_created`, `task_updated`, `task_moved`, `task_trashed`,
    /// `task_restored`, `task_reverted`, `project_created` or `project_updated`.
    pub kind: &'static str,
    /// The project the change happened in (for a move, the project moved to).
    #[schema(format = Uuid)]
    pub project_id: String,
    /// The task, for a change of a task.
    #[schema(format = Uuid)]
    pub task_id: Option<String>,
    /// Who made the change.
    #[schema(format = Uuid)]
    pub actor_id: String,
    /// When, RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub at: String,
    /// For `task_reverted`: the entry that was undone.
    pub reverts: Option<u64>,
    /// The changed fields, before → after: the updated fields of an update or a revert, the
    /// project of a move, the references a restore had to clear; empty otherwise.
    pub changes: Vec<FieldChangeResponse>,
}

/// A page of history entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    /// The entries.
    pub items: Vec<HistoryEntryResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<HistoryEntry, EntryId>> for HistoryPage {
    fn from(page: Page<HistoryEntry, EntryId>) -> Self {
        Self {
            items: page.items.iter().map(HistoryEntryResponse::from).collect(),
            next_cursor: page.next_cursor.map(|id| id.to_string()),
        }
    }
}

fn opt<T: ToString>(value: Option<T>) -> Value {
    value.map_or(Value::Null, |v| Value::String(v.to_string()))
}

fn labels(labels: &Labels) -> Value {
    json!(labels.iter().map(|l| l.as_str()).collect::<Vec<_>>())
}

fn task_field(change: &TaskFieldChange) -> FieldChangeResponse {
    let (before, after) = match change {
        TaskFieldChange::Title(c) => (json!(c.before.as_str()), json!(c.after.as_str())),
        TaskFieldChange::Description(c) => (json!(c.before.as_str()), json!(c.after.as_str())),
        TaskFieldChange::Status(c) => (json!(c.before.as_str()), json!(c.after.as_str())),
        TaskFieldChange::Priority(c) => (json!(c.before.as_str()), json!(c.after.as_str())),
        TaskFieldChange::Category(c) => (opt(c.before), opt(c.after)),
        TaskFieldChange::Assignee(c) => (opt(c.before), opt(c.after)),
        TaskFieldChange::Labels(c) => (labels(&c.before), labels(&c.after)),
        TaskFieldChange::DueDate(c) => (opt(c.before), opt(c.after)),
        TaskFieldChange::Parent(c) => (opt(c.before), opt(c.after)),
        TaskFieldChange::IsPublic(c) => (json!(c.before), json!(c.after)),
    };
    FieldChangeResponse { field: change.field().as_str(), before, after }
}

fn project_field(change: &ProjectFieldChange) -> FieldChangeResponse {
    let (before, after) = match change {
        ProjectFieldChange::Name(c) => (json!(c.before.as_str()), json!(c.after.as_str())),
        ProjectFieldChange::Description(c) => (json!(c.before.as_str()), json!(c.after.as_str())),
        ProjectFieldChange::Owner(c) => (json!(c.before.to_string()), json!(c.after.to_string())),
    };
    FieldChangeResponse { field: change.field_name(), before, after }
}

impl From<&HistoryEntry> for HistoryEntryResponse {
    fn from(entry: &HistoryEntry) -> Self {
        let mut reverts = None;
        let changes = match &entry.change {
            Change::Task { change, .. } => match change {
                TaskChange::Created | TaskChange::Trashed => Vec::new(),
                TaskChange::Updated(changes) | TaskChange::Restored { cleared: changes } => {
                    changes.iter().map(task_field).collect()
                }
                TaskChange::Reverted { entry, changes } => {
                    reverts = Some(entry.get());
                    changes.iter().map(task_field).collect()
                }
                TaskChange::Moved(c) => vec![FieldChangeResponse {
                    field: "project_id",
                    before: json!(c.before.to_string()),
                    after: json!(c.after.to_string()),
                }],
            },
            Change::Project(ProjectChange::Created) => Vec::new(),
            Change::Project(ProjectChange::Updated(changes)) => {
                changes.iter().map(project_field).collect()
            }
        };
        Self {
            id: entry.id.get(),
            kind: entry.change.kind(),
            project_id: entry.project_id.to_string(),
            task_id: entry.task_id().map(|t| t.to_string()),
            actor_id: entry.actor.to_string(),
            at: entry.at.to_rfc3339(),
            reverts,
            changes,
        }
    }
}
