//! The repository contract suite of `taskforge-testkit`, run unchanged against PostgreSQL: one
//! test per contract sentence, each on a fresh, empty database of its own (created on the
//! test server and dropped afterwards, see `taskforge_postgres::testing`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use taskforge_domain::ports::Repositories;
use taskforge_postgres::testing::ThrowawayDatabase;
use taskforge_postgres::{PostgresConfig, PostgresDatabase};

/// A fresh, migrated database; dropped when the test's repositories are. Without a server the
/// whole binary is skipped (one loud line; `TASKFORGE_REQUIRE_POSTGRES=1` fails instead): the
/// contract's tests take repositories, so there is nothing to hand them.
async fn fresh() -> Repositories {
    let Some(throwaway) = ThrowawayDatabase::create().await else {
        std::process::exit(0);
    };
    let db = PostgresDatabase::open(PostgresConfig::new(throwaway.url()).pool_size(4))
        .await
        .expect("the database opens");
    db.hold(throwaway);
    db.repositories()
}

taskforge_testkit::contract_tests!(fresh());
