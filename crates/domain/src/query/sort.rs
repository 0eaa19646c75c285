use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::model::Task;
use crate::values::Timestamp;
use crate::values::{DueDate, Priority, TaskTitle};

/// The field a listing is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortField {
    /// Creation time.
    CreatedAt,
    /// Priority, `low` < `urgent`.
    Priority,
    /// Due date; tasks without one sort after every dated task in ascending order.
    DueDate,
    /// Title, by Unicode code point (the byte order of UTF-8, which every store shares).
    Title,
}

impl SortField {
    const fn as_str(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::Priority => "priority",
            Self::DueDate => "due_date",
            Self::Title => "title",
        }
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// The text was not one of the accepted sort keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "sort must be one of created_at, -created_at, priority, -priority, due_date, -due_date, title, -title"
)]
pub struct TaskSortError;

/// A listing order: a field and a direction, written `field` or `-field` (descending).
///
/// Ties are broken by task id in the same direction, so the order is total and a keyset
/// cursor (sort value, id) names one position exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskSort {
    /// The field.
    pub field: SortField,
    /// The direction.
    pub direction: SortDirection,
}

impl Default for TaskSort {
    /// Newest first: `-created_at`.
    fn default() -> Self {
        Self { field: SortField::CreatedAt, direction: SortDirection::Descending }
    }
}

/// The value of a task's sort field, as a cursor remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortValue {
    /// For [`SortField::CreatedAt`].
    CreatedAt(Timestamp),
    /// For [`SortField::Priority`].
    Priority(Priority),
    /// For [`SortField::DueDate`]; `None` sorts after every date.
    DueDate(Option<DueDate>),
    /// For [`SortField::Title`].
    Title(TaskTitle),
}

impl SortValue {
    fn compare(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::CreatedAt(a), Self::CreatedAt(b)) => a.cmp(b),
            (Self::Priority(a), Self::Priority(b)) => a.cmp(b),
            (Self::DueDate(a), Self::DueDate(b)) => match (a, b) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            (Self::Title(a), Self::Title(b)) => a.as_str().cmp(b.as_str()),
            // Values of different fields never meet: a cursor is checked against the sort.
            _ => Ordering::Equal,
        }
    }
}

impl TaskSort {
    /// Every listing order, in the order the error message and the documentation name them.
    pub const ALL: [Self; 8] = [
        Self::of(SortField::CreatedAt, SortDirection::Ascending),
        Self::of(SortField::CreatedAt, SortDirection::Descending),
        Self::of(SortField::Priority, SortDirection::Ascending),
        Self::of(SortField::Priority, SortDirection::Descending),
        Self::of(SortField::DueDate, SortDirection::Ascending),
        Self::of(SortField::DueDate, SortDirection::Descending),
        Self::of(SortField::Title, SortDirection::Ascending),
        Self::of(SortField::Title, SortDirection::Descending),
    ];

    const fn of(field: SortField, direction: SortDirection) -> Self {
        Self { field, direction }
    }

    /// Parses `created_at`, `-created_at`, `priority`, `-priority`, `due_date`, `-due_date`,
    /// `title` or `-title`.
    ///
    /// # Errors
    /// [`TaskSortError`] for anything else.
    pub fn parse(s: &str) -> Result<Self, TaskSortError> {
        let (direction, name) = match s.strip_prefix('-') {
            Some(rest) => (SortDirection::Descending, rest),
            None => (SortDirection::Ascending, s),
        };
        let field =
            [SortField::CreatedAt, SortField::Priority, SortField::DueDate, SortField::Title]
                .into_iter()
                .find(|f| f.as_str() == name)
                .ok_or(TaskSortError)?;
        Ok(Self { field, direction })
    }

    /// The sort value of `task` for this order's field.
    #[must_use]
    pub fn value_of(&self, task: &Task) -> SortValue {
        match self.field {
            SortField::CreatedAt => SortValue::CreatedAt(task.created_at),
            SortField::Priority => SortValue::Priority(task.priority),
            SortField::DueDate => SortValue::DueDate(task.due_date),
            SortField::Title => SortValue::Title(task.title.clone()),
        }
    }

    /// Compares two positions `(value, id)` in this order.
    #[must_use]
    pub fn compare_positions(
        &self,
        (a_value, a_id): (&SortValue, crate::id::TaskId),
        (b_value, b_id): (&SortValue, crate::id::TaskId),
    ) -> Ordering {
        let ascending = a_value.compare(b_value).then_with(|| a_id.cmp(&b_id));
        match self.direction {
            SortDirection::Ascending => ascending,
            SortDirection::Descending => ascending.reverse(),
        }
    }

    /// Compares two tasks in this order (total: ties broken by id).
    #[must_use]
    pub fn compare(&self, a: &Task, b: &Task) -> Ordering {
        self.compare_positions((&self.value_of(a), a.id), (&self.value_of(b), b.id))
    }
}

impl fmt::Display for TaskSort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.direction == SortDirection::Descending {
            f.write_str("-")?;
        }
        f.write_str(self.field.as_str())
    }
}

impl FromStr for TaskSort {
    type Err = TaskSortError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
