//! # taskforge-http
//!
//! The actix-web driving adapter of TaskForge: it turns HTTP requests into domain commands,
//! calls the use cases of `taskforge-domain`, and turns their results into JSON responses and
//! RFC 9457 problem details (`docs/api.md`).
//!
//! **What it may depend on:** `taskforge-domain` and web crates only — never the storage or
//! crypto adapters. The app crate builds the services over whichever adapters it chose and
//! hands them in through [`AppState`] (constructor injection, ADR 0001).
//!
//! **Where to start reading:** [`app::build_app`] assembles everything; [`routes`] holds one
//! file per resource with thin handlers; [`dto`] the wire types; [`error`] the single mapping
//! from domain errors to statuses; [`auth`] how a bearer token becomes an `Actor`.
//!
//! ```no_run
//! # use taskforge_http::{AppState, HttpSettings, build_app};
//! # async fn serve(state: AppState) -> std::io::Result<()> {
//! let settings = HttpSettings::new(vec![]).map_err(std::io::Error::other)?;
//! actix_web::HttpServer::new(move || build_app(state.clone(), settings.clone()))
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The application: routes, body limits, middleware stack.
pub mod app;
/// The bearer-token extractor.
pub mod auth;
/// The JSON body extractor and body errors.
pub mod body;
/// The client's address for throttling, and the trusted reverse proxies.
pub mod client_address;
/// Wire types: request bodies (→ commands) and responses (← entities).
pub mod dto;
/// The one error type and the mapping from domain errors.
pub mod error;
/// `GET /api/v1/events`: live changes as Server-Sent Events.
pub mod events;
/// Task exports: the exporter strategy, one type per format, and the format registry.
pub mod export;
/// Prometheus metrics of the HTTP edge.
pub mod metrics;
/// Request id, security headers, CORS, tracing and metrics, panic catching.
pub mod middleware;
/// The OpenAPI 3.1 document.
pub mod openapi;
/// `ETag` and `If-Match`.
pub mod preconditions;
/// Query-string parsing for the listings.
pub mod query;
/// The handlers, one module per resource.
pub mod routes;
/// What the handlers share: services and ports.
pub mod state;

pub use app::{BODY_LIMIT, HttpSettings, InvalidOrigin, build_app, build_app_with};
pub use client_address::{InvalidProxy, TrustedProxies};
pub use error::{ApiError, FieldError, Problem};
pub use events::{EventStreamSettings, LiveUpdates};
pub use metrics::HttpMetrics;
pub use middleware::connection_watch::watch_connections;
pub use state::{AlwaysReady, AppState, NotReady, ReadinessCheck, Services};
