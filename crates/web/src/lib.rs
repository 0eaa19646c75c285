//! # taskforge-web
//!
//! The web interface of TaskForge: server-rendered HTML pages for people, beside the JSON API.
//! It is a second *driving* adapter: its handlers turn form posts into the same domain
//! commands the API builds from JSON and call the same use cases (`TaskService`,
//! `ProjectService`, `AuthService`, …) directly — never the JSON API over HTTP.
//!
//! **What it may depend on:** `taskforge-domain` and web crates only — not `taskforge-http`
//! (the two driving adapters are independent) and no storage or crypto adapter. The app crate
//! builds [`WebState`] from the services it wired and mounts [`configure`] on the same server
//! and port as the API; it also hands in how the client's address is found
//! ([`ClientAddresses`], the API's trusted-proxy rule) and answers a browser's unknown path
//! with [`response::not_found_page`].
//!
//! **Where to start reading:** [`routes`] holds the handlers, one module per area;
//! [`session`] how a cookie becomes an `Actor` and how unsafe requests are checked (CSRF
//! token, `Origin`/`Sec-Fetch-Site`); [`pages`] the askama templates (compiled and
//! auto-escaped at build time, ADR 0018); [`response`] the headers every page carries
//! (the page Content-Security-Policy) and the error pages.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The stylesheet, served under a content-hashed name with a long cache lifetime.
pub mod assets;
/// Who the client is (its IP address) for the throttles, handed in by the app crate.
pub mod client_address;
/// Downloads in the API's export formats, handed in by the app crate.
pub mod export;
/// Form fields → domain commands, and form values for re-showing a form.
pub mod forms;
/// A task's history as the task page shows it.
pub mod history;
/// The askama templates and the data each one shows.
pub mod pages;
/// HTML responses: page headers, redirects, error pages.
pub mod response;
/// The handlers, one module per area.
pub mod routes;
/// Browser sessions (cookie ↔ actor) and the checks on unsafe requests.
pub mod session;
/// What the handlers share: the use cases and the settings.
pub mod state;

pub use client_address::{ClientAddresses, PeerAddress};
pub use routes::configure;
pub use state::{WebServices, WebSettings, WebState};
