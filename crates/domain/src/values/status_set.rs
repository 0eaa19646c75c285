use std::fmt;
use std::str::FromStr;

use super::Status;

/// The text was not a comma-separated list of `todo`, `in_progress` and `done`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status must be one or more of todo, in_progress, done, separated by commas")]
pub struct StatusSetError;

/// One or more statuses: what a listing's `status` filter accepts (`todo,in_progress`).
///
/// Never empty (an empty set would match nothing, which no caller means). Its text form lists
/// the statuses in workflow order, separated by commas, whatever order they were given in.
///
/// ```
/// use taskforge_domain::values::{Status, StatusSet};
///
/// let open = StatusSet::parse("in_progress,todo").unwrap();
/// assert!(open.contains(Status::Todo) && !open.contains(Status::Done));
/// assert_eq!(open.to_string(), "todo,in_progress");
/// assert_eq!(StatusSet::from(Status::Done).single(), Some(Status::Done));
/// assert_eq!(StatusSet::only(Status::Todo).with(Status::InProgress), open);
/// assert!(StatusSet::parse("todo,").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusSet(u8);

impl StatusSet {
    /// Every status.
    pub const ALL: Self = Self(0b111);

    const fn bit(status: Status) -> u8 {
        match status {
            Status::Todo => 1,
            Status::InProgress => 2,
            Status::Done => 4,
        }
    }

    /// The set of `status` alone.
    #[must_use]
    pub const fn only(status: Status) -> Self {
        Self(Self::bit(status))
    }

    /// This set and `status`.
    #[must_use]
    pub const fn with(self, status: Status) -> Self {
        Self(self.0 | Self::bit(status))
    }

    /// True when `status` is in the set.
    #[must_use]
    pub const fn contains(self, status: Status) -> bool {
        self.0 & Self::bit(status) != 0
    }

    /// The status when the set holds exactly one.
    #[must_use]
    pub fn single(self) -> Option<Status> {
        let mut members = self.iter();
        match (members.next(), members.next()) {
            (Some(status), None) => Some(status),
            _ => None,
        }
    }

    /// How many statuses the set holds (1 to 3).
    #[must_use]
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Always false: a set holds at least one status (present for API symmetry with `len`).
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The statuses of the set, in workflow order.
    pub fn iter(self) -> impl Iterator<Item = Status> {
        Status::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// Parses wire names separated by commas (`todo,in_progress`); a name given twice counts
    /// once.
    ///
    /// # Errors
    /// [`StatusSetError`] for an empty text, an empty item or an unknown name.
    pub fn parse(s: &str) -> Result<Self, StatusSetError> {
        let mut bits = 0;
        for name in s.split(',') {
            bits |= Self::bit(Status::parse(name).map_err(|_| StatusSetError)?);
        }
        Ok(Self(bits))
    }
}

impl From<Status> for StatusSet {
    fn from(status: Status) -> Self {
        Self::only(status)
    }
}

impl fmt::Display for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, status) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(status.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for StatusSet {
    type Err = StatusSetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_names_parses_in_any_order_and_prints_in_workflow_order() {
        let set = StatusSet::parse("done,todo,done").unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set.to_string(), "todo,done");
        assert_eq!(set.single(), None);
        assert_eq!(StatusSet::parse("todo,in_progress,done").unwrap(), StatusSet::ALL);
        assert_eq!(StatusSet::parse("in_progress").unwrap().single(), Some(Status::InProgress));
    }

    #[test]
    fn empty_items_and_unknown_names_are_refused() {
        for bad in ["", ",", "todo,", ",done", "todo,,done", "Todo", "todo, done", "later"] {
            assert_eq!(StatusSet::parse(bad), Err(StatusSetError), "{bad:?}");
        }
    }

    #[test]
    fn a_set_round_trips_through_its_text() {
        for bits in 1..=7_u8 {
            let set = StatusSet(bits);
            assert_eq!(StatusSet::parse(&set.to_string()), Ok(set));
            assert!(!set.is_empty());
        }
    }
}
