//! The repository contract suite of `taskforge-domain`, run against the in-memory adapter:
//! one test per contract sentence, each on a fresh, empty store.

taskforge_domain::contract_tests!(async { taskforge_memory::MemoryDatabase::new().repositories() });
