use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

/// The text was not a calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("date must be a calendar date written YYYY-MM-DD")]
pub struct DueDateError;

/// A calendar date (no time, no zone) between 0001-01-01 and 9999-12-31, written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DueDate(Date);

impl DueDate {
    /// The latest date accepted, 9999-12-31.
    pub const MAX: Self = Self(match Date::from_calendar_date(9999, Month::December, 31) {
        Ok(d) => d,
        Err(_) => Date::MAX,
    });

    /// Parses exactly `YYYY-MM-DD` (ISO 8601 extended, four-digit year), checking the calendar.
    ///
    /// # Errors
    /// [`DueDateError`] for any other shape or an impossible date such as `2026-02-30`.
    pub fn parse(s: &str) -> Result<Self, DueDateError> {
        let bytes = s.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DueDateError);
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32, DueDateError> {
            let part = &bytes[range];
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(DueDateError);
            }
            Ok(part.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
        };
        let year = i32::try_from(number(0..4)?).map_err(|_| DueDateError)?;
        let month = u8::try_from(number(5..7)?).map_err(|_| DueDateError)?;
        let day = u8::try_from(number(8..10)?).map_err(|_| DueDateError)?;
        Self::from_ymd(year, month, day)
    }

    /// Builds a date from its parts.
    ///
    /// # Errors
    /// [`DueDateError`] for an impossible date or a year outside 1–9999.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Self, DueDateError> {
        if !(1..=9999).contains(&year) {
            return Err(DueDateError);
        }
        let month = Month::try_from(month).map_err(|_| DueDateError)?;
        Date::from_calendar_date(year, month, day).map(Self).map_err(|_| DueDateError)
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month, 1–12.
    #[must_use]
    pub fn month(self) -> u8 {
        u8::from(self.0.month())
    }

    /// The day of the month, 1–31.
    #[must_use]
    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// Days since 1970-01-01 (negative before), a compact sortable form for storage.
    #[must_use]
    pub fn days_since_epoch(self) -> i32 {
        self.0.to_julian_day() - 2_440_588
    }

    /// The inverse of [`Self::days_since_epoch`].
    #[must_use]
    pub fn from_days_since_epoch(days: i32) -> Option<Self> {
        let date = Date::from_julian_day(days.checked_add(2_440_588)?).ok()?;
        (1..=9999).contains(&date.year()).then_some(Self(date))
    }
}

impl fmt::Display for DueDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }
}

impl FromStr for DueDate {
    type Err = DueDateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_are_refused() {
        for bad in
            ["2026-02-30", "2026-13-01", "2026-00-10", "0000-01-01", "2026-1-01", "+026-01-01"]
        {
            assert_eq!(DueDate::parse(bad), Err(DueDateError), "{bad}");
        }
        assert!(DueDate::parse("2024-02-29").is_ok());
    }

    #[test]
    fn days_since_epoch_round_trips() {
        let d = DueDate::parse("1970-01-02").unwrap();
        assert_eq!(d.days_since_epoch(), 1);
        assert_eq!(DueDate::from_days_since_epoch(1), Some(d));
    }
}
