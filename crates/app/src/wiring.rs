//! The composition root: the one place that knows every concrete type. It opens the store,
//! builds the adapters and hands them to the use cases through their constructors (ADR 0001).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use taskforge_crypto::{
    AeadCursorSealer, HmacKey, JwtConfig, JwtIssuer, Pbkdf2Config, Pbkdf2Hasher,
    RandomRefreshTokens,
};
use taskforge_domain::events::EventBus;
use taskforge_domain::ports::EventSubscriber;
use taskforge_domain::ports::{
    EventPublisher, PasswordHasher, ProjectRepository, Repositories, TokenIssuer, UserRepository,
};
use taskforge_domain::services::{
    AuthPorts, AuthService, AuthSettings, BucketSettings, ChangeFeed, ExportService, ServicePorts,
    ServiceSettings, Services, ThrottleSettings, UserService,
};
use taskforge_domain::{CategoryId, Clock, SystemClock};
use taskforge_http::{NotReady, ReadinessCheck};
use taskforge_memory::MemoryDatabase;
use taskforge_postgres::{Change, PostgresConfig, PostgresDatabase};
use taskforge_sqlite::{OpenError, RestoreError, SqliteConfig, SqliteDatabase};

use crate::audit::AuditLog;
use crate::live_hub::LiveHub;
use crate::membership_cache::CachedMemberships;
use crate::settings::{CommonSettings, DatabaseSetting, JwtSecret, ServeSettings};
use crate::user_cache::CachedUsers;

/// How long a cached user (and so their role) may be served without re-reading it, for
/// changes the cache cannot see (another process, e.g. `taskforge user set-role`).
const USER_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);
/// The most users the role cache holds.
const USER_CACHE_CAPACITY: usize = 10_000;
/// How long a membership answer may be served without re-reading it (changes made by this
/// process drop it at once).
const MEMBERSHIP_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);
/// The most (project, user) answers the membership cache holds.
const MEMBERSHIP_CACHE_CAPACITY: usize = 100_000;

/// Why the process could not start, and the exit status that says so.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting is unusable (exit 2).
    #[error(transparent)]
    Config(#[from] crate::settings::ConfigError),
    /// The database could not be opened (exit 2 when the path is unusable, 3 when the file is
    /// not a usable TaskForge database).
    #[error(transparent)]
    Database(#[from] OpenError),
    /// The PostgreSQL database could not be reached, opened or migrated (exit 2 when the
    /// settings are unusable or the server cannot be reached, 3 when the database is not a
    /// usable TaskForge database). The message never holds the connection URL.
    #[error(transparent)]
    Postgres(#[from] taskforge_postgres::OpenError),
    /// An operator command found no TaskForge database where it was told to look (exit 3):
    /// it creates none, so that a mistyped path or another working directory cannot lead to
    /// an empty database and a backup, account or export of nothing.
    #[error(
        "{0}; only `taskforge serve` and `taskforge migrate` create a database \
         (is TASKFORGE_DATABASE right?)"
    )]
    NoDatabase(OpenError),
    /// An operator command found a PostgreSQL database without TaskForge schema (exit 3), and
    /// wrote nothing to it.
    #[error(
        "the PostgreSQL database holds no TaskForge schema; only `taskforge serve` and \
         `taskforge migrate` create one (is TASKFORGE_DATABASE right?)"
    )]
    NoPostgresSchema,
    /// `taskforge restore` refused or failed (exit 4 while the database is in use; 3 for a
    /// backup that cannot be used; 1 when writing the restored file failed). A missing
    /// database is reported as [`StartError::NoDatabase`].
    #[error(transparent)]
    Restore(#[from] RestoreError),
    /// Anything else (exit 1).
    #[error("{0}")]
    Other(String),
}

impl StartError {
    /// The process exit status for this failure.
    #[must_use]
    pub const fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_)
            | Self::Database(OpenError::CannotOpen { .. } | OpenError::Lock { .. })
            | Self::Postgres(
                taskforge_postgres::OpenError::Config(_)
                | taskforge_postgres::OpenError::Connect(_),
            ) => 2,
            // The database is held by another process: a restore, or (for `restore`) anyone.
            Self::Database(OpenError::Restoring { .. })
            | Self::Restore(RestoreError::InUse { .. }) => 4,
            Self::Restore(RestoreError::Io { .. }) | Self::Other(_) => 1,
            Self::Database(_)
            | Self::NoDatabase(_)
            | Self::Restore(_)
            | Self::Postgres(_)
            | Self::NoPostgresSchema => 3,
        }
    }
}

/// The data store chosen by `TASKFORGE_DATABASE`.
#[derive(Debug, Clone)]
pub enum Store {
    /// In memory: gone when the process ends.
    Memory(MemoryDatabase),
    /// An SQLite file.
    Sqlite(SqliteDatabase),
    /// A PostgreSQL database, which several processes may share.
    Postgres(PostgresDatabase),
}

impl Store {
    /// Opens the store the settings name, creating the SQLite file when it is missing (for
    /// `serve` and `migrate` only), and applying pending migrations.
    ///
    /// # Errors
    /// [`StartError::Config`] when the file's directory does not exist,
    /// [`StartError::Database`] when the file cannot be opened or migrated.
    pub async fn open(settings: &CommonSettings) -> Result<Self, StartError> {
        if let DatabaseSetting::Sqlite(path) = &settings.database {
            crate::settings::check_database_directory(path)?;
        }
        Self::open_with(settings, true).await
    }

    /// Opens the store the settings name only if it exists already as a TaskForge database
    /// (applying pending migrations, as `serve` would): for the operator commands, which
    /// must act on data that is there and never create a database.
    ///
    /// # Errors
    /// [`StartError::NoDatabase`] when the file is missing or holds no TaskForge schema
    /// (nothing is created or written then), [`StartError::Database`] when it cannot be
    /// opened or migrated.
    pub async fn open_existing(settings: &CommonSettings) -> Result<Self, StartError> {
        Self::open_with(settings, false).await.map_err(|e| match e {
            StartError::Database(e @ (OpenError::Missing { .. } | OpenError::NoSchema { .. })) => {
                StartError::NoDatabase(e)
            }
            StartError::Postgres(taskforge_postgres::OpenError::NoSchema) => {
                StartError::NoPostgresSchema
            }
            other => other,
        })
    }

    async fn open_with(settings: &CommonSettings, create: bool) -> Result<Self, StartError> {
        let store = match &settings.database {
            DatabaseSetting::Memory => Self::Memory(MemoryDatabase::new()),
            DatabaseSetting::Sqlite(path) => {
                let config = SqliteConfig::new(path)
                    .synchronous(settings.synchronous)
                    .create_if_missing(create);
                Self::Sqlite(SqliteDatabase::open(config).await?)
            }
            DatabaseSetting::Postgres(url) => {
                let config = PostgresConfig::new(url.expose())
                    .pool_size(settings.database_pool_size)
                    .create_if_missing(create);
                Self::Postgres(PostgresDatabase::open(config).await?)
            }
        };
        store.warn_about_newer_migrations();
        Ok(store)
    }

    /// Logs, once per start, the expand-only migrations of a newer build that the database
    /// has and this build does not know: a rollout is under way, and this build serves beside
    /// the newer one, ignoring what they added (adr/0023-expand-contract-and-mixed-version-rollouts.md).
    /// Readiness is not affected; the warning tells the operator to finish the rollout.
    fn warn_about_newer_migrations(&self) {
        let newer: Vec<String> = match self {
            Self::Memory(_) => Vec::new(),
            Self::Sqlite(db) => db
                .newer_migrations()
                .iter()
                .map(|m| format!("{} ({})", m.version, m.name))
                .collect(),
            Self::Postgres(db) => db
                .newer_migrations()
                .iter()
                .map(|m| format!("{} ({})", m.version, m.name))
                .collect(),
        };
        if !newer.is_empty() {
            tracing::warn!(
                migrations = %newer.join(", "),
                "the database has expand-only migrations from a newer taskforge that this build \
                 does not know: {}; this build runs beside the newer one until the rollout \
                 replaces it",
                newer.join(", ")
            );
        }
    }

    /// Where the data lives, for the log: `memory`, the database file's absolute path with
    /// symbolic links resolved, or the PostgreSQL URL with its password redacted.
    #[must_use]
    pub fn location(&self, settings: &CommonSettings) -> String {
        match self {
            Self::Memory(_) => String::from("memory"),
            Self::Postgres(_) => match &settings.database {
                DatabaseSetting::Postgres(url) => url.to_string(),
                _ => String::from("postgresql"),
            },
            Self::Sqlite(db) => std::fs::canonicalize(db.path())
                .unwrap_or_else(|_| db.path().to_path_buf())
                .display()
                .to_string(),
        }
    }

    /// Every repository port over this store.
    #[must_use]
    pub fn repositories(&self) -> Repositories {
        match self {
            Self::Memory(db) => db.repositories(),
            Self::Sqlite(db) => db.repositories(),
            Self::Postgres(db) => db.repositories(),
        }
    }
}

/// Ready when a primary-key read succeeds (migrations ran at open, or start-up failed) and
/// the store can write: after a write failed because the disk is full or the file read-only,
/// the SQLite store probes with a commit that changes nothing, until one succeeds (free while
/// writes succeed; see `SqliteDatabase::check_writable`). The reasons name no file or SQL:
/// `/ready` is public, the log has the cause.
#[derive(Debug)]
struct StoreReadiness {
    repositories: Repositories,
    store: Store,
}

#[async_trait]
impl ReadinessCheck for StoreReadiness {
    async fn check(&self) -> Result<(), NotReady> {
        if let Err(e) = self.repositories.categories.get(CategoryId::from_bytes([0; 16])).await {
            return Err(NotReady(format!("database unavailable: {e}")));
        }
        match &self.store {
            // Writes go to the server, whose own health the read above covers.
            Store::Memory(_) | Store::Postgres(_) => Ok(()),
            Store::Sqlite(db) => db.check_writable().await.map_err(|e| {
                tracing::warn!(error = ?e, "the database cannot write");
                NotReady(String::from("database cannot write"))
            }),
        }
    }
}

/// Everything `serve` needs, wired.
#[derive(Debug, Clone)]
pub struct Wired {
    /// The store.
    pub store: Store,
    /// The use cases the HTTP routes call.
    pub services: Services,
    /// Registration, login, refresh.
    pub auth: AuthService,
    /// Access-token verification.
    pub tokens: Arc<dyn TokenIssuer>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// `GET /ready`.
    pub readiness: Arc<dyn ReadinessCheck>,
    /// The live change feed the event streams read (the API's and the web interface's).
    pub feed: ChangeFeed,
    /// The hub behind the feed, closed at shutdown so open streams end.
    pub hub: LiveHub,
}

/// The event bus with the subscribers every process has.
fn event_bus() -> Arc<EventBus> {
    let bus = EventBus::new();
    bus.subscribe(Arc::new(AuditLog));
    Arc::new(bus)
}

/// The password hasher for these settings.
///
/// # Errors
/// [`StartError::Config`] when the iteration count is out of range.
pub fn hasher(common: &CommonSettings) -> Result<Arc<dyn PasswordHasher>, StartError> {
    let hasher = Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(common.pbkdf2_iterations))
        .map_err(|e| crate::settings::ConfigError {
            variable: "TASKFORGE_PBKDF2_ITERATIONS",
            message: e.to_string(),
        })?;
    Ok(Arc::new(hasher))
}

/// The token signing keys, and the cursor sealer keyed from the same secrets (ADR 0011), so
/// that every instance that accepts a token accepts the cursors issued with it.
fn signing_keys(serve: &ServeSettings) -> Result<(JwtConfig, AeadCursorSealer), StartError> {
    let config_error = |variable: &'static str, e: &dyn std::fmt::Display| {
        StartError::Config(crate::settings::ConfigError { variable, message: e.to_string() })
    };
    let (current, current_secret) = match &serve.jwt_secret {
        JwtSecret::Configured(secret) => (
            HmacKey::new("k1", secret.clone())
                .map_err(|e| config_error("TASKFORGE_JWT_SECRET", &e))?,
            secret.clone(),
        ),
        // The warning about the random key is `Application::build`'s, once start-up can no
        // longer fail: a refused start shows its error alone.
        JwtSecret::Ephemeral => {
            let mut secret = [0_u8; 32];
            getrandom::fill(&mut secret)
                .map_err(|e| StartError::Other(format!("cannot generate a signing key: {e}")))?;
            let key = HmacKey::new("ephemeral", secret.to_vec())
                .map_err(|e| config_error("TASKFORGE_JWT_SECRET", &e))?;
            (key, secret.to_vec())
        }
    };
    let mut config = JwtConfig::new("taskforge", "taskforge-api", current);
    if let Some(previous) = &serve.jwt_previous_secret {
        let key = HmacKey::new("k0", previous.clone())
            .map_err(|e| config_error("TASKFORGE_JWT_PREVIOUS_SECRET", &e))?;
        config = config.with_previous(key);
    }
    let cursors =
        AeadCursorSealer::from_secrets(&current_secret, serve.jwt_previous_secret.as_deref());
    Ok((config, cursors))
}

/// Wires the store, the adapters and the use cases for `serve`.
///
/// # Errors
/// [`StartError`] when a setting is unusable or the store cannot be opened.
pub async fn wire(common: &CommonSettings, serve: &ServeSettings) -> Result<Wired, StartError> {
    check_shared_store(common, serve)?;
    let store = Store::open(common).await?;
    let repositories = store.repositories();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let bus = event_bus();
    // Every request looks up the caller's current role (`docs/security.md`, "Tokens"): serve it
    // from memory, dropped on writes and on the events that change it, re-read after a short TTL.
    let cached_users = Arc::new(CachedUsers::new(
        Arc::clone(&repositories.users),
        USER_CACHE_TTL,
        USER_CACHE_CAPACITY,
    ));
    // Reading a task checks the caller's membership of its project: the same treatment.
    let cached_memberships = Arc::new(CachedMemberships::new(
        Arc::clone(&repositories.projects),
        MEMBERSHIP_CACHE_TTL,
        MEMBERSHIP_CACHE_CAPACITY,
    ));
    bus.subscribe(Arc::clone(&cached_memberships) as Arc<dyn EventSubscriber>);
    // Fans the change log's new entries out to the event streams (crates/app/src/live_hub.rs).
    let hub = LiveHub::new();
    // Instances sharing a PostgreSQL database drop what the others (or an operator command)
    // changed as soon as the database announces it, rather than when the TTL runs out.
    if let Store::Postgres(db) = &store {
        let (users, memberships) = (Arc::clone(&cached_users), Arc::clone(&cached_memberships));
        let hub = hub.clone();
        // Detached: it listens (reconnecting when the connection drops) for the life of the
        // process, on the runtime `serve` runs on.
        drop(db.watch_changes(Arc::new(move |change| match change {
            Change::User(id) => {
                users.invalidate(id);
                memberships.forget_user(id);
            }
            Change::Member(project, user) => memberships.forget_member(project, user),
            // Another instance (or this one) committed an entry: the streams read it.
            Change::History => hub.log_grew(),
            Change::Unknown => {
                users.clear();
                memberships.clear();
                hub.log_grew();
            }
        })));
    }
    bus.subscribe(Arc::clone(&cached_users) as Arc<dyn EventSubscriber>);
    // Last, after the caches dropped what the event changed: the streams it wakes decide
    // visibility on what is true now.
    bus.subscribe(Arc::new(hub.clone()) as Arc<dyn EventSubscriber>);
    let users: Arc<dyn UserRepository> = cached_users;
    let projects: Arc<dyn ProjectRepository> = cached_memberships;
    let events: Arc<dyn EventPublisher> = bus;
    let (signing, cursor_sealer) = signing_keys(serve)?;
    let tokens: Arc<dyn TokenIssuer> = Arc::new(
        JwtIssuer::new(signing, Arc::clone(&clock))
            .map_err(|e| StartError::Other(e.to_string()))?,
    );
    let feed = ChangeFeed::new(
        Arc::clone(&repositories.history),
        Arc::clone(&repositories.tasks),
        Arc::clone(&projects),
        Arc::clone(&users),
        Arc::new(hub.clone()),
    );
    // Detached, like the change listener: it follows the log for the life of the process.
    drop(
        hub.start(feed.clone())
            .await
            .map_err(|e| StartError::Other(format!("cannot read the change log: {e}")))?,
    );
    let repositories_behind_caches = Repositories { users, projects, ..repositories.clone() };
    let mut services = Services::new(
        ServicePorts {
            repositories: repositories_behind_caches,
            hasher: hasher(common)?,
            tokens: Arc::clone(&tokens),
            minter: Arc::new(RandomRefreshTokens::new()),
            cursor_sealer: Arc::new(cursor_sealer),
            clock: Arc::clone(&clock),
            events,
        },
        ServiceSettings {
            auth: AuthSettings {
                registration: serve.registration,
                default_role: serve.default_role,
                access_ttl: serve.access_ttl,
                refresh_ttl: serve.refresh_ttl,
                throttle: ThrottleSettings {
                    registrations_per_address: hourly_budget(serve.registrations_per_hour),
                    ..ThrottleSettings::default()
                },
            },
            missed_additions: hourly_budget(serve.unknown_members_per_hour),
            category_creations: hourly_budget(serve.categories_per_hour),
        },
    );
    // Instances sharing a PostgreSQL database draw on one login and registration budget kept
    // in it (ADR 0021); one process per SQLite file keeps the budget in its memory.
    if let Store::Postgres(db) = &store {
        services.auth = services.auth.with_throttle_store(db.throttle_store());
    }
    // A clone shares the login throttle with the services', which start-up warms.
    let auth = services.auth.clone();
    let readiness: Arc<dyn ReadinessCheck> =
        Arc::new(StoreReadiness { repositories, store: store.clone() });
    Ok(Wired { store, services, auth, tokens, clock, readiness, feed, hub })
}

/// A PostgreSQL database is meant to be shared by several instances, and each would draw a
/// signing key of its own without `TASKFORGE_JWT_SECRET`: a token (and a listing cursor)
/// issued by one would be refused by the others, and every restart would log everyone out.
/// Refused before anything is opened.
///
/// # Errors
/// [`StartError::Config`] naming `TASKFORGE_JWT_SECRET`.
pub fn check_shared_store(
    common: &CommonSettings,
    serve: &ServeSettings,
) -> Result<(), StartError> {
    if matches!(common.database, DatabaseSetting::Postgres(_))
        && serve.jwt_secret == JwtSecret::Ephemeral
    {
        return Err(StartError::Config(crate::settings::ConfigError {
            variable: "TASKFORGE_JWT_SECRET",
            message: String::from(
                "must be set when TASKFORGE_DATABASE is PostgreSQL: every instance sharing \
                 the database must sign and verify tokens with the same key",
            ),
        }));
    }
    Ok(())
}

/// The export use case over `repositories` (for `serve` and `taskforge export`).
#[must_use]
pub fn export_service(repositories: &Repositories) -> ExportService {
    ExportService::new(
        Arc::clone(&repositories.tasks),
        Arc::clone(&repositories.categories),
        Arc::clone(&repositories.users),
    )
}

/// The account use cases for the operator commands (`taskforge user …`), over `store`.
///
/// # Errors
/// [`StartError::Config`] when the hashing settings are unusable.
pub fn operator_services(
    common: &CommonSettings,
    store: &Store,
) -> Result<(AuthService, UserService), StartError> {
    let repositories = store.repositories();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let events: Arc<dyn EventPublisher> = event_bus();
    // Operator commands issue no access tokens; the issuer only satisfies the port.
    let mut secret = [0_u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| StartError::Other(format!("cannot generate a key: {e}")))?;
    let key =
        HmacKey::new("operator", secret.to_vec()).map_err(|e| StartError::Other(e.to_string()))?;
    let tokens: Arc<dyn TokenIssuer> = Arc::new(
        JwtIssuer::new(JwtConfig::new("taskforge", "taskforge-api", key), Arc::clone(&clock))
            .map_err(|e| StartError::Other(e.to_string()))?,
    );
    let auth = AuthService::new(
        AuthPorts {
            users: Arc::clone(&repositories.users),
            refresh_tokens: Arc::clone(&repositories.refresh_tokens),
            hasher: hasher(common)?,
            tokens,
            minter: Arc::new(RandomRefreshTokens::new()),
            clock: Arc::clone(&clock),
            events: Arc::clone(&events),
        },
        AuthSettings::default(),
    );
    let users = UserService::new(repositories.users, repositories.refresh_tokens, clock, events);
    Ok((auth, users))
}

/// `n` per hour as a bucket: a burst of `n`, then one more every hour/`n`. Unlimited
/// is a bucket that never empties (a zero refill interval disables it).
fn hourly_budget(per_hour: Option<std::num::NonZeroU32>) -> BucketSettings {
    const HOUR: Duration = Duration::from_secs(3600);
    match per_hour {
        Some(n) => BucketSettings::new(n.get(), HOUR / n.get()),
        None => BucketSettings::new(1, Duration::ZERO),
    }
}
