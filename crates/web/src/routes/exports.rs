//! `GET /projects/{id}/export.{csv,xml,json}`: the project's tasks, streamed through the
//! API's exporters, with the list view's filters.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use taskforge_domain::ProjectId;
use taskforge_domain::query::TaskFilter;

use super::projects::{path_id, project_error};
use crate::response::WebError;
use crate::session::require_viewer;
use crate::state::WebState;

/// Mounts the routes of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/projects/{id}/export.{format}", "GET, HEAD").route(web::get().to(export)),
    );
}

async fn export(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let (id, format) = path.into_inner();
    let id: ProjectId = path_id(&id)?;
    // Invisible projects are 404 pages, as everywhere.
    state.services.projects.get(&viewer.actor, id).await.map_err(project_error)?;
    let filter = TaskFilter { project_id: Some(id), ..TaskFilter::default() };
    let export = state
        .services
        .exports
        .start(&viewer.actor, filter, Default::default())
        .await
        .map_err(WebError::internal)?;
    let download = state.exports.open(&format, export).ok_or(WebError::NotFound)?;
    let chunks = stream::unfold(Some(download.chunks), |chunks| async move {
        let mut chunks = chunks?;
        match chunks.next_chunk().await {
            Ok(Some(bytes)) => Some((Ok(web::Bytes::from(bytes)), Some(chunks))),
            Ok(None) => None,
            Err(e) => {
                // The status is sent already: cut the body short, so the download is
                // visibly incomplete rather than silently truncated.
                tracing::error!(error = %e, "web export failed");
                Some((Err(actix_web::error::ErrorInternalServerError("export failed")), None))
            }
        }
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, download.content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", download.file_name),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(chunks))
}
