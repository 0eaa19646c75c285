//! # taskforge-domain
//!
//! The pure core of TaskForge, a task-management service built in hexagonal
//! (ports-and-adapters) architecture. This crate holds the entities, value objects, ports
//! (traits the outside world implements), the access policy, domain events and the use cases.
//!
//! **What it may depend on:** no framework and no I/O crate — no actix, tokio, rusqlite, r2d2
//! or cryptography. Adapters (`taskforge-sqlite`, `taskforge-memory`, `taskforge-crypto`,
//! `taskforge-http`) depend on this crate, never the other way round (ADR 0001).
//!
//! **Where to start reading:** [`services::Services`], the facade that builds every use case
//! from the ports (what a driving adapter receives), [`services::TaskService`] for a use case,
//! [`ports`] for the contracts adapters honour, [`policy`] for who may do what, [`values`] for
//! the types that make invalid states unrepresentable.
//!
//! **Reusing it:** implement the [`ports`] for your storage, then run the contract suite of
//! the `taskforge-testkit` crate (`contract_tests!`) against your adapter; one that passes can
//! be swapped in without changing a line elsewhere.
//!
//! ```
//! use taskforge_domain::values::{Labels, TaskTitle};
//!
//! let title = TaskTitle::parse("  Ship the release  ").unwrap();
//! assert_eq!(title.as_str(), "Ship the release");
//!
//! let labels = Labels::parse(&["Backend", "backend", "ops"]).unwrap();
//! assert_eq!(labels.iter().map(|l| l.as_str()).collect::<Vec<_>>(), ["backend", "ops"]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

/// Commands: parsed requests for the use cases.
pub mod commands;
/// Domain events and the event bus (Observer).
pub mod events;
/// Identifier newtypes (UUIDv7).
pub mod id;
/// Entities.
pub mod model;
/// The access policy: who may do what.
pub mod policy;
/// Ports: the traits adapters implement.
pub mod ports;
/// Listing: filters, sort orders, cursors, pages.
pub mod query;
/// Reports: summary counts and the ranking of open tasks.
pub mod reports;
/// Use cases.
pub mod services;
/// Value objects with validating constructors.
pub mod values;

pub use id::{CategoryId, IdError, ProjectId, TaskId, TokenFamilyId, UserId};
pub use model::{Category, Project, ProjectMember, Task, User};
pub use policy::Actor;
pub use ports::{Clock, SystemClock};
pub use values::Timestamp;
