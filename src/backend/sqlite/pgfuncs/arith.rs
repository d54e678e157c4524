//! Integer and numeric helpers PostgreSQL has and SQLite lacks: `gcd`,
//! `lcm`, `factorial`, `width_bucket`, `scale`, two-argument `log(b, x)`,
//! and the variadic `num_nulls` / `num_nonnulls`.

use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{error, pure};

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for (name, nulls) in [("num_nulls", true), ("num_nonnulls", false)] {
        conn.create_scalar_function(name, -1, pure(), move |ctx| {
            let n = (0..ctx.len())
                .filter(|&i| matches!(ctx.get_raw(i), ValueRef::Null) == nulls)
                .count();
            Ok(n as i64)
        })?;
    }
    conn.create_scalar_function("gcd", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (int(ctx, 0)?, int(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(gcd(a, b)?))
    })?;
    conn.create_scalar_function("lcm", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (int(ctx, 0)?, int(ctx, 1)?) else {
            return Ok(None);
        };
        if a == 0 || b == 0 {
            return Ok(Some(0));
        }
        let g = gcd(a, b)?;
        (a / g)
            .checked_mul(b)
            .map(|v| Some(v.abs()))
            .ok_or_else(|| error("22003", "bigint out of range"))
    })?;
    conn.create_scalar_function("factorial", 1, pure(), |ctx| {
        let Some(n) = int(ctx, 0)? else {
            return Ok(None);
        };
        if n < 0 {
            return Err(error(
                "2201E",
                "factorial of a negative number is undefined",
            ));
        }
        (1..=n)
            .try_fold(1i64, |acc, k| acc.checked_mul(k))
            .map(Some)
            .ok_or_else(|| error("22003", "value overflows numeric format"))
    })?;
    conn.create_scalar_function("width_bucket", 4, pure(), |ctx| {
        let (Some(x), Some(lo), Some(hi), Some(n)) =
            (real(ctx, 0)?, real(ctx, 1)?, real(ctx, 2)?, int(ctx, 3)?)
        else {
            return Ok(None);
        };
        if n <= 0 {
            return Err(error("2201G", "count must be greater than zero"));
        }
        if lo == hi {
            return Err(error("2201G", "lower bound cannot equal upper bound"));
        }
        let (lo_in, hi_in) = if lo < hi { (lo, hi) } else { (hi, lo) };
        Ok(Some(
            if lo < hi && x < lo_in || lo > hi && x > hi_in.max(lo) {
                0
            } else if lo < hi && x >= hi || lo > hi && x <= hi {
                n + 1
            } else {
                ((x - lo) / (hi - lo) * n as f64).floor() as i64 + 1
            },
        ))
    })?;
    // scale(x): the digits after the point as written; min_scale(x): those
    // needed to keep the value (trailing zeros dropped).
    for (name, minimal) in [("scale", false), ("min_scale", true)] {
        conn.create_scalar_function(name, 1, pure(), move |ctx| {
            let text = match ctx.get_raw(0) {
                ValueRef::Null | ValueRef::Blob(_) => return Ok(None),
                ValueRef::Integer(_) => return Ok(Some(0)),
                ValueRef::Real(f) => crate::sql::encode::numeric::Numeric::from_f64(f).to_text(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).trim().to_owned(),
            };
            let fraction = text.split_once('.').map_or("", |(_, f)| f);
            let fraction = if minimal {
                fraction.trim_end_matches('0')
            } else {
                fraction
            };
            Ok(Some(fraction.len() as i64))
        })?;
    }
    // trim_scale(x): the value without trailing fractional zeros. A number
    // already prints without them unless a scale is fixed; a numeric's text
    // is trimmed.
    conn.create_scalar_function("trim_scale", 1, pure(), |ctx| {
        use rusqlite::types::Value;
        Ok(match ctx.get_raw(0) {
            ValueRef::Null | ValueRef::Blob(_) => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => {
                let s = String::from_utf8_lossy(t);
                let s = s.trim();
                match s.parse::<f64>() {
                    Err(_) => {
                        return Err(error(
                            "22P02",
                            format!("invalid input syntax for type numeric: \"{s}\""),
                        ))
                    }
                    Ok(_) if s.contains('.') && !s.contains(['e', 'E']) => {
                        Value::Text(s.trim_end_matches('0').trim_end_matches('.').to_owned())
                    }
                    Ok(_) => Value::Text(s.to_owned()),
                }
            }
        })
    })?;
    // round(x, n) as PostgreSQL's numeric round: half away from zero on the
    // decimal value (SQLite rounds the binary double), negative n rounds to
    // tens, hundreds, ... (SQLite treats it as 0).
    conn.create_scalar_function("round", 2, pure(), |ctx| {
        use rusqlite::types::Value;
        let Some(n) = int(ctx, 1)? else {
            return Ok(Value::Null);
        };
        let x = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(Value::Null),
            ValueRef::Integer(i) if n >= 0 => return Ok(Value::Integer(i)),
            ValueRef::Integer(i) => i as f64,
            ValueRef::Real(f) => f,
            ValueRef::Text(t) => match String::from_utf8_lossy(t).trim().parse::<f64>() {
                Ok(f) => f,
                Err(_) => return Ok(Value::Null),
            },
            ValueRef::Blob(_) => return Ok(Value::Null),
        };
        if !x.is_finite() {
            return Ok(Value::Real(x));
        }
        if n >= 0 {
            let text = crate::sql::encode::numeric::Numeric::from_f64(x)
                .with_scale(n.min(1000) as usize)
                .to_text();
            return Ok(text.parse::<f64>().map_or(Value::Null, Value::Real));
        }
        let p = 10f64.powi((-n).min(300) as i32);
        let r = (x / p).round() * p;
        Ok(if r.abs() < 9.2e18 {
            Value::Integer(r as i64)
        } else {
            Value::Real(r)
        })
    })?;
    // round(float8): half to even, as PostgreSQL's rint.
    conn.create_scalar_function("pg_round_even", 1, pure(), |ctx| {
        Ok(real(ctx, 0)?.map(f64::round_ties_even))
    })?;
    conn.create_scalar_function("log", 2, pure(), |ctx| {
        let (Some(b), Some(x)) = (real(ctx, 0)?, real(ctx, 1)?) else {
            return Ok(None);
        };
        if b <= 0.0 || x <= 0.0 {
            return Err(error("2201E", "cannot take logarithm of a negative number"));
        }
        if b == 1.0 {
            return Err(error("22012", "division by zero"));
        }
        Ok(Some(x.ln() / b.ln()))
    })?;
    Ok(())
}

fn int(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<i64>> {
    ctx.get::<Option<i64>>(i)
}

fn real(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<f64>> {
    ctx.get::<Option<f64>>(i)
}

fn gcd(a: i64, b: i64) -> rusqlite::Result<i64> {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    i64::try_from(a).map_err(|_| error("22003", "bigint out of range"))
}
