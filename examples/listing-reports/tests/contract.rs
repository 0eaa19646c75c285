//! The whole repository contract suite against the in-memory store with its report repository
//! replaced by [`ListingReports`]: the report contract tests prove the example, the others
//! that swapping one port leaves the rest whole. Run by `cargo test --workspace`.

use std::sync::Arc;

use taskforge_domain::ports::Repositories;
use taskforge_example_listing_reports::ListingReports;
use taskforge_memory::MemoryDatabase;

fn with_listing_reports() -> Repositories {
    let repos = MemoryDatabase::new().repositories();
    let reports = ListingReports::new(Arc::clone(&repos.tasks), Arc::clone(&repos.categories));
    Repositories { reports: Arc::new(reports), ..repos }
}

taskforge_testkit::contract_tests!(async { with_listing_reports() });
