//! Numbers in paths: `+ - * / %` as PostgreSQL's numeric computes them,
//! digits and scale included (0.1 + 0.2 is 0.3, 8.5 / 2 is
//! 4.2500000000000000). A result a double cannot print the same way travels
//! as a string marked with [`EXACT`], which [`write`] prints as a number
//! and [`plain`] turns into a double for everything else.

use super::super::exact::Dec;
use super::eval::{err, EvalError};
use num_traits::Zero;
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
    decimal(v).map(|d| d.to_text())
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

/// Scales past numeric's display bound are left to doubles.
const MAX_SCALE: i64 = 1000;

/// An item's number as numeric's exact decimal (`pgfuncs::exact`).
fn decimal(v: &Json) -> Option<Dec> {
    let d = match exact_text(v) {
        Some(t) => Dec::parse(t),
        None => Dec::parse(&v.as_number()?.to_string()),
    }?;
    (d.scale <= MAX_SCALE).then_some(d)
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
    if let (Some(x), Some(y)) = (decimal(a), decimal(b)) {
        if matches!(op, '/' | '%') && y.m.is_zero() {
            return Err(err("22012", "division by zero"));
        }
        let result = match op {
            '+' => x.add(&y),
            '-' => x.add(&y.neg()),
            '*' => x.mul(&y),
            '/' => x.div(&y).expect("a nonzero divisor"),
            // The remainder keeps the dividend's sign, as in PostgreSQL.
            _ => {
                let scale = x.scale.max(y.scale);
                let (p, q) = (x.rescaled(scale), y.rescaled(scale));
                Dec {
                    m: &p - (&p / &q) * &q,
                    scale,
                }
            }
        };
        return Ok(number(&result.to_text()));
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
