//! Exact numeric division and `avg`, as PostgreSQL's numeric computes them.
//!
//! SQLite divides in doubles: `10.0 / 3` is 3.3333333333333335 and
//! `avg(qty)` 2.2, where PostgreSQL prints 3.3333333333333333 and
//! 2.2000000000000000 (numeric division keeps at least 16 significant
//! digits, the scale chosen from the operands by `select_div_scale`). The
//! translator calls these for the result columns of a query (see
//! `translate::exact`), so the exact text goes to the client and never into
//! a comparison:
//! - `pg_numeric_add|sub|mul|div(a, b)`: the operation on exact decimals;
//! - `pg_avg(x [, 'table.column'])`: an aggregate and window function,
//!   exact over integers and numeric values; over doubles of a float column
//!   (or of an expression) the double average, as SQLite's avg.
//!
//! A double that holds a numeric value becomes a decimal by its 15
//! significant digits, as PostgreSQL's float8-to-numeric cast does.

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use rusqlite::functions::{Aggregate, Context, WindowAggregate};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::{error, pure};
use crate::sql::pgtype::PgType;

/// PostgreSQL's NUMERIC_MIN_SIG_DIGITS and display-scale bound.
const MIN_SIG_DIGITS: i64 = 16;
const MAX_SCALE: i64 = 1000;

/// `m × 10^-scale`, scale ≥ 0: PostgreSQL's numeric with its display scale.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Dec {
    pub(super) m: BigInt,
    pub(super) scale: i64,
}

impl Dec {
    pub(super) fn int(n: i64) -> Dec {
        Dec {
            m: BigInt::from(n),
            scale: 0,
        }
    }

    /// Numeric input syntax: `[+-]digits[.digits][e[+-]n]`.
    pub(super) fn parse(s: &str) -> Option<Dec> {
        let t = s.trim();
        let (mantissa, exp) = match t.find(['e', 'E']) {
            Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()?),
            None => (t, 0),
        };
        if !(-MAX_SCALE..=MAX_SCALE).contains(&exp) {
            return None;
        }
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{int}{frac}");
        let m: BigInt = digits.parse().ok()?;
        let scale = frac.len() as i64 - exp;
        Some(if scale >= 0 {
            Dec { m, scale }
        } else {
            Dec {
                m: m * pow10(-scale),
                scale: 0,
            }
        })
    }

    /// A double by its 15 significant digits, trailing zeros dropped.
    fn of_f64(f: f64) -> Option<Dec> {
        if !f.is_finite() {
            return None;
        }
        let mut d = Dec::parse(&format!("{f:.14e}"))?;
        while d.scale > 0 && (&d.m % 10u32).is_zero() {
            d.m /= 10u32;
            d.scale -= 1;
        }
        Some(d)
    }

    pub(super) fn rescaled(&self, scale: i64) -> BigInt {
        &self.m * pow10(scale - self.scale)
    }

    pub(super) fn add(&self, other: &Dec) -> Dec {
        let scale = self.scale.max(other.scale);
        Dec {
            m: self.rescaled(scale) + other.rescaled(scale),
            scale,
        }
    }

    pub(super) fn neg(&self) -> Dec {
        Dec {
            m: -&self.m,
            scale: self.scale,
        }
    }

    pub(super) fn mul(&self, other: &Dec) -> Dec {
        Dec {
            m: &self.m * &other.m,
            scale: self.scale + other.scale,
        }
    }

    /// Base-10000 weight and first digit group, as numeric stores them.
    fn weight_and_first(&self) -> (i64, BigInt) {
        if self.m.is_zero() {
            return (0, BigInt::zero());
        }
        let digits = self.m.abs().to_string().len() as i64;
        let weight = (digits - 1 - self.scale).div_euclid(4);
        let shift = -self.scale - 4 * weight;
        let first = if shift >= 0 {
            self.m.abs() * pow10(shift)
        } else {
            self.m.abs() / pow10(-shift)
        };
        (weight, first)
    }

    /// PostgreSQL's `select_div_scale` and division, rounded half away from
    /// zero; None for a zero divisor.
    pub(super) fn div(&self, other: &Dec) -> Option<Dec> {
        if other.m.is_zero() {
            return None;
        }
        let (w1, f1) = self.weight_and_first();
        let (w2, f2) = other.weight_and_first();
        let mut qweight = w1 - w2;
        if f1 <= f2 {
            qweight -= 1;
        }
        let scale = (MIN_SIG_DIGITS - qweight * 4)
            .max(self.scale)
            .max(other.scale)
            .clamp(0, MAX_SCALE);
        // self/other × 10^scale = m1 × 10^(s2 - s1 + scale) / m2
        let e = other.scale - self.scale + scale;
        let (num, den) = if e >= 0 {
            (&self.m * pow10(e), other.m.clone())
        } else {
            (self.m.clone(), &other.m * pow10(-e))
        };
        let (q, r) = num.abs().div_rem(&den.abs());
        let q = if r * 2u32 >= den.abs() { q + 1u32 } else { q };
        let negative = (num.sign() == Sign::Minus) != (den.sign() == Sign::Minus);
        Some(Dec {
            m: if negative { -q } else { q },
            scale,
        })
    }

    /// The square root at this value's scale, rounded half up (as
    /// PostgreSQL's `sqrt_var` at the variance's scale); for non-negatives.
    fn sqrt(&self) -> Dec {
        // sqrt(m × 10^-s) × 10^s = sqrt(m × 10^s); one more digit to round.
        let t = (&self.m * pow10(self.scale + 2)).sqrt();
        Dec {
            m: (t + 5u32) / 10u32,
            scale: self.scale,
        }
    }

    pub(super) fn to_text(&self) -> String {
        let digits = self.m.abs().to_string();
        let scale = self.scale as usize;
        let mut out = String::with_capacity(digits.len() + 3);
        if self.m.is_negative() {
            out.push('-');
        }
        if scale == 0 {
            out.push_str(&digits);
        } else if digits.len() > scale {
            out.push_str(&digits[..digits.len() - scale]);
            out.push('.');
            out.push_str(&digits[digits.len() - scale..]);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', scale - digits.len()));
            out.push_str(&digits);
        }
        out
    }
}

fn pow10(n: i64) -> BigInt {
    num_traits::pow(BigInt::from(10u32), n.max(0) as usize)
}

/// An operand of numeric arithmetic: exact, or None for NULL.
pub(super) fn operand(v: ValueRef<'_>) -> rusqlite::Result<Option<Dec>> {
    Ok(match v {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(Dec::int(n)),
        ValueRef::Real(f) => {
            Some(Dec::of_f64(f).ok_or_else(|| error("22003", "value out of range"))?)
        }
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let s = String::from_utf8_lossy(t);
            Some(Dec::parse(&s).ok_or_else(|| {
                error(
                    "22P02",
                    format!("invalid input syntax for type numeric: \"{s}\""),
                )
            })?)
        }
    })
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    type Op = fn(&Dec, &Dec) -> rusqlite::Result<Dec>;
    let ops: [(&str, Op); 4] = [
        ("pg_numeric_add", |a, b| Ok(a.add(b))),
        ("pg_numeric_sub", |a, b| Ok(a.add(&b.neg()))),
        ("pg_numeric_mul", |a, b| Ok(a.mul(b))),
        ("pg_numeric_div", |a, b| {
            a.div(b).ok_or_else(|| error("22012", "division by zero"))
        }),
    ];
    for (name, op) in ops {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            let (Some(a), Some(b)) = (operand(ctx.get_raw(0))?, operand(ctx.get_raw(1))?) else {
                return Ok(None);
            };
            Ok(Some(op(&a, &b)?.to_text()))
        })?;
    }
    let flags = pure();
    conn.create_window_function("pg_avg", 1, flags, Avg)?;
    conn.create_window_function("pg_avg", 2, flags, Avg)?;
    conn.create_aggregate_function("pg_spread", 3, flags, Spread)?;
    conn.create_window_function("pg_numeric_sum", 1, flags, NumericSum)?;
    Ok(())
}

/// `pg_numeric_sum(x)`: `sum` over exact decimals (the texts the exact
/// functions return), keeping the largest scale as PostgreSQL's numeric
/// sum does (`12.50 + 7` is 19.50); NULL over no non-null values.
struct NumericSum;

impl Aggregate<Option<Dec>, Option<String>> for NumericSum {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<Dec>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, sum: &mut Option<Dec>) -> rusqlite::Result<()> {
        if let Some(x) = operand(ctx.get_raw(0))? {
            *sum = Some(match sum.take() {
                Some(s) => s.add(&x),
                None => x,
            });
        }
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        sum: Option<Option<Dec>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(sum.flatten().map(|s| s.to_text()))
    }
}

impl WindowAggregate<Option<Dec>, Option<String>> for NumericSum {
    fn value(&self, sum: Option<&mut Option<Dec>>) -> rusqlite::Result<Option<String>> {
        Ok(sum.and_then(|s| s.as_ref().map(Dec::to_text)))
    }

    fn inverse(&self, ctx: &mut Context<'_>, sum: &mut Option<Dec>) -> rusqlite::Result<()> {
        if let (Some(x), Some(s)) = (operand(ctx.get_raw(0))?, sum.as_ref()) {
            *sum = Some(s.add(&x.neg()));
        }
        Ok(())
    }
}

/// `pg_spread(x, 'table.column' | NULL, kind)`: `stddev`, `stddev_samp`,
/// `stddev_pop`, `variance`, `var_samp` or `var_pop` (the `kind`) as
/// PostgreSQL's numeric computes them over integers and numerics
/// (`numeric_stddev_internal`: exact sums, `select_div_scale` digits, the
/// square root rounded to that scale); over doubles of a float column or
/// expression, the double result.
struct Spread;

#[derive(Default)]
struct SpreadState {
    n: i64,
    sum: Option<Dec>,
    sum_sq: Option<Dec>,
    /// Integer values' sums, kept apart (no big-number work per row) until
    /// they would overflow.
    int_sum: i128,
    int_sq: i128,
    /// The double sums, for doubles.
    float: super::stats::Acc,
    saw_float: bool,
    column: Option<Option<PgType>>,
    /// (sample rather than population, standard deviation rather than variance).
    kind: (bool, bool),
}

impl SpreadState {
    /// Moves the integer sums into the exact ones.
    fn flush_ints(&mut self) {
        let to_dec = |v: i128| Dec {
            m: BigInt::from(v),
            scale: 0,
        };
        let (sum, sq) = (to_dec(self.int_sum), to_dec(self.int_sq));
        self.sum = Some(self.sum.take().map_or(sum.clone(), |s| s.add(&sum)));
        self.sum_sq = Some(self.sum_sq.take().map_or(sq.clone(), |s| s.add(&sq)));
        self.int_sum = 0;
        self.int_sq = 0;
    }
}

impl Aggregate<SpreadState, Value> for Spread {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<SpreadState> {
        Ok(SpreadState::default())
    }

    fn step(&self, ctx: &mut Context<'_>, st: &mut SpreadState) -> rusqlite::Result<()> {
        let v = ctx.get_raw(0);
        if matches!(v, ValueRef::Null) {
            return Ok(());
        }
        if st.column.is_none() {
            st.column = Some(column_type(ctx)?);
            let kind: String = ctx.get::<Option<String>>(2)?.unwrap_or_default();
            st.kind = (!kind.ends_with("_pop"), kind.starts_with("stddev"));
        }
        let numeric_column = st.column == Some(Some(PgType::Numeric));
        st.n += 1;
        let x = match v {
            ValueRef::Real(f) if !numeric_column => {
                st.saw_float = true;
                f
            }
            ValueRef::Integer(i) => {
                let wide = i128::from(i);
                match (
                    st.int_sum.checked_add(wide),
                    st.int_sq.checked_add(wide * wide),
                ) {
                    (Some(sum), Some(sq)) => {
                        st.int_sum = sum;
                        st.int_sq = sq;
                    }
                    _ => {
                        st.flush_ints();
                        st.int_sum = wide;
                        st.int_sq = wide * wide;
                    }
                }
                i as f64
            }
            other => {
                let d = operand(other)?.expect("not null");
                let x = d.m.to_f64().unwrap_or(f64::NAN) / 10f64.powi(d.scale as i32);
                let sq = d.mul(&d);
                st.sum = Some(st.sum.take().map_or(d.clone(), |s| s.add(&d)));
                st.sum_sq = Some(st.sum_sq.take().map_or(sq.clone(), |s| s.add(&sq)));
                x
            }
        };
        st.float.add(x);
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, st: Option<SpreadState>) -> rusqlite::Result<Value> {
        let Some(st) = st else {
            return Ok(Value::Null);
        };
        let (sample, root) = st.kind;
        if st.n == 0 || (sample && st.n == 1) {
            return Ok(Value::Null);
        }
        if st.saw_float {
            return Ok(st
                .float
                .result(sample, root)
                .map_or(Value::Null, Value::Real));
        }
        let mut st = st;
        st.flush_ints();
        let (Some(sum), Some(sum_sq)) = (st.sum, st.sum_sq) else {
            return Ok(Value::Null);
        };
        let n = Dec::int(st.n);
        // N·Σx² − (Σx)², exact.
        let numerator = n.mul(&sum_sq).add(&sum.mul(&sum).neg());
        if numerator.m.sign() != Sign::Plus {
            return Ok(Value::Text("0".to_owned()));
        }
        let denominator = Dec::int(st.n).mul(&Dec::int(if sample { st.n - 1 } else { st.n }));
        let Some(variance) = numerator.div(&denominator) else {
            return Ok(Value::Null);
        };
        Ok(Value::Text(if root {
            variance.sqrt().to_text()
        } else {
            variance.to_text()
        }))
    }
}

/// Running state of `pg_avg`.
#[derive(Default)]
pub(super) struct AvgState {
    count: i64,
    exact: Option<Dec>,
    float: f64,
    /// A double of a float column or expression was averaged.
    saw_float: bool,
    /// The argument column's type, once looked up.
    column: Option<Option<PgType>>,
    /// The values of an interval column.
    intervals: super::interval_sums::IntervalAcc,
}

struct Avg;

impl AvgState {
    fn step(&mut self, ctx: &mut Context<'_>, sign: i64) -> rusqlite::Result<()> {
        let v = ctx.get_raw(0);
        if matches!(v, ValueRef::Null) {
            return Ok(());
        }
        if self.column.is_none() {
            self.column = Some(column_type(ctx)?);
        }
        // An expression of unknown type (a derived table's column) whose
        // first value is interval text, not a number: an interval average
        // (PostgreSQL has no avg of text).
        if self.column == Some(None) && self.count == 0 && interval_not_number(v) {
            self.column = Some(Some(PgType::Interval));
        }
        if self.column == Some(Some(PgType::Interval)) {
            return self.intervals.step(v, sign);
        }
        let numeric_column = self.column == Some(Some(PgType::Numeric));
        let d = match v {
            ValueRef::Real(f) if !numeric_column => {
                self.saw_float = true;
                self.float += f * sign as f64;
                self.count += sign;
                return Ok(());
            }
            other => operand(other)?.expect("not null"),
        };
        self.float += d.m.to_f64().unwrap_or(f64::NAN) / 10f64.powi(d.scale as i32) * sign as f64;
        let d = if sign < 0 { d.neg() } else { d };
        self.exact = Some(match &self.exact {
            Some(sum) => sum.add(&d),
            None => d,
        });
        self.count += sign;
        Ok(())
    }

    fn value(&self) -> rusqlite::Result<Value> {
        if self.column == Some(Some(PgType::Interval)) {
            return Ok(self.intervals.avg()?.map_or(Value::Null, Value::Text));
        }
        if self.count == 0 {
            return Ok(Value::Null);
        }
        if self.saw_float {
            return Ok(Value::Real(self.float / self.count as f64));
        }
        Ok(
            match self
                .exact
                .as_ref()
                .and_then(|s| s.div(&Dec::int(self.count)))
            {
                Some(avg) => Value::Text(avg.to_text()),
                None => Value::Null,
            },
        )
    }
}

fn interval_not_number(v: ValueRef<'_>) -> bool {
    let ValueRef::Text(t) = v else {
        return false;
    };
    let Ok(s) = std::str::from_utf8(t) else {
        return false;
    };
    Dec::parse(s).is_none() && crate::sql::encode::interval::Interval::parse(s).is_some()
}

/// The declared type of the `'table.column'` second argument (or
/// `'numeric'`: an expression of that type), if any.
fn column_type(ctx: &Context<'_>) -> rusqlite::Result<Option<PgType>> {
    if ctx.len() < 2 {
        return Ok(None);
    }
    let Some(reference) = ctx.get::<Option<String>>(1)? else {
        return Ok(None);
    };
    // The translator's word for an expression it knows to be numeric.
    if reference == "numeric" {
        return Ok(Some(PgType::Numeric));
    }
    let Some((table, column)) = reference.split_once('.') else {
        return Ok(None);
    };
    // SAFETY: a read of the schema during the call.
    let conn = unsafe { ctx.get_connection()? };
    Ok(crate::backend::sqlite::exec::declared_type(
        &conn, table, column,
    ))
}

impl Aggregate<AvgState, Value> for Avg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<AvgState> {
        Ok(AvgState::default())
    }

    fn step(&self, ctx: &mut Context<'_>, state: &mut AvgState) -> rusqlite::Result<()> {
        state.step(ctx, 1)
    }

    fn finalize(&self, _: &mut Context<'_>, state: Option<AvgState>) -> rusqlite::Result<Value> {
        state.map_or(Ok(Value::Null), |s| s.value())
    }
}

impl WindowAggregate<AvgState, Value> for Avg {
    fn value(&self, state: Option<&mut AvgState>) -> rusqlite::Result<Value> {
        state.map_or(Ok(Value::Null), |s| s.value())
    }

    fn inverse(&self, ctx: &mut Context<'_>, state: &mut AvgState) -> rusqlite::Result<()> {
        state.step(ctx, -1)
    }
}

#[cfg(test)]
mod tests {
    use super::Dec;

    fn div(a: &str, b: &str) -> String {
        Dec::parse(a)
            .unwrap()
            .div(&Dec::parse(b).unwrap())
            .unwrap()
            .to_text()
    }

    #[test]
    fn division_keeps_postgresql_digits() {
        assert_eq!(div("10.0", "3"), "3.3333333333333333");
        assert_eq!(div("7.0", "2"), "3.5000000000000000");
        assert_eq!(div("1", "3"), "0.33333333333333333333");
        assert_eq!(div("100000", "3"), "33333.333333333333");
        assert_eq!(div("-2", "3"), "-0.66666666666666666667");
        assert_eq!(div("43.50", "4"), "10.8750000000000000");
        assert_eq!(Dec::of_f64(0.1 + 0.2).unwrap().to_text(), "0.3");
        assert_eq!(Dec::of_f64(1500.0).unwrap().to_text(), "1500");
        let sub = Dec::int(100).add(&Dec::parse("113.3333333333333333").unwrap().neg());
        assert_eq!(sub.to_text(), "-13.3333333333333333");
    }
}
