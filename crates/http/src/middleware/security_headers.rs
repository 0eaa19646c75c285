//! The security headers (`docs/security.md`, "Browser-facing headers") on every response,
//! errors included.
//!
//! The API serves JSON only, so the Content-Security-Policy forbids everything: no scripts,
//! frames, forms or base URIs. A future HTML page sets its own, looser policy on its route
//! (a header the response already has is kept).

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

use super::headers::{self as add_headers, Mode};

/// `Content-Security-Policy` for JSON responses.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn security_header_values() -> Vec<(HeaderName, HeaderValue)> {
    vec![
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ]
}

/// The middleware function.
///
/// # Errors
/// The inner service's error, wrapped so that its response carries the headers too.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    add_headers::add(next.call(req).await, security_header_values(), Mode::KeepExisting)
}
