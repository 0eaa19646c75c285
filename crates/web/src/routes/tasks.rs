//! `/tasks/{id}`: the detail page with its edit form; `POST` to change, `/move` and
//! `/delete`. Every change carries the version the form was shown with, so a stale form
//! never overwrites someone else's edit.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::commands::{MoveTask, UpdateTask};
use taskforge_domain::query::{ListTasks, TaskFilter};
use taskforge_domain::services::{ProjectError, TaskError};
use taskforge_domain::values::{PageLimit, Status};
use taskforge_domain::{ProjectId, Task, TaskId};

use super::auth::capitalised;
use super::projects::{members, path_id, project_error, row};
use super::{field, form_fields, resource};
use crate::forms::{FieldErrors, TaskFormValues, last, update_task, version};
use crate::pages::{Layout, TaskPage};
use crate::response::{WebError, render, see_other};
use crate::session::{Viewer, check_unsafe, require_viewer};
use crate::state::WebState;

/// Mounts the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/tasks/{id}", "GET, HEAD, POST")
            .route(web::get().to(show))
            .route(web::post().to(update)),
    )
    .service(resource("/tasks/{id}/move", "POST").route(web::post().to(move_task)))
    .service(resource("/tasks/{id}/delete", "POST").route(web::post().to(delete)));
}

/// A task error as a page (the conflict and rule cases are handled where they can re-show
/// the form).
pub(crate) fn task_error(e: TaskError) -> WebError {
    match e {
        TaskError::NotFound | TaskError::ProjectNotFound | TaskError::EntryNotFound => {
            WebError::NotFound
        }
        e @ TaskError::Forbidden => WebError::Forbidden(capitalised(&e)),
        e @ (TaskError::PreconditionFailed { .. }
        | TaskError::Conflict
        | TaskError::NotRevertible
        | TaskError::ProjectGone
        | TaskError::ParentGone
        | TaskError::ChangedSince { .. }
        | TaskError::Rule(_)
        | TaskError::InvalidCursor(_)) => WebError::BadRequest(capitalised(&e)),
        TaskError::Store(e) => WebError::internal(e),
    }
}

/// How the page shows after an attempt: plain, with typed values and errors, or with the
/// current values after a conflict.
struct Shown {
    form: Option<TaskFormValues>,
    errors: FieldErrors,
    conflict: bool,
    status: StatusCode,
}

impl Shown {
    const fn fresh() -> Self {
        Self {
            form: None,
            errors: FieldErrors(Vec::new()),
            conflict: false,
            status: StatusCode::OK,
        }
    }
}

/// `GET /tasks/{id}`.
async fn show(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let id = path_id(&path)?;
    task_page(&state, &viewer, id, Shown::fresh()).await
}

/// How many of a task's latest changes its page shows.
const HISTORY_SHOWN: u64 = 20;

async fn task_page(
    state: &WebState,
    viewer: &Viewer,
    id: TaskId,
    shown: Shown,
) -> Result<HttpResponse, WebError> {
    let services = &state.services;
    let task = services.tasks.get(&viewer.actor, id).await.map_err(task_error)?;
    // A public task of a project the viewer is not in: readable, but its project is not.
    let (project_name, visible) = match services.projects.get(&viewer.actor, task.project_id).await
    {
        Ok(project) => (project.name.as_str().to_owned(), true),
        Err(ProjectError::NotFound) => (String::from("its project"), false),
        Err(e) => return Err(project_error(e)),
    };
    let members = if visible { members(state, viewer, task.project_id).await? } else { Vec::new() };
    let subtasks = services
        .tasks
        .list(
            &viewer.actor,
            ListTasks {
                filter: TaskFilter { parent_id: Some(id), ..TaskFilter::default() },
                limit: PageLimit::new(u64::from(PageLimit::MAX)).unwrap_or_default(),
                ..ListTasks::default()
            },
        )
        .await
        .map_err(task_error)?;
    let can_write = viewer.can_write() && visible;
    let move_targets = if can_write {
        services
            .projects
            .list(&viewer.actor, None, PageLimit::DEFAULT)
            .await
            .map_err(project_error)?
            .items
            .iter()
            .filter(|p| p.id != task.project_id)
            .map(|p| (p.id.to_string(), p.name.as_str().to_owned()))
            .collect()
    } else {
        Vec::new()
    };
    let history = services
        .history
        .of_task(&viewer.actor, id, None, PageLimit::new(HISTORY_SHOWN).unwrap_or_default())
        .await
        .map_err(task_error)?;
    let page = TaskPage {
        history: crate::history::rows(&history.items, &members),
        more_history: history.next_cursor.is_some(),
        layout: Layout::for_viewer(task.title.as_str(), viewer),
        id: id.to_string(),
        task: row(&task, &members),
        description: task.description.as_str().to_owned(),
        project: (task.project_id.to_string(), project_name),
        is_public: task.is_public,
        parent_id: task.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        subtasks: subtasks.items.iter().map(|t| row(t, &members)).collect(),
        can_write,
        move_targets,
        members,
        form: shown.form.unwrap_or_else(|| TaskFormValues::of(&task)),
        errors: shown.errors,
        conflict: shown.conflict,
        csrf: viewer.csrf.clone(),
    };
    render(shown.status, &page)
}

/// The page after a stale write: the current values, a conflict message, status 409.
async fn conflict(state: &WebState, viewer: &Viewer, id: TaskId) -> Result<HttpResponse, WebError> {
    let shown = Shown { conflict: true, status: StatusCode::CONFLICT, ..Shown::fresh() };
    task_page(state, viewer, id, shown).await
}

/// After a stale move from the board, htmx would look for the board in the conflict page:
/// tell it to show the page's `<main>` instead, at the task's address.
fn conflict_for_htmx(req: &HttpRequest, mut page: HttpResponse, id: TaskId) -> HttpResponse {
    if req.headers().contains_key("hx-request") {
        let headers = page.headers_mut();
        for (name, value) in [
            ("hx-retarget", String::from("#main")),
            ("hx-reselect", String::from("#main")),
            ("hx-reswap", String::from("outerHTML")),
            ("hx-push-url", format!("/tasks/{id}")),
        ] {
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&value) {
                headers.insert(actix_web::http::header::HeaderName::from_static(name), value);
            }
        }
    }
    page
}

/// The viewer, the form and the task id of a post to `/tasks/{id}…`, checked for CSRF.
async fn posted(
    req: &HttpRequest,
    state: &WebState,
    path: &str,
    body: &[u8],
) -> Result<(Viewer, Vec<(String, String)>, TaskId), WebError> {
    let viewer = require_viewer(req, state).await?;
    let fields = form_fields(body)?;
    check_unsafe(req, Some(&viewer.csrf), &fields)?;
    Ok((viewer, fields, path_id(path)?))
}

/// Runs `cmd`, answering a stale version with the conflict page and a broken rule or a
/// bad field with the form again.
async fn apply(
    state: &WebState,
    viewer: &Viewer,
    id: TaskId,
    cmd: UpdateTask,
    typed: TaskFormValues,
) -> Result<Result<Task, HttpResponse>, WebError> {
    match state.services.tasks.update(&viewer.actor, id, cmd).await {
        Ok(task) => Ok(Ok(task)),
        Err(TaskError::PreconditionFailed { .. } | TaskError::Conflict) => {
            Ok(Err(conflict(state, viewer, id).await?))
        }
        Err(TaskError::Rule(rule)) => {
            let mut errors = FieldErrors::default();
            errors.push(crate::forms::task_field_name(rule.field()), capitalised(&rule));
            let shown = Shown {
                form: Some(typed),
                errors,
                conflict: false,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            Ok(Err(task_page(state, viewer, id, shown).await?))
        }
        Err(e) => Err(task_error(e)),
    }
}

/// `POST /tasks/{id}`: the edit form.
async fn update(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (viewer, fields, id) = posted(&req, &state, &path, &body).await?;
    let typed = TaskFormValues::typed(&fields, TaskFormValues::default());
    let cmd = match update_task(&fields) {
        Ok(cmd) => cmd,
        Err(errors) => {
            // Show the refusal to someone who may not change the task as 403, not as a form.
            let task = state.services.tasks.get(&viewer.actor, id).await.map_err(task_error)?;
            if !viewer.can_write() {
                return Err(task_error(TaskError::Forbidden));
            }
            let typed = TaskFormValues::typed(&fields, TaskFormValues::of(&task));
            let shown = Shown {
                form: Some(typed),
                errors,
                conflict: false,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            return task_page(&state, &viewer, id, shown).await;
        }
    };
    Ok(match apply(&state, &viewer, id, cmd, typed).await? {
        Ok(task) => see_other(&format!("/tasks/{}", task.id)),
        Err(page) => page,
    })
}

/// `POST /tasks/{id}/move`: to another column (`status`, from the board) or another
/// project (`project_id`).
async fn move_task(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (viewer, fields, id) = posted(&req, &state, &path, &body).await?;
    let mut errors = FieldErrors::default();
    let if_match = version(&fields, &mut errors);
    if if_match.is_none() {
        return Err(WebError::BadRequest(String::from("The form is missing the task's version.")));
    }
    let board = field(&fields, "view") == "board";
    let task = if let Some(target) = last(&fields, "project_id").filter(|p| !p.is_empty()) {
        let project_id: ProjectId =
            target.parse().map_err(|_| WebError::BadRequest("Unknown project.".into()))?;
        match state
            .services
            .tasks
            .move_task(&viewer.actor, id, MoveTask { project_id, if_match })
            .await
        {
            Ok(task) => task,
            Err(TaskError::PreconditionFailed { .. } | TaskError::Conflict) => {
                return Ok(conflict_for_htmx(&req, conflict(&state, &viewer, id).await?, id));
            }
            Err(e) => return Err(task_error(e)),
        }
    } else {
        let status = Status::parse(field(&fields, "status"))
            .map_err(|e| WebError::BadRequest(capitalised(&e)))?;
        let cmd = UpdateTask { status: Some(status), if_match, ..UpdateTask::default() };
        match apply(&state, &viewer, id, cmd, TaskFormValues::default()).await? {
            Ok(task) => task,
            Err(page) => return Ok(conflict_for_htmx(&req, page, id)),
        }
    };
    Ok(see_other(&if board {
        format!("/projects/{}?view=board#task-{}", task.project_id, task.id)
    } else {
        format!("/tasks/{}", task.id)
    }))
}

/// `POST /tasks/{id}/delete`: deletes the task and its subtasks, then shows the project.
async fn delete(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let (viewer, fields, id) = posted(&req, &state, &path, &body).await?;
    let task = state.services.tasks.get(&viewer.actor, id).await.map_err(task_error)?;
    let mut errors = FieldErrors::default();
    let if_match = version(&fields, &mut errors);
    match state.services.tasks.delete(&viewer.actor, id, if_match).await {
        Ok(()) => Ok(see_other(&format!("/projects/{}", task.project_id))),
        Err(TaskError::PreconditionFailed { .. }) => conflict(&state, &viewer, id).await,
        Err(e) => Err(task_error(e)),
    }
}
