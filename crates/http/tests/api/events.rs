//! `GET /api/v1/events` in process: the stream's frames, who sees which entry (decided when
//! it is sent), resumption from the log without loss or repetition, `reset`, the heartbeat,
//! the end at token expiry and the per-user limit. The change log and the live hub are fakes
//! the test appends to; tasks, projects and users are the memory adapter's, changed through
//! the API.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::Service;
use actix_web::test::{self, TestRequest};
use async_trait::async_trait;
use serde_json::json;
use taskforge_domain::model::{Change, EntryId, FieldChange, HistoryEntry, TaskChange};
use taskforge_domain::ports::{
    AccessToken, Claims, HistoryRepository, LiveChanges, LiveEntry, LiveNext, LiveSubscription,
    RepositoryError, TokenError, TokenIssuer,
};
use taskforge_domain::services::ChangeFeed;
use taskforge_domain::values::Role;
use taskforge_domain::{Clock, ProjectId, SystemClock, TaskId, UserId};
use taskforge_http::{AppState, EventStreamSettings, HttpSettings, LiveUpdates, build_app};
use taskforge_memory::MemoryDatabase;
use tokio::sync::mpsc;

use crate::support::{People, bearer, seed_people, services};

/// The change log and the hub in one: entries appended here are in the log and fanned out.
#[derive(Debug, Default)]
struct FakeLog {
    entries: Mutex<Vec<HistoryEntry>>,
    subscribers: Mutex<Vec<mpsc::Sender<Arc<LiveEntry>>>>,
}

impl FakeLog {
    /// Appends an entry about `task` in `project` and hands it to every subscriber.
    fn record(&self, project: &str, task: &str, change: TaskChange, is_public: bool) -> u64 {
        let mut entries = self.entries.lock().unwrap();
        let id = entries.len() as u64 + 1;
        let entry = HistoryEntry {
            id: EntryId::new(id).unwrap(),
            project_id: project.parse::<ProjectId>().unwrap(),
            actor: UserId::new(),
            at: SystemClock.now(),
            change: Change::Task { task_id: task.parse::<TaskId>().unwrap(), change },
        };
        entries.push(entry.clone());
        drop(entries);
        let live = Arc::new(LiveEntry { entry, task_is_public: is_public });
        self.subscribers.lock().unwrap().retain(|s| s.try_send(Arc::clone(&live)).is_ok());
        id
    }

    /// Appends an entry to the log only (committed, but not yet fanned out by the hub).
    fn record_quietly(&self, project: &str, task: &str) -> u64 {
        let subscribers = std::mem::take(&mut *self.subscribers.lock().unwrap());
        let id = self.record(project, task, TaskChange::Created, false);
        *self.subscribers.lock().unwrap() = subscribers;
        id
    }

    /// Fans entry `id` out again (the hub delivering what a replay already read).
    fn announce(&self, id: u64) {
        let entry = self.entries.lock().unwrap()[usize::try_from(id - 1).unwrap()].clone();
        let live = Arc::new(LiveEntry { entry, task_is_public: false });
        self.subscribers.lock().unwrap().retain(|s| s.try_send(Arc::clone(&live)).is_ok());
    }
}

#[async_trait]
impl HistoryRepository for FakeLog {
    async fn of_task(
        &self,
        _: TaskId,
        _: Option<EntryId>,
        _: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn of_project(
        &self,
        _: ProjectId,
        _: Option<EntryId>,
        _: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn after(
        &self,
        after: EntryId,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        let entries = self.entries.lock().unwrap();
        Ok(entries.iter().filter(|e| e.id > after).take(limit).cloned().collect())
    }

    async fn get(&self, id: EntryId) -> Result<Option<HistoryEntry>, RepositoryError> {
        Ok(self.entries.lock().unwrap().iter().find(|e| e.id == id).cloned())
    }

    async fn latest(&self) -> Result<Option<EntryId>, RepositoryError> {
        Ok(self.entries.lock().unwrap().last().map(|e| e.id))
    }
}

#[derive(Debug)]
struct FakeSubscription(mpsc::Receiver<Arc<LiveEntry>>);

#[async_trait]
impl LiveSubscription for FakeSubscription {
    async fn next(&mut self) -> LiveNext {
        self.0.recv().await.map_or(LiveNext::Closed, LiveNext::Entry)
    }
}

impl LiveChanges for FakeLog {
    fn subscribe(&self, capacity: usize) -> Box<dyn LiveSubscription> {
        let (sender, receiver) = mpsc::channel(capacity);
        self.subscribers.lock().unwrap().push(sender);
        Box::new(FakeSubscription(receiver))
    }
}

/// Tokens `user:<uuid>` that expire `lifetime` after they are verified first... simply:
/// every verification says the token expires `lifetime` from now.
#[derive(Debug)]
struct ShortTokens(Duration);

impl TokenIssuer for ShortTokens {
    fn issue(&self, claims: &Claims) -> Result<AccessToken, TokenError> {
        Ok(AccessToken::new(format!("user:{}", claims.subject)))
    }

    fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let subject: UserId = token
            .strip_prefix("user:")
            .ok_or(TokenError::BadSignature)?
            .parse()
            .map_err(|_| TokenError::Malformed)?;
        let now = SystemClock.now();
        Ok(Claims {
            subject,
            role: Role::Viewer,
            issued_at: now,
            expires_at: now.plus_micros(i64::try_from(self.0.as_micros()).unwrap()),
            token_id: uuid::Uuid::now_v7(),
        })
    }
}

struct Fixture<S> {
    service: S,
    log: Arc<FakeLog>,
    people: People,
}

fn settings() -> EventStreamSettings {
    EventStreamSettings {
        heartbeat: Duration::from_secs(60),
        queue: 16,
        per_user: 2,
        total: 100,
        max_age: Duration::from_secs(600),
    }
}

async fn fixture(
    settings: EventStreamSettings,
    token_lifetime: Duration,
) -> Fixture<
    impl Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let repos = MemoryDatabase::new().repositories();
    let people = seed_people(&repos).await;
    let log = Arc::new(FakeLog::default());
    let feed = ChangeFeed::new(
        log.clone(),
        repos.tasks.clone(),
        repos.projects.clone(),
        repos.users.clone(),
        log.clone(),
    );
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state = AppState::new(
        services(&repos, clock.clone()),
        Arc::new(ShortTokens(token_lifetime)),
        clock,
    );
    let live = LiveUpdates::new(feed, settings, state.metrics());
    let app = build_app(state.with_live_updates(live), HttpSettings::default());
    Fixture { service: test::init_service(app).await, log, people }
}

/// An open stream's body, read frame by frame.
struct Stream(BoxBody, String);

impl Stream {
    /// The next event or comment block (the text up to a blank line), or `None` at the end
    /// of the stream or after `within` without one.
    async fn next_block(&mut self, within: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.1.find("\n\n") {
                let block: String = self.1.drain(..end + 2).collect();
                return Some(block);
            }
            let chunk = tokio::time::timeout_at(
                deadline,
                std::future::poll_fn(|cx| Pin::new(&mut self.0).poll_next(cx)),
            )
            .await
            .ok()??;
            self.1.push_str(&String::from_utf8_lossy(&chunk.ok()?));
        }
    }

    /// The ids of the next events (skipping comments) until one about `task` arrives.
    async fn ids_until(&mut self, task: &str) -> Vec<(u64, String)> {
        let mut seen = Vec::new();
        loop {
            let block = self.next_block(Duration::from_secs(5)).await.expect("an event");
            let Some(id) = block.lines().find_map(|l| l.strip_prefix("id: ")) else { continue };
            let id: u64 = id.parse().unwrap();
            let data = block.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or("{}");
            let about: serde_json::Value = serde_json::from_str(data).unwrap();
            let about = about["task_id"].as_str().unwrap_or_default().to_owned();
            let done = about == task;
            seen.push((id, about));
            if done {
                return seen;
            }
        }
    }
}

async fn open<S, B>(service: &S, who: UserId, last_event_id: Option<&str>) -> (u16, Stream)
where
    S: Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: MessageBody + 'static,
{
    let mut req = TestRequest::get().uri("/api/v1/events").insert_header(bearer(who));
    if let Some(id) = last_event_id {
        req = req.insert_header(("Last-Event-ID", id));
    }
    let response = test::call_service(service, req.to_request()).await;
    let status = response.status().as_u16();
    (status, Stream(BoxBody::new(response.into_body()), String::new()))
}

/// Creates a project of the editor with the viewer as member, and a task in it, through the
/// API; returns their ids.
async fn project_and_task<S, B>(f: &Fixture<S>, public: bool) -> (String, String)
where
    S: Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: MessageBody,
{
    let call = |req: TestRequest| async { test::call_service(&f.service, req.to_request()).await };
    let project = call(
        TestRequest::post()
            .uri("/api/v1/projects")
            .insert_header(bearer(f.people.editor))
            .set_json(json!({"name": "Live"})),
    )
    .await;
    let project: serde_json::Value = test::read_body_json(project).await;
    let project = project["id"].as_str().unwrap().to_owned();
    let added = call(
        TestRequest::put()
            .uri(&format!("/api/v1/projects/{project}/members/{}", f.people.viewer))
            .insert_header(bearer(f.people.editor)),
    )
    .await;
    assert_eq!(added.status().as_u16(), 204);
    let task = call(
        TestRequest::post()
            .uri("/api/v1/tasks")
            .insert_header(bearer(f.people.editor))
            .set_json(json!({"project_id": project, "title": "Live", "is_public": public})),
    )
    .await;
    let task: serde_json::Value = test::read_body_json(task).await;
    (project, task["id"].as_str().unwrap().to_owned())
}

#[actix_web::test]
async fn a_stream_needs_a_token_and_answers_text_event_stream() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let anonymous =
        test::call_service(&f.service, TestRequest::get().uri("/api/v1/events").to_request()).await;
    assert_eq!(anonymous.status().as_u16(), 401);
    let req = TestRequest::get().uri("/api/v1/events").insert_header(bearer(f.people.viewer));
    let response = test::call_service(&f.service, req.to_request()).await;
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers().get("content-type").unwrap().to_str().unwrap();
    assert_eq!(content_type, "text/event-stream");
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
}

#[actix_web::test]
async fn members_see_a_change_outsiders_only_a_public_tasks() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let (project, private) = project_and_task(&f, false).await;
    let (other, public) = project_and_task(&f, true).await;
    let (_, mut member) = open(&f.service, f.people.viewer, None).await;
    let (_, mut outsider) = open(&f.service, f.people.outsider, None).await;
    // Act
    f.log.record(&project, &private, TaskChange::Created, false);
    f.log.record(&other, &public, TaskChange::Created, true);
    // Assert
    assert_eq!(member.ids_until(&private).await, [(1, private.clone())]);
    let seen = outsider.ids_until(&public).await;
    assert_eq!(seen, [(2, public.clone())], "the private change was skipped, the public one sent");
}

#[actix_web::test]
async fn a_member_removed_while_connected_stops_seeing_the_projects_changes() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let (project, task) = project_and_task(&f, false).await;
    let (other, public) = project_and_task(&f, true).await;
    let (_, mut viewer) = open(&f.service, f.people.viewer, None).await;
    f.log.record(&project, &task, TaskChange::Created, false);
    assert_eq!(viewer.ids_until(&task).await.len(), 1);
    // Act
    let removed = TestRequest::delete()
        .uri(&format!("/api/v1/projects/{project}/members/{}", f.people.viewer))
        .insert_header(bearer(f.people.editor));
    assert_eq!(test::call_service(&f.service, removed.to_request()).await.status().as_u16(), 204);
    f.log.record(&project, &task, TaskChange::Trashed, false);
    f.log.record(&other, &public, TaskChange::Trashed, true);
    // Assert
    assert_eq!(viewer.ids_until(&public).await, [(3, public)]);
}

#[actix_web::test]
async fn a_move_is_shown_to_the_project_it_left_and_later_changes_are_not() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let (project, task) = project_and_task(&f, false).await;
    let (_, marker) = project_and_task(&f, false).await;
    let elsewhere = ProjectId::new().to_string();
    let (_, mut viewer) = open(&f.service, f.people.viewer, None).await;
    // Act: the task leaves the viewer's project.
    let moved = TaskChange::Moved(FieldChange {
        before: project.parse().unwrap(),
        after: elsewhere.parse().unwrap(),
    });
    f.log.record(&elsewhere, &task, moved, false);
    f.log.record(&elsewhere, &task, TaskChange::Trashed, false);
    f.log.record(&project, &marker, TaskChange::Created, false);
    // Assert
    assert_eq!(viewer.ids_until(&task).await, [(1, task.clone())], "the move is shown");
    assert_eq!(viewer.ids_until(&marker).await, [(3, marker)], "the later change is not");
}

#[actix_web::test]
async fn resuming_replays_the_log_after_the_id_then_goes_live_without_repeating() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let (project, task) = project_and_task(&f, false).await;
    for _ in 0..3 {
        f.log.record(&project, &task, TaskChange::Trashed, false);
    }
    // Entry 4 is committed but the hub has not fanned it out yet when the stream opens.
    f.log.record_quietly(&project, &task);
    let (status, mut resumed) = open(&f.service, f.people.viewer, Some("1")).await;
    assert_eq!(status, 200);
    // Act: the hub now delivers entry 4 (which the replay also reads), then entry 5.
    f.log.announce(4);
    let five = f.log.record(&project, &task, TaskChange::Trashed, false);
    // Assert
    let mut ids = Vec::new();
    while ids.last() != Some(&five) {
        let (id, _) = resumed.ids_until(&task).await[0].clone();
        ids.push(id);
    }
    assert_eq!(ids, [2, 3, 4, 5], "everything after 1, once each, in order");
}

#[actix_web::test]
async fn an_id_the_log_does_not_hold_is_answered_with_one_reset() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let (project, task) = project_and_task(&f, false).await;
    f.log.record(&project, &task, TaskChange::Created, false);
    for unknown in ["7", "0", "x", "-1"] {
        let (_, mut stream) = open(&f.service, f.people.viewer, Some(unknown)).await;
        let mut first = stream.next_block(Duration::from_secs(5)).await.unwrap();
        while first.starts_with("retry") || first.starts_with(':') {
            first = stream.next_block(Duration::from_secs(5)).await.unwrap();
        }
        assert!(first.starts_with("event: reset\nid\n"), "{unknown}: {first:?}");
    }
}

#[actix_web::test]
async fn a_quiet_stream_gets_heartbeats() {
    let quick = EventStreamSettings { heartbeat: Duration::from_millis(50), ..settings() };
    let f = fixture(quick, Duration::from_secs(600)).await;
    let (_, mut stream) = open(&f.service, f.people.viewer, None).await;
    let opening = stream.next_block(Duration::from_secs(5)).await.unwrap();
    assert_eq!(opening, "retry: 1000\n: connected\n\n");
    for _ in 0..2 {
        let block = stream.next_block(Duration::from_secs(5)).await.unwrap();
        assert_eq!(block, ": keep-alive\n\n");
    }
}

#[actix_web::test]
async fn the_stream_ends_when_the_token_expires() {
    let f = fixture(settings(), Duration::from_millis(300)).await;
    let (_, mut stream) = open(&f.service, f.people.viewer, None).await;
    let started = std::time::Instant::now();
    while stream.next_block(Duration::from_secs(5)).await.is_some() {}
    let lasted = started.elapsed();
    assert!(lasted >= Duration::from_millis(200) && lasted < Duration::from_secs(4), "{lasted:?}");
}

#[actix_web::test]
async fn a_user_may_hold_only_so_many_streams() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let (first, _a) = open(&f.service, f.people.viewer, None).await;
    let (second, _b) = open(&f.service, f.people.viewer, None).await;
    let (third, _c) = open(&f.service, f.people.viewer, None).await;
    assert_eq!((first, second, third), (200, 200, 429));
    drop(_a);
    // The pump notices its client left and frees the place.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _d) = open(&f.service, f.people.viewer, None).await;
        if status == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the closed stream's place was not freed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn a_reader_that_stops_reading_is_dropped_instead_of_buffered_for() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let (project, task) = project_and_task(&f, false).await;
    let (_, mut stalled) = open(&f.service, f.people.viewer, None).await;
    // Act: far more changes than the stream's queue (16) holds, none read.
    for _ in 0..100 {
        f.log.record(&project, &task, TaskChange::Trashed, false);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // Assert: counted as a slow reader, its place freed, and what it holds is bounded.
    let req = TestRequest::get().uri("/metrics");
    let metrics = test::call_service(&f.service, req.to_request()).await;
    let text = String::from_utf8(test::read_body(metrics).await.to_vec()).unwrap();
    assert!(text.contains("taskforge_event_streams_slow_readers_total 1"), "{text}");
    assert!(text.contains("taskforge_event_streams_open 0"), "{text}");
    let mut held = 0;
    while let Some(block) = stalled.next_block(Duration::from_secs(5)).await {
        held += usize::from(block.contains("\nid: ") || block.starts_with("id: "));
    }
    assert!(held <= 16, "the stream held {held} events for a client that did not read");
}

#[actix_web::test]
async fn head_answers_the_headers_of_a_stream_without_starting_one() {
    let f = fixture(settings(), Duration::from_secs(600)).await;
    let req = TestRequest::default()
        .method(actix_web::http::Method::HEAD)
        .uri("/api/v1/events")
        .insert_header(bearer(f.people.viewer));
    let response = test::call_service(&f.service, req.to_request()).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers().get("content-type").unwrap(), "text/event-stream");
    let body = tokio::time::timeout(Duration::from_secs(5), test::read_body(response)).await;
    assert!(body.expect("the body ends").is_empty());
}
