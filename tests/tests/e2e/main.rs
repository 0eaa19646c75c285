//! The end-to-end tests, one test binary (`cargo test -p taskforge-tests --test e2e`): the
//! harness (`mod.rs` and the files it declares) is compiled once instead of once per test
//! file, and the `taskforge` binary under test is built once per run. Each area is a module;
//! a test's full name is `area::test` (e.g. `auth::failed_logins_from_one_address_are_throttled_across_usernames`,
//! in `auth.rs`), and `cargo test -p taskforge-tests --test e2e auth::` runs one area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "mod.rs"]
mod e2e;

mod abuse;
mod auth;
mod browser;
mod categories;
mod cli;
mod cli_database;
mod concurrency;
mod crash;
mod events;
mod faults;
mod harness;
mod history;
mod instances;
mod listing;
mod openapi;
mod operator;
mod permissions;
mod postgres;
mod projects;
mod property_level;
mod races;
mod refusals;
mod rolling_restart;
mod shutdown;
mod smoke_test;
mod startup;
mod tasks;
mod trash;
mod users;
mod web;
