//! Reports: the read models of `GET /api/v1/reports/…` and the one definition of the order
//! the "top open tasks" report ranks by, shared by every adapter so their answers cannot
//! drift apart (as [`crate::query::TaskSort::compare`] is for listings).

use std::cmp::Ordering;

use crate::id::CategoryId;
use crate::model::Task;
use crate::values::{CategoryName, Priority, Status};

/// The counts of one group of visible tasks that share a status, a priority and a category,
/// as an aggregate query yields them. [`TaskSummary::from_groups`] rolls groups up; a key may
/// appear in several groups (an adapter may aggregate several index streams separately), their
/// counts add up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryGroup {
    /// The category, `None` for uncategorised tasks.
    pub category_id: Option<CategoryId>,
    /// Its name, when the category is known.
    pub category_name: Option<CategoryName>,
    /// The status every task of the group has.
    pub status: Status,
    /// The priority every task of the group has.
    pub priority: Priority,
    /// How many tasks.
    pub tasks: u64,
    /// How many of them are overdue ([`Task::is_overdue`]).
    pub overdue: u64,
}

/// The tasks of one category in a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCount {
    /// The category, `None` for the uncategorised tasks.
    pub category_id: Option<CategoryId>,
    /// Its name; `None` for the uncategorised tasks (and for a category deleted while the
    /// summary was computed).
    pub name: Option<CategoryName>,
    /// How many tasks.
    pub total: u64,
    /// How many of them are done.
    pub done: u64,
}

/// Counts of the tasks a caller can see: by status, by priority, by category (with how many
/// are done), and how many are overdue.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskSummary {
    total: u64,
    /// Indexed like [`Status::ALL`].
    by_status: [u64; 3],
    /// Indexed like [`Priority::ALL`].
    by_priority: [u64; 4],
    by_category: Vec<CategoryCount>,
    overdue: u64,
}

impl TaskSummary {
    /// Rolls `groups` up: every count is the sum over the groups that share the key.
    /// Categories are ordered by name ignoring case (as categories are listed), uncategorised
    /// last; a category appears only when it has tasks.
    pub fn from_groups<I: IntoIterator<Item = SummaryGroup>>(groups: I) -> Self {
        let mut summary = Self::default();
        for group in groups {
            summary.total += group.tasks;
            summary.overdue += group.overdue;
            summary.by_status[status_index(group.status)] += group.tasks;
            summary.by_priority[usize::from(group.priority.rank() - 1)] += group.tasks;
            let done = if group.status == Status::Done { group.tasks } else { 0 };
            match summary.by_category.iter_mut().find(|c| c.category_id == group.category_id) {
                Some(entry) => {
                    entry.total += group.tasks;
                    entry.done += done;
                    if entry.name.is_none() {
                        entry.name = group.category_name;
                    }
                }
                None => summary.by_category.push(CategoryCount {
                    category_id: group.category_id,
                    name: group.category_name,
                    total: group.tasks,
                    done,
                }),
            }
        }
        summary.by_category.retain(|c| c.total > 0);
        summary.by_category.sort_by_cached_key(|c| {
            (c.category_id.is_none(), c.name.as_ref().map(CategoryName::unique_key), c.category_id)
        });
        summary
    }

    /// How many tasks in all.
    #[must_use]
    pub const fn total(&self) -> u64 {
        self.total
    }

    /// How many tasks have `status`.
    #[must_use]
    pub const fn with_status(&self, status: Status) -> u64 {
        self.by_status[status_index(status)]
    }

    /// How many tasks have `priority`.
    #[must_use]
    pub const fn with_priority(&self, priority: Priority) -> u64 {
        self.by_priority[(priority.rank() - 1) as usize]
    }

    /// The categories that have tasks, by name ignoring case, uncategorised last.
    #[must_use]
    pub fn by_category(&self) -> &[CategoryCount] {
        &self.by_category
    }

    /// How many open tasks are due before today ([`Task::is_overdue`]).
    #[must_use]
    pub const fn overdue(&self) -> u64 {
        self.overdue
    }
}

const fn status_index(status: Status) -> usize {
    match status {
        Status::Todo => 0,
        Status::InProgress => 1,
        Status::Done => 2,
    }
}

/// The order of the "top open tasks" report within one category: priority, urgent first;
/// then due date, earliest first and undated last; then id (creation order). Total.
#[must_use]
pub fn rank_order(a: &Task, b: &Task) -> Ordering {
    b.priority
        .cmp(&a.priority)
        .then_with(|| match (a.due_date, b.due_date) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.id.cmp(&b.id))
}

/// The order of [`crate::ports::ReportRepository::top_open`]'s answer: by category id with
/// the uncategorised group first (as `Option` orders), then [`rank_order`].
#[must_use]
pub fn top_order(a: &Task, b: &Task) -> Ordering {
    a.category_id.cmp(&b.category_id).then_with(|| rank_order(a, b))
}

/// The open tasks of one category in the "top open tasks" report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopCategory {
    /// The category, `None` for the uncategorised tasks.
    pub category_id: Option<CategoryId>,
    /// Its name; `None` for the uncategorised tasks (or a category deleted meanwhile).
    pub name: Option<CategoryName>,
    /// At most the requested number of open tasks, in [`rank_order`].
    pub tasks: Vec<Task>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(category: Option<CategoryId>, status: Status, tasks: u64) -> SummaryGroup {
        SummaryGroup {
            category_id: category,
            category_name: category.map(|_| CategoryName::parse("Bug").unwrap()),
            status,
            priority: Priority::High,
            tasks,
            overdue: 1,
        }
    }

    #[test]
    fn groups_with_the_same_key_add_up() {
        let bug = Some(CategoryId::new());
        let summary = TaskSummary::from_groups([
            group(bug, Status::Done, 2),
            group(bug, Status::Done, 3),
            group(None, Status::Todo, 4),
            group(bug, Status::Todo, 0),
        ]);
        assert_eq!(summary.total(), 9);
        assert_eq!(summary.with_status(Status::Done), 5);
        assert_eq!(summary.with_priority(Priority::High), 9);
        assert_eq!(summary.with_priority(Priority::Low), 0);
        assert_eq!(summary.overdue(), 4);
        let categories = summary.by_category();
        assert_eq!(categories.len(), 2);
        assert_eq!(
            (categories[0].category_id, categories[0].total, categories[0].done),
            (bug, 5, 5)
        );
        assert_eq!(
            (categories[1].category_id, categories[1].total, categories[1].done),
            (None, 4, 0)
        );
    }
}
