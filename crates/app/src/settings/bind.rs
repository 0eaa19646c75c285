//! The listen address of `taskforge serve`: an IP address and a port (`127.0.0.1:8080`,
//! `[::1]:8080`), or a host name and a port (`localhost:8080`), which is resolved once, when
//! the settings are read — so a name that does not resolve is a configuration error at start,
//! not a surprise later.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};

use super::{ConfigError, refuse};

/// The longest host name DNS allows.
const MAX_HOST_NAME: usize = 253;

/// Where `serve` listens: the address as the operator wrote it, and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindAddress {
    text: String,
    addrs: Vec<SocketAddr>,
}

impl BindAddress {
    /// Parses `text` as `IP:PORT` or `HOST:PORT` and resolves a host name.
    ///
    /// A name that resolves to several addresses (`localhost`: `127.0.0.1` and `::1`) is
    /// served on each of them — except with port `0`, where each address would get a port of
    /// its own: then only the first is used, so that the server has one port.
    ///
    /// # Errors
    /// A [`ConfigError`] naming `TASKFORGE_BIND` when the text is not `HOST:PORT`, the port
    /// is not a number from 0 to 65535, or the name cannot be resolved.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        Self::parse_with(text, |host, port| (host, port).to_socket_addrs().map(Iterator::collect))
    }

    /// [`BindAddress::parse`] with `resolve` standing in for the system's resolver.
    fn parse_with(
        text: &str,
        resolve: impl FnOnce(&str, u16) -> std::io::Result<Vec<SocketAddr>>,
    ) -> Result<Self, ConfigError> {
        let text = text.trim();
        if let Ok(addr) = text.parse::<SocketAddr>() {
            return Ok(Self { text: text.to_owned(), addrs: vec![addr] });
        }
        let shape = || {
            refuse(
                "TASKFORGE_BIND",
                format!("{text:?} is not HOST:PORT, like 127.0.0.1:8080 or localhost:8080"),
            )
        };
        let (host, port) = text.rsplit_once(':').ok_or_else(shape)?;
        if !is_host_name(host) {
            return Err(shape());
        }
        let port = port.parse::<u16>().map_err(|_| {
            refuse("TASKFORGE_BIND", format!("port {port:?} is not a number from 0 to 65535"))
        })?;
        let mut addrs = resolve(host, port).map_err(|e| {
            refuse("TASKFORGE_BIND", format!("cannot resolve host name {host:?}: {e}"))
        })?;
        let mut seen = Vec::with_capacity(addrs.len());
        addrs.retain(|addr| {
            let new = !seen.contains(addr);
            seen.push(*addr);
            new
        });
        if port == 0 {
            addrs.truncate(1);
        }
        if addrs.is_empty() {
            return Err(refuse(
                "TASKFORGE_BIND",
                format!("host name {host:?} resolves to no address"),
            ));
        }
        Ok(Self { text: text.to_owned(), addrs })
    }

    /// The addresses to listen on: one or more, in the resolver's order.
    #[must_use]
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }
}

impl fmt::Display for BindAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A DNS host name: dot-separated labels of ASCII letters, digits and inner hyphens.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= MAX_HOST_NAME
        && host.trim_end_matches('.').split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::*;

    const V4: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const V6: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);

    fn both(_: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok(vec![SocketAddr::new(V6, port), SocketAddr::new(V4, port), SocketAddr::new(V4, port)])
    }

    fn unreachable(host: &str, _: u16) -> std::io::Result<Vec<SocketAddr>> {
        panic!("{host} must not be resolved")
    }

    #[test]
    fn an_ip_address_and_port_is_taken_as_it_is() {
        for (text, addr) in [
            ("127.0.0.1:8080", SocketAddr::new(V4, 8080)),
            (" [::1]:0 ", SocketAddr::new(V6, 0)),
            ("0.0.0.0:443", "0.0.0.0:443".parse().unwrap()),
        ] {
            let bind = BindAddress::parse_with(text, unreachable).unwrap();
            assert_eq!(bind.addrs(), [addr], "{text}");
            assert_eq!(bind.to_string(), text.trim());
        }
    }

    #[test]
    fn a_host_name_is_resolved_to_each_of_its_addresses_once() {
        let bind = BindAddress::parse_with("localhost:8080", both).unwrap();

        assert_eq!(bind.addrs(), [SocketAddr::new(V6, 8080), SocketAddr::new(V4, 8080)]);
        assert_eq!(bind.to_string(), "localhost:8080");
    }

    #[test]
    fn a_host_name_with_port_zero_listens_on_its_first_address_only() {
        let bind = BindAddress::parse_with("localhost:0", both).unwrap();

        assert_eq!(bind.addrs(), [SocketAddr::new(V6, 0)]);
    }

    #[test]
    fn localhost_resolves_with_the_system_resolver() {
        let bind = BindAddress::parse("localhost:8080").unwrap();

        assert!(!bind.addrs().is_empty());
        assert!(bind.addrs().iter().all(|a| a.ip().is_loopback() && a.port() == 8080));
    }

    #[test]
    fn a_name_that_does_not_resolve_is_refused_naming_it() {
        let failing = |_: &str, _: u16| -> std::io::Result<Vec<SocketAddr>> {
            Err(std::io::Error::other("no such host"))
        };
        let err = BindAddress::parse_with("tasks.example.invalid:8080", failing).unwrap_err();

        assert_eq!(err.variable, "TASKFORGE_BIND");
        assert!(err.message.contains("tasks.example.invalid"), "{}", err.message);
        assert!(err.message.contains("no such host"), "{}", err.message);
        let none = |_: &str, _: u16| -> std::io::Result<Vec<SocketAddr>> { Ok(Vec::new()) };
        let err = BindAddress::parse_with("void:8080", none).unwrap_err();
        assert!(err.message.contains("no address"), "{}", err.message);
    }

    #[test]
    fn text_that_is_not_host_and_port_is_refused_without_resolving() {
        for bad in [
            "localhost",
            "8080",
            ":8080",
            "localhost:",
            "localhost:http",
            "localhost:65536",
            "local host:8080",
            "-bad-.example:8080",
            "::1:8080",
            "[::1]:99999",
            "exa_mple.org:80",
            "http://localhost:8080",
        ] {
            let err = BindAddress::parse_with(bad, unreachable).unwrap_err();
            assert_eq!(err.variable, "TASKFORGE_BIND", "{bad}");
        }
    }
}
