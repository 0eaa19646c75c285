//! Typed settings, parsed once from the command line and environment (see [`crate::cli`]).
//!
//! Every refusal is a [`ConfigError`](crate::settings::ConfigError) naming the variable, which
//! `main` prints as one line before exiting with status 2, so an operator sees what to fix
//! without reading a trace.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use taskforge_domain::services::Registration;
use taskforge_domain::values::Role;
use taskforge_sqlite::Synchronous;

use crate::cli::{Cli, ServeArgs};
use crate::duration::parse_duration;

mod bind;
mod events;
mod limits;

pub use bind::BindAddress;
pub use limits::{ServerLimits, default_workers};

/// A setting that cannot be used, with the variable (and flag) that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The environment variable, e.g. `TASKFORGE_JWT_SECRET`.
    pub variable: &'static str,
    /// What is wrong with it, without echoing secrets.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = self.variable.trim_start_matches("TASKFORGE_").to_lowercase().replace('_', "-");
        write!(f, "{} (--{flag}): {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn refuse(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { variable, message: message.into() }
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseSetting {
    /// A throw-away in-memory store (`TASKFORGE_DATABASE=memory`).
    Memory,
    /// An SQLite file, as an absolute path.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`TASKFORGE_DATABASE=postgres://…`).
    Postgres(PostgresUrl),
}

/// A PostgreSQL connection URL. It may hold a password, so `Debug` and `Display` show it
/// redacted; only [`PostgresUrl::expose`] gives the real thing, to the driver.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// The URL as configured, password included: for the driver only, never for a message.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({})", taskforge_postgres::redact_url(&self.0))
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&taskforge_postgres::redact_url(&self.0))
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, coloured on a terminal.
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Settings every command shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonSettings {
    /// The store.
    pub database: DatabaseSetting,
    /// Commit durability for SQLite.
    pub synchronous: Synchronous,
    /// Log format.
    pub log: LogFormat,
    /// PBKDF2 iterations for new hashes.
    pub pbkdf2_iterations: u32,
    /// PostgreSQL connection pool size.
    pub database_pool_size: usize,
}

/// The signing key of access tokens: configured, or generated for this process only.
#[derive(Clone, PartialEq, Eq)]
pub enum JwtSecret {
    /// From `TASKFORGE_JWT_SECRET` or its file.
    Configured(Vec<u8>),
    /// No key configured: a random one, so tokens die with the process.
    Ephemeral,
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Configured(_) => f.write_str("Configured(<redacted>)"),
            Self::Ephemeral => f.write_str("Ephemeral"),
        }
    }
}

/// Settings of `taskforge serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeSettings {
    /// Listen address, resolved.
    pub bind: BindAddress,
    /// Current signing key.
    pub jwt_secret: JwtSecret,
    /// Previous signing key, still accepted.
    pub jwt_previous_secret: Option<Vec<u8>>,
    /// Access-token lifetime.
    pub access_ttl: Duration,
    /// Refresh-token lifetime.
    pub refresh_ttl: Duration,
    /// Open or closed registration.
    pub registration: Registration,
    /// Role of self-registered users.
    pub default_role: Role,
    /// Self-registrations per client address per hour; `None`: unlimited.
    pub registrations_per_hour: Option<std::num::NonZeroU32>,
    /// Categories each non-admin user may create per hour; `None`: unlimited.
    pub categories_per_hour: Option<std::num::NonZeroU32>,
    /// Additions of non-existent members each non-admin user may try per hour; `None`:
    /// unlimited.
    pub unknown_members_per_hour: Option<std::num::NonZeroU32>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: taskforge_http::TrustedProxies,
    /// CORS allow-list.
    pub cors_origins: Vec<String>,
    /// Where people reach the service (`TASKFORGE_PUBLIC_URL`), empty when not set.
    pub public_url: String,
    /// Grace period for in-flight requests at shutdown.
    pub shutdown_grace: Duration,
    /// How long a trashed subtree is kept before the sweep purges it.
    pub trash_retention: Duration,
    /// HTTP worker threads (`None`: one per core).
    pub workers: Option<usize>,
    /// Connection limits: timeouts, keep-alive, how many at once.
    pub limits: ServerLimits,
    /// The live event streams: heartbeat, queue, how many at once.
    pub events: taskforge_http::EventStreamSettings,
}

/// The shortest signing key accepted (HS256 with a key shorter than the hash is weak).
pub const MIN_SECRET_BYTES: usize = 32;

impl CommonSettings {
    /// Parses the settings every command shares.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first bad variable.
    pub fn from_cli(cli: &Cli) -> Result<Self, ConfigError> {
        let database = parse_database(&cli.database)?;
        let database_pool_size = cli
            .database_pool_size
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                refuse(
                    "TASKFORGE_DATABASE_POOL_SIZE",
                    format!("{:?} is not a whole number from 1 to 1000", cli.database_pool_size),
                )
            })?;
        let synchronous = match cli.synchronous.as_str() {
            "full" => Synchronous::Full,
            "normal" => Synchronous::Normal,
            other => {
                return Err(refuse(
                    "TASKFORGE_SYNCHRONOUS",
                    format!("{other:?} is not one of full, normal"),
                ));
            }
        };
        let log = match cli.log.as_str() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(refuse(
                    "TASKFORGE_LOG",
                    format!("{other:?} is not one of pretty, json"),
                ));
            }
        };
        let pbkdf2_iterations = cli
            .pbkdf2_iterations
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= taskforge_crypto::Pbkdf2Config::MIN_ITERATIONS)
            .ok_or_else(|| {
                refuse(
                    "TASKFORGE_PBKDF2_ITERATIONS",
                    format!(
                        "{:?} is not a whole number of at least {}",
                        cli.pbkdf2_iterations,
                        taskforge_crypto::Pbkdf2Config::MIN_ITERATIONS
                    ),
                )
            })?;
        Ok(Self { database, synchronous, log, pbkdf2_iterations, database_pool_size })
    }
}

/// Where `raw` (a `TASKFORGE_DATABASE` value) says the data lives: `memory`, a PostgreSQL URL,
/// or an SQLite file's path, made absolute.
///
/// # Errors
/// A [`ConfigError`] naming `TASKFORGE_DATABASE` for an empty value, a URL of another scheme,
/// or a path that cannot be resolved.
pub fn parse_database(raw: &str) -> Result<DatabaseSetting, ConfigError> {
    Ok(match raw.trim() {
        "" => return Err(refuse("TASKFORGE_DATABASE", "must not be empty")),
        "memory" => DatabaseSetting::Memory,
        url if taskforge_postgres::is_postgres_url(url) => {
            DatabaseSetting::Postgres(PostgresUrl(url.to_owned()))
        }
        // A mistyped scheme (`postgress://…`) would otherwise be taken for a file path,
        // and every message naming that file would show the URL's password.
        url if url.contains("://") => {
            return Err(refuse(
                "TASKFORGE_DATABASE",
                format!(
                    "{} is a URL, but only postgres:// and postgresql:// URLs are \
                     supported (or give a file path, or memory)",
                    taskforge_postgres::redact_url(url)
                ),
            ));
        }
        // Absolute from here on, so that every message and log line names the one file
        // meant, whichever directory the command was started from.
        path => DatabaseSetting::Sqlite(std::path::absolute(path).map_err(|e| {
            let shown = taskforge_postgres::redact_url(path);
            refuse("TASKFORGE_DATABASE", format!("cannot resolve {shown:?}: {e}"))
        })?),
    })
}

/// A database file to be created must be creatable: its directory must exist. (Permissions
/// and corruption are reported by the store when it opens the file.)
///
/// # Errors
/// A [`ConfigError`] naming `TASKFORGE_DATABASE` and the missing directory.
pub fn check_database_directory(path: &std::path::Path) -> Result<(), ConfigError> {
    let directory = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => return Ok(()),
    };
    if directory.is_dir() {
        Ok(())
    } else {
        // Redacted: a mistyped PostgreSQL URL is taken for a path, and its "directory" would
        // carry the password.
        let shown = taskforge_postgres::redact_url(&directory.display().to_string());
        Err(refuse("TASKFORGE_DATABASE", format!("directory {shown} does not exist")))
    }
}

impl ServeSettings {
    /// True when people reach the service over https, so cookies must be `Secure`.
    #[must_use]
    pub fn public_url_is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Parses the settings of `taskforge serve`.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first bad variable.
    pub fn from_args(args: &ServeArgs) -> Result<Self, ConfigError> {
        let bind = BindAddress::parse(&args.bind)?;
        let jwt_secret = match (&args.jwt_secret, &args.jwt_secret_file) {
            (Some(secret), _) => {
                JwtSecret::Configured(check_secret("TASKFORGE_JWT_SECRET", secret)?)
            }
            (None, Some(file)) => {
                let text = std::fs::read_to_string(file).map_err(|e| {
                    refuse(
                        "TASKFORGE_JWT_SECRET_FILE",
                        format!("cannot read {}: {e}", file.display()),
                    )
                })?;
                let secret = text.trim_end_matches(['\r', '\n']);
                JwtSecret::Configured(check_secret("TASKFORGE_JWT_SECRET_FILE", secret)?)
            }
            (None, None) => JwtSecret::Ephemeral,
        };
        let jwt_previous_secret = args
            .jwt_previous_secret
            .as_deref()
            .map(|s| check_secret("TASKFORGE_JWT_PREVIOUS_SECRET", s))
            .transpose()?;
        let access_ttl =
            parse_duration(&args.access_ttl).map_err(|m| refuse("TASKFORGE_ACCESS_TTL", m))?;
        let refresh_ttl =
            parse_duration(&args.refresh_ttl).map_err(|m| refuse("TASKFORGE_REFRESH_TTL", m))?;
        if refresh_ttl <= access_ttl {
            return Err(refuse(
                "TASKFORGE_REFRESH_TTL",
                "must be longer than TASKFORGE_ACCESS_TTL",
            ));
        }
        let registration = match args.registration.as_str() {
            "open" => Registration::Open,
            "closed" => Registration::Closed,
            other => {
                return Err(refuse(
                    "TASKFORGE_REGISTRATION",
                    format!("{other:?} is not one of open, closed"),
                ));
            }
        };
        let default_role = Role::parse(&args.default_role).map_err(|_| {
            refuse(
                "TASKFORGE_DEFAULT_ROLE",
                format!("{:?} is not one of admin, editor, viewer", args.default_role),
            )
        })?;
        let registrations_per_hour =
            per_hour(&args.registrations_per_hour, "TASKFORGE_REGISTRATIONS_PER_HOUR")?;
        let categories_per_hour =
            per_hour(&args.categories_per_hour, "TASKFORGE_CATEGORIES_PER_HOUR")?;
        let unknown_members_per_hour =
            per_hour(&args.unknown_members_per_hour, "TASKFORGE_UNKNOWN_MEMBERS_PER_HOUR")?;
        let proxies: Vec<&str> =
            args.trusted_proxies.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        let trusted_proxies = taskforge_http::TrustedProxies::parse(&proxies).map_err(|e| {
            refuse(
                "TASKFORGE_TRUSTED_PROXIES",
                format!("{:?} is not an address or network like 10.0.0.0/8", e.0),
            )
        })?;
        let cors_origins: Vec<String> = args
            .cors_origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect();
        taskforge_http::HttpSettings::new(cors_origins.clone()).map_err(|e| {
            refuse(
                "TASKFORGE_CORS_ORIGINS",
                format!("{:?} is not an origin like https://tasks.example.org", e.0),
            )
        })?;
        let public_url = args.public_url.trim().to_owned();
        if !(public_url.is_empty()
            || public_url.starts_with("https://")
            || public_url.starts_with("http://"))
        {
            return Err(refuse("TASKFORGE_PUBLIC_URL", "must start with https:// or http://"));
        }
        let shutdown_grace = parse_duration(&args.shutdown_grace)
            .map_err(|m| refuse("TASKFORGE_SHUTDOWN_GRACE", m))?;
        let trash_retention = parse_duration(&args.trash_retention)
            .map_err(|m| refuse("TASKFORGE_TRASH_RETENTION", m))?;
        let workers = args.workers.as_deref().map(limits::parse_workers).transpose()?;
        let limits = ServerLimits::from_args(args)?;
        let events = events::from_args(args)?;
        Ok(Self {
            bind,
            jwt_secret,
            jwt_previous_secret,
            access_ttl,
            refresh_ttl,
            registration,
            default_role,
            registrations_per_hour,
            categories_per_hour,
            unknown_members_per_hour,
            trusted_proxies,
            cors_origins,
            public_url,
            shutdown_grace,
            trash_retention,
            workers,
            limits,
            events,
        })
    }
}

/// A budget per hour: 0 (no limit, `None`) up to one a millisecond.
fn per_hour(
    raw: &str,
    variable: &'static str,
) -> Result<Option<std::num::NonZeroU32>, ConfigError> {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= 3_600_000)
        .map(std::num::NonZeroU32::new)
        .ok_or_else(|| refuse(variable, format!("{raw:?} is not a number from 0 to 3600000")))
}

fn check_secret(variable: &'static str, secret: &str) -> Result<Vec<u8>, ConfigError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(refuse(
            variable,
            format!("must be at least {MIN_SECRET_BYTES} bytes, got {}", secret.len()),
        ));
    }
    Ok(secret.as_bytes().to_vec())
}

/// Parses a role given on the command line (`taskforge user …`).
///
/// # Errors
/// A [`ConfigError`] for anything but `admin`, `editor`, `viewer`.
pub fn parse_role(text: &str) -> Result<Role, ConfigError> {
    Role::parse(text).map_err(|_| ConfigError {
        variable: "ROLE",
        message: format!("{text:?} is not one of admin, editor, viewer"),
    })
}
