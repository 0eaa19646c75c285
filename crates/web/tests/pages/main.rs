//! The web interface in-process: actix test utilities over the memory adapters and the real
//! password hasher and token minter.

mod auth;
mod members;
mod reports;
mod support;
mod tasks;
mod templates;
