//! Casts with PostgreSQL's input checks, which SQLite's CAST lacks (it turns
//! `'abc'` into 0 and truncates 2.5 to 2).
//!
//! - `pg_to_int2(x)`, `pg_to_int4(x)`, `pg_to_int8(x)`: text is parsed as
//!   PostgreSQL does (surrounding spaces allowed, no decimals), reals round
//!   half away from zero (numeric's rule), and out-of-range values raise
//!   22003; bad text raises 22P02.
//! - `pg_to_numeric(x)`, `pg_to_float8(x)`: text parsed as a number or 22P02;
//!   numeric keeps integral values INTEGER (the storage convention).
//! - `pg_to_bool(x)`: PostgreSQL's boolean input (`t`, `yes`, `of`, ...) as
//!   0/1; numbers are true when non-zero.
//! - `pg_bool_text(x)`: a stored boolean (0/1) as `true`/`false`.
//! - `pg_cast_timestamp(x, kind)`: a value cast to `date`, `time`, `ts`
//!   (timestamp) or `tz` (timestamptz) in storage form, read by PostgreSQL's input rules
//!   with microseconds kept (`+02`, `Z`, `T` accepted; SQLite's strftime
//!   kept milliseconds and gave NULL for `+00`); bad text raises 22007.
//!   Numbers are Julian days, as SQLite's date functions read them.
//! - `pg_float4_text(x)`: a float4 as PostgreSQL's cast to numeric reads
//!   it, 6 significant digits (FLT_DIG); other values as they are.
//! - `pg_round_seconds(x, p, kind)`: a stored `time`, `ts` or `tz` value
//!   with its seconds rounded to `p` places, half away from zero, carrying
//!   into minutes and days (`time(p)`, `timestamp(p)` casts).

use super::{error, pure};
use crate::sql::encode::datetime::{
    parse_time, parse_timestamp, write_time, write_timestamp, Stamp,
};
use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for (name, bits) in [("pg_to_int2", 16), ("pg_to_int4", 32), ("pg_to_int8", 64)] {
        conn.create_scalar_function(name, 1, pure(), move |ctx| to_int(ctx, bits))?;
    }
    conn.create_scalar_function("pg_to_numeric", 1, pure(), |ctx| to_number(ctx, true))?;
    conn.create_scalar_function("pg_float4_text", 1, pure(), |ctx| float4_text(ctx))?;
    conn.create_scalar_function("pg_to_float8", 1, pure(), |ctx| to_number(ctx, false))?;
    conn.create_scalar_function("pg_numeric_round", 3, pure(), |c| numeric_round(c))?;
    conn.create_scalar_function("pg_numeric_text", 2, pure(), |c| numeric_text(c))?;
    conn.create_scalar_function("pg_to_bool", 1, pure(), |ctx| {
        Ok(to_bool(ctx.get_raw(0))?.map(i64::from))
    })?;
    conn.create_scalar_function("pg_round_seconds", 3, pure(), |ctx| round_seconds(ctx))?;
    conn.create_scalar_function("pg_cast_timestamp", 2, pure(), |ctx| cast_timestamp(ctx))?;
    conn.create_scalar_function("pg_bool_text", 1, pure(), |ctx| {
        Ok(to_bool(ctx.get_raw(0))?.map(|b| if b { "true" } else { "false" }))
    })?;
    Ok(())
}

fn int_type(bits: u32) -> (&'static str, &'static str) {
    match bits {
        16 => ("smallint", "smallint out of range"),
        32 => ("integer", "integer out of range"),
        _ => ("bigint", "bigint out of range"),
    }
}

pub(super) fn to_int(ctx: &Context<'_>, bits: u32) -> rusqlite::Result<Option<i64>> {
    let (type_name, out_of_range) = int_type(bits);
    let fits = |n: i64| bits == 64 || (n >> (bits - 1)) == 0 || (n >> (bits - 1)) == -1;
    let n = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(None),
        ValueRef::Integer(n) => n,
        ValueRef::Real(f) => {
            let r = f.round(); // half away from zero, as numeric -> int
            if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
                return Err(error("22003", out_of_range));
            }
            r as i64
        }
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let raw = String::from_utf8_lossy(t);
            let s = raw.trim();
            let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error(
                    "22P02",
                    format!("invalid input syntax for type {type_name}: \"{raw}\""),
                ));
            }
            match s.parse::<i64>() {
                Ok(n) if fits(n) => n,
                _ => {
                    return Err(error(
                        "22003",
                        format!("value \"{raw}\" is out of range for type {type_name}"),
                    ))
                }
            }
        }
    };
    if fits(n) {
        Ok(Some(n))
    } else {
        Err(error("22003", out_of_range))
    }
}

pub(super) fn to_number(ctx: &Context<'_>, numeric: bool) -> rusqlite::Result<Value> {
    Ok(match ctx.get_raw(0) {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) if numeric => Value::Integer(n),
        ValueRef::Integer(n) => Value::Real(n as f64),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let raw = String::from_utf8_lossy(t);
            let s = raw.trim();
            let special = matches!(
                s.to_ascii_lowercase().as_str(),
                "nan" | "infinity" | "-infinity" | "+infinity" | "inf" | "-inf"
            );
            match s.parse::<f64>() {
                Ok(_) if special && numeric => Value::Text(s.to_string()),
                Ok(f) if numeric && !s.contains(['.', 'e', 'E']) && s.parse::<i64>().is_ok() => {
                    Value::Integer(f as i64)
                }
                // SQLite stores a NaN REAL as NULL: NaN stays text.
                Ok(f) if f.is_nan() => Value::Text("NaN".into()),
                Ok(f) if special || f.is_finite() => Value::Real(f),
                _ => {
                    let type_name = if numeric {
                        "numeric"
                    } else {
                        "double precision"
                    };
                    return Err(error(
                        "22P02",
                        format!("invalid input syntax for type {type_name}: \"{raw}\""),
                    ));
                }
            }
        }
    })
}

/// PostgreSQL's boolean input: any unique prefix of true/false/yes/no,
/// `on`/`off` (at least two letters), `1`/`0`; case-insensitive, trimmed.
pub(super) fn parse_bool(text: &str) -> Option<bool> {
    let s = text.trim().to_ascii_lowercase();
    let prefix_of = |word: &str, min: usize| s.len() >= min && word.starts_with(s.as_str());
    if prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || s == "1" {
        Some(true)
    } else if prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || s == "0" {
        Some(false)
    } else {
        None
    }
}

pub(super) fn to_bool(value: ValueRef<'_>) -> rusqlite::Result<Option<bool>> {
    Ok(match value {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n != 0),
        ValueRef::Real(f) => Some(f != 0.0),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let raw = String::from_utf8_lossy(t);
            match parse_bool(&raw) {
                Some(b) => Some(b),
                None => {
                    return Err(error(
                        "22P02",
                        format!("invalid input syntax for type boolean: \"{raw}\""),
                    ))
                }
            }
        }
    })
}

/// `x::numeric(p, s)`: rounded half away from zero to `s` places (as
/// PostgreSQL's apply_typmod), 22003 when the integer part needs more than
/// `p - s` digits. Integral results stay INTEGER (the storage convention).
fn numeric_round(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    use crate::sql::encode::numeric::Numeric;
    let (p, s) = (ctx.get::<i64>(1)?, ctx.get::<i64>(2)?);
    let n = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(Value::Null),
        ValueRef::Integer(i) => Numeric::from_i64(i),
        ValueRef::Real(f) => Numeric::from_f64(f),
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t);
            Numeric::parse(&text).ok_or_else(|| {
                error(
                    "22P02",
                    format!("invalid input syntax for type numeric: \"{text}\""),
                )
            })?
        }
        ValueRef::Blob(_) => return Err(error("22P02", "invalid input syntax for type numeric")),
    };
    let scale = usize::try_from(s.max(0)).unwrap_or(0);
    let rounded = n.with_scale(scale).to_text();
    if rounded == "NaN" {
        return Ok(Value::Text(rounded));
    }
    let int_digits = rounded
        .trim_start_matches('-')
        .split('.')
        .next()
        .unwrap_or("")
        .trim_start_matches('0')
        .len() as i64;
    if int_digits > p - s {
        return Err(rusqlite::Error::UserFunctionError(Box::new(
            crate::sql::errors::SqlError::new("22003", "numeric field overflow").with_detail(
                format!(
                    "A field with precision {p}, scale {s} must round to an absolute value less than 10^{}.",
                    p - s
                ),
            ),
        )));
    }
    Ok(if scale == 0 {
        rounded
            .parse::<i64>()
            .map(Value::Integer)
            .unwrap_or(Value::Text(rounded))
    } else {
        rounded
            .parse::<f64>()
            .map(Value::Real)
            .unwrap_or(Value::Text(rounded))
    })
}

/// A numeric's text at a display scale (`pg_numeric_text(270.5, 2)` is
/// `270.50`); text that is no number is left as it is.
fn numeric_text(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    use crate::sql::encode::numeric::Numeric;
    let scale = usize::try_from(ctx.get::<i64>(1)?.max(0)).unwrap_or(0);
    let n = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(None),
        ValueRef::Integer(i) => Numeric::from_i64(i),
        ValueRef::Real(f) => Numeric::from_f64(f),
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t);
            match Numeric::parse(&text) {
                Some(n) => n,
                None => return Ok(Some(text.into_owned())),
            }
        }
        ValueRef::Blob(_) => return Err(error("22P02", "invalid input syntax for type numeric")),
    };
    Ok(Some(n.with_scale(scale).to_text()))
}

/// Microseconds in a day: a timestamp cast to time keeps the remainder.
const DAY_MICROS: i64 = 86_400_000_000;

/// A stored `time` (microseconds since midnight) or timestamp (since
/// 2000-01-01, UTC for `tz`, or infinity); `None` if the text is not one.
fn stamp(text: &str, kind: &str) -> Option<Stamp<i64>> {
    match kind {
        "time" => parse_time(text).map(Stamp::At).or_else(|| {
            match parse_timestamp(text, false)? {
                // A timestamp cast to time keeps its time of day.
                Stamp::At(us) => Some(Stamp::At(us.rem_euclid(DAY_MICROS))),
                _ => None,
            }
        }),
        "tz" => crate::sql::encode::datetime::parse_timestamptz_input(text),
        _ => parse_timestamp(text, false),
    }
}

/// The storage form of a value of `kind` (`infinity` only for timestamps).
fn stamp_text(value: Stamp<i64>, kind: &str) -> Option<String> {
    let mut out = bytes::BytesMut::with_capacity(32);
    match value {
        Stamp::At(us) if kind == "time" => write_time(&mut out, us),
        _ if kind == "time" => return None,
        _ if !write_timestamp(&mut out, value, false) => return None,
        _ => {}
    }
    String::from_utf8(out.to_vec()).ok()
}

/// `pg_cast_timestamp(x, 'date')`: text in any of PostgreSQL's date input
/// forms (SQLite's `date()` gave NULL for `2024-4-01` or `1/8/1999`), the
/// date of a timestamp, an infinity kept.
fn cast_date(value: Value) -> rusqlite::Result<Value> {
    match value {
        // As a date parameter is read (22007, or 22008 out of range).
        Value::Text(t) => crate::sql::decode::decode_param(
            Some(t.as_bytes()),
            crate::sql::pgtype::PgType::Date,
            false,
        )
        .map_err(|e| error(e.code, e.message)),
        // Julian day numbers, as SQLite's date() reads them.
        Value::Integer(n) => Ok(julian_date(n as f64)),
        Value::Real(f) => Ok(julian_date(f)),
        other => Ok(other),
    }
}

fn julian_date(jd: f64) -> Value {
    match stamp_text(julian(jd, "ts"), "ts") {
        Some(text) => Value::Text(text.chars().take(10).collect()),
        None => Value::Null,
    }
}

/// `pg_cast_timestamp(x, kind)`: see the module comment.
fn cast_timestamp(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    let kind = ctx.get::<String>(1)?;
    if kind == "date" {
        return cast_date(ctx.get::<Value>(0)?);
    }
    let value = match ctx.get::<Value>(0)? {
        Value::Text(t) => stamp(&t, &kind)
            .filter(|v| kind != "time" || matches!(v, Stamp::At(_)))
            .ok_or_else(|| {
                let name = match kind.as_str() {
                    "time" => "time without time zone",
                    "tz" => "timestamp with time zone",
                    _ => "timestamp without time zone",
                };
                error(
                    "22007",
                    format!("invalid input syntax for type {name}: \"{t}\""),
                )
            })?,
        // Julian day numbers, as SQLite's strftime reads them.
        Value::Integer(n) => julian(n as f64, &kind),
        Value::Real(f) => julian(f, &kind),
        other => return Ok(other),
    };
    Ok(stamp_text(value, &kind).map_or(Value::Null, Value::Text))
}

/// A Julian day number as a value of `kind`.
fn julian(jd: f64, kind: &str) -> Stamp<i64> {
    let us = ((jd - 2_451_544.5) * 86_400e6).round() as i64;
    Stamp::At(if kind == "time" {
        us.rem_euclid(DAY_MICROS)
    } else {
        us
    })
}

/// `pg_round_seconds(x, p, kind)`: see the module comment. A value that does
/// not read as its kind (infinity, a number) is returned as it is.
fn round_seconds(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    let text = match ctx.get::<Value>(0)? {
        Value::Text(t) => t,
        other => return Ok(other),
    };
    let places = ctx.get::<i64>(1)?.clamp(0, 6) as u32;
    let kind = ctx.get::<String>(2)?;
    Ok(Value::Text(
        round_stored(&text, places, &kind).unwrap_or(text),
    ))
}

/// A stored `time`, `ts` or `tz` value (`kind`) with its seconds rounded to
/// `places` digits; `None` when it does not read as its kind.
pub(super) fn round_stored(text: &str, places: u32, kind: &str) -> Option<String> {
    let scale = 10i64.pow(6 - places.min(6));
    let Some(Stamp::At(us)) = stamp(text, kind) else {
        return None;
    };
    // PostgreSQL's AdjustTimestampForTypmod: half away from zero.
    let rounded = if us >= 0 {
        (us + scale / 2) / scale * scale
    } else {
        -((-us + scale / 2) / scale * scale)
    };
    stamp_text(Stamp::At(rounded), kind)
}

/// `pg_float4_text(x)`: see the module comment.
fn float4_text(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    Ok(match ctx.get::<Value>(0)? {
        Value::Real(f) if f.is_finite() => Value::Text(six_digits(f)),
        other => other,
    })
}

/// `%.6g` without an exponent: the decimal of `f` to 6 significant digits,
/// trailing zeros dropped.
fn six_digits(f: f64) -> String {
    let s = format!("{f:.5e}");
    let Some((mantissa, exp)) = s.split_once('e') else {
        return s;
    };
    let exp: i64 = exp.parse().unwrap_or(0);
    let neg = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let point = exp + 1;
    let len = digits.len() as i64;
    let mut out = String::with_capacity(24);
    if neg {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else if point >= len {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - len) as usize));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    if out.contains('.') {
        let trimmed = out.trim_end_matches('0').trim_end_matches('.').len();
        out.truncate(trimmed);
    }
    out
}

#[cfg(test)]
mod float4_tests {
    #[test]
    fn six_significant_digits_as_postgres_float4_to_numeric() {
        for (f, want) in [
            (64942.73828125, "64942.7"),
            (9.800000190734863, "9.8"),
            (1234567.0, "1234570"),
            (0.000123456789, "0.000123457"),
            (-0.5, "-0.5"),
            (100.0, "100"),
        ] {
            assert_eq!(super::six_digits(f), want, "{f}");
        }
    }
}
