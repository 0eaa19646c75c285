//! `/api/v1/trash` and `/api/v1/tasks/{id}/restore`: what `DELETE /api/v1/tasks/{id}` moved
//! to the trash, brought back or purged for good.

use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::TaskId;

use super::{path_id, resource};
use crate::auth::Authenticated;
use crate::dto::{TaskJson, TaskResponse, TrashPage};
use crate::error::ApiError;
use crate::openapi::{AuthErrors, BadRequest, Conflict, Forbidden, NotFound};
use crate::preconditions::etag;
use crate::query;
use crate::state::AppState;

/// Mounts the trash routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/trash", "GET").route(web::get().to(list)))
        .service(resource("/api/v1/trash/{id}", "DELETE").route(web::delete().to(purge)))
        .service(resource("/api/v1/tasks/{id}/restore", "POST").route(web::post().to(restore)));
}

/// The trash of a project: its deleted tasks with their subtasks, by id (whoever may see the
/// project; of a deleted project, admins).
#[utoipa::path(
    get, operation_id = "trash_list", path = "/api/v1/trash", tag = "trash", security(("bearer" = [])),
    params(
        ("project_id" = String, Query, format = Uuid, description = "The project"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, description = "A page of the project's trash", body = TrashPage), BadRequest, AuthErrors, NotFound)
)]
pub async fn list(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let request = query::trash(req.query_string())?;
    let page =
        state.services().trash.list(&actor, request.project, request.after, request.limit).await?;
    Ok(HttpResponse::Ok().json(TrashPage::from(page)))
}

/// Restore a deleted task with its subtasks (a writer of its project). 409 when its project
/// was deleted or its parent is gone; a category deleted meanwhile, or an assignee no longer
/// a member, is cleared.
#[utoipa::path(
    post, operation_id = "tasks_restore", path = "/api/v1/tasks/{id}/restore", tag = "trash", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The deleted task's id")),
    responses(
        (status = 200, description = "The restored task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, quoted"))),
        AuthErrors, Forbidden, NotFound, Conflict,
    )
)]
pub async fn restore(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: TaskId = path_id(&id, "id")?;
    let task = state.services().trash.restore(&actor, id).await?;
    Ok(HttpResponse::Ok().insert_header(etag(task.version)).json(TaskJson(&task)))
}

/// Purge a deleted task and its subtasks for good (the project's owner, or an admin).
#[utoipa::path(
    delete, operation_id = "trash_purge", path = "/api/v1/trash/{id}", tag = "trash", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The deleted task's id")),
    responses((status = 204, description = "Purged"), AuthErrors, Forbidden, NotFound)
)]
pub async fn purge(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: TaskId = path_id(&id, "id")?;
    state.services().trash.purge(&actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
