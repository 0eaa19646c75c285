//! Query-string parsing for the listings (`docs/api.md`, "List with filters and a cursor"): every
//! filter, `sort`, `limit` (1–200) and `cursor`. Unknown, repeated or bad parameters are a 400 that
//! names each offending parameter in `errors`.
//!
//! The `*Params` structs only document the parameters in the OpenAPI document; parsing is
//! done by hand so that every failure can name its parameter.

use std::collections::HashSet;
use std::fmt::Display;

use serde::Deserialize;
use taskforge_domain::query::{CursorCodec, ListTasks, TaskFilter, TaskSort};
use taskforge_domain::values::{
    DueDate, Label, PageLimit, PerCategory, PerCategoryError, Priority, SearchText, StatusSet,
};
use taskforge_domain::{CategoryId, ProjectId, TaskId, UserId};
use utoipa::IntoParams;

use crate::error::{ApiError, FieldError};
use crate::export::ExportFormat;
use crate::export::registry;

/// Query parameters of `GET /api/v1/tasks`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TaskListParams {
    /// Only tasks of this project.
    #[param(value_type = Option<String>, format = Uuid)]
    project_id: Option<String>,
    /// `todo`, `in_progress` or `done`; several, separated by commas, match any of them
    /// (`todo,in_progress`).
    status: Option<String>,
    /// `low`, `medium`, `high` or `urgent`.
    priority: Option<String>,
    /// Only tasks in this category.
    #[param(value_type = Option<String>, format = Uuid)]
    category_id: Option<String>,
    /// Only tasks assigned to this user.
    #[param(value_type = Option<String>, format = Uuid)]
    assignee_id: Option<String>,
    /// Only tasks carrying this label.
    label: Option<String>,
    /// Only direct subtasks of this task.
    #[param(value_type = Option<String>, format = Uuid)]
    parent_id: Option<String>,
    /// Due strictly before this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    due_before: Option<String>,
    /// Due strictly after this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    due_after: Option<String>,
    /// Title contains this text, ignoring case (3–100 characters).
    q: Option<String>,
    /// `created_at`, `-created_at` (default), `priority`, `-priority`, `due_date`,
    /// `-due_date`, `title` or `-title`.
    sort: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u16>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Query parameters of `GET /api/v1/tasks/export`: the listing's filters and `sort`, and the
/// format (the accepted values are filled in from the export registry).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TaskExportParams {
    /// The file format (default `json`).
    format: Option<String>,
    /// Only tasks of this project.
    #[param(value_type = Option<String>, format = Uuid)]
    project_id: Option<String>,
    /// `todo`, `in_progress` or `done`; several, separated by commas, match any of them
    /// (`todo,in_progress`).
    status: Option<String>,
    /// `low`, `medium`, `high` or `urgent`.
    priority: Option<String>,
    /// Only tasks in this category.
    #[param(value_type = Option<String>, format = Uuid)]
    category_id: Option<String>,
    /// Only tasks assigned to this user.
    #[param(value_type = Option<String>, format = Uuid)]
    assignee_id: Option<String>,
    /// Only tasks carrying this label.
    label: Option<String>,
    /// Only direct subtasks of this task.
    #[param(value_type = Option<String>, format = Uuid)]
    parent_id: Option<String>,
    /// Due strictly before this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    due_before: Option<String>,
    /// Due strictly after this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    due_after: Option<String>,
    /// Title contains this text, ignoring case (3–100 characters).
    q: Option<String>,
    /// The order, as for the listing (default `-created_at`).
    sort: Option<String>,
}

/// Query parameters of `GET /api/v1/reports/summary`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SummaryParams {
    /// Only this project's tasks (a project the caller is a member of, or any for an admin).
    #[param(value_type = Option<String>, format = Uuid)]
    project_id: Option<String>,
}

/// Query parameters of `GET /api/v1/reports/top`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TopParams {
    /// Only this project's tasks (a project the caller is a member of, or any for an admin).
    #[param(value_type = Option<String>, format = Uuid)]
    project_id: Option<String>,
    /// How many open tasks per category, 1–50 (default 3).
    #[param(minimum = 1, maximum = 50)]
    per_category: Option<u8>,
}

/// Query parameters of the simpler paginated listings (projects, users).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u16>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Collects parameter errors so one response names all of them.
#[derive(Debug, Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn check<T, E: Display>(&mut self, name: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.0.push(FieldError::new(name, e))).ok()
    }

    /// Like [`Self::finish`], with each parameter's message in the detail too.
    fn finish_with_messages(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let named: Vec<String> =
            self.0.iter().map(|e| format!("{} ({})", e.field, e.message)).collect();
        let detail = format!("invalid query parameters: {}", named.join(", "));
        Err(ApiError::bad_parameters(detail, self.0))
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = self.0.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("invalid query parameters: {}", names.join(", "));
        Err(ApiError::bad_parameters(detail, self.0))
    }
}

/// Splits the query string into pairs, refusing repeated names.
fn pairs(query: &str, errors: &mut Errors) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| ApiError::bad_request("the query string is not valid URL encoding"))?;
    let mut seen = HashSet::new();
    for (name, _) in &pairs {
        if !seen.insert(name.as_str()) {
            errors.0.push(FieldError::new(name.clone(), "parameter given more than once"));
        }
    }
    Ok(pairs)
}

fn id<T: std::str::FromStr>(raw: &str) -> Result<T, &'static str> {
    raw.parse().map_err(|_| "must be a UUID")
}

fn limit(raw: &str) -> Result<PageLimit, String> {
    let bad = || format!("must be a whole number from 1 to {}", PageLimit::MAX);
    let n: u64 = raw.parse().map_err(|_| bad())?;
    PageLimit::new(n).map_err(|_| bad())
}

/// Applies the filter parameter `name` to `filter`; false when `name` is not a filter.
fn filter_param(name: &str, v: &str, f: &mut TaskFilter, e: &mut Errors) -> bool {
    match name {
        "project_id" => f.project_id = e.check(name, id::<ProjectId>(v)),
        "status" => f.status = e.check(name, StatusSet::parse(v)),
        "priority" => f.priority = e.check(name, Priority::parse(v)),
        "category_id" => f.category_id = e.check(name, id::<CategoryId>(v)),
        "assignee_id" => f.assignee_id = e.check(name, id::<UserId>(v)),
        "label" => f.label = e.check(name, Label::parse(v)),
        "parent_id" => f.parent_id = e.check(name, id::<TaskId>(v)),
        "due_before" => f.due_before = e.check(name, DueDate::parse(v)),
        "due_after" => f.due_after = e.check(name, DueDate::parse(v)),
        "q" => f.q = e.check(name, SearchText::parse(v)),
        _ => return false,
    }
    true
}

/// Parses the query of `GET /api/v1/tasks`, opening the `cursor` with `cursors`.
///
/// # Errors
/// 400 naming every unknown, repeated or invalid parameter (a cursor that `cursors` did not
/// seal included).
pub fn task_list(query: &str, cursors: &CursorCodec) -> Result<ListTasks, ApiError> {
    let mut errors = Errors::default();
    let mut list = ListTasks::default();
    for (name, value) in pairs(query, &mut errors)? {
        let v = value.as_str();
        let e = &mut errors;
        if filter_param(&name, v, &mut list.filter, e) {
            continue;
        }
        match name.as_str() {
            "sort" => list.sort = e.check(&name, TaskSort::parse(v)).unwrap_or_default(),
            "limit" => list.limit = e.check(&name, limit(v)).unwrap_or_default(),
            "cursor" => list.after = e.check(&name, cursors.decode(v)),
            _ => e.0.push(FieldError::new(name.clone(), "unknown query parameter")),
        }
    }
    errors.finish()?;
    Ok(list)
}

/// What `GET /api/v1/tasks/export` asks for.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The format (`json` when none is given).
    pub format: &'static ExportFormat,
    /// The listing filters.
    pub filter: TaskFilter,
    /// The order.
    pub sort: TaskSort,
}

/// Parses the query of `GET /api/v1/tasks/export`: `format` and the listing's filters and
/// `sort` (an export has no pages, so no `limit` or `cursor`).
///
/// # Errors
/// 400 naming every unknown, repeated or invalid parameter; an unknown format's message (and
/// the detail) names the accepted formats.
pub fn task_export(query: &str) -> Result<ExportRequest, ApiError> {
    let mut errors = Errors::default();
    let mut request = ExportRequest {
        format: registry::default_format(),
        filter: TaskFilter::default(),
        sort: TaskSort::default(),
    };
    for (name, value) in pairs(query, &mut errors)? {
        let v = value.as_str();
        let e = &mut errors;
        if filter_param(&name, v, &mut request.filter, e) {
            continue;
        }
        match name.as_str() {
            "format" => {
                request.format = e.check(&name, registry::find(v)).unwrap_or(request.format);
            }
            "sort" => request.sort = e.check(&name, TaskSort::parse(v)).unwrap_or_default(),
            _ => e.0.push(FieldError::new(name.clone(), "unknown query parameter")),
        }
    }
    errors.finish_with_messages()?;
    Ok(request)
}

/// Parses the query of `GET /api/v1/reports/summary`: the optional `project_id`.
///
/// # Errors
/// 400 naming every unknown, repeated or invalid parameter.
pub fn report_summary(query: &str) -> Result<Option<ProjectId>, ApiError> {
    let mut errors = Errors::default();
    let mut project = None;
    for (name, value) in pairs(query, &mut errors)? {
        match name.as_str() {
            "project_id" => project = errors.check(&name, id::<ProjectId>(&value)),
            _ => errors.0.push(FieldError::new(name.clone(), "unknown query parameter")),
        }
    }
    errors.finish()?;
    Ok(project)
}

/// What `GET /api/v1/reports/top` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopRequest {
    /// Only this project's tasks, when given.
    pub project: Option<ProjectId>,
    /// How many open tasks per category.
    pub per_category: PerCategory,
}

/// Parses the query of `GET /api/v1/reports/top`: the optional `project_id`, and
/// `per_category`, 1–50 (default 3).
///
/// # Errors
/// 400 naming every unknown, repeated or invalid parameter.
pub fn report_top(query: &str) -> Result<TopRequest, ApiError> {
    let mut errors = Errors::default();
    let mut project = None;
    let mut per_category = PerCategory::default();
    for (name, value) in pairs(query, &mut errors)? {
        match name.as_str() {
            "project_id" => project = errors.check(&name, id::<ProjectId>(&value)),
            "per_category" => {
                let n =
                    value.parse::<u64>().map_err(|_| PerCategoryError).and_then(PerCategory::new);
                per_category = errors.check(&name, n).unwrap_or_default();
            }
            _ => errors.0.push(FieldError::new(name.clone(), "unknown query parameter")),
        }
    }
    errors.finish()?;
    Ok(TopRequest { project, per_category })
}

/// What `GET /api/v1/trash` asks for: the project (required) and a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrashRequest {
    /// The project whose trash to list.
    pub project: ProjectId,
    /// Page size.
    pub limit: PageLimit,
    /// The root id of the last subtree of the previous page.
    pub after: Option<TaskId>,
}

/// Parses the query of `GET /api/v1/trash`: `project_id` (required), `limit`, `cursor`.
///
/// # Errors
/// 400 naming every unknown, repeated, missing or invalid parameter.
pub fn trash(query: &str) -> Result<TrashRequest, ApiError> {
    let mut errors = Errors::default();
    let mut project = None;
    let mut request_limit = PageLimit::default();
    let mut after = None;
    for (name, value) in pairs(query, &mut errors)? {
        match name.as_str() {
            "project_id" => project = errors.check(&name, id::<ProjectId>(&value)),
            "limit" => request_limit = errors.check(&name, limit(&value)).unwrap_or_default(),
            "cursor" => {
                after =
                    errors.check(&name, value.parse::<TaskId>().map_err(|_| "cursor is malformed"));
            }
            _ => errors.0.push(FieldError::new(name.clone(), "unknown query parameter")),
        }
    }
    if project.is_none() && !errors.0.iter().any(|e| e.field == "project_id") {
        errors.0.push(FieldError::new("project_id", "is required"));
    }
    errors.finish()?;
    match project {
        Some(project) => Ok(TrashRequest { project, limit: request_limit, after }),
        None => Err(ApiError::bad_request("invalid query parameters: project_id")),
    }
}

/// A page request of a simple listing: the size and the raw cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<C> {
    /// Page size.
    pub limit: PageLimit,
    /// Where to continue.
    pub after: Option<C>,
}

/// Parses `limit` and `cursor`, the cursor with `cursor_from`.
///
/// # Errors
/// 400 naming every unknown, repeated or invalid parameter.
pub fn page<C, E: Display>(
    query: &str,
    cursor_from: impl Fn(&str) -> Result<C, E>,
) -> Result<PageRequest<C>, ApiError> {
    let mut errors = Errors::default();
    let mut request = PageRequest { limit: PageLimit::default(), after: None };
    for (name, value) in pairs(query, &mut errors)? {
        match name.as_str() {
            "limit" => request.limit = errors.check(&name, limit(&value)).unwrap_or_default(),
            "cursor" => {
                request.after =
                    errors.check(&name, cursor_from(&value).map_err(|_| "cursor is malformed"));
            }
            _ => errors.0.push(FieldError::new(name.clone(), "unknown query parameter")),
        }
    }
    errors.finish()?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use taskforge_crypto::AeadCursorSealer;
    use taskforge_domain::values::Status;

    use super::*;

    fn cursors() -> CursorCodec {
        CursorCodec::new(Arc::new(AeadCursorSealer::from_secrets(
            b"query tests' cursor secret",
            None,
        )))
    }

    fn fields(e: &ApiError) -> Vec<&str> {
        e.errors().iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn every_filter_is_understood() {
        let p = ProjectId::new();
        let q = format!(
            "project_id={p}&status=done&priority=high&label=Ops&due_before=2026-01-02&due_after=2025-12-01&q=abc&sort=-priority&limit=10"
        );
        let list = task_list(&q, &cursors()).unwrap();
        assert_eq!(list.filter.project_id, Some(p));
        assert_eq!(list.filter.status, Some(Status::Done.into()));
        assert_eq!(list.filter.label.unwrap().as_str(), "ops");
        assert_eq!(list.sort.to_string(), "-priority");
        assert_eq!(list.limit.get(), 10);
    }

    #[test]
    fn status_takes_several_values_separated_by_commas() {
        let list = task_list("status=in_progress,todo", &cursors()).unwrap();
        assert_eq!(list.filter.status, Some(StatusSet::parse("todo,in_progress").unwrap()));
        let r = task_export("status=done,todo").unwrap();
        assert_eq!(r.filter.status.map(|s| s.to_string()).as_deref(), Some("todo,done"));
        for bad in ["todo,", ",done", "todo,,done", "todo,later", "todo;done", "todo done"] {
            let e = task_list(&format!("status={bad}"), &cursors()).unwrap_err();
            assert_eq!(fields(&e), ["status"], "{bad}");
        }
    }

    #[test]
    fn an_empty_query_takes_the_defaults() {
        let list = task_list("", &cursors()).unwrap();
        assert_eq!(list.limit, PageLimit::DEFAULT);
        assert_eq!(list.sort, TaskSort::default());
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let e = task_list("limit=0&status=nope&colour=red&q=a&cursor=zzz", &cursors()).unwrap_err();
        assert_eq!(fields(&e), ["limit", "status", "colour", "q", "cursor"]);
        let e = task_list("limit=201", &cursors()).unwrap_err();
        assert_eq!(fields(&e), ["limit"]);
        let e = task_list("label=a&label=b", &cursors()).unwrap_err();
        assert_eq!(fields(&e), ["label"]);
    }

    #[test]
    fn an_export_takes_the_filters_sort_and_format_but_no_pages() {
        let r = task_export("format=csv&status=done&sort=title").unwrap();
        assert_eq!(
            (r.format.name, r.filter.status, r.sort.to_string()),
            ("csv", Some(Status::Done.into()), "title".into())
        );
        assert_eq!(task_export("").unwrap().format.name, "json");
        let e = task_export("format=yaml&limit=5").unwrap_err();
        assert_eq!(fields(&e), ["format", "limit"]);
        assert_eq!(e.errors()[0].message, "format must be one of json, csv, xml");
    }

    #[test]
    fn report_parameters_are_checked() {
        assert_eq!(report_summary("").unwrap(), None);
        assert_eq!(fields(&report_summary("project_id=x&y=1").unwrap_err()), ["project_id", "y"]);
        assert_eq!(report_top("").unwrap().per_category.get(), 3);
        assert_eq!(report_top("").unwrap().project, None);
        assert_eq!(report_top("per_category=50").unwrap().per_category.get(), 50);
        for bad in ["0", "51", "-1", "three"] {
            let e = report_top(&format!("per_category={bad}")).unwrap_err();
            assert_eq!(fields(&e), ["per_category"], "{bad}");
        }
        let project = "0190a6f2-3c4d-7e8f-9a0b-1c2d3e4f5a6d";
        let top = report_top(&format!("project_id={project}&per_category=2")).unwrap();
        assert_eq!(top.project.map(|p| p.to_string()).as_deref(), Some(project));
        assert_eq!(top.per_category.get(), 2);
        let e = report_top("project_id=x&per_category=0&colour=red").unwrap_err();
        assert_eq!(fields(&e), ["project_id", "per_category", "colour"]);
    }

    #[test]
    fn a_page_request_parses_its_cursor() {
        let r = page("limit=5&cursor=x", |s| Ok::<_, &str>(s.to_owned())).unwrap();
        assert_eq!((r.limit.get(), r.after.as_deref()), (5, Some("x")));
        let e = page("cursor=x&sort=a", |_| Err::<String, _>("bad")).unwrap_err();
        assert_eq!(fields(&e), ["cursor", "sort"]);
    }
}
