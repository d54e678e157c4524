//! `interval` values, stored as PostgreSQL interval text and printed by the
//! encoder in PostgreSQL's format: arithmetic (`pg_interval_add`,
//! `pg_interval_mul`), `timestamp - timestamp` (`pg_timestamp_diff`),
//! `age`, the `justify_*` functions and `make_date`.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rusqlite::Connection;

use super::{error, pure};
use crate::sql::encode::datetime::{naive_of_usecs, parse_timestamp, Stamp, USECS_PER_DAY};
use crate::sql::encode::interval::Interval;

fn bad_interval(s: &str) -> rusqlite::Error {
    error(
        "22007",
        format!("invalid input syntax for type interval: \"{s}\""),
    )
}

fn out_of_range() -> rusqlite::Error {
    error("22008", "interval out of range")
}

pub(super) fn interval(s: &str) -> rusqlite::Result<Interval> {
    Interval::parse(s).ok_or_else(|| bad_interval(s))
}

/// A timestamp argument as a calendar date-time (zone offsets applied: UTC).
pub(super) fn timestamp(s: &str) -> rusqlite::Result<NaiveDateTime> {
    let bad = || {
        error(
            "22007",
            format!("invalid input syntax for type timestamp: \"{s}\""),
        )
    };
    match parse_timestamp(s, true).ok_or_else(bad)? {
        Stamp::At(us) => naive_of_usecs(us).ok_or_else(bad),
        _ => Err(error("22008", "timestamp out of range")),
    }
}

/// A time of day argument, in microseconds since midnight.
fn time(s: &str) -> rusqlite::Result<i64> {
    crate::sql::encode::datetime::parse_time(s).ok_or_else(|| {
        error(
            "22007",
            format!("invalid input syntax for type time: \"{s}\""),
        )
    })
}

fn time_text(usecs: i64) -> String {
    let mut out = bytes::BytesMut::with_capacity(15);
    crate::sql::encode::datetime::write_time(&mut out, usecs);
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn add(a: Interval, b: Interval) -> rusqlite::Result<Interval> {
    Ok(Interval {
        months: a.months.checked_add(b.months).ok_or_else(out_of_range)?,
        days: a.days.checked_add(b.days).ok_or_else(out_of_range)?,
        usecs: a.usecs.checked_add(b.usecs).ok_or_else(out_of_range)?,
    })
}

/// `interval * factor` as PostgreSQL's interval_mul: fractional months
/// spill into days (30 per month), fractional days into time.
pub(super) fn mul(a: Interval, f: f64) -> rusqlite::Result<Interval> {
    let months = a.months as f64 * f;
    let whole_months = months.trunc();
    let days = a.days as f64 * f + (months - whole_months) * 30.0;
    let whole_days = days.trunc();
    let usecs = a.usecs as f64 * f + (days - whole_days) * USECS_PER_DAY as f64;
    let fits = |v: f64, max: f64| v.is_finite() && v.abs() < max;
    if !fits(whole_months, i32::MAX as f64)
        || !fits(whole_days, i32::MAX as f64)
        || !fits(usecs, 9.2e18)
    {
        return Err(out_of_range());
    }
    Ok(Interval {
        months: whole_months as i32,
        days: whole_days as i32,
        usecs: usecs.round() as i64,
    })
}

/// `ts + iv` as PostgreSQL adds an interval to a timestamp.
pub(super) fn plus_interval(ts: NaiveDateTime, iv: Interval) -> Option<NaiveDateTime> {
    let months = chrono::Months::new(iv.months.unsigned_abs());
    let ts = if iv.months >= 0 {
        ts.checked_add_months(months)?
    } else {
        ts.checked_sub_months(months)?
    };
    ts.checked_add_signed(chrono::TimeDelta::days(i64::from(iv.days)))?
        .checked_add_signed(chrono::TimeDelta::microseconds(iv.usecs))
}

fn justify_hours(a: Interval) -> Interval {
    let mut days = a.days as i64 + a.usecs / USECS_PER_DAY;
    let mut usecs = a.usecs % USECS_PER_DAY;
    if days > 0 && usecs < 0 {
        usecs += USECS_PER_DAY;
        days -= 1;
    } else if days < 0 && usecs > 0 {
        usecs -= USECS_PER_DAY;
        days += 1;
    }
    Interval {
        months: a.months,
        days: days.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        usecs,
    }
}

fn justify_days(a: Interval) -> Interval {
    let mut months = a.months + a.days / 30;
    let mut days = a.days % 30;
    if months > 0 && days < 0 {
        days += 30;
        months -= 1;
    } else if months < 0 && days > 0 {
        days -= 30;
        months += 1;
    }
    Interval {
        months,
        days,
        usecs: a.usecs,
    }
}

/// PostgreSQL's interval_justify_interval: whole days out of the time,
/// whole months out of the days, then every part given one sign (months
/// first, so `1 mon -1 hour` is `29 days 23:00:00`).
fn justify_interval(a: Interval) -> Interval {
    let usecs = a.usecs % USECS_PER_DAY;
    let days = a.days as i64 + a.usecs / USECS_PER_DAY;
    let mut months = a.months as i64 + days / 30;
    let mut days = days % 30;
    if months > 0 && (days < 0 || (days == 0 && usecs < 0)) {
        days += 30;
        months -= 1;
    } else if months < 0 && (days > 0 || (days == 0 && usecs > 0)) {
        days -= 30;
        months += 1;
    }
    justify_hours(Interval {
        months: months.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        days: days as i32,
        usecs,
    })
}

/// `timestamp - timestamp`: days and time, never months (interval_justify_hours).
fn diff(a: NaiveDateTime, b: NaiveDateTime) -> rusqlite::Result<Interval> {
    let us = (a - b).num_microseconds().ok_or_else(out_of_range)?;
    Ok(justify_hours(Interval {
        months: 0,
        days: 0,
        usecs: us,
    }))
}

fn days_in_month(year: i32, month: u32) -> i64 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(30, |d| d.day() as i64)
}

/// `age(a, b)`: symbolic years, months and days, as PostgreSQL's
/// timestamp_age.
fn age(a: NaiveDateTime, b: NaiveDateTime) -> Interval {
    let (hi, lo, neg) = if a >= b { (a, b, false) } else { (b, a, true) };
    let mut usecs = (hi.time() - lo.time()).num_microseconds().unwrap_or(0);
    let mut days = hi.day() as i64 - lo.day() as i64;
    let mut months = hi.month() as i64 - lo.month() as i64;
    let mut years = hi.year() as i64 - lo.year() as i64;
    if usecs < 0 {
        usecs += USECS_PER_DAY;
        days -= 1;
    }
    // Borrow the length of the earlier timestamp's month, as timestamp_age does.
    while days < 0 {
        days += days_in_month(lo.year(), lo.month());
        months -= 1;
    }
    if months < 0 {
        months += 12;
        years -= 1;
    }
    let total_months = (years * 12 + months) as i32;
    let iv = Interval {
        months: total_months,
        days: days as i32,
        usecs,
    };
    if neg {
        Interval {
            months: -iv.months,
            days: -iv.days,
            usecs: -iv.usecs,
        }
    } else {
        iv
    }
}

/// One field of an interval as PostgreSQL's `interval_part` computes it
/// (years are months / 12, an epoch counts a year as 365.25 days and a
/// month as 30); `None` for a field intervals do not have.
pub(crate) fn interval_part(field: &str, iv: Interval) -> Option<f64> {
    const US_PER_SEC: f64 = 1e6;
    let years = i64::from(iv.months / 12);
    let in_minute = iv.usecs % 60_000_000;
    Some(match field {
        "microsecond" | "microseconds" => in_minute as f64,
        "millisecond" | "milliseconds" => in_minute as f64 / 1e3,
        "second" | "seconds" => in_minute as f64 / US_PER_SEC,
        "minute" | "minutes" => ((iv.usecs / 60_000_000) % 60) as f64,
        "hour" | "hours" => (iv.usecs / 3_600_000_000) as f64,
        "day" | "days" => f64::from(iv.days),
        "month" | "months" => f64::from(iv.months % 12),
        "quarter" => f64::from((iv.months % 12) / 3 + 1),
        "year" | "years" => years as f64,
        "decade" | "decades" => (years / 10) as f64,
        "century" | "centuries" => (years / 100) as f64,
        "millennium" | "millennia" => (years / 1000) as f64,
        "epoch" => {
            iv.usecs as f64 / US_PER_SEC
                + years as f64 * 365.25 * 86_400.0
                + f64::from(iv.months % 12) * 30.0 * 86_400.0
                + f64::from(iv.days) * 86_400.0
        }
        _ => return None,
    })
}

/// `date_trunc(unit, interval)`: the fields below `unit` set to zero, as
/// PostgreSQL splits an interval (years and months, days, then the time).
pub(crate) fn interval_trunc(unit: &str, iv: Interval) -> Option<Interval> {
    const HOUR: i64 = 3_600_000_000;
    const MINUTE: i64 = 60_000_000;
    const SECOND: i64 = 1_000_000;
    let keep_months = |step: i32| Interval {
        months: iv.months / step * step,
        days: 0,
        usecs: 0,
    };
    let keep_usecs = |step: i64| Interval {
        usecs: iv.usecs / step * step,
        ..iv
    };
    Some(match unit {
        "millennium" | "millennia" => keep_months(12_000),
        "century" | "centuries" => keep_months(1_200),
        "decade" | "decades" => keep_months(120),
        "year" | "years" => keep_months(12),
        "quarter" => Interval {
            months: iv.months / 12 * 12 + iv.months % 12 / 3 * 3,
            ..keep_months(1)
        },
        "month" | "months" => keep_months(1),
        "day" | "days" => Interval { usecs: 0, ..iv },
        "hour" | "hours" => keep_usecs(HOUR),
        "minute" | "minutes" => keep_usecs(MINUTE),
        "second" | "seconds" => keep_usecs(SECOND),
        "millisecond" | "milliseconds" => keep_usecs(1_000),
        "microsecond" | "microseconds" => iv,
        _ => return None,
    })
}

/// `N` integer fields then seconds (make_interval, make_timestamp); `None`
/// when one is NULL.
fn fields<const N: usize>(
    ctx: &rusqlite::functions::Context<'_>,
) -> rusqlite::Result<Option<([i64; N], f64)>> {
    let mut whole = [0i64; N];
    for (i, w) in whole.iter_mut().enumerate() {
        match ctx.get::<Option<i64>>(i)? {
            Some(v) => *w = v,
            None => return Ok(None),
        }
    }
    Ok(ctx.get::<Option<f64>>(N)?.map(|secs| (whole, secs)))
}

fn text(ctx: &rusqlite::functions::Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    ctx.get::<Option<String>>(i)
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for (name, negate) in [("pg_interval_add", false), ("pg_interval_sub", true)] {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            let (Some(a), Some(b)) = (text(ctx, 0)?, text(ctx, 1)?) else {
                return Ok(None);
            };
            let b = interval(&b)?;
            let b = if negate { mul(b, -1.0)? } else { b };
            Ok(Some(add(interval(&a)?, b)?.to_text()))
        })?;
    }
    conn.create_scalar_function("pg_interval_mul", 2, pure(), |ctx| {
        let (Some(a), Some(f)) = (text(ctx, 0)?, ctx.get::<Option<f64>>(1)?) else {
            return Ok(None);
        };
        Ok(Some(mul(interval(&a)?, f)?.to_text()))
    })?;
    conn.create_scalar_function("pg_interval_div", 2, pure(), |ctx| {
        let (Some(a), Some(f)) = (text(ctx, 0)?, ctx.get::<Option<f64>>(1)?) else {
            return Ok(None);
        };
        if f == 0.0 {
            return Err(error("22012", "division by zero"));
        }
        Ok(Some(mul(interval(&a)?, 1.0 / f)?.to_text()))
    })?;
    conn.create_scalar_function("pg_interval", 1, pure(), |ctx| {
        Ok(match text(ctx, 0)? {
            Some(s) => Some(interval(&s)?.to_text()),
            None => None,
        })
    })?;
    // pg_interval_part(field, x): NULL when x is not interval text, so a
    // value of unknown type can fall back to the timestamp reading.
    conn.create_scalar_function("pg_interval_part", 2, pure(), |ctx| {
        let (Some(field), Some(x)) = (text(ctx, 0)?, text(ctx, 1)?) else {
            return Ok(None);
        };
        let Some(iv) = Interval::parse(&x) else {
            return Ok(None);
        };
        match interval_part(&field, iv) {
            Some(v) if v.fract() == 0.0 && v.abs() < 9e15 => {
                Ok(Some(rusqlite::types::Value::Integer(v as i64)))
            }
            Some(v) => Ok(Some(rusqlite::types::Value::Real(v))),
            None => Err(error(
                "0A000",
                format!("unit \"{field}\" not supported for type interval"),
            )),
        }
    })?;
    // isfinite(date | timestamp | interval): infinite dates are stored as
    // the words; PostgreSQL 15's intervals are always finite.
    conn.create_scalar_function("isfinite", 1, pure(), |ctx| {
        Ok(text(ctx, 0)?.map(|x| {
            let x = x.trim();
            !(x.eq_ignore_ascii_case("infinity") || x.eq_ignore_ascii_case("-infinity"))
        }))
    })?;
    conn.create_scalar_function("pg_interval_trunc", 2, pure(), |ctx| {
        let (Some(unit), Some(x)) = (text(ctx, 0)?, text(ctx, 1)?) else {
            return Ok(None);
        };
        let iv = Interval::parse(&x).ok_or_else(|| {
            error(
                "22007",
                format!("invalid input syntax for type interval: \"{x}\""),
            )
        })?;
        let unit = unit.to_ascii_lowercase();
        match interval_trunc(&unit, iv) {
            Some(iv) => Ok(Some(iv.to_text())),
            None => Err(error(
                "0A000",
                format!("unit \"{unit}\" not supported for type interval"),
            )),
        }
    })?;
    type Justify = fn(Interval) -> Interval;
    let justify: [(&str, Justify); 3] = [
        ("justify_hours", justify_hours),
        ("justify_days", justify_days),
        ("justify_interval", justify_interval),
    ];
    for (name, f) in justify {
        conn.create_scalar_function(name, 1, pure(), move |ctx| {
            Ok(match text(ctx, 0)? {
                Some(s) => Some(f(interval(&s)?).to_text()),
                None => None,
            })
        })?;
    }
    // timestamp +/- interval for an interval computed at run time
    // (`ts + interval '1 hour' * n`, `ts - ($1 || ' days')::interval`):
    // months first (clamped to the month's last day), then days, then time,
    // as PostgreSQL's timestamp_pl_interval.
    for (name, negate) in [("pg_timestamp_add", false), ("pg_timestamp_sub", true)] {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            let (Some(ts), Some(iv)) = (text(ctx, 0)?, text(ctx, 1)?) else {
                return Ok(None);
            };
            let iv = interval(&iv)?;
            let iv = if negate { mul(iv, -1.0)? } else { iv };
            let out = plus_interval(timestamp(&ts)?, iv)
                .ok_or_else(|| error("22008", "timestamp out of range"))?;
            Ok(Some(out.format("%Y-%m-%d %H:%M:%S%.f").to_string()))
        })?;
    }
    // interval comparison as PostgreSQL's interval_cmp: by the length with
    // 30-day months and 24-hour days.
    conn.create_scalar_function("pg_interval_cmp", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (text(ctx, 0)?, text(ctx, 1)?) else {
            return Ok(None);
        };
        let span = |i: Interval| {
            (i128::from(i.months) * 30 + i128::from(i.days)) * i128::from(USECS_PER_DAY)
                + i128::from(i.usecs)
        };
        Ok(Some(span(interval(&a)?).cmp(&span(interval(&b)?)) as i64))
    })?;
    // time +/- interval (its time part only, wrapping at midnight, as
    // PostgreSQL's time_pl_interval) and time - time (an interval).
    for (name, negate) in [("pg_time_add", false), ("pg_time_sub", true)] {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            let (Some(t), Some(iv)) = (text(ctx, 0)?, text(ctx, 1)?) else {
                return Ok(None);
            };
            let usecs = time(&t)?;
            let step = interval(&iv)?.usecs % USECS_PER_DAY;
            let out = (usecs + if negate { -step } else { step }).rem_euclid(USECS_PER_DAY);
            Ok(Some(time_text(out)))
        })?;
    }
    conn.create_scalar_function("pg_time_diff", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (text(ctx, 0)?, text(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(
            Interval {
                months: 0,
                days: 0,
                usecs: time(&a)? - time(&b)?,
            }
            .to_text(),
        ))
    })?;
    // date_bin(stride, source, origin): the start of the stride-wide bin
    // (counted from origin) that holds source.
    conn.create_scalar_function("date_bin", 3, pure(), |ctx| {
        let (Some(stride), Some(source), Some(origin)) =
            (text(ctx, 0)?, text(ctx, 1)?, text(ctx, 2)?)
        else {
            return Ok(None);
        };
        let stride = interval(&stride)?;
        if stride.months != 0 {
            return Err(error(
                "22023",
                "timestamps cannot be binned into intervals containing months or years",
            ));
        }
        let step = i64::from(stride.days) * USECS_PER_DAY + stride.usecs;
        if step <= 0 {
            return Err(error("22023", "stride must be greater than zero"));
        }
        let (source, origin) = (timestamp(&source)?, timestamp(&origin)?);
        let since = (source - origin)
            .num_microseconds()
            .ok_or_else(|| error("22008", "timestamp out of range"))?;
        let bin = origin
            .checked_add_signed(chrono::TimeDelta::microseconds(
                since.div_euclid(step) * step,
            ))
            .ok_or_else(|| error("22008", "timestamp out of range"))?;
        Ok(Some(bin.format("%Y-%m-%d %H:%M:%S%.f").to_string()))
    })?;
    // make_interval's seven fields (the translator fills the defaults).
    conn.create_scalar_function("pg_make_interval", 7, pure(), |ctx| {
        let Some(([years, months, weeks, days, hours, mins], secs)) = fields(ctx)? else {
            return Ok(None);
        };
        let fits = |v: i64| i32::try_from(v).map_err(|_| out_of_range());
        let usecs = (hours as f64 * 3600.0 + mins as f64 * 60.0 + secs) * 1e6;
        if !usecs.is_finite() || usecs.abs() > 9.2e18 {
            return Err(out_of_range());
        }
        Ok(Some(
            Interval {
                months: fits(years * 12 + months)?,
                days: fits(weeks * 7 + days)?,
                usecs: usecs.round() as i64,
            }
            .to_text(),
        ))
    })?;
    // make_timestamp(y, mo, d, h, mi, s) and make_timestamptz (in UTC).
    for name in ["make_timestamp", "make_timestamptz"] {
        conn.create_scalar_function(name, 6, pure(), |ctx| {
            let Some(([y, mo, d, h, mi], secs)) = fields(ctx)? else {
                return Ok(None);
            };
            let bad = || {
                error(
                    "22008",
                    format!("date field value out of range: {y}-{mo:02}-{d:02}"),
                )
            };
            let date = NaiveDate::from_ymd_opt(
                i32::try_from(y).map_err(|_| bad())?,
                u32::try_from(mo).map_err(|_| bad())?,
                u32::try_from(d).map_err(|_| bad())?,
            )
            .ok_or_else(bad)?;
            let field = || {
                error(
                    "22008",
                    format!("time field value out of range: {h:02}:{mi:02}:{secs}"),
                )
            };
            if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0.0..60.0).contains(&secs) {
                return Err(field());
            }
            let usecs = (secs * 1e6).round() as i64;
            let ts = date
                .and_hms_opt(h as u32, mi as u32, 0)
                .ok_or_else(field)?
                .checked_add_signed(chrono::TimeDelta::microseconds(usecs))
                .ok_or_else(field)?;
            Ok(Some(ts.format("%Y-%m-%d %H:%M:%S%.f").to_string()))
        })?;
    }
    conn.create_scalar_function("pg_timestamp_diff", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (text(ctx, 0)?, text(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(diff(timestamp(&a)?, timestamp(&b)?)?.to_text()))
    })?;
    conn.create_scalar_function("age", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (text(ctx, 0)?, text(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(age(timestamp(&a)?, timestamp(&b)?).to_text()))
    })?;
    // age(ts): from midnight of today (UTC), as PostgreSQL's current_date.
    conn.create_scalar_function(
        "age",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8,
        |ctx| {
            let Some(a) = text(ctx, 0)? else {
                return Ok(None);
            };
            let today = chrono::Utc::now()
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .expect("midnight");
            Ok(Some(age(today, timestamp(&a)?).to_text()))
        },
    )?;
    conn.create_scalar_function("make_date", 3, pure(), |ctx| {
        let (Some(y), Some(m), Some(d)) = (
            ctx.get::<Option<i64>>(0)?,
            ctx.get::<Option<i64>>(1)?,
            ctx.get::<Option<i64>>(2)?,
        ) else {
            return Ok(None);
        };
        let date = i32::try_from(y)
            .ok()
            .zip(u32::try_from(m).ok().zip(u32::try_from(d).ok()))
            .and_then(|(y, (m, d))| NaiveDate::from_ymd_opt(y, m, d))
            .ok_or_else(|| {
                error(
                    "22008",
                    format!("date field value out of range: {y}-{m:02}-{d:02}"),
                )
            })?;
        Ok(Some(date.format("%Y-%m-%d").to_string()))
    })?;
    conn.create_scalar_function("make_time", 3, pure(), |ctx| {
        let (Some(h), Some(mi), Some(secs)) = (
            ctx.get::<Option<i64>>(0)?,
            ctx.get::<Option<i64>>(1)?,
            ctx.get::<Option<f64>>(2)?,
        ) else {
            return Ok(None);
        };
        // 24:00:00 is a time of day too, as in PostgreSQL.
        let whole_day = h == 24 && mi == 0 && secs == 0.0;
        if !whole_day
            && (!(0..24).contains(&h) || !(0..60).contains(&mi) || !(0.0..60.0).contains(&secs))
        {
            return Err(error(
                "22008",
                format!("time field value out of range: {h:02}:{mi:02}:{secs:02}"),
            ));
        }
        let usecs = (secs * 1e6).round() as i64;
        let (s, frac) = (usecs / 1_000_000, usecs % 1_000_000);
        let mut out = format!("{h:02}:{mi:02}:{s:02}");
        if frac != 0 {
            let f = format!(".{frac:06}");
            out.push_str(f.trim_end_matches('0'));
        }
        Ok(Some(out))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> NaiveDateTime {
        timestamp(s).unwrap()
    }

    #[test]
    fn as_postgres_computes_them() {
        assert_eq!(
            age(ts("2024-05-17"), ts("2020-01-01")).to_text(),
            "4 years 4 mons 16 days"
        );
        assert_eq!(
            age(ts("2024-05-17 10:00"), ts("2024-05-17 08:30")).to_text(),
            "01:30:00"
        );
        assert_eq!(
            age(ts("2024-03-01"), ts("2024-01-31")).to_text(),
            "1 mon 1 day"
        );
        assert_eq!(
            diff(ts("2024-01-03"), ts("2024-01-01")).unwrap().to_text(),
            "2 days"
        );
        assert_eq!(
            diff(ts("2024-01-01"), ts("2024-01-02 02:00"))
                .unwrap()
                .to_text(),
            "-1 days -02:00:00"
        );
        let iv = |s| interval(s).unwrap();
        assert_eq!(mul(iv("1 day"), 3.0).unwrap().to_text(), "3 days");
        assert_eq!(mul(iv("1 mon"), 1.5).unwrap().to_text(), "1 mon 15 days");
        assert_eq!(
            add(iv("1 hour"), iv("30 minutes")).unwrap().to_text(),
            "01:30:00"
        );
        assert_eq!(justify_hours(iv("27 hours")).to_text(), "1 day 03:00:00");
        assert_eq!(justify_days(iv("35 days")).to_text(), "1 mon 5 days");
    }
}
