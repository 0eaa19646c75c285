//! A panic in a handler becomes an opaque 500 instead of a dropped connection.
//!
//! Handlers should never panic — the crate denies `unwrap`/`expect` — but a bug in a
//! dependency must still not cost the client a reset connection. The panic is logged with its
//! message; the client sees only the request id. The 500 is returned as an error (the request
//! is gone once the handler panicked), which actix renders with `ApiError::error_response`
//! and the outer layers decorate with their headers.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures_util::FutureExt as _;

use crate::error::ApiError;

/// The middleware function.
///
/// # Errors
/// The inner service's errors unchanged, and an opaque 500 [`ApiError`] after a panic.
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // Both the synchronous `call` and the future it returns may panic.
    let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| next.call(req))) {
        Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
        Err(payload) => Err(payload),
    };
    match outcome {
        Ok(result) => result,
        Err(payload) => {
            let what = format!("handler panicked: {}", message(&*payload));
            Err(ApiError::internal_message(&what).into())
        }
    }
}

fn message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-string panic payload")
}
