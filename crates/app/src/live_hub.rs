//! The live hub (Observer): hears every domain event of this process — and, on PostgreSQL,
//! the database's announcement of every entry other instances commit — reads the new entries
//! from the change log once, and fans them out to every open stream's bounded subscription
//! (ADR 0025).
//!
//! **Why read the log instead of forwarding the events.** Two writes can commit as entries 5
//! and 6 and publish their events in the other order; a stream that forwarded 6 before 5 and
//! was then resumed "after 6" would never see 5. The log hands entries out in id order, and
//! ids become visible in commit order (ADR 0024), so the hub's cursor never skips one. The
//! events are only the signal that the log grew; entries of other instances arrive the same
//! way, after a notification.
//!
//! **Bounded.** Each subscription holds at most its capacity; a subscriber that falls that
//! far behind is dropped (it sees `LiveNext::Lagged`) and its stream ends, instead of the
//! hub buffering without bound or waiting for it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use taskforge_domain::events::{DomainEvent, EventKind};
use taskforge_domain::ports::{
    EventSubscriber, LiveChanges, LiveEntry, LiveNext, LiveSubscription,
};
use taskforge_domain::services::ChangeFeed;
use tokio::sync::{Notify, mpsc};

/// How many entries the hub reads from the log at a time.
const PAGE: usize = 256;
/// How long the hub waits before reading again after the log could not be read.
const RETRY: Duration = Duration::from_millis(200);

/// The hub. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    subscribers: Mutex<Vec<Subscriber>>,
    /// Set at shutdown: every subscription ends, and new ones end at once.
    closed: AtomicBool,
    /// Rung when the log may have grown; holds one permit, so no ring is lost while the
    /// reader is busy.
    grown: Notify,
}

#[derive(Debug)]
struct Subscriber {
    sender: mpsc::Sender<Arc<LiveEntry>>,
    lagged: Arc<AtomicBool>,
}

impl LiveHub {
    /// A hub with no subscribers; [`LiveHub::start`] starts its reader.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Tells the hub the log may have grown (an event of this process, or an announcement
    /// from the database).
    pub fn log_grew(&self) {
        self.inner.grown.notify_one();
    }

    /// Ends every subscription (their streams end, so a graceful shutdown does not wait for
    /// them), and every later one at once.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.lock().clear();
    }

    /// How many subscriptions are open.
    #[must_use]
    pub fn subscribers(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Subscriber>> {
        // A poisoned lock only means a thread panicked while fanning out; the list is sound.
        self.inner.subscribers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts reading the log after its current end, on the current Tokio runtime, for the
    /// life of the process. Returns once the current end is known.
    ///
    /// # Errors
    /// The feed's error when the log cannot be read.
    pub async fn start(
        &self,
        feed: ChangeFeed,
    ) -> Result<tokio::task::JoinHandle<()>, taskforge_domain::services::FeedError> {
        let mut cursor = feed.latest().await?;
        let hub = self.clone();
        Ok(tokio::spawn(async move {
            loop {
                hub.inner.grown.notified().await;
                loop {
                    match feed.read_after(cursor, PAGE).await {
                        Ok(entries) => {
                            let full = entries.len() == PAGE;
                            for entry in entries {
                                cursor = Some(entry.entry.id);
                                hub.fan_out(&Arc::new(entry));
                            }
                            if !full {
                                break;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "the live hub cannot read the change log");
                            tokio::time::sleep(RETRY).await;
                        }
                    }
                }
            }
        }))
    }

    /// Hands `entry` to every subscriber that has room, dropping those that have none.
    fn fan_out(&self, entry: &Arc<LiveEntry>) {
        self.lock().retain(|subscriber| match subscriber.sender.try_send(Arc::clone(entry)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                subscriber.lagged.store(true, Ordering::Release);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
    }
}

impl LiveChanges for LiveHub {
    fn subscribe(&self, capacity: usize) -> Box<dyn LiveSubscription> {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let lagged = Arc::new(AtomicBool::new(false));
        let mut subscribers = self.lock();
        // Checked under the lock `close` clears: a subscription is either cleared or refused.
        if !self.inner.closed.load(Ordering::Acquire) {
            subscribers.push(Subscriber { sender, lagged: Arc::clone(&lagged) });
        }
        drop(subscribers);
        Box::new(HubSubscription { receiver, lagged })
    }
}

impl EventSubscriber for LiveHub {
    fn on_event(&self, event: &DomainEvent) {
        // Every change of a task or a project adds an entry to the log, and so do deleting a
        // category and removing a member (one per task cleared); accounts, logins, other
        // category changes and added members add none (a membership only changes who sees the
        // entries that follow). A kind added later wakes the hub, which costs one empty read.
        let adds_no_entry = matches!(
            event.kind,
            EventKind::UserRegistered { .. }
                | EventKind::RoleChanged { .. }
                | EventKind::UserDeleted(_)
                | EventKind::LoginSucceeded(_)
                | EventKind::LoginFailed { .. }
                | EventKind::RefreshTokenReused(_)
                | EventKind::PasswordChanged(_)
                | EventKind::CategoryCreated(_)
                | EventKind::CategoryRenamed(_)
                | EventKind::MemberAdded { .. }
        );
        if event.entry.is_some() || !adds_no_entry {
            self.log_grew();
        }
    }
}

/// One stream's subscription.
#[derive(Debug)]
struct HubSubscription {
    receiver: mpsc::Receiver<Arc<LiveEntry>>,
    lagged: Arc<AtomicBool>,
}

#[async_trait]
impl LiveSubscription for HubSubscription {
    async fn next(&mut self) -> LiveNext {
        match self.receiver.recv().await {
            Some(entry) => LiveNext::Entry(entry),
            None if self.lagged.load(Ordering::Acquire) => LiveNext::Lagged,
            None => LiveNext::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use taskforge_domain::model::{Change, EntryId, HistoryEntry, ProjectChange};
    use taskforge_domain::values::Timestamp;
    use taskforge_domain::{ProjectId, UserId};

    use super::*;

    fn entry(id: u64) -> Arc<LiveEntry> {
        Arc::new(LiveEntry {
            entry: HistoryEntry {
                id: EntryId::new(id).unwrap_or(EntryId::MAX),
                project_id: ProjectId::new(),
                actor: UserId::new(),
                at: Timestamp::from_unix_micros(0).unwrap_or_else(|| unreachable!()),
                change: Change::Project(ProjectChange::Created),
            },
            task_is_public: false,
        })
    }

    #[tokio::test]
    async fn a_subscriber_gets_every_entry_in_order_until_it_falls_its_capacity_behind() {
        let hub = LiveHub::new();
        let mut slow = hub.subscribe(2);
        let mut fast = hub.subscribe(8);
        for id in 1..=3 {
            hub.fan_out(&entry(id));
        }
        assert_eq!(hub.subscribers(), 1, "the slow one was dropped, not buffered for");
        for id in 1..=2 {
            assert!(matches!(slow.next().await, LiveNext::Entry(e) if e.entry.id.get() == id));
        }
        assert_eq!(slow.next().await, LiveNext::Lagged);
        for id in 1..=3 {
            assert!(matches!(fast.next().await, LiveNext::Entry(e) if e.entry.id.get() == id));
        }
    }

    #[tokio::test]
    async fn closing_ends_every_subscription_and_refuses_new_ones() {
        let hub = LiveHub::new();
        let mut open = hub.subscribe(4);
        hub.close();
        assert_eq!(open.next().await, LiveNext::Closed);
        let mut late = hub.subscribe(4);
        assert_eq!(late.next().await, LiveNext::Closed);
        assert_eq!(hub.subscribers(), 0);
    }
}
