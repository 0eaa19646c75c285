use std::sync::Mutex;

use taskforge_domain::ports::Clock;
use taskforge_domain::values::Timestamp;

/// A clock that always says the same instant (until told otherwise).
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    /// A clock stopped at `at`.
    #[must_use]
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    /// A clock stopped at 2026-01-01T00:00:00Z.
    #[must_use]
    pub fn default_instant() -> Self {
        Self::new(
            Timestamp::from_unix_micros(1_767_225_600_000_000).unwrap_or_else(|| unreachable!()),
        )
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    /// Moves the clock forward by `micros`.
    pub fn advance(&self, micros: i64) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now = now.plus_micros(micros);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A clock that advances by a fixed step every time it is read, so successive events get
/// distinct, increasing timestamps without sleeping.
#[derive(Debug)]
pub struct SteppingClock {
    next: Mutex<Timestamp>,
    step_micros: i64,
}

impl SteppingClock {
    /// Starts at `start` and steps by `step_micros` per reading.
    #[must_use]
    pub fn new(start: Timestamp, step_micros: i64) -> Self {
        Self { next: Mutex::new(start), step_micros }
    }
}

impl Clock for SteppingClock {
    fn now(&self) -> Timestamp {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let now = *next;
        *next = now.plus_micros(self.step_micros);
        now
    }
}
