-- Several instances share one database, and each keeps the users' roles and the project
-- memberships it read in memory (crates/app/src/user_cache.rs, membership_cache.rs). A change
-- committed through any of them, or by an operator command, is announced on the channel
-- `taskforge_changes` so every instance drops what it remembered at once
-- (adr/0021-several-instances-on-one-postgresql.md). The triggers notify from inside the
-- writing transaction: PostgreSQL delivers at commit, and never for a rolled-back write.
-- Payloads: `user:<id>` (a role, a password or an account changed or went away) and
-- `member:<project id>:<user id>` (a membership added or removed).

CREATE FUNCTION taskforge_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed RECORD;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := NEW;
    ELSE
        changed := OLD;
    END IF;
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('taskforge_changes', 'user:' || changed.id::text);
    ELSE
        PERFORM pg_notify('taskforge_changes',
                          'member:' || changed.project_id::text || ':' || changed.user_id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_announce_change
    AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION taskforge_announce_change();

CREATE TRIGGER project_members_announce_change
    AFTER INSERT OR DELETE ON project_members
    FOR EACH ROW EXECUTE FUNCTION taskforge_announce_change();
