//! Change notifications between instances sharing one database.
//!
//! Migration 2 (`migrations/postgres/0002_change_notifications.sql`) makes every committed
//! change of a user or a project membership announce itself on [`CHANNEL`], whoever made it
//! (any instance, an operator command); migration 5 (`0005_history_notifications.sql`) does
//! the same for every new entry of the change log, which the live event streams of every
//! instance then read (adr/0025-live-event-streams.md). [`PostgresDatabase::watch_changes`] keeps one
//! dedicated connection `LISTEN`ing and hands each announcement to the caller, who drops what
//! it cached. Notifications are not queued for a connection that is not listening, so each
//! time the listening connection is (re)established — and whenever it is lost — the caller is
//! told [`Change::Unknown`]: anything may have changed meanwhile.
//! adr/0021-several-instances-on-one-postgresql.md gives the reasoning.

use std::sync::Arc;
use std::time::Duration;

use taskforge_domain::{ProjectId, UserId};
use tokio_postgres::{AsyncMessage, NoTls};
use uuid::Uuid;

use crate::PostgresDatabase;

/// The channel the triggers of migration 2 notify on.
pub const CHANNEL: &str = "taskforge_changes";

/// How long to wait before listening again after the connection was lost or refused.
const RETRY: Duration = Duration::from_millis(500);

/// What changed, as announced by the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A user's row changed or went away (role, password, deletion).
    User(UserId),
    /// A membership was added or removed.
    Member(ProjectId, UserId),
    /// An entry was added to the change log (migration 5): live streams have something new
    /// to read.
    History,
    /// Announcements may have been missed (listening started or stopped): forget everything.
    Unknown,
}

impl Change {
    /// The change a notification payload names; `None` for a payload this build does not
    /// know (a newer instance's), which is ignored.
    #[must_use]
    pub fn parse(payload: &str) -> Option<Self> {
        let mut parts = payload.split(':');
        let change = match (parts.next()?, parts.next(), parts.next()) {
            ("user", Some(user), None) => {
                Self::User(UserId::from_uuid(Uuid::parse_str(user).ok()?))
            }
            ("member", Some(project), Some(user)) => Self::Member(
                ProjectId::from_uuid(Uuid::parse_str(project).ok()?),
                UserId::from_uuid(Uuid::parse_str(user).ok()?),
            ),
            ("history", Some(id), None) if id.parse::<u64>().is_ok_and(|id| id > 0) => {
                Self::History
            }
            _ => return None,
        };
        parts.next().is_none().then_some(change)
    }
}

/// Called with every change; must be quick (it runs on the listening task).
pub type ChangeHandler = Arc<dyn Fn(Change) + Send + Sync>;

impl PostgresDatabase {
    /// Starts listening for changes on a dedicated connection (outside the pool) and calls
    /// `on_change` with each, until the returned task is aborted. Needs a Tokio runtime.
    #[must_use]
    pub fn watch_changes(&self, on_change: ChangeHandler) -> tokio::task::JoinHandle<()> {
        let pg = self.inner.pg.clone();
        tokio::spawn(async move {
            loop {
                listen(&pg, &on_change).await;
                on_change(Change::Unknown);
                tokio::time::sleep(RETRY).await;
            }
        })
    }
}

/// One listening session: returns when its connection is lost or cannot be made.
async fn listen(pg: &tokio_postgres::Config, on_change: &ChangeHandler) {
    let Ok((client, mut connection)) = pg.connect(NoTls).await else { return };
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel::<String>();
    // The connection delivers notifications only to whoever polls it: this task, which also
    // drives the client's own queries (the LISTEN below).
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if sender.send(n.payload().to_owned()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    // A channel name cannot be a bound parameter: this is `CHANNEL`, spelled out.
    if client.batch_execute("LISTEN taskforge_changes").await.is_ok() {
        // Whatever changed before the LISTEN took effect was not announced to us.
        on_change(Change::Unknown);
        while let Some(payload) = received.recv().await {
            if let Some(change) = Change::parse(&payload) {
                on_change(change);
            }
        }
    }
    driver.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_triggers_notify_on_the_channel_listened_to() {
        let migration = include_str!("../../../migrations/postgres/0002_change_notifications.sql");
        assert!(migration.contains(&format!("pg_notify('{CHANNEL}'")));
        assert_eq!(CHANNEL, "taskforge_changes", "listen() spells it out");
    }

    #[test]
    fn payloads_of_the_triggers_parse_and_others_are_ignored() {
        let user = Uuid::now_v7();
        let project = Uuid::now_v7();
        assert_eq!(
            Change::parse(&format!("user:{user}")),
            Some(Change::User(UserId::from_uuid(user)))
        );
        assert_eq!(
            Change::parse(&format!("member:{project}:{user}")),
            Some(Change::Member(ProjectId::from_uuid(project), UserId::from_uuid(user)))
        );
        assert_eq!(Change::parse("history:42"), Some(Change::History));
        let three_parts = format!("user:{user}:{user}");
        for other in [
            "",
            "user",
            "user:x",
            three_parts.as_str(),
            "task:1",
            "member:1",
            "history:0",
            "history:x",
        ] {
            assert_eq!(Change::parse(other), None, "{other}");
        }
    }
}
