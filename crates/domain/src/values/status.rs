use std::fmt;
use std::str::FromStr;

/// The text was not one of `todo`, `in_progress`, `done`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status must be one of todo, in_progress, done")]
pub struct StatusError;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Status {
    /// Not started (the default).
    #[default]
    Todo,
    /// Being worked on.
    InProgress,
    /// Finished.
    Done,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Self; 3] = [Self::Todo, Self::InProgress, Self::Done];

    /// The wire and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Todo => "todo",
            Self::InProgress => "in_progress",
            Self::Done => "done",
        }
    }

    /// True for statuses that still need work (everything but [`Status::Done`]).
    #[must_use]
    pub const fn is_open(self) -> bool {
        !matches!(self, Self::Done)
    }

    /// Parses the wire name (exact, lower case).
    ///
    /// # Errors
    /// [`StatusError`] for anything else.
    pub fn parse(s: &str) -> Result<Self, StatusError> {
        Self::ALL.into_iter().find(|p| p.as_str() == s).ok_or(StatusError)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = StatusError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
