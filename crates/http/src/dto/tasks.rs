//! Task bodies and responses.

use serde::{Deserialize, Serialize};
use taskforge_domain::commands::{CreateTask, MoveTask, UpdateTask};
use taskforge_domain::query::{CursorCodec, Page};
use taskforge_domain::values::{
    Description, DueDate, Labels, LabelsError, Priority, Status, TaskTitle, Version,
};
use taskforge_domain::{CategoryId, ProjectId, Task, TaskId, UserId};
use utoipa::ToSchema;

use super::validation::{Validator, id, present};
use super::{Field, WirePriority, WireStatus};
use crate::error::ApiError;

/// The labels of a request body: at most [`Labels::MAX`] items as sent, so the limit the
/// OpenAPI document states (`maxItems`) is the one enforced, even for a list that repeats a
/// label (the domain alone counts distinct labels).
fn labels(raw: &[String]) -> Result<Labels, LabelsError> {
    if raw.len() > Labels::MAX {
        return Err(LabelsError::TooMany);
    }
    Labels::parse(raw)
}

/// `POST /api/v1/tasks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTaskBody {
    /// The project to create the task in.
    #[schema(format = Uuid)]
    pub project_id: String,
    /// 1–200 characters after trimming, no control characters.
    pub title: String,
    /// At most 10,000 characters.
    pub description: Option<String>,
    /// Default `todo`.
    #[schema(value_type = Option<WireStatus>)]
    pub status: Option<String>,
    /// Default `medium`.
    #[schema(value_type = Option<WirePriority>)]
    pub priority: Option<String>,
    /// An existing category.
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    /// A member of the project.
    #[schema(format = Uuid)]
    pub assignee_id: Option<String>,
    /// 0–20 labels (as sent, repeats included) of letters, digits and `_ - . :`; stored
    /// lower-cased, de-duplicated.
    pub labels: Option<Vec<String>>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub due_date: Option<String>,
    /// A task of the same project; subtasks nest at most 5 deep.
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    /// Readable by every authenticated user when true. Default false.
    pub is_public: Option<bool>,
}

impl CreateTaskBody {
    /// The command, or a 422 naming every invalid field.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_domain(self) -> Result<CreateTask, ApiError> {
        let mut v = Validator::default();
        let project_id = v.check("project_id", id::<ProjectId>(&self.project_id));
        let title = v.check("title", TaskTitle::parse(&self.title));
        let description = v.optional("description", self.description, Description::try_from);
        let status = v.optional("status", self.status, |s| Status::parse(&s));
        let priority = v.optional("priority", self.priority, |p| Priority::parse(&p));
        let category_id = v.optional("category_id", self.category_id, |c| id::<CategoryId>(&c));
        let assignee_id = v.optional("assignee_id", self.assignee_id, |a| id::<UserId>(&a));
        let labels = v.optional("labels", self.labels, |l| labels(&l));
        let due_date = v.optional("due_date", self.due_date, |d| DueDate::parse(&d));
        let parent_id = v.optional("parent_id", self.parent_id, |p| id::<TaskId>(&p));
        v.finish()?;
        Ok(CreateTask {
            project_id: present(project_id)?,
            title: present(title)?,
            description,
            status,
            priority,
            category_id,
            assignee_id,
            labels,
            due_date,
            parent_id,
            is_public: self.is_public,
        })
    }
}

/// `PATCH /api/v1/tasks/{id}`: a merge-patch. An absent field is left as it is; `null` clears
/// a nullable field (`description`, `category_id`, `assignee_id`, `labels`, `due_date`,
/// `parent_id`) and is invalid for the others.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTaskBody {
    /// New title (not nullable).
    #[serde(default)]
    #[schema(value_type = String, required = false)]
    pub title: Field<String>,
    /// New description; `null` empties it.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Field<String>,
    /// New status (not nullable).
    #[serde(default)]
    #[schema(value_type = WireStatus, required = false)]
    pub status: Field<String>,
    /// New priority (not nullable).
    #[serde(default)]
    #[schema(value_type = WirePriority, required = false)]
    pub priority: Field<String>,
    /// New category; `null` removes it.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub category_id: Field<String>,
    /// New assignee; `null` un-assigns.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub assignee_id: Field<String>,
    /// The new set of labels (replaces the old one); `null` removes all.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub labels: Field<Vec<String>>,
    /// New due date; `null` removes it.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Field<String>,
    /// New parent; `null` makes it a root task.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent_id: Field<String>,
    /// New public flag (not nullable).
    #[serde(default)]
    #[schema(value_type = bool, required = false)]
    pub is_public: Field<bool>,
}

impl UpdateTaskBody {
    /// The command, carrying `if_match`, or a 422 naming every invalid field.
    ///
    /// # Errors
    /// [`ApiError`] 422.
    pub fn try_into_domain(self, if_match: Option<Version>) -> Result<UpdateTask, ApiError> {
        let mut v = Validator::default();
        let cmd = UpdateTask {
            title: v.non_null("title", self.title, |t| TaskTitle::parse(&t)),
            description: v.patch("description", self.description, Description::try_from),
            status: v.non_null("status", self.status, |s| Status::parse(&s)),
            priority: v.non_null("priority", self.priority, |p| Priority::parse(&p)),
            category_id: v.patch("category_id", self.category_id, |c| id::<CategoryId>(&c)),
            assignee_id: v.patch("assignee_id", self.assignee_id, |a| id::<UserId>(&a)),
            labels: v.patch("labels", self.labels, |l| labels(&l)),
            due_date: v.patch("due_date", self.due_date, |d| DueDate::parse(&d)),
            parent_id: v.patch("parent_id", self.parent_id, |p| id::<TaskId>(&p)),
            is_public: v.non_null("is_public", self.is_public, Ok::<bool, &str>),
            if_match,
        };
        v.finish()?;
        Ok(cmd)
    }
}

/// `POST /api/v1/tasks/{id}/move`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveTaskBody {
    /// The project to move the task (and its subtasks) to.
    #[schema(format = Uuid)]
    pub project_id: String,
}

impl MoveTaskBody {
    /// The command, carrying `if_match`.
    ///
    /// # Errors
    /// [`ApiError`] 422 when `project_id` is not a UUID.
    pub fn try_into_domain(self, if_match: Option<Version>) -> Result<MoveTask, ApiError> {
        let mut v = Validator::default();
        let project_id = v.check("project_id", id::<ProjectId>(&self.project_id));
        v.finish()?;
        Ok(MoveTask { project_id: present(project_id)?, if_match })
    }
}

/// A task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskResponse {
    /// Identity.
    #[schema(format = Uuid)]
    pub id: String,
    /// Its project.
    #[schema(format = Uuid)]
    pub project_id: String,
    /// Title.
    pub title: String,
    /// Description (possibly empty).
    pub description: String,
    /// Status.
    pub status: WireStatus,
    /// Priority.
    pub priority: WirePriority,
    /// Category.
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    /// Assignee.
    #[schema(format = Uuid)]
    pub assignee_id: Option<String>,
    /// Labels, lower case, sorted.
    pub labels: Vec<String>,
    /// Due date, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub due_date: Option<String>,
    /// Parent task.
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    /// Readable by every authenticated user.
    pub is_public: bool,
    /// Creator.
    #[schema(format = Uuid)]
    pub created_by: String,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Revision, starting at 1; also the `ETag`.
    pub version: u64,
}

impl From<&Task> for TaskResponse {
    fn from(t: &Task) -> Self {
        Self {
            id: t.id.to_string(),
            project_id: t.project_id.to_string(),
            title: t.title.to_string(),
            description: t.description.to_string(),
            status: t.status.into(),
            priority: t.priority.into(),
            category_id: t.category_id.map(|c| c.to_string()),
            assignee_id: t.assignee_id.map(|a| a.to_string()),
            labels: t.labels.iter().map(ToString::to_string).collect(),
            due_date: t.due_date.map(|d| d.to_string()),
            parent_id: t.parent_id.map(|p| p.to_string()),
            is_public: t.is_public,
            created_by: t.created_by.to_string(),
            created_at: t.created_at.to_rfc3339(),
            updated_at: t.updated_at.to_rfc3339(),
            version: t.version.get(),
        }
    }
}

/// A task written as [`TaskResponse`] straight from the domain's [`Task`], without building
/// the response's strings first: the JSON writer formats each id, date and time into the
/// output as it goes. A listing writes up to 200 tasks per response, and building a
/// `TaskResponse` for each cost about ten short-lived strings per task (the ids, the times,
/// copies of the title, the description and every label). The unit tests hold the two forms
/// to the same JSON.
#[derive(Debug, Clone, Copy)]
pub struct TaskJson<'a>(pub &'a Task);

/// An optional value written with its `Display`, or `null`.
struct DisplayOrNull<T>(Option<T>);

impl<T: std::fmt::Display> Serialize for DisplayOrNull<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(value) => serializer.collect_str(value),
            None => serializer.serialize_none(),
        }
    }
}

/// A value written with its `Display`.
struct Displayed<T>(T);

impl<T: std::fmt::Display> Serialize for Displayed<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl Serialize for TaskJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let t = self.0;
        // The fields of `TaskResponse`, in its order.
        let mut out = serializer.serialize_struct("TaskResponse", 16)?;
        out.serialize_field("id", &Displayed(t.id))?;
        out.serialize_field("project_id", &Displayed(t.project_id))?;
        out.serialize_field("title", t.title.as_str())?;
        out.serialize_field("description", t.description.as_str())?;
        out.serialize_field("status", &WireStatus::from(t.status))?;
        out.serialize_field("priority", &WirePriority::from(t.priority))?;
        out.serialize_field("category_id", &DisplayOrNull(t.category_id))?;
        out.serialize_field("assignee_id", &DisplayOrNull(t.assignee_id))?;
        out.serialize_field("labels", &LabelsJson(&t.labels))?;
        out.serialize_field("due_date", &DisplayOrNull(t.due_date))?;
        out.serialize_field("parent_id", &DisplayOrNull(t.parent_id))?;
        out.serialize_field("is_public", &t.is_public)?;
        out.serialize_field("created_by", &Displayed(t.created_by))?;
        out.serialize_field("created_at", &Displayed(t.created_at))?;
        out.serialize_field("updated_at", &Displayed(t.updated_at))?;
        out.serialize_field("version", &t.version.get())?;
        out.end()
    }
}

/// One page of tasks. Written as JSON straight from the domain's tasks (see [`TaskJson`]);
/// documented as a list of [`TaskResponse`].
#[derive(Debug, ToSchema)]
pub struct TaskPage {
    /// The tasks, in the requested order.
    #[schema(value_type = Vec<TaskResponse>)]
    pub items: Vec<Task>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl TaskPage {
    /// The page, its next cursor sealed by `cursors`.
    #[must_use]
    pub fn new(page: Page<Task>, cursors: &CursorCodec) -> Self {
        Self { items: page.items, next_cursor: page.next_cursor.map(|c| cursors.encode(&c)) }
    }
}

impl Serialize for TaskPage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("TaskPage", 2)?;
        out.serialize_field("items", &ItemsJson(&self.items))?;
        out.serialize_field("next_cursor", &self.next_cursor)?;
        out.end()
    }
}

/// Labels as a list of strings.
struct LabelsJson<'a>(&'a Labels);

impl Serialize for LabelsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|l| l.as_str()))
    }
}

/// The items of a page, each as [`TaskJson`].
struct ItemsJson<'a>(&'a [Task]);

impl Serialize for ItemsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(TaskJson))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(full: bool) -> Task {
        let at = taskforge_domain::Timestamp::from_unix_micros(1_767_225_600_123_450).unwrap();
        let later = at.plus_micros(1_000_000);
        Task {
            id: TaskId::new(),
            project_id: ProjectId::new(),
            title: TaskTitle::parse("Ship \"it\" — ünïcode \\ back-slash").unwrap(),
            description: Description::parse(if full { "line one\nline two </b>" } else { "" })
                .unwrap(),
            status: if full { Status::InProgress } else { Status::Todo },
            priority: if full { Priority::Urgent } else { Priority::Low },
            category_id: full.then(CategoryId::new),
            assignee_id: full.then(UserId::new),
            labels: if full { Labels::parse(&["b", "A", "c:d"]).unwrap() } else { Labels::none() },
            due_date: full.then(|| DueDate::parse("2026-02-28").unwrap()),
            parent_id: full.then(TaskId::new),
            is_public: full,
            created_by: UserId::new(),
            created_at: at,
            updated_at: if full { later } else { at },
            version: if full { Version::FIRST.next() } else { Version::FIRST },
        }
    }

    #[test]
    fn a_task_written_straight_from_the_domain_is_the_task_response_byte_for_byte() {
        for full in [true, false] {
            let t = task(full);
            let direct = serde_json::to_string(&TaskJson(&t)).unwrap();
            let built = serde_json::to_string(&TaskResponse::from(&t)).unwrap();
            assert_eq!(direct, built);
        }
        let page = TaskPage { items: vec![task(true), task(false)], next_cursor: None };
        let written: serde_json::Value = serde_json::to_value(&page).unwrap();
        let items: Vec<TaskResponse> = page.items.iter().map(TaskResponse::from).collect();
        let expected = serde_json::json!({ "items": items, "next_cursor": null });
        assert_eq!(written, expected);
    }

    fn fields(e: &ApiError) -> Vec<&str> {
        e.errors().iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn every_invalid_field_of_a_new_task_is_reported_at_once() {
        let body: CreateTaskBody = serde_json::from_str(
            r#"{"project_id":"nope","title":"  ","status":"later","labels":["a b"],"due_date":"2026-02-30"}"#,
        )
        .unwrap();
        let e = body.try_into_domain().unwrap_err();
        assert_eq!(fields(&e), ["project_id", "title", "status", "labels", "due_date"]);
    }

    #[test]
    fn a_patch_tells_absent_from_null() {
        let body: UpdateTaskBody =
            serde_json::from_str(r#"{"due_date":null,"title":"New"}"#).unwrap();
        let cmd = body.try_into_domain(None).unwrap();
        assert_eq!(cmd.due_date, taskforge_domain::commands::Patch::Clear);
        assert!(cmd.category_id.is_unchanged());
        assert_eq!(cmd.title.unwrap().as_str(), "New");
    }

    #[test]
    fn null_is_refused_for_fields_that_cannot_be_cleared() {
        let body: UpdateTaskBody =
            serde_json::from_str(r#"{"title":null,"status":null,"is_public":null}"#).unwrap();
        let e = body.try_into_domain(None).unwrap_err();
        assert_eq!(fields(&e), ["title", "status", "is_public"]);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<UpdateTaskBody>(r#"{"version":3}"#).is_err());
        assert!(serde_json::from_str::<MoveTaskBody>(r#"{"project_id":"x","y":1}"#).is_err());
    }
}
