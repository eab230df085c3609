//! The client's address behind reverse proxies. `Forwarded` (RFC 7239) and `X-Forwarded-For`
//! are anyone's to write, so they are read only when the connection comes from a proxy the
//! deployment lists (`trusted_proxies`), and then from the right: each trusted hop is skipped,
//! and the first address that is not a trusted proxy is the client. A header that cannot be read
//! leaves the connection's peer as the client.

use axum::http::HeaderMap;
use std::net::IpAddr;

/// A trusted proxy: an address or a network in CIDR notation (`10.0.0.5`, `10.0.0.0/8`,
/// `2001:db8::/32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    net: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    /// Parses `ADDRESS` or `ADDRESS/PREFIX`.
    pub fn parse(raw: &str) -> Result<TrustedProxy, String> {
        let raw = raw.trim();
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw, None),
        };
        let net = canonical(
            addr.parse::<IpAddr>()
                .map_err(|_| format!("{raw:?} is not an IP address or network (CIDR)"))?,
        );
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{raw:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(TrustedProxy { net, prefix })
    }

    /// Whether `ip` is this proxy or in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for TrustedProxy {
    type Err = String;
    fn from_str(s: &str) -> Result<TrustedProxy, String> {
        TrustedProxy::parse(s)
    }
}

impl std::fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:192.0.2.1`, what a dual-stack socket reports) is
/// the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// Hops read from a header at most: a longer chain is not believed.
const MAX_HOPS: usize = 32;

/// The client's address: the peer, or — when the peer is a trusted proxy — the rightmost
/// address of the forwarding chain that is not a trusted proxy.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[TrustedProxy]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let Some(Some(chain)) = forwarded_for(headers).or_else(|| x_forwarded_for(headers)) else {
        return peer;
    };
    let mut client = peer;
    for hop in chain.into_iter().rev() {
        client = hop;
        if !is_trusted(hop) {
            break;
        }
    }
    client
}

/// The `for=` addresses of `Forwarded`, left to right: `None` without the header, `Some(None)`
/// when it cannot be read (an element without `for`, an obfuscated or `unknown` node, garbage).
fn forwarded_for(headers: &HeaderMap) -> Option<Option<Vec<IpAddr>>> {
    let values: Vec<_> = headers.get_all("forwarded").iter().collect();
    if values.is_empty() {
        return None;
    }
    let mut chain = Vec::new();
    for value in values {
        let Ok(value) = value.to_str() else {
            return Some(None);
        };
        for element in value.split(',') {
            let node = element.split(';').find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim())
            });
            match node.and_then(node_address) {
                Some(ip) if chain.len() < MAX_HOPS => chain.push(ip),
                _ => return Some(None),
            }
        }
    }
    Some(Some(chain))
}

/// The addresses of `X-Forwarded-For`, left to right (same answers as [`forwarded_for`]).
fn x_forwarded_for(headers: &HeaderMap) -> Option<Option<Vec<IpAddr>>> {
    let values: Vec<_> = headers.get_all("x-forwarded-for").iter().collect();
    if values.is_empty() {
        return None;
    }
    let mut chain = Vec::new();
    for value in values {
        let Ok(value) = value.to_str() else {
            return Some(None);
        };
        for hop in value.split(',') {
            match node_address(hop.trim()) {
                Some(ip) if chain.len() < MAX_HOPS => chain.push(ip),
                _ => return Some(None),
            }
        }
    }
    Some(Some(chain))
}

/// An address of a forwarding header: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]`, `[2001:db8::1]:4711`, any of them in double quotes.
fn node_address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    let raw = match raw.strip_prefix('"') {
        Some(quoted) => quoted.strip_suffix('"')?,
        None => raw,
    };
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = raw.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let port_ok = after.is_empty()
            || after
                .strip_prefix(':')
                .is_some_and(|p| p.parse::<u16>().is_ok());
        return port_ok
            .then(|| ip.parse::<std::net::Ipv6Addr>().ok())
            .flatten()
            .map(|ip| canonical(IpAddr::V6(ip)));
    }
    let (ip, port) = raw.split_once(':')?;
    port.parse::<u16>().ok()?;
    ip.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter()
            .map(|p| TrustedProxy::parse(p).unwrap())
            .collect()
    }

    #[test]
    fn proxies_are_addresses_or_networks() {
        let net = TrustedProxy::parse("10.1.0.0/16").unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")));
        let one = TrustedProxy::parse("192.0.2.10").unwrap();
        assert!(one.contains(ip("192.0.2.10")) && !one.contains(ip("192.0.2.11")));
        let v6 = TrustedProxy::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:5::1")) && !v6.contains(ip("2001:db9::1")));
        assert!(
            TrustedProxy::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "proxy.example",
            "10.0.0.1/x",
            "10.0.0/8",
        ] {
            assert!(TrustedProxy::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_count_only_from_a_trusted_peer() {
        let trusted = proxies(&["127.0.0.1"]);
        let h = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(
            client_address(ip("198.51.100.1"), &h, &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(client_address(ip("127.0.0.1"), &h, &[]), ip("127.0.0.1"));
        assert_eq!(
            client_address(ip("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_chain_is_walked_from_the_right_past_trusted_hops() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        // The leftmost entry is the client's own claim: a forged one is never reached.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.0.0.2")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("203.0.113.7")
        );
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.8"),
        ]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("203.0.113.8")
        );
        // Every hop trusted: the furthest one.
        let h = headers(&[("x-forwarded-for", "10.0.0.3, 10.0.0.2")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn forwarded_wins_and_reads_every_node_form() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        let h = headers(&[
            (
                "forwarded",
                "for=1.2.3.4, For=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.2;by=10.0.0.1",
            ),
            ("x-forwarded-for", "198.51.100.9"),
        ]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("2001:db8:cafe::17")
        );
        let h = headers(&[("forwarded", "for=\"203.0.113.7:1234\"")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("203.0.113.7")
        );
        let h = headers(&[("forwarded", "for=[2001:db8::1]")]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn a_header_that_cannot_be_read_leaves_the_peer() {
        let trusted = proxies(&["127.0.0.1"]);
        for (name, value) in [
            ("forwarded", "for=unknown"),
            ("forwarded", "for=_hidden"),
            ("forwarded", "proto=https"),
            ("forwarded", "for=203.0.113.7, garbage"),
            ("forwarded", "for=\"203.0.113.7"),
            ("x-forwarded-for", "203.0.113.7, not-an-address"),
            ("x-forwarded-for", ""),
            ("x-forwarded-for", "[2001:db8::1]:x"),
        ] {
            let h = headers(&[(name, value)]);
            assert_eq!(
                client_address(ip("127.0.0.1"), &h, &trusted),
                ip("127.0.0.1"),
                "{name}: {value}"
            );
        }
        let long = vec!["203.0.113.7"; MAX_HOPS + 1].join(",");
        let h = headers(&[("x-forwarded-for", long.as_str())]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("127.0.0.1")
        );
    }
}
