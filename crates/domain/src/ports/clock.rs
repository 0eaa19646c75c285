//! The clock port and the real clock.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::values::Timestamp;

/// The source of the current time.
///
/// Services never read the system clock themselves: tests inject a fixed or stepping clock
/// (see `testing::FixedClock`) instead of sleeping.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The real clock: the operating system's wall-clock time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Timestamp::from_unix_micros(micros).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_is_after_2020() {
        assert!(SystemClock.now().unix_micros() > 1_577_836_800_000_000);
    }
}
