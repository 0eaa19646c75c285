//! Migration 0003 repairs what earlier builds could write under racing requests: a subtask in
//! another project than its parent becomes a root of its own project, and a task assigned to a
//! non-member is un-assigned — each with a new version — while every other row stays as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rusqlite::types::Value;
use rusqlite::{Connection, params};
use support::{BASE, project, user};
use taskforge_domain::values::Role;
use taskforge_domain::{ProjectId, TaskId, UserId};
use taskforge_sqlite::internals::{MIGRATIONS, migrate};
use taskforge_sqlite::{SqliteConfig, SqliteDatabase, Synchronous};

/// The migrations before the repair.
fn before_repair() -> &'static [taskforge_sqlite::internals::Migration] {
    let repair = MIGRATIONS.iter().position(|m| m.name.contains("repair_trees")).unwrap();
    &MIGRATIONS[..repair]
}

/// A task row as an older build could write it, bypassing today's checks.
fn raw_task(
    conn: &Connection,
    project: ProjectId,
    parent: Option<TaskId>,
    assignee: Option<UserId>,
    creator: UserId,
) -> TaskId {
    let id = TaskId::new();
    conn.execute(
        "INSERT INTO tasks (id, project_id, title, description, status, priority, category_id, \
         assignee_id, due_date, parent_id, is_public, created_by, created_at, updated_at, \
         version) VALUES (?, ?, 'legacy', '', 'todo', 2, NULL, ?, NULL, ?, 0, ?, ?, ?, 1)",
        params![
            id.to_bytes(),
            project.to_bytes(),
            assignee.map(|a| a.to_bytes()),
            parent.map(|p| p.to_bytes()),
            creator.to_bytes(),
            BASE,
            BASE,
        ],
    )
    .unwrap();
    id
}

fn row(conn: &Connection, id: TaskId) -> Vec<Value> {
    let mut stmt = conn.prepare("SELECT * FROM tasks WHERE id = ?").unwrap();
    let width = stmt.column_count();
    stmt.query_row([id.to_bytes()], |r| (0..width).map(|i| r.get::<_, Value>(i)).collect()).unwrap()
}

fn column<T: rusqlite::types::FromSql>(conn: &Connection, id: TaskId, name: &str) -> T {
    // The column names are this test's literals.
    let sql = match name {
        "parent_id" => "SELECT parent_id FROM tasks WHERE id = ?",
        "assignee_id" => "SELECT assignee_id FROM tasks WHERE id = ?",
        "version" => "SELECT version FROM tasks WHERE id = ?",
        "updated_at" => "SELECT updated_at FROM tasks WHERE id = ?",
        other => panic!("no column {other} in this test"),
    };
    conn.query_row(sql, [id.to_bytes()], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn the_repair_detaches_cross_project_subtasks_and_unassigns_non_members_and_nothing_else() {
    // Arrange: a database at the version before the repair, holding both kinds of damage.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.db");
    let mut conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    migrate(&mut conn, before_repair()).unwrap();
    let (alice, bob) = (user("alice", Role::Editor), user("bob", Role::Editor));
    for u in [&alice, &bob] {
        conn.execute(
            "INSERT INTO users (id, username, password_hash, role, created_at) \
             VALUES (?, ?, 'x', 'editor', 0)",
            params![u.id.to_bytes(), u.username.as_str()],
        )
        .unwrap();
    }
    let (p1, p2) = (project("P1", alice.id), project("P2", alice.id));
    for p in [&p1, &p2] {
        conn.execute(
            "INSERT INTO projects (id, name, description, owner_id, created_at) \
             VALUES (?, ?, '', ?, 0)",
            params![p.id.to_bytes(), p.name.as_str(), alice.id.to_bytes()],
        )
        .unwrap();
    }
    for (p, u) in [(&p1, &alice), (&p2, &alice), (&p1, &bob)] {
        conn.execute(
            "INSERT INTO project_members (project_id, user_id, added_at) VALUES (?, ?, 0)",
            params![p.id.to_bytes(), u.id.to_bytes()],
        )
        .unwrap();
    }
    let moved_parent = raw_task(&conn, p2.id, None, None, alice.id);
    let split_child = raw_task(&conn, p1.id, Some(moved_parent), None, alice.id);
    let grandchild = raw_task(&conn, p1.id, Some(split_child), None, alice.id);
    let root = raw_task(&conn, p1.id, None, Some(bob.id), alice.id);
    let healthy_child = raw_task(&conn, p1.id, Some(root), Some(alice.id), alice.id);
    let outside_assignee = raw_task(&conn, p2.id, None, Some(bob.id), alice.id);
    let untouched = [moved_parent, grandchild, root, healthy_child];
    let before: Vec<Vec<Value>> = untouched.iter().map(|&id| row(&conn, id)).collect();

    // Act
    let applied = migrate(&mut conn, MIGRATIONS).unwrap();

    // Assert
    assert_eq!(applied, MIGRATIONS.len() - before_repair().len());
    assert_eq!(column::<Option<Vec<u8>>>(&conn, split_child, "parent_id"), None);
    assert_eq!(column::<Option<Vec<u8>>>(&conn, outside_assignee, "assignee_id"), None);
    for repaired in [split_child, outside_assignee] {
        assert_eq!(column::<i64>(&conn, repaired, "version"), 2, "a repair is a change");
        assert!(column::<i64>(&conn, repaired, "updated_at") > BASE);
    }
    let after: Vec<Vec<Value>> = untouched.iter().map(|&id| row(&conn, id)).collect();
    assert_eq!(after, before, "sound rows are left exactly as they were");
    assert_eq!(
        column::<Option<Vec<u8>>>(&conn, grandchild, "parent_id"),
        Some(split_child.to_bytes().to_vec()),
        "the detached subtask keeps its own subtree"
    );

    // And the former parent's deletion no longer reaches into the other project.
    drop(conn);
    let db = SqliteDatabase::open(SqliteConfig::new(&path).synchronous(Synchronous::Normal))
        .await
        .unwrap();
    let repos = db.repositories();
    assert_eq!(
        repos
            .tasks
            .delete(moved_parent, &taskforge_testkit::fixtures::entry(moved_parent))
            .await
            .unwrap()
            .0,
        [moved_parent]
    );
    for kept in [split_child, grandchild] {
        let task = repos.tasks.get(kept).await.unwrap().expect("still there");
        assert_eq!(task.project_id, p1.id);
    }
}
