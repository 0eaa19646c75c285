//! Login throttling: a token bucket per username and one per client address (design §6), and
//! a separate budget of registrations per client address (OWASP API6: account creation is a
//! business flow worth automating for spam and for probing which usernames exist).
//!
//! Each bucket holds up to `capacity` tokens and regains one every `refill_every`. A login
//! attempt takes one token from *both* its buckets before any password is hashed, and gives
//! them back when it succeeds — so only failures count, and a burst of concurrent guesses
//! cannot all slip past a check made before the first of them fails. When either bucket is
//! empty the attempt is refused with the time until it would hold a token again.
//!
//! The bucket is stored the GCRA way (the "generic cell rate algorithm", which is a token
//! bucket written as one number): instead of a token count and a last-refill time, each key
//! keeps the instant at which its bucket will be full again (`full_at`). Taking a token moves
//! that instant one interval later; a bucket may be drawn while it is fewer than `capacity`
//! intervals from full. One integer per key, no floating point, and a bucket that is already
//! full needs no entry at all.
//!
//! Memory is bounded: at most `max_tracked` keys per kind. When a new key would exceed that,
//! entries whose bucket is full again (they mean nothing) are dropped first, then the ones
//! least recently drawn. An attacker cycling through addresses can therefore make the throttle
//! forget an idle victim, but not one under attack, which is being drawn on.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use crate::clock::Timestamp;
use crate::services::budget::{Buckets, Rule};

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
    /// Per username. Default: 5 failures, then one more per minute.
    pub per_username: BucketSettings,
    /// Per client address (IPv6 by /64 network). Default: 20 failures, then one per 15 s —
    /// more than per username, since many people may share one address behind NAT.
    pub per_address: BucketSettings,
    /// Registrations per client address (IPv6 by /64 network), successful or not. Default:
    /// 20, then one more every 3 minutes — an office behind one NAT can sign up together, a
    /// script cannot mint thousands of accounts or walk the username space through 409s.
    pub registrations_per_address: BucketSettings,
    /// How many usernames, and how many addresses, are remembered at most. Default 10,000.
    pub max_tracked: usize,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            per_username: BucketSettings::new(5, Duration::from_secs(60)),
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

#[derive(Debug, Default)]
struct State {
    usernames: Buckets<String>,
    addresses: Buckets<IpAddr>,
    registrations: Buckets<IpAddr>,
}

impl LoginThrottle {
    /// A throttle with these settings and no history.
    #[must_use]
    pub fn new(settings: ThrottleSettings) -> Self {
        Self { settings, state: Mutex::new(State::default()) }
    }

    /// Takes one token from the bucket of `username` and of `address` (when known).
    ///
    /// # Errors
    /// The time until both buckets hold a token again, when either is empty; nothing is taken
    /// then.
    pub fn attempt(
        &self,
        username: &str,
        address: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<ThrottleTicket, Duration> {
        let username = username_key(username);
        let address = address.map(address_key);
        let user_rule = Rule::from(self.settings.per_username);
        let address_rule = Rule::from(self.settings.per_address);
        let mut state = self.lock();
        let user_wait = state.usernames.wait(&username, user_rule, now);
        let address_wait =
            address.as_ref().map_or(0, |a| state.addresses.wait(a, address_rule, now));
        let wait = user_wait.max(address_wait);
        if wait > 0 {
            // Refused attempts keep their keys fresh, so a throttled key under attack is
            // never the "least recently seen" one that eviction forgets.
            state.usernames.touch(&username, now);
            if let Some(a) = &address {
                state.addresses.touch(a, now);
            }
            return Err(Duration::from_micros(u64::try_from(wait).unwrap_or(u64::MAX)));
        }
        let max = self.settings.max_tracked;
        state.usernames.take(username.clone(), user_rule, now, max);
        if let Some(a) = address {
            state.addresses.take(a, address_rule, now, max);
        }
        Ok(ThrottleTicket { username, address })
    }

    /// Gives back the tokens of an attempt that succeeded.
    pub fn succeeded(&self, ticket: ThrottleTicket, now: Timestamp) {
        let mut state = self.lock();
        state.usernames.give_back(&ticket.username, self.settings.per_username.into(), now);
        if let Some(a) = ticket.address {
            state.addresses.give_back(&a, self.settings.per_address.into(), now);
        }
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
        (state.usernames.full_at.len(), state.addresses.full_at.len())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a cache of timestamps; after a panic elsewhere it is still usable.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
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
        let t = throttle(1, 1);
        let _ = t.attempt("alice", ip("192.0.2.1"), at(0)).unwrap();
        // Refused on the username: the address bucket of 192.0.2.2 is not drawn.
        assert!(t.attempt("alice", ip("192.0.2.2"), at(0)).is_err());
        assert!(t.attempt("bob", ip("192.0.2.2"), at(0)).is_ok());
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
        assert!(t.lock().usernames.full_at.contains_key("victim"));
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
        assert!(state.usernames.full_at.contains_key("busy"));
        assert!(state.usernames.full_at.remove("idle").is_none());
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
