//! `X-Request-Id` on every response: the client's own id when it is sane, else a fresh UUID.
//!
//! The id is also kept in a task-local for the rest of the request, so the tracing span and
//! an opaque 500 (which must quote it) can read it without threading it through every call.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _};

use super::headers::{self, Mode};

/// The header carrying the request id, in both directions.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-supplied id we echo back; longer ones are replaced.
const MAX_LEN: usize = 128;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, if called inside one.
#[must_use]
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The request id as a request extension, for handlers that want it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Reuses a well-formed incoming `X-Request-Id` (1–128 characters of `A-Z a-z 0-9 - _ . :`),
/// so ids can be followed across services; anything else is replaced, so logs never carry
/// attacker-chosen text.
fn accept(incoming: Option<&HeaderValue>) -> String {
    incoming
        .and_then(|v| v.to_str().ok())
        .filter(|s| {
            !s.is_empty()
                && s.len() <= MAX_LEN
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        })
        .map_or_else(|| uuid::Uuid::now_v7().hyphenated().to_string(), str::to_owned)
}

/// The middleware function.
///
/// # Errors
/// The inner service's error, wrapped so that its response carries the header too.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = accept(req.headers().get(&X_REQUEST_ID));
    req.extensions_mut().insert(RequestId(id.clone()));
    let result = REQUEST_ID.scope(id.clone(), next.call(req)).await;
    let header = HeaderValue::from_str(&id).map(|v| vec![(X_REQUEST_ID, v)]).unwrap_or_default();
    headers::add(result, header, Mode::Replace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_client_id_is_kept() {
        assert_eq!(accept(Some(&HeaderValue::from_static("abc-123"))), "abc-123");
    }

    #[test]
    fn an_odd_or_missing_id_is_replaced_by_a_uuid() {
        for given in
            [None, Some(HeaderValue::from_static("has space")), Some(HeaderValue::from_static(""))]
        {
            let id = accept(given.as_ref());
            assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        }
        let long = HeaderValue::from_str(&"a".repeat(MAX_LEN + 1)).unwrap();
        assert_ne!(accept(Some(&long)).len(), MAX_LEN + 1);
    }
}
