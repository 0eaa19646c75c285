//! Operations: liveness, readiness, Prometheus metrics and the OpenAPI document. No
//! authentication: load balancers and scrapers call these.

use std::sync::OnceLock;

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::resource;
use crate::error::ApiError;
use crate::openapi::{ApiDoc, ServerErrors};
use crate::state::AppState;

/// Mounts the operational routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health", "GET").route(web::get().to(health)))
        .service(resource("/ready", "GET").route(web::get().to(ready)))
        .service(resource("/metrics", "GET").route(web::get().to(metrics)))
        .service(resource("/api/v1/openapi.json", "GET").route(web::get().to(openapi_json)));
}

/// The body of `/health` and `/ready`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok` or `ready`.
    pub status: &'static str,
    /// The server's time, RFC 3339 UTC.
    #[schema(format = DateTime)]
    pub time: String,
}

/// Liveness: the process serves requests.
#[utoipa::path(
    get, operation_id = "health_health", path = "/health", tag = "operations",
    responses((status = 200, description = "Alive", body = HealthResponse))
)]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse { status: "ok", time: state.clock().now().to_rfc3339() })
}

/// Readiness: storage reachable, migrated and able to commit a write; 503 otherwise.
#[utoipa::path(
    get, operation_id = "health_ready", path = "/ready", tag = "operations",
    responses((status = 200, description = "Ready", body = HealthResponse), ServerErrors)
)]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match state.readiness().check().await {
        Ok(()) => Ok(HttpResponse::Ok()
            .json(HealthResponse { status: "ready", time: state.clock().now().to_rfc3339() })),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            Err(ApiError::not_ready(format!("not ready: {reason}")))
        }
    }
}

/// Prometheus text exposition: requests by route and status, latency histogram.
#[utoipa::path(
    get, operation_id = "health_metrics", path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain"))
)]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics().render())
}

/// This API's OpenAPI 3.1 description.
#[utoipa::path(
    get, operation_id = "health_openapi_json", path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"))
)]
pub async fn openapi_json() -> HttpResponse {
    // Generated once: it depends on the code only.
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body =
        DOCUMENT.get_or_init(|| ApiDoc::to_served_json().unwrap_or_else(|_| String::from("{}")));
    HttpResponse::Ok().insert_header(ContentType::json()).body(body.as_str())
}
