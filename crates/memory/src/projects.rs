use async_trait::async_trait;
use taskforge_domain::model::{EntryDraft, EntryId};
use taskforge_domain::ports::{Entity, ProjectRepository, RepositoryError};
use taskforge_domain::query::Visibility;
use taskforge_domain::values::Timestamp;
use taskforge_domain::{Project, ProjectId, ProjectMember, UserId};

use crate::MemoryDatabase;

/// [`ProjectRepository`] over a [`MemoryDatabase`].
#[derive(Debug, Clone)]
pub struct MemoryProjectRepository {
    db: MemoryDatabase,
}

impl MemoryProjectRepository {
    /// A repository over `db`.
    #[must_use]
    pub fn new(db: MemoryDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl ProjectRepository for MemoryProjectRepository {
    async fn insert(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let mut state = self.db.lock();
        if state.projects.contains_key(&project.id) {
            return Err(RepositoryError::Duplicate(Entity::Project));
        }
        if !state.users.contains_key(&project.owner_id) {
            return Err(RepositoryError::MissingReference(Entity::User));
        }
        state.projects.insert(project.id, project.clone());
        state.members.insert((project.id, project.owner_id), project.created_at);
        Ok(state.record(entry))
    }

    async fn get(&self, id: ProjectId) -> Result<Option<Project>, RepositoryError> {
        Ok(self.db.lock().projects.get(&id).cloned())
    }

    async fn list(
        &self,
        visibility: Visibility,
        after: Option<ProjectId>,
        limit: usize,
    ) -> Result<Vec<Project>, RepositoryError> {
        let state = self.db.lock();
        // BTreeMap iterates ids in ascending order, which is the contract's order.
        Ok(state
            .projects
            .values()
            .filter(|p| after.is_none_or(|a| p.id > a))
            .filter(|p| match visibility {
                Visibility::All => true,
                Visibility::MemberOrPublic(user) => state.is_member(p.id, user),
            })
            .take(limit)
            .cloned()
            .collect())
    }

    async fn update(
        &self,
        project: &Project,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let mut state = self.db.lock();
        if !state.projects.contains_key(&project.id) {
            return Err(RepositoryError::NotFound(Entity::Project));
        }
        if !state.users.contains_key(&project.owner_id) {
            return Err(RepositoryError::MissingReference(Entity::User));
        }
        // `created_at` is not one of the replaced fields: it stays as stored.
        if let Some(stored) = state.projects.get_mut(&project.id) {
            *stored = Project { created_at: stored.created_at, ..project.clone() };
        }
        Ok(state.record(entry))
    }

    async fn delete(&self, id: ProjectId) -> Result<(), RepositoryError> {
        let mut state = self.db.lock();
        if state.projects.remove(&id).is_none() {
            return Err(RepositoryError::NotFound(Entity::Project));
        }
        state.members.retain(|(project, _), _| *project != id);
        state.tasks.retain(|_, task| task.project_id != id);
        Ok(())
    }

    async fn is_member(&self, project: ProjectId, user: UserId) -> Result<bool, RepositoryError> {
        Ok(self.db.lock().is_member(project, user))
    }

    async fn members(&self, project: ProjectId) -> Result<Vec<ProjectMember>, RepositoryError> {
        let state = self.db.lock();
        let mut members: Vec<ProjectMember> = state
            .members
            .range(
                (project, UserId::from_bytes([0; 16]))..=(project, UserId::from_bytes([0xff; 16])),
            )
            .filter_map(|((_, user_id), added_at)| {
                state.users.get(user_id).map(|u| ProjectMember {
                    user_id: *user_id,
                    username: u.username.clone(),
                    added_at: *added_at,
                })
            })
            .collect();
        members.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(members)
    }

    async fn add_member(
        &self,
        project: ProjectId,
        user: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError> {
        let mut state = self.db.lock();
        if !state.projects.contains_key(&project) {
            return Err(RepositoryError::NotFound(Entity::Project));
        }
        if !state.users.contains_key(&user) {
            return Err(RepositoryError::MissingReference(Entity::User));
        }
        if state.is_member(project, user) {
            return Ok(false);
        }
        state.members.insert((project, user), at);
        Ok(true)
    }

    async fn remove_member(
        &self,
        project: ProjectId,
        user: UserId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<bool, RepositoryError> {
        let mut state = self.db.lock();
        if !state.projects.contains_key(&project) {
            return Err(RepositoryError::NotFound(Entity::Project));
        }
        if state.members.remove(&(project, user)).is_none() {
            return Ok(false);
        }
        for (task, in_project) in state.unassign(user, at, |task| task.project_id == project) {
            state.record(&EntryDraft::assignee_cleared(task, in_project, user, actor, at));
        }
        Ok(true)
    }
}
