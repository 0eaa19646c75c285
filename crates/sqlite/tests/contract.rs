//! The repository contract suite of `taskforge-testkit`, run unchanged against SQLite: one test
//! per contract sentence, each on a fresh, empty database file in its own temporary directory
//! (a file, not `:memory:`, which the reader pool would split into separate databases).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use taskforge_domain::ports::Repositories;
use taskforge_sqlite::{SqliteConfig, SqliteDatabase, Synchronous};

/// A fresh database in its own temporary directory, removed when the test's repositories are
/// dropped (the database holds the directory).
async fn fresh() -> Repositories {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // NORMAL only to keep the suite fast; durability is not what it checks.
    let config = SqliteConfig::new(dir.path().join("contract.db"))
        .synchronous(Synchronous::Normal)
        .pool_size(2);
    let db = SqliteDatabase::open(config).await.expect("the database opens");
    db.hold(dir);
    db.repositories()
}

taskforge_testkit::contract_tests!(fresh());
