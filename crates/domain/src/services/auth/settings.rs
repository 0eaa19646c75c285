//! How the authentication use cases are wired and configured.

use std::sync::Arc;
use std::time::Duration;

use super::throttle::ThrottleSettings;
use crate::ports::Clock;
use crate::ports::{
    EventPublisher, PasswordHasher, RefreshTokenMinter, RefreshTokenRepository, TokenIssuer,
    UserRepository,
};
use crate::values::Role;

/// Whether anyone may create an account (`TASKFORGE_REGISTRATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Registration {
    /// Anyone may register.
    #[default]
    Open,
    /// Only an operator creates accounts (`taskforge user create`).
    Closed,
}

/// The configuration of [`super::AuthService`]; the app crate fills it from its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthSettings {
    /// Open or closed registration. Default open.
    pub registration: Registration,
    /// The role of self-registered users. Default editor.
    pub default_role: Role,
    /// Access-token lifetime. Default 15 minutes.
    pub access_ttl: Duration,
    /// Refresh-token lifetime, renewed on every rotation. Default 30 days.
    pub refresh_ttl: Duration,
    /// Login throttling.
    pub throttle: ThrottleSettings,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            registration: Registration::Open,
            default_role: Role::Editor,
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 60 * 60),
            throttle: ThrottleSettings::default(),
        }
    }
}

/// The ports the authentication use cases need (dependency injection by constructor).
#[derive(Debug, Clone)]
pub struct AuthPorts {
    /// Accounts.
    pub users: Arc<dyn UserRepository>,
    /// Refresh tokens, by digest.
    pub refresh_tokens: Arc<dyn RefreshTokenRepository>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Access tokens.
    pub tokens: Arc<dyn TokenIssuer>,
    /// Refresh-token generation and digesting.
    pub minter: Arc<dyn RefreshTokenMinter>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Where authentication events go.
    pub events: Arc<dyn EventPublisher>,
}
