//! A history entry and the change it records commit together or not at all (ADR 0024).
//!
//! The PostgreSQL twin of `crates/sqlite/tests/history_atomicity.rs`. Triggers installed from
//! outside the adapter inject the faults: one that refuses every
//! insert into `history` makes each recording write fail after its change was made in the
//! same transaction — the change must be gone; one that refuses changes of `tasks` makes the
//! change fail — no entry may appear.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use taskforge_domain::model::{
    Change, EntryDraft, FieldChange, HistoryEntry, ProjectChange, ProjectFieldChange, TaskChange,
};
use taskforge_domain::ports::{Repositories, TreeGuards};
use taskforge_domain::values::{ProjectName, TaskTitle};
use taskforge_domain::{Project, Task};
use taskforge_postgres::testing::ThrowawayDatabase;
use taskforge_postgres::{PostgresConfig, PostgresDatabase};
use taskforge_testkit::fixtures::{
    at, created, owner_and_project, stored_project, stored_task, task,
};
use tokio_postgres::{Client, NoTls};

async fn log(repos: &Repositories) -> Vec<HistoryEntry> {
    let first = taskforge_domain::model::EntryId::new(1).unwrap();
    let mut all: Vec<HistoryEntry> = repos.history.get(first).await.unwrap().into_iter().collect();
    all.extend(repos.history.after(first, usize::MAX).await.unwrap());
    all
}

fn renamed(task: &Task) -> (Task, EntryDraft) {
    let after = Task {
        title: TaskTitle::parse("Renamed").unwrap(),
        version: task.version.next(),
        ..task.clone()
    };
    let draft = EntryDraft::task(
        &after,
        after.created_by,
        at(5),
        TaskChange::Updated(taskforge_domain::model::task_changes(task, &after)),
    );
    (after, draft)
}

/// A fresh database, its repositories and a raw connection to it; `None` without a server.
async fn fresh() -> Option<(Repositories, Client)> {
    let throwaway = ThrowawayDatabase::create().await?;
    let (client, connection) = tokio_postgres::connect(throwaway.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    let db = PostgresDatabase::open(PostgresConfig::new(throwaway.url()).pool_size(2))
        .await
        .expect("the database opens");
    db.hold(throwaway);
    Some((db.repositories(), client))
}

const FAIL: &str = "CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS \
     $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_history_entry_fails_leaves_no_change() {
    let Some((repos, raw)) = fresh().await else { return };
    let repos = &repos;
    let (owner, project) = owner_and_project(repos, "owner", "Project").await;
    let other = stored_project(repos, taskforge_testkit::fixtures::project(&owner, "Other")).await;
    let stored = stored_task(repos, task(&project, &owner, "Task")).await;
    let before = log(repos).await;
    raw.batch_execute(FAIL).await.unwrap();
    raw.batch_execute(
        "CREATE TRIGGER fail_history BEFORE INSERT ON history \
         FOR EACH ROW EXECUTE FUNCTION injected_fault()",
    )
    .await
    .unwrap();

    let new = task(&project, &owner, "New");
    assert!(repos.tasks.insert(&new, &TreeGuards::none(), &created(&new)).await.is_err());
    assert_eq!(repos.tasks.get(new.id).await.unwrap(), None, "the insert was rolled back");

    let (after, draft) = renamed(&stored);
    assert!(repos.tasks.update(&after, stored.version, &TreeGuards::none(), &draft).await.is_err());
    let move_draft = EntryDraft {
        project_id: other.id,
        actor: owner.id,
        at: at(6),
        change: Change::Task {
            task_id: stored.id,
            change: TaskChange::Moved(FieldChange { before: project.id, after: other.id }),
        },
    };
    let moved =
        repos.tasks.move_tree(stored.id, other.id, stored.version, at(6), &move_draft).await;
    assert!(moved.is_err());
    let trash = EntryDraft::task(&stored, owner.id, at(7), TaskChange::Trashed);
    assert!(repos.tasks.delete(stored.id, &trash).await.is_err());
    assert_eq!(repos.tasks.get(stored.id).await.unwrap(), Some(stored.clone()), "task unchanged");

    let renamed_project =
        Project { name: ProjectName::parse("Renamed").unwrap(), ..project.clone() };
    let project_draft = EntryDraft::project(
        project.id,
        owner.id,
        at(8),
        ProjectChange::Updated(vec![ProjectFieldChange::Name(FieldChange {
            before: project.name.clone(),
            after: renamed_project.name.clone(),
        })]),
    );
    assert!(repos.projects.update(&renamed_project, &project_draft).await.is_err());
    assert_eq!(repos.projects.get(project.id).await.unwrap(), Some(project.clone()));
    let lone = taskforge_testkit::fixtures::project(&owner, "Lone");
    assert!(repos.projects.insert(&lone, &EntryDraft::project_created(&lone)).await.is_err());
    assert_eq!(repos.projects.get(lone.id).await.unwrap(), None);
    assert_eq!(log(repos).await, before, "and no entry");

    // Without the fault the same update goes through, with its entry.
    raw.batch_execute("DROP TRIGGER fail_history ON history").await.unwrap();
    let id = repos.tasks.update(&after, stored.version, &TreeGuards::none(), &draft).await.unwrap();
    assert_eq!(repos.tasks.get(stored.id).await.unwrap(), Some(after));
    assert_eq!(repos.history.get(id).await.unwrap(), Some(draft.recorded(id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_fails_records_no_entry() {
    let Some((repos, raw)) = fresh().await else { return };
    let repos = &repos;
    let (owner, project) = owner_and_project(repos, "owner", "Project").await;
    let stored = stored_task(repos, task(&project, &owner, "Task")).await;
    let before = log(repos).await;
    raw.batch_execute(FAIL).await.unwrap();
    raw.batch_execute(
        "CREATE TRIGGER fail_task_write BEFORE INSERT OR UPDATE ON tasks \
         FOR EACH ROW EXECUTE FUNCTION injected_fault()",
    )
    .await
    .unwrap();

    let (after, draft) = renamed(&stored);
    assert!(repos.tasks.update(&after, stored.version, &TreeGuards::none(), &draft).await.is_err());
    let new = task(&project, &owner, "New");
    assert!(repos.tasks.insert(&new, &TreeGuards::none(), &created(&new)).await.is_err());

    assert_eq!(log(repos).await, before, "no entry for a change that did not happen");
    assert_eq!(repos.tasks.get(stored.id).await.unwrap(), Some(stored));
}
