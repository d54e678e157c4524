//! `inet` (a host address with an optional network mask) and `cidr` (a
//! network: no bits set right of the mask), as PostgreSQL reads, prints
//! and sends them, with the address arithmetic of its network functions.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use bytes::{BufMut, BytesMut};

/// PostgreSQL's address family codes on the wire (`PGSQL_AF_INET[6]`).
const AF_INET: u8 = 2;
const AF_INET6: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inet {
    pub addr: IpAddr,
    pub bits: u8,
    /// Printed as a `cidr` (the mask always shown).
    pub cidr: bool,
}

impl Inet {
    /// `s` as input for `inet` or (`cidr`) `cidr`; `Err` is PostgreSQL's
    /// message.
    pub fn parse(s: &str, cidr: bool) -> Result<Inet, String> {
        let type_name = if cidr { "cidr" } else { "inet" };
        let invalid = || format!("invalid input syntax for type {type_name}: \"{s}\"");
        let (addr_text, bits_text) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let (addr, given_octets) = if addr_text.contains(':') {
            (
                IpAddr::V6(addr_text.parse::<Ipv6Addr>().map_err(|_| invalid())?),
                16,
            )
        } else if cidr {
            let (v4, octets) = abbreviated_v4(addr_text).ok_or_else(invalid)?;
            (IpAddr::V4(v4), octets)
        } else {
            (
                IpAddr::V4(addr_text.parse::<Ipv4Addr>().map_err(|_| invalid())?),
                4,
            )
        };
        let max = max_bits(addr);
        let bits = match bits_text {
            Some(b) if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) => b
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(invalid)?,
            Some(_) => return Err(invalid()),
            None if cidr => match addr {
                IpAddr::V4(v4) => classful_bits(v4, given_octets),
                IpAddr::V6(_) => 128,
            },
            None => max,
        };
        let value = Inet { addr, bits, cidr };
        if cidr && value.network().addr != addr {
            return Err(format!("invalid cidr value: \"{s}\""));
        }
        Ok(value)
    }

    /// A stored value of either type (a cidr's text reads as an inet with
    /// the same address and mask; an abbreviated one only as a cidr).
    pub fn parse_any(s: &str) -> Result<Inet, String> {
        Inet::parse(s, false).or_else(|_| Inet::parse(s, true))
    }

    pub fn from_binary(raw: &[u8]) -> Option<Inet> {
        let [family, bits, is_cidr, nb, rest @ ..] = raw else {
            return None;
        };
        let addr = match (*family, *nb, rest.len()) {
            (AF_INET, 4, 4) => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(rest).ok()?)),
            (AF_INET6, 16, 16) => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(rest).ok()?)),
            _ => return None,
        };
        (*bits <= max_bits(addr)).then_some(Inet {
            addr,
            bits: *bits,
            cidr: *is_cidr != 0,
        })
    }

    /// `inet_send` / `cidr_send`: family, bits, is-cidr, length, address.
    pub fn write_binary(&self, out: &mut BytesMut, cidr: bool) {
        match self.addr {
            IpAddr::V4(v4) => {
                out.put_slice(&[AF_INET, self.bits, cidr as u8, 4]);
                out.put_slice(&v4.octets());
            }
            IpAddr::V6(v6) => {
                out.put_slice(&[AF_INET6, self.bits, cidr as u8, 16]);
                out.put_slice(&v6.octets());
            }
        }
    }

    pub fn max_bits(&self) -> u8 {
        max_bits(self.addr)
    }

    pub fn family(&self) -> i64 {
        if self.addr.is_ipv4() {
            4
        } else {
            6
        }
    }

    /// The address alone (`host()`).
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `network()`: the host bits cleared, as a cidr.
    pub fn network(&self) -> Inet {
        self.masked(|a, m| a & m)
    }

    /// `broadcast()`: the host bits set.
    pub fn broadcast(&self) -> Inet {
        Inet {
            cidr: false,
            ..self.masked(|a, m| a | !m)
        }
    }

    /// `netmask()` / `hostmask()`: the mask (or its complement) as an address.
    pub fn netmask(&self, host: bool) -> Inet {
        let m = mask(self.addr, self.bits);
        let m = if host { !m & full(self.addr) } else { m };
        Inet {
            addr: from_u128(self.addr, m),
            bits: self.max_bits(),
            cidr: false,
        }
    }

    /// Whether `self` lies within `other` (`<<=`), or strictly (`<<`).
    pub fn within(&self, other: &Inet, strict: bool) -> bool {
        self.addr.is_ipv4() == other.addr.is_ipv4()
            && (other.bits < self.bits || !strict && other.bits == self.bits)
            && self.masked_to(other.bits) == other.masked_to(other.bits)
    }

    /// `&&`: either contains the other.
    pub fn overlaps(&self, other: &Inet) -> bool {
        let bits = self.bits.min(other.bits);
        self.addr.is_ipv4() == other.addr.is_ipv4() && self.masked_to(bits) == other.masked_to(bits)
    }

    /// `text()`: the address and mask always.
    pub fn with_mask(&self) -> String {
        format!("{}/{}", self.addr, self.bits)
    }

    fn masked(&self, f: impl Fn(u128, u128) -> u128) -> Inet {
        let m = mask(self.addr, self.bits);
        Inet {
            addr: from_u128(self.addr, f(to_u128(self.addr), m) & full(self.addr)),
            bits: self.bits,
            cidr: true,
        }
    }

    fn masked_to(&self, bits: u8) -> u128 {
        to_u128(self.addr) & mask(self.addr, bits)
    }
}

impl std::fmt::Display for Inet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.cidr || self.bits != self.max_bits() {
            write!(f, "{}/{}", self.addr, self.bits)
        } else {
            write!(f, "{}", self.addr)
        }
    }
}

fn max_bits(addr: IpAddr) -> u8 {
    if addr.is_ipv4() {
        32
    } else {
        128
    }
}

fn full(addr: IpAddr) -> u128 {
    if addr.is_ipv4() {
        u32::MAX as u128
    } else {
        u128::MAX
    }
}

fn mask(addr: IpAddr, bits: u8) -> u128 {
    let width = u32::from(max_bits(addr));
    let host = width - u32::from(bits);
    if host >= 128 {
        0
    } else {
        (full(addr) >> host) << host
    }
}

fn to_u128(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(v4) => u32::from(v4) as u128,
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn from_u128(like: IpAddr, n: u128) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(n as u32)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
    }
}

/// A cidr's IPv4 address of one to four octets (`192.168.1`), zero-filled.
fn abbreviated_v4(s: &str) -> Option<(Ipv4Addr, u8)> {
    let mut octets = [0u8; 4];
    let mut n = 0;
    for part in s.split('.') {
        if n == 4 || part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        octets[n] = part.parse().ok()?;
        n += 1;
    }
    Some((Ipv4Addr::from(octets), n as u8))
}

/// The mask a cidr without one gets: the old address classes, widened to
/// cover every octet written (`10` is /8, `10.1` /16, `192.168.1` /24).
fn classful_bits(v4: Ipv4Addr, octets: u8) -> u8 {
    let first = v4.octets()[0];
    let class = match first {
        240.. => 32,
        224.. => 4,
        192.. => 24,
        128.. => 16,
        _ => 8,
    };
    class.max(octets * 8).min(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str, cidr: bool) -> String {
        match Inet::parse(s, cidr) {
            Ok(v) => v.to_string(),
            Err(e) => e,
        }
    }

    #[test]
    fn addresses_print_as_postgres_prints_them() {
        assert_eq!(show("192.168.1.5", false), "192.168.1.5");
        assert_eq!(show("192.168.1.5/24", false), "192.168.1.5/24");
        assert_eq!(show("192.168.1.5/32", false), "192.168.1.5");
        assert_eq!(show("2001:db8:0:0:0:0:0:1", false), "2001:db8::1");
        assert_eq!(show("::ffff:1.2.3.4", false), "::ffff:1.2.3.4");
        assert_eq!(show("192.168.1", true), "192.168.1.0/24");
        assert_eq!(show("10", true), "10.0.0.0/8");
        assert_eq!(show("128.1", true), "128.1.0.0/16");
        assert_eq!(show("1.2.3.4", true), "1.2.3.4/32");
        assert_eq!(show("2001:DB8::", true), "2001:db8::/128");
        assert_eq!(
            show("192.168.1.5/24", true),
            "invalid cidr value: \"192.168.1.5/24\""
        );
        for bad in ["10.1", " 1.2.3.4 ", "1.2.3.4/33", "x", "1.2.3.4/"] {
            assert!(
                show(bad, false).starts_with("invalid input syntax"),
                "{bad}"
            );
        }
    }

    #[test]
    fn network_arithmetic() {
        let a = Inet::parse("192.168.1.5/24", false).unwrap();
        assert_eq!(a.network().to_string(), "192.168.1.0/24");
        assert_eq!(a.broadcast().to_string(), "192.168.1.255/24");
        assert_eq!(a.netmask(false).to_string(), "255.255.255.0");
        assert_eq!(a.netmask(true).to_string(), "0.0.0.255");
        let net = Inet::parse("192.168.1.0/24", true).unwrap();
        let host = Inet::parse("192.168.1.7", false).unwrap();
        assert!(host.within(&net, true));
        assert!(net.within(&net, false) && !net.within(&net, true));
        assert!(!Inet::parse("192.168.2.1", false)
            .unwrap()
            .within(&net, false));
        assert!(net.overlaps(&host) && host.overlaps(&net));
    }

    #[test]
    fn binary_round_trip() {
        for (s, cidr) in [("10.0.0.0/8", true), ("2001:db8::1/64", false)] {
            let v = Inet::parse(s, cidr).unwrap();
            let mut b = BytesMut::new();
            v.write_binary(&mut b, cidr);
            assert_eq!(Inet::from_binary(&b), Some(v));
        }
    }
}
