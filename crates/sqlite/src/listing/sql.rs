//! The allow-list of listing statements: fragments assembled with `concat!` at compile time,
//! and [`statement`], the one `match` that picks among them. See the parent module's docs.

use taskforge_domain::query::{SortDirection, SortField, TaskFilter, TaskSort, Visibility};

use crate::codec::task_columns;

/// The column of a sort key.
macro_rules! col {
    (created) => {
        "created_at"
    };
    (priority) => {
        "priority"
    };
    (due) => {
        "due_key"
    };
    (title) => {
        "title"
    };
}

/// The keyset comparison of a direction.
macro_rules! cmp {
    (asc) => {
        ">"
    };
    (desc) => {
        "<"
    };
}

/// The ORDER BY modifier of a direction.
macro_rules! dir {
    (asc) => {
        ""
    };
    (desc) => {
        " DESC"
    };
}

/// The table alias whose (key, id) the driver is ordered by.
macro_rules! alias {
    (label) => {
        "tl"
    };
    ($other:tt) => {
        "t"
    };
}

/// The id column of that alias.
macro_rules! idcol {
    (label) => {
        "task_id"
    };
    ($other:tt) => {
        "id"
    };
}

/// The index of the priority filter for each sort (priority-sorted is the sort index itself).
macro_rules! prio_index {
    (created) => {
        "tasks_prio_created"
    };
    (priority) => {
        "tasks_priority"
    };
    (due) => {
        "tasks_prio_due"
    };
    (title) => {
        "tasks_prio_title"
    };
}

/// The rows a driver reads, through the index that orders them.
macro_rules! source {
    (parent, $k:tt) => {
        concat!(" FROM tasks t INDEXED BY tasks_parent_", stringify!($k), " WHERE t.parent_id = ?8")
    };
    (project, $k:tt) => {
        concat!(
            " FROM tasks t INDEXED BY tasks_project_",
            stringify!($k),
            " WHERE t.project_id = ?2"
        )
    };
    (assignee, $k:tt) => {
        concat!(
            " FROM tasks t INDEXED BY tasks_assignee_",
            stringify!($k),
            " WHERE t.assignee_id = ?6"
        )
    };
    (category, $k:tt) => {
        concat!(
            " FROM tasks t INDEXED BY tasks_category_",
            stringify!($k),
            " WHERE t.category_id = ?5"
        )
    };
    (status, $k:tt) => {
        concat!(" FROM tasks t INDEXED BY tasks_status_", stringify!($k), " WHERE t.status = ?3")
    };
    (priority, $k:tt) => {
        concat!(" FROM tasks t INDEXED BY ", prio_index!($k), " WHERE t.priority = ?4")
    };
    (label, $k:tt) => {
        concat!(
            " FROM task_labels tl INDEXED BY task_labels_",
            stringify!($k),
            " CROSS JOIN tasks t ON t.id = tl.task_id WHERE tl.label = ?7"
        )
    };
    (none, $k:tt) => {
        concat!(" FROM tasks t INDEXED BY tasks_", stringify!($k), " WHERE 1")
    };
    (search, $k:tt) => {
        " FROM tasks_fts CROSS JOIN tasks t ON t.rowid = tasks_fts.rowid WHERE tasks_fts MATCH ?11"
    };
}

/// Every filter, checked on the rows a driver yields (the driver's own check is repeated; it
/// costs nothing). The due bounds are always present: absent bounds are bound as the extremes.
macro_rules! residual {
    () => {
        " AND (?2 IS NULL OR t.project_id = ?2) \
          AND (?3 IS NULL OR instr(',' || ?3 || ',', ',' || t.status || ',') > 0) \
          AND (?4 IS NULL OR t.priority = ?4) \
          AND (?5 IS NULL OR t.category_id = ?5) \
          AND (?6 IS NULL OR t.assignee_id = ?6) \
          AND (?8 IS NULL OR t.parent_id = ?8) \
          AND (?7 IS NULL OR EXISTS \
               (SELECT 1 FROM task_labels l7 WHERE l7.task_id = t.id AND l7.label = ?7)) \
          AND t.due_key > ?9 AND t.due_key < ?10"
    };
}

/// The visibility check of a driven plan.
macro_rules! visible {
    (all) => {
        ""
    };
    (member) => {
        " AND (t.is_public = 1 OR t.project_id IN \
           (SELECT m.project_id FROM project_members m WHERE m.user_id = ?1))"
    };
}

/// Strictly after the cursor, in the driver's order.
macro_rules! after {
    ($drv:tt, $k:tt, $d:tt, first) => {
        ""
    };
    ($drv:tt, $k:tt, $d:tt, next) => {
        concat!(
            " AND (",
            alias!($drv),
            ".",
            col!($k),
            ", ",
            alias!($drv),
            ".",
            idcol!($drv),
            ") ",
            cmp!($d),
            " (?12, ?13)"
        )
    };
}

/// The keyset order of the driver, and the page size.
macro_rules! order {
    ($drv:tt, $k:tt, $d:tt) => {
        concat!(
            " ORDER BY ",
            alias!($drv),
            ".",
            col!($k),
            dir!($d),
            ", ",
            alias!($drv),
            ".",
            idcol!($drv),
            dir!($d),
            " LIMIT ?14"
        )
    };
}

/// A statement driven by one filter's index.
macro_rules! driven {
    ($drv:tt, $vis:tt, $k:tt, $d:tt, $c:tt) => {
        concat!(
            "SELECT ",
            task_columns!(),
            source!($drv, $k),
            residual!(),
            visible!($vis),
            after!($drv, $k, $d, $c),
            order!($drv, $k, $d)
        )
    };
}

/// The next row of a stream strictly after (`$kv`, `$iv`): of project `$p` or, when `$p` is
/// `public`, public tasks of the user's other projects.
macro_rules! next_of_project {
    ($k:tt, $d:tt, $p:literal, $kv:literal, $iv:literal) => {
        concat!(
            "(SELECT t.id FROM tasks t INDEXED BY tasks_project_",
            stringify!($k),
            " WHERE t.project_id = ",
            $p,
            residual!(),
            " AND (t.",
            col!($k),
            ", t.id) ",
            cmp!($d),
            " (",
            $kv,
            ", ",
            $iv,
            ") ORDER BY t.",
            col!($k),
            dir!($d),
            ", t.id",
            dir!($d),
            " LIMIT 1)"
        )
    };
}

macro_rules! next_public {
    ($k:tt, $d:tt, $kv:literal, $iv:literal) => {
        concat!(
            "(SELECT t.id FROM tasks t INDEXED BY tasks_public_",
            stringify!($k),
            " WHERE t.is_public = 1",
            residual!(),
            " AND NOT EXISTS (SELECT 1 FROM project_members m \
               WHERE m.project_id = t.project_id AND m.user_id = ?1) AND (t.",
            col!($k),
            ", t.id) ",
            cmp!($d),
            " (",
            $kv,
            ", ",
            $iv,
            ") ORDER BY t.",
            col!($k),
            dir!($d),
            ", t.id",
            dir!($d),
            " LIMIT 1)"
        )
    };
}

/// The first row of each stream: strictly after the cursor, or from the start of the order
/// (a bound beyond every key: the NULL comparison is replaced by the stream's first row).
macro_rules! first_of_project {
    ($k:tt, $d:tt, first) => {
        concat!(
            "(SELECT t.id FROM tasks t INDEXED BY tasks_project_",
            stringify!($k),
            " WHERE t.project_id = m.project_id",
            residual!(),
            " ORDER BY t.",
            col!($k),
            dir!($d),
            ", t.id",
            dir!($d),
            " LIMIT 1)"
        )
    };
    ($k:tt, $d:tt, next) => {
        next_of_project!($k, $d, "m.project_id", "?12", "?13")
    };
}

macro_rules! first_public {
    ($k:tt, $d:tt, first) => {
        concat!(
            "(SELECT t.id FROM tasks t INDEXED BY tasks_public_",
            stringify!($k),
            " WHERE t.is_public = 1",
            residual!(),
            " AND NOT EXISTS (SELECT 1 FROM project_members m \
               WHERE m.project_id = t.project_id AND m.user_id = ?1) ORDER BY t.",
            col!($k),
            dir!($d),
            ", t.id",
            dir!($d),
            " LIMIT 1)"
        )
    };
    ($k:tt, $d:tt, next) => {
        next_public!($k, $d, "?12", "?13")
    };
}

/// The k-way merge of the user's projects and the public tasks (see the module docs).
macro_rules! merged {
    ($k:tt, $d:tt, $c:tt) => {
        concat!(
            "WITH RECURSIVE q(s, p, k, i) AS (",
            "SELECT 0, m.project_id, h.",
            col!($k),
            ", h.id FROM project_members m CROSS JOIN tasks h WHERE m.user_id = ?1 AND h.id = ",
            first_of_project!($k, $d, $c),
            " UNION ALL SELECT 1, NULL, h.",
            col!($k),
            ", h.id FROM tasks h WHERE h.id = ",
            first_public!($k, $d, $c),
            " UNION ALL SELECT 0, q.p, h.",
            col!($k),
            ", h.id FROM q CROSS JOIN tasks h WHERE q.s = 0 AND h.id = ",
            next_of_project!($k, $d, "q.p", "q.k", "q.i"),
            " UNION ALL SELECT 1, NULL, h.",
            col!($k),
            ", h.id FROM q CROSS JOIN tasks h WHERE q.s = 1 AND h.id = ",
            next_public!($k, $d, "q.k", "q.i"),
            " ORDER BY 3",
            dir!($d),
            ", 4",
            dir!($d),
            " LIMIT ?14) SELECT ",
            task_columns!(),
            " FROM q CROSS JOIN tasks t ON t.id = q.i"
        )
    };
}

// ---- Choosing a statement ----------------------------------------------------------------------

/// The filter whose index reads the rows (see the module docs for the precedence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Driver {
    Search,
    Parent,
    Project,
    Assignee,
    Category,
    Label,
    /// A non-admin listing with no selective filter: the k-way merge.
    Merge,
    Status,
    Priority,
    None,
}

pub(super) fn driver(filter: &TaskFilter, visibility: Visibility) -> Driver {
    if filter.q.is_some() {
        Driver::Search
    } else if filter.parent_id.is_some() {
        Driver::Parent
    } else if filter.project_id.is_some() {
        Driver::Project
    } else if filter.assignee_id.is_some() {
        Driver::Assignee
    } else if filter.category_id.is_some() {
        Driver::Category
    } else if filter.label.is_some() {
        Driver::Label
    } else if matches!(visibility, Visibility::MemberOrPublic(_)) {
        Driver::Merge
    } else if filter.status.is_some_and(|s| s.single().is_some()) {
        Driver::Status
    } else if filter.priority.is_some() {
        Driver::Priority
    } else {
        Driver::None
    }
}

/// Every (sort, direction, first/next page) variant of one driver and visibility.
macro_rules! variants {
    ($sort:expr, $next:expr, |$k:ident, $d:ident, $c:ident| $make:ident!($($arg:tt),*)) => {
        variants!(@pick $sort, $next, $make, [$($arg),*])
    };
    (@pick $sort:expr, $next:expr, $make:ident, [$($arg:tt),*]) => {
        match ($sort.field, $sort.direction, $next) {
            (SortField::CreatedAt, SortDirection::Ascending, false) => $make!($($arg,)* created, asc, first),
            (SortField::CreatedAt, SortDirection::Ascending, true) => $make!($($arg,)* created, asc, next),
            (SortField::CreatedAt, SortDirection::Descending, false) => $make!($($arg,)* created, desc, first),
            (SortField::CreatedAt, SortDirection::Descending, true) => $make!($($arg,)* created, desc, next),
            (SortField::Priority, SortDirection::Ascending, false) => $make!($($arg,)* priority, asc, first),
            (SortField::Priority, SortDirection::Ascending, true) => $make!($($arg,)* priority, asc, next),
            (SortField::Priority, SortDirection::Descending, false) => $make!($($arg,)* priority, desc, first),
            (SortField::Priority, SortDirection::Descending, true) => $make!($($arg,)* priority, desc, next),
            (SortField::DueDate, SortDirection::Ascending, false) => $make!($($arg,)* due, asc, first),
            (SortField::DueDate, SortDirection::Ascending, true) => $make!($($arg,)* due, asc, next),
            (SortField::DueDate, SortDirection::Descending, false) => $make!($($arg,)* due, desc, first),
            (SortField::DueDate, SortDirection::Descending, true) => $make!($($arg,)* due, desc, next),
            (SortField::Title, SortDirection::Ascending, false) => $make!($($arg,)* title, asc, first),
            (SortField::Title, SortDirection::Ascending, true) => $make!($($arg,)* title, asc, next),
            (SortField::Title, SortDirection::Descending, false) => $make!($($arg,)* title, desc, first),
            (SortField::Title, SortDirection::Descending, true) => $make!($($arg,)* title, desc, next),
        }
    };
}

pub(super) fn statement(driver: Driver, member: bool, sort: TaskSort, next: bool) -> &'static str {
    match (driver, member) {
        (Driver::Search, false) => variants!(sort, next, |k, d, c| driven!(search, all)),
        (Driver::Search, true) => variants!(sort, next, |k, d, c| driven!(search, member)),
        (Driver::Parent, false) => variants!(sort, next, |k, d, c| driven!(parent, all)),
        (Driver::Parent, true) => variants!(sort, next, |k, d, c| driven!(parent, member)),
        (Driver::Project, false) => variants!(sort, next, |k, d, c| driven!(project, all)),
        (Driver::Project, true) => variants!(sort, next, |k, d, c| driven!(project, member)),
        (Driver::Assignee, false) => variants!(sort, next, |k, d, c| driven!(assignee, all)),
        (Driver::Assignee, true) => variants!(sort, next, |k, d, c| driven!(assignee, member)),
        (Driver::Category, false) => variants!(sort, next, |k, d, c| driven!(category, all)),
        (Driver::Category, true) => variants!(sort, next, |k, d, c| driven!(category, member)),
        (Driver::Label, false) => variants!(sort, next, |k, d, c| driven!(label, all)),
        (Driver::Label, true) => variants!(sort, next, |k, d, c| driven!(label, member)),
        // A merge only happens for a member listing; status/priority/none only for admins.
        (Driver::Merge, _) => variants!(sort, next, |k, d, c| merged!()),
        (Driver::Status, _) => variants!(sort, next, |k, d, c| driven!(status, all)),
        (Driver::Priority, _) => variants!(sort, next, |k, d, c| driven!(priority, all)),
        (Driver::None, _) => variants!(sort, next, |k, d, c| driven!(none, all)),
    }
}
