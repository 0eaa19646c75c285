//! Cuts off a keep-alive connection whose *next* request head does not arrive in time.
//!
//! Why: actix-http times the head of a connection's first request only
//! (`client_request_timeout`). After a response, its keep-alive timer waits for the next
//! request — but the first byte of that request stops the timer, and nothing times the rest.
//! A client that sends one good request and then trickles the next head a byte at a time
//! (slow loris on a kept-alive connection) would hold the connection for ever.
//!
//! How: when a connection is accepted ([`watch_connections`], an `on_connect` hook), the hook
//! keeps a duplicate of its socket and starts a small watchdog task on the worker. The
//! [`mark_requests`] middleware tells the watch when a request starts (its head was parsed)
//! and when its response body is done. The watchdog shuts the socket down when no request has
//! been in progress for `limit` — the keep-alive timeout plus the request-head timeout, so an
//! honest idle connection is always closed first by actix's own keep-alive timer, and a head
//! that starts at the last moment of keep-alive still gets the full head timeout. `shutdown`
//! acts on the socket shared by both descriptors, so actix sees the end of the stream and
//! drops the connection; the duplicate is closed as soon as actix lets the connection go.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::net::Shutdown;
use std::os::fd::AsFd as _;
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::rt::net::TcpStream;
use actix_web::rt::time::sleep_until;

use super::attached_body::WithAttached;

/// The `on_connect` hook for `HttpServer::on_connect`: watch every TCP connection, cutting it
/// off after `limit` without a request in progress.
pub fn watch_connections(limit: Duration) -> impl Fn(&dyn Any, &mut Extensions) + Send + Sync {
    move |io, extensions| {
        let Some(stream) = io.downcast_ref::<TcpStream>() else {
            return;
        };
        // Without a duplicate there is no way to end the connection from outside actix: the
        // connection is served as before, only unwatched (the head of its first request is
        // still timed by actix).
        let Ok(duplicate) = stream.as_fd().try_clone_to_owned() else {
            tracing::warn!("cannot watch a connection: no file descriptor left to duplicate");
            return;
        };
        let watch = Rc::new(Watch {
            in_progress: Cell::new(0),
            idle_since: Cell::new(Instant::now()),
            socket: RefCell::new(Some(std::net::TcpStream::from(duplicate))),
        });
        actix_web::rt::spawn(watchdog(Rc::downgrade(&watch), limit));
        extensions.insert(Watched(watch));
    }
}

/// Marks each request as in progress until its response body is done (or dropped).
///
/// # Errors
/// The inner service's error, unchanged.
pub async fn mark_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let in_progress = req.conn_data::<Watched>().map(|watched| InProgress::start(&watched.0));
    let response = next.call(req).await?;
    Ok(response.map_body(|_, body| WithAttached::new(body, in_progress)))
}

/// What the watchdog and the middleware share about one connection (one worker thread only).
#[derive(Debug)]
struct Watch {
    /// Requests whose response body is not done yet.
    in_progress: Cell<usize>,
    /// When the last request finished (or the connection was accepted).
    idle_since: Cell<Instant>,
    /// The duplicate socket; `None` once the connection is gone or cut off.
    socket: RefCell<Option<std::net::TcpStream>>,
}

impl Watch {
    fn cut_off(&self) {
        if self.shut_down() {
            tracing::info!("closing a connection whose next request did not arrive in time");
        }
    }

    /// Shuts the socket down; false when it was gone already.
    fn shut_down(&self) -> bool {
        let Some(socket) = self.socket.borrow_mut().take() else { return false };
        // Already shut down by the peer: nothing left to do.
        let _ = socket.shutdown(Shutdown::Both);
        true
    }
}

/// Ends the connection a request arrived on, from outside actix: for a response that never
/// finishes on its own and whose reader stopped reading (an event stream), which actix would
/// otherwise keep waiting to write to for ever. Only on the worker that serves the request.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionCutter(Weak<Watch>);

impl ConnectionCutter {
    /// The cutter of `req`'s connection; `None` when connections are not watched (no
    /// keep-alive configured) or its socket could not be duplicated.
    pub(crate) fn of(req: &actix_web::HttpRequest) -> Option<Self> {
        req.conn_data::<Watched>().map(|watched| Self(Rc::downgrade(&watched.0)))
    }

    /// Shuts the connection's socket down: actix sees the end of the stream and drops it.
    pub(crate) fn cut_off(&self) {
        if let Some(watch) = self.0.upgrade() {
            watch.shut_down();
        }
    }
}

/// Lives in the connection's data for as long as actix keeps the connection; dropping it
/// closes the duplicate at once, so a closed connection is not kept open by the watch.
#[derive(Debug)]
struct Watched(Rc<Watch>);

impl Drop for Watched {
    fn drop(&mut self) {
        self.0.socket.borrow_mut().take();
    }
}

/// One request in progress on a watched connection; its drop marks the connection idle.
#[derive(Debug)]
struct InProgress(Rc<Watch>);

impl InProgress {
    fn start(watch: &Rc<Watch>) -> Self {
        watch.in_progress.set(watch.in_progress.get() + 1);
        Self(Rc::clone(watch))
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        let watch = &self.0;
        watch.in_progress.set(watch.in_progress.get().saturating_sub(1));
        watch.idle_since.set(Instant::now());
    }
}

/// Sleeps until the connection could have been idle for `limit`, then cuts it off if it was;
/// ends when the connection is gone.
async fn watchdog(watch: Weak<Watch>, limit: Duration) {
    loop {
        let deadline = {
            let Some(watch) = watch.upgrade() else { return };
            if watch.socket.borrow().is_none() {
                return;
            }
            if watch.in_progress.get() > 0 {
                Instant::now() + limit
            } else {
                watch.idle_since.get() + limit
            }
        };
        sleep_until(deadline.into()).await;
        let Some(watch) = watch.upgrade() else { return };
        if watch.in_progress.get() == 0 && watch.idle_since.get().elapsed() >= limit {
            watch.cut_off();
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch() -> Rc<Watch> {
        Rc::new(Watch {
            in_progress: Cell::new(0),
            idle_since: Cell::new(Instant::now() - Duration::from_secs(60)),
            socket: RefCell::new(None),
        })
    }

    #[test]
    fn a_request_is_in_progress_until_its_guard_is_dropped_and_then_the_idle_clock_restarts() {
        let watch = watch();
        let first = InProgress::start(&watch);
        let second = InProgress::start(&watch);
        assert_eq!(watch.in_progress.get(), 2);
        drop(first);
        assert_eq!(watch.in_progress.get(), 1);
        drop(second);
        assert_eq!(watch.in_progress.get(), 0);
        assert!(watch.idle_since.get().elapsed() < Duration::from_secs(5));
    }

    #[actix_web::test]
    async fn the_watchdog_ends_at_once_when_the_connection_is_already_gone() {
        let watch = watch();
        let weak = Rc::downgrade(&watch);
        drop(watch);
        // Would sleep for an hour if it did not notice.
        actix_web::rt::time::timeout(
            Duration::from_secs(5),
            watchdog(weak, Duration::from_secs(3_600)),
        )
        .await
        .expect("the watchdog returns");
    }
}
