-- TaskForge PostgreSQL schema, version 6: the trash of deleted task subtrees.
--
-- `DELETE /api/v1/tasks/{id}` moves the task and its subtasks out of `tasks` into these two
-- tables, so every read of `tasks` (get, list, search, export, reports) leaves them out with
-- no change of its own. One `trash` row per trashed subtree, named by its root; the project
-- is not a foreign key: a subtree outlives its project's deletion, so that a restore can
-- answer that the project is gone. `trashed_tasks` holds the subtree's tasks as they were,
-- labels included, root first.
CREATE TABLE trash (
    root_id    UUID    NOT NULL PRIMARY KEY,
    project_id UUID    NOT NULL,
    trashed_at BIGINT  NOT NULL,
    trashed_by UUID    NOT NULL
);

-- The trash of one project a page at a time, and the retention sweep by age:
-- `crates/postgres/tests/trash_plans.rs` checks both plans.
CREATE INDEX trash_project ON trash (project_id, root_id);
CREATE INDEX trash_age ON trash (trashed_at);

CREATE TABLE trashed_tasks (
    root_id     UUID    NOT NULL REFERENCES trash (root_id) ON DELETE CASCADE,
    position    INTEGER  NOT NULL,
    id          UUID     NOT NULL,
    project_id  UUID     NOT NULL,
    title       TEXT     NOT NULL,
    description TEXT     NOT NULL,
    status      TEXT     NOT NULL,
    priority    SMALLINT NOT NULL,
    category_id UUID,
    assignee_id UUID,
    due_date    INTEGER,
    parent_id   UUID,
    is_public   BOOLEAN  NOT NULL,
    created_by  UUID     NOT NULL,
    created_at  BIGINT   NOT NULL,
    updated_at  BIGINT   NOT NULL,
    version     BIGINT   NOT NULL,
    labels      TEXT[]   NOT NULL,
    PRIMARY KEY (root_id, position)
);
