//! `pg_div(l, r, numeric)` and `pg_mod(l, r, numeric)`: `/` and `%` whose
//! operands' types the translation could not know (see
//! `translate::numeric_division`). With `numeric` true (a column operand is
//! a `numeric`) two whole numbers divide as numbers, not integers: a
//! numeric column stores whole values as integers, and PostgreSQL's
//! `10::numeric / 4` is 2.5. Otherwise SQLite's own arithmetic. A zero
//! divisor is 22012 either way; NULL operands give NULL, as PostgreSQL's
//! strict operators (`NULL / 0` is NULL there).

use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::{error, pure};

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Real(f64),
}

impl Num {
    fn real(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Real(f) => f,
        }
    }

    fn is_zero(self) -> bool {
        match self {
            Num::Int(i) => i == 0,
            Num::Real(f) => f == 0.0,
        }
    }
}

/// An operand as SQLite's arithmetic reads it (text that is not a number
/// reads as 0); None for NULL.
fn operand(v: ValueRef<'_>) -> Option<Num> {
    Some(match v {
        ValueRef::Null => return None,
        ValueRef::Integer(i) => Num::Int(i),
        ValueRef::Real(f) => Num::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let s = std::str::from_utf8(t).unwrap_or("").trim();
            match s.parse::<i64>() {
                Ok(i) => Num::Int(i),
                Err(_) => Num::Real(s.parse::<f64>().unwrap_or(0.0)),
            }
        }
    })
}

/// The operands, or None when either is NULL; 22012 for a zero divisor.
fn operands(ctx: &Context<'_>) -> rusqlite::Result<Option<(Num, Num, bool)>> {
    let (Some(l), Some(r)) = (operand(ctx.get_raw(0)), operand(ctx.get_raw(1))) else {
        return Ok(None);
    };
    if r.is_zero() {
        return Err(error("22012", "division by zero"));
    }
    let numeric = matches!(ctx.get_raw(2), ValueRef::Integer(n) if n != 0);
    Ok(Some((l, r, numeric)))
}

fn divide(l: Num, r: Num, numeric: bool) -> rusqlite::Result<Value> {
    Ok(match (l, r) {
        (Num::Int(a), Num::Int(b)) if !numeric => Value::Integer(
            a.checked_div(b)
                .ok_or_else(|| error("22003", "bigint out of range"))?,
        ),
        _ => Value::Real(l.real() / r.real()),
    })
}

fn remainder(l: Num, r: Num) -> Value {
    match (l, r) {
        // i64::MIN % -1 overflows in Rust; PostgreSQL's answer is 0.
        (Num::Int(a), Num::Int(b)) => Value::Integer(a.checked_rem(b).unwrap_or(0)),
        _ => Value::Real(l.real() % r.real()),
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_div", 3, pure(), |ctx| {
        Ok(match operands(ctx)? {
            Some((l, r, numeric)) => divide(l, r, numeric)?,
            None => Value::Null,
        })
    })?;
    conn.create_scalar_function("pg_mod", 3, pure(), |ctx| {
        Ok(match operands(ctx)? {
            // SQLite's `%` reads both sides as integers; a numeric's
            // remainder keeps the fraction (10.5 % 3 is 1.5).
            Some((l, r, true)) => remainder(l, r),
            Some((l, r, false)) => {
                let int = |n: Num| match n {
                    Num::Int(i) => i,
                    Num::Real(f) => f as i64,
                };
                let divisor = int(r);
                if divisor == 0 {
                    return Err(error("22012", "division by zero"));
                }
                Value::Integer(int(l).checked_rem(divisor).unwrap_or(0))
            }
            None => Value::Null,
        })
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numerics_divide_as_numbers() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let q = |sql: &str| -> String {
            conn.query_row(sql, [], |r| r.get::<_, Value>(0))
                .map(|v| format!("{v:?}"))
                .unwrap_or_else(|e| e.to_string())
        };
        assert_eq!(q("SELECT pg_div(10, 4, 1)"), "Real(2.5)");
        assert_eq!(q("SELECT pg_div(10, 4, 0)"), "Integer(2)");
        assert_eq!(q("SELECT pg_div(10.0, 4, 0)"), "Real(2.5)");
        assert_eq!(q("SELECT pg_div(NULL, 0, 0)"), "Null");
        assert!(q("SELECT pg_div(1, 0, 1)").contains("division by zero"));
        assert_eq!(q("SELECT pg_mod(10.5, 3, 1)"), "Real(1.5)");
        assert_eq!(q("SELECT pg_mod(10.5, 3, 0)"), "Integer(1)");
        assert_eq!(q("SELECT pg_mod(-7, 3, 1)"), "Integer(-1)");
    }
}
