//! `/api/v1/categories`: the shared task categories.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::CategoryId;
use taskforge_domain::query::CategoryCursor;

use super::{path_id, resource};
use crate::auth::Authenticated;
use crate::body::JsonBody;
use crate::dto::{CategoryBody, CategoryPage, CategoryResponse};
use crate::error::ApiError;
use crate::openapi::{
    AuthErrors, BadRequest, BodyErrors, Conflict, Forbidden, NotFound, Throttled,
};
use crate::query::{self, PageParams};
use crate::state::AppState;

/// Mounts the category routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/api/v1/categories", "GET, POST")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/api/v1/categories/{id}", "GET, PATCH, DELETE")
            .route(web::get().to(get))
            .route(web::patch().to(rename))
            .route(web::delete().to(delete)),
    );
}

/// The categories by name ignoring case, a page at a time (any authenticated user).
#[utoipa::path(
    get, operation_id = "categories_list", path = "/api/v1/categories", tag = "categories", security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "One page", body = CategoryPage), BadRequest, AuthErrors)
)]
pub async fn list(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = query::page(req.query_string(), CategoryCursor::decode)?;
    let categories = state.services().categories.list(&actor, page.after, page.limit).await?;
    Ok(HttpResponse::Ok().json(CategoryPage::from(categories)))
}

/// Create a category (editors, within their creation budget, and admins).
#[utoipa::path(
    post, operation_id = "categories_create", path = "/api/v1/categories", tag = "categories", security(("bearer" = [])),
    request_body = CategoryBody,
    responses(
        (status = 201, description = "Created", body = CategoryResponse,
            headers(("Location" = String, description = "The new category's URL"))),
        BodyErrors, AuthErrors, Forbidden, Conflict, Throttled,
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<CategoryBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = body.try_into_domain()?;
    let category = state.services().categories.create(&actor, cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/categories/{}", category.id)))
        .json(CategoryResponse::from(&category)))
}

/// Read one category (any authenticated user).
#[utoipa::path(
    get, operation_id = "categories_get", path = "/api/v1/categories/{id}", tag = "categories", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Category id")),
    responses((status = 200, description = "The category", body = CategoryResponse), AuthErrors, NotFound)
)]
pub async fn get(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: CategoryId = path_id(&id, "id")?;
    let category = state.services().categories.get(&actor, id).await?;
    Ok(HttpResponse::Ok().json(CategoryResponse::from(&category)))
}

/// Rename a category (admins).
#[utoipa::path(
    patch, operation_id = "categories_rename", path = "/api/v1/categories/{id}", tag = "categories", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Category id")),
    request_body = CategoryBody,
    responses(
        (status = 200, description = "The renamed category", body = CategoryResponse),
        BodyErrors, AuthErrors, Forbidden, NotFound, Conflict,
    )
)]
pub async fn rename(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
    JsonBody(body): JsonBody<CategoryBody>,
) -> Result<HttpResponse, ApiError> {
    let name = body.try_into_name()?;
    let id: CategoryId = path_id(&id, "id")?;
    let category = state.services().categories.rename(&actor, id, name).await?;
    Ok(HttpResponse::Ok().json(CategoryResponse::from(&category)))
}

/// Delete a category and clear it from its tasks (admins).
#[utoipa::path(
    delete, operation_id = "categories_delete", path = "/api/v1/categories/{id}", tag = "categories", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Category id")),
    responses((status = 204, description = "Deleted"), AuthErrors, Forbidden, NotFound)
)]
pub async fn delete(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: CategoryId = path_id(&id, "id")?;
    state.services().categories.delete(&actor, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
