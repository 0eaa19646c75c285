//! Request tracing and metrics: one span per request (method, route pattern, request id) and,
//! when it ends, a log line with status and latency plus the Prometheus counters.
//!
//! The route label is the matched *pattern* (`/api/v1/tasks/{id}`), never the raw path, and
//! the method and status are folded into closed sets (`crate::metrics`), so the number of time
//! series stays bounded whatever clients send.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use tracing::Instrument as _;

use crate::middleware::request_id;
use crate::state::AppState;

/// The label for requests that matched no route.
const UNMATCHED: &str = "unmatched";

/// The middleware function.
///
/// # Errors
/// Passes on the inner service's errors unchanged.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!(
        "http_request",
        method = %method,
        route = tracing::field::Empty,
        request_id = request_id::current().as_deref().unwrap_or_default(),
    );
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let (status, route) = match &result {
        Ok(response) => (
            response.status().as_u16(),
            response.request().match_pattern().unwrap_or_else(|| UNMATCHED.to_owned()),
        ),
        Err(error) => (error.as_response_error().status_code().as_u16(), UNMATCHED.to_owned()),
    };
    span.record("route", route.as_str());
    span.in_scope(|| {
        tracing::info!(status, latency_ms = elapsed.as_secs_f64() * 1000.0, "request served");
    });
    if let Some(state) = state {
        state.metrics().record_request(method.as_str(), &route, status, elapsed);
    }
    result
}
