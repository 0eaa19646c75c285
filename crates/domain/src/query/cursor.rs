use std::cmp::Ordering;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::sort::{SortField, SortValue, TaskSort};
use crate::clock::Timestamp;
use crate::id::TaskId;
use crate::model::Task;
use crate::values::{DueDate, Priority, TaskTitle};

/// Why a cursor was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    /// Not a cursor this service issued (or damaged in transit).
    #[error("cursor is malformed")]
    Malformed,
    /// Issued for a different sort order than the one requested.
    #[error("cursor was issued for sort {issued_for}, not {requested}")]
    SortMismatch {
        /// The order the cursor belongs to.
        issued_for: TaskSort,
        /// The order asked for now.
        requested: TaskSort,
    },
}

/// A keyset position in a listing: the sort order, and the sort value and id of the last item
/// of the previous page. The next page holds the items strictly after it, so it stays correct
/// while tasks are inserted and costs the same at any depth.
///
/// On the wire it is an opaque URL-safe string ([`Cursor::encode`]); clients must not build one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor {
    sort: TaskSort,
    value: SortValue,
    id: TaskId,
}

const PREFIX: &str = "v1.";
/// Longest encoded cursor accepted: a 200-character title of 4-byte characters and change.
const MAX_ENCODED_LEN: usize = 1200;

impl Cursor {
    /// The position of `task` in `sort` order.
    #[must_use]
    pub fn after(sort: TaskSort, task: &Task) -> Self {
        Self { value: sort.value_of(task), sort, id: task.id }
    }

    /// The order this cursor belongs to.
    #[must_use]
    pub const fn sort(&self) -> TaskSort {
        self.sort
    }

    /// The sort value of the last item seen.
    #[must_use]
    pub const fn value(&self) -> &SortValue {
        &self.value
    }

    /// The id of the last item seen.
    #[must_use]
    pub const fn id(&self) -> TaskId {
        self.id
    }

    /// True when `task` comes strictly after this position in the cursor's order.
    #[must_use]
    pub fn admits(&self, task: &Task) -> bool {
        self.sort.compare_positions((&self.sort.value_of(task), task.id), (&self.value, self.id))
            == Ordering::Greater
    }

    /// Checks that this cursor belongs to `requested`.
    ///
    /// # Errors
    /// [`CursorError::SortMismatch`] when it was issued for another order.
    pub fn check_sort(&self, requested: TaskSort) -> Result<(), CursorError> {
        if self.sort == requested {
            Ok(())
        } else {
            Err(CursorError::SortMismatch { issued_for: self.sort, requested })
        }
    }

    /// The opaque wire form.
    #[must_use]
    pub fn encode(&self) -> String {
        let value = match &self.value {
            SortValue::CreatedAt(t) => t.unix_micros().to_string(),
            SortValue::Priority(p) => p.rank().to_string(),
            SortValue::DueDate(Some(d)) => d.to_string(),
            SortValue::DueDate(None) => String::from("-"),
            SortValue::Title(t) => t.as_str().to_owned(),
        };
        // The value goes last: a title may hold any printable character, the other parts cannot
        // hold a line feed.
        let plain = format!("{}\n{}\n{}", self.sort, self.id, value);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(plain))
    }

    /// Parses the wire form produced by [`Cursor::encode`].
    ///
    /// # Errors
    /// [`CursorError::Malformed`] for anything that is not such a cursor.
    pub fn decode(s: &str) -> Result<Self, CursorError> {
        if s.len() > MAX_ENCODED_LEN {
            return Err(CursorError::Malformed);
        }
        let body = s.strip_prefix(PREFIX).ok_or(CursorError::Malformed)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| CursorError::Malformed)?;
        let plain = String::from_utf8(bytes).map_err(|_| CursorError::Malformed)?;
        let mut parts = plain.splitn(3, '\n');
        let (Some(sort), Some(id), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CursorError::Malformed);
        };
        let sort = TaskSort::parse(sort).map_err(|_| CursorError::Malformed)?;
        let id: TaskId = id.parse().map_err(|_| CursorError::Malformed)?;
        let value = match sort.field {
            SortField::CreatedAt => value
                .parse::<i64>()
                .ok()
                .and_then(Timestamp::from_unix_micros)
                .map(SortValue::CreatedAt),
            SortField::Priority => {
                value.parse::<u8>().ok().and_then(Priority::from_rank).map(SortValue::Priority)
            }
            SortField::DueDate if value == "-" => Some(SortValue::DueDate(None)),
            SortField::DueDate => DueDate::parse(value).ok().map(|d| SortValue::DueDate(Some(d))),
            // A title is stored trimmed; one that changes under trimming was not issued by us.
            SortField::Title => {
                TaskTitle::parse(value).ok().filter(|t| t.as_str() == value).map(SortValue::Title)
            }
        }
        .ok_or(CursorError::Malformed)?;
        Ok(Self { sort, value, id })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}
