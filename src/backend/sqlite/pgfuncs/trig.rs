//! Trigonometry PostgreSQL has and this SQLite build lacks: `atan2`, `cot`,
//! the hyperbolic functions, and the degree variants (`sind`, `cosd`, ...).
//! The degree variants give exact results at the angles people check
//! (`sind(30)` is 0.5, not 0.49999999999999994): as PostgreSQL does, each
//! is reduced to the first quadrant and scaled by the function's own value
//! at 30, 45 or 60 degrees, so rounding cancels at those points.

use rusqlite::functions::Context;
use rusqlite::Connection;

use super::{error, pure};

type F64Fn = fn(f64) -> rusqlite::Result<f64>;

fn arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<f64>> {
    ctx.get::<Option<f64>>(i)
}

fn out_of_range() -> rusqlite::Error {
    error("22003", "input is out of range")
}

/// A finite argument, or PostgreSQL's error for an infinite one (NaN passes).
fn finite(x: f64) -> rusqlite::Result<f64> {
    if x.is_infinite() {
        Err(out_of_range())
    } else {
        Ok(x)
    }
}

/// An argument within [-1, 1] (asin, acos and their degree forms).
fn unit(x: f64) -> rusqlite::Result<f64> {
    if (-1.0..=1.0).contains(&x) || x.is_nan() {
        Ok(x)
    } else {
        Err(out_of_range())
    }
}

fn sind_0_to_30(x: f64) -> f64 {
    x.to_radians().sin() / 30f64.to_radians().sin() / 2.0
}

fn cosd_0_to_60(x: f64) -> f64 {
    let one_minus_cos_60 = 1.0 - 60f64.to_radians().cos();
    1.0 - (1.0 - x.to_radians().cos()) / one_minus_cos_60 / 2.0
}

fn sind_q1(x: f64) -> f64 {
    if x <= 30.0 {
        sind_0_to_30(x)
    } else {
        cosd_0_to_60(90.0 - x)
    }
}

fn cosd_q1(x: f64) -> f64 {
    if x <= 60.0 {
        cosd_0_to_60(x)
    } else {
        sind_0_to_30(90.0 - x)
    }
}

/// `x` reduced to [0, 90] and the sign sine and tangent then take.
fn odd_quadrant(x: f64) -> (f64, f64) {
    let (mut x, mut sign) = (x % 360.0, 1.0);
    if x < 0.0 {
        x = -x;
        sign = -sign;
    }
    if x > 180.0 {
        x -= 180.0;
        sign = -sign;
    }
    if x > 90.0 {
        x = 180.0 - x;
    }
    (x, sign)
}

fn sind(x: f64) -> rusqlite::Result<f64> {
    let (x, sign) = odd_quadrant(finite(x)?);
    Ok(sign * sind_q1(x))
}

fn cosd(x: f64) -> rusqlite::Result<f64> {
    let mut x = (finite(x)? % 360.0).abs();
    if x > 180.0 {
        x = 360.0 - x;
    }
    let sign = if x > 90.0 {
        x = 180.0 - x;
        -1.0
    } else {
        1.0
    };
    Ok(sign * cosd_q1(x))
}

/// tand/cotd: `x` reduced to [0, 90], and the tangent's sign (odd, and
/// negative in the second and fourth quadrants).
fn tangent_quadrant(x: f64) -> (f64, f64) {
    let (mut x, mut sign) = (x % 360.0, 1.0);
    if x < 0.0 {
        x = -x;
        sign = -sign;
    }
    if x > 180.0 {
        x = 360.0 - x;
        sign = -sign;
    }
    if x > 90.0 {
        x = 180.0 - x;
        sign = -sign;
    }
    (x, sign)
}

fn tand(x: f64) -> rusqlite::Result<f64> {
    let (x, sign) = tangent_quadrant(finite(x)?);
    let tan_45 = sind_q1(45.0) / cosd_q1(45.0);
    // + 0.0 turns -0 into 0, as PostgreSQL prints it.
    Ok(sign * (sind_q1(x) / cosd_q1(x) / tan_45) + 0.0)
}

fn cotd(x: f64) -> rusqlite::Result<f64> {
    let (x, sign) = tangent_quadrant(finite(x)?);
    let cot_45 = cosd_q1(45.0) / sind_q1(45.0);
    Ok(sign * (cosd_q1(x) / sind_q1(x) / cot_45) + 0.0)
}

fn asind_q1(x: f64) -> f64 {
    if x <= 0.5 {
        x.asin() / 0.5f64.asin() * 30.0
    } else {
        90.0 - x.acos() / 0.5f64.acos() * 60.0
    }
}

fn acosd_q1(x: f64) -> f64 {
    if x <= 0.5 {
        90.0 - x.asin() / 0.5f64.asin() * 30.0
    } else {
        x.acos() / 0.5f64.acos() * 60.0
    }
}

fn asind(x: f64) -> rusqlite::Result<f64> {
    let x = unit(x)?;
    Ok(if x >= 0.0 { asind_q1(x) } else { -asind_q1(-x) })
}

fn acosd(x: f64) -> rusqlite::Result<f64> {
    let x = unit(x)?;
    Ok(if x >= 0.0 {
        acosd_q1(x)
    } else {
        90.0 + asind_q1(-x)
    })
}

fn atand(x: f64) -> rusqlite::Result<f64> {
    Ok(x.atan() / 1f64.atan() * 45.0)
}

fn cot(x: f64) -> rusqlite::Result<f64> {
    Ok(1.0 / finite(x)?.tan())
}

fn asin(x: f64) -> rusqlite::Result<f64> {
    Ok(unit(x)?.asin())
}

fn acos(x: f64) -> rusqlite::Result<f64> {
    Ok(unit(x)?.acos())
}

fn acosh(x: f64) -> rusqlite::Result<f64> {
    if x < 1.0 {
        return Err(out_of_range());
    }
    Ok(x.acosh())
}

fn atanh(x: f64) -> rusqlite::Result<f64> {
    match unit(x)? {
        x if x == 1.0 || x == -1.0 => Err(error("22003", "value out of range: overflow")),
        x => Ok(x.atanh()),
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let unary: [(&str, F64Fn); 15] = [
        ("sind", sind),
        ("cosd", cosd),
        ("tand", tand),
        ("cotd", cotd),
        ("asind", asind),
        ("acosd", acosd),
        ("atand", atand),
        ("cot", cot),
        ("asin", asin),
        ("acos", acos),
        ("sinh", |x| Ok(x.sinh())),
        ("cosh", |x| Ok(x.cosh())),
        ("tanh", |x| Ok(x.tanh())),
        ("asinh", |x| Ok(x.asinh())),
        ("acosh", acosh),
    ];
    for (name, f) in unary.into_iter().chain([("atanh", atanh as F64Fn)]) {
        conn.create_scalar_function(name, 1, pure(), move |ctx| arg(ctx, 0)?.map(f).transpose())?;
    }
    for (name, degrees) in [("atan2", false), ("atan2d", true)] {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            let (Some(y), Some(x)) = (arg(ctx, 0)?, arg(ctx, 1)?) else {
                return Ok(None);
            };
            let a = y.atan2(x);
            Ok(Some(if degrees { a / 1f64.atan() * 45.0 } else { a }))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degree_functions_are_exact_at_common_angles() {
        assert_eq!(sind(30.0).unwrap(), 0.5);
        assert_eq!(sind(-30.0).unwrap(), -0.5);
        assert_eq!(sind(210.0).unwrap(), -0.5);
        assert_eq!(sind(90.0).unwrap(), 1.0);
        assert_eq!(cosd(60.0).unwrap(), 0.5);
        assert_eq!(cosd(120.0).unwrap(), -0.5);
        assert_eq!(cosd(-240.0).unwrap(), -0.5);
        assert_eq!(tand(45.0).unwrap(), 1.0);
        assert_eq!(tand(135.0).unwrap(), -1.0);
        assert_eq!(tand(225.0).unwrap(), 1.0);
        assert_eq!(tand(-45.0).unwrap(), -1.0);
        assert_eq!(tand(0.0).unwrap().to_string(), "0");
        assert_eq!(cotd(45.0).unwrap(), 1.0);
        assert_eq!(asind(0.5).unwrap(), 30.0);
        assert_eq!(acosd(0.5).unwrap(), 60.0);
        assert_eq!(acosd(-0.5).unwrap(), 120.0);
        assert_eq!(atand(1.0).unwrap(), 45.0);
        assert!(sind(f64::INFINITY).is_err());
        assert!(asind(2.0).is_err());
    }
}
