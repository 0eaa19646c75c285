//! Connection settings: the server's URL and the pool size.

use std::fmt;

/// How to reach the PostgreSQL database and how many connections to keep.
///
/// `Debug` shows the URL with its password redacted ([`redact_url`]).
#[derive(Clone)]
pub struct PostgresConfig {
    pub(crate) url: String,
    pub(crate) pool_size: usize,
    pub(crate) create: bool,
}

impl PostgresConfig {
    /// Settings for the database at `url` (`postgres://user:password@host:port/dbname?…`, or
    /// `postgresql://…`), with a pool of 16 connections.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), pool_size: 16, create: true }
    }

    /// Whether opening may create the schema in a database that has none (the default), or
    /// must find a TaskForge database there already (operator commands, which should act on
    /// data that exists, not on an empty schema made by a mistyped URL).
    #[must_use]
    pub fn create_if_missing(mut self, create: bool) -> Self {
        self.create = create;
        self
    }

    /// The most connections this process opens (at least 1). Every instance opens its own
    /// pool, so the server must allow instances × this many connections.
    #[must_use]
    pub fn pool_size(mut self, size: usize) -> Self {
        self.pool_size = size.max(1);
        self
    }
}

impl fmt::Debug for PostgresConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresConfig")
            .field("url", &redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .field("create", &self.create)
            .finish()
    }
}

/// True when `value` names a PostgreSQL database (`postgres://` or `postgresql://`) rather
/// than an SQLite file.
#[must_use]
pub fn is_postgres_url(value: &str) -> bool {
    let lower = value.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// `url` with any password replaced by `***`, safe to log or echo: the user info's password
/// (`postgres://user:secret@host`) and a `password=` query parameter. Text that is not a URL
/// (a file path) comes back unchanged but for any `user:secret@` inside one of its `/`
/// segments: a mistyped URL taken for a path (`/srv/postgress:/tf:secret@db/x`) keeps its
/// password too.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.split('/').map(redact_userinfo).collect::<Vec<_>>().join("/");
    };
    let (scheme, rest) = url.split_at(scheme_end + 3);
    // The authority ends at the first '/', '?' or '#'; its user info at the last '@' in it.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let (userinfo, host) = authority.split_at(at);
            match userinfo.find(':') {
                Some(colon) => format!("{}:***{host}", &userinfo[..colon]),
                None => authority.to_owned(),
            }
        }
        None => authority.to_owned(),
    };
    let tail = match tail.find('?') {
        Some(q) => {
            let (path, query) = tail.split_at(q + 1);
            let params: Vec<String> = query
                .split('&')
                .map(|p| {
                    let key = p.split('=').next().unwrap_or_default();
                    if key.eq_ignore_ascii_case("password") {
                        format!("{key}=***")
                    } else {
                        p.to_owned()
                    }
                })
                .collect();
            format!("{path}{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}{authority}{tail}")
}

/// `segment` with what lies between its first `:` and its last `@` (a password, if the
/// segment is `user:password@host`) replaced by `***`.
fn redact_userinfo(segment: &str) -> String {
    match (segment.find(':'), segment.rfind('@')) {
        (Some(colon), Some(at)) if colon < at => {
            format!("{}:***{}", &segment[..colon], &segment[at..])
        }
        _ => segment.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_survives_redaction() {
        assert_eq!(
            redact_url("postgres://tf:s3cr%40t@db.example:5432/taskforge"),
            "postgres://tf:***@db.example:5432/taskforge"
        );
        assert_eq!(
            redact_url("postgresql://tf@db/x?sslmode=disable&password=hunter2"),
            "postgresql://tf@db/x?sslmode=disable&password=***"
        );
        // A password containing '@' and ':' (unencoded, as people type them).
        assert_eq!(redact_url("postgres://tf:p@ss:w@rd@db/x"), "postgres://tf:***@db/x");
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
        assert_eq!(redact_url("taskforge.db"), "taskforge.db");
        assert_eq!(redact_url("/srv/data/taskforge.db"), "/srv/data/taskforge.db");
        // A mistyped scheme made a path of it (as `std::path::absolute` leaves it).
        assert_eq!(
            redact_url("/srv/postgress:/tf:hunter2@db:5432/x"),
            "/srv/postgress:/tf:***@db:5432/x"
        );
    }

    #[test]
    fn postgres_urls_are_told_from_file_paths() {
        assert!(is_postgres_url("postgres://localhost/tf"));
        assert!(is_postgres_url("PostgreSQL://localhost/tf"));
        assert!(!is_postgres_url("taskforge.db"));
        assert!(!is_postgres_url("memory"));
        assert!(!is_postgres_url("./postgres://x"));
    }

    #[test]
    fn debug_redacts_the_url() {
        let shown = format!("{:?}", PostgresConfig::new("postgres://u:pw@h/d"));
        assert!(!shown.contains("pw@"), "{shown}");
    }
}
