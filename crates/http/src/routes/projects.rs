//! `/api/v1/projects`: projects and their members.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::services::ProjectError;
use taskforge_domain::values::Username;
use taskforge_domain::{ProjectId, UserId};

use super::{path_id, resource};
use crate::auth::Authenticated;
use crate::body::JsonBody;
use crate::dto::{CreateProjectBody, MemberList, ProjectPage, ProjectResponse, UpdateProjectBody};
use crate::error::ApiError;
use crate::openapi::{
    AuthErrors, BadRequest, BodyErrors, Conflict, Forbidden, NotFound, Throttled,
};
use crate::query::{self, PageParams};
use crate::state::AppState;

/// Mounts the project routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/api/v1/projects", "GET, POST")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/api/v1/projects/{id}", "GET, PATCH, DELETE")
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/api/v1/projects/{id}/members", "GET").route(web::get().to(members)))
    .service(
        resource("/api/v1/projects/{id}/members/{user_id}", "PUT, DELETE")
            .route(web::put().to(add_member))
            .route(web::delete().to(remove_member)),
    )
    .service(
        resource("/api/v1/projects/{id}/members/by-username/{username}", "PUT")
            .route(web::put().to(add_member_by_username)),
    );
}

/// Create a project owned by the caller (editors and admins).
#[utoipa::path(
    post, operation_id = "projects_create", path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    request_body = CreateProjectBody,
    responses(
        (status = 201, description = "Created", body = ProjectResponse,
            headers(("Location" = String, description = "The new project's URL"))),
        BodyErrors, AuthErrors, Forbidden,
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<CreateProjectBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.try_into_domain()?;
    let project = state.services().projects.create(&actor, cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/projects/{}", project.id)))
        .json(ProjectResponse::from(&project)))
}

/// The projects the caller is a member of (admins: all), oldest first.
#[utoipa::path(
    get, operation_id = "projects_list", path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "One page", body = ProjectPage), BadRequest, AuthErrors)
)]
pub async fn list(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = query::page(req.query_string(), str::parse::<ProjectId>)?;
    let projects = state.services().projects.list(&actor, page.after, page.limit).await?;
    Ok(HttpResponse::Ok().json(ProjectPage::from(projects)))
}

/// Read a project (members and admins).
#[utoipa::path(
    get, operation_id = "projects_get", path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Project id")),
    responses((status = 200, description = "The project", body = ProjectResponse), AuthErrors, NotFound)
)]
pub async fn get(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: ProjectId = path_id(&id, "id")?;
    let project = state.services().projects.get(&actor, id).await?;
    Ok(HttpResponse::Ok().json(ProjectResponse::from(&project)))
}

/// Rename, re-describe or hand over a project (its owner as editor, and admins); a merge-patch.
#[utoipa::path(
    patch, operation_id = "projects_update", path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Project id")),
    request_body = UpdateProjectBody,
    responses(
        (status = 200, description = "The changed project", body = ProjectResponse),
        BodyErrors, AuthErrors, Forbidden, NotFound,
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
    JsonBody(body): JsonBody<UpdateProjectBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.try_into_domain()?;
    let id: ProjectId = path_id(&id, "id")?;
    let project = state.services().projects.update(&actor, id, cmd).await?;
    Ok(HttpResponse::Ok().json(ProjectResponse::from(&project)))
}

/// Delete a project and all its tasks (its owner as editor, and admins).
#[utoipa::path(
    delete, operation_id = "projects_delete", path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Project id")),
    responses((status = 204, description = "Deleted, with its tasks"), AuthErrors, Forbidden, NotFound)
)]
pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: ProjectId = path_id(&id, "id")?;
    state.services().projects.delete(&actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of a project (members and admins).
#[utoipa::path(
    get, operation_id = "projects_members", path = "/api/v1/projects/{id}/members", tag = "projects", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Project id")),
    responses((status = 200, description = "The members", body = MemberList), AuthErrors, NotFound)
)]
pub async fn members(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: ProjectId = path_id(&id, "id")?;
    let members = state.services().projects.members(&actor, id).await?;
    Ok(HttpResponse::Ok().json(MemberList::from(members)))
}

fn member_path(path: &(String, String)) -> Result<(ProjectId, UserId), ApiError> {
    Ok((path_id(&path.0, "id")?, path_id(&path.1, "user_id")?))
}

/// Add a member (its owner as editor, and admins); adding an existing member changes nothing.
#[utoipa::path(
    put, operation_id = "projects_add_member", path = "/api/v1/projects/{id}/members/{user_id}", tag = "projects", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Project id"),
        ("user_id" = String, Path, format = Uuid, description = "User id"),
    ),
    responses((status = 204, description = "The user is a member"), AuthErrors, Forbidden, NotFound, Throttled)
)]
pub async fn add_member(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, user) = member_path(&path)?;
    state.services().projects.add_member(&actor, project, user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a member by username (its owner as editor, and admins), for a teammate whose id the owner does not
/// know; an unknown username is answered exactly as an unknown user id.
#[utoipa::path(
    put, operation_id = "projects_add_member_by_username", path = "/api/v1/projects/{id}/members/by-username/{username}", tag = "projects", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Project id"),
        ("username" = String, Path, description = "The user's username (any case)", example = "bob"),
    ),
    responses((status = 204, description = "The user is a member"), AuthErrors, Forbidden, NotFound, Throttled)
)]
pub async fn add_member_by_username(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let project: ProjectId = path_id(&path.0, "id")?;
    // A name no account could have is answered like a name no account has.
    let username =
        Username::parse(&path.1).map_err(|_| ApiError::from(ProjectError::UserNotFound))?;
    state.services().projects.add_member_by_username(&actor, project, &username).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove a member (its owner as editor, and admins) and un-assign them from the project's tasks.
#[utoipa::path(
    delete, operation_id = "projects_remove_member", path = "/api/v1/projects/{id}/members/{user_id}", tag = "projects", security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Project id"),
        ("user_id" = String, Path, format = Uuid, description = "User id"),
    ),
    responses(
        (status = 204, description = "The user is no longer a member"),
        AuthErrors, Forbidden, NotFound, Conflict,
    )
)]
pub async fn remove_member(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, user) = member_path(&path)?;
    state.services().projects.remove_member(&actor, project, user).await?;
    Ok(HttpResponse::NoContent().finish())
}
