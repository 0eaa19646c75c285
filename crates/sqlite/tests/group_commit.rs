//! Group commit: 8 threads × 500 concurrent creates with `synchronous=FULL` (the default): every
//! write is stored, none fails (no `SQLITE_BUSY` reaches a caller), and the writer's counters
//! show group commit at work — fewer commits than writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{at_seconds, project, task, user};
use taskforge_domain::ports::TreeGuards;
use taskforge_domain::values::Role;

const THREADS: usize = 8;
const PER_THREAD: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_are_all_stored_with_fewer_commits_than_writes() {
    let t = support::TestDb::with(|c| c).await; // FULL: the durable default
    let owner = user("owner", Role::Editor);
    t.repos.users.insert(&owner).await.unwrap();
    let p = project("Busy", owner.id);
    t.repos
        .projects
        .insert(&p, &taskforge_domain::model::EntryDraft::project_created(&p))
        .await
        .unwrap();
    let before = t.db.stats();

    let threads: Vec<_> = (0..THREADS)
        .map(|n| {
            let repos = t.repos.clone();
            let (project_id, owner_id) = (p.id, owner.id);
            std::thread::spawn(move || {
                let runtime =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async move {
                    let mut creates = tokio::task::JoinSet::new();
                    for i in 0..PER_THREAD {
                        let repos = repos.clone();
                        let at = at_seconds(i64::try_from(n * PER_THREAD + i).unwrap());
                        let tk = task(project_id, &format!("thread {n} task {i}"), owner_id, at);
                        creates.spawn(async move {
                            repos
                                .tasks
                                .insert(
                                    &tk,
                                    &TreeGuards::none(),
                                    &taskforge_testkit::fixtures::created(&tk),
                                )
                                .await
                        });
                    }
                    let mut errors = Vec::new();
                    while let Some(result) = creates.join_next().await {
                        if let Err(e) = result.unwrap() {
                            errors.push(format!("{e:?}"));
                        }
                    }
                    errors
                })
            })
        })
        .collect();
    let errors: Vec<String> = threads.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert!(errors.is_empty(), "{} writes failed, e.g. {:?}", errors.len(), errors.first());

    let stored: i64 = t.raw().query_row("SELECT count(*) FROM tasks", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, i64::try_from(THREADS * PER_THREAD).unwrap());

    let after = t.db.stats();
    let writes = after.writes - before.writes;
    let commits = after.commits - before.commits;
    eprintln!("{writes} writes in {commits} commits (largest batch {})", after.largest_batch);
    assert_eq!(writes, u64::try_from(THREADS * PER_THREAD).unwrap());
    assert_eq!(after.failed_writes, 0);
    assert_eq!(after.failed_commits, 0);
    assert!(commits < writes, "no group commit: {commits} commits for {writes} writes");
}
