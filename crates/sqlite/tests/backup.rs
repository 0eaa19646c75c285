//! Online backup: a consistent copy is taken while writes continue, and the copy opens as a
//! TaskForge database of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{at_seconds, project, task, user};
use taskforge_domain::ports::TreeGuards;
use taskforge_domain::values::Role;
use taskforge_sqlite::{SqliteConfig, SqliteDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_is_a_sound_database() {
    let t = support::TestDb::new().await;
    let owner = user("owner", Role::Editor);
    t.repos.users.insert(&owner).await.unwrap();
    let p = project("Backed up", owner.id);
    t.repos
        .projects
        .insert(&p, &taskforge_domain::model::EntryDraft::project_created(&p))
        .await
        .unwrap();
    for i in 0..100 {
        let title = format!("early {i}");
        t.repos
            .tasks
            .insert(
                &task(p.id, &title, owner.id, at_seconds(i)),
                &TreeGuards::none(),
                &taskforge_testkit::fixtures::created(&task(p.id, &title, owner.id, at_seconds(i))),
            )
            .await
            .unwrap();
    }

    let writer = {
        let repos = t.repos.clone();
        tokio::spawn(async move {
            for i in 0..300 {
                let tk = task(p.id, &format!("during {i}"), owner.id, at_seconds(1_000 + i));
                repos
                    .tasks
                    .insert(&tk, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&tk))
                    .await
                    .unwrap();
            }
        })
    };
    let copy = t.dir.path().join("copy.db");
    t.db.backup_to(&copy).await.unwrap();
    writer.await.unwrap();

    let restored = SqliteDatabase::open(SqliteConfig::new(&copy)).await.unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let tasks: i64 = conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get(0)).unwrap();
    assert!((100..=400).contains(&tasks), "{tasks}");
    assert_eq!(restored.repositories().projects.get(p.id).await.unwrap().unwrap(), p);
}

#[tokio::test]
async fn a_backup_to_an_unwritable_place_is_an_error_not_a_panic() {
    let t = support::TestDb::new().await;
    let err = t.db.backup_to(t.dir.path().join("no/such/dir/copy.db")).await.unwrap_err();
    assert!(matches!(err, taskforge_domain::ports::RepositoryError::Unavailable(_)), "{err:?}");
}
