//! The repository contract suite of `taskforge-testkit`, run against the in-memory adapter:
//! one test per contract sentence, each on a fresh, empty store.

taskforge_testkit::contract_tests!(async {
    taskforge_memory::MemoryDatabase::new().repositories()
});
