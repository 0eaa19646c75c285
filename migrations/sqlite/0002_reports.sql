-- TaskForge schema, version 2: indexes for the two reports (docs/api.md, reports).
--
-- Both reports aggregate in the database, each with one statement, and read only indexes:
-- every column they touch is in the index they name (INDEXED BY), so no task row is visited,
-- and each index is in the order the statement groups or ranks by, so nothing is sorted.
-- `crates/sqlite/tests/query_plans.rs` checks the plans.

-- Summary (counts by category, status and priority; overdue): the tasks of one project, in
-- GROUP BY order, carrying what the counts and the visibility check need. An administrator's
-- summary of everything walks this index once, grouping per project (partial counts that the
-- adapter adds up), which is the least any count of every row can read.
CREATE INDEX tasks_project_summary
    ON tasks (project_id, category_id, status, priority, due_date, is_public);

-- Summary, second stream of a non-admin: the public tasks, in GROUP BY order.
CREATE INDEX tasks_public_summary
    ON tasks (is_public, category_id, status, priority, due_date, project_id);

-- Top open tasks per category: the open tasks only (a partial index), in the window's
-- PARTITION BY category ORDER BY priority DESC, due date (undated last), id order, carrying
-- the visibility columns and the status, so ROW_NUMBER() is computed in one ordered,
-- index-only pass without a sort. (`due_date IS NULL, due_date` rather than the virtual
-- column `due_key`, and `due_date` rather than `due_key` above: SQLite reads a stored column
-- or an indexed expression from the index, but a virtual column only from the row.)
CREATE INDEX tasks_open_rank
    ON tasks (category_id, priority DESC, (due_date IS NULL), due_date, id, project_id,
              is_public, status)
    WHERE status <> 'done';
