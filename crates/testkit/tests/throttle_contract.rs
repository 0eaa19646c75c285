//! The throttle store contract against the domain's default, in-process store (the one every
//! SQLite and memory deployment uses).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use taskforge_domain::ports::ThrottleStore;
use taskforge_domain::services::InProcessThrottleStore;

taskforge_testkit::throttle_store_contract_tests!(async {
    Arc::new(InProcessThrottleStore::new(100)) as Arc<dyn ThrottleStore>
});
