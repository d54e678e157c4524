//! `sqrt`, `exp`, `ln`, `log(b, x)` and `power` of numeric values with
//! PostgreSQL's result scale (at least 16 significant digits, chosen from
//! the estimated result weight as `numeric_sqrt`, `numeric_exp`,
//! `numeric_ln`, `log_var` and `power_var` do) and its rounding (half away
//! from zero). Computed on fixed-point big integers with guard digits. The
//! translator calls them (`pg_numeric_sqrt`, ...) for the result columns of
//! a query whose argument is known to be numeric, as it does the exact
//! division: the text goes to the client, never into a comparison.

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use rusqlite::Connection;

use super::exact::{operand, Dec};
use super::{error, pure};

const MIN_SIG_DIGITS: i64 = 16;
const MAX_SCALE: i64 = 1000;
/// Extra digits carried through ln/exp.
const GUARD: i64 = 40;

fn pow10(n: i64) -> BigInt {
    num_traits::pow(BigInt::from(10u32), n.max(0) as usize)
}

fn clamp_scale(s: i64) -> i64 {
    s.clamp(0, MAX_SCALE)
}

/// `m × 10^-scale` as a fixed-point integer at `p` digits (truncated).
fn fixed(d: &Dec, p: i64) -> BigInt {
    if p >= d.scale {
        &d.m * pow10(p - d.scale)
    } else {
        &d.m / pow10(d.scale - p)
    }
}

/// A fixed-point value at `p` digits rounded (half away from zero) to `scale`.
fn round_fixed(v: &BigInt, p: i64, scale: i64) -> Dec {
    let m = if p <= scale {
        v * pow10(scale - p)
    } else {
        let d = pow10(p - scale);
        let (q, r) = v.abs().div_rem(&d);
        let q = if r * 2u32 >= d { q + 1u32 } else { q };
        if v.sign() == Sign::Minus {
            -q
        } else {
            q
        }
    };
    Dec { m, scale }
}

/// The value as a double (for scale estimates only).
fn approx(d: &Dec) -> f64 {
    d.m.to_f64().unwrap_or(f64::INFINITY) / 10f64.powi(d.scale.min(300) as i32)
}

/// ln(x) of a positive fixed-point value at `p` digits: square roots bring
/// x near 1, then 2·atanh((x−1)/(x+1)).
fn ln_fixed(x: &BigInt, p: i64) -> BigInt {
    let one = pow10(p);
    let mut x = x.clone();
    let mut k = 0u32;
    while (&x - &one).abs() * 10u32 > one {
        x = (&x * &one).sqrt();
        k += 1;
    }
    let z = (&x - &one) * &one / (&x + &one);
    let z2 = &z * &z / &one;
    let mut term = z;
    let mut sum = BigInt::zero();
    let mut n = 1u32;
    loop {
        let t = &term / n;
        if t.is_zero() {
            break;
        }
        sum += t;
        term = &term * &z2 / &one;
        n += 2;
    }
    sum * 2u32 * (BigInt::from(1u32) << k)
}

/// exp(y) of a fixed-point value at `p` digits: halvings bring |y| under
/// 0.01, then the Taylor series, then squarings.
fn exp_fixed(y: &BigInt, p: i64) -> BigInt {
    let one = pow10(p);
    let mut y = y.clone();
    let mut k = 0u32;
    while y.abs() * 100u32 > one {
        y /= 2u32;
        k += 1;
    }
    let mut sum = one.clone();
    let mut term = one.clone();
    let mut n = 1u32;
    loop {
        term = &term * &y / &one / n;
        if term.is_zero() {
            break;
        }
        sum += &term;
        n += 1;
    }
    for _ in 0..k {
        sum = &sum * &sum / &one;
    }
    sum
}

/// The base-10000 weight of a nonzero value, as numeric stores it.
fn weight(d: &Dec) -> i64 {
    let digits = d.m.abs().to_string().len() as i64;
    (digits - 1 - d.scale).div_euclid(4)
}

/// The decimal weight of a nonzero value (position of its first digit).
fn dweight(d: &Dec) -> i64 {
    d.m.abs().to_string().len() as i64 - 1 - d.scale
}

/// PostgreSQL's `estimate_ln_dweight`.
fn ln_dweight(d: &Dec) -> i64 {
    if d.m.sign() != Sign::Plus {
        return 0;
    }
    let x = approx(d);
    if (0.9..=1.1).contains(&x) {
        let one = Dec {
            m: pow10(d.scale),
            scale: d.scale,
        };
        let diff = Dec {
            m: &d.m - &one.m,
            scale: d.scale,
        };
        return if diff.m.is_zero() { 0 } else { dweight(&diff) };
    }
    let ln = (dweight(d) as f64) * std::f64::consts::LN_10
        + (x / 10f64.powi(dweight(d).clamp(-300, 300) as i32)).ln();
    if ln == 0.0 {
        0
    } else {
        // Truncated toward zero, as C's (int) cast.
        ln.abs().log10() as i64
    }
}

fn sqrt(x: &Dec) -> rusqlite::Result<Dec> {
    if x.m.sign() == Sign::Minus {
        return Err(error(
            "2201F",
            "cannot take square root of a negative number",
        ));
    }
    if x.m.is_zero() {
        return Ok(Dec {
            m: BigInt::zero(),
            scale: clamp_scale(x.scale.max(MIN_SIG_DIGITS - 1)),
        });
    }
    let sweight = (weight(x) + 1) * 4 / 2 - 1;
    let rscale = clamp_scale((MIN_SIG_DIGITS - sweight).max(x.scale));
    // sqrt(x) × 10^(rscale+1), truncated; then rounded to rscale.
    let p = 2 * (rscale + 1);
    let t = fixed(x, p).sqrt();
    Ok(round_fixed(&t, rscale + 1, rscale))
}

fn ln(x: &Dec) -> rusqlite::Result<Dec> {
    if x.m.sign() != Sign::Plus {
        return Err(error(
            "2201E",
            if x.m.is_zero() {
                "cannot take logarithm of zero"
            } else {
                "cannot take logarithm of a negative number"
            },
        ));
    }
    let rscale = clamp_scale((MIN_SIG_DIGITS - ln_dweight(x)).max(x.scale));
    let p = rscale + GUARD;
    Ok(round_fixed(&ln_fixed(&fixed(x, p), p), p, rscale))
}

fn exp(x: &Dec) -> rusqlite::Result<Dec> {
    let val = (approx(x) * std::f64::consts::LOG10_E).clamp(-2000.0, 2000.0);
    if val > 1000.0 {
        return Err(error("22003", "value overflows numeric format"));
    }
    let rscale = clamp_scale((MIN_SIG_DIGITS - val as i64).max(x.scale));
    let p = rscale + GUARD + val.max(0.0) as i64;
    Ok(round_fixed(&exp_fixed(&fixed(x, p), p), p, rscale))
}

/// log(base, x).
fn log(base: &Dec, x: &Dec) -> rusqlite::Result<Dec> {
    for v in [base, x] {
        if v.m.sign() != Sign::Plus {
            return Err(error(
                "2201E",
                if v.m.is_zero() {
                    "cannot take logarithm of zero"
                } else {
                    "cannot take logarithm of a negative number"
                },
            ));
        }
    }
    let result_dweight = ln_dweight(x) - ln_dweight(base);
    let rscale = clamp_scale(
        (MIN_SIG_DIGITS - result_dweight)
            .max(base.scale)
            .max(x.scale),
    );
    let p = rscale + GUARD + result_dweight.abs();
    let lb = ln_fixed(&fixed(base, p), p);
    if lb.is_zero() {
        return Err(error("22012", "division by zero"));
    }
    let lx = ln_fixed(&fixed(x, p), p);
    let q = lx * pow10(p) / lb;
    Ok(round_fixed(&q, p, rscale))
}

fn power(base: &Dec, exponent: &Dec) -> rusqlite::Result<Dec> {
    let integral = exponent.m.is_multiple_of(&pow10(exponent.scale));
    if base.m.is_zero() {
        if exponent.m.sign() == Sign::Minus {
            return Err(error(
                "2201F",
                "zero raised to a negative power is undefined",
            ));
        }
        if exponent.m.is_zero() {
            return Ok(Dec {
                m: pow10(MIN_SIG_DIGITS),
                scale: MIN_SIG_DIGITS,
            });
        }
        return Ok(Dec {
            m: BigInt::zero(),
            scale: MIN_SIG_DIGITS,
        });
    }
    if integral {
        let n = (&exponent.m / pow10(exponent.scale)).to_i64();
        if let Some(n) = n.filter(|n| n.unsigned_abs() <= i32::MAX as u64) {
            let rscale = clamp_scale(MIN_SIG_DIGITS.max(base.scale));
            let estimate = approx(base).abs().log10() * n as f64;
            if estimate > 131072.0 * 1.01 {
                return Err(error("22003", "value overflows numeric format"));
            }
            if estimate < -(MAX_SCALE as f64) - 10.0 {
                return Ok(Dec {
                    m: BigInt::zero(),
                    scale: rscale,
                });
            }
            let exact = num_traits::pow(base.m.clone(), n.unsigned_abs() as usize);
            let scale = base.scale * n.unsigned_abs() as i64;
            return Ok(if n >= 0 {
                round_fixed(&exact, scale, rscale)
            } else {
                // 10^scale / exact at rscale digits.
                let p = rscale + 2;
                let q = pow10(scale + p) / &exact;
                round_fixed(&q, p, rscale)
            });
        }
    }
    if base.m.sign() == Sign::Minus {
        return Err(error(
            "2201F",
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    let val = approx(base).ln() * approx(exponent) * std::f64::consts::LOG10_E;
    if val > 1000.0 {
        return Err(error("22003", "value overflows numeric format"));
    }
    let rscale = clamp_scale(
        (MIN_SIG_DIGITS - val as i64)
            .max(base.scale)
            .max(exponent.scale),
    );
    let p = rscale + GUARD + val.abs() as i64;
    let l = ln_fixed(&fixed(base, p), p);
    let y = l * fixed(exponent, p) / pow10(p);
    Ok(round_fixed(&exp_fixed(&y, p), p, rscale))
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    type Unary = fn(&Dec) -> rusqlite::Result<Dec>;
    let unary: [(&str, Unary); 3] = [
        ("pg_numeric_sqrt", sqrt),
        ("pg_numeric_exp", exp),
        ("pg_numeric_ln", ln),
    ];
    for (name, f) in unary {
        conn.create_scalar_function(name, 1, pure(), move |ctx| {
            let Some(x) = operand(ctx.get_raw(0))? else {
                return Ok(None);
            };
            Ok(Some(f(&x)?.to_text()))
        })?;
    }
    conn.create_scalar_function("pg_numeric_log10", 1, pure(), |ctx| {
        let Some(x) = operand(ctx.get_raw(0))? else {
            return Ok(None);
        };
        Ok(Some(log(&Dec::int(10), &x)?.to_text()))
    })?;
    type Binary = fn(&Dec, &Dec) -> rusqlite::Result<Dec>;
    let binary: [(&str, Binary); 2] = [("pg_numeric_log", log), ("pg_numeric_power", power)];
    for (name, f) in binary {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            let (Some(a), Some(b)) = (operand(ctx.get_raw(0))?, operand(ctx.get_raw(1))?) else {
                return Ok(None);
            };
            Ok(Some(f(&a, &b)?.to_text()))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    #[test]
    fn postgresql_digits() {
        assert_eq!(sqrt(&d("2.0")).unwrap().to_text(), "1.414213562373095");
        assert_eq!(
            power(&d("2.0"), &d("0.5")).unwrap().to_text(),
            "1.4142135623730950"
        );
        assert_eq!(
            log(&d("2"), &d("8")).unwrap().to_text(),
            "3.0000000000000000"
        );
        assert_eq!(ln(&d("10")).unwrap().to_text(), "2.3025850929940457");
        assert_eq!(exp(&d("1")).unwrap().to_text(), "2.7182818284590452");
    }
}
