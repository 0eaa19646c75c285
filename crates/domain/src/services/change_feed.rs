//! The live change feed: the recorded changes a caller may see, decided when each is about to
//! be delivered (not when it happened), and the resumption of a stream from the change log.
//!
//! A stream is a [`FeedCursor`]: it subscribes to the [`LiveChanges`] hub *first*, then
//! replays the log after the client's last seen entry, then switches to the subscription and
//! drops what the replay already covered (every entry id at or below the last one examined).
//! Subscribing before replaying is what makes resumption lose nothing: an entry committed
//! while the replay runs is either read by the replay or queued in the subscription, and the
//! id filter makes sure it is not sent twice (ADR 0025).

use std::collections::VecDeque;
use std::sync::Arc;

use crate::id::UserId;
use crate::model::{Change, EntryId, FieldChange, HistoryEntry, TaskChange};
use crate::policy::{self, Actor, ChangeRelation};
use crate::ports::{
    HistoryRepository, LiveChanges, LiveEntry, LiveNext, LiveSubscription, ProjectRepository,
    RepositoryError, TaskRepository, UserRepository,
};

/// How many entries a replay reads from the log at a time.
const REPLAY_PAGE: usize = 100;

/// Why the feed could not go on.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The store failed.
    #[error("the change log could not be read")]
    Store(#[from] RepositoryError),
}

/// Where a stream starts, from the client's `Last-Event-ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// No id: only what is committed from now on.
    Live,
    /// Everything after this entry, then live.
    After(EntryId),
    /// An id that is not one (garbage): the client must start over.
    Reset,
}

impl Resume {
    /// The resumption a `Last-Event-ID` value asks for.
    #[must_use]
    pub fn from_last_event_id(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            None | Some("") => Self::Live,
            Some(id) => id.parse::<EntryId>().map_or(Self::Reset, Self::After),
        }
    }
}

/// What a [`FeedCursor`] yields next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedStep {
    /// A change the caller may see now.
    Entry(Arc<LiveEntry>),
    /// The client's last seen entry is not in the log (never was, or no longer is): what
    /// it missed cannot be told, so it must reload everything; live changes follow.
    Reset,
    /// The stream fell too far behind the live changes and must end; the client resumes
    /// with the last id it received and loses nothing.
    Lagged,
    /// No more changes will come (the process is stopping).
    Closed,
    /// The caller's account no longer exists.
    AccountGone,
}

/// The change-feed use case: visibility of recorded changes, and streams over them.
#[derive(Debug, Clone)]
pub struct ChangeFeed {
    history: Arc<dyn HistoryRepository>,
    tasks: Arc<dyn TaskRepository>,
    projects: Arc<dyn ProjectRepository>,
    users: Arc<dyn UserRepository>,
    live: Arc<dyn LiveChanges>,
}

impl ChangeFeed {
    /// Wires the feed to its ports. `projects` and `users` should be the cached ones the
    /// other use cases get: a change to a membership or a role then holds for the next
    /// delivered entry.
    #[must_use]
    pub fn new(
        history: Arc<dyn HistoryRepository>,
        tasks: Arc<dyn TaskRepository>,
        projects: Arc<dyn ProjectRepository>,
        users: Arc<dyn UserRepository>,
        live: Arc<dyn LiveChanges>,
    ) -> Self {
        Self { history, tasks, projects, users, live }
    }

    /// Up to `limit` entries after `after` (from the start of the log for `None`), in id
    /// order, each with the facts about its task as they are now.
    ///
    /// # Errors
    /// [`FeedError::Store`].
    pub async fn read_after(
        &self,
        after: Option<EntryId>,
        limit: usize,
    ) -> Result<Vec<LiveEntry>, FeedError> {
        let entries = match after {
            Some(after) => self.history.after(after, limit).await?,
            // The log starts at 1; the port reads strictly after an id.
            None => {
                let Some(first) = EntryId::new(1) else { return Ok(Vec::new()) };
                let mut entries: Vec<HistoryEntry> =
                    self.history.get(first).await?.into_iter().collect();
                entries.extend(self.history.after(first, limit.saturating_sub(1)).await?);
                entries
            }
        };
        let mut read = Vec::with_capacity(entries.len());
        for entry in entries {
            read.push(self.facts(entry).await?);
        }
        Ok(read)
    }

    /// The last entry of the log, if any: where a reader that wants only what comes next
    /// starts.
    ///
    /// # Errors
    /// [`FeedError::Store`].
    pub async fn latest(&self) -> Result<Option<EntryId>, FeedError> {
        Ok(self.history.latest().await?)
    }

    /// `entry` with the facts about its task as they are now.
    ///
    /// # Errors
    /// [`FeedError::Store`].
    pub async fn facts(&self, entry: HistoryEntry) -> Result<LiveEntry, FeedError> {
        let task_is_public = match entry.task_id() {
            Some(task) => self.tasks.get(task).await?.is_some_and(|t| t.is_public),
            None => false,
        };
        Ok(LiveEntry { entry, task_is_public })
    }

    /// Whether `user` may see `entry` now: `None` when the account no longer exists.
    ///
    /// # Errors
    /// [`FeedError::Store`].
    pub async fn may_see(
        &self,
        user: UserId,
        entry: &LiveEntry,
    ) -> Result<Option<bool>, FeedError> {
        let Some(user) = self.users.get(user).await? else { return Ok(None) };
        let actor = Actor::new(user.id, user.role);
        let is_task = entry.entry.task_id().is_some();
        // Admins see everything, and a public task is seen by all: no membership to read.
        let unconditional = ChangeRelation {
            is_task,
            is_member: false,
            is_public: entry.task_is_public,
            was_member: false,
        };
        if policy::see_change(&actor, unconditional) {
            return Ok(Some(true));
        }
        let is_member = self.projects.is_member(entry.entry.project_id, actor.user_id).await?;
        let was_member = match &entry.entry.change {
            Change::Task { change: TaskChange::Moved(FieldChange { before, .. }), .. }
                if !is_member =>
            {
                self.projects.is_member(*before, actor.user_id).await?
            }
            _ => false,
        };
        let relation = ChangeRelation { is_member, was_member, ..unconditional };
        Ok(Some(policy::see_change(&actor, relation)))
    }

    /// A stream of the changes `user` may see, starting where `resume` says, holding at most
    /// `capacity` live entries it has not examined yet.
    ///
    /// # Errors
    /// [`FeedError::Store`] when the log cannot be read to check the resumption point.
    pub async fn open(
        &self,
        user: UserId,
        resume: Resume,
        capacity: usize,
    ) -> Result<FeedCursor, FeedError> {
        // First: whatever commits from now on is queued for this stream.
        let subscription = self.live.subscribe(capacity);
        let (reset_pending, last, replaying) = match resume {
            Resume::Live => (false, None, false),
            Resume::Reset => (true, None, false),
            Resume::After(id) => {
                // Resume only from an entry the log holds: after a purge (or an id this log
                // never had) what the client missed cannot be told.
                if self.history.get(id).await?.is_some() {
                    (false, Some(id), true)
                } else {
                    (true, None, false)
                }
            }
        };
        Ok(FeedCursor {
            feed: self.clone(),
            user,
            subscription,
            last,
            replaying,
            reset_pending,
            replayed: VecDeque::new(),
        })
    }
}

/// One stream's position: replaying the log, then following the live changes.
#[derive(Debug)]
pub struct FeedCursor {
    feed: ChangeFeed,
    user: UserId,
    subscription: Box<dyn LiveSubscription>,
    /// The last entry examined (delivered or not): live entries at or below it are
    /// duplicates of the replay.
    last: Option<EntryId>,
    replaying: bool,
    reset_pending: bool,
    replayed: VecDeque<LiveEntry>,
}

impl FeedCursor {
    /// The next step: a visible change, or why the stream must end. Invisible changes are
    /// skipped. Visibility is decided here, when the entry is about to be handed out.
    ///
    /// # Errors
    /// [`FeedError::Store`].
    pub async fn next(&mut self) -> Result<FeedStep, FeedError> {
        if self.reset_pending {
            self.reset_pending = false;
            return Ok(FeedStep::Reset);
        }
        loop {
            let entry = match self.next_candidate().await? {
                Ok(entry) => entry,
                Err(step) => return Ok(step),
            };
            match self.feed.may_see(self.user, &entry).await? {
                None => return Ok(FeedStep::AccountGone),
                Some(true) => return Ok(FeedStep::Entry(entry)),
                Some(false) => {}
            }
        }
    }

    /// The next entry past `last`, from the replay while it lasts, then from the
    /// subscription; `Err` with the step that ends the stream.
    async fn next_candidate(&mut self) -> Result<Result<Arc<LiveEntry>, FeedStep>, FeedError> {
        loop {
            if let Some(entry) = self.replayed.pop_front() {
                self.last = Some(entry.entry.id);
                return Ok(Ok(Arc::new(entry)));
            }
            if !self.replaying {
                break;
            }
            let page = self.feed.read_after(self.last, REPLAY_PAGE).await?;
            // A short page is the end of the log as of now; what follows is in the
            // subscription, which was taken before this read.
            self.replaying = page.len() == REPLAY_PAGE;
            self.replayed.extend(page);
        }
        loop {
            match self.subscription.next().await {
                LiveNext::Entry(entry) => {
                    if self.last.is_some_and(|last| entry.entry.id <= last) {
                        continue;
                    }
                    self.last = Some(entry.entry.id);
                    return Ok(Ok(entry));
                }
                LiveNext::Lagged => return Ok(Err(FeedStep::Lagged)),
                LiveNext::Closed => return Ok(Err(FeedStep::Closed)),
            }
        }
    }

    /// The last entry examined, if any.
    #[must_use]
    pub const fn last(&self) -> Option<EntryId> {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_event_ids_are_read_strictly() {
        assert_eq!(Resume::from_last_event_id(None), Resume::Live);
        assert_eq!(Resume::from_last_event_id(Some("")), Resume::Live);
        let seven = EntryId::new(7).map(Resume::After);
        assert_eq!(Some(Resume::from_last_event_id(Some("7"))), seven);
        for garbage in ["0", "-1", "x", "7.0", "+7", "99999999999999999999999"] {
            assert_eq!(Resume::from_last_event_id(Some(garbage)), Resume::Reset, "{garbage}");
        }
    }
}
