//! The JSON body extractor: [`JsonBody<T>`](crate::body::JsonBody) accepts only a JSON *object* within the body limit
//! and the body timeout, and then reads it into `T`.
//!
//! Going through an object first matters: serde lets a struct be read from an array
//! (`[]` would be an empty merge-patch), which no client means. Size, media type and syntax
//! are checked by actix's `JsonConfig` (see `app.rs`), whose errors map in `payload_error`;
//! nesting deeper than serde_json's recursion limit (128) is a syntax error, so a deeply
//! nested body is a 400, never a stack overflow.
//!
//! Every object of the body, at any depth, must name each key once: serde_json keeps the last
//! of repeated keys, so `{"role":"viewer","role":"admin"}` would mean whatever the last parser
//! in a chain of proxies and services decides. `UniqueKeys` refuses such a body with a 400
//! naming the key, before any field is read.
//!
//! The timeout is ours: actix times only the request *head* (`client_request_timeout`), so a
//! client could otherwise hold a connection and a worker's attention by sending the body one
//! byte at a time (slow loris).

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::JsonPayloadError;
use actix_web::{Error, FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
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
        let object = web::Json::<UniqueKeys>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(UniqueKeys(object)) = tokio::time::timeout(timeout, object)
                .await
                .map_err(|_| Error::from(ApiError::request_timeout(timeout)))??;
            serde_json::from_value(Value::Object(object))
                .map(Self)
                .map_err(|e| Error::from(invalid_body(&e)))
        })
    }
}

/// A JSON object in which no object, at any depth, repeats a key.
#[derive(Debug)]
struct UniqueKeys(Map<String, Value>);

/// The start of the error a repeated key raises; [`named_field`] reads the key back from it.
const DUPLICATE: &str = "duplicate field `";

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_map`: anything but an object is refused at its first byte, however deep
        // it nests.
        match deserializer.deserialize_map(StrictValue)? {
            Value::Object(object) => Ok(Self(object)),
            // Not an object: the same error serde gives a map read from a scalar.
            other => Err(serde::de::Error::invalid_type(unexpected(&other), &"a JSON object")),
        }
    }
}

fn unexpected(value: &Value) -> serde::de::Unexpected<'_> {
    use serde::de::Unexpected;
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(_) => Unexpected::Other("string"),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// Reads any JSON value like `serde_json::Value` does, but refuses an object that repeats a key.
#[derive(Debug, Clone, Copy)]
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!("{DUPLICATE}{key}`")));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Body errors → 413 (too large), 415 (not JSON) or 400 (unparsable, not an object, a repeated
/// key).
pub(crate) fn payload_error(error: JsonPayloadError, _req: &HttpRequest) -> Error {
    let api = match &error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::payload_too_large(BODY_LIMIT)
        }
        JsonPayloadError::ContentType => ApiError::unsupported_media_type(),
        // Well-formed JSON that is not an object: serde's message would quote a scalar body
        // (`"…"` could be a password or a token), so name only what was expected.
        JsonPayloadError::Deserialize(e) if e.is_data() && e.to_string().starts_with(DUPLICATE) => {
            invalid_body(e)
        }
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
    ["unknown field `", "missing field `", DUPLICATE].iter().find_map(|prefix| {
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

    fn strict(text: &str) -> Result<Map<String, Value>, serde_json::Error> {
        serde_json::from_str::<UniqueKeys>(text).map(|UniqueKeys(object)| object)
    }

    #[test]
    fn a_key_repeated_at_any_depth_is_refused_and_named() {
        for (text, key) in [
            (r#"{"role":"viewer","role":"admin"}"#, "role"),
            (r#"{"a":{"b":1,"b":2}}"#, "b"),
            (r#"{"a":[{"c":1},{"d":1,"d":1}]}"#, "d"),
        ] {
            let e = strict(text).unwrap_err();
            assert!(e.is_data(), "{text}");
            assert_eq!(named_field(&e.to_string()), Some(FieldError::new(key, "duplicate field")));
        }
    }

    #[test]
    fn an_object_without_repeats_reads_as_serde_json_reads_it() {
        let text =
            r#"{"a":[1,-2,2.5,"x",null,true,{"a":1}],"b":{"a":{}},"c":18446744073709551615}"#;
        assert_eq!(
            Value::Object(strict(text).unwrap()),
            serde_json::from_str::<Value>(text).unwrap()
        );
        for not_an_object in ["[]", "1", "\"x\"", "null"] {
            assert!(strict(not_an_object).unwrap_err().is_data(), "{not_an_object}");
        }
    }
}
