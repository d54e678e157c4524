//! Numbers in paths: `+ - * / %` as PostgreSQL's numeric computes them,
//! digits and scale included (0.1 + 0.2 is 0.3, 8.5 / 2 is
//! 4.2500000000000000). A result a double cannot print the same way travels
//! as a string marked with [`EXACT`], which [`write`] prints as a number
//! and [`plain`] turns into a double for everything else.

use super::eval::{err, EvalError};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use serde_json::{Number, Value as Json};
use std::borrow::Cow;

/// Marks a string holding a number's exact text (a noncharacter, which
/// documents do not hold).
const EXACT: char = '\u{10FFFF}';

pub fn exact_text(v: &Json) -> Option<&str> {
    match v {
        Json::String(s) => s.strip_prefix(EXACT),
        _ => None,
    }
}

pub fn is_number(v: &Json) -> bool {
    v.is_number() || exact_text(v).is_some()
}

/// The item with an exact number read as a double.
pub fn plain(v: &Json) -> Cow<'_, Json> {
    match exact_text(v).and_then(|t| t.parse::<f64>().ok()) {
        Some(f) => Cow::Owned(Number::from_f64(f).map_or(Json::Null, Json::Number)),
        None => Cow::Borrowed(v),
    }
}

/// A JSON document whose numbers keep their digits (`1.50`, not 1.5).
pub fn read(text: &str) -> Option<Json> {
    use crate::sql::encode::json::{parse, Json as Source};
    fn convert(v: Source<'_>) -> Json {
        match v {
            Source::Null => Json::Null,
            Source::Bool(b) => Json::Bool(b),
            Source::Number(t) => number(t),
            Source::String(s) => Json::String(s.into_owned()),
            Source::Array(a) => Json::Array(a.into_iter().map(convert).collect()),
            Source::Object(m) => Json::Object(
                m.into_iter()
                    .map(|(k, v)| (k.into_owned(), convert(v)))
                    .collect(),
            ),
        }
    }
    parse(text).map(convert)
}

/// A number from its JSON text: a plain number when it prints back the
/// same, else the exact text.
fn number(t: &str) -> Json {
    if let Ok(i) = t.parse::<i64>() {
        if i.to_string() == t {
            return Json::from(i);
        }
    }
    match t.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(n) if n.to_string() == t => Json::Number(n),
        _ => Json::String(format!("{EXACT}{t}")),
    }
}

/// A number's digits without an exponent (`1e2` is `100`), for its size in
/// jsonb's binary form.
pub fn decimal_text(v: &Json) -> Option<String> {
    Dec::of(v).map(|d| d.text())
}

/// Compact JSON text, exact numbers unquoted.
pub fn write(v: &Json) -> String {
    let text = v.to_string();
    let marker = format!("\"{EXACT}");
    if !text.contains(&marker) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find(&marker) {
        out.push_str(&rest[..i]);
        let number = &rest[i + marker.len()..];
        let end = number.find('"').unwrap_or(number.len());
        out.push_str(&number[..end]);
        rest = number.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A float result; whole values print as integers, as PostgreSQL's numeric
/// conversion of a double does.
pub fn float(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Json::from(f as i64);
    }
    Number::from_f64(f).map_or(Json::Null, Json::Number)
}

pub fn negate_number(v: &Json) -> Json {
    if let Some(t) = exact_text(v) {
        let negated = t
            .strip_prefix('-')
            .map_or_else(|| format!("-{t}"), str::to_owned);
        return Json::String(format!("{EXACT}{negated}"));
    }
    match v.as_i64() {
        Some(i) if i != i64::MIN => Json::from(-i),
        _ => Number::from_f64(-v.as_f64().unwrap_or(0.0)).map_or(Json::Null, Json::Number),
    }
}

/// A decimal: `digits * 10^-scale`.
struct Dec {
    digits: BigInt,
    scale: u32,
}

impl Dec {
    fn parse(text: &str) -> Option<Dec> {
        let (mantissa, exp) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i64>().ok()?),
            None => (text, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits: BigInt = format!("{int}{frac}").parse().ok()?;
        let scale = frac.len() as i64 - exp;
        if scale < 0 {
            let shift = u32::try_from(-scale).ok().filter(|s| *s <= 1000)?;
            return Some(Dec {
                digits: digits * BigInt::from(10).pow(shift),
                scale: 0,
            });
        }
        Some(Dec {
            digits,
            scale: u32::try_from(scale).ok().filter(|s| *s <= 1000)?,
        })
    }

    fn of(v: &Json) -> Option<Dec> {
        match exact_text(v) {
            Some(t) => Dec::parse(t),
            None => Dec::parse(&v.as_number()?.to_string()),
        }
    }

    fn rescale(&self, scale: u32) -> BigInt {
        &self.digits * BigInt::from(10).pow(scale - self.scale)
    }

    fn text(&self) -> String {
        let abs = self.digits.abs().to_string();
        let sign = if self.digits.is_negative() { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return format!("{sign}{abs}");
        }
        let padded = format!("{abs:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{sign}{int}.{frac}")
    }

    /// The most significant base-10000 digit and its weight, as
    /// PostgreSQL's numeric stores the number.
    fn first_group(&self) -> (i64, u32) {
        let text = self.digits.abs().to_string();
        if self.digits.is_zero() {
            return (0, 0);
        }
        // Digits left of the point, counted in groups of four from it.
        let int_len = text.len() as i64 - i64::from(self.scale);
        let lead_zeros = text.len() - text.trim_start_matches('0').len();
        let pos = int_len - lead_zeros as i64; // position of the first nonzero digit
        let weight = (pos - 1).div_euclid(4);
        // The group holding that digit.
        let group_start = int_len - 4 * (weight + 1);
        let value: u32 = (0..4)
            .map(|k| {
                let i = group_start + k;
                if i < 0 || i >= text.len() as i64 {
                    0
                } else {
                    u32::from(text.as_bytes()[i as usize] - b'0')
                }
            })
            .fold(0, |acc, d| acc * 10 + d);
        (weight, value)
    }

    fn to_json(&self) -> Json {
        let text = self.text();
        if self.scale == 0 {
            if let Some(i) = self.digits.to_i64() {
                return Json::from(i);
            }
        }
        match text.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) if n.to_string() == text => Json::Number(n),
            _ => Json::String(format!("{EXACT}{text}")),
        }
    }
}

/// The scale of a quotient, as PostgreSQL's numeric division picks it: at
/// least 16 significant digits, and no fewer decimals than either operand.
fn division_scale(a: &Dec, b: &Dec) -> u32 {
    let (w1, d1) = a.first_group();
    let (w2, d2) = b.first_group();
    let mut qweight = w1 - w2;
    if d1 <= d2 {
        qweight -= 1;
    }
    let scale = (16 - qweight * 4)
        .max(i64::from(a.scale))
        .max(i64::from(b.scale))
        .max(0);
    scale.min(1000) as u32
}

/// `a / b` rounded half away from zero at the division scale.
fn divide(a: &Dec, b: &Dec) -> Dec {
    let scale = division_scale(a, b);
    let ten = BigInt::from(10);
    let num = a.digits.abs() * ten.pow(b.scale + scale);
    let den = b.digits.abs() * ten.pow(a.scale);
    let mut q = &num / &den;
    let r = &num % &den;
    if r * 2 >= den {
        q += 1;
    }
    if a.digits.is_negative() != b.digits.is_negative() {
        q = -q;
    }
    Dec { digits: q, scale }
}

pub fn arith(op: char, a: &Json, b: &Json) -> Result<Json, EvalError> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        let exact = match op {
            '+' => x.checked_add(y),
            '-' => x.checked_sub(y),
            '*' => x.checked_mul(y),
            '%' if y == 0 => return Err(err("22012", "division by zero")),
            '%' => x.checked_rem(y),
            _ => None,
        };
        if let Some(v) = exact {
            return Ok(Json::from(v));
        }
    }
    if let (Some(x), Some(y)) = (Dec::of(a), Dec::of(b)) {
        if matches!(op, '/' | '%') && y.digits.is_zero() {
            return Err(err("22012", "division by zero"));
        }
        let scale = x.scale.max(y.scale);
        let result = match op {
            '+' => Some(Dec {
                digits: x.rescale(scale) + y.rescale(scale),
                scale,
            }),
            '-' => Some(Dec {
                digits: x.rescale(scale) - y.rescale(scale),
                scale,
            }),
            '*' => Some(Dec {
                digits: &x.digits * &y.digits,
                scale: x.scale + y.scale,
            }),
            '/' => Some(divide(&x, &y)),
            // The remainder keeps the dividend's sign, as in PostgreSQL.
            _ => {
                let (p, q) = (x.rescale(scale), y.rescale(scale));
                Some(Dec {
                    digits: &p - (&p / &q) * &q,
                    scale,
                })
            }
        };
        if let Some(d) = result {
            return Ok(d.to_json());
        }
    }
    let (x, y) = (
        plain(a).as_f64().unwrap_or(0.0),
        plain(b).as_f64().unwrap_or(0.0),
    );
    if matches!(op, '/' | '%') && y == 0.0 {
        return Err(err("22012", "division by zero"));
    }
    let f = match op {
        '+' => x + y,
        '-' => x - y,
        '*' => x * y,
        '/' => x / y,
        _ => x % y,
    };
    Number::from_f64(f)
        .map(Json::Number)
        .ok_or_else(|| err("22003", "value out of range: overflow"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calc(op: char, a: &str, b: &str) -> String {
        let j = |s: &str| serde_json::from_str::<Json>(s).unwrap();
        write(&arith(op, &j(a), &j(b)).unwrap())
    }

    #[test]
    fn numeric_results_match_postgres() {
        assert_eq!(calc('/', "8.5", "2"), "4.2500000000000000");
        assert_eq!(calc('/', "6", "2"), "3.0000000000000000");
        assert_eq!(calc('/', "1", "3"), "0.33333333333333333333");
        assert_eq!(calc('/', "100", "7"), "14.2857142857142857");
        assert_eq!(calc('/', "0.001", "7"), "0.00014285714285714286");
        assert_eq!(calc('/', "10000", "0.5"), "20000.000000000000");
        assert_eq!(calc('/', "-1", "8"), "-0.12500000000000000000");
        assert_eq!(calc('+', "0.1", "0.2"), "0.3");
        assert_eq!(calc('*', "1.5", "2"), "3.0");
        assert_eq!(calc('*', "1.25", "2"), "2.50");
        assert_eq!(calc('%', "7.5", "2"), "1.5");
        assert_eq!(calc('%', "-7", "3"), "-1");
        let third = arith('/', &Json::from(1), &Json::from(3)).unwrap();
        assert_eq!(
            write(&arith('*', &third, &Json::from(3)).unwrap()),
            "0.99999999999999999999"
        );
        assert_eq!(
            write(&Json::Array(vec![third, Json::from("x")])),
            r#"[0.33333333333333333333,"x"]"#
        );
    }
}
