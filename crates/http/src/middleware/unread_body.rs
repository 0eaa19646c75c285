//! A request body the server did not read to its end closes the connection after the
//! response, instead of being drained.
//!
//! Why: when a handler drops a *chunked* request body unread (a 413 at the body limit, a 401
//! before the body matters, a route that takes no body), actix-http keeps the connection and
//! reads the rest of the body to throw it away — all of it, however long, with no timer. An
//! endless chunked stream would be read for ever. When the body is still held, unfinished,
//! while the response goes out, actix instead answers with `Connection: close`, discards what
//! still arrives for at most the client disconnect timeout (so the client can read the
//! answer), and closes. This layer holds the body until the response body is done.
//!
//! A body that was read to its end (or fully received) changes nothing: the connection stays
//! open for the next request.

use std::cell::RefCell;
use std::fmt;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage as _, HttpResponse, ResponseError};
use futures_util::Stream;

use super::attached_body::WithAttached;

type Shared = Rc<RefCell<Payload>>;

/// The middleware function.
///
/// # Errors
/// The inner service's error, wrapped so that the response it renders holds the body too.
pub async fn hold_unread_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let held = match req.take_payload() {
        Payload::None => None,
        payload => {
            let shared: Shared = Rc::new(RefCell::new(payload));
            req.set_payload(Payload::Stream { payload: Box::pin(SharedBody(Rc::clone(&shared))) });
            Some(shared)
        }
    };
    match next.call(req).await {
        Ok(response) => Ok(response.map_body(|_, body| WithAttached::new(body, held))),
        // The request is not ours to keep across the inner call (see `headers.rs`), so the
        // error cannot become a `ServiceResponse` here; its rendered response holds the body
        // in its extensions, which live until actix has decided about the connection.
        Err(inner) => Err(HoldingError { inner, held: RefCell::new(held) }.into()),
    }
}

/// The handler's view of the body: reads through the shared payload.
struct SharedBody(Shared);

impl Stream for SharedBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut *self.0.borrow_mut()).poll_next(cx)
    }
}

/// An inner error whose response holds the request body.
struct HoldingError {
    inner: Error,
    held: RefCell<Option<Shared>>,
}

impl fmt::Debug for HoldingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for HoldingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl ResponseError for HoldingError {
    fn status_code(&self) -> StatusCode {
        self.inner.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.inner.error_response();
        if let Some(held) = self.held.borrow_mut().take() {
            response.extensions_mut().insert(held);
        }
        response
    }
}
