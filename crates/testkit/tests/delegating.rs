//! `Delegating` with hooks that override nothing is invisible: the whole contract suite passes
//! through it to the in-memory adapter. (A forgotten or mis-wired method — `get` answered by
//! `list`, `move_tree` dropping `at` — would fail the contract test of that method.)
//!
//! This file also shows the kit's promise to outside adapters: it depends on the kit, the
//! domain and an adapter only, with no tokio of its own.

use std::sync::Arc;

use taskforge_domain::ports::Repositories;
use taskforge_memory::MemoryDatabase;
use taskforge_testkit::{Delegating, TaskHooks};

/// Overrides nothing.
#[derive(Debug)]
struct PassThrough;

impl TaskHooks for PassThrough {}

fn wrapped() -> Repositories {
    let repos = MemoryDatabase::new().repositories();
    Repositories {
        tasks: Arc::new(Delegating::new(Arc::clone(&repos.tasks), PassThrough)),
        ..repos
    }
}

taskforge_testkit::contract_tests!(async { wrapped() });
