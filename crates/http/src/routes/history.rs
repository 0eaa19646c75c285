//! `/api/v1/tasks/{id}/history`, `/api/v1/projects/{id}/activity` and
//! `/api/v1/tasks/{id}/history/{entry_id}/revert`: the change log, and undoing one change.

use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::model::EntryId;
use taskforge_domain::{ProjectId, TaskId};

use super::{path_id, resource};
use crate::auth::Authenticated;
use crate::dto::{HistoryPage, TaskJson, TaskResponse};
use crate::error::{ApiError, FieldError};
use crate::openapi::{AuthErrors, BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed};
use crate::preconditions::{IfMatch, etag};
use crate::query;
use crate::state::AppState;

/// Mounts the history routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/tasks/{id}/history", "GET").route(web::get().to(task_history)))
        .service(
            resource("/api/v1/tasks/{id}/history/{entry_id}/revert", "POST")
                .route(web::post().to(revert)),
        )
        .service(
            resource("/api/v1/projects/{id}/activity", "GET")
                .route(web::get().to(project_activity)),
        );
}

/// The cursor of a history page: the id of the last entry of the page before.
fn entry_cursor(raw: &str) -> Result<EntryId, taskforge_domain::model::EntryIdError> {
    raw.parse()
}

/// The history of a task, newest first (whoever may read the task).
#[utoipa::path(
    get, operation_id = "tasks_history", path = "/api/v1/tasks/{id}/history", tag = "history", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Task id"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of the task's history", body = HistoryPage), BadRequest, AuthErrors, NotFound)
)]
pub async fn task_history(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id: TaskId = path_id(&id, "id")?;
    let page = query::page(req.query_string(), entry_cursor)?;
    let entries = state.services().history.of_task(&actor, id, page.after, page.limit).await?;
    Ok(HttpResponse::Ok().json(HistoryPage::from(entries)))
}

/// The activity of a project — its own changes and its tasks' — newest first (whoever may
/// read the project).
#[utoipa::path(
    get, operation_id = "projects_activity", path = "/api/v1/projects/{id}/activity", tag = "history", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Project id"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of the project's activity", body = HistoryPage), BadRequest, AuthErrors, NotFound)
)]
pub async fn project_activity(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id: ProjectId = path_id(&id, "id")?;
    let page = query::page(req.query_string(), entry_cursor)?;
    let entries = state.services().history.of_project(&actor, id, page.after, page.limit).await?;
    Ok(HttpResponse::Ok().json(HistoryPage::from(entries)))
}

/// Revert one update (or an earlier revert) of a task: its fields are set back to their
/// values before that change, if the task still holds the values the change set; otherwise
/// 409 naming the fields changed since. Recorded as a `task_reverted` entry.
#[utoipa::path(
    post, operation_id = "tasks_revert", path = "/api/v1/tasks/{id}/history/{entry_id}/revert", tag = "history", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Task id"),
        ("entry_id" = u64, Path, minimum = 1, description = "The history entry to revert"),
        ("If-Match" = Option<String>, Header, description = "Revert only at this version, e.g. \"3\""),
    ),
    responses(
        (status = 200, description = "The task after the revert", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, quoted"))),
        BadRequest, AuthErrors, Forbidden, NotFound, Conflict, PreconditionFailed,
    )
)]
pub async fn revert(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    path: web::Path<(String, String)>,
    IfMatch(if_match): IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, entry) = path.into_inner();
    let id: TaskId = path_id(&id, "id")?;
    let entry: EntryId = entry.parse().map_err(|_| {
        ApiError::bad_parameters(
            "path parameter entry_id must be a positive integer",
            vec![FieldError::new("entry_id", "must be a positive integer such as 42")],
        )
    })?;
    let task = state.services().history.revert(&actor, id, entry, if_match).await?;
    Ok(HttpResponse::Ok().insert_header(etag(task.version)).json(TaskJson(&task)))
}
