//! `pg_series_array(start, stop [, step])`: generate_series's values as a
//! JSON array, for a select list over a table's rows
//! (`SELECT id, generate_series(1, n) FROM t`). SQLite has no LATERAL: the
//! translator reads the array with `json_each`, a table-valued function that
//! may refer to the row, where FROM's recursive CTE could not.

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::intervals::{interval, plus_interval, timestamp};
use super::{error, pure};

/// One row's series is built in memory: a bound keeps a runaway series
/// (`generate_series(1, id * 1e9)`) from exhausting the server.
const MAX_VALUES: usize = 10_000_000;

fn too_many() -> rusqlite::Error {
    error(
        "54000",
        format!(
            "generate_series in a select list produces more than {MAX_VALUES} values for one row"
        ),
    )
}

fn zero_step() -> rusqlite::Error {
    error("22023", "step size cannot equal zero")
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for nargs in [2, 3] {
        conn.create_scalar_function("pg_series_array", nargs, pure(), |ctx| {
            let arg = |i: usize| -> ValueRef<'_> {
                if i < ctx.len() {
                    ctx.get_raw(i)
                } else {
                    ValueRef::Integer(1)
                }
            };
            let (start, stop, step) = (arg(0), arg(1), arg(2));
            if [start, stop, step]
                .iter()
                .any(|v| matches!(v, ValueRef::Null))
            {
                return Ok(None);
            }
            let mut out = String::from("[");
            match (start, stop, step) {
                (ValueRef::Integer(a), ValueRef::Integer(b), ValueRef::Integer(s)) => {
                    integers(&mut out, a, b, s)?
                }
                (ValueRef::Text(a), ValueRef::Text(b), ValueRef::Text(s)) => {
                    let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
                    timestamps(&mut out, &text(a), &text(b), &text(s))?
                }
                _ => {
                    let num = |v: ValueRef<'_>| -> rusqlite::Result<f64> {
                        match v {
                            ValueRef::Integer(i) => Ok(i as f64),
                            ValueRef::Real(f) => Ok(f),
                            ValueRef::Text(t) => std::str::from_utf8(t)
                                .ok()
                                .and_then(|t| t.trim().parse().ok())
                                .ok_or_else(|| {
                                    error(
                                        "22P02",
                                        format!(
                                            "invalid input syntax for type numeric: \"{}\"",
                                            String::from_utf8_lossy(t)
                                        ),
                                    )
                                }),
                            _ => Err(error("42883", "function generate_series does not exist")),
                        }
                    };
                    reals(&mut out, num(start)?, num(stop)?, num(step)?)?
                }
            }
            out.push(']');
            Ok(Some(out))
        })?;
    }
    Ok(())
}

fn push_sep(out: &mut String, n: &mut usize) -> rusqlite::Result<()> {
    *n += 1;
    if *n > MAX_VALUES {
        return Err(too_many());
    }
    if *n > 1 {
        out.push(',');
    }
    Ok(())
}

fn integers(out: &mut String, start: i64, stop: i64, step: i64) -> rusqlite::Result<()> {
    if step == 0 {
        return Err(zero_step());
    }
    let (mut v, mut n) = (start, 0);
    while (step > 0 && v <= stop) || (step < 0 && v >= stop) {
        push_sep(out, &mut n)?;
        out.push_str(itoa::Buffer::new().format(v));
        // Past i64's end the series is over, as PostgreSQL's int8 series stops.
        match v.checked_add(step) {
            Some(next) => v = next,
            None => break,
        }
    }
    Ok(())
}

fn reals(out: &mut String, start: f64, stop: f64, step: f64) -> rusqlite::Result<()> {
    if step == 0.0 {
        return Err(zero_step());
    }
    if !(start.is_finite() && stop.is_finite() && step.is_finite()) {
        return Err(error("22023", "start, stop and step values must be finite"));
    }
    // Each value from the start (no accumulated rounding), printed at 15
    // significant digits: 0.1 * 3 is 0.3, as numeric adds exactly.
    let (mut i, mut n) = (0u32, 0);
    loop {
        let v = start + step * f64::from(i);
        if (step > 0.0 && v > stop) || (step < 0.0 && v < stop) {
            return Ok(());
        }
        push_sep(out, &mut n)?;
        let v: f64 = format!("{v:.14e}").parse().unwrap_or(v);
        out.push_str(ryu::Buffer::new().format(v).trim_end_matches(".0"));
        i = i.checked_add(1).ok_or_else(too_many)?;
    }
}

fn timestamps(out: &mut String, start: &str, stop: &str, step: &str) -> rusqlite::Result<()> {
    let step = interval(step)?;
    if step.months == 0 && step.days == 0 && step.usecs == 0 {
        return Err(zero_step());
    }
    let (start, stop) = (timestamp(start)?, timestamp(stop)?);
    let forward = plus_interval(start, step).is_some_and(|next| next > start);
    let (mut v, mut n) = (start, 0);
    while (forward && v <= stop) || (!forward && v >= stop) {
        push_sep(out, &mut n)?;
        out.push('"');
        out.push_str(&v.format("%Y-%m-%d %H:%M:%S%.f").to_string());
        out.push('"');
        match plus_interval(v, step) {
            Some(next) => v = next,
            None => break,
        }
    }
    Ok(())
}
