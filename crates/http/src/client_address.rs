//! The client's IP address, which the login throttle counts failures by (`docs/security.md`,
//! "Login").
//!
//! By default it is the TCP peer's address and nothing else: `X-Forwarded-For` is text any
//! client can send, so believing it would let an attacker pick a fresh "address" for every
//! guess and never be throttled. Behind a reverse proxy, though, every peer is the proxy, and
//! all clients would share one bucket. So the operator may name the proxies
//! ([`TrustedProxies`]); only when the peer is one of them is `X-Forwarded-For` read, from the
//! right (the entry the trusted proxy appended) leftwards, skipping further trusted hops, and
//! the first address that is not a trusted proxy is the client. Entries left of it were
//! written by the client and are ignored. (`Forwarded`, RFC 7239, is not read.)

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::http::header::{HeaderMap, HeaderName};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{Ready, ready};

/// `X-Forwarded-For`.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// An entry of the trusted-proxy list that is neither an address nor a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidProxy(pub String);

impl fmt::Display for InvalidProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an IP address or network such as 10.0.0.0/8", self.0)
    }
}

impl std::error::Error for InvalidProxy {}

/// An IP network, `address/prefix`; a bare address is a network of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork {
    address: IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// True when `ip` lies in this network (an IPv4-mapped IPv6 address counts as IPv4).
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNetwork {
    type Err = InvalidProxy;

    fn from_str(s: &str) -> Result<Self, InvalidProxy> {
        let invalid = || InvalidProxy(s.to_owned());
        let (address, prefix) = match s.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (s.trim(), None),
        };
        let address = address.parse::<IpAddr>().map_err(|_| invalid())?.to_canonical();
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().map_err(|_| invalid())?
            }
            Some(_) => return Err(invalid()),
            None => max,
        };
        if prefix > max {
            return Err(invalid());
        }
        Ok(Self { address, prefix })
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed. Empty by default: only the TCP
/// peer's address counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustedProxies(Vec<IpNetwork>);

impl TrustedProxies {
    /// The proxies at these addresses or networks (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`).
    ///
    /// # Errors
    /// [`InvalidProxy`] for the first entry that is neither.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, InvalidProxy> {
        entries.iter().map(|e| e.as_ref().parse()).collect::<Result<_, _>>().map(Self)
    }

    /// True when no proxy is trusted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `ip` is one of the trusted proxies.
    #[must_use]
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }

    /// The client's address for a request from `peer` with these `headers` (see the module
    /// documentation). `None` only when the peer is unknown.
    #[must_use]
    pub fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer?.to_canonical();
        if !self.trusts(client) {
            return Some(client);
        }
        // Every X-Forwarded-For line, in order, as one list; walked from the nearest hop.
        let hops: Vec<&str> = headers
            .get_all(X_FORWARDED_FOR)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            // A hop a trusted proxy wrote but nobody can read: stop at the proxy that wrote it.
            let Some(address) = parse_hop(hop) else { break };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        Some(client)
    }
}

/// One `X-Forwarded-For` entry: an address, or an address with a port (some proxies add it).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The client's address (see the module documentation); `None` when the peer is unknown,
/// which only in-process tests produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequest for ClientAddress {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let peer = req.peer_addr().map(|a| a.ip());
        let address = match req.app_data::<web::Data<TrustedProxies>>() {
            Some(proxies) => proxies.client_address(peer, req.headers()),
            None => peer.map(|ip| ip.to_canonical()),
        };
        ready(Ok(Self(address)))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(X_FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn networks_parse_and_contain_their_addresses() {
        let net: IpNetwork = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.200.1.1")) && !net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.1.2.3")), "an IPv4-mapped address is IPv4");
        let one: IpNetwork = "192.168.1.7".parse().unwrap();
        assert!(one.contains(ip("192.168.1.7")) && !one.contains(ip("192.168.1.8")));
        let v6: IpNetwork = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: IpNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")) && !all.contains(ip("::1")));
        for bad in ["", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/+8", "example.org", "*"] {
            assert!(bad.parse::<IpNetwork>().is_err(), "{bad}");
        }
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(none.client_address(Some(ip("10.0.0.1")), &headers), Some(ip("10.0.0.1")));
        assert_eq!(none.client_address(None, &headers), None);
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let proxy = Some(ip("10.0.0.1"));
        // The client forged the first entry; the proxy appended the real one.
        let headers = forwarded(&["1.1.1.1, 203.0.113.9"]);
        assert_eq!(proxies.client_address(proxy, &headers), Some(ip("203.0.113.9")));
        // Two proxies, two header lines, a port on one hop.
        let headers = forwarded(&["1.1.1.1", "203.0.113.9:4711, 10.0.0.2"]);
        assert_eq!(proxies.client_address(proxy, &headers), Some(ip("203.0.113.9")));
        // Only proxies: the farthest one. No header: the proxy itself.
        let headers = forwarded(&["10.0.0.3, 10.0.0.2"]);
        assert_eq!(proxies.client_address(proxy, &headers), Some(ip("10.0.0.3")));
        assert_eq!(proxies.client_address(proxy, &HeaderMap::new()), proxy);
        // Garbage written after a proxy hop: the proxy, never the garbage.
        let headers = forwarded(&["203.0.113.9, unknown, 10.0.0.2"]);
        assert_eq!(proxies.client_address(proxy, &headers), Some(ip("10.0.0.2")));
        // A peer that is not a proxy is believed over any header.
        let headers = forwarded(&["203.0.113.9"]);
        let direct = Some(ip("198.51.100.4"));
        assert_eq!(proxies.client_address(direct, &headers), direct);
    }
}
