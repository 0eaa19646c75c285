//! `/admin/users`: admins see every account and change roles.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::UserId;
use taskforge_domain::services::UserError;
use taskforge_domain::values::{PageLimit, Role};

use super::auth::capitalised;
use super::projects::path_id;
use super::{field, form_fields, resource};
use crate::pages::{Layout, UserRow, UsersPage};
use crate::response::{WebError, render, see_other};
use crate::session::{Viewer, check_unsafe, require_viewer};
use crate::state::WebState;

/// Mounts the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/admin/users", "GET, HEAD").route(web::get().to(show)))
        .service(resource("/admin/users/{id}/role", "POST").route(web::post().to(set_role)));
}

fn user_error(e: UserError) -> WebError {
    match e {
        UserError::NotFound => WebError::NotFound,
        e @ UserError::Forbidden => WebError::Forbidden(capitalised(&e)),
        UserError::Store(e) => WebError::internal(e),
        e => WebError::BadRequest(capitalised(&e)),
    }
}

async fn show(req: HttpRequest, state: web::Data<WebState>) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    page(&state, &viewer, None, StatusCode::OK).await
}

async fn page(
    state: &WebState,
    viewer: &Viewer,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let limit = PageLimit::new(u64::from(PageLimit::MAX)).unwrap_or_default();
    let users = state.services.users.list(&viewer.actor, None, limit).await.map_err(user_error)?;
    let page = UsersPage {
        layout: Layout::for_viewer("Users", viewer),
        users: users
            .items
            .iter()
            .map(|u| UserRow {
                id: u.id.to_string(),
                username: u.username.as_str().to_owned(),
                role: u.role.as_str(),
            })
            .collect(),
        more: users.next_cursor.is_some(),
        error,
        csrf: viewer.csrf.clone(),
    };
    render(status, &page)
}

/// `POST /admin/users/{id}/role` (field `role`). The user's sessions end, so their next
/// page runs with the new role.
async fn set_role(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let fields = form_fields(&body)?;
    check_unsafe(&req, Some(&viewer.csrf), &fields)?;
    let id: UserId = path_id(&path)?;
    let role =
        Role::parse(field(&fields, "role")).map_err(|e| WebError::BadRequest(capitalised(&e)))?;
    match state.services.users.set_role(&viewer.actor, id, role).await {
        Ok(_) => Ok(see_other("/admin/users")),
        Err(e @ UserError::LastAdmin) => {
            page(&state, &viewer, Some(capitalised(&e)), StatusCode::CONFLICT).await
        }
        Err(e) => Err(user_error(e)),
    }
}
