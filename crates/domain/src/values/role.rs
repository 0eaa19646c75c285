use std::fmt;
use std::str::FromStr;

/// The text was not one of `admin`, `editor`, `viewer`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role must be one of admin, editor, viewer")]
pub struct RoleError;

/// What a user may do; see [`crate::policy`] for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including managing users and roles.
    Admin,
    /// Creates projects and categories; changes tasks of projects they belong to.
    Editor,
    /// Reads tasks of projects they belong to.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 3] = [Self::Admin, Self::Editor, Self::Viewer];

    /// The wire and storage name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    /// Parses the wire name (exact, lower case).
    ///
    /// # Errors
    /// [`RoleError`] for anything else.
    pub fn parse(s: &str) -> Result<Self, RoleError> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or(RoleError)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
