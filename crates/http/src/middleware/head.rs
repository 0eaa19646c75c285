//! `HEAD` on every `GET` route (RFC 9110 §9.3.2: servers MUST support GET and HEAD).
//!
//! The request is routed as `GET`; the HTTP/1 codec, which saw the original `HEAD`, sends the
//! headers (content length included) and drops the body. One rewrite here instead of a `HEAD`
//! route next to every `GET` keeps the route files and the OpenAPI document unchanged.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _};

/// The middleware function.
///
/// # Errors
/// The inner service's error, unchanged.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(WasHead);
    }
    next.call(req).await
}

/// Marks a request that arrived as `HEAD`, for a handler whose body never ends by itself (an
/// event stream), which must then not start one: the codec would wait for it to end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WasHead;
