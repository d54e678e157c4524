//! PostgreSQL's two-variable statistics, which BI tools and reports use:
//! `corr`, `covar_pop`, `covar_samp` and the `regr_*` family (`(Y, X)`
//! argument order). The running sums are those of PostgreSQL's
//! `float8_regr_accum` (Youngs-Cramer), so the last digits agree; a row
//! with either value NULL is skipped.

use rusqlite::functions::{Aggregate, Context};
use rusqlite::types::Value;
use rusqlite::Connection;

use super::pure;

#[derive(Default)]
struct Sums {
    n: f64,
    sx: f64,
    sxx: f64,
    sy: f64,
    syy: f64,
    sxy: f64,
}

impl Sums {
    fn add(&mut self, y: f64, x: f64) {
        self.n += 1.0;
        self.sx += x;
        self.sy += y;
        if self.n > 1.0 {
            let (tx, ty) = (x * self.n - self.sx, y * self.n - self.sy);
            let scale = 1.0 / (self.n * (self.n - 1.0));
            self.sxx += tx * tx * scale;
            self.syy += ty * ty * scale;
            self.sxy += tx * ty * scale;
        }
    }
}

#[derive(Clone, Copy)]
enum Stat {
    Count,
    Sxx,
    Syy,
    Sxy,
    AvgX,
    AvgY,
    CovarPop,
    CovarSamp,
    Corr,
    R2,
    Slope,
    Intercept,
}

impl Stat {
    fn of(self, s: &Sums) -> Value {
        let real = |v: Option<f64>| v.map_or(Value::Null, Value::Real);
        if let Stat::Count = self {
            return Value::Integer(s.n as i64);
        }
        if s.n < 1.0 {
            return Value::Null;
        }
        real(match self {
            Stat::Count => None,
            Stat::Sxx => Some(s.sxx),
            Stat::Syy => Some(s.syy),
            Stat::Sxy => Some(s.sxy),
            Stat::AvgX => Some(s.sx / s.n),
            Stat::AvgY => Some(s.sy / s.n),
            Stat::CovarPop => Some(s.sxy / s.n),
            Stat::CovarSamp => (s.n >= 2.0).then(|| s.sxy / (s.n - 1.0)),
            Stat::Corr => (s.sxx != 0.0 && s.syy != 0.0).then(|| s.sxy / (s.sxx * s.syy).sqrt()),
            Stat::R2 if s.sxx == 0.0 => None,
            Stat::R2 if s.syy == 0.0 => Some(1.0),
            Stat::R2 => Some(s.sxy * s.sxy / (s.sxx * s.syy)),
            Stat::Slope => (s.sxx != 0.0).then(|| s.sxy / s.sxx),
            Stat::Intercept => (s.sxx != 0.0).then(|| (s.sy - s.sx * s.sxy / s.sxx) / s.n),
        })
    }
}

impl Aggregate<Sums, Value> for Stat {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Sums> {
        Ok(Sums::default())
    }

    fn step(&self, ctx: &mut Context<'_>, sums: &mut Sums) -> rusqlite::Result<()> {
        if let (Some(y), Some(x)) = (ctx.get::<Option<f64>>(0)?, ctx.get::<Option<f64>>(1)?) {
            sums.add(y, x);
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, sums: Option<Sums>) -> rusqlite::Result<Value> {
        Ok(self.of(&sums.unwrap_or_default()))
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for (name, stat) in [
        ("regr_count", Stat::Count),
        ("regr_sxx", Stat::Sxx),
        ("regr_syy", Stat::Syy),
        ("regr_sxy", Stat::Sxy),
        ("regr_avgx", Stat::AvgX),
        ("regr_avgy", Stat::AvgY),
        ("covar_pop", Stat::CovarPop),
        ("covar_samp", Stat::CovarSamp),
        ("corr", Stat::Corr),
        ("regr_r2", Stat::R2),
        ("regr_slope", Stat::Slope),
        ("regr_intercept", Stat::Intercept),
    ] {
        conn.create_aggregate_function(name, 2, pure(), stat)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn as_postgres_computes_them() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        super::register(&db).unwrap();
        let row: (i64, f64, f64, f64, f64, Option<f64>) = db
            .query_row(
                "SELECT regr_count(y, x), corr(y, x), regr_slope(y, x), regr_intercept(y, x), \
                 covar_samp(y, x), regr_slope(y, 1) \
                 FROM (SELECT column1 AS y, column2 AS x FROM (VALUES (2, 1), (4, 2), (7, 3), (NULL, 4)))",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .unwrap();
        assert_eq!(row.0, 3);
        assert!((row.1 - 0.9933992677987828).abs() < 1e-15, "{}", row.1);
        assert!((row.2 - 2.5).abs() < 1e-15, "{}", row.2);
        assert!((row.3 + 0.6666666666666667).abs() < 1e-15, "{}", row.3);
        assert!((row.4 - 2.5).abs() < 1e-15, "{}", row.4);
        assert_eq!(row.5, None, "a constant X has no slope");
    }
}
