-- TaskForge PostgreSQL schema, version 4: the change log of tasks and projects (ADR 0024).
--
-- One row per recorded change, written by the task and project repositories in the same
-- transaction as the change. The id is the entry's position in the service-wide log and
-- must become visible in increasing order (a live reader resumes "after id N"). A sequence
-- does not give that: a transaction that drew a larger number can commit before one that
-- drew a smaller. So the id comes from the one row of `history_counter`, incremented by the
-- last statement of each recording transaction: its row lock serialises the increments and
-- is held only from that statement to COMMIT, so ids follow commit order.
-- No foreign keys: the log outlives the projects, tasks and users it names. `fields` is the
-- domain's storage form of the changed fields (`crates/domain/src/model/history_storage.rs`).
CREATE TABLE history_counter (
    only_row BOOLEAN NOT NULL PRIMARY KEY DEFAULT true CHECK (only_row),
    last_id  BIGINT  NOT NULL
);
INSERT INTO history_counter (only_row, last_id) VALUES (true, 0);

CREATE TABLE history (
    id         BIGINT NOT NULL PRIMARY KEY CHECK (id > 0),
    project_id UUID   NOT NULL,
    task_id    UUID,
    actor_id   UUID   NOT NULL,
    at         BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    reverts    BIGINT,
    fields     TEXT   NOT NULL
);

-- A task's history and a project's activity, newest first, keyset on the id:
-- `crates/postgres/tests/query_plans.rs` checks both plans.
CREATE INDEX history_task ON history (task_id, id) WHERE task_id IS NOT NULL;
CREATE INDEX history_project ON history (project_id, id);
