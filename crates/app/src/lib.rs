//! # taskforge-app
//!
//! The `taskforge` binary: the composition root of TaskForge. It parses configuration
//! ([`cli`], [`settings`]), chooses and builds the adapters ([`wiring`]), and runs the HTTP
//! server ([`application`]) or an operator command ([`commands`]). It is the only crate that
//! knows every concrete type (ADR 0001); `anyhow` is allowed here and nowhere else.
#![forbid(unsafe_code)]

/// The HTTP server's life cycle.
pub mod application;
/// Logs domain events as structured audit lines.
pub mod audit;
/// Stamps and O(1) invalidation shared by the in-process caches.
mod cache_stamps;
/// The command line.
pub mod cli;
/// Operator commands.
pub mod commands;
/// `taskforge copy`: one store's data into another, through the ports.
pub mod copy;
/// Durations such as `15m`.
pub mod duration;
/// The live hub: fans the change log's new entries out to the event streams.
pub mod live_hub;
/// Log fields that user-supplied values cannot forge (the `pretty` format).
pub mod log_fields;
/// The caching decorator over project membership.
pub mod membership_cache;
/// The answer for unknown paths: the 404 page to browsers, a problem to API clients.
pub mod not_found;
/// The PostgreSQL pool's gauges on `/metrics`.
pub mod postgres_metrics;
/// Typed, validated settings.
pub mod settings;
/// Upkeep of `/metrics`, and the SQLite writer's counters (writes, commits) in it.
pub mod store_metrics;
/// Log output.
pub mod telemetry;
/// The trash's retention sweep.
pub mod trash_sweep;
/// The caching decorator over the user repository.
pub mod user_cache;
/// The web interface's client address through the API's trusted-proxy rule.
pub mod web_client_addresses;
/// The web interface's downloads through the API's exporters.
pub mod web_exports;
/// The composition root.
pub mod wiring;
