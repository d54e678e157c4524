//! `macaddr`: six bytes, read in every spelling PostgreSQL accepts
//! (`08:00:2b:01:02:03`, `08-00-2b-01-02-03`, `08002b:010203`,
//! `08002b-010203`, `0800.2b01.0203`, `0800-2b01-0203`, `08002b010203`)
//! and printed lower-case with colons.

/// The six bytes of `s`, or `None` when it is no MAC address.
pub fn parse(s: &str) -> Option<[u8; 6]> {
    let s = s.trim();
    let hex: String = s
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    if hex.len() != 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // The separators must sit where one of the accepted forms puts them.
    let shape: String = s
        .chars()
        .map(|c| if c.is_ascii_hexdigit() { 'x' } else { c })
        .collect();
    let accepted = [
        "xx:xx:xx:xx:xx:xx",
        "xx-xx-xx-xx-xx-xx",
        "xxxxxx:xxxxxx",
        "xxxxxx-xxxxxx",
        "xxxx.xxxx.xxxx",
        "xxxx-xxxx-xxxx",
        "xxxxxxxxxxxx",
    ];
    if !accepted.contains(&shape.as_str()) {
        return None;
    }
    let mut out = [0u8; 6];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

pub fn format(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_reads_the_same_address() {
        for s in [
            "08:00:2b:01:02:03",
            "08-00-2B-01-02-03",
            "08002b:010203",
            "08002b-010203",
            "0800.2b01.0203",
            "0800-2b01-0203",
            "08002b010203",
        ] {
            assert_eq!(
                parse(s).map(|m| format(&m)).as_deref(),
                Some("08:00:2b:01:02:03"),
                "{s}"
            );
        }
        for bad in [
            "zz",
            "08:00:2b:01:02",
            "08:00:2b:01:02:03:04",
            "0800:2b01:0203",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
