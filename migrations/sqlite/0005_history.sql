-- TaskForge schema, version 5: the change log of tasks and projects (ADR 0024).
--
-- One row per recorded change, written by the task and project repositories in the same
-- transaction as the change. The id is the entry's position in the service-wide log:
-- SQLite has one writer, so ids are assigned in commit order, and AUTOINCREMENT never hands
-- out an id again, even one whose row is gone. No foreign keys: the log outlives the
-- projects, tasks and users it names. `fields` is the domain's storage form of the changed
-- fields (`crates/domain/src/model/history_storage.rs`).
CREATE TABLE history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BLOB    NOT NULL CHECK (length(project_id) = 16),
    task_id    BLOB    CHECK (task_id IS NULL OR length(task_id) = 16),
    actor_id   BLOB    NOT NULL CHECK (length(actor_id) = 16),
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    reverts    INTEGER,
    fields     TEXT    NOT NULL
) STRICT;

-- A task's history and a project's activity, newest first, keyset on the id:
-- `crates/sqlite/tests/query_plans.rs` checks both plans.
CREATE INDEX history_task ON history (task_id, id) WHERE task_id IS NOT NULL;
CREATE INDEX history_project ON history (project_id, id);
