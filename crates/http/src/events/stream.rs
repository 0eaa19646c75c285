//! One connection's stream: a pump task that takes the caller's visible changes from the
//! domain's feed cursor and writes frames into a small bounded queue, which the response body
//! drains as fast as the client reads. The pump also writes the heartbeat and ends the stream
//! when the access token expires.
//!
//! **Slow readers.** The pump never waits for the queue: when a frame does not fit, the client
//! has stopped reading (its socket buffers and the queue are full), and the stream is ended —
//! the connection is shut down, since actix would otherwise wait for ever to write to it. What
//! is held for one stream is therefore bounded by the queue, whatever the client does; the
//! client reconnects with `Last-Event-ID` and loses nothing.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::web::Bytes;
use futures_util::Stream;
use taskforge_domain::services::{FeedCursor, FeedError, FeedStep};
use tokio::sync::mpsc::{self, error::TrySendError};

use super::frame;
use super::limits::StreamSlot;
use crate::metrics::HttpMetrics;
use crate::middleware::connection_watch::ConnectionCutter;

/// How long an ended stream's client has to read what is still queued before its connection
/// is shut.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// The settings of every event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventStreamSettings {
    /// How often a comment is written to an otherwise quiet stream (15 s by default).
    pub heartbeat: Duration,
    /// How many frames (and live entries) a stream holds for a client that has not read
    /// them yet; beyond, it is disconnected.
    pub queue: usize,
    /// How many streams one user may hold open.
    pub per_user: usize,
    /// How many streams the process holds open in all.
    pub total: usize,
    /// The longest a stream stays open, even with a longer-lived token: clients reconnect
    /// (with `Last-Event-ID`), which spreads them again over the instances after a deploy.
    pub max_age: Duration,
}

impl Default for EventStreamSettings {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(15),
            queue: 64,
            per_user: 8,
            total: 10_000,
            max_age: Duration::from_secs(30 * 60),
        }
    }
}

/// Why a stream ended, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    ClientLeft,
    TokenExpired,
    SlowReader,
    Lagged,
    Closed,
    AccountGone,
    StoreFailed,
}

/// What the pump needs besides the cursor.
pub(crate) struct Pump {
    pub(crate) settings: EventStreamSettings,
    pub(crate) expires_in: Duration,
    pub(crate) slot: StreamSlot,
    pub(crate) cutter: Option<ConnectionCutter>,
    pub(crate) metrics: HttpMetrics,
}

type Pending = Pin<Box<dyn Future<Output = (FeedCursor, Result<FeedStep, FeedError>)>>>;

fn next_of(mut cursor: FeedCursor) -> Pending {
    Box::pin(async move {
        let step = cursor.next().await;
        (cursor, step)
    })
}

/// Starts the pump on this worker and returns the response body that drains its queue.
pub(crate) fn start(
    cursor: FeedCursor,
    pump: Pump,
) -> impl Stream<Item = Result<Bytes, Infallible>> + 'static {
    let (sender, receiver) = mpsc::channel::<Bytes>(pump.settings.queue.max(1));
    actix_web::rt::spawn(run(cursor, pump, sender));
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|frame| (Ok(frame), receiver))
    })
}

/// Puts `frame` in the queue without waiting; the end it means when it cannot.
fn offer(sender: &mpsc::Sender<Bytes>, frame: Bytes) -> Result<(), End> {
    match sender.try_send(frame) {
        Ok(()) => Ok(()),
        Err(TrySendError::Full(_)) => Err(End::SlowReader),
        Err(TrySendError::Closed(_)) => Err(End::ClientLeft),
    }
}

async fn run(cursor: FeedCursor, pump: Pump, sender: mpsc::Sender<Bytes>) {
    let Pump { settings, expires_in, slot, cutter, metrics } = pump;
    let end = pump_frames(cursor, settings, expires_in, &sender).await;
    // The stream is over: its place is free whatever happens to the frames still queued.
    drop(slot);
    match end {
        // Behind the hub (`Lagged`) or behind its queue: either way a stream that did not
        // keep up, dropped instead of buffered for.
        End::SlowReader | End::Lagged => {
            metrics.slow_event_reader_dropped();
            tracing::info!(end = ?end, "closing an event stream that did not keep up");
        }
        End::StoreFailed => tracing::warn!("ending an event stream: the change log failed"),
        other => tracing::debug!(end = ?other, "event stream ended"),
    }
    if end == End::ClientLeft {
        return;
    }
    // A client that reads gets what is queued and then the end of the body. One that does
    // not would hold the connection for ever — actix waits to write the rest — so unless the
    // queue drains soon (at once for a slow reader: it is full), the connection is shut.
    let drained = end != End::SlowReader && drains(&sender, settings.queue.max(1)).await;
    if !drained && let Some(cutter) = cutter {
        cutter.cut_off();
    }
}

/// Whether the body takes everything queued within [`DRAIN_GRACE`].
async fn drains(sender: &mpsc::Sender<Bytes>, capacity: usize) -> bool {
    let deadline = tokio::time::Instant::now() + DRAIN_GRACE;
    while sender.capacity() < capacity && !sender.is_closed() {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

async fn pump_frames(
    cursor: FeedCursor,
    settings: EventStreamSettings,
    expires_in: Duration,
    sender: &mpsc::Sender<Bytes>,
) -> End {
    if let Err(end) = offer(sender, Bytes::from_static(frame::OPENING.as_bytes())) {
        return end;
    }
    let expiry = tokio::time::sleep(expires_in);
    tokio::pin!(expiry);
    let period = settings.heartbeat.max(Duration::from_millis(1));
    let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let mut pending = next_of(cursor);
    loop {
        tokio::select! {
            biased;
            () = sender.closed() => return End::ClientLeft,
            () = &mut expiry => return End::TokenExpired,
            (cursor, step) = &mut pending => {
                let frame = match step {
                    Ok(FeedStep::Entry(entry)) => frame::entry(&entry),
                    Ok(FeedStep::Reset) => Bytes::from_static(frame::RESET.as_bytes()),
                    Ok(FeedStep::Lagged) => return End::Lagged,
                    Ok(FeedStep::Closed) => return End::Closed,
                    Ok(FeedStep::AccountGone) => return End::AccountGone,
                    Err(e) => {
                        tracing::warn!(error = %e, "the event stream cannot read the change log");
                        return End::StoreFailed;
                    }
                };
                if let Err(end) = offer(sender, frame) {
                    return end;
                }
                pending = next_of(cursor);
            }
            _ = heartbeat.tick() => {
                if let Err(end) = offer(sender, Bytes::from_static(frame::KEEP_ALIVE.as_bytes())) {
                    return end;
                }
            }
        }
    }
}
