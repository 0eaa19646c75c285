//! `GET /api/v1/events`: the changes the caller may see, live, as Server-Sent Events
//! (ADR 0025).
//!
//! - [`stream`](crate::events::stream): one connection's pump — heartbeat, token expiry,
//!   the bounded queue and the slow-reader cut-off.
//! - `limits`: how many streams are open per user and in all.
//! - `frame`: the `text/event-stream` text.
//!
//! What a caller may see, and the resumption from `Last-Event-ID`, are the domain's
//! ([`ChangeFeed`](taskforge_domain::services::ChangeFeed)): this module only carries its
//! steps to the socket.

mod frame;
mod limits;
pub mod stream;

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use taskforge_domain::services::{ChangeFeed, Resume};

use crate::error::ApiError;
use crate::metrics::HttpMetrics;
use crate::middleware::connection_watch::ConnectionCutter;
use crate::middleware::head::WasHead;
use crate::openapi::{AuthErrors, Throttled};
use crate::routes::resource;
use crate::state::AppState;
pub use stream::EventStreamSettings;

use limits::OpenStreams;

/// What the event route needs: the domain's feed, the settings and the open-stream count.
#[derive(Debug, Clone)]
pub struct LiveUpdates {
    feed: ChangeFeed,
    settings: EventStreamSettings,
    open: OpenStreams,
}

impl LiveUpdates {
    /// Streams from `feed` with `settings`, counting open streams into `metrics`.
    #[must_use]
    pub fn new(feed: ChangeFeed, settings: EventStreamSettings, metrics: &HttpMetrics) -> Self {
        let open = OpenStreams::new(settings.per_user, settings.total, metrics.clone());
        Self { feed, settings, open }
    }
}

/// One event of the stream, as a Server-Sent Events client reads it (comments, such as the
/// heartbeat, are not events).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EventFrame {
    /// The change's position in the change log (what `Last-Event-ID` resumes from); empty on
    /// a `reset`, which clears the client's last id.
    #[schema(pattern = "^[0-9]*$")]
    pub id: Option<String>,
    /// `task_created`, `task_updated`, `task_moved`, `task_trashed`, `task_restored`,
    /// `task_reverted`, `project_created`, `project_updated`, or `reset`.
    pub event: String,
    /// The history entry as one line of JSON (`{}` for a `reset`).
    pub data: String,
}

/// Mounts `GET /api/v1/events`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/api/v1/events", "GET").route(web::get().to(events)));
}

/// Streams the changes the caller may see (`text/event-stream`).
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    security(("bearer" = [])),
    params(
        ("Last-Event-ID" = Option<String>, Header,
         description = "The `id` of the last event received: the stream first replays every \
                        later change the caller may see, then continues live. An id the change \
                        log does not hold (any more) is answered with one `reset` event.")
    ),
    responses(
        (status = 200, description = "A stream of Server-Sent Events: `id` is the change's \
            position in the change log, `event` its kind (`task_created`, `task_updated`, \
            `task_moved`, `task_trashed`, `task_restored`, `task_reverted`, \
            `project_created`, `project_updated`, or `reset`), `data` the history entry as \
            one line of JSON, exactly as `GET /api/v1/tasks/{id}/history` shows it. A \
            `: keep-alive` comment is sent every 15 s; the stream ends when the access token \
            expires, and is closed when the client stops reading. 429: the caller holds as \
            many streams as allowed; 503: the service does.",
            content_type = "text/event-stream", body = EventFrame),
        AuthErrors, Throttled,
    )
)]
pub async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (actor, claims) = crate::auth::authenticate(&req, &state).await?;
    let live = state
        .live_updates()
        .ok_or_else(|| ApiError::not_ready("live updates are not available"))?;
    let last_event_id = req.headers().get("last-event-id").map(|v| v.to_str().unwrap_or("\u{0}"));
    let resume = Resume::from_last_event_id(last_event_id);
    let response = || {
        let mut response = HttpResponse::Ok();
        response
            .content_type("text/event-stream")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            // Reverse proxies that buffer responses (nginx) pass this one on as it comes.
            .insert_header(("x-accel-buffering", "no"));
        response
    };
    if req.extensions().get::<WasHead>().is_some() {
        // The headers a GET would get, and no stream that would never end.
        return Ok(response().finish());
    }
    let slot = live.open.admit(actor.user_id)?;
    let cursor = live
        .feed
        .open(actor.user_id, resume, live.settings.queue)
        .await
        .map_err(|e| ApiError::unavailable(&e))?;
    let left = claims.expires_at.unix_micros().saturating_sub(state.clock().now().unix_micros());
    let expires_in =
        Duration::from_micros(u64::try_from(left).unwrap_or(0)).min(live.settings.max_age);
    let body = stream::start(
        cursor,
        stream::Pump {
            settings: live.settings,
            expires_in,
            slot,
            cutter: ConnectionCutter::of(&req),
            metrics: state.metrics().clone(),
        },
    );
    Ok(response().streaming(body))
}
