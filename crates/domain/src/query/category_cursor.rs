use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::model::Category;
use crate::values::CategoryName;

/// Why a category cursor was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cursor is malformed")]
pub struct CategoryCursorError;

/// A keyset position in the category listing (name order ignoring case): the name of the last
/// category of the previous page. The next page holds the categories whose name comes strictly
/// after it, so it stays correct while categories are added, renamed or deleted, and costs the
/// same at any depth.
///
/// On the wire it is an opaque URL-safe string ([`CategoryCursor::encode`]), written like the
/// task listing's cursors; clients must not build one. It carries nothing the holder cannot
/// read anyway (every authenticated user may list every category), and a hand-made one only
/// moves the position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategoryCursor {
    after: CategoryName,
}

/// Tells a category cursor apart from a task cursor (`v1.`) and from later versions.
const PREFIX: &str = "c1.";

impl CategoryCursor {
    /// The longest wire form [`Self::decode`] accepts: a 50-character name of 4-byte
    /// characters, encoded, and change.
    pub const MAX_ENCODED_LEN: usize = 300;

    /// The position of `category`.
    #[must_use]
    pub fn after(category: &Category) -> Self {
        Self { after: category.name.clone() }
    }

    /// The name the next page starts after.
    #[must_use]
    pub const fn name(&self) -> &CategoryName {
        &self.after
    }

    /// The opaque wire form.
    #[must_use]
    pub fn encode(&self) -> String {
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(self.after.as_str()))
    }

    /// Parses the wire form produced by [`CategoryCursor::encode`].
    ///
    /// # Errors
    /// [`CategoryCursorError`] for anything that is not such a cursor.
    pub fn decode(s: &str) -> Result<Self, CategoryCursorError> {
        if s.len() > Self::MAX_ENCODED_LEN {
            return Err(CategoryCursorError);
        }
        let body = s.strip_prefix(PREFIX).ok_or(CategoryCursorError)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| CategoryCursorError)?;
        let text = String::from_utf8(bytes).map_err(|_| CategoryCursorError)?;
        // A name is stored trimmed; one that changes under parsing was not issued by us.
        let after = CategoryName::parse(&text)
            .ok()
            .filter(|n| n.as_str() == text)
            .ok_or(CategoryCursorError)?;
        Ok(Self { after })
    }
}

impl fmt::Display for CategoryCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(name: &str) -> CategoryCursor {
        CategoryCursor { after: CategoryName::parse(name).unwrap() }
    }

    #[test]
    fn a_cursor_round_trips_through_its_wire_form() {
        for name in ["Bug", "Überprüfung", "a b/c?d=e&f", "🐛 emoji"] {
            let c = cursor(name);
            let wire = c.encode();
            assert!(wire.starts_with("c1."), "{wire}");
            assert!(wire.chars().all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch)));
            assert_eq!(CategoryCursor::decode(&wire), Ok(c), "{name}");
        }
    }

    #[test]
    fn anything_else_is_malformed() {
        let task_cursor = format!("v1.{}", URL_SAFE_NO_PAD.encode("created_at\nx\n1"));
        let untrimmed = format!("c1.{}", URL_SAFE_NO_PAD.encode(" Bug "));
        let empty = format!("c1.{}", URL_SAFE_NO_PAD.encode(""));
        let too_long = format!("c1.{}", URL_SAFE_NO_PAD.encode("x".repeat(51)));
        let not_utf8 = format!("c1.{}", URL_SAFE_NO_PAD.encode([0xff, 0xfe]));
        for bad in
            ["", "c1.", "c1.!!!", "Bug", &task_cursor, &untrimmed, &empty, &too_long, &not_utf8]
        {
            assert_eq!(CategoryCursor::decode(bad), Err(CategoryCursorError), "{bad:?}");
        }
        assert_eq!(CategoryCursor::decode(&"c".repeat(10_000)), Err(CategoryCursorError));
    }
}
