//! The command line. Every setting is a flag that falls back to a `TASKFORGE_*` variable and
//! then to a default (clap's `env`), so `--help` documents both.
//!
//! Values are taken as text here and parsed in [`crate::settings`], so that a bad value is
//! refused with one line naming the variable, not clap's multi-line usage text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// TaskForge, a self-hosted task-management service: serve its HTTP API, and look after its data
///
/// `taskforge serve` runs the JSON HTTP API — on 127.0.0.1:8080, with the data in
/// ./taskforge.db, by default; its OpenAPI document is served at /api/v1/openapi.json. The
/// other commands are the operator's: `migrate` creates or upgrades the database, `user`
/// manages accounts (such as the first admin), `backup` copies the database while the service
/// runs, `restore` puts a backup back while it is stopped, `export` writes every task to a
/// file. Every option can also be set with the
/// TASKFORGE_* variable named beside it.
//
// (`about` is deliberately not set in `#[command]`: without a value it would take the
// package's description, which describes the crate to Rust developers, as the headline.)
#[derive(Debug, Parser)]
#[command(name = "taskforge", version, propagate_version = true)]
pub struct Cli {
    /// SQLite database file, `postgres://user:password@host:port/dbname` (or `postgresql://`)
    /// for PostgreSQL, or `memory` for a throw-away in-memory store. Only `serve` and
    /// `migrate` create a missing file or schema; the other commands need an existing
    /// database. (Its value is never shown: a PostgreSQL URL may hold a password.)
    #[arg(
        long,
        env = "TASKFORGE_DATABASE",
        default_value = "taskforge.db",
        global = true,
        hide_env_values = true
    )]
    pub database: String,

    /// PostgreSQL only: the most connections this process opens. Every instance opens its
    /// own pool, so the server must allow instances × this many connections.
    #[arg(long, env = "TASKFORGE_DATABASE_POOL_SIZE", default_value = "16", global = true)]
    pub database_pool_size: String,

    /// Commit durability: `full` (an acknowledged write survives power loss) or `normal`.
    #[arg(long, env = "TASKFORGE_SYNCHRONOUS", default_value = "full", global = true)]
    pub synchronous: String,

    /// Log format: `pretty` or `json`. The level comes from `RUST_LOG` (default `info`).
    #[arg(long, env = "TASKFORGE_LOG", default_value = "pretty", global = true)]
    pub log: String,

    /// PBKDF2-HMAC-SHA256 iterations for new password hashes (OWASP 2023: 600,000).
    #[arg(long, env = "TASKFORGE_PBKDF2_ITERATIONS", default_value = "600000", global = true)]
    pub pbkdf2_iterations: String,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API until SIGTERM or SIGINT.
    Serve(Box<ServeArgs>),
    /// Create the database if it is missing, apply pending migrations, and exit.
    Migrate,
    /// Manage accounts.
    User {
        /// What to do with accounts.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Copy the database, consistently, to PATH while the service may be running.
    Backup {
        /// Where to write the copy (must not exist).
        path: PathBuf,
    },
    /// Replace the database with a backup, once a copy of the backup has passed SQLite's
    /// integrity checks and carries migrations this build knows. Refused (exit 4) while a
    /// server or another taskforge command has the database open: stop the service first.
    Restore {
        /// The backup to restore (a file written by `taskforge backup`); it is only read.
        path: PathBuf,
    },
    /// Export every task (as an administrator sees them) to a file, streamed page by page.
    Export {
        /// The file format: one of the API's export formats (`json`, `csv`, `xml`).
        #[arg(long, default_value = "csv")]
        format: String,
        /// Where to write the file (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Copy every user, category, project (with members) and task from one database into
    /// another, empty one — e.g. from SQLite to PostgreSQL. Sessions are not copied.
    Copy {
        /// The database to read: an SQLite file or a postgres:// URL, as TASKFORGE_DATABASE.
        #[arg(long)]
        from: String,
        /// The database to write, created and migrated if needed; it must hold no data.
        #[arg(long)]
        to: String,
    },
}

/// Account management.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account, e.g. the first admin, even when registration is closed.
    Create {
        /// Login name.
        #[arg(long)]
        username: String,
        /// `admin`, `editor` or `viewer`.
        #[arg(long)]
        role: String,
        /// Read the password from the first line of standard input (never from a flag, which
        /// would end up in the shell history and the process list).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Change an account's role.
    SetRole {
        /// Login name.
        username: String,
        /// `admin`, `editor` or `viewer`.
        role: String,
    },
    /// List every account as a table: username, role, e-mail, id and creation time (never a
    /// password hash).
    List,
    /// Set a new password for an account without the current one (for someone locked out),
    /// under the same rules as any new password; ends the account's sessions.
    ResetPassword {
        /// Login name.
        username: String,
        /// Read the new password from the first line of standard input (never from a flag).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// Settings of `taskforge serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on: `IP:PORT` or `HOST:PORT` (`localhost:8080`; a host name is
    /// resolved at start and served on each of its addresses). Port 0 picks a free port.
    #[arg(long, env = "TASKFORGE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// HS256 signing key for access tokens, at least 32 bytes. Default: random per process
    /// (every restart logs everyone out), with a warning.
    #[arg(long, env = "TASKFORGE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// File holding the signing key (alternative to TASKFORGE_JWT_SECRET, e.g. a mounted
    /// secret). Trailing newlines are ignored.
    #[arg(long, env = "TASKFORGE_JWT_SECRET_FILE", conflicts_with = "jwt_secret")]
    pub jwt_secret_file: Option<PathBuf>,

    /// The previous signing key, still accepted for verification during a key rotation.
    #[arg(long, env = "TASKFORGE_JWT_PREVIOUS_SECRET", hide_env_values = true)]
    pub jwt_previous_secret: Option<String>,

    /// Access-token lifetime, e.g. `15m`, `1h`.
    #[arg(long, env = "TASKFORGE_ACCESS_TTL", default_value = "15m")]
    pub access_ttl: String,

    /// Refresh-token lifetime, e.g. `30d`.
    #[arg(long, env = "TASKFORGE_REFRESH_TTL", default_value = "30d")]
    pub refresh_ttl: String,

    /// `open` (anyone may register) or `closed` (accounts via `taskforge user create`).
    #[arg(long, env = "TASKFORGE_REGISTRATION", default_value = "open")]
    pub registration: String,

    /// Role of self-registered users: `admin`, `editor` or `viewer`.
    #[arg(long, env = "TASKFORGE_DEFAULT_ROLE", default_value = "editor")]
    pub default_role: String,

    /// Self-registrations allowed per client address per hour (a burst of that many, then
    /// one every hour/N); `0` removes the limit, e.g. behind a proxy that limits already.
    #[arg(long, env = "TASKFORGE_REGISTRATIONS_PER_HOUR", default_value = "20")]
    pub registrations_per_hour: String,

    /// Categories each non-admin user may create per hour (a burst of that many, then one
    /// every hour/N); `0` removes the limit.
    #[arg(long, env = "TASKFORGE_CATEGORIES_PER_HOUR", default_value = "30")]
    pub categories_per_hour: String,

    /// Project members each non-admin user may try to add per hour that turn out not to
    /// exist (a burst of that many, then one every hour/N), so adding members cannot be used
    /// to enumerate usernames; `0` removes the limit.
    #[arg(long, env = "TASKFORGE_UNKNOWN_MEMBERS_PER_HOUR", default_value = "20")]
    pub unknown_members_per_hour: String,

    /// Comma-separated reverse proxies (addresses or networks, e.g. `10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client for the login and registration throttles. Default
    /// none: the TCP peer is the client.
    #[arg(long, env = "TASKFORGE_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Comma-separated origins allowed by CORS, e.g. `https://tasks.example.org`. Default none.
    #[arg(long, env = "TASKFORGE_CORS_ORIGINS", default_value = "")]
    pub cors_origins: String,

    /// The address people reach the service at, e.g. `https://tasks.example.org`. When it is
    /// https, the web interface's session cookie is marked `Secure`. Default none (plain HTTP,
    /// for development).
    #[arg(long, env = "TASKFORGE_PUBLIC_URL", default_value = "")]
    pub public_url: String,

    /// How long SIGTERM waits for in-flight requests before closing connections, e.g. `30s`.
    #[arg(long, env = "TASKFORGE_SHUTDOWN_GRACE", default_value = "30s")]
    pub shutdown_grace: String,

    /// How long deleted tasks stay in the trash before they are purged, e.g. `30d`.
    #[arg(long, env = "TASKFORGE_TRASH_RETENTION", default_value = "30d")]
    pub trash_retention: String,

    /// HTTP worker threads (1–512). Default: one per core.
    #[arg(long, env = "TASKFORGE_WORKERS")]
    pub workers: Option<String>,

    /// Time a new connection has to send its first request's line and headers, e.g. `5s`;
    /// a slower client gets 408 and is disconnected.
    #[arg(long, env = "TASKFORGE_CLIENT_REQUEST_TIMEOUT", default_value = "5s")]
    pub client_request_timeout: String,

    /// Time a request body has to arrive once the route reads it, e.g. `10s`; slower is a 408.
    #[arg(long, env = "TASKFORGE_CLIENT_BODY_TIMEOUT", default_value = "10s")]
    pub client_body_timeout: String,

    /// How long a connection being closed keeps discarding what the client still sends (so the
    /// client can read the answer first), e.g. `1s`.
    #[arg(long, env = "TASKFORGE_CLIENT_DISCONNECT_TIMEOUT", default_value = "1s")]
    pub client_disconnect_timeout: String,

    /// How long an idle connection stays open for another request, e.g. `5s`; `off` closes
    /// each connection after one response.
    #[arg(long, env = "TASKFORGE_KEEP_ALIVE", default_value = "5s")]
    pub keep_alive: String,

    /// Open connections served at once, over all workers; further ones wait in the backlog.
    #[arg(long, env = "TASKFORGE_MAX_CONNECTIONS", default_value = "10000")]
    pub max_connections: String,

    /// Connections the operating system queues before the server accepts them (capped by
    /// the kernel's `somaxconn`).
    #[arg(long, env = "TASKFORGE_BACKLOG", default_value = "1024")]
    pub backlog: String,

    /// How often an open event stream (`GET /api/v1/events`) gets a keep-alive comment,
    /// e.g. `15s`, so proxies do not close a quiet one.
    #[arg(long, env = "TASKFORGE_EVENTS_HEARTBEAT", default_value = "15s")]
    pub events_heartbeat: String,

    /// Event streams the process holds open at once; more are refused with 503.
    #[arg(long, env = "TASKFORGE_EVENTS_MAX_STREAMS", default_value = "10000")]
    pub events_max_streams: String,

    /// Event streams one user may hold open at once; more are refused with 429.
    #[arg(long, env = "TASKFORGE_EVENTS_MAX_STREAMS_PER_USER", default_value = "8")]
    pub events_max_streams_per_user: String,

    /// Events an event stream holds for a client that is not reading; when they are full the
    /// stream is closed (the client resumes with `Last-Event-ID`).
    #[arg(long, env = "TASKFORGE_EVENTS_QUEUE", default_value = "64")]
    pub events_queue: String,

    /// The longest an event stream stays open, e.g. `30m`, even when its access token lives
    /// longer; the client reconnects with `Last-Event-ID` and loses nothing.
    #[arg(long, env = "TASKFORGE_EVENTS_MAX_AGE", default_value = "30m")]
    pub events_max_age: String,
}
