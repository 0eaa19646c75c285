//! `/projects`, `/projects/{id}` (list and board), `POST /projects/{id}/tasks`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::commands::CreateProject;
use taskforge_domain::query::{ListTasks, TaskFilter, TaskSort};
use taskforge_domain::services::{ProjectError, TaskError};
use taskforge_domain::values::{
    Label, PageLimit, Priority, ProjectName, SearchText, Status, StatusSet,
};
use taskforge_domain::{ProjectId, Task, UserId};

use super::auth::capitalised;
use super::{field, form_fields, resource};
use crate::forms::{FieldErrors, STATUSES, TaskFormValues, create_task};
use crate::pages::{Column, FilterValues, Layout, ProjectPage, ProjectsPage, TaskRow};
use crate::response::{WebError, render, see_other};
use crate::session::{Viewer, check_unsafe, require_viewer};
use crate::state::WebState;

/// Mounts the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/projects", "GET, HEAD, POST")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(resource("/projects/{id}", "GET, HEAD").route(web::get().to(show)))
    .service(resource("/projects/{id}/tasks", "POST").route(web::post().to(create_task_route)));
}

/// A project error as a page.
pub(crate) fn project_error(e: ProjectError) -> WebError {
    match e {
        ProjectError::NotFound => WebError::NotFound,
        e @ (ProjectError::Forbidden | ProjectError::CreateForbidden) => {
            WebError::Forbidden(capitalised(&e))
        }
        e @ (ProjectError::UserNotFound
        | ProjectError::MemberNotFound
        | ProjectError::OwnerIsAlwaysMember
        | ProjectError::OwnerMustBeMember
        | ProjectError::Throttled { .. }) => WebError::BadRequest(capitalised(&e)),
        ProjectError::Store(e) => WebError::internal(e),
    }
}

/// A path segment as an id; anything else is simply not there.
pub(crate) fn path_id<T: std::str::FromStr>(raw: &str) -> Result<T, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    after: Option<String>,
}

/// `GET /projects`: the projects the viewer sees, and a form to create one.
async fn list(
    req: HttpRequest,
    state: web::Data<WebState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let after = match query.after.as_deref() {
        Some(raw) => Some(path_id::<ProjectId>(raw).map_err(|_| bad("after"))?),
        None => None,
    };
    projects_page(&state, &viewer, after, String::new(), None, StatusCode::OK).await
}

fn bad(parameter: &str) -> WebError {
    WebError::BadRequest(format!("The {parameter} parameter is not valid."))
}

async fn projects_page(
    state: &WebState,
    viewer: &Viewer,
    after: Option<ProjectId>,
    name: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let page = state
        .services
        .projects
        .list(&viewer.actor, after, PageLimit::DEFAULT)
        .await
        .map_err(project_error)?;
    let page = ProjectsPage {
        layout: Layout::for_viewer("Projects", viewer),
        projects: page
            .items
            .iter()
            .map(|p| (p.id.to_string(), p.name.as_str().to_owned()))
            .collect(),
        next_href: page.next_cursor.map(|c| format!("/projects?after={c}")),
        can_create: viewer.can_write(),
        name,
        error,
    };
    render(status, &page)
}

/// `POST /projects` (field `name`): creates the project and opens it.
async fn create(
    req: HttpRequest,
    state: web::Data<WebState>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let fields = form_fields(&body)?;
    check_unsafe(&req, Some(&viewer.csrf), &fields)?;
    let typed = field(&fields, "name");
    let name = match ProjectName::parse(typed) {
        Ok(name) => name,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return projects_page(
                &state,
                &viewer,
                None,
                typed.into(),
                Some(capitalised(&e)),
                status,
            )
            .await;
        }
    };
    let project = state
        .services
        .projects
        .create(&viewer.actor, CreateProject { name, description: None })
        .await
        .map_err(project_error)?;
    Ok(see_other(&format!("/projects/{}", project.id)))
}

/// The listing parameters of the API, read from the query string.
#[derive(Debug, Default)]
struct Listing {
    values: FilterValues,
    cursor: String,
    board: bool,
}

impl Listing {
    fn from_query(query: &str) -> Self {
        let pairs: HashMap<String, String> = serde_urlencoded::from_str(query).unwrap_or_default();
        let get = |k: &str| pairs.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        Self {
            values: FilterValues {
                status: get("status"),
                priority: get("priority"),
                label: get("label"),
                assignee_id: get("assignee_id"),
                q: get("q"),
                sort: get("sort"),
            },
            cursor: get("cursor"),
            board: get("view") == "board",
        }
    }

    /// The link to this listing with `cursor`, in `board` view or not.
    fn href(&self, project: ProjectId, board: bool, cursor: Option<&str>) -> String {
        let v = &self.values;
        let mut pairs: Vec<(&str, &str)> = [
            ("status", v.status.as_str()),
            ("priority", v.priority.as_str()),
            ("label", v.label.as_str()),
            ("assignee_id", v.assignee_id.as_str()),
            ("q", v.q.as_str()),
            ("sort", v.sort.as_str()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
        if board {
            pairs.push(("view", "board"));
        }
        if let Some(cursor) = cursor {
            pairs.push(("cursor", cursor));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            format!("/projects/{project}")
        } else {
            format!("/projects/{project}?{query}")
        }
    }

    /// The domain's listing request; a parameter that does not parse is a 400 page.
    fn request(&self, project: ProjectId, state: &WebState) -> Result<ListTasks, WebError> {
        fn opt<T, E>(
            raw: &str,
            parse: impl Fn(&str) -> Result<T, E>,
            name: &str,
        ) -> Result<Option<T>, WebError> {
            if raw.is_empty() { Ok(None) } else { parse(raw).map(Some).map_err(|_| bad(name)) }
        }
        let v = &self.values;
        let filter = TaskFilter {
            project_id: Some(project),
            status: opt(&v.status, StatusSet::parse, "status")?,
            priority: opt(&v.priority, Priority::parse, "priority")?,
            label: opt(&v.label, Label::parse, "label")?,
            assignee_id: opt(&v.assignee_id, str::parse::<UserId>, "assignee_id")?,
            q: opt(&v.q, SearchText::parse, "q")?,
            ..TaskFilter::default()
        };
        let sort = opt(&v.sort, TaskSort::parse, "sort")?.unwrap_or_default();
        let after = opt(&self.cursor, |c| state.services.cursors.decode(c), "cursor")?;
        Ok(ListTasks { filter, sort, after, limit: PageLimit::DEFAULT })
    }
}

/// A task as a row, with the assignee's name from `members`.
pub(crate) fn row(task: &Task, members: &[(String, String)]) -> TaskRow {
    let assignee = task.assignee_id.map(|a| a.to_string());
    TaskRow {
        id: task.id.to_string(),
        title: task.title.as_str().to_owned(),
        status: task.status.as_str(),
        status_label: status_label(task.status),
        priority: task.priority.as_str(),
        labels: task.labels.iter().map(|l| l.as_str().to_owned()).collect(),
        due_date: task.due_date.map(|d| d.to_string()).unwrap_or_default(),
        assignee: assignee
            .and_then(|a| members.iter().find(|(id, _)| *id == a).map(|(_, n)| n.clone()))
            .unwrap_or_default(),
        version: task.version.get(),
    }
}

/// The label of a status.
pub(crate) fn status_label(status: Status) -> &'static str {
    STATUSES.iter().find(|(v, _)| *v == status.as_str()).map_or("", |(_, l)| l)
}

/// The members of a visible project as (id, username).
pub(crate) async fn members(
    state: &WebState,
    viewer: &Viewer,
    project: ProjectId,
) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .services
        .projects
        .members(&viewer.actor, project)
        .await
        .map_err(project_error)?
        .into_iter()
        .map(|m| (m.user_id.to_string(), m.username.as_str().to_owned()))
        .collect())
}

/// `GET /projects/{id}`: the tasks, filtered by the API's listing parameters and paged by
/// keyset cursor; `?view=board` shows them in columns by status.
async fn show(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let id = path_id(&path)?;
    project_page(
        &req,
        &state,
        &viewer,
        id,
        TaskFormValues::new_task(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn project_page(
    req: &HttpRequest,
    state: &WebState,
    viewer: &Viewer,
    id: ProjectId,
    form: TaskFormValues,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let project = state.services.projects.get(&viewer.actor, id).await.map_err(project_error)?;
    let members = members(state, viewer, id).await?;
    let listing = Listing::from_query(req.query_string());
    let request = listing.request(id, state)?;
    let page = state.services.tasks.list(&viewer.actor, request).await.map_err(|e| match e {
        TaskError::InvalidCursor(_) => bad("cursor"),
        e => WebError::internal(e),
    })?;
    let rows: Vec<TaskRow> = page.items.iter().map(|t| row(t, &members)).collect();
    let columns = STATUSES
        .iter()
        .map(|(status, label)| Column {
            status,
            label,
            rows: rows.iter().filter(|r| r.status == *status).cloned().collect(),
        })
        .collect();
    let next = page.next_cursor.map(|c| state.services.cursors.encode(&c));
    let page = ProjectPage {
        layout: Layout::for_viewer(project.name.as_str(), viewer),
        id: id.to_string(),
        name: project.name.as_str().to_owned(),
        description: project.description.as_str().to_owned(),
        board: listing.board,
        rows,
        columns,
        next_href: next.as_deref().map(|c| listing.href(id, listing.board, Some(c))),
        first_href: (!listing.cursor.is_empty()).then(|| listing.href(id, listing.board, None)),
        other_view_href: listing.href(id, !listing.board, None),
        can_write: viewer.can_write(),
        members,
        form,
        errors,
        csrf: viewer.csrf.clone(),
        filters: listing.values,
    };
    render(status, &page)
}

/// `POST /projects/{id}/tasks`: creates a task (fields named as the API body) and shows the
/// project (or the parent task, for a subtask); invalid fields re-show the form.
async fn create_task_route(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let fields = form_fields(&body)?;
    check_unsafe(&req, Some(&viewer.csrf), &fields)?;
    let id: ProjectId = path_id(&path)?;
    let typed = TaskFormValues::typed(&fields, TaskFormValues::new_task());
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let cmd = match create_task(id, &fields) {
        Ok(cmd) => cmd,
        Err(errors) => {
            // Nothing is shown to someone who may not see the project.
            return project_page(&req, &state, &viewer, id, typed, errors, unprocessable).await;
        }
    };
    match state.services.tasks.create(&viewer.actor, cmd).await {
        Ok(task) => Ok(see_other(&match task.parent_id {
            Some(parent) => format!("/tasks/{parent}"),
            None => format!("/projects/{id}#task-{}", task.id),
        })),
        Err(TaskError::Rule(rule)) => {
            let mut errors = FieldErrors::default();
            errors.push(crate::forms::task_field_name(rule.field()), capitalised(&rule));
            project_page(&req, &state, &viewer, id, typed, errors, unprocessable).await
        }
        Err(e) => Err(crate::routes::tasks::task_error(e)),
    }
}
