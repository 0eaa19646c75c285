-- TaskForge schema, version 3: an index for the top-open-tasks report of one project.
--
-- `GET /api/v1/reports/top?project_id=…` ranks the open tasks of one project within each
-- category. `tasks_open_rank` (version 2) holds every project's open tasks in the window's
-- order, so ranking one project through it would read every open task of the whole store
-- and drop the other projects' entries one by one. This index is the same partial index with
-- the project in front: the window reads one project's range, already in PARTITION BY
-- category ORDER BY priority DESC, due date (undated last), id order, index-only and without
-- a sort, and its cost grows with that project's open tasks alone.
-- `crates/sqlite/tests/query_plans.rs` checks the plan.
CREATE INDEX tasks_project_open_rank
    ON tasks (project_id, category_id, priority DESC, (due_date IS NULL), due_date, id,
              is_public, status)
    WHERE status <> 'done';
