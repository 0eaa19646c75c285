//! `/api/v1/users`: the caller's own account, and user management for admins.
//! (`PUT /api/v1/users/me/password` lives with the authentication routes, in `routes::auth`.)

use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::UserId;
use taskforge_domain::values::Username;

use super::{path_id, resource};
use crate::auth::Authenticated;
use crate::body::JsonBody;
use crate::dto::{SetRoleBody, UserPage, UserResponse};
use crate::error::ApiError;
use crate::openapi::{AuthErrors, BadRequest, BodyErrors, Conflict, Forbidden, NotFound};
use crate::query::{self, PageParams};
use crate::state::AppState;

/// Mounts the user routes. `/users/me` comes before `/users/{id}` so "me" is never an id.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/users/me", "GET").route(web::get().to(me)))
        .service(resource("/api/v1/users", "GET").route(web::get().to(list)))
        .service(
            resource("/api/v1/users/{id}", "PATCH, DELETE")
                .route(web::patch().to(set_role))
                .route(web::delete().to(delete)),
        );
}

/// The caller's own account.
#[utoipa::path(
    get, operation_id = "users_me", path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = UserResponse), AuthErrors)
)]
pub async fn me(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let user = state.services().users.me(&actor).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(&user)))
}

/// Every user, by username (admins).
#[utoipa::path(
    get, operation_id = "users_list", path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "One page", body = UserPage), BadRequest, AuthErrors, Forbidden)
)]
pub async fn list(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = query::page(req.query_string(), Username::parse)?;
    let users = state.services().users.list(&actor, page.after.as_ref(), page.limit).await?;
    Ok(HttpResponse::Ok().json(UserPage::from(users)))
}

/// Change a user's role (admins). The last admin cannot be demoted.
#[utoipa::path(
    patch, operation_id = "users_set_role", path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "User id")),
    request_body = SetRoleBody,
    responses(
        (status = 200, description = "The changed user", body = UserResponse),
        BodyErrors, AuthErrors, Forbidden, NotFound, Conflict,
    )
)]
pub async fn set_role(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
    JsonBody(body): JsonBody<SetRoleBody>,
) -> Result<HttpResponse, ApiError> {
    let role = body.try_into_domain()?;
    let id: UserId = path_id(&id, "id")?;
    let user = state.services().users.set_role(&actor, id, role).await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(&user)))
}

/// Delete an account (admins). Not the last admin, nor anyone who still owns projects.
#[utoipa::path(
    delete, operation_id = "users_delete", path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "User id")),
    responses((status = 204, description = "Deleted"), AuthErrors, Forbidden, NotFound, Conflict)
)]
pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: UserId = path_id(&id, "id")?;
    state.services().users.delete(&actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
