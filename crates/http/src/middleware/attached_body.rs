//! A response body that keeps something alive until the body is done or dropped — the
//! request body it must not let go of (`unread_body.rs`), the mark that a request is still in
//! progress (`connection_watch.rs`). actix drops a response body once it has written the last
//! byte into its buffer, or when the connection goes.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::web::Bytes;

/// `body`, with `attached` dropped together with it.
pub(crate) struct WithAttached<T> {
    body: BoxBody,
    _attached: T,
}

impl<T> WithAttached<T> {
    /// `body`, keeping `attached` until it is done. `boxed` keeps a complete body (most
    /// answers) as bytes, without an allocation.
    pub(crate) fn new(body: impl MessageBody + 'static, attached: T) -> Self {
        Self { body: body.boxed(), _attached: attached }
    }
}

impl<T: Unpin> MessageBody for WithAttached<T> {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}
