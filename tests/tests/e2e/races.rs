//! Races that used to break the rules of subtask trees and assignments, run against the real
//! binary for enough rounds to hit the window between a use case's checks and its write.
//!
//! Each test counts the rounds that broke a rule and fails naming the count, so a run shows
//! how often the race is lost (`cargo test -p taskforge-tests --test e2e races:: --
//! --nocapture` prints the count of every test). How the rules hold under racing requests on
//! every adapter: `adr/0012-tree-and-membership-rules-in-the-write.md`; the same races, made
//! deterministic at the use-case level: `task_races.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{Caller, Reply, TestApp, id_of, task_body};
use serde_json::{Value, json};

/// Rounds per race: each round arranges fresh tasks and runs the two racing requests once.
const ROUNDS: usize = 150;

/// Panics unless `reply` answered one of `statuses`.
#[track_caller]
fn assert_status_in(reply: &Reply, statuses: &[u16], round: usize) {
    assert!(statuses.contains(&reply.status), "round {round}: {}", reply.describe());
}

/// Fails when any round broke the rule, naming how many of how many did.
#[track_caller]
fn assert_no_broken_rounds(broken: &[String], rule: &str) {
    eprintln!("{rule}: broken in {}/{ROUNDS} rounds", broken.len());
    assert!(
        broken.is_empty(),
        "{rule}: broken in {}/{ROUNDS} rounds, e.g. {}",
        broken.len(),
        broken.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
    );
}

/// The project of `task` as `who` reads it, or `None` when it is gone or invisible to them.
async fn project_of(app: &TestApp, who: &Caller, task: &str) -> Option<String> {
    let reply = app.get_task(who, task).await;
    (reply.status == 200).then(|| reply.json()["project_id"].as_str().unwrap().to_owned())
}

/// The owner of the arranged projects creates a subtask of `parent` in `project` while she
/// moves `parent` to `target`. Returns the child's id when its create succeeded, and whether
/// the move did.
async fn create_child_while_moving_parent(
    app: &TestApp,
    project: &str,
    parent: &str,
    target: &str,
    round: usize,
) -> (Option<String>, bool) {
    let alice = &app.people.owner;
    let child = task_body(project, &json!({"parent_id": parent, "description": "confidential"}));
    let (created, moved) =
        tokio::join!(app.create_task(alice, &child), app.move_task(alice, parent, target));
    assert_status_in(&created, &[201, 409, 422], round);
    assert_status_in(&moved, &[200, 409], round);
    let child = (created.status == 201).then(|| id_of(&created.json()));
    (child, moved.status == 200)
}

#[tokio::test]
async fn a_subtask_created_while_its_parent_moves_always_ends_in_its_parents_project() {
    // Arrange: Alice owns P1 and P2.
    let app = TestApp::spawn().await;
    let alice = &app.people.owner;
    let (p1, p2) = (app.new_project().await, app.new_project().await);
    let mut broken = Vec::new();
    for round in 0..ROUNDS {
        let parent = id_of(&app.create_task(alice, &task_body(&p1, &json!({}))).await.expect(201));
        // Act
        let (child, _) = create_child_while_moving_parent(&app, &p1, &parent, &p2, round).await;
        // Assert: wherever each ended, the child is in its parent's project.
        let Some(child) = child else { continue };
        let child_project = project_of(&app, alice, &child).await.expect("the child exists");
        let parent_project = project_of(&app, alice, &parent).await.expect("the parent exists");
        if child_project != parent_project {
            broken.push(format!(
                "round {round}: child in {child_project}, parent in {parent_project}"
            ));
        }
    }
    assert_no_broken_rounds(&broken, "subtask in another project than its parent");
}

#[tokio::test]
async fn moving_a_task_never_carries_a_subtask_the_mover_could_not_see() {
    // Arrange: Alice owns P1 and P2; Carol is a member of P2 and owns P3, never of P1.
    let app = TestApp::spawn().await;
    let alice = &app.people.owner;
    let (p1, p2) = (app.new_project().await, app.new_project().await);
    let carol = app.new_user("editor").await;
    app.add_member(alice, &p2, &carol.id).await.expect(204);
    let p3 = id_of(&app.create_project(&carol, &json!({"name": "Carol's"})).await.expect(201));
    let (mut broken, mut carried_rounds) = (Vec::new(), 0);
    for round in 0..ROUNDS {
        let parent = id_of(&app.create_task(alice, &task_body(&p1, &json!({}))).await.expect(201));
        let (child, moved) = create_child_while_moving_parent(&app, &p1, &parent, &p2, round).await;
        let (Some(child), true) = (child, moved) else { continue };
        let hidden_before = project_of(&app, &carol, &child).await.is_none();
        // Act: Carol moves the task she can see into her own project.
        carried_rounds += 1;
        let carried = app.move_task(&carol, &parent, &p3).await;
        // Assert: nothing she could not see came along.
        assert_status_in(&carried, &[200], round);
        let listed =
            app.list_tasks(&carol, &format!("project_id={p3}&limit=200")).await.expect(200);
        let in_listing = listed["items"].as_array().unwrap().iter().any(|t| t["id"] == *child);
        if hidden_before && (project_of(&app, &carol, &child).await.is_some() || in_listing) {
            broken.push(format!("round {round}: Carol's move brought {child} into her project"));
        }
    }
    eprintln!("both racing requests succeeded, then Carol moved, in {carried_rounds} rounds");
    assert_no_broken_rounds(&broken, "a move carried a subtask the mover could not see");
}

#[tokio::test]
async fn deleting_a_task_never_deletes_a_task_of_another_project() {
    // Arrange: Alice owns P1 and P2.
    let app = TestApp::spawn().await;
    let alice = &app.people.owner;
    let (p1, p2) = (app.new_project().await, app.new_project().await);
    let (mut broken, mut deleted_rounds) = (Vec::new(), 0);
    for round in 0..ROUNDS {
        let parent = id_of(&app.create_task(alice, &task_body(&p1, &json!({}))).await.expect(201));
        let (child, moved) = create_child_while_moving_parent(&app, &p1, &parent, &p2, round).await;
        let (Some(child), true) = (child, moved) else { continue };
        deleted_rounds += 1;
        let child_project = project_of(&app, alice, &child).await.expect("the child exists");
        // Act: the task is deleted from the project it was moved to.
        app.delete_task(alice, &parent).await.expect(204);
        // Assert: a task of any other project is still there.
        let survived = project_of(&app, alice, &child).await.is_some();
        if child_project != p2 && !survived {
            broken
                .push(format!("round {round}: deleting in P2 deleted {child} of {child_project}"));
        }
    }
    eprintln!(
        "both racing requests succeeded, then the parent was deleted, in {deleted_rounds} rounds"
    );
    assert_no_broken_rounds(&broken, "a delete removed a task of another project");
}

/// How deep `task` sits (a root is 1), walking its parents as the owner sees them.
async fn depth_of(app: &TestApp, task: &str) -> usize {
    let mut depth = 1;
    let mut current = app.get_task(&app.people.owner, task).await.expect(200);
    while let Some(parent) = current["parent_id"].as_str() {
        depth += 1;
        assert!(depth <= 64, "a cycle above {task}");
        current = app.get_task(&app.people.owner, parent).await.expect(200);
    }
    depth
}

/// A chain of `len` tasks in `project`, each the parent of the next; their ids, root first.
async fn chain(app: &TestApp, project: &str, len: usize) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for _ in 0..len {
        let extra = ids.last().map_or_else(|| json!({}), |p| json!({"parent_id": p}));
        let task = app.create_task(&app.people.owner, &task_body(project, &extra)).await;
        ids.push(id_of(&task.expect(201)));
    }
    ids
}

#[tokio::test]
async fn a_subtask_created_while_its_ancestor_is_re_parented_never_lands_deeper_than_five() {
    // Arrange
    let app = TestApp::spawn().await;
    let alice = &app.people.owner;
    let project = app.new_project().await;
    let mut broken = Vec::new();
    for round in 0..ROUNDS {
        // A chain four deep (a new child of its last task sits at depth 5), and another root.
        let four = chain(&app, &project, 4).await;
        let other_root = chain(&app, &project, 1).await.remove(0);
        let child = task_body(&project, &json!({"parent_id": four[3]}));
        let under_other_root = json!({"parent_id": other_root});
        // Act: each request alone is allowed (depth 5); together they would make depth 6.
        let (created, reparented) = tokio::join!(
            app.create_task(alice, &child),
            app.update_task(alice, &four[0], &under_other_root),
        );
        // Assert
        assert_status_in(&created, &[201, 409, 422], round);
        assert_status_in(&reparented, &[200, 409, 422], round);
        if created.status == 201 {
            let depth = depth_of(&app, &id_of(&created.json())).await;
            if depth > 5 {
                let statuses = (created.status, reparented.status);
                broken.push(format!("round {round}: depth {depth}, answers {statuses:?}"));
            }
        }
    }
    assert_no_broken_rounds(&broken, "a subtask deeper than five levels");
}

/// The ways a task gets an assignee: created with one, patched to one, moved in with one.
#[derive(Debug, Clone, Copy)]
enum Assignment {
    Create,
    Patch,
    MoveIn,
}

#[tokio::test]
async fn a_member_removed_while_being_assigned_is_never_left_assigned() {
    // Arrange: Dave is a member of P (re-added every round) and of `home` throughout.
    let app = TestApp::spawn().await;
    let alice = &app.people.owner;
    let (project, home) = (app.new_project().await, app.new_project().await);
    let dave = app.new_user("editor").await;
    app.add_member(alice, &home, &dave.id).await.expect(204);
    let mut broken = Vec::new();
    for round in 0..ROUNDS {
        app.add_member(alice, &project, &dave.id).await.expect(204);
        let how = [Assignment::Create, Assignment::Patch, Assignment::MoveIn][round % 3];
        let assigned = json!({"assignee_id": dave.id});
        let existing = match how {
            Assignment::Create => None,
            Assignment::Patch => Some(task_body(&project, &json!({}))),
            Assignment::MoveIn => Some(task_body(&home, &assigned)),
        };
        let existing = match existing {
            Some(body) => Some(id_of(&app.create_task(alice, &body).await.expect(201))),
            None => None,
        };
        // Act: assign Dave in P while he is removed from P.
        let assign = async {
            match (how, &existing) {
                (Assignment::Create, _) => {
                    app.create_task(alice, &task_body(&project, &assigned)).await
                }
                (Assignment::Patch, Some(task)) => app.update_task(alice, task, &assigned).await,
                (Assignment::MoveIn, Some(task)) => app.move_task(alice, task, &project).await,
                _ => unreachable!("an existing task for a patch or a move"),
            }
        };
        let (assigned_reply, removed) =
            tokio::join!(assign, app.remove_member(alice, &project, &dave.id));
        // Assert: whoever won, no task of P is assigned to someone who is not a member.
        assert_status_in(&assigned_reply, &[200, 201, 409, 422], round);
        removed.expect(204);
        let query = format!("project_id={project}&assignee_id={}&limit=200", dave.id);
        let left: Vec<Value> =
            app.list_tasks(alice, &query).await.expect(200)["items"].as_array().unwrap().clone();
        if !left.is_empty() {
            broken.push(format!("round {round} ({how:?}): {} task(s) left assigned", left.len()));
        }
    }
    assert_no_broken_rounds(&broken, "a task assigned to a removed member");
}
