//! Numbers in paths: `+ - * / %` as PostgreSQL's numeric computes them
//! where a double would differ (0.1 + 0.2 is 0.3), integers kept integers.

use super::eval::{err, EvalError};
use serde_json::Value as Json;

/// A float result; whole values print as integers, as PostgreSQL's numeric
/// conversion of a double does.
pub fn float(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Json::from(f as i64);
    }
    serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
}

pub fn negate_number(v: &Json) -> Json {
    match v.as_i64() {
        Some(i) if i != i64::MIN => Json::from(-i),
        _ => serde_json::Number::from_f64(-v.as_f64().unwrap_or(0.0))
            .map_or(Json::Null, Json::Number),
    }
}

/// A decimal's digits and scale (`1.25` is 125 and 2), for exact `+ - *`
/// as PostgreSQL's numeric does them (0.1 + 0.2 is 0.3).
fn decimal(v: &Json) -> Option<(i128, u32)> {
    let text = v.to_string();
    if text.contains(['e', 'E']) || text.len() > 30 {
        return None;
    }
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    Some((digits, frac.len() as u32))
}

fn from_decimal(digits: i128, scale: u32) -> Option<Json> {
    let f: f64 = format!("{digits}e-{scale}").parse().ok()?;
    serde_json::Number::from_f64(f).map(Json::Number)
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
    let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
    if matches!(op, '/' | '%') && y == 0.0 {
        return Err(err("22012", "division by zero"));
    }
    if let (Some((m, s)), Some((n, t))) = (decimal(a), decimal(b)) {
        let scale = s.max(t);
        let align = |d: i128, from: u32| d.checked_mul(10i128.checked_pow(scale - from)?);
        let exact = match op {
            '+' => align(m, s)
                .zip(align(n, t))
                .and_then(|(p, q)| p.checked_add(q)),
            '-' => align(m, s)
                .zip(align(n, t))
                .and_then(|(p, q)| p.checked_sub(q)),
            '*' => m.checked_mul(n),
            _ => None,
        };
        let result_scale = if op == '*' { s + t } else { scale };
        if let Some(v) = exact.and_then(|d| from_decimal(d, result_scale)) {
            return Ok(v);
        }
    }
    let f = match op {
        '+' => x + y,
        '-' => x - y,
        '*' => x * y,
        '/' => x / y,
        _ => x % y,
    };
    serde_json::Number::from_f64(f)
        .map(Json::Number)
        .ok_or_else(|| err("22003", "value out of range: overflow"))
}
