//! CORS for a configured allow-list of browser origins. An empty list allows no cross-origin
//! request at all (the default); there is no wildcard, because every route takes credentials.

use actix_cors::Cors;
use actix_web::http::{Method, header};

/// The middleware for `origins` (already validated by `HttpSettings`).
pub fn cors(origins: &[String]) -> Cors {
    let cors = origins.iter().fold(Cors::default(), |cors, origin| cors.allowed_origin(origin));
    cors.allowed_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(600)
}
