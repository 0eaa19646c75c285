-- Live event streams on every instance (adr/0025-live-event-streams.md): each new entry of the
-- change log is announced on the channel `taskforge_changes` as `history:<id>`, so the
-- instances that did not write it read it from the log and deliver it to their streams. The
-- trigger notifies from inside the writing transaction: PostgreSQL delivers at commit, and
-- never for a rolled-back write. The payload is only a wake-up: readers take the entries from
-- the log in id order, whatever order the notifications arrive in.

CREATE FUNCTION taskforge_announce_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('taskforge_changes', 'history:' || NEW.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER history_announce_entry
    AFTER INSERT ON history
    FOR EACH ROW EXECUTE FUNCTION taskforge_announce_entry();
