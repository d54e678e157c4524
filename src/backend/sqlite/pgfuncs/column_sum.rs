//! `pg_column_sum(x, type)`: `sum` of a column whose type only the schema
//! knows, for the types whose sum SQLite's gets wrong (see
//! `translate::interval_sums`): `interval` (SQLite adds the texts' leading
//! digits) and `float4`, which PostgreSQL sums in single precision, each
//! addition rounded to a float4 (`sum(freight)` of a `real` column is
//! 11346.138 there, not the double sum's 11346.14). `type` is the
//! column's type name, the same for every row.

use rusqlite::functions::{Aggregate, Context, WindowAggregate};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::interval_sums::IntervalAcc;
use super::pure;

/// The running sum: a float4 column's, or an interval column's (the
/// column's type is read at the first row).
#[derive(Default)]
struct State {
    float4: Option<bool>,
    interval: IntervalAcc,
    sum: f32,
    count: i64,
}

impl State {
    /// Adds (`sign` 1) or takes away (-1, a window frame's leaving row).
    fn step(&mut self, ctx: &Context<'_>, sign: i64) -> rusqlite::Result<()> {
        let float4 = *self
            .float4
            .get_or_insert_with(|| matches!(ctx.get_raw(1), ValueRef::Text(b"float4")));
        let v = ctx.get_raw(0);
        if !float4 {
            return self.interval.step(v, sign);
        }
        let x = match v {
            ValueRef::Real(f) => f as f32,
            ValueRef::Integer(i) => i as f32,
            _ => return Ok(()),
        };
        self.sum += if sign < 0 { -x } else { x };
        self.count += sign;
        Ok(())
    }

    fn value(&self) -> Value {
        match self.float4 {
            Some(true) if self.count > 0 => Value::Real(f64::from(self.sum)),
            Some(true) => Value::Null,
            _ => self.interval.sum().map_or(Value::Null, Value::Text),
        }
    }
}

struct ColumnSum;

impl Aggregate<State, Value> for ColumnSum {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<State> {
        Ok(State::default())
    }

    fn step(&self, ctx: &mut Context<'_>, state: &mut State) -> rusqlite::Result<()> {
        state.step(ctx, 1)
    }

    fn finalize(&self, _: &mut Context<'_>, state: Option<State>) -> rusqlite::Result<Value> {
        Ok(state.map_or(Value::Null, |s| s.value()))
    }
}

impl WindowAggregate<State, Value> for ColumnSum {
    fn value(&self, state: Option<&mut State>) -> rusqlite::Result<Value> {
        Ok(state.map_or(Value::Null, |s| s.value()))
    }

    fn inverse(&self, ctx: &mut Context<'_>, state: &mut State) -> rusqlite::Result<()> {
        state.step(ctx, -1)
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_window_function("pg_column_sum", 2, pure(), ColumnSum)
}
