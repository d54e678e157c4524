//! float8 arithmetic with PostgreSQL's range checks: `pg_float8_add`, `_sub`,
//! `_mul`, `_div`. SQLite lets a double overflow to infinity (or underflow
//! to zero) silently; PostgreSQL raises 22003 "value out of range:
//! overflow" / "underflow" when finite (non-zero) operands give such a
//! result, and 22012 for division by zero. The translator uses these where
//! an operand is known to be float4/float8 (see `translate::typed_ops`).

use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{error, pure};

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A float8 argument: a number, or text in float8 input form (`'infinity'`).
pub(super) fn operand(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<f64>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n as f64),
        ValueRef::Real(x) => Some(x),
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t);
            let parsed = match text.trim().to_ascii_lowercase().as_str() {
                "infinity" | "inf" | "+infinity" | "+inf" => Ok(f64::INFINITY),
                "-infinity" | "-inf" => Ok(f64::NEG_INFINITY),
                "nan" => Ok(f64::NAN),
                other => other.parse::<f64>(),
            };
            Some(parsed.map_err(|_| {
                error(
                    "22P02",
                    format!("invalid input syntax for type double precision: \"{text}\""),
                )
            })?)
        }
        ValueRef::Blob(_) => {
            return Err(error(
                "42883",
                "operator does not exist: double precision and bytea",
            ))
        }
    })
}

/// PostgreSQL's `float8pl`/`float8mi`/`float8mul`/`float8div` checks.
fn apply(op: Op, a: f64, b: f64) -> rusqlite::Result<f64> {
    let r = match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => {
            if b == 0.0 {
                return Err(error("22012", "division by zero"));
            }
            a / b
        }
    };
    if r.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(error("22003", "value out of range: overflow"));
    }
    let underflow = match op {
        Op::Mul => r == 0.0 && a != 0.0 && b != 0.0,
        Op::Div => r == 0.0 && a != 0.0 && b.is_finite(),
        Op::Add | Op::Sub => false,
    };
    if underflow {
        return Err(error("22003", "value out of range: underflow"));
    }
    Ok(r)
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for (name, op) in [
        ("pg_float8_add", Op::Add),
        ("pg_float8_sub", Op::Sub),
        ("pg_float8_mul", Op::Mul),
        ("pg_float8_div", Op::Div),
    ] {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            match (operand(ctx, 0)?, operand(ctx, 1)?) {
                (Some(a), Some(b)) => apply(op, a, b).map(Some),
                _ => Ok(None),
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{apply, Op};

    #[test]
    fn finite_operands_must_give_a_finite_result() {
        assert!(apply(Op::Mul, 1e300, 1e300).is_err());
        assert!(apply(Op::Add, f64::MAX, f64::MAX).is_err());
        assert!(apply(Op::Mul, 1e-300, 1e-300).is_err());
        assert!(apply(Op::Div, 1.0, 0.0).is_err());
        assert_eq!(apply(Op::Mul, f64::INFINITY, 2.0).unwrap(), f64::INFINITY);
        assert_eq!(apply(Op::Div, 1.0, f64::INFINITY).unwrap(), 0.0);
        assert_eq!(apply(Op::Mul, 0.0, 1e300).unwrap(), 0.0);
        assert_eq!(apply(Op::Sub, 3.5, 1.25).unwrap(), 2.25);
    }
}
