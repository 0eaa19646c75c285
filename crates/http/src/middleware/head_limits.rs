//! Limits on the request head that the HTTP codec leaves to the application: a request target
//! (path and query) over [`URI_LIMIT`] is a 414, headers over [`HEADERS_LIMIT`] in all a 431 —
//! both problem+json, before any route, extractor or token check spends work on them.
//!
//! No request of this API needs more: the longest query (every filter, a cursor) is well under
//! 2 KiB, and a bearer token under 1 KiB. The codec's own limits sit above these and answer
//! without a body (docs/operations.md, "Limits").

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::ApiError;

/// The longest request target (path and query) accepted, in bytes: 8 KiB, as common servers
/// and proxies allow.
pub const URI_LIMIT: usize = 8 * 1024;

/// The most header bytes (names and values) accepted in one request: 16 KiB.
pub const HEADERS_LIMIT: usize = 16 * 1024;

/// The middleware function.
///
/// # Errors
/// 414 or 431 [`ApiError`]s; otherwise the inner service's error, unchanged.
pub async fn head_limits(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > URI_LIMIT {
        return Err(ApiError::uri_too_long(URI_LIMIT).into());
    }
    let headers: usize = req.headers().iter().map(|(n, v)| n.as_str().len() + v.len()).sum();
    if headers > HEADERS_LIMIT {
        return Err(ApiError::header_fields_too_large(HEADERS_LIMIT).into());
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    async fn status_of(req: test::TestRequest) -> u16 {
        let app = App::new()
            .wrap(from_fn(head_limits))
            .default_service(web::to(|| async { HttpResponse::Ok().finish() }));
        let service = test::init_service(app).await;
        let response = test::try_call_service(&service, req.to_request()).await;
        match response {
            Ok(response) => response.status().as_u16(),
            Err(error) => error.as_response_error().status_code().as_u16(),
        }
    }

    #[actix_web::test]
    async fn a_request_target_over_the_limit_is_a_414() {
        let at_limit = format!("/?q={}", "a".repeat(URI_LIMIT - 4));
        assert_eq!(status_of(test::TestRequest::get().uri(&at_limit)).await, 200);
        let over = format!("/?q={}", "a".repeat(URI_LIMIT));
        assert_eq!(status_of(test::TestRequest::get().uri(&over)).await, 414);
    }

    #[actix_web::test]
    async fn headers_over_the_limit_in_all_are_a_431() {
        let half = "a".repeat(HEADERS_LIMIT / 2);
        let fits = test::TestRequest::get().insert_header(("x-a", half.as_str()));
        assert_eq!(status_of(fits).await, 200);
        let two = test::TestRequest::get()
            .insert_header(("x-a", half.as_str()))
            .insert_header(("x-b", half.as_str()));
        assert_eq!(status_of(two).await, 431);
    }
}
