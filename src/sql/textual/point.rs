//! `point`: `(x,y)` (or `x,y`) in double precision, printed as float8
//! prints (`(-194,53)` for `(-194.0, 53.0)`, `1e+20`).

use bytes::BytesMut;

/// The coordinates of `s`, or `None` when it is no point.
pub fn parse(s: &str) -> Option<(f64, f64)> {
    let s = s.trim();
    let inner = match s.strip_prefix('(') {
        Some(rest) => rest.strip_suffix(')')?,
        None => s,
    };
    let (x, y) = inner.split_once(',')?;
    Some((coordinate(x)?, coordinate(y)?))
}

fn coordinate(s: &str) -> Option<f64> {
    let s = s.trim();
    match s.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "infinity" | "inf" | "+infinity" => Some(f64::INFINITY),
        "-infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ if s.is_empty()
            || s.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') =>
        {
            None
        }
        _ => s.parse().ok(),
    }
}

pub fn format((x, y): (f64, f64)) -> String {
    let mut out = BytesMut::with_capacity(24);
    out.extend_from_slice(b"(");
    crate::sql::encode::float::write_f64(&mut out, x);
    out.extend_from_slice(b",");
    crate::sql::encode::float::write_f64(&mut out, y);
    out.extend_from_slice(b")");
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_print_as_float8() {
        let read = |s: &str| parse(s).map(format);
        assert_eq!(read(" ( -194.0 , 53.0 ) ").as_deref(), Some("(-194,53)"));
        assert_eq!(read("1.5, 2").as_deref(), Some("(1.5,2)"));
        assert_eq!(read("(1e20,0.1)").as_deref(), Some("(1e+20,0.1)"));
        assert_eq!(read("x"), None);
        assert_eq!(read("(1,2"), None);
    }
}
