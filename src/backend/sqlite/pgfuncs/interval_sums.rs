//! `sum` and `avg` over intervals (`sum(duration)`, also as window
//! functions). SQLite's own would add the leading digits of the interval
//! texts. `pg_interval_sum(x)` / `pg_interval_avg(x)` take what the
//! translator knows or the schema says is an interval; `pg_avg` uses the
//! same accumulator when its column turns out to be one.

use rusqlite::functions::{Aggregate, Context, WindowAggregate};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::intervals::{add, mul};
use super::pure;
use crate::sql::encode::interval::Interval;

/// The running sum and count of interval values.
#[derive(Default)]
pub(super) struct IntervalAcc {
    sum: Interval,
    count: i64,
}

impl IntervalAcc {
    /// Adds (`sign` 1) or takes away (-1, a window frame's leaving row) a
    /// value. Only interval text counts: the CASE a column of unknown type
    /// is translated to runs this beside SQLite's `sum` for every column
    /// type, so numbers and other text are passed over, not refused.
    pub(super) fn step(&mut self, v: ValueRef<'_>, sign: i64) -> rusqlite::Result<()> {
        let ValueRef::Text(t) = v else {
            return Ok(());
        };
        let Some(iv) = std::str::from_utf8(t).ok().and_then(Interval::parse) else {
            return Ok(());
        };
        let iv = if sign < 0 { mul(iv, -1.0)? } else { iv };
        self.sum = add(self.sum, iv)?;
        self.count += sign;
        Ok(())
    }

    pub(super) fn sum(&self) -> Option<String> {
        (self.count > 0).then(|| self.sum.to_text())
    }

    /// PostgreSQL's interval_avg: the sum divided by the count.
    pub(super) fn avg(&self) -> rusqlite::Result<Option<String>> {
        if self.count <= 0 {
            return Ok(None);
        }
        Ok(Some(mul(self.sum, 1.0 / self.count as f64)?.to_text()))
    }
}

struct IntervalAggregate {
    avg: bool,
}

impl IntervalAggregate {
    fn result(&self, acc: Option<&IntervalAcc>) -> rusqlite::Result<Option<String>> {
        match acc {
            None => Ok(None),
            Some(a) if self.avg => a.avg(),
            Some(a) => Ok(a.sum()),
        }
    }
}

impl Aggregate<IntervalAcc, Option<String>> for IntervalAggregate {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<IntervalAcc> {
        Ok(IntervalAcc::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut IntervalAcc) -> rusqlite::Result<()> {
        acc.step(ctx.get_raw(0), 1)
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<IntervalAcc>,
    ) -> rusqlite::Result<Option<String>> {
        self.result(acc.as_ref())
    }
}

impl WindowAggregate<IntervalAcc, Option<String>> for IntervalAggregate {
    fn value(&self, acc: Option<&mut IntervalAcc>) -> rusqlite::Result<Option<String>> {
        self.result(acc.as_deref())
    }

    fn inverse(&self, ctx: &mut Context<'_>, acc: &mut IntervalAcc) -> rusqlite::Result<()> {
        acc.step(ctx.get_raw(0), -1)
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for (name, avg) in [("pg_interval_sum", false), ("pg_interval_avg", true)] {
        conn.create_window_function(name, 1, pure(), IntervalAggregate { avg })?;
    }
    Ok(())
}
