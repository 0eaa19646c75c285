//! # taskforge-memory
//!
//! In-memory adapters for every repository port of `taskforge-domain`: for tests, demos and
//! `taskforge serve --database memory`. They behave as the SQLite adapter does — atomic
//! multi-row changes, version conflicts, uniqueness, keyset pagination — which the domain's
//! contract suite proves (`tests/contract.rs`).
//!
//! **Depends on:** `taskforge-domain` only. **Start reading at** [`MemoryDatabase`].
//!
//! One mutex guards the whole state, like a database with a single writer: every method takes
//! it once, checks everything, and only then changes anything, so a failing call leaves no
//! trace. Nothing is awaited while the lock is held — so no write ever loses a race to another
//! (`RepositoryError::Contention` is never returned).
#![forbid(unsafe_code)]

mod categories;
mod history;
mod projects;
mod refresh_tokens;
mod reports;
mod state;
mod tasks;
mod trash;
mod users;

use std::sync::{Arc, Mutex, MutexGuard};

use taskforge_domain::ports::Repositories;

pub use categories::MemoryCategoryRepository;
pub use history::MemoryHistoryRepository;
pub use projects::MemoryProjectRepository;
pub use refresh_tokens::MemoryRefreshTokenRepository;
pub use reports::MemoryReportRepository;
pub use tasks::MemoryTaskRepository;
pub use trash::MemoryTrashRepository;
pub use users::MemoryUserRepository;

use state::State;

/// One in-memory store. Clones share the same data; the repositories it hands out all work
/// on it, so cross-entity rules (deleting a project deletes its tasks) hold.
#[derive(Debug, Clone, Default)]
pub struct MemoryDatabase {
    state: Arc<Mutex<State>>,
}

impl MemoryDatabase {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// All eight repositories over this store, ready for injection.
    #[must_use]
    pub fn repositories(&self) -> Repositories {
        Repositories {
            users: Arc::new(MemoryUserRepository::new(self.clone())),
            projects: Arc::new(MemoryProjectRepository::new(self.clone())),
            categories: Arc::new(MemoryCategoryRepository::new(self.clone())),
            tasks: Arc::new(MemoryTaskRepository::new(self.clone())),
            refresh_tokens: Arc::new(MemoryRefreshTokenRepository::new(self.clone())),
            reports: Arc::new(MemoryReportRepository::new(self.clone())),
            history: Arc::new(MemoryHistoryRepository::new(self.clone())),
            trash: Arc::new(MemoryTrashRepository::new(self.clone())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a panic elsewhere while it was held; every method validates
        // before it mutates, so the state is still consistent and serving on is correct.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
