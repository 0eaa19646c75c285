//! Identifiers: UUIDv7 newtypes, so ids sort by creation time and cannot be mixed up.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The text given for an identifier is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id: expected a UUID")]
pub struct IdError;

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh UUIDv7 identifier: time-ordered, monotonic within this process.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID, e.g. one read back from storage.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// The 16 bytes of the UUID, big-endian, as stored by byte-oriented adapters.
            #[must_use]
            pub const fn to_bytes(self) -> [u8; 16] {
                *self.0.as_bytes()
            }

            /// Rebuilds an id from the bytes produced by [`Self::to_bytes`].
            #[must_use]
            pub const fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            /// Parses the canonical hyphenated form (other UUID spellings are accepted too).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| IdError)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

define_id!(
    /// Identifies a [`crate::Task`].
    TaskId
);
define_id!(
    /// Identifies a [`crate::Project`].
    ProjectId
);
define_id!(
    /// Identifies a [`crate::User`].
    UserId
);
define_id!(
    /// Identifies a [`crate::Category`].
    CategoryId
);
define_id!(
    /// Identifies a family of rotated refresh tokens (one login, all its rotations).
    TokenFamilyId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_created_later_sort_later() {
        let first = TaskId::new();
        let second = TaskId::new();
        assert!(first < second);
    }

    #[test]
    fn an_id_round_trips_through_its_text_and_bytes() {
        let id = ProjectId::new();
        assert_eq!(id.to_string().parse::<ProjectId>(), Ok(id));
        assert_eq!(ProjectId::from_bytes(id.to_bytes()), id);
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert_eq!("not-a-uuid".parse::<UserId>(), Err(IdError));
        assert_eq!("".parse::<UserId>(), Err(IdError));
    }
}
