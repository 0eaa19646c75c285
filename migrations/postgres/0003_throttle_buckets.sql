-- The login and registration budgets, shared by every instance of the service
-- (adr/0021-several-instances-on-one-postgresql.md): one row per key, holding one instant in
-- microseconds since the Unix epoch — for a token bucket, when it is full again; for a client
-- remembered as one that logged in to an account, when it is forgotten. The domain decides
-- what the instants become; the adapter only reads them and compare-and-sets them
-- (crates/postgres/src/throttle.rs). A row whose instant has passed means the same as no row,
-- and the sweep deletes those through the index below, so the table holds only the keys that
-- still mean something. Keys are built by the domain from a kind, a lower-cased username and an
-- address network; never from a password.

CREATE TABLE throttle_buckets (
    key        text   PRIMARY KEY,
    expires_at bigint NOT NULL
);

CREATE INDEX throttle_buckets_expires_at ON throttle_buckets (expires_at);
