//! The client's IP address, which the login and registration throttles count by.
//!
//! The web interface does not decide who the client is on its own: behind a reverse proxy
//! every TCP peer is the proxy, and counting by the peer would put every person in one
//! throttle bucket (one attacker could then throttle everyone's logins). Which proxies are
//! believed is an operator setting the JSON API already honours, so the app crate hands in
//! the same rule through [`ClientAddresses`] (constructor injection), and both driving
//! adapters throttle the same client by the same address (`docs/security.md`, "Login").

use std::fmt;
use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;

use crate::state::WebState;

/// Resolves the client's address from the TCP peer and the request headers.
pub trait ClientAddresses: Send + Sync + fmt::Debug {
    /// The client's address for a request from `peer` carrying `headers`. `None` only when
    /// the peer is unknown (in-process tests); an implementation must not return an address
    /// read from a header unless the peer is a proxy it trusts, since any client can write
    /// `X-Forwarded-For`.
    fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr>;
}

/// The default: the TCP peer's address (IPv4-mapped IPv6 as IPv4), headers ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerAddress;

impl ClientAddresses for PeerAddress {
    fn client_address(&self, peer: Option<IpAddr>, _headers: &HeaderMap) -> Option<IpAddr> {
        peer.map(|ip| ip.to_canonical())
    }
}

/// The client's address for `req`, as the injected [`ClientAddresses`] resolves it.
pub(crate) fn client_address(req: &HttpRequest, state: &WebState) -> Option<IpAddr> {
    resolve(req, state.client_addresses.as_ref())
}

fn resolve(req: &HttpRequest, addresses: &dyn ClientAddresses) -> Option<IpAddr> {
    addresses.client_address(req.peer_addr().map(|a| a.ip()), req.headers())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use actix_web::test::TestRequest;

    use super::*;

    /// A resolver that believes a test header, to tell its answer from the peer's.
    #[derive(Debug)]
    struct FromTestHeader;

    impl ClientAddresses for FromTestHeader {
        fn client_address(&self, _peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
            headers.get("x-test-client")?.to_str().ok()?.parse().ok()
        }
    }

    fn request(peer: &str, forwarded: &str) -> HttpRequest {
        TestRequest::default()
            .peer_addr(peer.parse().unwrap())
            .insert_header(("x-forwarded-for", forwarded))
            .insert_header(("x-test-client", forwarded))
            .to_http_request()
    }

    #[test]
    fn the_default_is_the_peer_canonicalised_whatever_the_headers_say() {
        let peer = PeerAddress;
        let req = request("[::ffff:192.0.2.7]:4711", "203.0.113.9");
        assert_eq!(
            peer.client_address(req.peer_addr().map(|a| a.ip()), req.headers()),
            Some("192.0.2.7".parse().unwrap())
        );
        assert_eq!(peer.client_address(None, req.headers()), None);
    }

    #[test]
    fn a_request_is_resolved_by_the_injected_resolver_not_by_its_peer() {
        let req = request("192.0.2.7:4711", "203.0.113.9");
        assert_eq!(resolve(&req, &PeerAddress), Some("192.0.2.7".parse().unwrap()));
        assert_eq!(resolve(&req, &FromTestHeader), Some("203.0.113.9".parse().unwrap()));
    }
}
