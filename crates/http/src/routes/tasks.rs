//! `/api/v1/tasks`: create, read, merge-patch, delete, move and list tasks.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::TaskId;

use super::{path_id, resource};
use crate::auth::Authenticated;
use crate::body::JsonBody;
use crate::dto::{CreateTaskBody, MoveTaskBody, TaskJson, TaskPage, TaskResponse, UpdateTaskBody};
use crate::error::ApiError;
use crate::openapi::{
    AuthErrors, BadRequest, BodyErrors, Conflict, Forbidden, NotFound, PreconditionFailed,
    Unprocessable,
};
use crate::preconditions::{IfMatch, etag};
use crate::query::{self, TaskListParams};
use crate::state::AppState;

/// Mounts the task routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/api/v1/tasks", "GET, POST")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/api/v1/tasks/{id}", "GET, PATCH, DELETE")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/api/v1/tasks/{id}/move", "POST").route(web::post().to(move_task)));
}

/// 200 with the task, its `ETag`, and whatever else the builder holds.
fn task_response(
    mut response: actix_web::HttpResponseBuilder,
    task: &taskforge_domain::Task,
) -> HttpResponse {
    response.insert_header(etag(task.version)).json(TaskJson(task))
}

/// Create a task.
#[utoipa::path(
    post, operation_id = "tasks_create", path = "/api/v1/tasks", tag = "tasks", security(("bearer" = [])),
    request_body = CreateTaskBody,
    responses(
        (status = 201, description = "Created", body = TaskResponse, headers(
            ("Location" = String, description = "The new task's URL"),
            ("ETag" = String, description = "The task's version, quoted"),
        )),
        BodyErrors, AuthErrors, Forbidden, NotFound,
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<CreateTaskBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.try_into_domain()?;
    let task = state.services().tasks.create(&actor, cmd).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, format!("/api/v1/tasks/{}", task.id)));
    Ok(task_response(response, &task))
}

/// List the tasks the caller can see, filtered, sorted and paginated by keyset cursor.
#[utoipa::path(
    get, operation_id = "tasks_list", path = "/api/v1/tasks", tag = "tasks", security(("bearer" = [])),
    params(TaskListParams),
    responses((status = 200, description = "One page", body = TaskPage), BadRequest, AuthErrors)
)]
pub async fn list(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let request = query::task_list(req.query_string(), &state.services().cursors)?;
    let page = state.services().tasks.list(&actor, request).await?;
    Ok(HttpResponse::Ok().json(TaskPage::new(page, &state.services().cursors)))
}

/// Read a task.
#[utoipa::path(
    get, operation_id = "tasks_get", path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Task id")),
    responses(
        (status = 200, description = "The task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, quoted"))),
        AuthErrors, NotFound,
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: TaskId = path_id(&id, "id")?;
    let task = state.services().tasks.get(&actor, id).await?;
    Ok(task_response(HttpResponse::Ok(), &task))
}

/// Change a task with a JSON merge-patch (absent = unchanged, `null` = clear).
#[utoipa::path(
    patch, operation_id = "tasks_update", path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Apply only at this version, e.g. \"3\""),
    ),
    request_body = UpdateTaskBody,
    responses(
        (status = 200, description = "The changed task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, quoted"))),
        BodyErrors, AuthErrors, Forbidden, NotFound, Conflict, PreconditionFailed,
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
    IfMatch(if_match): IfMatch,
    JsonBody(body): JsonBody<UpdateTaskBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.try_into_domain(if_match)?;
    let id: TaskId = path_id(&id, "id")?;
    let task = state.services().tasks.update(&actor, id, cmd).await?;
    Ok(task_response(HttpResponse::Ok(), &task))
}

/// Delete a task and its subtasks.
#[utoipa::path(
    delete, operation_id = "tasks_delete", path = "/api/v1/tasks/{id}", tag = "tasks", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Delete only at this version, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Deleted, with its subtasks"),
        BadRequest, AuthErrors, Forbidden, NotFound, PreconditionFailed,
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
    IfMatch(if_match): IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id: TaskId = path_id(&id, "id")?;
    state.services().tasks.delete(&actor, id, if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Move a task and its subtasks to another project, atomically.
#[utoipa::path(
    post, operation_id = "tasks_move_task", path = "/api/v1/tasks/{id}/move", tag = "tasks", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Move only at this version, e.g. \"3\""),
    ),
    request_body = MoveTaskBody,
    responses(
        (status = 200, description = "The moved task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, quoted"))),
        BodyErrors, AuthErrors, Forbidden, NotFound, Conflict, PreconditionFailed, Unprocessable,
    )
)]
pub async fn move_task(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
    IfMatch(if_match): IfMatch,
    JsonBody(body): JsonBody<MoveTaskBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.try_into_domain(if_match)?;
    let id: TaskId = path_id(&id, "id")?;
    let task = state.services().tasks.move_task(&actor, id, cmd).await?;
    Ok(task_response(HttpResponse::Ok(), &task))
}
