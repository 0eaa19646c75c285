//! Project and membership use cases.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use super::budget::UserBudget;
use super::{BucketSettings, ProjectError};
use crate::commands::{CreateProject, UpdateProject};
use crate::events::{DomainEvent, EventKind};
use crate::id::{ProjectId, UserId};
use crate::model::{EntryDraft, EntryId, Project, ProjectChange, ProjectMember, project_changes};
use crate::policy::{self, Actor, Decision};
use crate::ports::Clock;
use crate::ports::{Entity, EventPublisher, ProjectRepository, RepositoryError, UserRepository};
use crate::query::Page;
use crate::values::{PageLimit, ProjectDescription, Role, Username};

/// The project use cases.
#[derive(Debug, Clone)]
pub struct ProjectService {
    projects: Arc<dyn ProjectRepository>,
    users: Arc<dyn UserRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventPublisher>,
    misses: Arc<UserBudget>,
}

impl ProjectService {
    /// How many members a user may try to add that turn out not to exist, by default: a
    /// burst of 20, then one more every three minutes. Adding a member answers whether the
    /// account exists (it has to: an owner who mistypes a name must be told), so without a
    /// budget any editor could create a project and enumerate every username through it.
    /// Additions that find their user cost nothing, so a team being set up never meets it.
    pub const DEFAULT_MISSED_ADDITIONS_BUDGET: BucketSettings = BucketSettings {
        capacity: match NonZeroU32::new(20) {
            Some(burst) => burst,
            None => NonZeroU32::MIN,
        },
        refill_every: Duration::from_secs(180),
    };

    /// Wires the service to its ports, with [`Self::DEFAULT_MISSED_ADDITIONS_BUDGET`].
    #[must_use]
    pub fn new(
        projects: Arc<dyn ProjectRepository>,
        users: Arc<dyn UserRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventPublisher>,
    ) -> Self {
        let misses = Arc::new(UserBudget::new(Self::DEFAULT_MISSED_ADDITIONS_BUDGET));
        Self { projects, users, clock, events, misses }
    }

    /// The same service with another budget of additions that name no existing user, per
    /// user (a `refill_every` of zero removes the limit). Admins are never limited: they may
    /// list every user anyway.
    #[must_use]
    pub fn with_missed_additions_budget(self, budget: BucketSettings) -> Self {
        Self { misses: Arc::new(UserBudget::new(budget)), ..self }
    }

    /// Creates a project owned by (and with the single member) the actor.
    ///
    /// # Errors
    /// [`ProjectError::CreateForbidden`] for viewers, or [`ProjectError::Store`].
    pub async fn create(&self, actor: &Actor, cmd: CreateProject) -> Result<Project, ProjectError> {
        if policy::create_project(actor) != Decision::Allow {
            return Err(ProjectError::CreateForbidden);
        }
        let project = Project {
            id: ProjectId::new(),
            name: cmd.name,
            description: cmd.description.unwrap_or_default(),
            owner_id: actor.user_id,
            created_at: self.clock.now(),
        };
        let entry = self.projects.insert(&project, &EntryDraft::project_created(&project)).await?;
        self.publish(actor, Some(entry), EventKind::ProjectCreated(Box::new(project.clone())));
        Ok(project)
    }

    /// The project, if the actor may see it.
    ///
    /// # Errors
    /// [`ProjectError::NotFound`] (absent or invisible) or [`ProjectError::Store`].
    pub async fn get(&self, actor: &Actor, id: ProjectId) -> Result<Project, ProjectError> {
        let (project, is_member) = self.load(actor, id).await?;
        match policy::read_project(actor, is_member) {
            Decision::Allow => Ok(project),
            Decision::Forbidden | Decision::NotFound => Err(ProjectError::NotFound),
        }
    }

    /// One page of the projects the actor may see, oldest first.
    ///
    /// # Errors
    /// [`ProjectError::Store`].
    pub async fn list(
        &self,
        actor: &Actor,
        after: Option<ProjectId>,
        limit: PageLimit,
    ) -> Result<Page<Project, ProjectId>, ProjectError> {
        let visibility = policy::project_visibility(actor);
        let mut items = self.projects.list(visibility, after, limit.get() + 1).await?;
        let next_cursor = if items.len() > limit.get() {
            items.truncate(limit.get());
            items.last().map(|p| p.id)
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Renames, re-describes or hands over the project.
    ///
    /// # Errors
    /// [`ProjectError::NotFound`], [`ProjectError::Forbidden`] for members who are not the
    /// owner, [`ProjectError::OwnerMustBeMember`], or [`ProjectError::Store`].
    pub async fn update(
        &self,
        actor: &Actor,
        id: ProjectId,
        cmd: UpdateProject,
    ) -> Result<Project, ProjectError> {
        let mut project = self.manageable(actor, id).await?;
        let before = project.clone();
        if let Some(name) = cmd.name {
            project.name = name;
        }
        project.description = cmd
            .description
            .apply(Some(project.description))
            .unwrap_or_else(ProjectDescription::empty);
        if let Some(owner) = cmd.owner_id.filter(|o| *o != project.owner_id) {
            if !self.projects.is_member(id, owner).await? {
                return Err(ProjectError::OwnerMustBeMember);
            }
            project.owner_id = owner;
        }
        if project == before {
            return Ok(project);
        }
        let draft = EntryDraft::project(
            id,
            actor.user_id,
            self.clock.now(),
            ProjectChange::Updated(project_changes(&before, &project)),
        );
        let entry = match self.projects.update(&project, &draft).await {
            Ok(entry) => entry,
            Err(RepositoryError::NotFound(_)) => return Err(ProjectError::NotFound),
            Err(RepositoryError::MissingReference(_)) => {
                return Err(ProjectError::OwnerMustBeMember);
            }
            Err(e) => return Err(e.into()),
        };
        self.publish(actor, Some(entry), EventKind::ProjectUpdated(Box::new(project.clone())));
        Ok(project)
    }

    /// Deletes the project with all its tasks.
    ///
    /// # Errors
    /// [`ProjectError::NotFound`], [`ProjectError::Forbidden`], or [`ProjectError::Store`].
    pub async fn delete(&self, actor: &Actor, id: ProjectId) -> Result<(), ProjectError> {
        self.manageable(actor, id).await?;
        match self.projects.delete(id).await {
            Ok(()) => {}
            Err(RepositoryError::NotFound(_)) => return Err(ProjectError::NotFound),
            Err(e) => return Err(e.into()),
        }
        self.publish(actor, None, EventKind::ProjectDeleted(id));
        Ok(())
    }

    /// The members of a project the actor may see.
    ///
    /// # Errors
    /// [`ProjectError::NotFound`] or [`ProjectError::Store`].
    pub async fn members(
        &self,
        actor: &Actor,
        id: ProjectId,
    ) -> Result<Vec<ProjectMember>, ProjectError> {
        self.get(actor, id).await?;
        Ok(self.projects.members(id).await?)
    }

    /// Adds a member; adding an existing member changes nothing and succeeds (PUT is
    /// idempotent). Only those who may manage the project learn whether the user exists, and
    /// a non-admin's additions that find no user draw on a budget
    /// ([`Self::DEFAULT_MISSED_ADDITIONS_BUDGET`]): once it is spent, every addition is
    /// refused until it refills, whether the user exists or not.
    ///
    /// # Errors
    /// [`ProjectError::NotFound`], [`ProjectError::Forbidden`], [`ProjectError::UserNotFound`],
    /// [`ProjectError::Throttled`], or [`ProjectError::Store`].
    pub async fn add_member(
        &self,
        actor: &Actor,
        id: ProjectId,
        user: UserId,
    ) -> Result<(), ProjectError> {
        self.manageable(actor, id).await?;
        let found = self.counting_misses(actor, self.users.get(user)).await?;
        self.add(actor, id, found.id).await
    }

    /// Adds the user called `username`, so an owner can add a teammate who told them their
    /// username without knowing their id. Like [`ProjectService::add_member`] it is
    /// idempotent, and it answers an unknown username exactly as an unknown id.
    ///
    /// # Errors
    /// [`ProjectError::NotFound`], [`ProjectError::Forbidden`], [`ProjectError::UserNotFound`],
    /// [`ProjectError::Throttled`], or [`ProjectError::Store`].
    pub async fn add_member_by_username(
        &self,
        actor: &Actor,
        id: ProjectId,
        username: &Username,
    ) -> Result<(), ProjectError> {
        self.manageable(actor, id).await?;
        let found = self.counting_misses(actor, self.users.find_by_username(username)).await?;
        self.add(actor, id, found.id).await
    }

    /// Looks a user up for an addition, drawing on the actor's budget of misses. The token is
    /// taken before the lookup and given back when the user exists, so a spent budget answers
    /// the same refusal for existing and unknown users, and concurrent misses cannot overdraw it.
    async fn counting_misses(
        &self,
        actor: &Actor,
        lookup: impl std::future::Future<Output = Result<Option<crate::model::User>, RepositoryError>>,
    ) -> Result<crate::model::User, ProjectError> {
        let limited = actor.role != Role::Admin;
        if limited {
            self.misses
                .draw(actor.user_id, self.clock.now())
                .map_err(|retry_after| ProjectError::Throttled { retry_after })?;
        }
        let found = lookup.await;
        if limited && matches!(found, Ok(Some(_))) {
            self.misses.give_back(actor.user_id, self.clock.now());
        }
        found?.ok_or(ProjectError::UserNotFound)
    }

    /// The write shared by both ways of adding a member, once the caller may manage `id`.
    async fn add(&self, actor: &Actor, id: ProjectId, user: UserId) -> Result<(), ProjectError> {
        let added = match self.projects.add_member(id, user, self.clock.now()).await {
            Ok(added) => added,
            Err(RepositoryError::NotFound(_)) => return Err(ProjectError::NotFound),
            Err(RepositoryError::MissingReference(Entity::User)) => {
                return Err(ProjectError::UserNotFound);
            }
            Err(e) => return Err(e.into()),
        };
        if added {
            self.publish(actor, None, EventKind::MemberAdded { project_id: id, user_id: user });
        }
        Ok(())
    }

    /// Removes a member and un-assigns them from the project's tasks.
    ///
    /// # Errors
    /// [`ProjectError::NotFound`], [`ProjectError::Forbidden`],
    /// [`ProjectError::OwnerIsAlwaysMember`], [`ProjectError::MemberNotFound`], or
    /// [`ProjectError::Store`].
    pub async fn remove_member(
        &self,
        actor: &Actor,
        id: ProjectId,
        user: UserId,
    ) -> Result<(), ProjectError> {
        let project = self.manageable(actor, id).await?;
        if project.owner_id == user {
            return Err(ProjectError::OwnerIsAlwaysMember);
        }
        match self.projects.remove_member(id, user, actor.user_id, self.clock.now()).await {
            Ok(true) => {}
            Ok(false) => return Err(ProjectError::MemberNotFound),
            Err(RepositoryError::NotFound(_)) => return Err(ProjectError::NotFound),
            Err(e) => return Err(e.into()),
        }
        self.publish(actor, None, EventKind::MemberRemoved { project_id: id, user_id: user });
        Ok(())
    }

    async fn load(&self, actor: &Actor, id: ProjectId) -> Result<(Project, bool), ProjectError> {
        let project = self.projects.get(id).await?.ok_or(ProjectError::NotFound)?;
        let is_member = self.projects.is_member(id, actor.user_id).await?;
        Ok((project, is_member))
    }

    async fn manageable(&self, actor: &Actor, id: ProjectId) -> Result<Project, ProjectError> {
        let (project, is_member) = self.load(actor, id).await?;
        match policy::manage_project(actor, is_member, project.owner_id == actor.user_id) {
            Decision::Allow => Ok(project),
            Decision::Forbidden => Err(ProjectError::Forbidden),
            Decision::NotFound => Err(ProjectError::NotFound),
        }
    }

    fn publish(&self, actor: &Actor, entry: Option<EntryId>, kind: EventKind) {
        self.events.publish(&DomainEvent {
            actor: Some(actor.user_id),
            at: self.clock.now(),
            entry,
            kind,
        });
    }
}
