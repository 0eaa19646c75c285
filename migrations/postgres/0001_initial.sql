-- TaskForge schema for PostgreSQL, version 1: the schema of the SQLite migrations 1 to 4
-- (migrations/sqlite/), in PostgreSQL terms, as one starting point. (SQLite's migration 3
-- repairs rows older SQLite builds could write; a PostgreSQL database never held such rows.)
--
-- Conventions, chosen to match the SQLite dialect value for value so that data can be copied
-- from one store to the other row by row: ids are UUIDs (the same 16 bytes), timestamps are
-- BIGINT microseconds since the Unix epoch (UTC), a due date is INTEGER days since
-- 1970-01-01, a priority is its rank 1 (low) to 4 (urgent).
--
-- Text that is sorted or compared for order (titles, usernames, category keys) uses the "C"
-- collation: byte order, which is the order the domain's own comparisons use whatever the
-- server's locale, and the order every index below is built in.
--
-- Listing is served by indexes whose order is the keyset order (filter, sort key, id), as in
-- the SQLite dialect; the planner chooses among them (PostgreSQL has no INDEXED BY).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id            UUID    NOT NULL PRIMARY KEY,
    -- Already folded to lower case by the Username type; the check guards against a writer
    -- that forgets (usernames are ASCII, so lower() is exact here).
    username      TEXT    COLLATE "C" NOT NULL UNIQUE CHECK (username = lower(username)),
    email         TEXT,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_at    BIGINT  NOT NULL
);

CREATE INDEX users_by_role ON users (role);

CREATE TABLE projects (
    id          UUID    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    -- A user who owns a project cannot be deleted (RepositoryError::InUse).
    owner_id    UUID    NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at  BIGINT  NOT NULL
);

CREATE INDEX projects_by_owner ON projects (owner_id);

CREATE TABLE project_members (
    project_id UUID    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    UUID    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at   BIGINT  NOT NULL,
    PRIMARY KEY (project_id, user_id)
);

-- "Which projects is this user in?" drives the visibility of task listings.
CREATE INDEX project_members_by_user ON project_members (user_id, project_id);

CREATE TABLE categories (
    id         UUID    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    -- CategoryName::unique_key(): the name lower-cased (Unicode-aware), computed by the domain.
    name_key   TEXT    COLLATE "C" NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL
);

CREATE TABLE tasks (
    id          UUID     NOT NULL PRIMARY KEY,
    project_id  UUID     NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title       TEXT     COLLATE "C" NOT NULL,
    description TEXT     NOT NULL,
    status      TEXT     NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
    priority    SMALLINT NOT NULL CHECK (priority BETWEEN 1 AND 4),
    -- Cleared explicitly (with a version bump) before a category or user is deleted; the
    -- foreign keys only refuse dangling references.
    category_id UUID REFERENCES categories (id),
    assignee_id UUID REFERENCES users (id),
    due_date    INTEGER,
    -- Subtasks go with their parent.
    parent_id   UUID REFERENCES tasks (id) ON DELETE CASCADE,
    is_public   BOOLEAN  NOT NULL,
    -- Not a foreign key: a task keeps its creator's id after the creator is deleted.
    created_by  UUID     NOT NULL,
    created_at  BIGINT   NOT NULL,
    updated_at  BIGINT   NOT NULL,
    version     BIGINT   NOT NULL CHECK (version >= 1),
    -- The due-date sort key: no date sorts after every date, so NULL maps to a value above
    -- the largest day number a DueDate can have (9999-12-31 is 2,932,896).
    due_key     INTEGER  NOT NULL GENERATED ALWAYS AS (coalesce(due_date, 2147483647)) STORED
);

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

-- A project's tasks of one status (a board's column), in each sort order: with the project
-- alone, the planner would fetch the project's tasks of that status and sort them.
CREATE INDEX tasks_project_status_created  ON tasks (project_id, status, created_at, id);
CREATE INDEX tasks_project_status_priority ON tasks (project_id, status, priority, id);
CREATE INDEX tasks_project_status_due      ON tasks (project_id, status, due_key, id);
CREATE INDEX tasks_project_status_title    ON tasks (project_id, status, title, id);

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

-- Priority filter: (priority, id) above already serves "priority = $n order by priority".
CREATE INDEX tasks_prio_created ON tasks (priority, created_at, id);
CREATE INDEX tasks_prio_due     ON tasks (priority, due_key, id);
CREATE INDEX tasks_prio_title   ON tasks (priority, title, id);

-- Public tasks, the second source of a non-admin listing next to the user's projects
-- (partial: only the public rows are indexed).
CREATE INDEX tasks_public_created  ON tasks (created_at, id) WHERE is_public;
CREATE INDEX tasks_public_priority ON tasks (priority, id) WHERE is_public;
CREATE INDEX tasks_public_due      ON tasks (due_key, id) WHERE is_public;
CREATE INDEX tasks_public_title    ON tasks (title, id) WHERE is_public;

-- Labels in first normal form: one row per (task, label). The row also carries copies of its
-- task's four sort keys, kept equal to the task's by the trigger below (controlled
-- redundancy): a listing filtered by label then reads (label, sort key, id) in order straight
-- from an index instead of sorting or scanning.
CREATE TABLE task_labels (
    task_id    UUID     NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    label      TEXT     COLLATE "C" NOT NULL,
    created_at BIGINT   NOT NULL,
    priority   SMALLINT NOT NULL,
    due_key    INTEGER  NOT NULL,
    title      TEXT     COLLATE "C" NOT NULL,
    PRIMARY KEY (task_id, label)
);

CREATE INDEX task_labels_created  ON task_labels (label, created_at, task_id);
CREATE INDEX task_labels_priority ON task_labels (label, priority, task_id);
CREATE INDEX task_labels_due      ON task_labels (label, due_key, task_id);
CREATE INDEX task_labels_title    ON task_labels (label, title, task_id);

CREATE FUNCTION task_labels_sort_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_labels
       SET created_at = NEW.created_at, priority = NEW.priority, due_key = NEW.due_key,
           title = NEW.title
     WHERE task_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER task_labels_sort_keys AFTER UPDATE OF created_at, priority, due_date, title
    ON tasks FOR EACH ROW
    WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at
       OR OLD.priority IS DISTINCT FROM NEW.priority
       OR OLD.due_date IS DISTINCT FROM NEW.due_date
       OR OLD.title IS DISTINCT FROM NEW.title)
    EXECUTE FUNCTION task_labels_sort_keys();

-- Case-insensitive substring search on titles (filter `q`): a trigram index on the lower-cased
-- title serves `lower(title) LIKE '%…%'`. The title is lower-cased under the database's
-- default collation, not "C", whose lower() folds ASCII only.
CREATE INDEX tasks_title_trgm ON tasks USING gin (lower(title COLLATE "default") gin_trgm_ops);

-- Reports: the summary groups one project's tasks (or the public ones) by category, status
-- and priority, index-only.
CREATE INDEX tasks_project_summary
    ON tasks (project_id, category_id, status, priority, due_date, is_public);
CREATE INDEX tasks_public_summary
    ON tasks (category_id, status, priority, due_date, project_id) WHERE is_public;

-- Top open tasks per category, in the window's PARTITION BY category ORDER BY priority DESC,
-- due date (undated last), id order: for every project, and for one.
CREATE INDEX tasks_open_rank
    ON tasks (category_id, priority DESC, due_key, id, project_id, is_public)
    WHERE status <> 'done';
CREATE INDEX tasks_project_open_rank
    ON tasks (project_id, category_id, priority DESC, due_key, id, is_public)
    WHERE status <> 'done';

CREATE TABLE refresh_tokens (
    digest     BYTEA   NOT NULL PRIMARY KEY CHECK (length(digest) = 32),
    user_id    UUID    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family     UUID    NOT NULL,
    issued_at  BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT,
    revoked_at BIGINT
);

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_by_user   ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
