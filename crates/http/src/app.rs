//! The application: routes, body rules and the middleware stack, assembled in one place the
//! binary (and the tests) call.

use std::fmt;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, Error, HttpResponse, web};

use crate::body::{BodyTimeout, payload_error};
use crate::client_address::TrustedProxies;
use crate::error::ApiError;
use crate::middleware::catch_panic::catch_panic;
use crate::middleware::connection_watch::mark_requests;
use crate::middleware::cors::{cors, cors_problems};
use crate::middleware::head::head_as_get;
use crate::middleware::head_limits::head_limits;
use crate::middleware::observe::observe;
use crate::middleware::request_id::request_id;
use crate::middleware::security_headers::security_headers;
use crate::middleware::unread_body::hold_unread_body;
use crate::routes;
use crate::state::AppState;

/// The largest request body accepted: 64 KiB (`docs/operations.md`, "Limits").
pub const BODY_LIMIT: usize = 64 * 1024;

/// An entry of the CORS allow-list that is not an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOrigin(pub String);

impl fmt::Display for InvalidOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an origin such as https://app.example.org", self.0)
    }
}

impl std::error::Error for InvalidOrigin {}

/// Settings of the HTTP edge, given by the app crate (which reads them from its configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    cors_origins: Vec<String>,
    trusted_proxies: TrustedProxies,
    body_timeout: BodyTimeout,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            trusted_proxies: TrustedProxies::default(),
            body_timeout: BodyTimeout::DEFAULT,
        }
    }
}

impl HttpSettings {
    /// Settings allowing cross-origin requests from exactly `origins` (none when empty).
    ///
    /// # Errors
    /// [`InvalidOrigin`] for an entry that is not `scheme://host[:port]`, or is `*`.
    pub fn new(origins: Vec<String>) -> Result<Self, InvalidOrigin> {
        for origin in &origins {
            let uri: Uri = origin.parse().map_err(|_| InvalidOrigin(origin.clone()))?;
            let is_origin = matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.authority().is_some()
                && uri.path_and_query().is_none_or(|p| p.as_str().is_empty() || p.as_str() == "/")
                && !origin.ends_with('/');
            if !is_origin {
                return Err(InvalidOrigin(origin.clone()));
            }
        }
        Ok(Self { cors_origins: origins, ..Self::default() })
    }

    /// Believes `X-Forwarded-For` from these reverse proxies when finding the client's
    /// address for the login throttle (off by default; see [`crate::client_address`]).
    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    /// Gives a request body at most `timeout` to arrive once a handler reads it; a slower
    /// one is refused with 408 (default 10 s; see [`crate::body`]).
    #[must_use]
    pub const fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = BodyTimeout(timeout);
        self
    }

    /// How long a request body may take to arrive.
    #[must_use]
    pub const fn body_timeout(&self) -> Duration {
        self.body_timeout.0
    }

    /// The CORS allow-list.
    #[must_use]
    pub fn cors_origins(&self) -> &[String] {
        &self.cors_origins
    }

    /// The reverse proxies whose `X-Forwarded-For` is believed.
    #[must_use]
    pub const fn trusted_proxies(&self) -> &TrustedProxies {
        &self.trusted_proxies
    }
}

/// The application with every route of this crate.
pub fn build_app(
    state: AppState,
    settings: HttpSettings,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    build_app_with(state, settings, |_| {})
}

/// [`build_app`] plus the routes `extra` mounts (behind the same middleware and body rules).
/// A default service `extra` sets replaces [`not_found`] for paths no route serves.
pub fn build_app_with(
    state: AppState,
    settings: HttpSettings,
    extra: impl FnOnce(&mut web::ServiceConfig),
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(settings.trusted_proxies().clone()))
        .app_data(web::JsonConfig::default().limit(BODY_LIMIT).error_handler(payload_error))
        .app_data(web::PayloadConfig::new(BODY_LIMIT))
        .app_data(settings.body_timeout)
        .configure(routes::configure)
        // Before `extra`, so that `extra` may replace it (`ServiceConfig::default_service`):
        // the app crate answers a browser's unknown path with the web interface's 404 page.
        .default_service(web::to(not_found))
        .configure(extra)
        // Innermost first: the last `wrap` sees the request first.
        // Without an allow-list there is nothing to grant: no CORS layer at all, so browsers
        // apply the same-origin policy and an OPTIONS request is an ordinary 405.
        .wrap(Condition::new(!settings.cors_origins().is_empty(), cors(settings.cors_origins())))
        .wrap(from_fn(cors_problems))
        .wrap(from_fn(head_limits))
        .wrap(from_fn(catch_panic))
        .wrap(from_fn(observe))
        .wrap(from_fn(security_headers))
        .wrap(from_fn(request_id))
        .wrap(from_fn(head_as_get))
        .wrap(from_fn(hold_unread_body))
        .wrap(from_fn(mark_requests))
}

/// The answer for a path no route serves: a `404` problem.
///
/// # Errors
/// Always: [`ApiError`] 404, which renders as `application/problem+json`.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("no resource at this path"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_scheme_and_host() {
        assert!(HttpSettings::new(vec!["https://app.example.org".into()]).is_ok());
        assert!(HttpSettings::new(vec!["http://localhost:5173".into()]).is_ok());
        for bad in [
            "*",
            "app.example.org",
            "https://app.example.org/path",
            "ftp://x.org",
            "https://x.org/",
        ] {
            assert!(HttpSettings::new(vec![bad.into()]).is_err(), "{bad}");
        }
    }
}
