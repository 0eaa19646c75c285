//! The operator commands: `migrate`, `user create`, `user set-role`, `backup`, `export`,
//! `copy`.
//!
//! Only `migrate` (like `serve`) creates a database; the others open an existing one and
//! refuse a path where none is (`Store::open_existing`), so that a typo in
//! `TASKFORGE_DATABASE`, or a command run from another directory, fails loudly instead of
//! acting on a new, empty database.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, bail};
use taskforge_domain::UserId;
use taskforge_domain::commands::Register;
use taskforge_domain::policy::Actor;
use taskforge_domain::query::{TaskFilter, TaskSort};
use taskforge_domain::values::{Password, Role, Username};
use taskforge_http::export::{ExportStream, registry};

use crate::settings::{CommonSettings, DatabaseSetting};
use crate::wiring::{Store, export_service, operator_services};

/// Opens the database, which applies pending migrations, and reports.
///
/// # Errors
/// When the store cannot be opened or migrated.
pub async fn migrate(common: &CommonSettings) -> anyhow::Result<()> {
    if common.database == DatabaseSetting::Memory {
        bail!("TASKFORGE_DATABASE is memory: there is nothing to migrate");
    }
    let store = Store::open(common).await?;
    println!("database {} is up to date", store.location(common));
    Ok(())
}

/// Creates an account with the password read from the first line of standard input.
///
/// # Errors
/// When the username, role or password is refused, or the store fails.
pub async fn create_user(
    common: &CommonSettings,
    username: &str,
    role: Role,
) -> anyhow::Result<()> {
    let username = Username::parse(username).context("invalid --username")?;
    // Before the password is read: a wrong database path is refused without waiting for it.
    let store = Store::open_existing(common).await?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password =
        Password::parse(line.trim_end_matches(['\r', '\n'])).context("invalid password")?;
    let (auth, _) = operator_services(common, &store)?;
    let user = auth
        .create_account(Register { username, password, email: None }, role)
        .await
        .context("cannot create the account")?;
    println!("created {} ({}) with id {}", user.username, user.role, user.id);
    Ok(())
}

/// Changes an account's role, as an operator (with the same last-admin rule as the API).
///
/// # Errors
/// When the user does not exist, the change is refused, or the store fails.
pub async fn set_role(common: &CommonSettings, username: &str, role: Role) -> anyhow::Result<()> {
    let username = Username::parse(username).context("invalid username")?;
    let store = Store::open_existing(common).await?;
    let (_, users) = operator_services(common, &store)?;
    let user = store
        .repositories()
        .users
        .find_by_username(&username)
        .await?
        .with_context(|| format!("no user called {username}"))?;
    // The operator acts with admin rights; the nil id marks the action as the operator's.
    let operator = Actor::new(UserId::from_bytes([0; 16]), Role::Admin);
    let user = users.set_role(&operator, user.id, role).await.context("cannot change the role")?;
    println!("{} is now {}", user.username, user.role);
    Ok(())
}

/// Writes a consistent copy of the database to `path`.
///
/// # Errors
/// When the target exists or cannot be written, or the store fails.
pub async fn backup(common: &CommonSettings, path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        bail!("{} already exists; refusing to overwrite it", path.display());
    }
    let db = match Store::open_existing(common).await? {
        Store::Sqlite(db) => db,
        Store::Memory(_) => bail!("TASKFORGE_DATABASE is memory: there is nothing to back up"),
        Store::Postgres(_) => {
            bail!("TASKFORGE_DATABASE is PostgreSQL: back it up with pg_dump (docs/operations.md)")
        }
    };
    db.backup_to(path).await.with_context(|| format!("cannot back up to {}", path.display()))?;
    println!("backed up {} to {}", db.path().display(), path.display());
    Ok(())
}

/// Writes every task, as an administrator sees them, to `out` in `format` — the same
/// exporters as `GET /api/v1/tasks/export`, page by page, so memory stays flat.
///
/// # Errors
/// When the format is unknown, `out` exists or cannot be written, or the store fails.
pub async fn export(common: &CommonSettings, format: &str, out: &Path) -> anyhow::Result<()> {
    let format = registry::find(format).map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let store = Store::open_existing(common).await?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Every task of every project: private to the operator, like the database and backups.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(out)
        .with_context(|| format!("cannot create {} (it must not exist)", out.display()))?;
    let mut file = std::io::BufWriter::new(file);
    // The operator acts with admin rights: every task is visible.
    let operator = Actor::new(UserId::from_bytes([0; 16]), Role::Admin);
    let export = export_service(&store.repositories())
        .start(&operator, TaskFilter::default(), TaskSort::default())
        .await
        .context("cannot start the export")?;
    let mut chunks = ExportStream::new(export, format.exporter());
    while let Some(chunk) = chunks.next_chunk().await.context("export failed")? {
        file.write_all(&chunk).with_context(|| format!("cannot write {}", out.display()))?;
    }
    file.flush().with_context(|| format!("cannot write {}", out.display()))?;
    println!("exported {} tasks to {} ({})", chunks.rows(), out.display(), format.name);
    Ok(())
}

/// Copies everything from the database `from` into the empty database `to` (created and
/// migrated when missing, like `migrate`), through the repository ports.
///
/// # Errors
/// When either setting is unusable, the source has no TaskForge database, the destination is
/// not empty, or a read or write fails.
pub async fn copy(common: &CommonSettings, from: &str, to: &str) -> anyhow::Result<()> {
    let parse = |flag: &str, raw: &str| {
        crate::settings::parse_database(raw).map_err(|e| anyhow::anyhow!("{flag}: {}", e.message))
    };
    let source = CommonSettings { database: parse("--from", from)?, ..common.clone() };
    let target = CommonSettings { database: parse("--to", to)?, ..common.clone() };
    if source.database == DatabaseSetting::Memory || target.database == DatabaseSetting::Memory {
        bail!("copy works between databases: memory holds nothing to copy and keeps nothing");
    }
    if source.database == target.database {
        bail!("--from and --to name the same database");
    }
    let from_store = Store::open_existing(&source).await.context("--from")?;
    let to_store = Store::open(&target).await.context("--to")?;
    let copied = crate::copy::copy_all(&from_store.repositories(), &to_store.repositories())
        .await
        .context("copy failed")?;
    println!(
        "copied {} users, {} categories, {} projects ({} memberships) and {} tasks from {} to {}",
        copied.users,
        copied.categories,
        copied.projects,
        copied.memberships,
        copied.tasks,
        from_store.location(&source),
        to_store.location(&target),
    );
    Ok(())
}
