//! Three real `taskforge serve` processes on one PostgreSQL database behave as one service:
//! a write through any is read through the others; a demotion or a removal from a project
//! made through one is enforced by the others within a second (the database announces the
//! change, `crates/postgres/src/changes.rs`, and each instance drops what it cached); a
//! refresh token rotated on one and replayed on another revokes the family; the login and
//! registration budgets are one budget across the three (kept in the database,
//! `crates/postgres/src/throttle.rs`); and a SIGKILL of one under load loses no acknowledged
//! write while the others keep serving.
//! adr/0021-several-instances-on-one-postgresql.md gives the design. Each test gets a
//! throwaway database; without a server the tests print one loud SKIPPED line and pass,
//! unless `TASKFORGE_REQUIRE_POSTGRES=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use e2e::{Caller, TestApp, id_of, task_body, unique};
use serde_json::json;
use taskforge_postgres::testing::ThrowawayDatabase;

/// How soon a change made through one instance must be enforced by the others.
const PROPAGATION: Duration = Duration::from_secs(1);

/// Three instances on a fresh database, the first with the fixture people (valid on all).
async fn three_instances() -> Option<(ThrowawayDatabase, [TestApp; 3])> {
    three_instances_with(&[]).await
}

/// [`three_instances`], each with the test environment plus `env`.
async fn three_instances_with(env: &[(&str, &str)]) -> Option<(ThrowawayDatabase, [TestApp; 3])> {
    let db = ThrowawayDatabase::create().await?;
    let first = TestApp::spawn_on(Path::new(db.url()), env, None).await;
    let second = first.another_instance(env);
    let third = first.another_instance(env);
    Some((db, [first, second, third]))
}

/// How long until `refused` holds for a fresh answer of every app in `others`, polled every
/// 20 ms for up to five seconds (`None` if it never did).
async fn time_until_enforced<'a, F, Fut>(others: &[&'a TestApp], refused: F) -> Option<Duration>
where
    F: Fn(&'a TestApp) -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    let mut pending: Vec<&'a TestApp> = others.to_vec();
    while start.elapsed() < Duration::from_secs(5) {
        let mut still = Vec::new();
        for app in pending {
            if !refused(app).await {
                still.push(app);
            }
        }
        if still.is_empty() {
            return Some(start.elapsed());
        }
        pending = still;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn a_write_through_any_instance_is_read_through_the_others() {
    let Some((_db, apps)) = three_instances().await else { return };
    let project = apps[0].new_project().await;
    for (i, writer) in apps.iter().enumerate() {
        // Act
        let body = task_body(&project, &json!({"title": unique(&format!("via {i}"))}));
        let task = id_of(&writer.create_task(&writer.people.editor, &body).await.expect(201));
        // Assert
        for reader in &apps {
            let read = reader.get_task(&reader.people.viewer, &task).await.expect(200);
            assert_eq!(read["id"], task.as_str());
        }
    }
}

#[tokio::test]
async fn a_removal_from_a_project_through_one_instance_is_enforced_by_the_others_within_a_second() {
    let Some((_db, apps)) = three_instances().await else { return };
    let [first, second, third] = &apps;
    let project = first.new_project().await;
    let task = id_of(&first.new_task(&project, &json!({})).await);
    let viewer: &Caller = &first.people.viewer;
    // Arrange: the viewer's membership is fresh in the other instances' caches.
    for app in [second, third] {
        app.get_task(viewer, &task).await.expect(200);
    }
    // Act
    first.remove_member(&first.people.owner, &project, &viewer.id).await.expect(204);
    // Assert
    let took = time_until_enforced(&[second, third], |app| {
        let task = task.clone();
        async move { app.get_task(viewer, &task).await.status == 404 }
    })
    .await;
    eprintln!("removal enforced by the other instances after {took:?}");
    assert!(took.is_some_and(|t| t <= PROPAGATION), "removal enforced after {took:?}");
}

#[tokio::test]
async fn a_demotion_through_one_instance_is_enforced_by_the_others_within_a_second() {
    let Some((_db, apps)) = three_instances().await else { return };
    let [first, second, third] = &apps;
    let project = first.new_project().await;
    let editor: &Caller = &first.people.editor;
    // Arrange: the editor's role is fresh in the other instances' caches.
    for app in [second, third] {
        app.create_task(editor, &task_body(&project, &json!({}))).await.expect(201);
    }
    // Act
    first.set_role(&first.people.admin, &editor.id, "viewer").await.expect(200);
    // Assert: a viewer may not create tasks.
    let took = time_until_enforced(&[second, third], |app| {
        let body = task_body(&project, &json!({}));
        async move { app.create_task(editor, &body).await.status == 403 }
    })
    .await;
    eprintln!("demotion enforced by the other instances after {took:?}");
    assert!(took.is_some_and(|t| t <= PROPAGATION), "demotion enforced after {took:?}");
}

#[tokio::test]
async fn a_refresh_token_rotated_on_one_instance_and_replayed_on_another_revokes_the_family() {
    let Some((_db, apps)) = three_instances().await else { return };
    let [first, second, third] = &apps;
    let old = first.people.viewer.refresh_token.clone().expect("a refresh token");
    // Act: rotated on the second, the old one replayed on the third.
    let rotated = second.refresh(&old).await.expect(200);
    let new = rotated["refresh_token"].as_str().expect("a new refresh token").to_owned();
    let replayed = third.refresh(&old).await;
    // Assert: the replay is refused, and so is the token it was rotated into, on any instance.
    assert_eq!(replayed.status, 401, "{}", replayed.describe());
    let after = first.refresh(&new).await;
    assert_eq!(after.status, 401, "the family is revoked: {}", after.describe());
}

/// The failed logins one client may make at one account before it is throttled (the
/// default per-username-and-address budget, `ThrottleSettings::default`).
const LOGIN_BUDGET: usize = 5;

#[tokio::test]
async fn failed_logins_spread_over_three_instances_draw_on_one_budget() {
    let Some((_db, apps)) = three_instances().await else { return };
    let victim = &apps[0].people.outsider;
    // Act: the budget's worth of wrong passwords, round-robin over the three instances.
    for i in 0..LOGIN_BUDGET {
        let reply = apps[i % 3].login(&victim.username, "a wrong pass phrase").await;
        assert_eq!(
            reply.status,
            401,
            "failure {} on instance {}: {}",
            i + 1,
            i % 3,
            reply.describe()
        );
    }
    // Assert: the next attempt is throttled on every instance, the right password included
    // (one budget, not one per instance: each instance alone has seen at most two failures).
    for (i, app) in apps.iter().enumerate() {
        let reply = app.login(&victim.username, &victim.password).await;
        let retry_after: u64 =
            reply.header("retry-after").expect("Retry-After").parse().expect("whole seconds");
        assert!((1..=60).contains(&retry_after), "instance {i}: Retry-After {retry_after}");
        reply.expect(429);
    }
}

#[tokio::test]
async fn registrations_spread_over_three_instances_draw_on_one_budget() {
    // Arrange: three registrations per hour per address, on every instance.
    let Some((_db, apps)) =
        three_instances_with(&[("TASKFORGE_REGISTRATIONS_PER_HOUR", "3")]).await
    else {
        return;
    };
    // Act: the budget's worth of registrations, one through each instance.
    for app in &apps {
        let username = unique("shared-budget");
        let password = format!("{username} long pass phrase");
        app.register(&json!({"username": username, "password": password})).await.expect(201);
    }
    // Assert: no instance takes another one, and none was created.
    for (i, app) in apps.iter().enumerate() {
        let username = unique("over-budget");
        let password = format!("{username} long pass phrase");
        let reply = app.register(&json!({"username": username, "password": password})).await;
        assert_eq!(reply.status, 429, "instance {i}: {}", reply.describe());
        app.login(&username, &password).await.expect(401);
    }
}

#[tokio::test]
async fn a_sigkill_of_one_instance_under_load_loses_no_acknowledged_write_and_the_others_serve_on()
{
    let Some((_db, apps)) = three_instances().await else { return };
    let apps = Arc::new(apps);
    let project = apps[0].new_project().await;
    let killed = Arc::new(AtomicBool::new(false));
    // Act: eight clients create tasks round-robin over the three instances; after 1.5 s the
    // third is killed, and the load goes on for 1.5 s more.
    let mut clients = Vec::new();
    for client in 0..8 {
        let (apps, project, killed) = (Arc::clone(&apps), project.clone(), Arc::clone(&killed));
        clients.push(tokio::spawn(async move {
            let (mut acknowledged, mut failed_on_survivors) = (Vec::new(), Vec::new());
            let start = Instant::now();
            let mut i = client;
            while start.elapsed() < Duration::from_secs(3) {
                let app = &apps[i % 3];
                let to_killed = i % 3 == 2;
                i += 1;
                let body = task_body(&project, &json!({"title": unique("load")}));
                let result = app
                    .call(reqwest::Method::POST, "/api/v1/tasks")
                    .by(&app.people.editor)
                    .json(&body)
                    .try_send()
                    .await;
                match result {
                    Ok(reply) if reply.status == 201 => acknowledged.push(id_of(&reply.json())),
                    // The killed instance may drop what it was answering: not acknowledged.
                    _ if to_killed && killed.load(Ordering::SeqCst) => {}
                    Ok(reply) => failed_on_survivors.push(reply.describe()),
                    Err(e) => failed_on_survivors.push(e),
                }
            }
            (acknowledged, failed_on_survivors)
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    killed.store(true, Ordering::SeqCst);
    apps[2].server.kill_hard();
    let mut acknowledged = Vec::new();
    let mut failed = Vec::new();
    for client in clients {
        let (ok, bad) = client.await.expect("the client finished");
        acknowledged.extend(ok);
        failed.extend(bad);
    }
    // Assert: the survivors answered everything, and every acknowledged task is there.
    eprintln!(
        "{} writes acknowledged; {} failures on the survivors",
        acknowledged.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failures on the surviving instances: {failed:?}");
    assert!(acknowledged.len() > 30, "the load ran: {} writes", acknowledged.len());
    for task in &acknowledged {
        apps[0].get_task(&apps[0].people.viewer, task).await.expect(200);
    }
}
