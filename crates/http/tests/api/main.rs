//! HTTP tests of every route through `actix_web::test`, on the memory adapters with a fake
//! token issuer (the authentication tests use the real crypto adapters). Every reply is checked for the request id and security headers, and every
//! error for the problem+json shape (see `support::TestApp::send`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod auth;
mod auth_refusals;
mod auth_support;
mod categories;
mod events;
mod export;
mod export_parse;
mod export_streaming;
mod openapi_rules;
mod operations;
mod projects;
mod refusals;
mod reports;
mod support;
mod tasks;
mod users;
