//! Statistical aggregates PostgreSQL has and SQLite lacks: `stddev`,
//! `stddev_samp`, `stddev_pop`, `variance`, `var_samp`, `var_pop`
//! (the Youngs-Cramer running sums PostgreSQL's `float8_accum` keeps, so
//! the last digits agree; NULLs skipped; NULL for too few rows), and the
//! bitwise `bit_and`, `bit_or`, `bit_xor` of integers.

use rusqlite::functions::{Aggregate, Context};
use rusqlite::Connection;

use super::pure;

/// Running count, sum and sum of squared deviations.
#[derive(Default)]
pub(super) struct Acc {
    n: u64,
    sx: f64,
    sxx: f64,
}

impl Acc {
    /// PostgreSQL's `float8_accum` step.
    pub(super) fn add(&mut self, x: f64) {
        self.n += 1;
        self.sx += x;
        if self.n > 1 {
            let n = self.n as f64;
            let tmp = x * n - self.sx;
            self.sxx += tmp * tmp / (n * (n - 1.0));
        }
    }

    /// The variance or standard deviation; None for too few rows.
    pub(super) fn result(&self, sample: bool, root: bool) -> Option<f64> {
        let divisor = if sample {
            self.n.saturating_sub(1)
        } else {
            self.n
        };
        if divisor == 0 {
            return None;
        }
        let variance = self.sxx / divisor as f64;
        Some(if root { variance.sqrt() } else { variance })
    }
}

struct Spread {
    /// Sample (n - 1) rather than population (n) statistics.
    sample: bool,
    /// The standard deviation rather than the variance.
    root: bool,
}

impl Aggregate<Acc, Option<f64>> for Spread {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Acc> {
        Ok(Acc::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Acc) -> rusqlite::Result<()> {
        if let Some(x) = ctx.get::<Option<f64>>(0)? {
            acc.add(x);
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<Acc>) -> rusqlite::Result<Option<f64>> {
        Ok(acc.and_then(|acc| acc.result(self.sample, self.root)))
    }
}

#[derive(Clone, Copy)]
enum Bits {
    And,
    Or,
    Xor,
}

impl Aggregate<Option<i64>, Option<i64>> for Bits {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<i64>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<i64>) -> rusqlite::Result<()> {
        if let Some(x) = ctx.get::<Option<i64>>(0)? {
            *acc = Some(match (*acc, self) {
                (None, _) => x,
                (Some(a), Bits::And) => a & x,
                (Some(a), Bits::Or) => a | x,
                (Some(a), Bits::Xor) => a ^ x,
            });
        }
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Option<i64>>,
    ) -> rusqlite::Result<Option<i64>> {
        Ok(acc.flatten())
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for (name, op) in [
        ("bit_and", Bits::And),
        ("bit_or", Bits::Or),
        ("bit_xor", Bits::Xor),
    ] {
        conn.create_aggregate_function(name, 1, pure(), op)?;
    }
    for (name, sample, root) in [
        ("stddev", true, true),
        ("stddev_samp", true, true),
        ("stddev_pop", false, true),
        ("variance", true, false),
        ("var_samp", true, false),
        ("var_pop", false, false),
    ] {
        conn.create_aggregate_function(name, 1, pure(), Spread { sample, root })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn as_postgres_computes_them() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        super::register(&db).unwrap();
        let (sd, var, pop): (f64, f64, f64) = db
            .query_row(
                "SELECT stddev(column1), variance(column1), var_pop(column1) \
                 FROM (VALUES (4), (1), (2), (1), (3), (NULL))",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!((var - 1.7).abs() < 1e-12, "{var}");
        assert!((sd - 1.3038404810405297).abs() < 1e-12, "{sd}");
        assert!((pop - 1.36).abs() < 1e-12, "{pop}");
        let one: Option<f64> = db
            .query_row("SELECT stddev(column1) FROM (VALUES (5))", [], |r| r.get(0))
            .unwrap();
        assert_eq!(one, None);
    }
}
