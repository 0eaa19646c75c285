-- TaskForge schema, version 1.
--
-- Conventions: ids are the 16 bytes of a UUIDv7 (BLOB), timestamps are INTEGER microseconds
-- since the Unix epoch (UTC), a due date is INTEGER days since 1970-01-01, a priority is its
-- rank 1 (low) to 4 (urgent). Tables are STRICT so a wrongly typed value is an error, not a
-- silent conversion.
--
-- Listing (docs/api.md) is served entirely by indexes: every task filter and every sort has an
-- index whose order is the keyset order (sort key, id), so a page is a range read that stops
-- after the page, at any depth. The adapter names the index it relies on in each statement
-- (INDEXED BY), so a missing index fails loudly at prepare time instead of degrading to a
-- scan; `tests/query_plans.rs` checks every plan.

CREATE TABLE users (
    id            BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    -- Already folded to lower case by the Username type; NOCASE guards against a writer that
    -- forgets.
    username      TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    email         TEXT,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX users_by_role ON users (role);

CREATE TABLE projects (
    id          BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    -- A user who owns a project cannot be deleted (RepositoryError::InUse).
    owner_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX projects_by_owner ON projects (owner_id);

CREATE TABLE project_members (
    project_id BLOB    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id)
) STRICT, WITHOUT ROWID;

-- "Which projects is this user in?" drives the visibility of task listings.
CREATE INDEX project_members_by_user ON project_members (user_id, project_id);

CREATE TABLE categories (
    id         BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 16),
    name       TEXT    NOT NULL,
    -- CategoryName::unique_key(): the name lower-cased (Unicode-aware, which NOCASE is not).
    name_key   TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A rowid table: the full-text index refers to tasks by integer rowid.
CREATE TABLE tasks (
    id          BLOB    NOT NULL UNIQUE CHECK (length(id) = 16),
    project_id  BLOB    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
    priority    INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
    -- Cleared explicitly (with a version bump) before a category or user is deleted; the
    -- foreign keys only refuse dangling references.
    category_id BLOB REFERENCES categories (id),
    assignee_id BLOB REFERENCES users (id),
    due_date    INTEGER,
    -- Subtasks go with their parent.
    parent_id   BLOB REFERENCES tasks (id) ON DELETE CASCADE,
    is_public   INTEGER NOT NULL CHECK (is_public IN (0, 1)),
    -- Not a foreign key: a task keeps its creator's id after the creator is deleted.
    created_by  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    -- The due-date sort key: no date sorts after every date (docs/api.md, sorting), so NULL maps to a
    -- value above the largest day number a DueDate can have (9999-12-31 is 2,932,896).
    due_key     INTEGER NOT NULL GENERATED ALWAYS AS (coalesce(due_date, 2147483647)) VIRTUAL
) STRICT;

-- The four sort orders, each ending in id (ties break by id in the same direction).
CREATE INDEX tasks_created  ON tasks (created_at, id);
CREATE INDEX tasks_priority ON tasks (priority, id);
CREATE INDEX tasks_due      ON tasks (due_key, id);
CREATE INDEX tasks_title    ON tasks (title, id);

-- Each equality filter, in each sort order.
CREATE INDEX tasks_project_created  ON tasks (project_id, created_at, id);
CREATE INDEX tasks_project_priority ON tasks (project_id, priority, id);
CREATE INDEX tasks_project_due      ON tasks (project_id, due_key, id);
CREATE INDEX tasks_project_title    ON tasks (project_id, title, id);

CREATE INDEX tasks_parent_created  ON tasks (parent_id, created_at, id);
CREATE INDEX tasks_parent_priority ON tasks (parent_id, priority, id);
CREATE INDEX tasks_parent_due      ON tasks (parent_id, due_key, id);
CREATE INDEX tasks_parent_title    ON tasks (parent_id, title, id);

CREATE INDEX tasks_assignee_created  ON tasks (assignee_id, created_at, id);
CREATE INDEX tasks_assignee_priority ON tasks (assignee_id, priority, id);
CREATE INDEX tasks_assignee_due      ON tasks (assignee_id, due_key, id);
CREATE INDEX tasks_assignee_title    ON tasks (assignee_id, title, id);

CREATE INDEX tasks_category_created  ON tasks (category_id, created_at, id);
CREATE INDEX tasks_category_priority ON tasks (category_id, priority, id);
CREATE INDEX tasks_category_due      ON tasks (category_id, due_key, id);
CREATE INDEX tasks_category_title    ON tasks (category_id, title, id);

CREATE INDEX tasks_status_created  ON tasks (status, created_at, id);
CREATE INDEX tasks_status_priority ON tasks (status, priority, id);
CREATE INDEX tasks_status_due      ON tasks (status, due_key, id);
CREATE INDEX tasks_status_title    ON tasks (status, title, id);

-- Priority filter: (priority, id) above already serves "priority = ? order by priority".
CREATE INDEX tasks_prio_created ON tasks (priority, created_at, id);
CREATE INDEX tasks_prio_due     ON tasks (priority, due_key, id);
CREATE INDEX tasks_prio_title   ON tasks (priority, title, id);

-- Public tasks, the second source of a non-admin listing next to the user's projects.
CREATE INDEX tasks_public_created  ON tasks (is_public, created_at, id);
CREATE INDEX tasks_public_priority ON tasks (is_public, priority, id);
CREATE INDEX tasks_public_due      ON tasks (is_public, due_key, id);
CREATE INDEX tasks_public_title    ON tasks (is_public, title, id);

-- Labels in first normal form: one row per (task, label). The row also carries copies of its
-- task's four sort keys, kept equal to the task's by the trigger below (controlled redundancy,
-- like the full-text index): a listing filtered by label then reads (label, sort key, id) in
-- order straight from an index instead of sorting or scanning.
CREATE TABLE task_labels (
    task_id    BLOB    NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    label      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    priority   INTEGER NOT NULL,
    due_key    INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    PRIMARY KEY (task_id, label)
) STRICT, WITHOUT ROWID;

CREATE INDEX task_labels_created  ON task_labels (label, created_at, task_id);
CREATE INDEX task_labels_priority ON task_labels (label, priority, task_id);
CREATE INDEX task_labels_due      ON task_labels (label, due_key, task_id);
CREATE INDEX task_labels_title    ON task_labels (label, title, task_id);

CREATE TRIGGER task_labels_sort_keys AFTER UPDATE OF created_at, priority, due_date, title ON tasks
WHEN old.created_at IS NOT new.created_at OR old.priority IS NOT new.priority
  OR old.due_date IS NOT new.due_date OR old.title IS NOT new.title
BEGIN
    UPDATE task_labels
       SET created_at = new.created_at, priority = new.priority, due_key = new.due_key,
           title = new.title
     WHERE task_id = new.id;
END;

-- Case-insensitive substring search on titles (filter `q`): a trigram index over an external
-- content table, kept in step with `tasks` by the triggers below.
CREATE VIRTUAL TABLE tasks_fts USING fts5 (
    title,
    content = 'tasks',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);

CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, title) VALUES (new.rowid, new.title);
END;

CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
END;

CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
    INSERT INTO tasks_fts (rowid, title) VALUES (new.rowid, new.title);
END;

CREATE TABLE refresh_tokens (
    digest     BLOB    NOT NULL PRIMARY KEY CHECK (length(digest) = 32),
    user_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family     BLOB    NOT NULL CHECK (length(family) = 16),
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    revoked_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX refresh_tokens_by_family  ON refresh_tokens (family);
CREATE INDEX refresh_tokens_by_user    ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_by_expiry  ON refresh_tokens (expires_at);
