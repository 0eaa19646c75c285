//! The settings of the live event streams (`GET /api/v1/events`, ADR 0025).

use taskforge_http::EventStreamSettings;

use super::{ConfigError, refuse};
use crate::cli::ServeArgs;
use crate::duration::parse_duration;

/// The event-stream settings of `args`.
///
/// # Errors
/// A [`ConfigError`] naming the first unusable variable.
pub fn from_args(args: &ServeArgs) -> Result<EventStreamSettings, ConfigError> {
    let heartbeat = parse_duration(&args.events_heartbeat)
        .map_err(|m| refuse("TASKFORGE_EVENTS_HEARTBEAT", m))?;
    Ok(EventStreamSettings {
        heartbeat,
        queue: count(&args.events_queue, "TASKFORGE_EVENTS_QUEUE", 1, 10_000)?,
        per_user: count(
            &args.events_max_streams_per_user,
            "TASKFORGE_EVENTS_MAX_STREAMS_PER_USER",
            1,
            10_000,
        )?,
        total: count(&args.events_max_streams, "TASKFORGE_EVENTS_MAX_STREAMS", 1, 1_000_000)?,
        max_age: parse_duration(&args.events_max_age)
            .map_err(|m| refuse("TASKFORGE_EVENTS_MAX_AGE", m))?,
    })
}

fn count(raw: &str, variable: &'static str, min: usize, max: usize) -> Result<usize, ConfigError> {
    raw.trim().parse::<usize>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
        refuse(variable, format!("{raw:?} is not a whole number from {min} to {max}"))
    })
}
