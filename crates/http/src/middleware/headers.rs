//! Adding headers to a response — or to the error an inner layer returned instead of one.
//!
//! A middleware must not keep a clone of the `HttpRequest` across the inner call (actix needs
//! it unshared to record the matched route), so it cannot turn an inner error into a
//! `ServiceResponse` itself. Instead the error is wrapped in [`WithHeaders`], whose
//! `error_response` adds the headers when actix renders it.

use std::fmt;

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpResponse, ResponseError};

/// How to add a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Replace any value the response has.
    Replace,
    /// Keep a value the response set itself.
    KeepExisting,
}

fn apply(map: &mut HeaderMap, headers: &[(HeaderName, HeaderValue)], mode: Mode) {
    for (name, value) in headers {
        if mode == Mode::Replace || !map.contains_key(name) {
            map.insert(name.clone(), value.clone());
        }
    }
}

/// `result` with `headers` added, whether it is a response or an error.
///
/// # Errors
/// The inner error, wrapped so its rendering carries the headers.
pub fn add<B>(
    result: Result<ServiceResponse<B>, Error>,
    headers: Vec<(HeaderName, HeaderValue)>,
    mode: Mode,
) -> Result<ServiceResponse<B>, Error> {
    match result {
        Ok(mut response) => {
            apply(response.headers_mut(), &headers, mode);
            Ok(response)
        }
        Err(inner) => Err(WithHeaders { inner, headers, mode }.into()),
    }
}

/// An inner error plus headers to add when it is rendered.
pub struct WithHeaders {
    inner: Error,
    headers: Vec<(HeaderName, HeaderValue)>,
    mode: Mode,
}

impl fmt::Debug for WithHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for WithHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl ResponseError for WithHeaders {
    fn status_code(&self) -> StatusCode {
        self.inner.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.inner.error_response();
        apply(response.headers_mut(), &self.headers, self.mode);
        response
    }
}
