//! The trash as JSON.

use serde::Serialize;
use taskforge_domain::TaskId;
use taskforge_domain::model::TrashedSubtree;
use taskforge_domain::query::Page;
use utoipa::ToSchema;

use super::TaskJson;

/// One trashed subtree: the deleted task and its subtasks as they were.
#[derive(Debug, ToSchema)]
pub struct TrashedResponse {
    /// The deleted task's id: restore it with `POST /api/v1/tasks/{id}/restore`, purge it with
    /// `DELETE /api/v1/trash/{id}`.
    #[schema(format = Uuid)]
    pub id: String,
    /// The project it was deleted from.
    #[schema(format = Uuid)]
    pub project_id: String,
    /// When, RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub trashed_at: String,
    /// Who deleted it.
    #[schema(format = Uuid)]
    pub trashed_by: String,
    /// The task and its subtasks as they were, the task first.
    #[schema(value_type = Vec<super::TaskResponse>)]
    pub tasks: Vec<taskforge_domain::Task>,
}

impl Serialize for TrashedResponse {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("TrashedResponse", 5)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("project_id", &self.project_id)?;
        out.serialize_field("trashed_at", &self.trashed_at)?;
        out.serialize_field("trashed_by", &self.trashed_by)?;
        let tasks: Vec<TaskJson<'_>> = self.tasks.iter().map(TaskJson).collect();
        out.serialize_field("tasks", &tasks)?;
        out.end()
    }
}

impl From<TrashedSubtree> for TrashedResponse {
    fn from(t: TrashedSubtree) -> Self {
        Self {
            id: t.root.to_string(),
            project_id: t.project_id.to_string(),
            trashed_at: t.trashed_at.to_rfc3339(),
            trashed_by: t.trashed_by.to_string(),
            tasks: t.tasks,
        }
    }
}

/// A page of a project's trash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrashPage {
    /// The trashed subtrees, by id.
    pub items: Vec<TrashedResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<Page<TrashedSubtree, TaskId>> for TrashPage {
    fn from(page: Page<TrashedSubtree, TaskId>) -> Self {
        Self {
            items: page.items.into_iter().map(TrashedResponse::from).collect(),
            next_cursor: page.next_cursor.map(|id| id.to_string()),
        }
    }
}
