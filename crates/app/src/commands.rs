//! The operator commands: `migrate`, `user create`, `user set-role`, `user list`,
//! `user reset-password`, `backup`, `restore`, `export`, `copy`.
//!
//! Only `migrate` (like `serve`) creates a database; the others open an existing one and
//! refuse a path where none is (`Store::open_existing`), so that a typo in
//! `TASKFORGE_DATABASE`, or a command run from another directory, fails loudly instead of
//! acting on a new, empty database. `restore` too: it replaces a database, never creates one.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, bail};
use taskforge_domain::User;
use taskforge_domain::UserId;
use taskforge_domain::commands::Register;
use taskforge_domain::policy::Actor;
use taskforge_domain::query::{TaskFilter, TaskSort};
use taskforge_domain::services::AuthError;
use taskforge_domain::values::{Password, Role, Username};
use taskforge_http::export::{ExportStream, registry};
use taskforge_sqlite::{OpenError, RestoreError, SqliteDatabase};

use crate::settings::{CommonSettings, DatabaseSetting};
use crate::wiring::{StartError, Store, export_service, operator_services};

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

/// The first line of standard input, without its line break: a password, never a flag.
fn password_from_stdin() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Password::parse(line.trim_end_matches(['\r', '\n'])).context("invalid password")
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
    let password = password_from_stdin()?;
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

/// How many accounts `user list` reads per page.
const USER_PAGE: usize = 200;

/// Prints every account as a table, ordered by username: username, role, e-mail, id and
/// creation time. Never the password hash.
///
/// # Errors
/// When the store fails.
pub async fn list_users(common: &CommonSettings) -> anyhow::Result<()> {
    let store = Store::open_existing(common).await?;
    let users = store.repositories().users;
    let mut all: Vec<User> = Vec::new();
    loop {
        let page = users.list(all.last().map(|u| &u.username), USER_PAGE).await?;
        let last_page = page.len() < USER_PAGE;
        all.extend(page);
        if last_page {
            break;
        }
    }
    print!("{}", user_table(&all));
    Ok(())
}

/// The table `user list` prints: a header, then one line per user, columns padded to their
/// widest value (usernames and roles are ASCII by their rules; e-mails are counted in
/// characters).
fn user_table(users: &[User]) -> String {
    const HEADER: [&str; 5] = ["USERNAME", "ROLE", "EMAIL", "ID", "CREATED"];
    let rows: Vec<[String; 5]> = users
        .iter()
        .map(|u| {
            [
                u.username.to_string(),
                u.role.to_string(),
                u.email.as_ref().map_or_else(|| String::from("-"), ToString::to_string),
                u.id.to_string(),
                u.created_at.to_string(),
            ]
        })
        .collect();
    let mut widths = HEADER.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut table = String::new();
    let mut line = |cells: [&str; 5]| {
        let padded: Vec<String> =
            cells.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        table.push_str(padded.join("  ").trim_end());
        table.push('\n');
    };
    line(HEADER);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    table
}

/// Sets a new password, read from the first line of standard input, for `username`, and
/// revokes the account's refresh tokens.
///
/// # Errors
/// When the username or password is refused, the user does not exist, or the store fails.
pub async fn reset_password(common: &CommonSettings, username: &str) -> anyhow::Result<()> {
    let username = Username::parse(username).context("invalid username")?;
    let store = Store::open_existing(common).await?;
    let password = password_from_stdin()?;
    let (auth, _) = operator_services(common, &store)?;
    match auth.reset_password(&username, &password).await {
        Ok(user) => {
            println!("the password of {} is reset; their sessions are ended", user.username);
            Ok(())
        }
        Err(AuthError::AccountNotFound) => bail!("no user called {username}"),
        Err(e) => Err(anyhow::Error::new(e).context("cannot reset the password")),
    }
}

/// Replaces the database with the backup at `backup` (see `SqliteDatabase::restore`): the
/// backup is checked on a copy first, and the swap is refused while any TaskForge process
/// has the database open.
///
/// # Errors
/// [`StartError::NoDatabase`] when there is no database to replace, [`StartError::Restore`]
/// when the database is in use, the backup cannot be used, or writing fails.
pub async fn restore(common: &CommonSettings, backup: &Path) -> anyhow::Result<()> {
    let target = match &common.database {
        DatabaseSetting::Sqlite(target) => target,
        DatabaseSetting::Memory => {
            bail!("TASKFORGE_DATABASE is memory: there is nothing to restore into")
        }
        DatabaseSetting::Postgres(_) => bail!(
            "TASKFORGE_DATABASE is PostgreSQL: restore it with PostgreSQL's own tools \
             (pg_restore), see docs/deployment.md"
        ),
    };
    let backup = std::path::absolute(backup)
        .with_context(|| format!("cannot resolve {}", backup.display()))?;
    let restored = SqliteDatabase::restore(&backup, target).await.map_err(|e| match e {
        RestoreError::Missing { path } => StartError::NoDatabase(OpenError::Missing { path }),
        other => StartError::Restore(other),
    })?;
    println!(
        "restored {} from {} (schema version {}, {} migrations applied to it)",
        target.display(),
        backup.display(),
        restored.schema_version,
        restored.migrations_applied
    );
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

#[cfg(test)]
mod tests {
    use taskforge_domain::values::Timestamp;
    use taskforge_domain::values::{EmailAddress, PasswordHash};

    use super::*;

    fn user(name: &str, role: Role, email: Option<&str>) -> User {
        User {
            id: UserId::from_bytes([7; 16]),
            username: Username::parse(name).unwrap(),
            email: email.map(|e| EmailAddress::parse(e).unwrap()),
            password_hash: PasswordHash::parse(
                "$pbkdf2-sha256$i=1000,l=32$c2FsdHNhbHQ$aGFzaGhhc2g",
            )
            .unwrap(),
            role,
            created_at: Timestamp::from_unix_micros(1_767_225_600_000_000).unwrap(),
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn the_user_table_aligns_its_columns_and_shows_no_hash() {
        let table = user_table(&[
            user("ada", Role::Admin, Some("ada@example.org")),
            user("bartholomew", Role::Viewer, None),
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "{table}");
        assert!(lines[0].starts_with("USERNAME     ROLE    EMAIL            ID"), "{table}");
        assert!(lines[1].starts_with("ada          admin   ada@example.org  07070707-"), "{table}");
        assert!(lines[2].starts_with("bartholomew  viewer  -                07070707-"), "{table}");
        assert!(lines[1].ends_with("2026-01-01T00:00:00Z"), "{table}");
        assert!(!table.contains("pbkdf2"), "{table}");
    }
}
