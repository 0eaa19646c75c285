//! [`AuthService`]: registration, login, refresh-token rotation, logout, password change.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::common_passwords::ensure_uncommon;
use super::errors::AuthError;
use super::settings::{AuthPorts, AuthSettings, Registration};
use super::throttle::{LoginThrottle, ThrottleError};
use crate::commands::{ChangePassword, Login, Register};
use crate::events::{DomainEvent, EventKind};
use crate::id::{TokenFamilyId, UserId};
use crate::model::User;
use crate::policy::Actor;
use crate::ports::{
    AccessToken, Claims, RefreshToken, RefreshTokenRecord, RepositoryError, ThrottleStore,
};
use crate::values::Timestamp;
use crate::values::{Password, PasswordHash, Role, Username};

/// Verified against a hash of itself when a login names no existing user (or gives a password
/// no account can have), so that every login costs exactly one password verification.
const DUMMY_PASSWORD: &str = "taskforge: no such user, same cost";

/// A logged-in session: what login and refresh hand back. `Debug` redacts both tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who logged in.
    pub user_id: UserId,
    /// Their role now (the access token's `role` claim).
    pub role: Role,
    /// The access token (`Authorization: Bearer …`).
    pub access_token: AccessToken,
    /// How long the access token lives (`expires_in`).
    pub expires_in: Duration,
    /// The refresh token: exchange it once for a new session.
    pub refresh_token: RefreshToken,
    /// When the refresh token stops working.
    pub refresh_expires_at: Timestamp,
}

/// The authentication use cases (a Facade over the user and refresh-token repositories, the
/// password hasher, the token issuer and the throttle).
///
/// Clones share one throttle, so clone the service rather than building it twice.
#[derive(Debug, Clone)]
pub struct AuthService {
    ports: AuthPorts,
    settings: AuthSettings,
    throttle: Arc<LoginThrottle>,
    /// A hash of [`DUMMY_PASSWORD`] with the hasher's current parameters, made once.
    dummy_hash: Arc<OnceLock<PasswordHash>>,
}

impl AuthService {
    /// Wires the service to its ports, with these settings.
    #[must_use]
    pub fn new(ports: AuthPorts, settings: AuthSettings) -> Self {
        Self {
            ports,
            throttle: Arc::new(LoginThrottle::new(settings.throttle)),
            settings,
            dummy_hash: Arc::new(OnceLock::new()),
        }
    }

    /// The same service drawing its login and registration budgets from `store` instead of
    /// this process's memory: every service over one shared store draws on one budget.
    #[must_use]
    pub fn with_throttle_store(self, store: Arc<dyn ThrottleStore>) -> Self {
        Self {
            throttle: Arc::new(LoginThrottle::with_store(self.settings.throttle, store)),
            ..self
        }
    }

    /// Prepares the dummy hash that logins of unknown users are verified against. Call it
    /// once at start-up; otherwise the first such login pays one extra hash.
    ///
    /// # Errors
    /// [`AuthError::Hash`].
    pub async fn warm_up(&self) -> Result<(), AuthError> {
        self.dummy_hash().await.map(drop)
    }

    /// Self-registration from `client` (the caller's address, `None` when unknown): a new
    /// account with the configured default role. Every attempt, accepted or not, draws on the
    /// address's registration budget, so neither mass sign-up nor probing for taken usernames
    /// scales.
    ///
    /// # Errors
    /// [`AuthError::RegistrationClosed`], [`AuthError::RegistrationThrottled`] when the
    /// address used up its budget, [`AuthError::InvalidPassword`] (too common — length was checked when the
    /// [`Password`] was parsed), [`AuthError::UsernameTaken`], [`AuthError::Hash`] or
    /// [`AuthError::Store`].
    pub async fn register(&self, cmd: Register, client: Option<IpAddr>) -> Result<User, AuthError> {
        if self.settings.registration == Registration::Closed {
            return Err(AuthError::RegistrationClosed);
        }
        self.throttle.attempt_registration(client, self.ports.clock.now()).await.map_err(|e| {
            match e {
                ThrottleError::Refused(retry_after) => {
                    AuthError::RegistrationThrottled { retry_after }
                }
                ThrottleError::Store(e) => AuthError::Store(e),
            }
        })?;
        let user = self.create(cmd, self.settings.default_role).await?;
        self.publish(Some(user.id), registered(&user));
        Ok(user)
    }

    /// An account created by the operator (`taskforge user create`) with any role, whether
    /// registration is open or not.
    ///
    /// # Errors
    /// As [`AuthService::register`], except [`AuthError::RegistrationClosed`].
    pub async fn create_account(&self, cmd: Register, role: Role) -> Result<User, AuthError> {
        let user = self.create(cmd, role).await?;
        self.publish(None, registered(&user));
        Ok(user)
    }

    /// Logs in: checks the throttle, verifies the password (one hash, whether or not the user
    /// exists), upgrades an outdated hash, and starts a new refresh-token family.
    ///
    /// # Errors
    /// [`AuthError::Throttled`] before any hashing when this username or address failed too
    /// often; [`AuthError::InvalidCredentials`] for an unknown user and a wrong password
    /// alike; [`AuthError::Hash`] (e.g. overloaded), [`AuthError::Token`],
    /// [`AuthError::Mint`] or [`AuthError::Store`].
    pub async fn login(&self, cmd: Login) -> Result<Session, AuthError> {
        let now = self.ports.clock.now();
        let ticket =
            self.throttle.attempt(&cmd.username, cmd.client, now).await.map_err(login_refusal)?;
        let user = match Username::parse(&cmd.username) {
            Ok(username) => self.ports.users.find_by_username(&username).await?,
            Err(_) => None,
        };
        let password = Password::parse(&cmd.password).ok();
        let matched =
            self.verify_once(user.as_ref().map(|u| &u.password_hash), password.as_ref()).await?;
        let (Some(user), Some(password), true) = (user, password, matched) else {
            let username = shown_username(&cmd.username);
            self.publish(None, EventKind::LoginFailed { username });
            return Err(AuthError::InvalidCredentials);
        };
        self.throttle.succeeded(ticket, now).await;
        self.upgrade_hash(&user, &password).await;
        let access_token = self.access_token(&user, now)?;
        let (refresh_token, record) =
            self.next_refresh_token(user.id, TokenFamilyId::new(), now)?;
        self.ports.refresh_tokens.insert(&record).await?;
        self.publish(Some(user.id), EventKind::LoginSucceeded(user.id));
        Ok(self.session(&user, access_token, refresh_token, &record))
    }

    /// Exchanges a refresh token for a new session (rotation). The user is read again, so the
    /// new access token carries their *current* role, and a deleted user gets nothing.
    ///
    /// # Errors
    /// - [`AuthError::RefreshTokenReused`] when the token was already exchanged (a replay, or
    ///   a stolen copy): its whole family is revoked, and `RefreshTokenReused` is published.
    /// - [`AuthError::InvalidRefreshToken`] when it is unknown or revoked, or the user is gone.
    /// - [`AuthError::RefreshTokenExpired`] when it is past its lifetime.
    /// - [`AuthError::Token`], [`AuthError::Mint`] or [`AuthError::Store`].
    pub async fn refresh(&self, presented: &RefreshToken) -> Result<Session, AuthError> {
        let now = self.ports.clock.now();
        let digest = self.ports.minter.digest(presented.expose_secret());
        let record =
            self.ports.refresh_tokens.find(&digest).await?.ok_or(AuthError::InvalidRefreshToken)?;
        if record.used_at.is_some() {
            return Err(self.reused(&record, now).await);
        }
        if record.revoked_at.is_some() {
            return Err(AuthError::InvalidRefreshToken);
        }
        if now >= record.expires_at {
            return Err(AuthError::RefreshTokenExpired);
        }
        let Some(user) = self.ports.users.get(record.user_id).await? else {
            self.ports.refresh_tokens.revoke_family(record.family, now).await?;
            return Err(AuthError::InvalidRefreshToken);
        };
        let access_token = self.access_token(&user, now)?;
        let (refresh_token, successor) = self.next_refresh_token(user.id, record.family, now)?;
        match self.ports.refresh_tokens.rotate(&digest, &successor).await {
            Ok(()) => Ok(self.session(&user, access_token, refresh_token, &successor)),
            // Someone exchanged the same token between our read and our rotation.
            Err(RepositoryError::TokenSpent) => Err(self.reused(&record, now).await),
            Err(RepositoryError::NotFound(_) | RepositoryError::MissingReference(_)) => {
                Err(AuthError::InvalidRefreshToken)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The caller behind a server-side session token (a refresh token held in a browser
    /// cookie by the web interface, ADR 0020), with their *current* role, or `None` when the
    /// token is unknown, used, revoked or expired, or its user is gone. Nothing is rotated:
    /// a page view must not change the cookie, so concurrent requests of one tab stay valid.
    ///
    /// # Errors
    /// [`AuthError::Store`].
    pub async fn session_actor(
        &self,
        presented: &RefreshToken,
    ) -> Result<Option<Actor>, AuthError> {
        let digest = self.ports.minter.digest(presented.expose_secret());
        let Some(record) = self.ports.refresh_tokens.find(&digest).await? else {
            return Ok(None);
        };
        if !record.is_active(self.ports.clock.now()) {
            return Ok(None);
        }
        Ok(self.ports.users.get(record.user_id).await?.map(|u| Actor::new(u.id, u.role)))
    }

    /// Ends the session the refresh token belongs to: revokes its whole family. Idempotent,
    /// and silent about tokens that are unknown or not the caller's (nothing to reveal).
    ///
    /// # Errors
    /// [`AuthError::Store`].
    pub async fn logout(&self, actor: &Actor, presented: &RefreshToken) -> Result<(), AuthError> {
        let digest = self.ports.minter.digest(presented.expose_secret());
        if let Some(record) = self.ports.refresh_tokens.find(&digest).await?
            && record.user_id == actor.user_id
        {
            let now = self.ports.clock.now();
            self.ports.refresh_tokens.revoke_family(record.family, now).await?;
        }
        Ok(())
    }

    /// Ends every session of the caller; returns how many refresh tokens were revoked.
    ///
    /// # Errors
    /// [`AuthError::Store`].
    pub async fn logout_everywhere(&self, actor: &Actor) -> Result<u64, AuthError> {
        let now = self.ports.clock.now();
        Ok(self.ports.refresh_tokens.revoke_all_for_user(actor.user_id, now).await?)
    }

    /// Changes the caller's password after checking the current one, then revokes every
    /// refresh token of the account (every other session must log in again). Access tokens
    /// already issued live out their short lifetime.
    ///
    /// # Errors
    /// [`AuthError::AccountNotFound`], [`AuthError::InvalidPassword`] (new password too
    /// common), [`AuthError::Throttled`], [`AuthError::WrongCurrentPassword`],
    /// [`AuthError::Hash`] or [`AuthError::Store`].
    pub async fn change_password(
        &self,
        actor: &Actor,
        cmd: ChangePassword,
    ) -> Result<(), AuthError> {
        let now = self.ports.clock.now();
        let mut user =
            self.ports.users.get(actor.user_id).await?.ok_or(AuthError::AccountNotFound)?;
        ensure_uncommon(&cmd.new_password)?;
        // Guessing the current password through this route is throttled like logging in.
        let ticket = self
            .throttle
            .attempt(user.username.as_str(), cmd.client, now)
            .await
            .map_err(login_refusal)?;
        let current = Password::parse(&cmd.current_password).ok();
        let matched = self.verify_once(Some(&user.password_hash), current.as_ref()).await?;
        if !(matched && current.is_some()) {
            return Err(AuthError::WrongCurrentPassword);
        }
        self.throttle.succeeded(ticket, now).await;
        user.password_hash = self.ports.hasher.hash(&cmd.new_password).await?;
        match self.ports.users.update(&user).await {
            Ok(()) => {}
            Err(RepositoryError::NotFound(_)) => return Err(AuthError::AccountNotFound),
            Err(e) => return Err(e.into()),
        }
        self.ports.refresh_tokens.revoke_all_for_user(user.id, now).await?;
        self.publish(Some(user.id), EventKind::PasswordChanged(user.id));
        Ok(())
    }

    /// Sets a new password for `username` without asking for the current one: the operator's
    /// reset (`taskforge user reset-password`) for someone who lost theirs. The rules of every
    /// new password apply (length was checked when the [`Password`] was parsed; a common one
    /// is refused here), and every refresh token of the user is revoked, so sessions end at
    /// their next refresh — as after a change through the API.
    ///
    /// # Errors
    /// [`AuthError::AccountNotFound`] for an unknown username, [`AuthError::InvalidPassword`]
    /// for a common password, [`AuthError::Hash`] or [`AuthError::Store`].
    pub async fn reset_password(
        &self,
        username: &Username,
        new_password: &Password,
    ) -> Result<User, AuthError> {
        ensure_uncommon(new_password)?;
        let mut user =
            self.ports.users.find_by_username(username).await?.ok_or(AuthError::AccountNotFound)?;
        user.password_hash = self.ports.hasher.hash(new_password).await?;
        match self.ports.users.update(&user).await {
            Ok(()) => {}
            Err(RepositoryError::NotFound(_)) => return Err(AuthError::AccountNotFound),
            Err(e) => return Err(e.into()),
        }
        self.ports.refresh_tokens.revoke_all_for_user(user.id, self.ports.clock.now()).await?;
        // No actor: the operator at the machine, not an account, made the change.
        self.publish(None, EventKind::PasswordChanged(user.id));
        Ok(user)
    }

    async fn create(&self, cmd: Register, role: Role) -> Result<User, AuthError> {
        ensure_uncommon(&cmd.password)?;
        // Checked before hashing so a taken name does not cost a hash; the insert below still
        // decides races.
        if self.ports.users.find_by_username(&cmd.username).await?.is_some() {
            return Err(AuthError::UsernameTaken);
        }
        let password_hash = self.ports.hasher.hash(&cmd.password).await?;
        let user = User {
            id: UserId::new(),
            username: cmd.username,
            email: cmd.email,
            password_hash,
            role,
            created_at: self.ports.clock.now(),
        };
        match self.ports.users.insert(&user).await {
            Ok(()) => Ok(user),
            Err(RepositoryError::Duplicate(_)) => Err(AuthError::UsernameTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// Exactly one password verification, whatever is missing: an unknown user is checked
    /// against the dummy hash, an impossible password (wrong length) as the dummy password.
    /// Timing therefore does not tell which usernames exist.
    async fn verify_once(
        &self,
        stored: Option<&PasswordHash>,
        password: Option<&Password>,
    ) -> Result<bool, AuthError> {
        let dummy_password;
        let password = match password {
            Some(p) => p,
            None => {
                dummy_password = Password::parse(DUMMY_PASSWORD)?;
                &dummy_password
            }
        };
        let dummy_hash;
        let stored = match stored {
            Some(h) => h,
            None => {
                dummy_hash = self.dummy_hash().await?;
                &dummy_hash
            }
        };
        Ok(self.ports.hasher.verify(password, stored).await?)
    }

    async fn dummy_hash(&self) -> Result<PasswordHash, AuthError> {
        if let Some(hash) = self.dummy_hash.get() {
            return Ok(hash.clone());
        }
        let hash = self.ports.hasher.hash(&Password::parse(DUMMY_PASSWORD)?).await?;
        // Two first callers may both hash; either result is as good.
        Ok(self.dummy_hash.get_or_init(|| hash).clone())
    }

    /// Stores a fresh hash when the stored one was made with weaker parameters. Best effort:
    /// the login has already succeeded, and the next one will try again.
    async fn upgrade_hash(&self, user: &User, password: &Password) {
        if !self.ports.hasher.needs_rehash(&user.password_hash) {
            return;
        }
        let Ok(new_hash) = self.ports.hasher.hash(password).await else {
            return;
        };
        // Re-read just before writing: `update` replaces the whole row, and a role or password
        // change made meanwhile must not be undone.
        if let Ok(Some(mut fresh)) = self.ports.users.get(user.id).await
            && fresh.password_hash == user.password_hash
        {
            fresh.password_hash = new_hash;
            let _ignored = self.ports.users.update(&fresh).await;
        }
    }

    fn access_token(&self, user: &User, now: Timestamp) -> Result<AccessToken, AuthError> {
        let claims = Claims {
            subject: user.id,
            role: user.role,
            issued_at: now,
            expires_at: now.plus_micros(micros(self.settings.access_ttl)),
            token_id: uuid::Uuid::now_v7(),
        };
        Ok(self.ports.tokens.issue(&claims)?)
    }

    fn next_refresh_token(
        &self,
        user_id: UserId,
        family: TokenFamilyId,
        now: Timestamp,
    ) -> Result<(RefreshToken, RefreshTokenRecord), AuthError> {
        let (token, digest) = self.ports.minter.mint()?;
        let record = RefreshTokenRecord {
            digest,
            user_id,
            family,
            issued_at: now,
            expires_at: now.plus_micros(micros(self.settings.refresh_ttl)),
            used_at: None,
            revoked_at: None,
        };
        Ok((token, record))
    }

    fn session(
        &self,
        user: &User,
        access_token: AccessToken,
        refresh_token: RefreshToken,
        record: &RefreshTokenRecord,
    ) -> Session {
        Session {
            user_id: user.id,
            role: user.role,
            access_token,
            expires_in: self.settings.access_ttl,
            refresh_token,
            refresh_expires_at: record.expires_at,
        }
    }

    /// A rotated token came back: revoke its family, report it, and refuse.
    async fn reused(&self, record: &RefreshTokenRecord, now: Timestamp) -> AuthError {
        if let Err(e) = self.ports.refresh_tokens.revoke_family(record.family, now).await {
            return e.into();
        }
        self.publish(None, EventKind::RefreshTokenReused(record.user_id));
        AuthError::RefreshTokenReused
    }

    fn publish(&self, actor: Option<UserId>, kind: EventKind) {
        self.ports.events.publish(&DomainEvent {
            actor,
            at: self.ports.clock.now(),
            entry: None,
            kind,
        });
    }
}

/// The username for a `LoginFailed` event: the parsed form when valid, otherwise the typed
/// text without control characters and cut to 64 characters (it goes into logs).
fn shown_username(raw: &str) -> String {
    Username::parse(raw).map_or_else(
        |_| raw.chars().filter(|c| !c.is_control()).take(64).collect(),
        |u| u.as_str().to_owned(),
    )
}

fn registered(user: &User) -> EventKind {
    EventKind::UserRegistered { user_id: user.id, username: user.username.clone(), role: user.role }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// A refused login (or password change) attempt as the service reports it.
fn login_refusal(e: ThrottleError) -> AuthError {
    match e {
        ThrottleError::Refused(retry_after) => AuthError::Throttled { retry_after },
        ThrottleError::Store(e) => AuthError::Store(e),
    }
}
