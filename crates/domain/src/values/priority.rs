use std::fmt;
use std::str::FromStr;

/// The text was not one of `low`, `medium`, `high`, `urgent`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("priority must be one of low, medium, high, urgent")]
pub struct PriorityError;

/// How pressing a task is. Ordered: `Low < Medium < High < Urgent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    #[default]
    Medium,
    /// Soon.
    High,
    /// Now.
    Urgent,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Self; 4] = [Self::Low, Self::Medium, Self::High, Self::Urgent];

    /// The wire and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    /// A number that sorts like the priority (1 = low … 4 = urgent), for storage that sorts
    /// numbers faster than names.
    #[must_use]
    pub const fn rank(self) -> u8 {
        match self {
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
            Self::Urgent => 4,
        }
    }

    /// The inverse of [`Self::rank`].
    #[must_use]
    pub const fn from_rank(rank: u8) -> Option<Self> {
        match rank {
            1 => Some(Self::Low),
            2 => Some(Self::Medium),
            3 => Some(Self::High),
            4 => Some(Self::Urgent),
            _ => None,
        }
    }

    /// Parses the wire name (exact, lower case).
    ///
    /// # Errors
    /// [`PriorityError`] for anything else.
    pub fn parse(s: &str) -> Result<Self, PriorityError> {
        Self::ALL.into_iter().find(|p| p.as_str() == s).ok_or(PriorityError)
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = PriorityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
