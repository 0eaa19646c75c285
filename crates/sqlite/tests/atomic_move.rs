//! A multi-row change that fails half-way leaves the database exactly as before.
//! A trigger, installed from outside the adapter, makes the move fail on the root — after its
//! subtasks have already been moved by an earlier statement of the same call. Every table is
//! then compared row by row with a snapshot taken before, and SQLite's integrity checks pass.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rusqlite::Connection;
use rusqlite::types::Value;
use support::{at_seconds, project, task, user};
use taskforge_domain::ports::{RepositoryError, TreeGuards};
use taskforge_domain::values::{Labels, Role};

const TABLES: [&str; 7] = [
    "SELECT * FROM users ORDER BY id",
    "SELECT * FROM projects ORDER BY id",
    "SELECT * FROM project_members ORDER BY project_id, user_id",
    "SELECT * FROM categories ORDER BY id",
    "SELECT rowid, * FROM tasks ORDER BY id",
    "SELECT * FROM task_labels ORDER BY task_id, label",
    "SELECT * FROM refresh_tokens ORDER BY digest",
];

fn snapshot(conn: &Connection) -> Vec<Vec<Vec<Value>>> {
    TABLES
        .iter()
        .map(|sql| {
            let mut stmt = conn.prepare(sql).unwrap();
            let width = stmt.column_count();
            stmt.query_map([], |row| (0..width).map(|i| row.get::<_, Value>(i)).collect())
                .unwrap()
                .collect::<Result<Vec<Vec<Value>>, _>>()
                .unwrap()
        })
        .collect()
}

fn assert_intact(conn: &Connection) {
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let dangling: i64 =
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(dangling, 0);
    // The full-text index still agrees with the tasks table.
    conn.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('integrity-check')", []).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_that_fails_half_way_leaves_the_database_exactly_as_before() {
    let t = support::TestDb::new().await;
    let owner = user("owner", Role::Editor);
    t.repos.users.insert(&owner).await.unwrap();
    let from = project("From", owner.id);
    let to = project("To", owner.id);
    t.repos
        .projects
        .insert(&from, &taskforge_domain::model::EntryDraft::project_created(&from))
        .await
        .unwrap();
    t.repos
        .projects
        .insert(&to, &taskforge_domain::model::EntryDraft::project_created(&to))
        .await
        .unwrap();

    let root = task(from.id, "root (fails)", owner.id, at_seconds(1));
    let mut child = task(from.id, "child", owner.id, at_seconds(2));
    child.parent_id = Some(root.id);
    child.labels = Labels::parse(&["ops", "backend"]).unwrap();
    let mut grandchild = task(from.id, "grandchild", owner.id, at_seconds(3));
    grandchild.parent_id = Some(child.id);
    let bystander = task(from.id, "bystander", owner.id, at_seconds(4));
    for tk in [&root, &child, &grandchild, &bystander] {
        t.repos
            .tasks
            .insert(tk, &TreeGuards::none(), &taskforge_testkit::fixtures::created(tk))
            .await
            .unwrap();
    }

    let conn = t.raw();
    conn.execute_batch(
        "CREATE TRIGGER fail_mid_move BEFORE UPDATE OF project_id ON tasks \
         WHEN old.title = 'root (fails)' \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    )
    .unwrap();
    let before = snapshot(&conn);

    let moved = t
        .repos
        .tasks
        .move_tree(
            root.id,
            to.id,
            root.version,
            at_seconds(10),
            &taskforge_testkit::fixtures::entry(root.id),
        )
        .await;
    assert!(matches!(moved, Err(RepositoryError::Other(_))), "{moved:?}");

    assert_eq!(snapshot(&conn), before, "the failed move changed the database");
    assert_intact(&conn);
    assert_eq!(t.repos.tasks.get(root.id).await.unwrap().unwrap(), root);

    // Without the fault, the same move goes through, whole.
    conn.execute_batch("DROP TRIGGER fail_mid_move").unwrap();
    let moved = t
        .repos
        .tasks
        .move_tree(
            root.id,
            to.id,
            root.version,
            at_seconds(10),
            &taskforge_testkit::fixtures::entry(root.id),
        )
        .await
        .unwrap()
        .0;
    assert_eq!(moved.iter().map(|m| m.id).collect::<Vec<_>>(), [root.id, child.id, grandchild.id]);
    assert!(moved.iter().all(|m| m.project_id == to.id && m.version.get() == 2));
    assert_eq!(t.repos.tasks.get(bystander.id).await.unwrap().unwrap(), bystander);
    assert_intact(&conn);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_does_not_fail_the_writes_committed_with_it() {
    let t = support::TestDb::new().await;
    let owner = user("owner", Role::Editor);
    t.repos.users.insert(&owner).await.unwrap();
    let p = project("P", owner.id);
    t.repos
        .projects
        .insert(&p, &taskforge_domain::model::EntryDraft::project_created(&p))
        .await
        .unwrap();
    let duplicate = task(p.id, "taken", owner.id, at_seconds(1));
    t.repos
        .tasks
        .insert(&duplicate, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&duplicate))
        .await
        .unwrap();

    // Many writes in flight at once, one of which fails: they share group commits.
    let mut writes = tokio::task::JoinSet::new();
    for i in 0..200 {
        let repos = t.repos.clone();
        let tk = if i == 100 {
            duplicate.clone()
        } else {
            task(p.id, &format!("task {i}"), owner.id, at_seconds(i))
        };
        writes.spawn(async move {
            repos
                .tasks
                .insert(&tk, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&tk))
                .await
        });
    }
    let mut failed = 0;
    while let Some(result) = writes.join_next().await {
        match result.unwrap() {
            Ok(_) => {}
            Err(RepositoryError::Duplicate(_)) => failed += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(failed, 1);
    let stored: i64 = t.raw().query_row("SELECT count(*) FROM tasks", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, 200);
    let stats = t.db.stats();
    assert_eq!(stats.failed_writes, 1);
    assert_eq!(stats.failed_commits, 0);
}
