//! The contract of [`ThrottleStore`]: one async function per sentence of its rustdoc, and the
//! budget it exists for — draws racing from many tasks never take more than the budget.
//!
//! Run against a store with [`throttle_store_contract_tests!`](crate::throttle_store_contract_tests):
//!
//! ```ignore
//! taskforge_testkit::throttle_store_contract_tests!(async {
//!     std::sync::Arc::new(taskforge_domain::services::InProcessThrottleStore::new(100))
//!         as std::sync::Arc<dyn taskforge_domain::ports::ThrottleStore>
//! });
//! ```

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use taskforge_domain::ports::{ThrottleStore, ThrottleSwap};
use taskforge_domain::services::{BucketSettings, LoginThrottle, ThrottleSettings};
use taskforge_domain::values::Timestamp;

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|k| (*k).to_owned()).collect()
}

fn swap(key: &str, expected: Option<i64>, new: i64) -> ThrottleSwap {
    ThrottleSwap { key: key.to_owned(), expected, new }
}

/// `read` gives each key's value in the order asked, `None` for a key with no entry.
pub async fn read_gives_values_in_order_and_none_for_unknown_keys(store: Arc<dyn ThrottleStore>) {
    assert!(store.swap(&[swap("t:b", None, 20), swap("t:a", None, 10)]).await.unwrap());
    let values = store.read(&keys(&["t:a", "t:unknown", "t:b"])).await.unwrap();
    assert_eq!(values, [Some(10), None, Some(20)]);
}

/// A swap applies when every key holds its expected value, and the new values are read back.
pub async fn a_swap_whose_expectations_hold_stores_every_new_value(store: Arc<dyn ThrottleStore>) {
    assert!(store.swap(&[swap("t:a", None, 10)]).await.unwrap());
    assert!(store.swap(&[swap("t:a", Some(10), 11), swap("t:b", None, 5)]).await.unwrap());
    assert_eq!(store.read(&keys(&["t:a", "t:b"])).await.unwrap(), [Some(11), Some(5)]);
}

/// When one key holds something else, nothing is stored (all or none).
pub async fn a_swap_with_one_stale_expectation_stores_nothing(store: Arc<dyn ThrottleStore>) {
    assert!(store.swap(&[swap("t:a", None, 10), swap("t:b", None, 20)]).await.unwrap());
    let applied = store
        .swap(&[swap("t:a", Some(10), 11), swap("t:b", Some(19), 21), swap("t:c", None, 1)])
        .await
        .unwrap();
    assert!(!applied, "t:b held 20, not 19");
    assert_eq!(
        store.read(&keys(&["t:a", "t:b", "t:c"])).await.unwrap(),
        [Some(10), Some(20), None],
        "nothing was stored"
    );
    // Expecting no entry for a key that has one fails too.
    assert!(!store.swap(&[swap("t:a", None, 99)]).await.unwrap());
    assert_eq!(store.read(&keys(&["t:a"])).await.unwrap(), [Some(10)]);
}

/// Of two swaps of one key expecting the same value, at most one applies.
pub async fn of_two_swaps_expecting_the_same_value_one_applies(store: Arc<dyn ThrottleStore>) {
    assert!(store.swap(&[swap("t:a", None, 10)]).await.unwrap());
    let mut racers = Vec::new();
    for new in 0..8 {
        let store = Arc::clone(&store);
        racers.push(tokio::spawn(
            async move { store.swap(&[swap("t:a", Some(10), 100 + new)]).await },
        ));
    }
    let mut applied = 0;
    for racer in racers {
        applied += usize::from(racer.await.unwrap().unwrap());
    }
    assert_eq!(applied, 1, "exactly one of eight swaps from the same value applies");
}

/// `put` stores a value whatever the key held.
pub async fn put_stores_a_value_whatever_the_key_held(store: Arc<dyn ThrottleStore>) {
    store.put("t:a", 10).await.unwrap();
    store.put("t:a", 3).await.unwrap();
    assert_eq!(store.read(&keys(&["t:a"])).await.unwrap(), [Some(3)]);
}

/// `sweep` forgets the entries at or before `now`, says how many, and keeps the others.
pub async fn sweep_forgets_exactly_the_entries_whose_instant_passed(store: Arc<dyn ThrottleStore>) {
    store.put("t:past", 99).await.unwrap();
    store.put("t:now", 100).await.unwrap();
    store.put("t:future", 101).await.unwrap();
    assert_eq!(store.sweep(100).await.unwrap(), 2);
    assert_eq!(
        store.read(&keys(&["t:past", "t:now", "t:future"])).await.unwrap(),
        [None, None, Some(101)]
    );
}

fn at_noon() -> Timestamp {
    Timestamp::from_unix_micros(1_767_268_800_000_000).unwrap()
}

const BUDGET: u32 = 5;

fn budget_settings() -> ThrottleSettings {
    ThrottleSettings {
        per_username: BucketSettings::new(BUDGET, Duration::from_secs(60)),
        per_username_everywhere: BucketSettings::new(1_000, Duration::from_secs(1)),
        per_address: BucketSettings::new(1_000, Duration::from_secs(1)),
        registrations_per_address: BucketSettings::new(BUDGET, Duration::from_secs(60)),
        max_tracked: 100,
    }
}

/// Eight tasks, each with a throttle of its own over the one store (as eight instances would
/// be), all guessing at one account from one address at the same instant: exactly the budget
/// is allowed, however the draws interleave.
pub async fn concurrent_login_draws_from_eight_tasks_take_exactly_the_budget(
    store: Arc<dyn ThrottleStore>,
) {
    let address: Option<IpAddr> = Some("192.0.2.1".parse().unwrap());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let throttle = LoginThrottle::with_store(budget_settings(), Arc::clone(&store));
        tasks.push(tokio::spawn(async move {
            let mut allowed = 0_u32;
            for _ in 0..BUDGET {
                if throttle.attempt("alice", address, at_noon()).await.is_ok() {
                    allowed += 1;
                }
            }
            allowed
        }));
    }
    let mut allowed = 0;
    for task in tasks {
        allowed += task.await.unwrap();
    }
    assert_eq!(allowed, BUDGET, "eight tasks share one budget of {BUDGET}");
}

/// The same for registrations from one address.
pub async fn concurrent_registration_draws_from_eight_tasks_take_exactly_the_budget(
    store: Arc<dyn ThrottleStore>,
) {
    let address: Option<IpAddr> = Some("192.0.2.2".parse().unwrap());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let throttle = LoginThrottle::with_store(budget_settings(), Arc::clone(&store));
        tasks.push(tokio::spawn(async move {
            let mut allowed = 0_u32;
            for _ in 0..BUDGET {
                if throttle.attempt_registration(address, at_noon()).await.is_ok() {
                    allowed += 1;
                }
            }
            allowed
        }));
    }
    let mut allowed = 0;
    for task in tasks {
        allowed += task.await.unwrap();
    }
    assert_eq!(allowed, BUDGET, "eight tasks share one budget of {BUDGET}");
}

/// Expands to one test per function of [`crate::throttle_contract`] against the store the
/// factory future yields (fresh and empty for each test), on a multi-threaded runtime so the
/// racing tests race. Invoke it in a test file or module of its own.
#[macro_export]
macro_rules! throttle_store_contract_tests {
    ($factory:expr $(,)?) => {
        $crate::__throttle_store_contract_tests!(
            ($factory)
            read_gives_values_in_order_and_none_for_unknown_keys,
            a_swap_whose_expectations_hold_stores_every_new_value,
            a_swap_with_one_stale_expectation_stores_nothing,
            of_two_swaps_expecting_the_same_value_one_applies,
            put_stores_a_value_whatever_the_key_held,
            sweep_forgets_exactly_the_entries_whose_instant_passed,
            concurrent_login_draws_from_eight_tasks_take_exactly_the_budget,
            concurrent_registration_draws_from_eight_tasks_take_exactly_the_budget,
        );
    };
}

/// Expands the list of [`throttle_store_contract_tests!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __throttle_store_contract_tests {
    (($factory:expr) $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                $crate::__private::block_on_threads(async {
                    let store: ::std::sync::Arc<
                        dyn $crate::__private::taskforge_domain::ports::ThrottleStore,
                    > = ($factory).await;
                    $crate::throttle_contract::$test(store).await;
                });
            }
        )*
    };
}
