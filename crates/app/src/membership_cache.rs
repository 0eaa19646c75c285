//! A caching Decorator over the project repository's membership check.
//!
//! Reading a task asks "is the caller a member of its project?" on every request; the answer
//! changes rarely. Serving it from memory saves the read path a second trip to the blocking
//! pool (the benchmark, `docs/benchmarks.md`, measured that trip as the largest cost of a read by
//! id). Membership changes made through this decorator, and the events that imply them (a member
//! added or removed, a project or user deleted), drop the cached answers at once; a short TTL
//! bounds staleness for anything the process cannot see.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use taskforge_domain::events::{DomainEvent, EventKind};
use taskforge_domain::ports::EventSubscriber;
use taskforge_domain::ports::{ProjectRepository, RepositoryError};
use taskforge_domain::query::Visibility;
use taskforge_domain::values::Timestamp;
use taskforge_domain::{Project, ProjectId, ProjectMember, UserId};

type Entries = HashMap<(ProjectId, UserId), (Instant, bool)>;

/// [`ProjectRepository`] that remembers `is_member` answers for a while.
#[derive(Debug)]
pub struct CachedMemberships {
    inner: Arc<dyn ProjectRepository>,
    ttl: Duration,
    capacity: usize,
    entries: Mutex<Entries>,
}

impl CachedMemberships {
    /// Caches `inner`'s membership answers for `ttl`, holding at most `capacity` of them.
    #[must_use]
    pub fn new(inner: Arc<dyn ProjectRepository>, ttl: Duration, capacity: usize) -> Self {
        Self { inner, ttl, capacity: capacity.max(1), entries: Mutex::new(HashMap::new()) }
    }

    fn entries(&self) -> MutexGuard<'_, Entries> {
        // The map holds only copies; a panic elsewhere cannot leave it inconsistent.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn forget_project(&self, project: ProjectId) {
        self.entries().retain(|(p, _), _| *p != project);
    }

    fn forget_user(&self, user: UserId) {
        self.entries().retain(|(_, u), _| *u != user);
    }
}

#[async_trait]
impl ProjectRepository for CachedMemberships {
    async fn insert(&self, project: &Project) -> Result<(), RepositoryError> {
        let result = self.inner.insert(project).await;
        self.forget_project(project.id);
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

    async fn update(&self, project: &Project) -> Result<(), RepositoryError> {
        self.inner.update(project).await
    }

    async fn delete(&self, id: ProjectId) -> Result<(), RepositoryError> {
        let result = self.inner.delete(id).await;
        self.forget_project(id);
        result
    }

    async fn is_member(&self, project: ProjectId, user: UserId) -> Result<bool, RepositoryError> {
        if let Some((at, member)) = self.entries().get(&(project, user)) {
            if at.elapsed() < self.ttl {
                return Ok(*member);
            }
        }
        let member = self.inner.is_member(project, user).await?;
        let mut entries = self.entries();
        if entries.len() >= self.capacity {
            // Bounded and simple: the working set refills within one TTL.
            entries.clear();
        }
        entries.insert((project, user), (Instant::now(), member));
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
        self.entries().remove(&(project, user));
        result
    }

    async fn remove_member(
        &self,
        project: ProjectId,
        user: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError> {
        let result = self.inner.remove_member(project, user, at).await;
        self.entries().remove(&(project, user));
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
                self.entries().remove(&(*project_id, *user_id));
            }
            EventKind::ProjectDeleted(project_id) => self.forget_project(*project_id),
            EventKind::UserDeleted(user_id) => self.forget_user(*user_id),
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
        cache.insert(&project).await.unwrap();
        assert!(!cache.is_member(project.id, bob).await.unwrap());
        cache.add_member(project.id, bob, at()).await.unwrap();
        assert!(cache.is_member(project.id, bob).await.unwrap(), "added through the cache");
        cache.remove_member(project.id, bob, at()).await.unwrap();
        assert!(!cache.is_member(project.id, bob).await.unwrap(), "removed through the cache");

        inner.add_member(project.id, bob, at()).await.unwrap();
        assert!(!cache.is_member(project.id, bob).await.unwrap(), "stale until told");
        cache.on_event(&DomainEvent {
            actor: None,
            at: at(),
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
        inner.insert(&project).await.unwrap();
        assert!(!cache.is_member(project.id, bob).await.unwrap());
        inner.add_member(project.id, bob, at()).await.unwrap();
        assert!(cache.is_member(project.id, bob).await.unwrap());
    }
}
