//! User-management use cases (registration and login come with the authentication services).

use std::sync::Arc;

use super::UserError;
use crate::events::{DomainEvent, EventKind};
use crate::id::UserId;
use crate::model::User;
use crate::policy::{self, Actor, Decision};
use crate::ports::Clock;
use crate::ports::{EventPublisher, RefreshTokenRepository, RepositoryError, UserRepository};
use crate::query::Page;
use crate::values::{PageLimit, Role, Username};

/// The user-management use cases.
#[derive(Debug, Clone)]
pub struct UserService {
    users: Arc<dyn UserRepository>,
    refresh_tokens: Arc<dyn RefreshTokenRepository>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventPublisher>,
}

impl UserService {
    /// Wires the service to its ports. `refresh_tokens` is there so that a role change ends
    /// the user's sessions (a demoted user loses the old rights at once, refresh tokens included).
    #[must_use]
    pub fn new(
        users: Arc<dyn UserRepository>,
        refresh_tokens: Arc<dyn RefreshTokenRepository>,
        clock: Arc<dyn Clock>,
        events: Arc<dyn EventPublisher>,
    ) -> Self {
        Self { users, refresh_tokens, clock, events }
    }

    /// The actor for an authenticated user id, with their *current* role; `None` when the
    /// account no longer exists. A driving adapter calls this on every request so that a demoted
    /// or deleted user loses rights at once, not when their token expires.
    ///
    /// # Errors
    /// [`UserError::Store`].
    pub async fn actor(&self, id: UserId) -> Result<Option<Actor>, UserError> {
        Ok(self.users.get(id).await?.map(|u| Actor::new(u.id, u.role)))
    }

    /// The actor's own account.
    ///
    /// # Errors
    /// [`UserError::NotFound`] when it was deleted meanwhile, or [`UserError::Store`].
    pub async fn me(&self, actor: &Actor) -> Result<User, UserError> {
        self.users.get(actor.user_id).await?.ok_or(UserError::NotFound)
    }

    /// One page of users by username (admins only).
    ///
    /// # Errors
    /// [`UserError::Forbidden`] or [`UserError::Store`].
    pub async fn list(
        &self,
        actor: &Actor,
        after: Option<&Username>,
        limit: PageLimit,
    ) -> Result<Page<User, Username>, UserError> {
        allow(policy::manage_users(actor))?;
        let mut items = self.users.list(after, limit.get() + 1).await?;
        let next_cursor = if items.len() > limit.get() {
            items.truncate(limit.get());
            items.last().map(|u| u.username.clone())
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Changes a user's role (admins only). The last admin cannot be demoted. Every refresh
    /// token of the user is revoked, so their next session starts with the new role; access
    /// tokens already issued carry the old role, but requests check the current one.
    ///
    /// # Errors
    /// [`UserError::Forbidden`], [`UserError::NotFound`], [`UserError::LastAdmin`], or
    /// [`UserError::Store`].
    pub async fn set_role(&self, actor: &Actor, id: UserId, role: Role) -> Result<User, UserError> {
        allow(policy::manage_users(actor))?;
        let mut user = self.users.get(id).await?.ok_or(UserError::NotFound)?;
        let from = user.role;
        if from == role {
            return Ok(user);
        }
        user.role = role;
        // Demoting an admin is checked and written in one step: two admins demoting each other
        // at the same moment must not leave none.
        let written = if from == Role::Admin {
            self.users.update_keeping_another_admin(&user).await
        } else {
            self.users.update(&user).await
        };
        match written {
            Ok(()) => {}
            Err(RepositoryError::NotFound(_)) => return Err(UserError::NotFound),
            Err(RepositoryError::LastAdmin) => return Err(UserError::LastAdmin),
            Err(e) => return Err(e.into()),
        }
        self.refresh_tokens.revoke_all_for_user(id, self.clock.now()).await?;
        self.publish(actor, EventKind::RoleChanged { user_id: id, from, to: role });
        Ok(user)
    }

    /// Deletes an account (admins only). The last admin cannot be deleted, nor a user who
    /// still owns projects.
    ///
    /// # Errors
    /// [`UserError::Forbidden`], [`UserError::NotFound`], [`UserError::LastAdmin`],
    /// [`UserError::OwnsProjects`], or [`UserError::Store`].
    pub async fn delete(&self, actor: &Actor, id: UserId) -> Result<(), UserError> {
        allow(policy::manage_users(actor))?;
        let user = self.users.get(id).await?.ok_or(UserError::NotFound)?;
        let now = self.clock.now();
        let deleted = if user.role == Role::Admin {
            self.users.delete_keeping_another_admin(id, now).await
        } else {
            self.users.delete(id, now).await
        };
        match deleted {
            Ok(()) => {}
            Err(RepositoryError::NotFound(_)) => return Err(UserError::NotFound),
            Err(RepositoryError::LastAdmin) => return Err(UserError::LastAdmin),
            Err(RepositoryError::InUse(_)) => return Err(UserError::OwnsProjects),
            Err(e) => return Err(e.into()),
        }
        self.publish(actor, EventKind::UserDeleted(id));
        Ok(())
    }

    fn publish(&self, actor: &Actor, kind: EventKind) {
        self.events.publish(&DomainEvent {
            actor: Some(actor.user_id),
            at: self.clock.now(),
            entry: None,
            kind,
        });
    }
}

fn allow(decision: Decision) -> Result<(), UserError> {
    match decision {
        Decision::Allow => Ok(()),
        Decision::Forbidden | Decision::NotFound => Err(UserError::Forbidden),
    }
}
