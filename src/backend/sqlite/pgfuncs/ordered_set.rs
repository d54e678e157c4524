//! The ordered-set aggregates `translate::ordered_set` emits:
//! `pg_percentile_cont(f, x, desc)` (linear interpolation between the
//! values around position f·(n−1), as PostgreSQL), `pg_percentile_disc(f,
//! x, desc)` (the first value whose position reaches f) and `pg_mode(x,
//! desc)` (the most frequent value, the first in sort order on a tie).
//! NULLs are ignored, as PostgreSQL does.

use std::cmp::Ordering;

use rusqlite::functions::{Aggregate, Context};
use rusqlite::types::Value;
use rusqlite::Connection;

use super::{error, pure};

#[derive(Clone, Copy)]
enum Kind {
    Cont,
    Disc,
    Mode,
}

struct OrderedSet(Kind);

enum Fractions {
    One(f64),
    Many(Vec<f64>),
}

fn fractions(v: Value) -> rusqlite::Result<Fractions> {
    let check = |f: f64| {
        if (0.0..=1.0).contains(&f) {
            Ok(f)
        } else {
            Err(error(
                "22003",
                format!("percentile value {f} is not between 0 and 1"),
            ))
        }
    };
    match v {
        Value::Integer(i) => check(i as f64).map(Fractions::One),
        Value::Real(f) => check(f).map(Fractions::One),
        Value::Text(t) => match serde_json::from_str::<Vec<Option<f64>>>(&t) {
            Ok(list) => list
                .into_iter()
                .map(|f| {
                    f.ok_or_else(|| error("22004", "percentile value cannot be NULL"))
                        .and_then(check)
                })
                .collect::<rusqlite::Result<_>>()
                .map(Fractions::Many),
            Err(_) => Err(error("22P02", format!("invalid percentile value: \"{t}\""))),
        },
        _ => Err(error("22004", "percentile value cannot be NULL")),
    }
}

#[derive(Default)]
struct Group {
    /// One fraction, or an array of them (JSON text: `ARRAY[0.25, 0.5]`),
    /// read from the first row.
    fractions: Option<Fractions>,
    desc: bool,
    values: Vec<Value>,
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_aggregate_function("pg_percentile_cont", 3, pure(), OrderedSet(Kind::Cont))?;
    conn.create_aggregate_function("pg_percentile_disc", 3, pure(), OrderedSet(Kind::Disc))?;
    conn.create_aggregate_function("pg_mode", 2, pure(), OrderedSet(Kind::Mode))?;
    Ok(())
}

/// SQLite's order of values: NULL, numbers, text, blobs.
fn compare(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(_) | Value::Real(_), Value::Integer(_) | Value::Real(_)) => {
            number(a).total_cmp(&number(b))
        }
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Integer(i) => *i as f64,
        Value::Real(f) => *f,
        Value::Text(t) => t.trim().parse().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

impl Aggregate<Group, Value> for OrderedSet {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Group> {
        Ok(Group::default())
    }

    fn step(&self, ctx: &mut Context<'_>, g: &mut Group) -> rusqlite::Result<()> {
        let (value_at, desc_at) = match self.0 {
            Kind::Mode => (0, 1),
            Kind::Cont | Kind::Disc => {
                if g.fractions.is_none() {
                    g.fractions = Some(fractions(ctx.get(0)?)?);
                }
                (1, 2)
            }
        };
        g.desc = ctx.get::<i64>(desc_at)? != 0;
        let v: Value = ctx.get(value_at)?;
        if v != Value::Null {
            g.values.push(v);
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, g: Option<Group>) -> rusqlite::Result<Value> {
        let Some(mut g) = g.filter(|g| !g.values.is_empty()) else {
            return Ok(Value::Null);
        };
        g.values.sort_by(|a, b| {
            let o = compare(a, b);
            if g.desc {
                o.reverse()
            } else {
                o
            }
        });
        Ok(match (self.0, g.fractions.take()) {
            (Kind::Cont | Kind::Disc, Some(Fractions::Many(list))) => {
                let items: Vec<serde_json::Value> = list
                    .into_iter()
                    .map(|f| json(self.percentile(&g.values, f)))
                    .collect();
                Value::Text(serde_json::Value::Array(items).to_string())
            }
            (Kind::Cont | Kind::Disc, one) => {
                let f = match one {
                    Some(Fractions::One(f)) => f,
                    _ => 0.0,
                };
                self.percentile(&g.values, f)
            }
            (Kind::Mode, _) => {
                let n = g.values.len();
                let (mut best, mut best_count) = (0, 0);
                let mut i = 0;
                while i < n {
                    let mut j = i + 1;
                    while j < n && compare(&g.values[i], &g.values[j]) == Ordering::Equal {
                        j += 1;
                    }
                    if j - i > best_count {
                        (best, best_count) = (i, j - i);
                    }
                    i = j;
                }
                g.values.swap_remove(best)
            }
        })
    }
}

impl OrderedSet {
    /// The fraction `f` of the sorted, non-empty `values`.
    fn percentile(&self, values: &[Value], f: f64) -> Value {
        let n = values.len();
        match self.0 {
            Kind::Cont => {
                let row = f * (n - 1) as f64;
                let (lo, hi) = (row.floor() as usize, row.ceil() as usize);
                let (a, b) = (number(&values[lo]), number(&values[hi]));
                Value::Real(a + (row - lo as f64) * (b - a))
            }
            _ => {
                let i = ((f * n as f64).ceil() as usize).clamp(1, n) - 1;
                values[i].clone()
            }
        }
    }
}

/// One element of an array result, in the JSON form arrays are stored in.
fn json(v: Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => i.into(),
        Value::Real(f) => f.into(),
        Value::Text(t) => t.into(),
        Value::Blob(b) => String::from_utf8_lossy(&b).into_owned().into(),
    }
}
