//! Text-format output. Never fails: a value that does not fit the column
//! type prints its own SQLite text form.

use bytes::{BufMut, BytesMut};
use rusqlite::types::ValueRef;

use super::datetime::{self, Stamp, USECS_PER_DAY, USECS_PER_SEC};
use super::float::{write_f32, write_f64};
use super::interval::Interval;
use super::numeric::Numeric;
use super::scalar::{parse_bool, parse_uuid, write_bytea_hex, write_uuid};
use super::{array, json};
use crate::sql::pgtype::PgType;

/// Writes `v` (not NULL) in `ty`'s text format, without the length prefix.
pub(super) fn write(out: &mut BytesMut, v: ValueRef<'_>, ty: PgType) {
    match v {
        ValueRef::Null => {}
        ValueRef::Integer(i) => write_integer(out, i, ty),
        ValueRef::Real(f) => write_real(out, f, ty),
        ValueRef::Text(t) => write_text(out, t, ty),
        ValueRef::Blob(b) => write_blob(out, b, ty),
    }
}

fn put_i64(out: &mut BytesMut, i: i64) {
    out.put_slice(itoa::Buffer::new().format(i).as_bytes());
}

fn put_bool(out: &mut BytesMut, b: bool) {
    out.put_u8(if b { b't' } else { b'f' });
}

fn write_integer(out: &mut BytesMut, i: i64, ty: PgType) {
    match ty {
        PgType::Bool => put_bool(out, i != 0),
        PgType::Float4 => write_f32(out, i as f32),
        PgType::Float8 => write_f64(out, i as f64),
        PgType::Void => {}
        PgType::Date => match datetime::usecs_of_unix(i) {
            Some(us) => {
                let days = us.div_euclid(USECS_PER_DAY);
                match i32::try_from(days).ok().and_then(datetime::date_of_days) {
                    Some(d) => datetime::write_date(out, Stamp::At(d)),
                    None => put_i64(out, i),
                }
            }
            None => put_i64(out, i),
        },
        PgType::Timestamp | PgType::Timestamptz => {
            let with_zone = ty == PgType::Timestamptz;
            let ok = datetime::usecs_of_unix(i)
                .is_some_and(|us| datetime::write_timestamp(out, Stamp::At(us), with_zone));
            if !ok {
                put_i64(out, i);
            }
        }
        PgType::Time if (0..=86_400).contains(&i) => datetime::write_time(out, i * USECS_PER_SEC),
        PgType::Interval => match Interval::from_secs(i) {
            Some(iv) => iv.write_text(out),
            None => put_i64(out, i),
        },
        _ => put_i64(out, i),
    }
}

fn write_real(out: &mut BytesMut, f: f64, ty: PgType) {
    match ty {
        PgType::Bool => put_bool(out, f != 0.0),
        // An integral REAL in an integer column (e.g. from arithmetic)
        // prints as the integer the client expects.
        PgType::Int2 | PgType::Int4 | PgType::Int8 | PgType::Oid
            if f.fract() == 0.0 && f.abs() < 9.2e18 =>
        {
            put_i64(out, f as i64)
        }
        PgType::Float4 => write_f32(out, f as f32),
        PgType::Numeric => Numeric::from_f64_decimal(f).write_text(out),
        PgType::Void => {}
        PgType::Timestamp | PgType::Timestamptz => {
            let with_zone = ty == PgType::Timestamptz;
            let ok = datetime::usecs_of_unix_f64(f)
                .is_some_and(|us| datetime::write_timestamp(out, Stamp::At(us), with_zone));
            if !ok {
                write_f64(out, f);
            }
        }
        PgType::Time if (0.0..=86_400.0).contains(&f) => {
            datetime::write_time(out, (f * 1e6).round() as i64)
        }
        PgType::Interval => match Interval::from_secs_f64(f) {
            Some(iv) => iv.write_text(out),
            None => write_f64(out, f),
        },
        _ => write_f64(out, f),
    }
}

fn write_text(out: &mut BytesMut, t: &[u8], ty: PgType) {
    // Common case first: textual columns copy bytes straight through.
    if ty.is_textual() && ty != PgType::Jsonb {
        out.put_slice(t);
        return;
    }
    let s = std::str::from_utf8(t).ok();
    let done = match ty {
        PgType::Bool => parse_bool(t).map(|b| put_bool(out, b)).is_some(),
        PgType::Bytea => {
            write_bytea_hex(out, t);
            true
        }
        PgType::Uuid => parse_uuid(t).map(|u| write_uuid(out, &u)).is_some(),
        PgType::Date => s
            .and_then(datetime::parse_date)
            .map(|d| datetime::write_date(out, d))
            .is_some(),
        PgType::Time => s
            .and_then(datetime::parse_time)
            .map(|us| datetime::write_time(out, us))
            .is_some(),
        PgType::Timestamp | PgType::Timestamptz => {
            let with_zone = ty == PgType::Timestamptz;
            s.and_then(|s| datetime::parse_timestamp(s, with_zone))
                .is_some_and(|ts| datetime::write_timestamp(out, ts, with_zone))
        }
        PgType::Interval => s
            .and_then(Interval::parse)
            .map(|iv| iv.write_text(out))
            .is_some(),
        PgType::Jsonb => s
            .and_then(json::parse)
            .map(|j| {
                let mut text = String::with_capacity(t.len() + 8);
                json::write_jsonb(&mut text, &j);
                out.put_slice(text.as_bytes());
            })
            .is_some(),
        PgType::Array(elem) => s.is_some_and(|s| array::write_text(out, s, elem, None)),
        PgType::Void => true,
        _ => false,
    };
    if !done {
        out.put_slice(t);
    }
}

fn write_blob(out: &mut BytesMut, b: &[u8], ty: PgType) {
    match ty {
        PgType::Uuid if b.len() == 16 => {
            let mut u = [0u8; 16];
            u.copy_from_slice(b);
            write_uuid(out, &u);
        }
        PgType::Void => {}
        // Bytes that are text anyway pass through; anything else is shown as
        // bytea so a text-format client never receives invalid UTF-8.
        PgType::Bytea => write_bytea_hex(out, b),
        _ if std::str::from_utf8(b).is_ok() => out.put_slice(b),
        _ => write_bytea_hex(out, b),
    }
}
