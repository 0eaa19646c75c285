//! Points in time; the [`crate::ports::Clock`] port produces them.

use std::fmt;

use time::OffsetDateTime;

use super::DueDate;

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
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Self = Self(0);

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
        self.to_string()
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

/// RFC 3339 in UTC, as [`Timestamp::to_rfc3339`]: `YYYY-MM-DDTHH:MM:SS`, then the fraction of
/// a second without trailing zeros (none when it is zero), then `Z`.
///
/// The digits are put into a buffer on the stack and written at once, rather than through
/// `time`'s RFC 3339 formatter, which builds a `String` on every call, or through `write!`,
/// whose per-argument machinery costs more than the digits: a listing writes two timestamps
/// per task, and they were a tenth of a 50-task page's instructions (docs/benchmarks.md). A unit test
/// holds the text to `time`'s formatter over the whole range.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Writes `value` as `width` decimal digits ending just before `end`.
        fn digits(buf: &mut [u8; 27], end: usize, width: usize, mut value: u32) {
            for slot in buf[end - width..end].iter_mut().rev() {
                // `value % 10` is a digit: the cast cannot truncate.
                *slot = b'0' + u8::try_from(value % 10).unwrap_or(0);
                value /= 10;
            }
        }
        let t = self.to_offset_date_time();
        let mut buf = *b"0000-00-00T00:00:00.000000Z";
        // A Timestamp only exists for the years 1 to 9999.
        digits(&mut buf, 4, 4, u32::try_from(t.year()).unwrap_or(0));
        digits(&mut buf, 7, 2, u32::from(u8::from(t.month())));
        digits(&mut buf, 10, 2, u32::from(t.day()));
        digits(&mut buf, 13, 2, u32::from(t.hour()));
        digits(&mut buf, 16, 2, u32::from(t.minute()));
        digits(&mut buf, 19, 2, u32::from(t.second()));
        let mut fraction = t.microsecond();
        let mut len = 19;
        if fraction != 0 {
            let mut width = 6;
            while fraction.is_multiple_of(10) {
                fraction /= 10;
                width -= 1;
            }
            digits(&mut buf, 20 + width, width, fraction);
            len = 20 + width;
        }
        buf[len] = b'Z';
        let text = std::str::from_utf8(&buf[..=len]).map_err(|_| fmt::Error)?;
        f.write_str(text)
    }
}

#[cfg(test)]
mod tests {
    use time::format_description::well_known::Rfc3339;

    use super::*;

    #[test]
    fn a_timestamp_is_written_as_rfc3339_in_utc() {
        let t = Timestamp::from_unix_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(t.to_rfc3339(), "2023-11-14T22:13:20.123456Z");
        assert_eq!(t.date().to_string(), "2023-11-14");
    }

    #[test]
    fn the_hand_written_text_is_what_times_rfc3339_formatter_writes() {
        let first = OffsetDateTime::from_unix_timestamp(-62_135_596_800).unwrap(); // 0001-01-01
        let last = OffsetDateTime::from_unix_timestamp(253_402_300_799).unwrap(); // 9999-12-31
        let (low, high) = (first.unix_timestamp() * 1_000_000, last.unix_timestamp() * 1_000_000);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut samples = vec![low, high + 999_999, 0, -1, 1, 1_000_000, 1_767_225_600_100_000];
        for _ in 0..20_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let span = u64::try_from(high - low).unwrap();
            let micros = low + i64::try_from((x >> 1) % span).unwrap();
            // Every number of trailing zeros in the fraction, including a whole second.
            let rounding = 10_i64.pow(u32::try_from(x % 7).unwrap());
            samples.push(micros - micros.rem_euclid(rounding));
        }
        for micros in samples {
            let t = Timestamp::from_unix_micros(micros).unwrap();
            let by_time = t.to_offset_date_time().format(&Rfc3339).unwrap();
            assert_eq!(t.to_string(), by_time, "{micros}");
        }
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
}
