//! The throttle store contract against PostgreSQL, each test on a fresh database of its own:
//! the racing tests are eight instances' worth of throttles sharing one budget.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use taskforge_domain::ports::ThrottleStore;
use taskforge_postgres::testing::ThrowawayDatabase;
use taskforge_postgres::{PostgresConfig, PostgresDatabase};

/// A fresh, migrated database's throttle store; without a server the binary is skipped (one
/// loud line; `TASKFORGE_REQUIRE_POSTGRES=1` fails instead).
async fn fresh() -> Arc<dyn ThrottleStore> {
    let Some(throwaway) = ThrowawayDatabase::create().await else {
        std::process::exit(0);
    };
    let db = PostgresDatabase::open(PostgresConfig::new(throwaway.url()).pool_size(8))
        .await
        .expect("the database opens");
    db.hold(throwaway);
    db.throttle_store()
}

taskforge_testkit::throttle_store_contract_tests!(fresh());
