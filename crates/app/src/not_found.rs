//! The answer for a path no route serves. Both driving adapters share one URL space, so the
//! one place that knows both chooses: a person's browser gets the web interface's 404 page,
//! and everything under `/api/` — or any client that did not ask for HTML — the API's
//! problem details (API clients and the OpenAPI tests rely on them).

use actix_web::{HttpRequest, HttpResponse};

/// True for the API's paths, which always answer problem details.
fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The default service of the server (it replaces the API's own).
///
/// # Errors
/// The API's 404 problem, for API paths and clients that do not accept HTML.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    if is_api_path(req.path()) || !taskforge_web::response::accepts_html(req.headers()) {
        return Ok(taskforge_http::app::not_found().await?);
    }
    Ok(taskforge_web::response::not_found_page())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_api_prefix_is_the_api() {
        assert!(is_api_path("/api") && is_api_path("/api/") && is_api_path("/api/v1/nothing"));
        assert!(!is_api_path("/") && !is_api_path("/apis") && !is_api_path("/projects/api/"));
    }
}
