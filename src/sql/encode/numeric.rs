//! Exact decimal values for `numeric`: parsing PG's input syntax, plain text
//! output, and PostgreSQL's base-10000 binary NUMERIC format.

use bytes::{BufMut, BytesMut};

use super::float::Shortest;

const SIGN_POS: u16 = 0x0000;
const SIGN_NEG: u16 = 0x4000;
const SIGN_NAN: u16 = 0xC000;
const SIGN_PINF: u16 = 0xD000;
const SIGN_NINF: u16 = 0xF000;
/// PG rejects exponents beyond this in `numeric_in`; it also bounds our work.
const MAX_EXPONENT: i64 = 1000;
const MAX_DSCALE: usize = 0x3FFF;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Numeric {
    NaN,
    PosInf,
    NegInf,
    Finite(Decimal),
}

/// A finite decimal: `int` has no leading zeros (empty for zero), `frac`
/// holds exactly the display-scale digits, both as ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub neg: bool,
    pub int: Vec<u8>,
    pub frac: Vec<u8>,
}

impl Numeric {
    /// Parses `numeric_in` syntax: `[+-]digits[.digits][e[+-]digits]`,
    /// `NaN`, `[+-]Infinity`/`inf`, surrounding whitespace allowed.
    pub fn parse(s: &str) -> Option<Numeric> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("nan") {
            return Some(Numeric::NaN);
        }
        let (neg, body) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        if body.eq_ignore_ascii_case("infinity") || body.eq_ignore_ascii_case("inf") {
            return Some(if neg {
                Numeric::NegInf
            } else {
                Numeric::PosInf
            });
        }
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
            None => (body, 0),
        };
        if !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&exp) {
            return None;
        }
        let (int_s, frac_s) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        let all_digits = |x: &str| x.bytes().all(|c| c.is_ascii_digit());
        if int_s.len() + frac_s.len() == 0 || !all_digits(int_s) || !all_digits(frac_s) {
            return None;
        }
        let mut digits = Vec::with_capacity(int_s.len() + frac_s.len());
        digits.extend_from_slice(int_s.as_bytes());
        digits.extend_from_slice(frac_s.as_bytes());
        let point = int_s.len() as i64 + exp;
        let dec = Decimal::from_point(neg, &digits, point)?;
        Some(Numeric::Finite(dec))
    }

    pub fn from_i64(v: i64) -> Numeric {
        let mut b = itoa::Buffer::new();
        let s = b.format(v.unsigned_abs());
        Numeric::Finite(Decimal {
            neg: v < 0,
            int: if v == 0 {
                Vec::new()
            } else {
                s.as_bytes().to_vec()
            },
            frac: Vec::new(),
        })
    }

    /// The float's shortest round-trip decimal, as an exact numeric.
    pub fn from_f64(v: f64) -> Numeric {
        if v.is_nan() {
            return Numeric::NaN;
        }
        if v.is_infinite() {
            return if v > 0.0 {
                Numeric::PosInf
            } else {
                Numeric::NegInf
            };
        }
        if v == 0.0 {
            return Numeric::from_i64(0);
        }
        let s = Shortest::of_f64(v);
        let point = s.exp as i64 + 1;
        Decimal::from_point(s.neg, s.digits(), point)
            .map(Numeric::Finite)
            .unwrap_or(Numeric::NaN)
    }

    /// A double standing for a numeric of unknown scale (an unconstrained
    /// `numeric` column, arithmetic on one): its shortest decimal, without
    /// the noise of binary arithmetic on decimals (`1.1 * 1.5` is the
    /// double 1.6500000000000001, `0.1 + 0.2` 0.30000000000000004). Noise
    /// shows as a shortest form of 16 or 17 digits whose rounding to 15
    /// (the digits SQLite keeps of decimal text, and PostgreSQL of a
    /// float8 made numeric) ends in three or more zeros: those are dropped.
    /// A double of 16 or 17 real digits keeps them.
    pub fn from_f64_decimal(v: f64) -> Numeric {
        const KEPT: usize = 15;
        const NOISE_FREE: usize = KEPT - 3;
        if !v.is_finite() || v == 0.0 || Shortest::of_f64(v).len <= KEPT {
            return Numeric::from_f64(v);
        }
        let rounded = format!("{:.*e}", KEPT - 1, v.abs());
        let Some((mantissa, exp)) = rounded.split_once('e') else {
            return Numeric::from_f64(v);
        };
        let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        let zeros = digits.iter().rev().take_while(|&&d| d == b'0').count();
        let significant = digits.len() - zeros;
        match exp.parse::<i64>() {
            Ok(exp) if significant <= NOISE_FREE => {
                Decimal::from_point(v < 0.0, &digits[..significant], exp + 1)
                    .map_or_else(|| Numeric::from_f64(v), Numeric::Finite)
            }
            _ => Numeric::from_f64(v),
        }
    }

    /// The value with at least `scale` fraction digits (its own if more).
    pub fn with_min_scale(self, scale: usize) -> Numeric {
        match self {
            Numeric::Finite(mut d) if d.frac.len() < scale => {
                d.frac.resize(scale, b'0');
                Numeric::Finite(d)
            }
            other => other,
        }
    }

    /// The value as a `numeric(p, s)` column holds it: exactly `scale`
    /// fraction digits, rounded half away from zero like PostgreSQL's
    /// `apply_typmod`. (SQLite stores such values as REAL or INTEGER, so the
    /// declared scale is applied on the way out.)
    pub fn with_scale(self, scale: usize) -> Numeric {
        let Numeric::Finite(mut d) = self else {
            return self;
        };
        if d.frac.len() <= scale {
            d.frac.resize(scale, b'0');
            return Numeric::Finite(d);
        }
        let round_up = d.frac[scale] >= b'5';
        d.frac.truncate(scale);
        if round_up {
            // Add one unit in the last place, carrying through frac into int.
            let mut carry = true;
            for digit in d.frac.iter_mut().rev().chain(d.int.iter_mut().rev()) {
                if *digit == b'9' {
                    *digit = b'0';
                } else {
                    *digit += 1;
                    carry = false;
                    break;
                }
            }
            if carry {
                d.int.insert(0, b'1');
            }
        }
        Numeric::Finite(d)
    }

    /// `numeric_out`: plain positional notation, never an exponent.
    pub fn write_text(&self, out: &mut BytesMut) {
        match self {
            Numeric::NaN => out.put_slice(b"NaN"),
            Numeric::PosInf => out.put_slice(b"Infinity"),
            Numeric::NegInf => out.put_slice(b"-Infinity"),
            Numeric::Finite(d) => {
                if d.neg && !d.is_zero() {
                    out.put_u8(b'-');
                }
                if d.int.is_empty() {
                    out.put_u8(b'0');
                } else {
                    out.put_slice(&d.int);
                }
                if !d.frac.is_empty() {
                    out.put_u8(b'.');
                    out.put_slice(&d.frac);
                }
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut b = BytesMut::new();
        self.write_text(&mut b);
        // Only ASCII digits, signs and letters are ever written.
        String::from_utf8_lossy(&b).into_owned()
    }

    /// `numeric_send`: ndigits, weight, sign, dscale, then base-10000 digits.
    pub fn write_binary(&self, out: &mut BytesMut) {
        let d = match self {
            Numeric::NaN => return put_header(out, 0, 0, SIGN_NAN, 0),
            Numeric::PosInf => return put_header(out, 0, 0, SIGN_PINF, 0),
            Numeric::NegInf => return put_header(out, 0, 0, SIGN_NINF, 0),
            Numeric::Finite(d) => d,
        };
        // Align to the decimal point: pad the integer part on the left and
        // the fraction on the right to whole groups of four digits.
        let int_groups = d.int.len().div_ceil(4);
        let frac_groups = d.frac.len().div_ceil(4);
        let mut groups: Vec<u16> = Vec::with_capacity(int_groups + frac_groups);
        let lead = int_groups * 4 - d.int.len();
        let padded_int = std::iter::repeat_n(b'0', lead).chain(d.int.iter().copied());
        let padded_frac = d
            .frac
            .iter()
            .copied()
            .chain(std::iter::repeat_n(b'0', frac_groups * 4 - d.frac.len()));
        let all: Vec<u8> = padded_int.chain(padded_frac).collect();
        for chunk in all.chunks(4) {
            groups.push(
                chunk
                    .iter()
                    .fold(0u16, |acc, c| acc * 10 + (c - b'0') as u16),
            );
        }
        let mut weight = int_groups as i32 - 1;
        let first = groups.iter().position(|&g| g != 0);
        let dscale = d.frac.len() as u16;
        let Some(first) = first else {
            return put_header(out, 0, 0, SIGN_POS, dscale);
        };
        weight -= first as i32;
        let last = groups.iter().rposition(|&g| g != 0).unwrap_or(first);
        let kept = &groups[first..=last];
        let sign = if d.neg { SIGN_NEG } else { SIGN_POS };
        put_header(out, kept.len() as i16, weight as i16, sign, dscale);
        for g in kept {
            out.put_u16(*g);
        }
    }

    /// Inverse of [`Numeric::write_binary`]; `None` for malformed input.
    pub fn from_binary(raw: &[u8]) -> Option<Numeric> {
        if raw.len() < 8 {
            return None;
        }
        let be16 = |i: usize| u16::from_be_bytes([raw[i], raw[i + 1]]);
        let ndigits = be16(0) as i16;
        let weight = be16(2) as i16 as i64;
        let sign = be16(4);
        let dscale = be16(6) as usize;
        match sign {
            SIGN_NAN => return Some(Numeric::NaN),
            SIGN_PINF => return Some(Numeric::PosInf),
            SIGN_NINF => return Some(Numeric::NegInf),
            SIGN_POS | SIGN_NEG => {}
            _ => return None,
        }
        if ndigits < 0 || raw.len() != 8 + 2 * ndigits as usize || dscale > MAX_DSCALE {
            return None;
        }
        let mut digits = Vec::with_capacity(ndigits as usize * 4);
        for i in 0..ndigits as usize {
            let g = be16(8 + 2 * i);
            if g >= 10000 {
                return None;
            }
            digits.extend_from_slice(format!("{g:04}").as_bytes());
        }
        if weight.abs() > MAX_EXPONENT {
            return None;
        }
        let point = (weight + 1) * 4;
        let mut dec = Decimal::from_point(sign == SIGN_NEG, &digits, point)?;
        dec.frac.resize(dscale, b'0');
        Some(Numeric::Finite(dec))
    }
}

impl Decimal {
    /// Builds a decimal from `digits` with the point after the first `point`
    /// of them (negative: that many zeros precede them); display scale is
    /// the count of digits after the point.
    fn from_point(neg: bool, digits: &[u8], point: i64) -> Option<Decimal> {
        let len = digits.len() as i64;
        let (int, frac) = if point <= 0 {
            let mut frac = vec![b'0'; (-point) as usize];
            frac.extend_from_slice(digits);
            (Vec::new(), frac)
        } else if point >= len {
            let mut int = digits.to_vec();
            int.resize(point as usize, b'0');
            (int, Vec::new())
        } else {
            let p = point as usize;
            (digits[..p].to_vec(), digits[p..].to_vec())
        };
        if frac.len() > MAX_DSCALE {
            return None;
        }
        let lead = int.iter().take_while(|&&c| c == b'0').count();
        Some(Decimal {
            neg,
            int: int[lead..].to_vec(),
            frac,
        })
    }

    pub fn is_zero(&self) -> bool {
        self.int.is_empty() && self.frac.iter().all(|&c| c == b'0')
    }

    /// The value as an i64 when it has no fractional digits and fits.
    pub fn to_i64(&self) -> Option<i64> {
        if !self.frac.is_empty() {
            return None;
        }
        if self.int.is_empty() {
            return Some(0);
        }
        let s = std::str::from_utf8(&self.int).ok()?;
        let mag: i128 = s.parse().ok()?;
        i64::try_from(if self.neg { -mag } else { mag }).ok()
    }

    /// Significant digits, from the first nonzero to the last nonzero.
    pub fn significant_digits(&self) -> usize {
        let all: Vec<u8> = self.int.iter().chain(self.frac.iter()).copied().collect();
        match (
            all.iter().position(|&c| c != b'0'),
            all.iter().rposition(|&c| c != b'0'),
        ) {
            (Some(a), Some(b)) => b - a + 1,
            _ => 0,
        }
    }
}

fn put_header(out: &mut BytesMut, ndigits: i16, weight: i16, sign: u16, dscale: u16) {
    out.put_i16(ndigits);
    out.put_i16(weight);
    out.put_u16(sign);
    out.put_u16(dscale);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        Numeric::parse(s).unwrap().to_text()
    }

    fn hex(s: &str) -> String {
        let mut b = BytesMut::new();
        Numeric::parse(s).unwrap().write_binary(&mut b);
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn parses_pg_input_syntax() {
        for (input, want) in [
            ("1.50", "1.50"),
            ("1e2", "100"),
            ("1E-2", "0.01"),
            ("-0", "0"),
            ("-0.0", "0.0"),
            ("123.4500e-1", "12.34500"),
            ("1.5e3", "1500"),
            (" -12.5 ", "-12.5"),
            (".5", "0.5"),
            ("5.", "5"),
            ("00012", "12"),
            ("NaN", "NaN"),
            ("-inf", "-Infinity"),
            ("Infinity", "Infinity"),
            (
                "123456789012345678901234567890.000000000000000000001",
                "123456789012345678901234567890.000000000000000000001",
            ),
        ] {
            assert_eq!(text(input), want, "{input}");
        }
        for bad in ["", "abc", "1.2.3", "1e", "--1", "1e5000", "."] {
            assert!(Numeric::parse(bad).is_none(), "{bad}");
        }
    }

    /// Expectations from PostgreSQL 15: `SELECT numeric_send('x'::numeric)`.
    #[test]
    fn binary_matches_pg15_numeric_send() {
        for (input, want) in [
            ("123.45", "0002000000000002007b1194"),
            ("-0.0001", "0001ffff400000040001"),
            ("0", "0000000000000000"),
            ("0.00", "0000000000000002"),
            ("10000", "00010001000000000001"),
            ("NaN", "00000000c0000000"),
            ("1.5e3", "000100000000000005dc"),
        ] {
            assert_eq!(hex(input), want, "{input}");
        }
    }

    #[test]
    fn binary_round_trips() {
        for s in [
            "123.45",
            "-0.0001",
            "0",
            "0.00",
            "10000",
            "-98765432109876543210.0123456789",
            "0.000000001",
            "NaN",
            "Infinity",
            "-Infinity",
        ] {
            let n = Numeric::parse(s).unwrap();
            let mut b = BytesMut::new();
            n.write_binary(&mut b);
            assert_eq!(Numeric::from_binary(&b).unwrap(), n, "{s}");
        }
        assert!(Numeric::from_binary(&[0, 1, 0, 0, 0, 0, 0, 0]).is_none());
    }

    #[test]
    fn from_numbers() {
        assert_eq!(
            Numeric::from_i64(i64::MIN).to_text(),
            "-9223372036854775808"
        );
        assert_eq!(Numeric::from_i64(0).to_text(), "0");
        assert_eq!(Numeric::from_f64(1e20).to_text(), "100000000000000000000");
        assert_eq!(Numeric::from_f64(-0.000125).to_text(), "-0.000125");
        assert_eq!(Numeric::from_f64(2.5).to_text(), "2.5");
        assert_eq!(Numeric::from_f64(0.0).to_text(), "0");
        let decimal = |v: f64| Numeric::from_f64_decimal(v).to_text();
        assert_eq!(decimal(1.1 * 1.5), "1.65");
        assert_eq!(decimal(-(0.1 + 0.2)), "-0.3");
        assert_eq!(decimal(1234567.89 + 0.01), "1234567.9");
        assert_eq!(decimal(1e-20 * 3.0), "0.00000000000000000003");
        // Real digits stay: 16 or 17 of them, or 15 and fewer.
        assert_eq!(decimal(1.2345678901234567), "1.2345678901234567");
        assert_eq!(decimal(1.2345678901234), "1.2345678901234");
        assert_eq!(decimal(2.5), "2.5");
        let d = match Numeric::parse("-00120.0500").unwrap() {
            Numeric::Finite(d) => d,
            _ => unreachable!(),
        };
        assert_eq!(d.significant_digits(), 5);
        assert_eq!(d.to_i64(), None);
    }
}
