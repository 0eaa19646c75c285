//! The one HTTP error type: every refusal leaves the adapter as an RFC 9457
//! `application/problem+json` body built here.
//!
//! Domain errors become [`ApiError`]s in `error/domain.rs`, one exhaustive `match` per enum, so
//! a new domain variant fails to compile until it is given a status. Internal failures are
//! logged with their cause chain and answered with an opaque 500 that carries only the request
//! id and nothing internal (`docs/api.md`, "Errors").

mod domain;
mod kind;

use std::error::Error as StdError;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::middleware::request_id;

pub use kind::ProblemKind;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field or query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The body field or query parameter, e.g. `title` or `limit`.
    pub field: String,
    /// What is wrong with it, in lower case.
    pub message: String,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self { field: field.into(), message: message.to_string() }
    }
}

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:taskforge:problem:validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// The invalid fields or parameters (validation and bad-parameter problems), or the
    /// fields a conflict is about (a revert of a change whose fields changed since).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request id, to quote when reporting an internal error (500 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An error answered as problem details. Build one with the constructors or `From` a domain
/// error; handlers return `Result<_, ApiError>`.
#[derive(Debug)]
pub struct ApiError {
    kind: ProblemKind,
    detail: String,
    errors: Vec<FieldError>,
    allow: Option<String>,
    retry_after: Option<u64>,
    request_id: Option<String>,
}

impl ApiError {
    fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            allow: None,
            retry_after: None,
            request_id: None,
        }
    }

    /// 400 with a detail.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::BadRequest, detail)
    }

    /// 400 naming the offending parameters or fields.
    pub fn bad_parameters(detail: impl Into<String>, errors: Vec<FieldError>) -> Self {
        Self { errors, ..Self::bad_request(detail) }
    }

    /// 401: no usable credentials.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Unauthorized, detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Forbidden, detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::NotFound, detail)
    }

    /// 405 with the `Allow` header listing `allowed` (e.g. `"GET, PATCH"`).
    pub fn method_not_allowed(allowed: &str) -> Self {
        Self {
            allow: Some(allowed.to_owned()),
            ..Self::new(
                ProblemKind::MethodNotAllowed,
                format!("this resource supports only {allowed}"),
            )
        }
    }

    /// 409.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Conflict, detail)
    }

    /// 409 naming the fields the conflict is about.
    pub fn conflict_on(detail: impl Into<String>, errors: Vec<FieldError>) -> Self {
        Self { errors, ..Self::conflict(detail) }
    }

    /// 412.
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::PreconditionFailed, detail)
    }

    /// 413 for a body over `limit` bytes.
    #[must_use]
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            ProblemKind::PayloadTooLarge,
            format!("request body must be at most {limit} bytes"),
        )
    }

    /// 408 for a request body that did not arrive within `timeout`.
    #[must_use]
    pub fn request_timeout(timeout: std::time::Duration) -> Self {
        Self::new(
            ProblemKind::RequestTimeout,
            format!("request body did not arrive within {} s", timeout.as_secs_f64()),
        )
    }

    /// 414 for a request target (path and query) over `limit` bytes.
    #[must_use]
    pub fn uri_too_long(limit: usize) -> Self {
        Self::new(
            ProblemKind::UriTooLong,
            format!("request path and query must be at most {limit} bytes"),
        )
    }

    /// 431 for request headers over `limit` bytes in all.
    #[must_use]
    pub fn header_fields_too_large(limit: usize) -> Self {
        Self::new(
            ProblemKind::HeaderFieldsTooLarge,
            format!("request headers must be at most {limit} bytes in all"),
        )
    }

    /// 415.
    #[must_use]
    pub fn unsupported_media_type() -> Self {
        Self::new(ProblemKind::UnsupportedMediaType, "request body must be application/json")
    }

    /// 422 listing every invalid field.
    #[must_use]
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("invalid values for: {}", fields.join(", "));
        Self { errors, ..Self::new(ProblemKind::Validation, detail) }
    }

    /// 429 with `Retry-After: seconds` (at least 1, so a client never retries at once).
    pub fn too_many_requests(seconds: u64, detail: impl Into<String>) -> Self {
        Self {
            retry_after: Some(seconds.max(1)),
            ..Self::new(ProblemKind::TooManyRequests, detail)
        }
    }

    /// The same error, telling the client to retry after `seconds` (for a 503 that is known to
    /// pass soon).
    #[must_use]
    pub fn retry_after(self, seconds: u64) -> Self {
        Self { retry_after: Some(seconds.max(1)), ..self }
    }

    /// 503: retrying later may succeed. The cause is logged, not returned.
    pub fn unavailable(cause: &(dyn StdError + 'static)) -> Self {
        tracing::warn!(error = %Chain(cause), "dependency unavailable");
        Self::new(
            ProblemKind::Unavailable,
            "the service is temporarily unavailable, try again later",
        )
    }

    /// 503 without a cause to log (e.g. a failed readiness check, already logged).
    pub fn not_ready(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Unavailable, detail)
    }

    /// 500: logs `cause` with its whole chain and returns an opaque problem carrying only the
    /// request id.
    pub fn internal(cause: &(dyn StdError + 'static)) -> Self {
        tracing::error!(error = %Chain(cause), "internal error");
        Self::opaque()
    }

    /// 500 for a failure that is not an `Error` value (a panic message, a missing setup step).
    pub fn internal_message(what: &str) -> Self {
        tracing::error!(error = what, "internal error");
        Self::opaque()
    }

    fn opaque() -> Self {
        let id = request_id::current();
        let detail = match &id {
            Some(id) => {
                format!("an internal error occurred; quote request id {id} when reporting it")
            }
            None => String::from("an internal error occurred"),
        };
        Self { request_id: id, ..Self::new(ProblemKind::Internal, detail) }
    }

    /// The kind of problem.
    #[must_use]
    pub const fn kind(&self) -> ProblemKind {
        self.kind
    }

    /// The `Retry-After` delay in seconds, if the client is told to wait.
    #[must_use]
    pub const fn retry_after_seconds(&self) -> Option<u64> {
        self.retry_after
    }

    /// The field errors (validation and bad-parameter problems).
    #[must_use]
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The problem body.
    #[must_use]
    pub fn problem(&self) -> Problem {
        Problem {
            problem_type: self.kind.type_uri(),
            title: self.kind.title().to_owned(),
            status: self.kind.status().as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.title(), self.detail)
    }
}

impl StdError for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if self.kind == ProblemKind::Unauthorized {
            // RFC 6750 §3: tell the client which scheme to use.
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"taskforge\""),
            ));
        }
        if let Some(allow) = self.allow.as_deref().and_then(|a| HeaderValue::from_str(a).ok()) {
            response.insert_header((header::ALLOW, allow));
        }
        if let Some(seconds) = self.retry_after {
            // RFC 9110 §10.2.3: delay-seconds.
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        match serde_json::to_vec(&self.problem()) {
            Ok(body) => response.body(body),
            // Serialising plain strings and numbers cannot fail; answer without a body if it did.
            Err(_) => response.finish(),
        }
    }
}

/// Displays an error and every `source()` below it, separated by `: `.
struct Chain<'a>(&'a (dyn StdError + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(Inner);
    #[derive(Debug)]
    struct Inner;
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("outer")
        }
    }
    impl fmt::Display for Inner {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("inner")
        }
    }
    impl StdError for Outer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }
    impl StdError for Inner {}

    #[test]
    fn the_cause_chain_is_written_out_in_full() {
        assert_eq!(Chain(&Outer(Inner)).to_string(), "outer: inner");
    }

    #[test]
    fn an_internal_error_reveals_nothing_of_its_cause() {
        let problem = ApiError::internal(&Outer(Inner)).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("outer") && !problem.detail.contains("inner"));
    }

    #[test]
    fn a_validation_problem_names_its_fields() {
        let e = ApiError::validation(vec![FieldError::new("title", "title must not be empty")]);
        assert_eq!(e.problem().detail, "invalid values for: title");
        assert_eq!(e.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
