//! `GET /projects/{id}/events`: the board's live updates over the web session, as
//! Server-Sent Events. The same domain feed as the API's `GET /api/v1/events` decides what the
//! viewer may see, entry by entry, when it is about to be sent (ADR 0025); this route only
//! keeps the changes of one project and tells the page *that* something changed — the page
//! then fetches the board again (`static/live-board.js`), so what it shows is always what
//! the viewer may read, rendered by the same handler as a reload.
//!
//! The stream is the response body itself: it takes the next change only when the client
//! has read the previous ones, so a browser that stops reading makes the domain's bounded
//! subscription overflow, which ends the stream — nothing is buffered for it without bound.
//! It also ends after ten minutes: the browser reconnects at once, and its session is checked
//! again then (a logged-out session gets no further stream).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::{Instant, Interval};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use taskforge_domain::ProjectId;
use taskforge_domain::model::{Change, FieldChange, TaskChange};
use taskforge_domain::services::{FeedCursor, FeedError, FeedStep, Resume};

use super::projects::{path_id, project_error};
use super::resource;
use crate::response::WebError;
use crate::session::require_viewer;
use crate::state::WebState;

/// How long one stream lasts before the browser reconnects (and its session is re-checked).
const MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// How often a quiet stream gets a comment, so proxies keep it open.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// How many changes the domain's subscription holds for a browser that is not reading.
const QUEUE: usize = 64;

/// Mounts the route of this module.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/projects/{id}/events", "GET").route(web::get().to(events)));
}

type Pending = Pin<Box<dyn Future<Output = (FeedCursor, Result<FeedStep, FeedError>)>>>;

fn next_of(mut cursor: FeedCursor) -> Pending {
    Box::pin(async move {
        let step = cursor.next().await;
        (cursor, step)
    })
}

/// The state of one stream between two frames.
struct Live {
    project: ProjectId,
    pending: Option<Pending>,
    heartbeat: Interval,
    deadline: Instant,
}

async fn events(
    req: HttpRequest,
    state: web::Data<WebState>,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let viewer = require_viewer(&req, &state).await?;
    let project: ProjectId = path_id(&path)?;
    state.services.projects.get(&viewer.actor, project).await.map_err(project_error)?;
    let feed = state.feed.as_ref().ok_or(WebError::NotFound)?;
    let cursor =
        feed.open(viewer.actor.user_id, Resume::Live, QUEUE).await.map_err(WebError::internal)?;
    let start = Instant::now();
    let live = Live {
        project,
        pending: Some(next_of(cursor)),
        heartbeat: tokio::time::interval_at(start + HEARTBEAT, HEARTBEAT),
        deadline: start + MAX_AGE,
    };
    let opening = futures_util::stream::once(async {
        Ok::<_, std::convert::Infallible>(Bytes::from_static(b"retry: 1000\n: connected\n\n"))
    });
    let changes = futures_util::stream::unfold(live, |mut live| async move {
        let frame = live.next_frame().await?;
        Some((Ok(frame), live))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(futures_util::StreamExt::chain(opening, changes)))
}

enum Outcome {
    Expired,
    Heartbeat,
    Step((FeedCursor, Result<FeedStep, FeedError>)),
}

impl Live {
    /// The next frame to send, or `None` to end the stream.
    async fn next_frame(&mut self) -> Option<Bytes> {
        loop {
            let mut pending = self.pending.take()?;
            let outcome = tokio::select! {
                biased;
                () = tokio::time::sleep_until(self.deadline) => Outcome::Expired,
                done = &mut pending => Outcome::Step(done),
                _ = self.heartbeat.tick() => Outcome::Heartbeat,
            };
            match outcome {
                Outcome::Expired => return None,
                Outcome::Heartbeat => {
                    self.pending = Some(pending);
                    return Some(Bytes::from_static(b": keep-alive\n\n"));
                }
                Outcome::Step((cursor, Ok(FeedStep::Entry(entry)))) => {
                    self.pending = Some(next_of(cursor));
                    if concerns(&entry.entry.change, entry.entry.project_id, self.project) {
                        let task = entry.entry.task_id().map(|t| t.to_string()).unwrap_or_default();
                        return Some(Bytes::from(format!(
                            "id: {}\nevent: change\ndata: {task}\n\n",
                            entry.entry.id
                        )));
                    }
                }
                // A live-only stream is never reset; anything else ends it.
                Outcome::Step((cursor, Ok(FeedStep::Reset))) => {
                    self.pending = Some(next_of(cursor))
                }
                Outcome::Step((_, Err(e))) => {
                    tracing::warn!(error = %e, "a board's live stream cannot read the change log");
                    return None;
                }
                Outcome::Step((_, Ok(_))) => return None,
            }
        }
    }
}

/// Whether a change recorded in `recorded_in` changes the board of `project`: it happened
/// there, or moved a task out of it.
fn concerns(change: &Change, recorded_in: ProjectId, project: ProjectId) -> bool {
    recorded_in == project
        || matches!(
            change,
            Change::Task { change: TaskChange::Moved(FieldChange { before, .. }), .. }
                if *before == project
        )
}
