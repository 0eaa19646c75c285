//! The black-box harness: the real `taskforge` binary, started on `127.0.0.1:0` with a fresh
//! SQLite file, spoken to over HTTP (after zero-to-production's `spawn_app`).
//!
//! - [`binary`]: builds the binary once per test process and runs operator commands with a
//!   deadline.
//! - [`server`]: a `taskforge serve` process — port from its JSON log, killed on drop, its
//!   log checked for unexpected 5xx and panics.
//! - [`app`]: [`TestApp`] — a server, the fixture people (created with
//!   `taskforge user create`, logged in through the API) and an HTTP client.
//! - [`api`]: one helper per endpoint, and the arranging helpers.
//! - [`reply`]: the response type and the checks every response passes (no unexpected 5xx,
//!   request id and security headers, problem+json errors).
//! - [`raw`]: a raw TCP connection for malformed, endless or slow requests.
//! - [`sse`]: a Server-Sent Events client for `GET /api/v1/events`.
//!
//! `main.rs` declares this module and one module per area (`auth.rs`, `tasks.rs`, …), all one
//! test binary; each area takes `use crate::e2e;` and uses what it needs.
// Each test file uses a different part of the harness.
#![allow(dead_code, unused_imports, unreachable_pub)]

pub mod api;
pub mod app;
pub mod binary;
pub mod raw;
pub mod reply;
pub mod server;
pub mod sse;

pub use app::{Caller, People, TestApp, id_of, merged, task_body, unique};
pub use reply::Reply;
