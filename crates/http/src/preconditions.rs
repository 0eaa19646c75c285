//! `ETag` and `If-Match` (RFC 9110 §8.8.3, §13.1.1): a task's entity tag is its version,
//! `"<version>"`, and `If-Match` turns into the version a command must find.

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use taskforge_domain::values::Version;

use crate::error::ApiError;

/// The `ETag` header value for `version`.
#[must_use]
pub fn etag(version: Version) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The parsed `If-Match` header: `None` when absent or `*` (any current version will do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<Version>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(parse(req.headers().get(header::IF_MATCH)).map(Self))
    }
}

/// Accepts one strong entity tag of a version (`"3"`) or `*`. Weak tags (`W/"3"`) never match
/// under the strong comparison `If-Match` requires, and several tags cannot name one version,
/// so both are refused as malformed rather than silently ignored.
pub(crate) fn parse(value: Option<&HeaderValue>) -> Result<Option<Version>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let malformed = || {
        ApiError::bad_request(
            "If-Match must be one entity tag such as \"3\" (the task's version) or *",
        )
    };
    let text = value.to_str().map_err(|_| malformed())?.trim();
    if text == "*" {
        return Ok(None);
    }
    let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or_else(malformed)?;
    if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    let number: u64 = inner.parse().map_err(|_| malformed())?;
    Version::new(number).map(Some).ok_or_else(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Option<u64>, ()> {
        parse(Some(&HeaderValue::from_str(s).unwrap())).map(|v| v.map(Version::get)).map_err(|_| ())
    }

    #[test]
    fn a_quoted_version_or_a_star_is_accepted() {
        assert_eq!(parse(None).unwrap(), None);
        assert_eq!(parse_str("\"3\""), Ok(Some(3)));
        assert_eq!(parse_str(" \"12\" "), Ok(Some(12)));
        assert_eq!(parse_str("*"), Ok(None));
    }

    #[test]
    fn anything_else_is_malformed() {
        for bad in [
            "3",
            "\"\"",
            "\"0\"",
            "W/\"3\"",
            "\"1\", \"2\"",
            "\"x\"",
            "\"-1\"",
            "\"99999999999999999999\"",
        ] {
            assert_eq!(parse_str(bad), Err(()), "{bad}");
        }
    }
}
