//! # taskforge-testkit
//!
//! What an adapter of TaskForge's ports needs to prove itself, in one crate it can depend on
//! from inside or outside this repository:
//!
//! - [`contract`] — the repository contract suite, one async function per sentence of the
//!   repository ports' rustdoc, and [`contract_tests!`], which turns the whole suite into one
//!   test per sentence against an adapter's store;
//! - [`fixtures`] — valid entities and helpers that store them;
//! - [`FixedClock`] and [`SteppingClock`] — deterministic clocks;
//! - [`throttle_contract`] — the contract of the throttle store port, and
//!   [`throttle_store_contract_tests!`], which runs it against a store;
//! - [`RecordingPublisher`] — an event publisher that keeps what it was given;
//! - [`Delegating`] — a [`TaskRepository`](taskforge_domain::ports::TaskRepository) wrapper
//!   that passes every call through except the ones its [`TaskHooks`] override (count, delay,
//!   interfere, or break one thing on purpose).
//!
//! The crate brings its own tokio runtime: a crate that runs the suite depends on the kit and
//! the domain only.
//!
//! ```ignore
//! // tests/contract.rs of an adapter
//! taskforge_testkit::contract_tests!(async { my_adapter::Store::new().repositories() });
//! ```

// Test support: a panic is a failed test, not a dead worker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod clock;
pub mod contract;
mod delegating;
mod publisher;
pub mod throttle_contract;

pub use clock::{FixedClock, SteppingClock};
pub use contract::fixtures;
pub use delegating::{Delegating, TaskHooks};
pub use publisher::RecordingPublisher;

/// What the exported macros name through `$crate`, so the calling crate needs neither the
/// domain under a particular name nor tokio.
#[doc(hidden)]
pub mod __private {
    pub use taskforge_domain;

    /// Runs one contract test to completion on a fresh current-thread runtime, as
    /// `#[tokio::test]` would, with every driver the build enables (I/O for network adapters,
    /// timers).
    pub fn block_on<F: std::future::Future<Output = ()>>(test: F) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a test runtime can be built")
            .block_on(test);
    }

    /// As [`block_on`], on a runtime with two worker threads, so that spawned tasks really
    /// run at the same time (the throttle store's racing tests).
    pub fn block_on_threads<F: std::future::Future<Output = ()>>(test: F) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a test runtime can be built")
            .block_on(test);
    }
}
