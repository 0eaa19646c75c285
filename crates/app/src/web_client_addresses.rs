//! The web interface's client address, resolved by the API's trusted-proxy rule: the one
//! place that knows both driving adapters joins them, so a login through either is throttled
//! by the same address (`docs/security.md`, "Login").

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;
use taskforge_http::TrustedProxies;
use taskforge_web::ClientAddresses;

/// `TASKFORGE_TRUSTED_PROXIES` as the web interface asks for it. A newtype because neither
/// the trait (crates/web) nor the type (crates/http) belongs to this crate.
#[derive(Debug, Clone, Default)]
pub struct ProxiedClientAddresses(pub TrustedProxies);

impl ClientAddresses for ProxiedClientAddresses {
    fn client_address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        self.0.client_address(peer, headers)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let addresses = ProxiedClientAddresses(TrustedProxies::parse(&["127.0.0.1"]).unwrap());
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_static("203.0.113.9"),
        );
        let proxy = Some("127.0.0.1".parse().unwrap());
        let stranger = Some("198.51.100.4".parse().unwrap());
        assert_eq!(addresses.client_address(proxy, &headers), Some("203.0.113.9".parse().unwrap()));
        assert_eq!(addresses.client_address(stranger, &headers), stranger);
    }
}
