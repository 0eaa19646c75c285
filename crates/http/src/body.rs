//! The JSON body extractor: [`JsonBody<T>`] accepts only a JSON *object* within the body limit
//! and the body timeout, and then reads it into `T`.
//!
//! Going through an object first matters: serde lets a struct be read from an array
//! (`[]` would be an empty merge-patch), which no client means. Size, media type and syntax
//! are checked by actix's `JsonConfig` (see `app.rs`), whose errors map in [`payload_error`];
//! nesting deeper than serde_json's recursion limit (128) is a syntax error, so a deeply
//! nested body is a 400, never a stack overflow.
//!
//! The timeout is ours: actix times only the request *head* (`client_request_timeout`), so a
//! client could otherwise hold a connection and a worker's attention by sending the body one
//! byte at a time (slow loris).

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::JsonPayloadError;
use actix_web::{Error, FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::app::BODY_LIMIT;
use crate::error::{ApiError, FieldError};

/// How long a request body may take to arrive, once a handler starts reading it; registered
/// as app data by `app.rs` from [`crate::HttpSettings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

impl BodyTimeout {
    /// The default: 10 seconds — a 64 KiB body needs only ~50 kbit/s to make it.
    pub const DEFAULT: Self = Self(Duration::from_secs(10));
}

impl Default for BodyTimeout {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A request body: a JSON object read into `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let BodyTimeout(timeout) = req.app_data::<BodyTimeout>().copied().unwrap_or_default();
        let object = web::Json::<Map<String, Value>>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(object) = tokio::time::timeout(timeout, object)
                .await
                .map_err(|_| Error::from(ApiError::request_timeout(timeout)))??;
            serde_json::from_value(Value::Object(object))
                .map(Self)
                .map_err(|e| Error::from(invalid_body(&e)))
        })
    }
}

/// Body errors → 413 (too large), 415 (not JSON) or 400 (unparsable, not an object).
pub(crate) fn payload_error(error: JsonPayloadError, _req: &HttpRequest) -> Error {
    let api = match &error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::payload_too_large(BODY_LIMIT)
        }
        JsonPayloadError::ContentType => ApiError::unsupported_media_type(),
        // Well-formed JSON that is not an object: serde's message would quote a scalar body
        // (`"…"` could be a password or a token), so name only what was expected.
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::bad_request("request body must be a JSON object")
        }
        JsonPayloadError::Deserialize(e) => invalid_body(e),
        JsonPayloadError::Serialize(e) => ApiError::internal(e),
        _ => ApiError::bad_request("request body could not be read"),
    };
    api.into()
}

/// 400 for a body serde refused, naming the field when serde does.
fn invalid_body(e: &serde_json::Error) -> ApiError {
    let errors = named_field(&e.to_string()).into_iter().collect();
    ApiError::bad_parameters(format!("request body is not valid: {e}"), errors)
}

/// The field serde complains about (``unknown field `x` ``, ``missing field `x` ``,
/// ``duplicate field `x` ``), if it names one.
fn named_field(message: &str) -> Option<FieldError> {
    ["unknown field `", "missing field `", "duplicate field `"].iter().find_map(|prefix| {
        let rest = message.split_once(prefix)?.1;
        let name = rest.split_once('`')?.0;
        let what = prefix.trim_end_matches(" `");
        Some(FieldError::new(name, what))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_their_field() {
        let e = named_field("unknown field `colour`, expected one of `title` at line 1 column 9");
        assert_eq!(e, Some(FieldError::new("colour", "unknown field")));
        assert_eq!(named_field("expected value at line 1 column 1"), None);
    }
}
