//! `/projects/{id}/members`: who is in a project; owners (and admins) add and remove people.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::services::ProjectError;
use taskforge_domain::values::{Role, Username};
use taskforge_domain::{ProjectId, UserId};

use super::auth::capitalised;
use super::projects::{members, path_id, project_error};
use super::{field, form_fields, resource};
use crate::pages::{Layout, MembersPage};
use crate::response::{WebError, render, see_other};
use crate::session::{Viewer, check_unsafe, require_viewer};
use crate::state::WebState;

/// Mounts the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/projects/{id}/members", "GET, HEAD, POST")
            .route(web::get().to(show))
            .route(web::post().to(add)),
    )
    .service(
        resource("/projects/{id}/members/{user_id}/remove", "POST").route(web::post().to(remove)),
    );
}

async fn show(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    page(&state, &viewer, path_id(&path)?, String::new(), None, StatusCode::OK).await
}

async fn page(
    state: &WebState,
    viewer: &Viewer,
    id: ProjectId,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let project = state.services.projects.get(&viewer.actor, id).await.map_err(project_error)?;
    let members = members(state, viewer, id).await?;
    let owner = project.owner_id.to_string();
    let page = MembersPage {
        layout: Layout::for_viewer(format!("Members of {}", project.name.as_str()), viewer),
        id: id.to_string(),
        name: project.name.as_str().to_owned(),
        can_manage: project.owner_id == viewer.actor.user_id || viewer.actor.role == Role::Admin,
        members,
        owner,
        username,
        error,
        csrf: viewer.csrf.clone(),
    };
    render(status, &page)
}

/// `POST /projects/{id}/members` (field `username`).
async fn add(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let fields = form_fields(&body)?;
    check_unsafe(&req, Some(&viewer.csrf), &fields)?;
    let id: ProjectId = path_id(&path)?;
    let typed = field(&fields, "username").trim().to_owned();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Ok(username) = Username::parse(&typed) else {
        let message = String::from("No user has this username.");
        return page(&state, &viewer, id, typed, Some(message), unprocessable).await;
    };
    match state.services.projects.add_member_by_username(&viewer.actor, id, &username).await {
        Ok(()) => Ok(see_other(&format!("/projects/{id}/members"))),
        Err(ProjectError::UserNotFound) => {
            let message = String::from("No user has this username.");
            page(&state, &viewer, id, typed, Some(message), unprocessable).await
        }
        Err(e @ ProjectError::Throttled { .. }) => {
            let status = StatusCode::TOO_MANY_REQUESTS;
            page(&state, &viewer, id, typed, Some(capitalised(&e)), status).await
        }
        Err(e) => Err(project_error(e)),
    }
}

/// `POST /projects/{id}/members/{user_id}/remove`.
async fn remove(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let fields = form_fields(&body)?;
    check_unsafe(&req, Some(&viewer.csrf), &fields)?;
    let (id, user) = path.into_inner();
    let (id, user): (ProjectId, UserId) = (path_id(&id)?, path_id(&user)?);
    match state.services.projects.remove_member(&viewer.actor, id, user).await {
        Ok(()) => Ok(see_other(&format!("/projects/{id}/members"))),
        Err(e @ ProjectError::OwnerIsAlwaysMember) => {
            page(&state, &viewer, id, String::new(), Some(capitalised(&e)), StatusCode::CONFLICT)
                .await
        }
        Err(e) => Err(project_error(e)),
    }
}
