//! Identifiers: UUIDv7 newtypes, so ids sort by creation time and cannot be mixed up.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The text given for an identifier is not a UUID in its canonical hyphenated form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id: expected a UUID such as 0192f1c4-7c3a-7d2e-9b41-3c5d6e7f8a9b")]
pub struct IdError;

/// Where the canonical form has its hyphens.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// Parses a UUID written the one way ids are written out: 36 characters, `8-4-4-4-12`
/// hexadecimal digits. Upper-case digits are accepted (case carries no meaning in
/// hexadecimal); braces, a `urn:uuid:` prefix or missing hyphens are not. Every spelling the
/// service accepts is then one it could have printed itself, so an id that reaches a log, a
/// cache key or a comparison has a single textual form.
fn parse_canonical(s: &str) -> Result<Uuid, IdError> {
    let bytes = s.as_bytes();
    let canonical = bytes.len() == 36
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| if HYPHENS.contains(&i) { *b == b'-' } else { b.is_ascii_hexdigit() });
    if !canonical {
        return Err(IdError);
    }
    Uuid::try_parse(s).map_err(|_| IdError)
}

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

            /// Parses the canonical hyphenated form only (`8-4-4-4-12` hexadecimal digits, either
            /// case); see `parse_canonical`.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_canonical(s).map(Self)
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
    fn only_the_canonical_hyphenated_form_is_an_id() {
        let id = TaskId::new();
        let text = id.to_string();
        assert_eq!(text, text.to_lowercase(), "ids are written in lower case");
        assert_eq!(text.to_uppercase().parse::<TaskId>(), Ok(id), "either case is accepted");
        let simple = text.replace('-', "");
        for other in [
            format!("{{{text}}}"),
            format!("urn:uuid:{text}"),
            simple.clone(),
            format!(" {text}"),
            format!("{text} "),
            format!("{}-{}", &simple[..8], &simple[8..]),
        ] {
            assert_eq!(other.parse::<TaskId>(), Err(IdError), "{other}");
        }
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert_eq!("not-a-uuid".parse::<UserId>(), Err(IdError));
        assert_eq!("".parse::<UserId>(), Err(IdError));
    }
}
