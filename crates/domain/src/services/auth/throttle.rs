//! Login throttling, and a separate budget of registrations per client address (OWASP API6:
//! account creation is a business flow worth automating for spam and for probing which
//! usernames exist).
//!
//! A login attempt draws on three token buckets:
//!
//! - **per username and client address**: the guesses one client may make at one account
//!   (5, then one a minute);
//! - **per client address**: the guesses one client may make across all accounts (20, then
//!   one every 15 s), so spraying one password over many usernames is slow too;
//! - **per username, from everywhere**: the guesses the whole network may make at one account
//!   (50, then one every 30 s), so an attack spread over many addresses stays slow.
//!
//! The first two stop only the client that failed. That is the point: if failures locked the
//! *account*, anyone could keep a known user out by failing one login a minute, while the
//! user's own attempts — from an address that has not failed — would meet the same lock. The
//! third bucket is the account-wide lock, and it spares the clients that have logged in to the
//! account before (remembered per username and address): when a distributed attack empties it,
//! new addresses must wait, but the owner, at an address that has used the account, still
//! gets in with the right password. The trade-off: during such an attack the owner cannot log
//! in from an address they have never used, and an attacker who already holds an address the
//! owner used (a shared office NAT) keeps that address's per-client allowance.
//!
//! Each bucket holds up to `capacity` tokens and regains one every `refill_every`. An attempt
//! takes one token from each of its buckets before any password is hashed, and gives them back
//! when it succeeds — so only failures count, and a burst of concurrent guesses cannot all
//! slip past a check made before the first of them fails. When a bucket that applies is empty
//! the attempt is refused with the time until it would hold a token again.
//!
//! The buckets themselves are GCRA buckets, one number per key (`crate::services::budget`),
//! kept in a [`ThrottleStore`]. The rules stay here: the throttle reads the instants of an
//! attempt's buckets, decides, and writes the new instants back with one all-or-none
//! compare-and-set, reading again when another attempt wrote first. The default store is
//! [`InProcessThrottleStore`], one budget per process; instances sharing a PostgreSQL
//! database share a store in it, and so one budget (ADR 0021).
//!
//! State is bounded: the store forgets entries whose instant has passed (a sweep at most once
//! a minute), the in-process store keeps at most `max_tracked` keys per kind, and a client
//! that logged in is remembered for [`KNOWN_CLIENT_DAYS`] days.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use super::throttle_store::InProcessThrottleStore;
use crate::ports::{RepositoryError, ThrottleStore, ThrottleSwap};
use crate::services::budget::Rule;
use crate::values::Timestamp;

/// Usernames longer than this are cut before becoming keys (no valid username is longer).
const MAX_KEY_CHARS: usize = 64;

/// One bucket's size and refill rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSettings {
    /// Attempts allowed in a burst (tokens in a full bucket).
    pub capacity: NonZeroU32,
    /// How long the bucket takes to regain one token. Zero disables the bucket.
    pub refill_every: Duration,
}

impl BucketSettings {
    /// A bucket of `capacity` tokens regaining one per `refill_every`; a capacity of zero is
    /// taken as one.
    #[must_use]
    pub fn new(capacity: u32, refill_every: Duration) -> Self {
        Self { capacity: NonZeroU32::new(capacity).unwrap_or(NonZeroU32::MIN), refill_every }
    }
}

/// Settings of the [`LoginThrottle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Per username and client address (IPv6 by /64 network): one client's guesses at one
    /// account. Default: 5 failures, then one more per minute.
    pub per_username: BucketSettings,
    /// Per username from every address together. When it is empty only the addresses that
    /// have logged in to the account before may still try. Default: 50 failures, then one
    /// more every 30 s.
    pub per_username_everywhere: BucketSettings,
    /// Per client address (IPv6 by /64 network). Default: 20 failures, then one per 15 s —
    /// more than per username, since many people may share one address behind NAT.
    pub per_address: BucketSettings,
    /// Registrations per client address (IPv6 by /64 network), successful or not. Default:
    /// 20, then one more every 3 minutes — an office behind one NAT can sign up together, a
    /// script cannot mint thousands of accounts or walk the username space through "taken" answers.
    pub registrations_per_address: BucketSettings,
    /// How many usernames, and how many addresses, are remembered at most. Default 10,000.
    pub max_tracked: usize,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            per_username: BucketSettings::new(5, Duration::from_secs(60)),
            per_username_everywhere: BucketSettings::new(50, Duration::from_secs(30)),
            per_address: BucketSettings::new(20, Duration::from_secs(15)),
            registrations_per_address: BucketSettings::new(20, Duration::from_secs(180)),
            max_tracked: 10_000,
        }
    }
}

/// How long a client that logged in to an account is remembered as one that uses it, in days.
pub const KNOWN_CLIENT_DAYS: i64 = 30;

/// How often (µs) the throttle asks its store to forget the entries that mean nothing.
const SWEEP_EVERY: i64 = 60_000_000;

/// How many times an attempt reads and tries to write its buckets before giving up on a key
/// that many attempts are racing for; it is then refused for [`CONTENDED_WAIT`].
const MAX_ROUNDS: usize = 32;

/// The wait of an attempt that lost [`MAX_ROUNDS`] races in a row.
const CONTENDED_WAIT: Duration = Duration::from_secs(1);

/// Why an attempt may not go ahead.
#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    /// A bucket that applies is empty: try again after this long.
    #[error("throttled; try again in {} ms", .0.as_millis())]
    Refused(Duration),
    /// The throttle store failed.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// The tokens an allowed attempt took; hand it back with [`LoginThrottle::succeeded`] when
/// the attempt succeeds. Dropping it keeps the tokens spent (a failure).
#[derive(Debug)]
#[must_use = "a successful login must give its tokens back"]
pub struct ThrottleTicket {
    username: String,
    address: Option<IpAddr>,
}

/// The login throttle. Pure logic over a [`ThrottleStore`]: the caller passes the current time
/// (from the `Clock` port), so tests step time instead of sleeping.
#[derive(Debug)]
pub struct LoginThrottle {
    settings: ThrottleSettings,
    store: Arc<dyn ThrottleStore>,
    /// When this process last swept the store (µs).
    last_sweep: AtomicI64,
}

/// One bucket of an attempt: its key and rule.
struct Bucket {
    key: String,
    rule: Rule,
}

impl LoginThrottle {
    /// A throttle with these settings and no history, in this process's memory.
    #[must_use]
    pub fn new(settings: ThrottleSettings) -> Self {
        Self::with_store(settings, Arc::new(InProcessThrottleStore::new(settings.max_tracked)))
    }

    /// A throttle with these settings keeping its buckets in `store` (shared by every process
    /// that uses the same store).
    #[must_use]
    pub fn with_store(settings: ThrottleSettings, store: Arc<dyn ThrottleStore>) -> Self {
        Self { settings, store, last_sweep: AtomicI64::new(i64::MIN) }
    }

    /// Takes one token from each bucket of this attempt: `username` from `address`, `address`
    /// (when known), and `username` from everywhere.
    ///
    /// # Errors
    /// [`ThrottleError::Refused`] with the time until every bucket that applies holds a token
    /// again, when one is empty (or when the buckets are too contended to decide); nothing is
    /// taken then. The account-wide bucket does not apply to a client that has logged in to
    /// this account before. [`ThrottleError::Store`] when the store fails.
    pub async fn attempt(
        &self,
        username: &str,
        address: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<ThrottleTicket, ThrottleError> {
        let username = username_key(username);
        let address = address.map(address_key);
        let now = now.unix_micros();
        self.sweep_now_and_then(now).await;
        let known = known_key(&username, address);
        let account = Bucket {
            key: format!("account:{username}"),
            rule: self.settings.per_username_everywhere.into(),
        };
        let mut buckets = vec![Bucket {
            key: format!("client:{}/{username}", shown_address(address)),
            rule: self.settings.per_username.into(),
        }];
        if let Some(a) = address {
            buckets.push(Bucket {
                key: format!("address:{a}"),
                rule: self.settings.per_address.into(),
            });
        }
        for _ in 0..MAX_ROUNDS {
            let mut keys: Vec<String> = buckets.iter().map(|b| b.key.clone()).collect();
            keys.push(account.key.clone());
            keys.push(known.clone());
            let values = self.store.read(&keys).await?;
            let (own, rest) = values.split_at(buckets.len());
            let (account_full_at, is_known) = (rest[0], rest[1].is_some_and(|until| until > now));
            let mut wait = buckets.iter().zip(own).map(|(b, v)| b.rule.wait(*v, now)).max();
            if !is_known {
                wait = wait.max(Some(account.rule.wait(account_full_at, now)));
            }
            let wait = wait.unwrap_or(0);
            if wait > 0 {
                return Err(ThrottleError::Refused(micros(wait)));
            }
            // The account-wide bucket is drawn even for a known client: its failures count
            // against the account like anyone's.
            let swaps: Vec<ThrottleSwap> = buckets
                .iter()
                .zip(own)
                .chain(std::iter::once((&account, &account_full_at)))
                .filter_map(|(b, v)| {
                    b.rule.taken(*v, now).map(|new| ThrottleSwap {
                        key: b.key.clone(),
                        expected: *v,
                        new,
                    })
                })
                .collect();
            if swaps.is_empty() || self.store.swap(&swaps).await? {
                return Ok(ThrottleTicket { username, address });
            }
        }
        Err(ThrottleError::Refused(CONTENDED_WAIT))
    }

    /// Gives back the tokens of an attempt that succeeded, and remembers its client as one
    /// that logs in to this account. Best effort: when the store fails, the tokens stay spent
    /// (as after a failure), which refuses no one who was not already near the limit.
    pub async fn succeeded(&self, ticket: ThrottleTicket, now: Timestamp) {
        let now = now.unix_micros();
        let ThrottleTicket { username, address } = ticket;
        let mut buckets = vec![
            Bucket {
                key: format!("client:{}/{username}", shown_address(address)),
                rule: self.settings.per_username.into(),
            },
            Bucket {
                key: format!("account:{username}"),
                rule: self.settings.per_username_everywhere.into(),
            },
        ];
        if let Some(a) = address {
            buckets.push(Bucket {
                key: format!("address:{a}"),
                rule: self.settings.per_address.into(),
            });
        }
        buckets.retain(|b| !b.rule.is_unlimited());
        let keys: Vec<String> = buckets.iter().map(|b| b.key.clone()).collect();
        for _ in 0..MAX_ROUNDS {
            let Ok(values) = self.store.read(&keys).await else { break };
            // An entry that is gone was forgotten as full: nothing to give back to it.
            let swaps: Vec<ThrottleSwap> = buckets
                .iter()
                .zip(values)
                .filter_map(|(b, v)| {
                    v.map(|full_at| ThrottleSwap {
                        key: b.key.clone(),
                        expected: Some(full_at),
                        new: b.rule.given_back(full_at),
                    })
                })
                .collect();
            match self.store.swap(&swaps).await {
                Ok(false) => {}
                Ok(true) | Err(_) => break,
            }
        }
        let until = now.saturating_add(KNOWN_CLIENT_DAYS * 86_400 * 1_000_000);
        // Best effort, as above: an unremembered client meets the account-wide bucket again.
        drop(self.store.put(&known_key(&username, address), until).await);
    }

    /// Takes one token from the registration budget of `address`; an unknown address (a
    /// caller that is not on the network, such as the operator's command line) is not limited.
    ///
    /// # Errors
    /// [`ThrottleError::Refused`] with the time until the address may register again;
    /// nothing is taken then. [`ThrottleError::Store`] when the store fails.
    pub async fn attempt_registration(
        &self,
        address: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<(), ThrottleError> {
        let Some(address) = address.map(address_key) else {
            return Ok(());
        };
        let now = now.unix_micros();
        self.sweep_now_and_then(now).await;
        let rule = Rule::from(self.settings.registrations_per_address);
        let keys = [format!("registration:{address}")];
        for _ in 0..MAX_ROUNDS {
            let full_at = self.store.read(&keys).await?.first().copied().flatten();
            let wait = rule.wait(full_at, now);
            if wait > 0 {
                return Err(ThrottleError::Refused(micros(wait)));
            }
            let Some(new) = rule.taken(full_at, now) else {
                return Ok(());
            };
            let swap = ThrottleSwap { key: keys[0].clone(), expected: full_at, new };
            if self.store.swap(&[swap]).await? {
                return Ok(());
            }
        }
        Err(ThrottleError::Refused(CONTENDED_WAIT))
    }

    /// Asks the store to forget what means nothing any more, at most once a minute per
    /// process. Best effort: a failed sweep is tried again a minute later.
    async fn sweep_now_and_then(&self, now: i64) {
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now.saturating_sub(last) < SWEEP_EVERY
            || self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        drop(self.store.sweep(now).await);
    }
}

/// Microseconds as a [`Duration`].
fn micros(wait: i64) -> Duration {
    Duration::from_micros(u64::try_from(wait).unwrap_or(u64::MAX))
}

/// The key remembering that a client logged in to an account.
fn known_key(username: &str, address: Option<IpAddr>) -> String {
    format!("known:{}/{username}", shown_address(address))
}

/// An address in a key; `-` for a caller with no network address.
fn shown_address(address: Option<IpAddr>) -> String {
    address.map_or_else(|| String::from("-"), |a| a.to_string())
}

/// Usernames are case-insensitive; keys are lower case and bounded in length.
fn username_key(username: &str) -> String {
    username.trim().chars().take(MAX_KEY_CHARS).flat_map(char::to_lowercase).collect()
}

/// IPv4 addresses as they are (IPv4-mapped IPv6 included); IPv6 by /64 network, since one
/// subscriber usually holds a whole /64 and could otherwise rotate through 2^64 addresses.
fn address_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !(u128::from(u64::MAX))).into()),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::auth::throttle_store::InProcessThrottleStore;

    const SECOND: i64 = 1_000_000;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_micros(1_767_225_600 * SECOND + seconds * SECOND).unwrap()
    }

    fn throttle(user_capacity: u32, address_capacity: u32) -> LoginThrottle {
        LoginThrottle::new(ThrottleSettings {
            per_username: BucketSettings::new(user_capacity, Duration::from_secs(60)),
            per_username_everywhere: BucketSettings::new(1_000, Duration::from_secs(1)),
            per_address: BucketSettings::new(address_capacity, Duration::from_secs(10)),
            registrations_per_address: BucketSettings::new(2, Duration::from_secs(30)),
            max_tracked: 100,
        })
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    /// The wait of a refused attempt.
    fn wait<T: std::fmt::Debug>(result: Result<T, ThrottleError>) -> Duration {
        match result {
            Err(ThrottleError::Refused(wait)) => wait,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_attempt_after_the_burst_is_refused_until_a_token_comes_back() {
        super::super::block_on(async {
            let t = throttle(3, 100);
            for i in 0..3 {
                let _ = t.attempt("alice", None, at(i)).await.unwrap();
            }
            // 3 taken at t=0,1,2: the bucket is full again at 2+... the first token returns at 60.
            assert_eq!(wait(t.attempt("alice", None, at(3)).await), Duration::from_secs(57));
            assert_eq!(wait(t.attempt("alice", None, at(59)).await), Duration::from_secs(1));
            let _ = t.attempt("alice", None, at(60)).await.unwrap();
            assert!(t.attempt("alice", None, at(61)).await.is_err());
        });
    }

    #[test]
    fn usernames_are_throttled_case_insensitively_and_independently() {
        super::super::block_on(async {
            let t = throttle(1, 100);
            let _ = t.attempt("Alice", None, at(0)).await.unwrap();
            assert!(t.attempt("alice", None, at(0)).await.is_err());
            assert!(t.attempt("bob", None, at(0)).await.is_ok());
        });
    }

    #[test]
    fn an_address_is_throttled_across_usernames() {
        super::super::block_on(async {
            let t = throttle(100, 2);
            let _ = t.attempt("a", ip("192.0.2.7"), at(0)).await.unwrap();
            let _ = t.attempt("b", ip("192.0.2.7"), at(0)).await.unwrap();
            assert_eq!(wait(t.attempt("c", ip("192.0.2.7"), at(0)).await), Duration::from_secs(10));
            assert!(t.attempt("c", ip("192.0.2.8"), at(0)).await.is_ok());
            assert!(t.attempt("c", None, at(0)).await.is_ok());
        });
    }

    #[test]
    fn ipv6_addresses_share_a_bucket_per_64_network_and_mapped_ipv4_is_ipv4() {
        super::super::block_on(async {
            let t = throttle(100, 1);
            let _ = t.attempt("a", ip("2001:db8:1:2::1"), at(0)).await.unwrap();
            assert!(t.attempt("b", ip("2001:db8:1:2:ffff::9"), at(0)).await.is_err());
            assert!(t.attempt("b", ip("2001:db8:1:3::1"), at(0)).await.is_ok());
            let _ = t.attempt("c", ip("198.51.100.1"), at(0)).await.unwrap();
            assert!(t.attempt("d", ip("::ffff:198.51.100.1"), at(0)).await.is_err());
        });
    }

    #[test]
    fn a_refused_attempt_takes_nothing() {
        super::super::block_on(async {
            let t = throttle(1, 2);
            let _ = t.attempt("alice", ip("192.0.2.1"), at(0)).await.unwrap();
            // Refused on the username from this address: the address bucket is not drawn.
            assert!(t.attempt("alice", ip("192.0.2.1"), at(0)).await.is_err());
            assert!(t.attempt("bob", ip("192.0.2.1"), at(0)).await.is_ok());
            assert!(
                t.attempt("carol", ip("192.0.2.1"), at(0)).await.is_err(),
                "two draws, not three"
            );
        });
    }

    #[test]
    fn failures_from_one_address_do_not_lock_the_account_for_another() {
        super::super::block_on(async {
            let t = throttle(2, 100);
            for i in 0..2 {
                let _ = t.attempt("alice", ip("203.0.113.9"), at(i)).await.unwrap();
            }
            assert!(t.attempt("alice", ip("203.0.113.9"), at(2)).await.is_err());
            // The owner, at an address that has not failed, is not held up by the attacker's lock.
            let ticket = t.attempt("alice", ip("198.51.100.1"), at(2)).await.unwrap();
            t.succeeded(ticket, at(2)).await;
            assert!(t.attempt("alice", ip("203.0.113.9"), at(3)).await.is_err());
        });
    }

    #[test]
    fn an_account_attacked_from_everywhere_admits_only_the_addresses_that_used_it() {
        super::super::block_on(async {
            let t = LoginThrottle::new(ThrottleSettings {
                per_username: BucketSettings::new(2, Duration::from_secs(60)),
                per_username_everywhere: BucketSettings::new(5, Duration::from_secs(30)),
                per_address: BucketSettings::new(100, Duration::from_secs(1)),
                registrations_per_address: BucketSettings::new(1, Duration::from_secs(1)),
                max_tracked: 100,
            });
            let home = ip("198.51.100.1");
            let ticket = t.attempt("alice", home, at(0)).await.unwrap();
            t.succeeded(ticket, at(0)).await;
            // Five attacker addresses, one failure each, empty the account-wide bucket.
            for i in 1..=5 {
                let _ = t.attempt("alice", ip(&format!("203.0.113.{i}")), at(1)).await.unwrap();
            }
            let wait = wait(t.attempt("alice", ip("203.0.113.6"), at(1)).await);
            assert_eq!(
                wait,
                Duration::from_secs(30),
                "a new address waits for the account-wide bucket"
            );
            assert!(
                t.attempt("alice", ip("192.0.2.77"), at(1)).await.is_err(),
                "so does the owner elsewhere"
            );
            // The owner at home is not locked out, and another account is untouched.
            let ticket = t.attempt("alice", home, at(1)).await.unwrap();
            t.succeeded(ticket, at(1)).await;
            assert!(t.attempt("bob", ip("203.0.113.6"), at(1)).await.is_ok());
        });
    }

    #[test]
    fn a_success_gives_its_tokens_back() {
        super::super::block_on(async {
            let t = throttle(2, 2);
            for i in 0..10 {
                let ticket = t.attempt("alice", ip("192.0.2.1"), at(i)).await.unwrap();
                t.succeeded(ticket, at(i)).await;
            }
            let _ = t.attempt("alice", ip("192.0.2.1"), at(10)).await.unwrap();
            let _ = t.attempt("alice", ip("192.0.2.1"), at(10)).await.unwrap();
            assert!(t.attempt("alice", ip("192.0.2.1"), at(10)).await.is_err());
        });
    }

    fn throttle_over(store: &Arc<InProcessThrottleStore>) -> LoginThrottle {
        let settings = ThrottleSettings {
            per_username: BucketSettings::new(2, Duration::from_secs(600)),
            per_address: BucketSettings::new(2, Duration::from_secs(10)),
            ..throttle(2, 2).settings
        };
        LoginThrottle::with_store(settings, Arc::clone(store) as Arc<dyn ThrottleStore>)
    }

    #[test]
    fn memory_stays_bounded_and_a_key_under_attack_is_not_forgotten() {
        super::super::block_on(async {
            let store = Arc::new(InProcessThrottleStore::new(100));
            let t = throttle_over(&store);
            let _ = t.attempt("victim", None, at(0)).await.unwrap();
            let _ = t.attempt("victim", None, at(0)).await.unwrap();
            for i in 1..=500 {
                let address = ip(&format!("10.0.{}.{}", i / 256, i % 256));
                let _ = t.attempt(&format!("user{i}"), address, at(i)).await.unwrap();
                // The attack on the victim goes on, refused.
                assert!(t.attempt("victim", None, at(i)).await.is_err(), "at {i} s");
                assert!(store.len_of_kind("client") <= 100 && store.len_of_kind("address") <= 100);
            }
        });
    }

    #[test]
    fn the_bucket_closest_to_full_is_forgotten_first() {
        super::super::block_on(async {
            let store = Arc::new(InProcessThrottleStore::new(2));
            let t = throttle_over(&store);
            let _ = t.attempt("busy", None, at(0)).await.unwrap();
            let _ = t.attempt("busy", None, at(0)).await.unwrap();
            let _ = t.attempt("idle", None, at(0)).await.unwrap();
            // "idle" is full again first, so it makes room for "new"; "busy" stays refused.
            let _ = t.attempt("new", None, at(1)).await.unwrap();
            assert_eq!(store.len_of_kind("client"), 2);
            assert!(t.attempt("busy", None, at(1)).await.is_err());
            let _ = t.attempt("idle", None, at(1)).await.unwrap();
            let _ = t.attempt("idle", None, at(1)).await.unwrap();
        });
    }

    #[test]
    fn entries_whose_instant_passed_are_swept() {
        super::super::block_on(async {
            let store = Arc::new(InProcessThrottleStore::new(100));
            let t = throttle_over(&store);
            let _ = t.attempt("alice", ip("192.0.2.1"), at(0)).await.unwrap();
            assert_eq!(store.len_of_kind("address"), 1);
            // A minute later the address bucket (10 s) is full again and swept; the client
            // bucket (10 min) is not.
            let _ = t.attempt("bob", None, at(61)).await.unwrap();
            assert_eq!(store.len_of_kind("address"), 0);
            assert_eq!(store.len_of_kind("client"), 2);
        });
    }

    #[test]
    fn an_unlimited_rule_stores_nothing() {
        super::super::block_on(async {
            let store = Arc::new(InProcessThrottleStore::new(100));
            let unlimited = BucketSettings::new(1, Duration::ZERO);
            let settings = ThrottleSettings {
                per_username: unlimited,
                per_username_everywhere: unlimited,
                per_address: unlimited,
                registrations_per_address: unlimited,
                max_tracked: 100,
            };
            let t =
                LoginThrottle::with_store(settings, Arc::clone(&store) as Arc<dyn ThrottleStore>);
            for _ in 0..10 {
                let _ = t.attempt("alice", ip("192.0.2.1"), at(0)).await.unwrap();
                t.attempt_registration(ip("192.0.2.1"), at(0)).await.unwrap();
            }
            for kind in ["client", "account", "address", "registration"] {
                assert_eq!(store.len_of_kind(kind), 0, "{kind}");
            }
        });
    }

    #[test]
    fn long_usernames_make_bounded_keys() {
        super::super::block_on(async {
            assert_eq!(username_key(&"X".repeat(10_000)).len(), MAX_KEY_CHARS);
            assert_eq!(username_key(" Alice "), "alice");
        });
    }

    #[test]
    fn registrations_are_budgeted_per_address_and_regain_one_per_interval() {
        super::super::block_on(async {
            let t = throttle(100, 100);
            t.attempt_registration(ip("192.0.2.1"), at(0)).await.unwrap();
            t.attempt_registration(ip("192.0.2.1"), at(0)).await.unwrap();
            assert_eq!(
                wait(t.attempt_registration(ip("192.0.2.1"), at(0)).await),
                Duration::from_secs(30)
            );
            assert!(t.attempt_registration(ip("192.0.2.2"), at(0)).await.is_ok());
            assert!(t.attempt_registration(ip("192.0.2.1"), at(30)).await.is_ok());
            assert!(t.attempt_registration(ip("192.0.2.1"), at(30)).await.is_err());
        });
    }

    #[test]
    fn registrations_without_an_address_are_not_limited_and_logins_are_not_drawn() {
        super::super::block_on(async {
            let t = throttle(1, 1);
            for i in 0..50 {
                t.attempt_registration(None, at(i)).await.unwrap();
            }
            t.attempt_registration(ip("192.0.2.9"), at(0)).await.unwrap();
            // The registration budget is its own: the address's login bucket is still full.
            assert!(t.attempt("alice", ip("192.0.2.9"), at(0)).await.is_ok());
        });
    }
}
