//! `x AT TIME ZONE zone` and `timezone(zone, x)`: a timestamptz becomes the
//! wall-clock time in `zone` (a timestamp); a timestamp is read as wall-clock
//! time in `zone` and becomes a timestamptz, in the form timestamptz values
//! are stored in (UTC, no offset: it compares equal to the same instant in
//! a column). Zones are IANA names (any case) or UTC/GMT/Z.
//!
//! `pg_at_time_zone(value, zone, with_zone)`: `with_zone` is what the
//! translator knew of the value's type (1 timestamptz, 0 timestamp), or NULL
//! when it did not: then a stored zone (`+02`) says timestamptz.

use bytes::BytesMut;
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use crate::sql::pgtype::PgType;
use crate::sql::zone::SessionZone;

use super::{error, pure};
use crate::sql::encode::datetime::{
    has_zone, naive_of_usecs, parse_timestamp, write_timestamp, Stamp, USECS_PER_SEC,
};

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    // (x) of a known timestamptz, (x, type) when the type is known when it runs.
    for n in [1, 2] {
        conn.create_scalar_function("pg_tz_local", n, pure(), |ctx| {
            shifted(ctx, local_of_stored)
        })?;
    }
    conn.create_scalar_function("pg_tz_offset", 1, pure(), |ctx| {
        let Some(text) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        match parse_timestamp(&text, true).ok_or_else(|| invalid(&text))? {
            Stamp::At(us) => crate::sql::zone::current()
                .offset_at_usecs(us)
                .map(|o| Some(i64::from(o)))
                .ok_or_else(|| invalid(&text)),
            _ => Ok(Some(0)),
        }
    })?;
    conn.create_scalar_function("pg_tz_utc", 2, pure(), |ctx| {
        shifted(ctx, |text, _| {
            let stamp = crate::sql::encode::datetime::parse_timestamptz_input(text)
                .ok_or_else(|| invalid(text))?;
            Ok(print(stamp))
        })
    })?;
    conn.create_scalar_function("pg_at_time_zone", 3, pure(), |ctx| {
        let (Some(value), Some(zone)) =
            (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let declared = match ctx.get_raw(2) {
            ValueRef::Integer(k) => Some(k != 0),
            ValueRef::Text(_) => column_has_zone(ctx)?,
            _ => None,
        };
        let with_zone = match declared {
            Some(known) => known,
            None => has_zone(&value).ok_or_else(|| invalid(&value))?,
        };
        at_time_zone(&value, &zone, with_zone).map(Some)
    })
}

/// Whether the column named `'table.column'` by the third argument is a
/// timestamptz (`None`: not a timestamp column, or not found). Looked up
/// once per statement: SQLite keeps it with the constant argument.
fn column_has_zone(ctx: &Context<'_>) -> rusqlite::Result<Option<bool>> {
    if let Some(known) = ctx.get_aux::<Option<bool>>(2)? {
        return Ok(*known);
    }
    let reference: String = ctx.get(2)?;
    let found = match reference.split_once('.') {
        Some((table, column)) => {
            // SAFETY: a read of the schema during the call.
            let conn = unsafe { ctx.get_connection()? };
            match crate::backend::sqlite::exec::declared_type(&conn, table, column) {
                Some(PgType::Timestamptz) => Some(true),
                Some(PgType::Timestamp | PgType::Date) => Some(false),
                _ => None,
            }
        }
        None => None,
    };
    ctx.set_aux(2, found)?;
    Ok(found)
}

fn invalid(value: &str) -> rusqlite::Error {
    error(
        "22007",
        format!("invalid input syntax for type timestamp: \"{value}\""),
    )
}

/// The named zone, or None for UTC.
fn zone(name: &str) -> rusqlite::Result<Option<Tz>> {
    let n = name.trim();
    if ["utc", "gmt", "z", "zulu", "etc/utc", "universal"]
        .iter()
        .any(|u| n.eq_ignore_ascii_case(u))
    {
        return Ok(None);
    }
    if let Ok(tz) = n.parse::<Tz>() {
        return Ok(Some(tz));
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(n))
        .map(|tz| Some(*tz))
        .ok_or_else(|| error("22023", format!("time zone \"{name}\" not recognized")))
}

fn at_time_zone(value: &str, zone_name: &str, with_zone: bool) -> rusqlite::Result<String> {
    let tz = zone(zone_name)?;
    let stamp = parse_timestamp(value, with_zone).ok_or_else(|| invalid(value))?;
    let Stamp::At(us) = stamp else {
        // Infinities stay infinite.
        return Ok(print(stamp));
    };
    let naive = naive_of_usecs(us).ok_or_else(|| invalid(value))?;
    let shift = match tz {
        None => 0,
        Some(tz) if with_zone => offset_secs_at_utc(&tz, &naive),
        Some(tz) => -offset_secs_at_local(&tz, &naive),
    };
    Ok(print(Stamp::At(us + shift * USECS_PER_SEC)))
}

/// The zone's offset from UTC at a UTC instant.
fn offset_secs_at_utc(tz: &Tz, utc: &NaiveDateTime) -> i64 {
    SessionZone::Named(*tz).offset_at_utc(utc) as i64
}

/// The zone's offset for a wall-clock time (see [`SessionZone::offset_at_local`]).
fn offset_secs_at_local(tz: &Tz, local: &NaiveDateTime) -> i64 {
    SessionZone::Named(*tz).offset_at_local(local) as i64
}

/// `x` through `shift` when it is a timestamptz (a second argument names
/// the type) and the session's zone is not UTC; else `x` as it is.
fn shifted(
    ctx: &Context<'_>,
    shift: impl Fn(&str, SessionZone) -> rusqlite::Result<String>,
) -> rusqlite::Result<rusqlite::types::Value> {
    let zone = crate::sql::zone::current();
    let is_tz = ctx.len() < 2
        || matches!(ctx.get_raw(1), ValueRef::Text(t) if t == PgType::Timestamptz.name().as_bytes());
    match ctx.get_raw(0) {
        ValueRef::Text(t) if is_tz && !zone.is_utc() => Ok(rusqlite::types::Value::Text(shift(
            &String::from_utf8_lossy(t),
            zone,
        )?)),
        _ => ctx.get(0),
    }
}

/// `pg_tz_local(x)`: a stored timestamptz (UTC) as the wall-clock time of
/// the session's zone, in timestamp storage form: what its casts to date,
/// time and timestamp, date_trunc, extract and to_char read.
fn local_of_stored(value: &str, zone: SessionZone) -> rusqlite::Result<String> {
    let stamp = parse_timestamp(value, true).ok_or_else(|| invalid(value))?;
    let Stamp::At(us) = stamp else {
        return Ok(print(stamp));
    };
    let offset = zone.offset_at_usecs(us).ok_or_else(|| invalid(value))?;
    Ok(print(Stamp::At(us + i64::from(offset) * USECS_PER_SEC)))
}

fn print(stamp: Stamp<i64>) -> String {
    let mut out = BytesMut::with_capacity(40);
    write_timestamp(&mut out, stamp, false);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::at_time_zone;

    #[test]
    fn converts_both_ways_with_daylight_saving() {
        // Summer in New York: UTC-4.
        assert_eq!(
            at_time_zone("2024-07-01 12:00:00+00", "America/New_York", true).unwrap(),
            "2024-07-01 08:00:00"
        );
        assert_eq!(
            at_time_zone("2024-07-01 08:00:00", "america/new_york", false).unwrap(),
            "2024-07-01 12:00:00"
        );
        // Winter: UTC-5; a stored offset is applied first.
        assert_eq!(
            at_time_zone("2024-01-01 12:00:00+02", "America/New_York", true).unwrap(),
            "2024-01-01 05:00:00"
        );
        assert_eq!(
            at_time_zone("2024-01-01 12:00:00", "UTC", false).unwrap(),
            "2024-01-01 12:00:00"
        );
        assert!(at_time_zone("2024-01-01 12:00:00", "Mars/Olympus", false).is_err());
    }
}
