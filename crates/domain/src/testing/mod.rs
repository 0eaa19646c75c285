//! Test support for this crate's users: deterministic clocks, an event recorder and the
//! repository contract suite every adapter runs.

mod clock;
pub mod contract;
mod publisher;

pub use clock::{FixedClock, SteppingClock};
pub use publisher::RecordingPublisher;
