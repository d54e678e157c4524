//! Small parsers and printers shared by the encoder and the decoder.

use bytes::{BufMut, BytesMut};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// PG's `boolin`: `true`/`false`/`yes`/`no` or any prefix of them,
/// `on`/`off` (at least two letters), `1`/`0`; case-insensitive, trimmed.
pub(crate) fn parse_bool(raw: &[u8]) -> Option<bool> {
    let s = raw.trim_ascii();
    let is_prefix = |word: &[u8]| {
        !s.is_empty() && s.len() <= word.len() && word[..s.len()].eq_ignore_ascii_case(s)
    };
    match s.first()?.to_ascii_lowercase() {
        b't' if is_prefix(b"true") => Some(true),
        b'y' if is_prefix(b"yes") => Some(true),
        b'f' if is_prefix(b"false") => Some(false),
        b'n' if is_prefix(b"no") => Some(false),
        b'o' if s.len() >= 2 && is_prefix(b"on") => Some(true),
        b'o' if s.len() >= 2 && is_prefix(b"off") => Some(false),
        b'1' if s.len() == 1 => Some(true),
        b'0' if s.len() == 1 => Some(false),
        _ => None,
    }
}

/// A decimal integer as PG's `int8in` reads it: optional sign, digits,
/// surrounding whitespace. `None` on syntax error or i64 overflow.
pub(crate) fn parse_i64(raw: &[u8]) -> Option<i64> {
    std::str::from_utf8(raw.trim_ascii()).ok()?.parse().ok()
}

/// PG's `uuid_in`: 32 hex digits, optionally in braces, with a hyphen
/// allowed after any group of four digits.
pub(crate) fn parse_uuid(raw: &[u8]) -> Option<[u8; 16]> {
    let mut s = raw.trim_ascii();
    if let [b'{', inner @ .., b'}'] = s {
        s = inner;
    }
    let mut out = [0u8; 16];
    let mut n = 0;
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'-' {
            // Only between groups of four digits, never leading or doubled.
            if n == 0 || n % 4 != 0 || n == 32 || s.get(i + 1) == Some(&b'-') {
                return None;
            }
            i += 1;
            continue;
        }
        if n == 32 {
            return None;
        }
        let d = (s[i] as char).to_digit(16)? as u8;
        out[n / 2] |= if n % 2 == 0 { d << 4 } else { d };
        n += 1;
        i += 1;
    }
    (n == 32).then_some(out)
}

/// Canonical lowercase hyphenated form.
pub(crate) fn write_uuid(out: &mut BytesMut, u: &[u8; 16]) {
    for (i, b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.put_u8(b'-');
        }
        out.put_u8(HEX[(b >> 4) as usize]);
        out.put_u8(HEX[(b & 15) as usize]);
    }
}

pub(crate) fn uuid_string(u: &[u8; 16]) -> String {
    let mut b = BytesMut::with_capacity(36);
    write_uuid(&mut b, u);
    String::from_utf8_lossy(&b).into_owned()
}

/// `bytea_output = hex`: `\x` then two lowercase hex digits per byte.
pub(crate) fn write_bytea_hex(out: &mut BytesMut, bytes: &[u8]) {
    out.reserve(2 + bytes.len() * 2);
    out.put_slice(b"\\x");
    for b in bytes {
        out.put_u8(HEX[(b >> 4) as usize]);
        out.put_u8(HEX[(b & 15) as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_spellings() {
        for t in ["t", "TRUE", "tr", " yes ", "y", "on", "1", "On"] {
            assert_eq!(parse_bool(t.as_bytes()), Some(true), "{t}");
        }
        for f in ["f", "false", "FA", "no", "n", "off", "of", "0"] {
            assert_eq!(parse_bool(f.as_bytes()), Some(false), "{f}");
        }
        for bad in ["", "o", "2", "truex", "10", "yess"] {
            assert_eq!(parse_bool(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn uuid_forms() {
        let want = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        for s in [
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
        ] {
            assert_eq!(uuid_string(&parse_uuid(s.as_bytes()).unwrap()), want, "{s}");
        }
        for bad in [
            "",
            "a0eebc99",
            "-a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "g0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0eebc999c0b4ef8bb6d6bb9bd380a1100",
        ] {
            assert!(parse_uuid(bad.as_bytes()).is_none(), "{bad}");
        }
    }
}
