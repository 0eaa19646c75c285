//! `GET /api/v1/events`: a change reaches the streams of those who may see it *now*, within a
//! second, and never the others; resumption with `Last-Event-ID` loses nothing and repeats
//! nothing; heartbeats; a reader that stops reading is disconnected; a stream ends with its
//! access token. adr/0025-live-event-streams.md gives the design.
//!
//! "Never" is shown without sleeping: after the change a caller must not see, a change they
//! must see is made; the stream delivers in log order, so once the second arrives the first
//! would have arrived before it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::time::{Duration, Instant};

use e2e::raw::{Closed, RawConnection};
use e2e::sse::{Frame, about_task};
use e2e::{TestApp, id_of, task_body, unique};
use serde_json::json;

/// How soon a change must reach an open stream.
const DELIVERY: Duration = Duration::from_secs(1);
/// How long a test waits for something that must happen.
const PATIENCE: Duration = Duration::from_secs(5);

fn ids(frames: &[Frame]) -> Vec<u64> {
    frames.iter().filter_map(Frame::id).collect()
}

#[tokio::test]
async fn a_change_reaches_the_stream_of_a_member_within_a_second() {
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let mut stream = app.events(&app.people.viewer, None).await;
    // Act
    let started = Instant::now();
    let task = app.new_task(&project, &json!({})).await;
    // Assert
    let seen = stream.events_until(PATIENCE, about_task(&id_of(&task))).await;
    let elapsed = started.elapsed();
    assert!(elapsed < DELIVERY, "delivered after {elapsed:?}");
    let event = seen.last().unwrap();
    assert_eq!(event.event(), Some("task_created"));
    assert_eq!(event.json()["project_id"], project.as_str());
    assert_eq!(event.json()["id"].as_u64(), event.id(), "the SSE id is the entry's id");
}

#[tokio::test]
async fn an_outsider_never_sees_a_private_change_but_sees_a_public_task() {
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let private = id_of(&app.new_task(&project, &json!({})).await);
    let public = id_of(&app.new_task(&project, &json!({"is_public": true})).await);
    let mut stream = app.events(&app.people.outsider, None).await;
    // Act
    app.update_task(&app.people.editor, &private, &json!({"status": "done"})).await.expect(200);
    app.update_task(&app.people.editor, &public, &json!({"status": "done"})).await.expect(200);
    // Assert
    let seen = stream.events_until(PATIENCE, about_task(&public)).await;
    assert!(!seen.iter().any(about_task(&private)), "the private task leaked: {seen:#?}");
    assert_eq!(seen.last().unwrap().event(), Some("task_updated"));
}

#[tokio::test]
async fn a_task_is_seen_while_it_is_in_a_project_of_the_reader_and_its_move_out_is_the_last() {
    let app = TestApp::shared().await;
    let theirs = app.new_project().await;
    // The outsider's own project, which the task visits.
    let body = json!({"name": unique("Outsider's")});
    let mine = id_of(&app.create_project(&app.people.outsider, &body).await.expect(201));
    let task = id_of(&app.new_task(&theirs, &json!({})).await);
    let mut stream = app.events(&app.people.outsider, None).await;
    let admin = &app.people.admin;
    // Act + Assert: moved in, it is seen, and so are its changes.
    app.move_task(admin, &task, &mine).await.expect(200);
    let seen = stream.events_until(PATIENCE, about_task(&task)).await;
    assert_eq!(seen.last().unwrap().event(), Some("task_moved"));
    app.update_task(admin, &task, &json!({"priority": "high"})).await.expect(200);
    let seen = stream.events_until(PATIENCE, about_task(&task)).await;
    assert_eq!(seen.last().unwrap().event(), Some("task_updated"));
    // Moved out: the move is shown (so the reader drops the task), then nothing more.
    app.move_task(admin, &task, &theirs).await.expect(200);
    let seen = stream.events_until(PATIENCE, about_task(&task)).await;
    assert_eq!(seen.last().unwrap().event(), Some("task_moved"));
    app.update_task(admin, &task, &json!({"priority": "low"})).await.expect(200);
    let marker = id_of(
        &app.create_task(&app.people.outsider, &task_body(&mine, &json!({}))).await.expect(201),
    );
    let seen = stream.events_until(PATIENCE, about_task(&marker)).await;
    assert!(!seen.iter().any(about_task(&task)), "a task moved out still reaches: {seen:#?}");
}

#[tokio::test]
async fn a_member_removed_while_connected_stops_receiving_the_projects_changes_at_once() {
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    let public = id_of(&app.new_task(&project, &json!({"is_public": true})).await);
    let mut stream = app.events(&app.people.viewer, None).await;
    app.update_task(&app.people.editor, &task, &json!({"title": "seen"})).await.expect(200);
    stream.events_until(PATIENCE, about_task(&task)).await;
    // Act
    app.remove_member(&app.people.owner, &project, &app.people.viewer.id).await.expect(204);
    app.update_task(&app.people.editor, &task, &json!({"title": "not seen"})).await.expect(200);
    app.update_task(&app.people.editor, &public, &json!({"title": "marker"})).await.expect(200);
    // Assert
    let seen = stream.events_until(PATIENCE, about_task(&public)).await;
    assert!(!seen.iter().any(about_task(&task)), "a removed member still receives: {seen:#?}");
}

#[tokio::test]
async fn resuming_with_the_last_event_id_loses_nothing_and_repeats_nothing() {
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    let viewer = &app.people.viewer;
    let editor = &app.people.editor;
    let mut first = app.events(viewer, None).await;
    app.update_task(editor, &task, &json!({"title": "one"})).await.expect(200);
    // (The task's creation may arrive first: the stream may open before the hub read it.)
    let seen = first
        .events_until(PATIENCE, |f| {
            about_task(&task)(f) && f.json()["changes"][0]["after"] == "one"
        })
        .await;
    let last = seen.last().unwrap().id().unwrap();
    drop(first);
    // Act: changes while disconnected, then resume, then changes while connected again.
    for title in ["two", "three", "four"] {
        app.update_task(editor, &task, &json!({"title": title})).await.expect(200);
    }
    let mut resumed = app.events(viewer, Some(&last.to_string())).await;
    for title in ["five", "six"] {
        app.update_task(editor, &task, &json!({"title": title})).await.expect(200);
    }
    // Assert: the five later changes of the task, each once, in order.
    let mut mine = Vec::new();
    while mine.len() < 5 {
        let frame = resumed.next_event(PATIENCE).await.expect("the next change");
        assert_ne!(frame.event(), Some("reset"));
        if about_task(&task)(&frame) {
            mine.push(frame);
        }
    }
    let got = ids(&mine);
    assert!(got.windows(2).all(|w| w[0] < w[1]), "in order, no repeats: {got:?}");
    assert!(got.iter().all(|id| *id > last), "nothing at or before the resumed id: {got:?}");
    let quiet = resumed.next_event(Duration::from_millis(300)).await;
    assert!(quiet.as_ref().is_none_or(|f| !about_task(&task)(f)), "a repeat: {quiet:?}");
}

#[tokio::test]
async fn an_id_the_log_does_not_hold_gets_one_reset_then_live_changes() {
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    for unknown in ["999999999", "not-a-number"] {
        let mut stream = app.events(&app.people.viewer, Some(unknown)).await;
        let first = stream.next_event(PATIENCE).await.expect("an event");
        assert_eq!(first.event(), Some("reset"), "{unknown}");
        let task = id_of(&app.new_task(&project, &json!({})).await);
        let seen = stream.events_until(PATIENCE, about_task(&task)).await;
        assert!(seen.iter().all(|f| f.event() != Some("reset")), "one reset only: {seen:#?}");
    }
}

#[tokio::test]
async fn a_quiet_stream_gets_a_heartbeat_comment() {
    let app = TestApp::spawn_with(&[("TASKFORGE_EVENTS_HEARTBEAT", "1s")]).await;
    let mut stream = app.events(&app.people.viewer, None).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match stream.next_frame(left).await {
            Some(Frame::Comment(text)) if text == "keep-alive" => break,
            Some(_) => {}
            None => panic!("no heartbeat within {PATIENCE:?}"),
        }
    }
    assert!(stream.opened_at.elapsed() >= Duration::from_millis(900), "not before the period");
}

#[tokio::test]
async fn a_stream_ends_when_its_access_token_expires() {
    let app = TestApp::spawn_with(&[("TASKFORGE_ACCESS_TTL", "3s")]).await;
    let viewer = &app.people.viewer;
    let fresh = app.login(&viewer.username, &viewer.password).await.expect(200);
    let caller = viewer.with_token(fresh["access_token"].as_str().unwrap());
    let mut stream = app.events(&caller, None).await;
    // Assert
    assert!(stream.ends_within(Duration::from_secs(6)).await, "the stream outlived its token");
    let elapsed = stream.opened_at.elapsed();
    assert!(elapsed >= Duration::from_secs(2), "ended early, after {elapsed:?}");
}

#[tokio::test]
async fn streams_need_a_token_and_are_limited_per_user() {
    let app = TestApp::spawn_with(&[("TASKFORGE_EVENTS_MAX_STREAMS_PER_USER", "1")]).await;
    let anonymous = app.open_events(&app.people.anonymous, None).await;
    assert_eq!(anonymous.status().as_u16(), 401);
    let _open = app.events(&app.people.viewer, None).await;
    // Act
    let second = app.open_events(&app.people.viewer, None).await;
    // Assert
    assert_eq!(second.status().as_u16(), 429);
    assert!(second.headers().get("retry-after").is_some());
    let content_type = second.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let _someone_else = app.events(&app.people.editor, None).await;
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A metric's value in the Prometheus text of `/metrics`.
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

#[tokio::test]
async fn a_reader_that_never_reads_is_disconnected_and_the_server_holds_nothing_for_it() {
    let app = TestApp::spawn_with(&[("TASKFORGE_EVENTS_QUEUE", "8")]).await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    let token = app.people.viewer.token.clone().unwrap();
    let mut raw = RawConnection::open(app.server.port());
    raw.send(
        format!(
            "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let before = rss_kib(app.server.pid());
    // Act: large changes, far more than the socket buffers and the queue hold.
    let editor = &app.people.editor;
    let mut cut_off_after = None;
    for i in 0..400 {
        let description = format!("{i:04}").repeat(2_500);
        app.update_task(editor, &task, &json!({"description": description})).await.expect(200);
        let text = app.metrics().await.text();
        if metric(&text, "taskforge_event_streams_slow_readers_total") >= 1.0 {
            assert_eq!(metric(&text, "taskforge_event_streams_open"), 0.0, "{text}");
            cut_off_after = Some(i);
            break;
        }
    }
    // Assert
    let changes = cut_off_after.expect("the stalled reader was never disconnected");
    assert_eq!(raw.wait_closed(PATIENCE), Closed::ByServer, "the connection is closed");
    let grown = rss_kib(app.server.pid()).saturating_sub(before);
    assert!(grown < 32 * 1024, "the server grew by {grown} KiB over {changes} changes");
}

#[tokio::test]
async fn a_change_made_through_one_postgresql_instance_reaches_a_stream_on_another() {
    let Some(db) = taskforge_postgres::testing::ThrowawayDatabase::create().await else { return };
    let x = TestApp::spawn_on(std::path::Path::new(db.url()), &[], None).await;
    let y = x.another_instance(&[]);
    let project = x.new_project().await;
    let mut stream = y.events(&y.people.viewer, None).await;
    // Act
    let started = Instant::now();
    let task = id_of(&x.new_task(&project, &json!({})).await);
    // Assert
    let seen = stream.events_until(PATIENCE, about_task(&task)).await;
    let elapsed = started.elapsed();
    assert!(elapsed < DELIVERY, "delivered on the other instance after {elapsed:?}");
    assert_eq!(seen.last().unwrap().event(), Some("task_created"));
}
