//! A caching Decorator over the project repository's membership check.
//!
//! Reading a task asks "is the caller a member of its project?" on every request; the answer
//! changes rarely. Serving it from memory saves the read path a second trip to the blocking
//! pool (the benchmark, `docs/benchmarks.md`, measured that trip as the largest cost of a read
//! by id). Membership changes made through this decorator, and the events that imply them (a
//! member added or removed, a project or user deleted), void the cached answers at once, each
//! in O(1) — one record, no scan of the entries (`cache_stamps.rs`, ADR 0014); a short TTL
//! bounds staleness for anything the process cannot see.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use taskforge_domain::events::{DomainEvent, EventKind};
use taskforge_domain::model::{EntryDraft, EntryId};
use taskforge_domain::ports::EventSubscriber;
use taskforge_domain::ports::{ProjectRepository, RepositoryError};
use taskforge_domain::query::Visibility;
use taskforge_domain::values::Timestamp;
use taskforge_domain::{Project, ProjectId, ProjectMember, UserId};

use crate::cache_stamps::{Forgotten, Stamp, Stamps};

/// What a membership answer is about: any of these being forgotten voids it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Subject {
    /// Every answer about the project (it was deleted).
    Project(ProjectId),
    /// Every answer about the user (they were deleted).
    User(UserId),
    /// The one answer about the user in the project (they were added or removed).
    Member(ProjectId, UserId),
}

/// [`ProjectRepository`] that remembers `is_member` answers for a while.
#[derive(Debug)]
pub struct CachedMemberships {
    inner: Arc<dyn ProjectRepository>,
    stamps: Stamps,
    /// (project, user) → when the answer was read, and the answer.
    entries: quick_cache::sync::Cache<(ProjectId, UserId), (Stamp, bool)>,
    forgotten: Forgotten<Subject>,
}

impl CachedMemberships {
    /// Caches `inner`'s membership answers for `ttl`, holding at most `capacity` of them
    /// (the least useful ones are evicted one by one beyond that).
    #[must_use]
    pub fn new(inner: Arc<dyn ProjectRepository>, ttl: Duration, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            inner,
            stamps: Stamps::new(ttl),
            entries: quick_cache::sync::Cache::new(capacity),
            forgotten: Forgotten::new(capacity),
        }
    }

    /// How many answers are cached now (at most about the capacity).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no answer is cached.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn forget(&self, subject: Subject) {
        self.forgotten.forget(subject, self.stamps.now());
        if let Subject::Member(project, user) = subject {
            self.entries.remove(&(project, user));
        }
    }

    /// The cached answer, if it is fresh and none of its subjects was forgotten since it was
    /// read.
    fn cached(&self, project: ProjectId, user: UserId) -> Option<bool> {
        let (read_at, member) = self.entries.get(&(project, user))?;
        let void = [Subject::Member(project, user), Subject::Project(project), Subject::User(user)]
            .iter()
            .any(|subject| self.forgotten.since(subject, read_at));
        (self.stamps.fresh(read_at) && !void).then_some(member)
    }

    /// Forgets every answer about `user` (their account changed or went away), in O(1).
    pub fn forget_user(&self, user: UserId) {
        self.forget(Subject::User(user));
    }

    /// Forgets whether `user` is a member of `project`.
    pub fn forget_member(&self, project: ProjectId, user: UserId) {
        self.forget(Subject::Member(project, user));
    }

    /// Forgets every answer (changes may have been missed): one read in flight now is not
    /// served afterwards either.
    pub fn clear(&self) {
        self.forgotten.forget_everything(self.stamps.now());
        self.entries.clear();
    }
}

#[async_trait]
impl ProjectRepository for CachedMemberships {
    async fn insert(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let result = self.inner.insert(project, entry).await;
        self.forget(Subject::Project(project.id));
        result
    }

    async fn get(&self, id: ProjectId) -> Result<Option<Project>, RepositoryError> {
        self.inner.get(id).await
    }

    async fn list(
        &self,
        visibility: Visibility,
        after: Option<ProjectId>,
        limit: usize,
    ) -> Result<Vec<Project>, RepositoryError> {
        self.inner.list(visibility, after, limit).await
    }

    async fn update(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        self.inner.update(project, entry).await
    }

    async fn delete(&self, id: ProjectId) -> Result<(), RepositoryError> {
        let result = self.inner.delete(id).await;
        self.forget(Subject::Project(id));
        result
    }

    async fn is_member(&self, project: ProjectId, user: UserId) -> Result<bool, RepositoryError> {
        if let Some(member) = self.cached(project, user) {
            return Ok(member);
        }
        // Stamped before the read: should a change commit meanwhile, its forget is newer
        // than this answer, which is then never served.
        let read_at = self.stamps.now();
        let member = self.inner.is_member(project, user).await?;
        self.entries.insert((project, user), (read_at, member));
        Ok(member)
    }

    async fn members(&self, project: ProjectId) -> Result<Vec<ProjectMember>, RepositoryError> {
        self.inner.members(project).await
    }

    async fn add_member(
        &self,
        project: ProjectId,
        user: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError> {
        let result = self.inner.add_member(project, user, at).await;
        self.forget(Subject::Member(project, user));
        result
    }

    async fn remove_member(
        &self,
        project: ProjectId,
        user: UserId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError> {
        let result = self.inner.remove_member(project, user, actor, at).await;
        self.forget(Subject::Member(project, user));
        result
    }
}

/// Drops cached answers when events say memberships changed by another path (a deleted user
/// leaves every project).
impl EventSubscriber for CachedMemberships {
    fn on_event(&self, event: &DomainEvent) {
        match &event.kind {
            EventKind::MemberAdded { project_id, user_id }
            | EventKind::MemberRemoved { project_id, user_id } => {
                self.forget(Subject::Member(*project_id, *user_id));
            }
            EventKind::ProjectDeleted(project_id) => self.forget(Subject::Project(*project_id)),
            EventKind::UserDeleted(user_id) => self.forget(Subject::User(*user_id)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use taskforge_domain::values::{PasswordHash, ProjectDescription, ProjectName, Role, Username};
    use taskforge_domain::{Timestamp, User};
    use taskforge_memory::MemoryDatabase;

    fn at() -> Timestamp {
        Timestamp::from_unix_micros(0).unwrap()
    }

    async fn user(db: &MemoryDatabase, name: &str) -> UserId {
        let user = User {
            id: UserId::new(),
            username: Username::parse(name).unwrap(),
            email: None,
            password_hash: PasswordHash::parse("$pbkdf2-sha256$i=1,l=32$c2FsdA$aGFzaA").unwrap(),
            role: Role::Editor,
            created_at: at(),
        };
        db.repositories().users.insert(&user).await.unwrap();
        user.id
    }

    fn project_of(owner: UserId) -> Project {
        Project {
            id: ProjectId::new(),
            name: ProjectName::parse("p").unwrap(),
            description: ProjectDescription::empty(),
            owner_id: owner,
            created_at: at(),
        }
    }

    #[tokio::test]
    async fn membership_changes_are_seen_at_once_and_changes_behind_its_back_after_an_event() {
        let db = MemoryDatabase::new();
        let inner = db.repositories().projects;
        let cache = CachedMemberships::new(Arc::clone(&inner), Duration::from_secs(3600), 100);
        let owner = user(&db, "owner").await;
        let bob = user(&db, "bob").await;
        let project = project_of(owner);
        cache
            .insert(&project, &taskforge_domain::model::EntryDraft::project_created(&project))
            .await
            .unwrap();
        assert!(!cache.is_member(project.id, bob).await.unwrap());
        cache.add_member(project.id, bob, at()).await.unwrap();
        assert!(cache.is_member(project.id, bob).await.unwrap(), "added through the cache");
        cache.remove_member(project.id, bob, bob, at()).await.unwrap();
        assert!(!cache.is_member(project.id, bob).await.unwrap(), "removed through the cache");

        inner.add_member(project.id, bob, at()).await.unwrap();
        assert!(!cache.is_member(project.id, bob).await.unwrap(), "stale until told");
        cache.on_event(&DomainEvent {
            actor: None,
            at: at(),
            entry: None,
            kind: EventKind::MemberAdded { project_id: project.id, user_id: bob },
        });
        assert!(cache.is_member(project.id, bob).await.unwrap());

        cache.delete(project.id).await.unwrap();
        assert!(!cache.is_member(project.id, owner).await.unwrap(), "a deleted project has none");
    }

    #[tokio::test]
    async fn without_a_ttl_every_answer_is_read_again() {
        let db = MemoryDatabase::new();
        let inner = db.repositories().projects;
        let cache = CachedMemberships::new(Arc::clone(&inner), Duration::ZERO, 100);
        let owner = user(&db, "owner").await;
        let bob = user(&db, "bob").await;
        let project = project_of(owner);
        inner
            .insert(&project, &taskforge_domain::model::EntryDraft::project_created(&project))
            .await
            .unwrap();
        assert!(!cache.is_member(project.id, bob).await.unwrap());
        inner.add_member(project.id, bob, at()).await.unwrap();
        assert!(cache.is_member(project.id, bob).await.unwrap());
    }

    /// The memory store's membership answers, counting how often each is read; with a gate,
    /// each answer is held back after it was read until the test lets it go.
    #[derive(Debug)]
    struct Counting {
        inner: Arc<dyn ProjectRepository>,
        reads: std::sync::Mutex<std::collections::HashMap<(ProjectId, UserId), usize>>,
        gate: Option<Gate>,
    }

    #[derive(Debug, Default)]
    struct Gate {
        read: tokio::sync::Notify,
        release: tokio::sync::Notify,
    }

    impl Counting {
        fn over(inner: Arc<dyn ProjectRepository>) -> Arc<Self> {
            Arc::new(Self { inner, reads: std::sync::Mutex::default(), gate: None })
        }

        fn gated(inner: Arc<dyn ProjectRepository>) -> Arc<Self> {
            Arc::new(Self {
                inner,
                reads: std::sync::Mutex::default(),
                gate: Some(Gate::default()),
            })
        }

        fn reads(&self, project: ProjectId, user: UserId) -> usize {
            self.reads.lock().unwrap().get(&(project, user)).copied().unwrap_or(0)
        }
    }

    #[async_trait]
    impl ProjectRepository for Counting {
        async fn insert(
            &self,
            project: &Project,
            entry: &EntryDraft,
        ) -> Result<EntryId, RepositoryError> {
            self.inner.insert(project, entry).await
        }
        async fn get(&self, id: ProjectId) -> Result<Option<Project>, RepositoryError> {
            self.inner.get(id).await
        }
        async fn list(
            &self,
            visibility: Visibility,
            after: Option<ProjectId>,
            limit: usize,
        ) -> Result<Vec<Project>, RepositoryError> {
            self.inner.list(visibility, after, limit).await
        }
        async fn update(
            &self,
            project: &Project,
            entry: &EntryDraft,
        ) -> Result<EntryId, RepositoryError> {
            self.inner.update(project, entry).await
        }
        async fn delete(&self, id: ProjectId) -> Result<(), RepositoryError> {
            self.inner.delete(id).await
        }
        async fn is_member(
            &self,
            project: ProjectId,
            user: UserId,
        ) -> Result<bool, RepositoryError> {
            *self.reads.lock().unwrap().entry((project, user)).or_default() += 1;
            let answer = self.inner.is_member(project, user).await;
            if let Some(gate) = &self.gate {
                gate.read.notify_one();
                gate.release.notified().await;
            }
            answer
        }
        async fn members(&self, project: ProjectId) -> Result<Vec<ProjectMember>, RepositoryError> {
            self.inner.members(project).await
        }
        async fn add_member(
            &self,
            project: ProjectId,
            user: UserId,
            at: Timestamp,
        ) -> Result<bool, RepositoryError> {
            self.inner.add_member(project, user, at).await
        }
        async fn remove_member(
            &self,
            project: ProjectId,
            user: UserId,
            actor: UserId,
            at: Timestamp,
        ) -> Result<bool, RepositoryError> {
            self.inner.remove_member(project, user, actor, at).await
        }
    }

    fn event(kind: EventKind) -> DomainEvent {
        DomainEvent { actor: None, at: at(), entry: None, kind }
    }

    #[tokio::test]
    async fn past_its_capacity_the_cache_evicts_one_by_one_and_keeps_a_hot_answer() {
        // The old cache emptied itself whenever it was full, so a hot answer was read again
        // after every `capacity` new ones; now only the cold ones make room.
        let db = MemoryDatabase::new();
        let counting = Counting::over(db.repositories().projects);
        let cache = CachedMemberships::new(counting.clone(), Duration::from_secs(3600), 100);
        let owner = user(&db, "owner").await;
        let project = project_of(owner);
        db.repositories()
            .projects
            .insert(&project, &taskforge_domain::model::EntryDraft::project_created(&project))
            .await
            .unwrap();

        for _ in 0..2_000 {
            assert!(cache.is_member(project.id, owner).await.unwrap());
            assert!(!cache.is_member(ProjectId::new(), owner).await.unwrap());
        }

        assert_eq!(counting.reads(project.id, owner), 1, "the hot answer was read once");
        assert!(cache.len() <= 100, "bounded: {} cached", cache.len());
        assert!(cache.len() >= 50, "not emptied: {} cached", cache.len());
    }

    #[tokio::test]
    async fn a_deleted_project_voids_its_answers_only() {
        let db = MemoryDatabase::new();
        let counting = Counting::over(db.repositories().projects);
        let cache = CachedMemberships::new(counting.clone(), Duration::from_secs(3600), 100);
        let owner = user(&db, "owner").await;
        let (gone, kept) = (project_of(owner), project_of(owner));
        for p in [&gone, &kept] {
            db.repositories()
                .projects
                .insert(p, &taskforge_domain::model::EntryDraft::project_created(p))
                .await
                .unwrap();
            assert!(cache.is_member(p.id, owner).await.unwrap());
        }

        db.repositories().projects.delete(gone.id).await.unwrap();
        cache.on_event(&event(EventKind::ProjectDeleted(gone.id)));

        assert!(!cache.is_member(gone.id, owner).await.unwrap(), "read again: no member");
        assert!(cache.is_member(kept.id, owner).await.unwrap());
        assert_eq!(counting.reads(gone.id, owner), 2);
        assert_eq!(counting.reads(kept.id, owner), 1, "the other project's answer stays");
    }

    #[tokio::test]
    async fn a_deleted_user_voids_their_answers_only() {
        let db = MemoryDatabase::new();
        let counting = Counting::over(db.repositories().projects);
        let cache = CachedMemberships::new(counting.clone(), Duration::from_secs(3600), 100);
        let owner = user(&db, "owner").await;
        let bob = user(&db, "bob").await;
        let project = project_of(owner);
        db.repositories()
            .projects
            .insert(&project, &taskforge_domain::model::EntryDraft::project_created(&project))
            .await
            .unwrap();
        db.repositories().projects.add_member(project.id, bob, at()).await.unwrap();
        for who in [owner, bob] {
            assert!(cache.is_member(project.id, who).await.unwrap());
        }

        cache.on_event(&event(EventKind::UserDeleted(bob)));
        for who in [owner, bob] {
            cache.is_member(project.id, who).await.unwrap();
        }

        assert_eq!(counting.reads(project.id, bob), 2, "read again");
        assert_eq!(counting.reads(project.id, owner), 1, "the owner's answer stays");
    }

    #[tokio::test]
    async fn an_answer_read_before_a_change_is_not_served_after_it() {
        // The read of the store finishes, then the member is added (and the event arrives),
        // then the read's answer reaches the cache: the old cache stored that stale "no" after
        // the invalidation and served it for a whole TTL.
        let db = MemoryDatabase::new();
        let counting = Counting::gated(db.repositories().projects);
        let cache =
            Arc::new(CachedMemberships::new(counting.clone(), Duration::from_secs(3600), 100));
        let owner = user(&db, "owner").await;
        let bob = user(&db, "bob").await;
        let project = project_of(owner);
        db.repositories()
            .projects
            .insert(&project, &taskforge_domain::model::EntryDraft::project_created(&project))
            .await
            .unwrap();
        let gate = counting.gate.as_ref().unwrap();

        let in_flight = tokio::spawn({
            let cache = Arc::clone(&cache);
            async move { cache.is_member(project.id, bob).await.unwrap() }
        });
        gate.read.notified().await;
        db.repositories().projects.add_member(project.id, bob, at()).await.unwrap();
        cache.on_event(&event(EventKind::MemberAdded { project_id: project.id, user_id: bob }));
        gate.release.notify_one();
        assert!(!in_flight.await.unwrap(), "the request in flight saw the state it read");

        let next = tokio::spawn({
            let cache = Arc::clone(&cache);
            async move { cache.is_member(project.id, bob).await.unwrap() }
        });
        gate.read.notified().await;
        gate.release.notify_one();
        assert!(next.await.unwrap(), "read again, not the stale answer");
    }
}
