use std::cmp::Ordering;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::sort::{SortField, SortValue, TaskSort};
use crate::id::TaskId;
use crate::model::Task;
use crate::ports::CursorSealer;
use crate::values::Timestamp;
use crate::values::{DueDate, Priority, TaskTitle};

/// Why a cursor was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    /// Not a cursor this service issued (altered, damaged in transit, issued by an earlier
    /// release or under a signing key the service no longer holds).
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
/// On the wire it is an opaque, sealed, URL-safe string ([`CursorCodec`]); clients cannot build
/// one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor {
    sort: TaskSort,
    value: SortValue,
    id: TaskId,
}

/// What every cursor on the wire starts with: the version of the format, so a later format
/// can be told apart (and the `v1.` cursors of earlier releases are refused as malformed).
const PREFIX: &str = "v2.";
/// Longest encoded cursor accepted: a 200-character title of 4-byte characters, sealed, and
/// change.
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

    /// The compact binary form a [`CursorCodec`] seals: the sort order (one byte), the id (16
    /// bytes), then the sort value — microseconds (8 bytes), a priority rank (1 byte), a due
    /// date (`0`, or `1` and days since 1970 in 4 bytes) or the title's UTF-8 (the rest).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let sort = TaskSort::ALL.iter().position(|s| *s == self.sort).unwrap_or_default();
        let mut out = Vec::with_capacity(32);
        out.push(u8::try_from(sort).unwrap_or_default());
        out.extend_from_slice(&self.id.to_bytes());
        match &self.value {
            SortValue::CreatedAt(t) => out.extend_from_slice(&t.unix_micros().to_be_bytes()),
            SortValue::Priority(p) => out.push(p.rank()),
            SortValue::DueDate(None) => out.push(0),
            SortValue::DueDate(Some(d)) => {
                out.push(1);
                out.extend_from_slice(&d.days_since_epoch().to_be_bytes());
            }
            SortValue::Title(t) => out.extend_from_slice(t.as_str().as_bytes()),
        }
        out
    }

    /// Reads the form [`Cursor::to_bytes`] writes.
    ///
    /// # Errors
    /// [`CursorError::Malformed`] for anything else: an unknown sort, a short id, a value of
    /// the wrong size or out of range, a title the domain would not store.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CursorError> {
        let (&sort, rest) = bytes.split_first().ok_or(CursorError::Malformed)?;
        let sort = *TaskSort::ALL.get(usize::from(sort)).ok_or(CursorError::Malformed)?;
        let (id, value) = rest.split_at_checked(16).ok_or(CursorError::Malformed)?;
        let id = TaskId::from_bytes(id.try_into().map_err(|_| CursorError::Malformed)?);
        let value = match (sort.field, value) {
            (SortField::CreatedAt, micros) => <[u8; 8]>::try_from(micros)
                .ok()
                .and_then(|m| Timestamp::from_unix_micros(i64::from_be_bytes(m)))
                .map(SortValue::CreatedAt),
            (SortField::Priority, &[rank]) => Priority::from_rank(rank).map(SortValue::Priority),
            (SortField::DueDate, &[0]) => Some(SortValue::DueDate(None)),
            (SortField::DueDate, [1, days @ ..]) => <[u8; 4]>::try_from(days)
                .ok()
                .and_then(|d| DueDate::from_days_since_epoch(i32::from_be_bytes(d)))
                .map(|d| SortValue::DueDate(Some(d))),
            // A title is stored trimmed; one that changes under trimming was not issued by us.
            (SortField::Title, title) => std::str::from_utf8(title)
                .ok()
                .and_then(|t| TaskTitle::parse(t).ok().filter(|parsed| parsed.as_str() == t))
                .map(SortValue::Title),
            _ => None,
        }
        .ok_or(CursorError::Malformed)?;
        Ok(Self { sort, value, id })
    }
}

/// Writes cursors for the wire and reads them back: `v2.` and the URL-safe base64 (without
/// padding) of the [`Cursor::to_bytes`] form sealed by a [`CursorSealer`].
///
/// Sealed, a cursor is opaque — a title-sorted listing's cursor does not carry the last title
/// in clear text into URLs, proxy logs and browser histories — and cannot be altered: a
/// changed character is a refusal, not a jump to another position.
#[derive(Debug, Clone)]
pub struct CursorCodec {
    sealer: Arc<dyn CursorSealer>,
}

impl CursorCodec {
    /// A codec sealing with `sealer`.
    #[must_use]
    pub fn new(sealer: Arc<dyn CursorSealer>) -> Self {
        Self { sealer }
    }

    /// The wire form of `cursor`.
    #[must_use]
    pub fn encode(&self, cursor: &Cursor) -> String {
        let sealed = self.sealer.seal(&cursor.to_bytes());
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed))
    }

    /// The cursor `wire` holds, if this service sealed it.
    ///
    /// # Errors
    /// [`CursorError::Malformed`] for anything [`CursorCodec::encode`] did not produce under a
    /// key the sealer still holds.
    pub fn decode(&self, wire: &str) -> Result<Cursor, CursorError> {
        if wire.len() > MAX_ENCODED_LEN {
            return Err(CursorError::Malformed);
        }
        let body = wire.strip_prefix(PREFIX).ok_or(CursorError::Malformed)?;
        let sealed = URL_SAFE_NO_PAD.decode(body).map_err(|_| CursorError::Malformed)?;
        let plain = self.sealer.open(&sealed).ok_or(CursorError::Malformed)?;
        Cursor::from_bytes(&plain)
    }
}
