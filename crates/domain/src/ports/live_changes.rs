use std::sync::Arc;

use async_trait::async_trait;

use crate::model::HistoryEntry;

/// Where the changes committed from now on arrive, in log order (Observer: the app crate's
/// hub hears every domain event, reads the new entries from the change log once, and fans
/// them out to every subscription; ADR 0025).
pub trait LiveChanges: Send + Sync + std::fmt::Debug {
    /// A subscription to every entry committed after this call, holding at most `capacity`
    /// entries its reader has not taken yet.
    fn subscribe(&self, capacity: usize) -> Box<dyn LiveSubscription>;
}

/// One reader's queue of new entries. Bounded: a reader that falls `capacity` entries behind
/// is dropped by the hub rather than buffered without bound ([`LiveNext::Lagged`]).
#[async_trait]
pub trait LiveSubscription: Send + std::fmt::Debug {
    /// The next entry, in increasing id order; [`LiveNext::Lagged`] once the reader fell too
    /// far behind (nothing more will come), [`LiveNext::Closed`] when the hub stopped.
    async fn next(&mut self) -> LiveNext;
}

/// What a [`LiveSubscription`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveNext {
    /// A newly committed entry, with the facts read once for every reader.
    Entry(Arc<LiveEntry>),
    /// The reader fell behind its bound and was dropped; it may resume from the log.
    Lagged,
    /// No more entries will come (the process is stopping).
    Closed,
}

/// A change-log entry with the facts about its task read when the entry was read from the
/// log, shared by every reader (so a thousand streams cost one task read, not a thousand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEntry {
    /// The entry.
    pub entry: HistoryEntry,
    /// Whether the entry's task was public when the entry was read (false for a project's
    /// change and for a task that is gone).
    pub task_is_public: bool,
}
