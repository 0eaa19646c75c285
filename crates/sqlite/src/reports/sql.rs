//! The report statements: literals assembled at compile time with `concat!`, chosen by
//! [`summary_statement`] and [`top_statement`] with a `match` over closed cases. Parameters:
//!
//! | param | summary | top open tasks |
//! |---|---|---|
//! | ?1 | the viewing user (member visibility) | the viewing user (member visibility) |
//! | ?2 | the project | how many tasks per category |
//! | ?3 | today, days since 1970-01-01 | the project |
//!
//! **Summary: one aggregate statement, index-only.** It groups the visible tasks by
//! (category, status, priority) in the order of `tasks_project_summary` or
//! `tasks_public_summary` (migration 0002), whose columns cover everything the statement reads,
//! so SQLite walks an index range and never a task row, and never sorts. The category names
//! are joined to the *groups*, not to the tasks (one primary-key lookup per group). Where the
//! visible tasks come from several index ranges (an administrator's whole store: one range per
//! project; a member: one per project of theirs plus the public tasks of the others), each
//! range is aggregated in its own order and the statement yields partial counts per range —
//! a GROUPING SETS-like roll-up finished in Rust by `TaskSummary::from_groups`. A single GROUP
//! BY across ranges would have to sort every visible task first (a temporary B-tree); partial
//! counts cost at most a few dozen rows per project instead.
//!
//! **Top open tasks: one window function.** `ROW_NUMBER() OVER (PARTITION BY category_id ORDER
//! BY priority DESC, due_date IS NULL, due_date, id)` (undated last) over the partial index `tasks_open_rank` (open tasks only,
//! already in that order), so the ranking is one ordered pass without a sort; only the rows
//! ranked within `?2` are joined back to `tasks` for their columns. The pass reads every open
//! task's index entry (a window cannot stop early per partition): it is index-only, and its
//! cost grows with the open tasks, not with the whole table. The ranking of one project reads
//! `tasks_project_open_rank` (migration 0003), the same index with the project in front: one
//! range, in the same order, so its cost grows with that project's open tasks only.

use taskforge_domain::query::Visibility;

use crate::codec::task_columns;

/// The columns of one summary group, selected from the grouped rows `g`.
macro_rules! summary_select {
    () => {
        "SELECT g.category_id, c.name, g.status, g.priority, g.n, g.overdue FROM ("
    };
}

/// The aggregates of one index range of tasks `t`. Overdue: open and due strictly before ?3
/// (`due_date` is NULL for an undated task, and NULL < ?3 is not true).
macro_rules! counts {
    () => {
        "SELECT t.category_id AS category_id, t.status AS status, t.priority AS priority, \
         count(*) AS n, \
         count(CASE WHEN t.status <> 'done' AND t.due_date < ?3 THEN 1 END) AS overdue "
    };
}

/// Names the categories of the groups.
macro_rules! summary_end {
    () => {
        ") g LEFT JOIN categories c ON c.id = g.category_id"
    };
}

/// Every task, one range per project (the index's order), partial counts per project.
const SUMMARY_ALL: &str = concat!(
    summary_select!(),
    counts!(),
    "FROM tasks t INDEXED BY tasks_project_summary \
     GROUP BY t.project_id, t.category_id, t.status, t.priority",
    summary_end!()
);

/// Every task of project ?2.
const SUMMARY_PROJECT: &str = concat!(
    summary_select!(),
    counts!(),
    "FROM tasks t INDEXED BY tasks_project_summary WHERE t.project_id = ?2 \
     GROUP BY t.category_id, t.status, t.priority",
    summary_end!()
);

/// The tasks of project ?2 that user ?1 may see: all of them for a member, else its public
/// ones (membership is one primary-key probe for the whole statement).
const SUMMARY_MEMBER_PROJECT: &str = concat!(
    summary_select!(),
    counts!(),
    "FROM tasks t INDEXED BY tasks_project_summary WHERE t.project_id = ?2 \
     AND (t.is_public = 1 OR EXISTS (SELECT 1 FROM project_members m \
          WHERE m.project_id = ?2 AND m.user_id = ?1)) \
     GROUP BY t.category_id, t.status, t.priority",
    summary_end!()
);

/// Every task user ?1 may see: the tasks of each of their projects (one range per project,
/// driven by the projects' primary key in id order, so each range is grouped in index order),
/// and the public tasks of the other projects.
const SUMMARY_MEMBER: &str = concat!(
    summary_select!(),
    counts!(),
    "FROM projects p CROSS JOIN tasks t INDEXED BY tasks_project_summary \
       ON t.project_id = p.id \
     WHERE p.id IN (SELECT m.project_id FROM project_members m WHERE m.user_id = ?1) \
     GROUP BY p.id, t.category_id, t.status, t.priority \
     UNION ALL ",
    counts!(),
    "FROM tasks t INDEXED BY tasks_public_summary WHERE t.is_public = 1 \
     AND NOT EXISTS (SELECT 1 FROM project_members m \
          WHERE m.project_id = t.project_id AND m.user_id = ?1) \
     GROUP BY t.category_id, t.status, t.priority",
    summary_end!()
);

/// The statement of a summary under `visibility`, of one project or all.
#[must_use]
pub fn summary_statement(visibility: Visibility, one_project: bool) -> &'static str {
    match (visibility, one_project) {
        (Visibility::All, false) => SUMMARY_ALL,
        (Visibility::All, true) => SUMMARY_PROJECT,
        (Visibility::MemberOrPublic(_), false) => SUMMARY_MEMBER,
        (Visibility::MemberOrPublic(_), true) => SUMMARY_MEMBER_PROJECT,
    }
}

/// The ranked open tasks `w` read through the index named, the conditions given (project,
/// visibility) included, then their full rows.
macro_rules! top {
    ($index:literal, $conditions:literal) => {
        concat!(
            "SELECT ",
            task_columns!(),
            " FROM (SELECT w.id AS id, row_number() OVER (PARTITION BY w.category_id \
                ORDER BY w.priority DESC, (w.due_date IS NULL), w.due_date, w.id) AS rank \
              FROM tasks w INDEXED BY ",
            $index,
            " WHERE w.status <> 'done'",
            $conditions,
            ") r CROSS JOIN tasks t ON t.id = r.id WHERE r.rank <= ?2"
        )
    };
}

/// Every open task.
const TOP_ALL: &str = top!("tasks_open_rank", "");

/// The open tasks user ?1 may see: those of their projects, and the public ones.
const TOP_MEMBER: &str = top!(
    "tasks_open_rank",
    " AND (w.is_public = 1 OR w.project_id IN \
       (SELECT m.project_id FROM project_members m WHERE m.user_id = ?1))"
);

/// The open tasks of project ?3.
const TOP_PROJECT: &str = top!("tasks_project_open_rank", " AND w.project_id = ?3");

/// The open tasks of project ?3 that user ?1 may see: all of them for a member, else its
/// public ones (membership is one primary-key probe for the whole statement).
const TOP_MEMBER_PROJECT: &str = top!(
    "tasks_project_open_rank",
    " AND w.project_id = ?3 AND (w.is_public = 1 OR EXISTS (SELECT 1 FROM project_members m \
       WHERE m.project_id = ?3 AND m.user_id = ?1))"
);

/// The statement of the top open tasks under `visibility`, of one project or all.
#[must_use]
pub fn top_statement(visibility: Visibility, one_project: bool) -> &'static str {
    match (visibility, one_project) {
        (Visibility::All, false) => TOP_ALL,
        (Visibility::All, true) => TOP_PROJECT,
        (Visibility::MemberOrPublic(_), false) => TOP_MEMBER,
        (Visibility::MemberOrPublic(_), true) => TOP_MEMBER_PROJECT,
    }
}
