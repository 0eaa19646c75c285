//! Points in time and the [`Clock`] port that produces them.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::values::DueDate;

/// A UTC instant with microsecond precision.
///
/// Microseconds, not nanoseconds: every adapter can store this exactly as a 64-bit integer,
/// so a value read back from storage equals the value written (the contract suite relies on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// 0001-01-01T00:00:00Z, the earliest instant RFC 3339 can write, in Unix microseconds.
const MIN_MICROS: i64 = -62_135_596_800_000_000;
/// 9999-12-31T23:59:59.999999Z, the latest instant RFC 3339 can write, in Unix microseconds.
const MAX_MICROS: i64 = 253_402_300_799_999_999;

impl Timestamp {
    /// The instant `micros` microseconds after 1970-01-01T00:00:00Z (negative: before it).
    ///
    /// Returns `None` outside the years 1 to 9999, which RFC 3339 cannot write.
    #[must_use]
    pub fn from_unix_micros(micros: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
            .ok()
            .filter(|t| (1..=9999).contains(&t.year()))
            .map(|_| Self(micros))
    }

    /// Microseconds since the Unix epoch.
    #[must_use]
    pub const fn unix_micros(self) -> i64 {
        self.0
    }

    /// The calendar date of this instant in UTC; used to decide whether a task is overdue.
    #[must_use]
    pub fn date(self) -> DueDate {
        let date = self.to_offset_date_time().date();
        // A Timestamp only exists for years 1..=9999, which DueDate accepts.
        DueDate::from_ymd(date.year(), u8::from(date.month()), date.day()).unwrap_or(DueDate::MAX)
    }

    /// RFC 3339 in UTC with a `Z` suffix, e.g. `2026-11-22T09:30:00.123456Z`.
    #[must_use]
    pub fn to_rfc3339(self) -> String {
        self.to_offset_date_time()
            .format(&Rfc3339)
            .unwrap_or_else(|_| String::from("invalid-timestamp"))
    }

    /// This instant plus `micros` microseconds (minus, when negative), saturating at the
    /// representable range: a sum past 9999-12-31T23:59:59.999999Z is that instant, and one
    /// before 0001-01-01T00:00:00Z is that one. An expiry computed from a huge lifetime is
    /// therefore "never" rather than "now".
    #[must_use]
    pub fn plus_micros(self, micros: i64) -> Self {
        Self(self.0.saturating_add(micros).clamp(MIN_MICROS, MAX_MICROS))
    }

    fn to_offset_date_time(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

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
        Timestamp::from_unix_micros(micros).unwrap_or(Timestamp(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_is_written_as_rfc3339_in_utc() {
        let t = Timestamp::from_unix_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(t.to_rfc3339(), "2023-11-14T22:13:20.123456Z");
        assert_eq!(t.date().to_string(), "2023-11-14");
    }

    #[test]
    fn out_of_range_instants_are_refused() {
        assert!(Timestamp::from_unix_micros(i64::MAX).is_none());
        assert!(Timestamp::from_unix_micros(i64::MIN).is_none());
    }

    #[test]
    fn the_representable_range_ends_exactly_at_years_1_and_9999() {
        let first = Timestamp::from_unix_micros(MIN_MICROS).unwrap();
        let last = Timestamp::from_unix_micros(MAX_MICROS).unwrap();
        assert_eq!(first.to_rfc3339(), "0001-01-01T00:00:00Z");
        assert_eq!(last.to_rfc3339(), "9999-12-31T23:59:59.999999Z");
        assert!(Timestamp::from_unix_micros(MIN_MICROS - 1).is_none());
        assert!(Timestamp::from_unix_micros(MAX_MICROS + 1).is_none());
    }

    #[test]
    fn plus_micros_adds_and_subtracts_within_the_range() {
        let t = Timestamp::from_unix_micros(1_700_000_000_000_000).unwrap();
        assert_eq!(t.plus_micros(1_500_000).unix_micros(), 1_700_000_001_500_000);
        assert_eq!(t.plus_micros(-1_500_000).unix_micros(), 1_699_999_998_500_000);
        assert_eq!(t.plus_micros(0), t);
    }

    #[test]
    fn plus_micros_saturates_at_the_ends_of_the_range_instead_of_returning_the_start() {
        let t = Timestamp::from_unix_micros(1_700_000_000_000_000).unwrap();
        let last = Timestamp::from_unix_micros(MAX_MICROS).unwrap();
        let first = Timestamp::from_unix_micros(MIN_MICROS).unwrap();
        // Past the end, also when the i64 sum itself would overflow.
        assert_eq!(t.plus_micros(MAX_MICROS), last);
        assert_eq!(t.plus_micros(i64::MAX), last);
        assert_eq!(last.plus_micros(1), last);
        // Before the start.
        assert_eq!(t.plus_micros(2 * MIN_MICROS), first);
        assert_eq!(t.plus_micros(i64::MIN), first);
        assert_eq!(first.plus_micros(-1), first);
        // Every result is writable.
        assert_eq!(t.plus_micros(i64::MAX).to_rfc3339(), "9999-12-31T23:59:59.999999Z");
    }

    #[test]
    fn the_system_clock_is_after_2020() {
        assert!(SystemClock.now().unix_micros() > 1_577_836_800_000_000);
    }
}
