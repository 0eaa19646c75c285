//! CORS for a configured allow-list of browser origins. An empty list allows no cross-origin
//! request at all (the default); there is no wildcard, because every route takes credentials.
//!
//! `actix-cors` answers a request it refuses (a preflight from an origin not on the list, an
//! unlisted method or header) with a plain-text body of its own; [`cors_problems`] turns that
//! answer into a problem document like every other error of the API.

use actix_cors::{Cors, CorsError};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError as _};

use crate::error::ApiError;

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

/// The middleware function that re-writes a CORS refusal as `application/problem+json`: 403
/// for an origin, method or header the allow-list does not grant, 400 for a malformed preflight.
///
/// # Errors
/// Passes on the inner service's errors unchanged.
pub async fn cors_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let response = next.call(req).await?;
    let refusal = response.response().error().and_then(|e| e.as_error::<CorsError>());
    let Some(problem) = refusal.map(problem) else {
        return Ok(response.map_into_left_body());
    };
    let (request, _) = response.into_parts();
    Ok(ServiceResponse::new(request, problem.error_response()).map_into_right_body())
}

fn problem(refusal: &CorsError) -> ApiError {
    match refusal {
        CorsError::OriginNotAllowed => {
            ApiError::forbidden("this origin may not make cross-origin requests to this service")
        }
        CorsError::MethodNotAllowed => {
            ApiError::forbidden("the requested method is not allowed cross-origin")
        }
        CorsError::HeadersNotAllowed => {
            ApiError::forbidden("a requested header is not allowed cross-origin")
        }
        CorsError::MissingOrigin => ApiError::bad_request("a CORS request needs an Origin header"),
        CorsError::MissingRequestMethod | CorsError::BadRequestMethod => ApiError::bad_request(
            "a CORS preflight needs one valid Access-Control-Request-Method header",
        ),
        CorsError::BadRequestHeaders => {
            ApiError::bad_request("the Access-Control-Request-Headers header is malformed")
        }
        _ => ApiError::bad_request("the CORS request was refused"),
    }
}
