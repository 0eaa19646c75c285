//! Middleware, outermost first: connection watch → unread-body holder → HEAD as GET → request id → security
//! headers → tracing and metrics → panic catcher → head limits → CORS → routes. Each file holds
//! one concern; `app.rs` stacks them.

mod attached_body;
pub mod catch_panic;
pub mod connection_watch;
pub mod cors;
pub mod head;
pub mod head_limits;
pub mod headers;
pub mod observe;
pub mod request_id;
pub mod security_headers;
pub mod unread_body;
