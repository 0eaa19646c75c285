//! Form fields → domain commands. The field names are the API's body fields, so a form and a
//! JSON request say the same thing in the same words; the value objects of the domain do
//! all validation, and each refusal is reported beside its field.

use std::str::FromStr;

use taskforge_domain::commands::{CreateTask, Patch, UpdateTask};
use taskforge_domain::services::TaskField;
use taskforge_domain::values::{
    Description, DueDate, Labels, Priority, Status, TaskTitle, Version,
};
use taskforge_domain::{CategoryId, ProjectId, Task, TaskId, UserId};

use crate::routes::auth::capitalised;

/// Messages beside form fields: (field name, message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, String)>);

impl FieldErrors {
    /// The message for `field`, if any.
    #[must_use]
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    /// True when there is none.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds a message for `field`.
    pub fn push(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }
}

/// The form field a domain [`TaskField`] is shown at: the domain names the field, the page
/// names its input.
#[must_use]
pub const fn task_field_name(field: TaskField) -> &'static str {
    match field {
        TaskField::Parent => "parent_id",
        TaskField::Category => "category_id",
        TaskField::Assignee => "assignee_id",
    }
}

/// A task form's values as text, for re-showing a form (what was typed, or the stored task).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFormValues {
    /// `title`.
    pub title: String,
    /// `description`.
    pub description: String,
    /// `status`.
    pub status: String,
    /// `priority`.
    pub priority: String,
    /// `due_date` (YYYY-MM-DD).
    pub due_date: String,
    /// `labels`, comma separated.
    pub labels: String,
    /// `assignee_id`.
    pub assignee_id: String,
    /// `category_id`.
    pub category_id: String,
    /// `parent_id`.
    pub parent_id: String,
    /// `is_public`.
    pub is_public: bool,
    /// `version` (the edit form's hidden field).
    pub version: String,
}

/// Every status, as (value, label).
pub const STATUSES: [(&str, &str); 3] =
    [("todo", "To do"), ("in_progress", "In progress"), ("done", "Done")];
/// Every priority, as (value, label).
pub const PRIORITIES: [(&str, &str); 4] =
    [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("urgent", "Urgent")];

impl TaskFormValues {
    /// The values of a new-task form: the defaults.
    #[must_use]
    pub fn new_task() -> Self {
        Self { status: "todo".into(), priority: "medium".into(), ..Self::default() }
    }

    /// The stored task's values.
    #[must_use]
    pub fn of(task: &Task) -> Self {
        Self {
            title: task.title.as_str().to_owned(),
            description: task.description.as_str().to_owned(),
            status: task.status.as_str().to_owned(),
            priority: task.priority.as_str().to_owned(),
            due_date: task.due_date.map(|d| d.to_string()).unwrap_or_default(),
            labels: task.labels.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", "),
            assignee_id: task.assignee_id.map(|a| a.to_string()).unwrap_or_default(),
            category_id: task.category_id.map(|c| c.to_string()).unwrap_or_default(),
            parent_id: task.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            is_public: task.is_public,
            version: task.version.to_string(),
        }
    }

    /// What was typed in `fields` (absent fields keep the values of `base`).
    #[must_use]
    pub fn typed(fields: &[(String, String)], base: Self) -> Self {
        let get = |name: &str, current: String| last(fields, name).map_or(current, str::to_owned);
        Self {
            title: get("title", base.title),
            description: get("description", base.description),
            status: get("status", base.status),
            priority: get("priority", base.priority),
            due_date: get("due_date", base.due_date),
            labels: get("labels", base.labels),
            assignee_id: get("assignee_id", base.assignee_id),
            category_id: get("category_id", base.category_id),
            parent_id: get("parent_id", base.parent_id),
            is_public: last(fields, "is_public").map_or(base.is_public, is_true),
            version: get("version", base.version),
        }
    }

    /// True when `value` is the selected status (for `<option selected>`).
    #[must_use]
    pub fn is_status(&self, value: &str) -> bool {
        self.status == value
    }

    /// True when `value` is the selected priority.
    #[must_use]
    pub fn is_priority(&self, value: &str) -> bool {
        self.priority == value
    }

    /// True when `value` is the selected assignee.
    #[must_use]
    pub fn is_assignee(&self, value: &str) -> bool {
        self.assignee_id == value
    }

    /// The statuses, for the select.
    #[must_use]
    pub const fn statuses(&self) -> &'static [(&'static str, &'static str)] {
        &STATUSES
    }

    /// The priorities, for the select.
    #[must_use]
    pub const fn priorities(&self) -> &'static [(&'static str, &'static str)] {
        &PRIORITIES
    }
}

/// The last value of field `name`: a checkbox follows a hidden field of the same name, so
/// the last one says whether it is ticked.
#[must_use]
pub fn last<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn is_true(value: &str) -> bool {
    matches!(value, "true" | "on" | "1")
}

/// A field present in the form: `None` when absent, `Some(None)` when empty (clear it),
/// `Some(Some(v))` when it parsed, and an error beside the field otherwise.
fn optional<T, E: std::fmt::Display>(
    fields: &[(String, String)],
    name: &'static str,
    parse: impl Fn(&str) -> Result<T, E>,
    errors: &mut FieldErrors,
) -> Option<Option<T>> {
    let raw = last(fields, name)?.trim();
    if raw.is_empty() {
        return Some(None);
    }
    match parse(raw) {
        Ok(value) => Some(Some(value)),
        Err(e) => {
            errors.push(name, capitalised(&e));
            None
        }
    }
}

fn id<T: FromStr>(raw: &str) -> Result<T, &'static str> {
    raw.parse().map_err(|_| "must be a UUID")
}

fn labels(raw: &str) -> Result<Labels, String> {
    let parts: Vec<&str> = raw.split(',').map(str::trim).filter(|l| !l.is_empty()).collect();
    Labels::parse(&parts).map_err(|e| e.to_string())
}

/// Every task field of the form, parsed.
#[derive(Debug, Default)]
struct TaskFields {
    title: Option<Option<TaskTitle>>,
    description: Option<Option<Description>>,
    status: Option<Option<Status>>,
    priority: Option<Option<Priority>>,
    due_date: Option<Option<DueDate>>,
    labels: Option<Option<Labels>>,
    assignee_id: Option<Option<UserId>>,
    category_id: Option<Option<CategoryId>>,
    parent_id: Option<Option<TaskId>>,
    is_public: Option<bool>,
}

fn task_fields(fields: &[(String, String)], errors: &mut FieldErrors) -> TaskFields {
    TaskFields {
        title: optional(fields, "title", TaskTitle::parse, errors),
        description: optional(fields, "description", Description::parse, errors),
        status: optional(fields, "status", Status::parse, errors),
        priority: optional(fields, "priority", Priority::parse, errors),
        due_date: optional(fields, "due_date", DueDate::parse, errors),
        labels: optional(fields, "labels", labels, errors),
        assignee_id: optional(fields, "assignee_id", id::<UserId>, errors),
        category_id: optional(fields, "category_id", id::<CategoryId>, errors),
        parent_id: optional(fields, "parent_id", id::<TaskId>, errors),
        is_public: last(fields, "is_public").map(is_true),
    }
}

/// The create command for `project` from a new-task form.
///
/// # Errors
/// The fields that do not parse, each with its message.
pub fn create_task(
    project: ProjectId,
    fields: &[(String, String)],
) -> Result<CreateTask, FieldErrors> {
    let mut errors = FieldErrors::default();
    let parsed = task_fields(fields, &mut errors);
    let title = match parsed.title {
        Some(Some(title)) => Some(title),
        Some(None) | None if errors.get("title").is_none() => {
            errors.push("title", "A title is required.");
            None
        }
        _ => None,
    };
    let Some(title) = title.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let mut cmd = CreateTask::new(project, title);
    cmd.description = parsed.description.flatten();
    cmd.status = parsed.status.flatten();
    cmd.priority = parsed.priority.flatten();
    cmd.due_date = parsed.due_date.flatten();
    cmd.labels = parsed.labels.flatten();
    cmd.assignee_id = parsed.assignee_id.flatten();
    cmd.category_id = parsed.category_id.flatten();
    cmd.parent_id = parsed.parent_id.flatten();
    cmd.is_public = parsed.is_public;
    Ok(cmd)
}

fn patch<T>(field: Option<Option<T>>) -> Patch<T> {
    match field {
        None => Patch::Unchanged,
        Some(None) => Patch::Clear,
        Some(Some(v)) => Patch::Set(v),
    }
}

/// The update command from an edit form (absent fields stay as they are; empty ones are
/// cleared) with the form's hidden `version` as the expected version.
///
/// # Errors
/// The fields that do not parse, each with its message.
pub fn update_task(fields: &[(String, String)]) -> Result<UpdateTask, FieldErrors> {
    let mut errors = FieldErrors::default();
    let parsed = task_fields(fields, &mut errors);
    if matches!(parsed.title, Some(None)) {
        errors.push("title", "A title is required.");
    }
    let version = version(fields, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(UpdateTask {
        title: parsed.title.flatten(),
        description: patch(parsed.description),
        status: parsed.status.flatten(),
        priority: parsed.priority.flatten(),
        category_id: patch(parsed.category_id),
        assignee_id: patch(parsed.assignee_id),
        labels: patch(parsed.labels),
        due_date: patch(parsed.due_date),
        parent_id: patch(parsed.parent_id),
        is_public: parsed.is_public,
        if_match: version,
    })
}

/// The hidden `version` field: required on every change, so a form shown before someone
/// else's edit can never overwrite it.
pub fn version(fields: &[(String, String)], errors: &mut FieldErrors) -> Option<Version> {
    let parsed =
        last(fields, "version").and_then(|v| v.trim().parse::<u64>().ok()).and_then(Version::new);
    if parsed.is_none() {
        errors.push("version", "The form is missing the task's version; reload the page.");
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_new_task_needs_a_title_and_reports_each_bad_field() {
        let project = ProjectId::new();
        let Err(errors) = create_task(project, &form(&[("title", " "), ("due_date", "soon")]))
        else {
            panic!("accepted")
        };
        assert!(errors.get("title").is_some());
        assert!(errors.get("due_date").is_some());
        let Ok(cmd) = create_task(
            project,
            &form(&[
                ("title", "Write"),
                ("labels", "a, b ,,"),
                ("is_public", "false"),
                ("is_public", "true"),
            ]),
        ) else {
            panic!("refused")
        };
        assert_eq!(cmd.labels.map(|l| l.len()), Some(2));
        assert_eq!(cmd.is_public, Some(true));
    }

    #[test]
    fn an_update_needs_the_version_and_clears_empty_fields() {
        assert!(update_task(&form(&[("title", "x")])).is_err());
        let Ok(cmd) =
            update_task(&form(&[("version", "3"), ("due_date", ""), ("is_public", "false")]))
        else {
            panic!("refused")
        };
        assert_eq!(cmd.if_match.map(Version::get), Some(3));
        assert_eq!(cmd.due_date, Patch::Clear);
        assert_eq!(cmd.title, None);
        assert_eq!(cmd.is_public, Some(false));
    }
}
