//! Float text output as PostgreSQL 15 prints it with `extra_float_digits = 1`:
//! shortest round-trip digits (ryu), laid out like PG's own ryu port, which
//! switches to exponent form outside `[1e-4, 1e15)` (`[1e-4, 1e6)` for float4).

use bytes::{BufMut, BytesMut};

/// Shortest round-trip decimal digits of a finite float: `digits[..len]`
/// with no leading or trailing zeros, the first digit worth `10^exp`.
/// Zero has `len == 0`.
pub(crate) struct Shortest {
    pub neg: bool,
    pub digits: [u8; 20],
    pub len: usize,
    pub exp: i32,
}

impl Shortest {
    pub fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }

    pub fn of_f64(v: f64) -> Shortest {
        let mut buf = ryu::Buffer::new();
        Self::from_ryu(buf.format_finite(v).as_bytes())
    }

    pub fn of_f32(v: f32) -> Shortest {
        let mut buf = ryu::Buffer::new();
        Self::from_ryu(buf.format_finite(v).as_bytes())
    }

    /// Reads ryu's own layout (`1.5e-7`, `100.0`, `0.001`) back into digits
    /// and exponent; cheaper than reimplementing ryu's digit generation.
    fn from_ryu(s: &[u8]) -> Shortest {
        let mut out = Shortest {
            neg: false,
            digits: [0; 20],
            len: 0,
            exp: 0,
        };
        let mut rest = s;
        if let [b'-', tail @ ..] = rest {
            out.neg = true;
            rest = tail;
        }
        let (mantissa, e) = match rest.iter().position(|&c| c == b'e' || c == b'E') {
            Some(i) => {
                let e = std::str::from_utf8(&rest[i + 1..])
                    .ok()
                    .and_then(|t| t.parse::<i32>().ok())
                    .unwrap_or(0);
                (&rest[..i], e)
            }
            None => (rest, 0),
        };
        // Position of the decimal point counted in digits from the left.
        let mut point: i32 = 0;
        let mut seen_point = false;
        for &c in mantissa {
            match c {
                b'.' => seen_point = true,
                b'0'..=b'9' => {
                    if out.len == 0 && c == b'0' {
                        // Leading zero: shifts the point, keeps no digit.
                        if !seen_point {
                            continue;
                        }
                        point -= 1;
                        continue;
                    }
                    if out.len < out.digits.len() {
                        out.digits[out.len] = c;
                        out.len += 1;
                    }
                    if !seen_point {
                        point += 1;
                    }
                }
                _ => {}
            }
        }
        while out.len > 0 && out.digits[out.len - 1] == b'0' {
            out.len -= 1;
        }
        out.exp = point - 1 + e;
        out
    }
}

/// Writes a float8 the way PostgreSQL's `float8out` does.
pub(crate) fn write_f64(out: &mut BytesMut, v: f64) {
    if let Some(s) = non_finite(v) {
        out.put_slice(s.as_bytes());
        return;
    }
    write_pg_layout(out, &Shortest::of_f64(v), 15);
}

/// Writes a float4 the way PostgreSQL's `float4out` does.
pub(crate) fn write_f32(out: &mut BytesMut, v: f32) {
    if let Some(s) = non_finite(v as f64) {
        out.put_slice(s.as_bytes());
        return;
    }
    write_pg_layout(out, &Shortest::of_f32(v), 6);
}

fn non_finite(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("Infinity")
    } else if v == f64::NEG_INFINITY {
        Some("-Infinity")
    } else {
        None
    }
}

/// `max_fixed_exp` is `DBL_DIG` (15) or `FLT_DIG` (6), as in PG's `d2s.c`.
fn write_pg_layout(out: &mut BytesMut, s: &Shortest, max_fixed_exp: i32) {
    if s.neg {
        out.put_u8(b'-');
    }
    let d = s.digits();
    if d.is_empty() {
        out.put_u8(b'0');
        return;
    }
    if s.exp < -4 || s.exp >= max_fixed_exp {
        out.put_u8(d[0]);
        if d.len() > 1 {
            out.put_u8(b'.');
            out.put_slice(&d[1..]);
        }
        out.put_u8(b'e');
        out.put_u8(if s.exp < 0 { b'-' } else { b'+' });
        let e = s.exp.unsigned_abs();
        if e < 10 {
            out.put_u8(b'0');
        }
        out.put_slice(itoa::Buffer::new().format(e).as_bytes());
    } else {
        write_plain_digits(out, d, s.exp);
    }
}

/// Writes digits whose first is worth `10^exp` in positional notation,
/// never exponent form (for numeric, where PG never uses exponents).
pub(crate) fn write_plain_digits(out: &mut BytesMut, d: &[u8], exp: i32) {
    if d.is_empty() {
        out.put_u8(b'0');
        return;
    }
    if exp < 0 {
        out.put_slice(b"0.");
        for _ in 0..(-exp - 1) {
            out.put_u8(b'0');
        }
        out.put_slice(d);
        return;
    }
    let int_len = exp as usize + 1;
    if d.len() <= int_len {
        out.put_slice(d);
        for _ in d.len()..int_len {
            out.put_u8(b'0');
        }
    } else {
        out.put_slice(&d[..int_len]);
        out.put_u8(b'.');
        out.put_slice(&d[int_len..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f8(v: f64) -> String {
        let mut b = BytesMut::new();
        write_f64(&mut b, v);
        String::from_utf8(b.to_vec()).unwrap()
    }

    fn f4(v: f32) -> String {
        let mut b = BytesMut::new();
        write_f32(&mut b, v);
        String::from_utf8(b.to_vec()).unwrap()
    }

    /// Expectations verified against PostgreSQL 15.18 (`SELECT x::float8`).
    #[test]
    fn float8_matches_pg15() {
        for (v, want) in [
            (1e20, "1e+20"),
            (1e-7, "1e-07"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1.2345678901234567e-07, "1.2345678901234566e-07"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
            (1e15, "1e+15"),
            (1e16, "1e+16"),
            (123456789012345.0, "123456789012345"),
            (1234567890123456.0, "1.234567890123456e+15"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1e-320, "1e-320"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (100.0, "100"),
            (5e-324, "5e-324"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(f8(v), want, "{v:e}");
        }
    }

    /// Expectations verified against PostgreSQL 15.18 (`SELECT x::float4`).
    #[test]
    fn float4_matches_pg15() {
        for (v, want) in [
            (0.1f32, "0.1"),
            (1e5, "100000"),
            (1e6, "1e+06"),
            (1e7, "1e+07"),
            (3.4028235e38, "3.4028235e+38"),
            (16777216.0, "1.6777216e+07"),
            (1.1, "1.1"),
            (123456789.0, "1.2345679e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
        ] {
            assert_eq!(f4(v), want, "{v:e}");
        }
    }

    #[test]
    fn plain_digits() {
        let mut b = BytesMut::new();
        write_plain_digits(&mut b, b"15", 20);
        assert_eq!(&b[..], b"150000000000000000000");
        b.clear();
        write_plain_digits(&mut b, b"15", -3);
        assert_eq!(&b[..], b"0.0015");
        b.clear();
        write_plain_digits(&mut b, b"15", 0);
        assert_eq!(&b[..], b"1.5");
    }
}
