//! Listing: filters, sort orders, keyset cursors and pages — the query language of the
//! task list (and the category list's cursor), defined once so every adapter answers it
//! identically.

mod category_cursor;
mod cursor;
mod filter;
mod sort;

pub use category_cursor::{CategoryCursor, CategoryCursorError};
pub use cursor::{Cursor, CursorCodec, CursorError};
pub use filter::{TaskFilter, Visibility};
pub use sort::{SortDirection, SortField, SortValue, TaskSort, TaskSortError};

use crate::values::PageLimit;

/// What a [`crate::ports::TaskRepository::list`] call asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// Which tasks the caller may see at all.
    pub visibility: Visibility,
    /// Conditions every returned task meets.
    pub filter: TaskFilter,
    /// The order of the results.
    pub sort: TaskSort,
    /// Continue strictly after this position; `None` for the first page.
    pub after: Option<Cursor>,
    /// The most tasks to return. Services ask for one more than the page size to learn
    /// whether another page follows.
    pub fetch: usize,
}

/// A listing request as the use case receives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListTasks {
    /// Conditions every returned task meets.
    pub filter: TaskFilter,
    /// The order of the results.
    pub sort: TaskSort,
    /// The cursor from the previous page, if any.
    pub after: Option<Cursor>,
    /// Page size.
    pub limit: PageLimit,
}

/// One page of a keyset-paginated listing; `C` is the position type the next page starts
/// after (a [`Cursor`] for tasks, the last id or name for simpler listings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C = Cursor> {
    /// The items, in the requested order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<C>,
}
