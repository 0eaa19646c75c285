-- TaskForge schema, version 6: the trash of deleted task subtrees.
--
-- `DELETE /api/v1/tasks/{id}` moves the task and its subtasks out of `tasks` into these two
-- tables, so every read of `tasks` (get, list, search, export, reports) leaves them out with
-- no change of its own. One `trash` row per trashed subtree, named by its root; the project
-- is not a foreign key: a subtree outlives its project's deletion, so that a restore can
-- answer that the project is gone. `trashed_tasks` holds the subtree's tasks as they were,
-- labels included (space-separated: a label has no space), root first.
CREATE TABLE trash (
    root_id    BLOB    NOT NULL PRIMARY KEY CHECK (length(root_id) = 16),
    project_id BLOB    NOT NULL CHECK (length(project_id) = 16),
    trashed_at INTEGER NOT NULL,
    trashed_by BLOB    NOT NULL CHECK (length(trashed_by) = 16)
) STRICT, WITHOUT ROWID;

-- The trash of one project a page at a time, and the retention sweep by age:
-- `crates/sqlite/tests/trash_plans.rs` checks both plans.
CREATE INDEX trash_project ON trash (project_id, root_id);
CREATE INDEX trash_age ON trash (trashed_at);

CREATE TABLE trashed_tasks (
    root_id     BLOB    NOT NULL REFERENCES trash (root_id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    id          BLOB    NOT NULL,
    project_id  BLOB    NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    priority    INTEGER NOT NULL,
    category_id BLOB,
    assignee_id BLOB,
    due_date    INTEGER,
    parent_id   BLOB,
    is_public   INTEGER NOT NULL,
    created_by  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    labels      TEXT,
    PRIMARY KEY (root_id, position)
) STRICT, WITHOUT ROWID;
