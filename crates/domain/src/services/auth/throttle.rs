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
//! The buckets themselves are GCRA buckets, one number per key (`crate::services::budget`).
//!
//! Memory is bounded: at most `max_tracked` keys per kind, and as many remembered logins.
//! When a new key would exceed that, entries whose bucket is full again (they mean nothing)
//! are dropped first, then the ones least recently drawn. An attacker cycling through addresses can therefore make the throttle
//! forget an idle victim, but not one under attack, which is being drawn on.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use crate::services::budget::{Buckets, Rule};
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

/// The tokens an allowed attempt took; hand it back with [`LoginThrottle::succeeded`] when
/// the attempt succeeds. Dropping it keeps the tokens spent (a failure).
#[derive(Debug)]
#[must_use = "a successful login must give its tokens back"]
pub struct ThrottleTicket {
    username: String,
    address: Option<IpAddr>,
}

/// The login throttle. Pure logic: the caller passes the current time (from the `Clock`
/// port), so tests step time instead of sleeping.
#[derive(Debug)]
pub struct LoginThrottle {
    settings: ThrottleSettings,
    state: Mutex<State>,
}

/// A username as seen from one client address (`None`: a caller with no network address).
type Client = (String, Option<IpAddr>);

#[derive(Debug, Default)]
struct State {
    clients: Buckets<Client>,
    usernames: Buckets<String>,
    addresses: Buckets<IpAddr>,
    registrations: Buckets<IpAddr>,
    /// When each client last logged in to the account successfully.
    known: HashMap<Client, i64>,
}

impl LoginThrottle {
    /// A throttle with these settings and no history.
    #[must_use]
    pub fn new(settings: ThrottleSettings) -> Self {
        Self { settings, state: Mutex::new(State::default()) }
    }

    /// Takes one token from each bucket of this attempt: `username` from `address`, `address`
    /// (when known), and `username` from everywhere.
    ///
    /// # Errors
    /// The time until every bucket that applies holds a token again, when one is empty;
    /// nothing is taken then. The account-wide bucket does not apply to a client that has
    /// logged in to this account before.
    pub fn attempt(
        &self,
        username: &str,
        address: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<ThrottleTicket, Duration> {
        let username = username_key(username);
        let address = address.map(address_key);
        let client = (username.clone(), address);
        let client_rule = Rule::from(self.settings.per_username);
        let everywhere_rule = Rule::from(self.settings.per_username_everywhere);
        let address_rule = Rule::from(self.settings.per_address);
        let mut state = self.lock();
        let client_wait = state.clients.wait(&client, client_rule, now);
        let address_wait =
            address.as_ref().map_or(0, |a| state.addresses.wait(a, address_rule, now));
        let everywhere_wait = if state.known.contains_key(&client) {
            0
        } else {
            state.usernames.wait(&username, everywhere_rule, now)
        };
        let wait = client_wait.max(address_wait).max(everywhere_wait);
        if wait > 0 {
            // Refused attempts keep their keys fresh, so a throttled key under attack is
            // never the "least recently seen" one that eviction forgets.
            state.clients.touch(&client, now);
            state.usernames.touch(&username, now);
            if let Some(a) = &address {
                state.addresses.touch(a, now);
            }
            return Err(Duration::from_micros(u64::try_from(wait).unwrap_or(u64::MAX)));
        }
        let max = self.settings.max_tracked;
        state.clients.take(client, client_rule, now, max);
        state.usernames.take(username.clone(), everywhere_rule, now, max);
        if let Some(a) = address {
            state.addresses.take(a, address_rule, now, max);
        }
        Ok(ThrottleTicket { username, address })
    }

    /// Gives back the tokens of an attempt that succeeded, and remembers its client as one
    /// that logs in to this account.
    pub fn succeeded(&self, ticket: ThrottleTicket, now: Timestamp) {
        let mut state = self.lock();
        let client = (ticket.username, ticket.address);
        state.clients.give_back(&client, self.settings.per_username.into(), now);
        state.usernames.give_back(&client.0, self.settings.per_username_everywhere.into(), now);
        if let Some(a) = ticket.address {
            state.addresses.give_back(&a, self.settings.per_address.into(), now);
        }
        remember(&mut state.known, client, now.unix_micros(), self.settings.max_tracked);
    }

    /// Takes one token from the registration budget of `address`; an unknown address (a
    /// caller that is not on the network, such as the operator's command line) is not limited.
    ///
    /// # Errors
    /// The time until the address may register again; nothing is taken then.
    pub fn attempt_registration(
        &self,
        address: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<(), Duration> {
        let Some(address) = address.map(address_key) else {
            return Ok(());
        };
        let rule = Rule::from(self.settings.registrations_per_address);
        let mut state = self.lock();
        let wait = state.registrations.wait(&address, rule, now);
        if wait > 0 {
            state.registrations.touch(&address, now);
            return Err(Duration::from_micros(u64::try_from(wait).unwrap_or(u64::MAX)));
        }
        state.registrations.take(address, rule, now, self.settings.max_tracked);
        Ok(())
    }

    /// How many usernames and addresses are remembered (for tests and metrics).
    #[must_use]
    pub fn tracked(&self) -> (usize, usize) {
        let state = self.lock();
        (
            state.usernames.full_at.len().max(state.clients.full_at.len()),
            state.addresses.full_at.len(),
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a cache of timestamps; after a panic elsewhere it is still usable.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Records that `client` logged in at `now`; at `max` entries the least recently seen eighth
/// is forgotten first (those clients meet the account-wide bucket again, nothing worse).
fn remember(known: &mut HashMap<Client, i64>, client: Client, now: i64, max: usize) {
    if !known.contains_key(&client) && known.len() >= max.max(1) {
        let mut by_age: Vec<(i64, Client)> = known.iter().map(|(c, at)| (*at, c.clone())).collect();
        by_age.sort_unstable_by_key(|(at, _)| *at);
        let batch = (known.len() + 1 - max.max(1)).max(max / 8).min(by_age.len());
        for (_, old) in by_age.into_iter().take(batch) {
            known.remove(&old);
        }
    }
    known.insert(client, now);
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

    #[test]
    fn the_attempt_after_the_burst_is_refused_until_a_token_comes_back() {
        let t = throttle(3, 100);
        for i in 0..3 {
            let _ = t.attempt("alice", None, at(i)).unwrap();
        }
        // 3 taken at t=0,1,2: the bucket is full again at 2+... the first token returns at 60.
        assert_eq!(t.attempt("alice", None, at(3)).unwrap_err(), Duration::from_secs(57));
        assert_eq!(t.attempt("alice", None, at(59)).unwrap_err(), Duration::from_secs(1));
        let _ = t.attempt("alice", None, at(60)).unwrap();
        assert!(t.attempt("alice", None, at(61)).is_err());
    }

    #[test]
    fn usernames_are_throttled_case_insensitively_and_independently() {
        let t = throttle(1, 100);
        let _ = t.attempt("Alice", None, at(0)).unwrap();
        assert!(t.attempt("alice", None, at(0)).is_err());
        assert!(t.attempt("bob", None, at(0)).is_ok());
    }

    #[test]
    fn an_address_is_throttled_across_usernames() {
        let t = throttle(100, 2);
        let _ = t.attempt("a", ip("192.0.2.7"), at(0)).unwrap();
        let _ = t.attempt("b", ip("192.0.2.7"), at(0)).unwrap();
        assert_eq!(t.attempt("c", ip("192.0.2.7"), at(0)).unwrap_err(), Duration::from_secs(10));
        assert!(t.attempt("c", ip("192.0.2.8"), at(0)).is_ok());
        assert!(t.attempt("c", None, at(0)).is_ok());
    }

    #[test]
    fn ipv6_addresses_share_a_bucket_per_64_network_and_mapped_ipv4_is_ipv4() {
        let t = throttle(100, 1);
        let _ = t.attempt("a", ip("2001:db8:1:2::1"), at(0)).unwrap();
        assert!(t.attempt("b", ip("2001:db8:1:2:ffff::9"), at(0)).is_err());
        assert!(t.attempt("b", ip("2001:db8:1:3::1"), at(0)).is_ok());
        let _ = t.attempt("c", ip("198.51.100.1"), at(0)).unwrap();
        assert!(t.attempt("d", ip("::ffff:198.51.100.1"), at(0)).is_err());
    }

    #[test]
    fn a_refused_attempt_takes_nothing() {
        let t = throttle(1, 2);
        let _ = t.attempt("alice", ip("192.0.2.1"), at(0)).unwrap();
        // Refused on the username from this address: the address bucket is not drawn.
        assert!(t.attempt("alice", ip("192.0.2.1"), at(0)).is_err());
        assert!(t.attempt("bob", ip("192.0.2.1"), at(0)).is_ok());
        assert!(t.attempt("carol", ip("192.0.2.1"), at(0)).is_err(), "two draws, not three");
    }

    #[test]
    fn failures_from_one_address_do_not_lock_the_account_for_another() {
        let t = throttle(2, 100);
        for i in 0..2 {
            let _ = t.attempt("alice", ip("203.0.113.9"), at(i)).unwrap();
        }
        assert!(t.attempt("alice", ip("203.0.113.9"), at(2)).is_err());
        // The owner, at an address that has not failed, is not held up by the attacker's lock.
        let ticket = t.attempt("alice", ip("198.51.100.1"), at(2)).unwrap();
        t.succeeded(ticket, at(2));
        assert!(t.attempt("alice", ip("203.0.113.9"), at(3)).is_err());
    }

    #[test]
    fn an_account_attacked_from_everywhere_admits_only_the_addresses_that_used_it() {
        let t = LoginThrottle::new(ThrottleSettings {
            per_username: BucketSettings::new(2, Duration::from_secs(60)),
            per_username_everywhere: BucketSettings::new(5, Duration::from_secs(30)),
            per_address: BucketSettings::new(100, Duration::from_secs(1)),
            registrations_per_address: BucketSettings::new(1, Duration::from_secs(1)),
            max_tracked: 100,
        });
        let home = ip("198.51.100.1");
        let ticket = t.attempt("alice", home, at(0)).unwrap();
        t.succeeded(ticket, at(0));
        // Five attacker addresses, one failure each, empty the account-wide bucket.
        for i in 1..=5 {
            let _ = t.attempt("alice", ip(&format!("203.0.113.{i}")), at(1)).unwrap();
        }
        let wait = t.attempt("alice", ip("203.0.113.6"), at(1)).unwrap_err();
        assert_eq!(
            wait,
            Duration::from_secs(30),
            "a new address waits for the account-wide bucket"
        );
        assert!(
            t.attempt("alice", ip("192.0.2.77"), at(1)).is_err(),
            "so does the owner elsewhere"
        );
        // The owner at home is not locked out, and another account is untouched.
        let ticket = t.attempt("alice", home, at(1)).unwrap();
        t.succeeded(ticket, at(1));
        assert!(t.attempt("bob", ip("203.0.113.6"), at(1)).is_ok());
    }

    #[test]
    fn a_success_gives_its_tokens_back() {
        let t = throttle(2, 2);
        for i in 0..10 {
            let ticket = t.attempt("alice", ip("192.0.2.1"), at(i)).unwrap();
            t.succeeded(ticket, at(i));
        }
        assert_eq!(t.tracked(), (0, 0), "full buckets are not remembered");
        let _ = t.attempt("alice", ip("192.0.2.1"), at(10)).unwrap();
        let _ = t.attempt("alice", ip("192.0.2.1"), at(10)).unwrap();
        assert!(t.attempt("alice", ip("192.0.2.1"), at(10)).is_err());
    }

    #[test]
    fn memory_stays_bounded_and_a_key_under_attack_is_not_forgotten() {
        let t = throttle(2, 2);
        let _ = t.attempt("victim", None, at(0)).unwrap();
        let _ = t.attempt("victim", None, at(0)).unwrap();
        for i in 1..=1_000 {
            let address = ip(&format!("10.0.{}.{}", i / 256, i % 256));
            let _ = t.attempt(&format!("user{i}"), address, at(i)).unwrap();
            // The attack on the victim goes on, mostly refused.
            let _ = t.attempt("victim", None, at(i));
            assert!(t.tracked().0 <= 100 && t.tracked().1 <= 100);
        }
        assert!(t.lock().clients.full_at.contains_key(&("victim".to_owned(), None)));
        assert!(t.attempt("victim", None, at(1_000)).is_err());
    }

    #[test]
    fn full_buckets_are_evicted_before_busy_ones() {
        let t =
            LoginThrottle::new(ThrottleSettings { max_tracked: 2, ..ThrottleSettings::default() });
        let _ = t.attempt("busy", None, at(0)).unwrap();
        let _ = t.attempt("idle", None, at(0)).unwrap();
        // A minute later "idle" has refilled; "busy" is drawn again and stays behind.
        let _ = t.attempt("busy", None, at(30)).unwrap();
        let _ = t.attempt("new", None, at(61)).unwrap();
        assert_eq!(t.tracked().0, 2);
        let mut state = t.lock();
        assert!(state.clients.full_at.contains_key(&("busy".to_owned(), None)));
        assert!(state.clients.full_at.remove(&("idle".to_owned(), None)).is_none());
    }

    #[test]
    fn long_usernames_make_bounded_keys() {
        assert_eq!(username_key(&"X".repeat(10_000)).len(), MAX_KEY_CHARS);
        assert_eq!(username_key(" Alice "), "alice");
    }

    #[test]
    fn registrations_are_budgeted_per_address_and_regain_one_per_interval() {
        let t = throttle(100, 100);
        t.attempt_registration(ip("192.0.2.1"), at(0)).unwrap();
        t.attempt_registration(ip("192.0.2.1"), at(0)).unwrap();
        assert_eq!(
            t.attempt_registration(ip("192.0.2.1"), at(0)).unwrap_err(),
            Duration::from_secs(30)
        );
        assert!(t.attempt_registration(ip("192.0.2.2"), at(0)).is_ok());
        assert!(t.attempt_registration(ip("192.0.2.1"), at(30)).is_ok());
        assert!(t.attempt_registration(ip("192.0.2.1"), at(30)).is_err());
    }

    #[test]
    fn registrations_without_an_address_are_not_limited_and_logins_are_not_drawn() {
        let t = throttle(1, 1);
        for i in 0..50 {
            t.attempt_registration(None, at(i)).unwrap();
        }
        t.attempt_registration(ip("192.0.2.9"), at(0)).unwrap();
        // The registration budget is its own: the address's login bucket is still full.
        assert!(t.attempt("alice", ip("192.0.2.9"), at(0)).is_ok());
    }
}
