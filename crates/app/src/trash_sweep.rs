//! The trash's retention: subtrees trashed longer ago than `TASKFORGE_TRASH_RETENTION`
//! (default `30d`) are purged by a sweep at start and every ten minutes (`SWEEP_EVERY`), in
//! every instance (a purge is idempotent, so several instances sweeping one database only
//! repeat each other).

use std::time::Duration;

use taskforge_domain::ports::Clock;
use taskforge_domain::services::TrashService;

/// How often the sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// One sweep: purges what was trashed more than `retention` before `clock`'s now; returns
/// how many subtrees went.
///
/// # Errors
/// The store's error, as a message for the log.
pub async fn sweep(
    trash: &TrashService,
    clock: &dyn Clock,
    retention: Duration,
) -> Result<usize, String> {
    let micros = i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
    let before = clock.now().plus_micros(micros.saturating_neg());
    trash.purge_trashed_before(before).await.map_err(|e| e.to_string())
}

/// Runs [`sweep`] now and every [`SWEEP_EVERY`] until the server's runtime stops. Must be
/// called inside the server's (actix) runtime.
pub fn maintain(trash: TrashService, clock: std::sync::Arc<dyn Clock>, retention: Duration) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match sweep(&trash, clock.as_ref(), retention).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "purged expired trash"),
                Err(error) => tracing::warn!(%error, "the trash sweep failed; retrying later"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use taskforge_domain::events::NoEvents;
    use taskforge_domain::model::{EntryDraft, TaskChange};
    use taskforge_domain::services::TrashService;
    use taskforge_memory::MemoryDatabase;
    use taskforge_testkit::FixedClock;
    use taskforge_testkit::fixtures::{at, owner_and_project, stored_task, task};

    use super::*;

    #[tokio::test]
    async fn a_sweep_purges_exactly_what_is_older_than_the_retention() {
        let repos = MemoryDatabase::new().repositories();
        let (owner, project) = owner_and_project(&repos, "owner", "Project").await;
        let mut roots = Vec::new();
        for (title, seconds) in [("old", 0), ("young", 3_600)] {
            let t = stored_task(&repos, task(&project, &owner, title)).await;
            let draft = EntryDraft::task(&t, owner.id, at(seconds), TaskChange::Trashed);
            repos.tasks.delete(t.id, &draft).await.unwrap();
            roots.push(t.id);
        }
        let clock = Arc::new(FixedClock::new(at(2 * 86_400)));
        let trash = TrashService::new(
            repos.trash.clone(),
            repos.projects.clone(),
            repos.categories.clone(),
            clock.clone(),
            Arc::new(NoEvents),
        );
        // Two days after the first deletion, keeping 47 h 30 min: only the first is older.
        let retention = Duration::from_secs(47 * 3_600 + 1_800);

        assert_eq!(sweep(&trash, clock.as_ref(), retention).await.unwrap(), 1);
        assert_eq!(repos.trash.get(roots[0]).await.unwrap(), None);
        assert!(repos.trash.get(roots[1]).await.unwrap().is_some());

        // An hour later the second is as old, and goes too.
        clock.set(at(2 * 86_400 + 3_600));
        assert_eq!(sweep(&trash, clock.as_ref(), retention).await.unwrap(), 1);
        assert_eq!(repos.trash.get(roots[1]).await.unwrap(), None);
    }
}
