//! The kinds of problem: each has one status, `type` URI and title, the same for every
//! occurrence (RFC 9457 §3.1).

use actix_web::http::StatusCode;

/// The kinds of problem the API answers with; each has one status, type and title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// 400: unparsable body, unknown field, bad query parameter or header.
    BadRequest,
    /// 401: missing, invalid or expired token; wrong login credentials or refresh token.
    Unauthorized,
    /// 403: the caller sees the resource but may not do this.
    Forbidden,
    /// 404: absent or invisible.
    NotFound,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: duplicate or stale state.
    Conflict,
    /// 408: the request body did not arrive in time.
    RequestTimeout,
    /// 412: `If-Match` does not name the current version.
    PreconditionFailed,
    /// 413: body over the limit.
    PayloadTooLarge,
    /// 414: request target (path and query) over the limit.
    UriTooLong,
    /// 415: body is not JSON.
    UnsupportedMediaType,
    /// 422: well-formed but invalid values.
    Validation,
    /// 429: throttled; `Retry-After` says when to try again.
    TooManyRequests,
    /// 431: request headers over the limit.
    HeaderFieldsTooLarge,
    /// 500: a bug; details are in the log, not the response.
    Internal,
    /// 503: storage or a dependency is not available right now.
    Unavailable,
}

impl ProblemKind {
    /// The HTTP status.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::HeaderFieldsTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    const fn slug(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::RequestTimeout => "request-timeout",
            Self::PreconditionFailed => "precondition-failed",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UriTooLong => "uri-too-long",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::Validation => "validation",
            Self::TooManyRequests => "too-many-requests",
            Self::HeaderFieldsTooLarge => "header-fields-too-large",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    pub(super) const fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad request",
            Self::Unauthorized => "Authentication required",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict",
            Self::RequestTimeout => "Request timeout",
            Self::PreconditionFailed => "Precondition failed",
            Self::PayloadTooLarge => "Payload too large",
            Self::UriTooLong => "URI too long",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::Validation => "Invalid values",
            Self::TooManyRequests => "Too many requests",
            Self::HeaderFieldsTooLarge => "Request header fields too large",
            Self::Internal => "Internal server error",
            Self::Unavailable => "Service unavailable",
        }
    }

    /// The problem `type` URI.
    #[must_use]
    pub fn type_uri(self) -> String {
        format!("urn:taskforge:problem:{}", self.slug())
    }
}
