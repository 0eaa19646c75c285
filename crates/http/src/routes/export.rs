//! `GET /api/v1/tasks/export`: the tasks the caller can see, as a streamed file download.
//!
//! The first page is read before the response starts, so a failure to start (a storage
//! outage) is still an ordinary problem response; after that the status line is sent and each
//! further page is read only when the client has taken the previous chunk (chunked transfer
//! encoding, no `Content-Length`). A failure mid-way is logged and aborts the response, which
//! the client sees as a truncated transfer, never as a complete-looking file.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt as _;
use futures_util::stream;

use super::resource;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::export::{ExportFailure, ExportStream};
use crate::openapi::{AuthErrors, BadRequest};
use crate::query::{self, TaskExportParams};
use crate::state::AppState;

/// Mounts the export route. It must come before `/api/v1/tasks/{id}`, which would otherwise
/// take `export` for a task id.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/tasks/export", "GET").route(web::get().to(export)));
}

fn refusal(failure: ExportFailure) -> ApiError {
    match failure {
        ExportFailure::Store(e) => e.into(),
        ExportFailure::Encode(e) => ApiError::internal(&e),
    }
}

/// Export the tasks the caller can see — filtered and sorted as the listing — as one file in
/// the chosen format (the accepted formats and their media types are listed below).
#[utoipa::path(
    get, operation_id = "tasks_export", path = "/api/v1/tasks/export", tag = "tasks", security(("bearer" = [])),
    params(TaskExportParams),
    responses(
        (status = 200, description = "The file, streamed (chunked); `Content-Disposition: attachment; filename=\"tasks.<extension>\"`",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"tasks.<extension>\""))),
        BadRequest, AuthErrors,
    )
)]
pub async fn export(
    state: web::Data<AppState>,
    Authenticated(actor): Authenticated,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let request = query::task_export(req.query_string())?;
    let export = state.services().exports.start(&actor, request.filter, request.sort).await?;
    let mut chunks = ExportStream::new(export, request.format.exporter());
    let first = chunks.next_chunk().await.map_err(refusal)?.unwrap_or_default();
    let rest = stream::unfold(chunks, |mut chunks| async move {
        match chunks.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), chunks)),
            Ok(None) => None,
            Err(failure) => {
                tracing::error!(error = %failure, rows = chunks.rows(), "export aborted");
                Some((Err(failure), chunks))
            }
        }
    });
    let body = stream::once(async move { Ok::<_, ExportFailure>(Bytes::from(first)) }).chain(rest);
    let disposition = format!("attachment; filename=\"{}\"", request.format.file_name());
    Ok(HttpResponse::Ok()
        .content_type(request.format.content_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}
