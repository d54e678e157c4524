//! Binary-format output (PostgreSQL's `*send` functions). A stored value
//! that cannot be read as the column type is an error here: the client
//! decodes by OID and would misread whatever bytes we sent.

use bytes::{BufMut, BytesMut};
use rusqlite::types::ValueRef;

use super::datetime::{self, Stamp, USECS_PER_SEC};
use super::interval::Interval;
use super::numeric::Numeric;
use super::scalar::{parse_bool, parse_i64, parse_uuid};
use super::{array, text, EncodeError};
use crate::sql::pgtype::PgType;

/// Writes `v` (not NULL) in `ty`'s binary format, without the length prefix.
pub(super) fn write(out: &mut BytesMut, v: ValueRef<'_>, ty: PgType) -> Result<(), EncodeError> {
    match ty {
        PgType::Bool => out.put_u8(bool_of(v)? as u8),
        PgType::Int2 => out.put_i16(int_in_range(v, ty, i16::MIN.into(), i16::MAX.into())? as i16),
        PgType::Int4 => out.put_i32(int_in_range(v, ty, i32::MIN.into(), i32::MAX.into())? as i32),
        PgType::Int8 => out.put_i64(int_of(v, ty)?),
        // oid is unsigned; clients also send negative i32 spellings of it.
        PgType::Oid => out.put_u32(int_in_range(v, ty, i32::MIN.into(), u32::MAX.into())? as u32),
        PgType::Float4 => out.put_f32(float_of(v, ty)? as f32),
        PgType::Float8 => out.put_f64(float_of(v, ty)?),
        PgType::Numeric => numeric_of(v)?.write_binary(out),
        PgType::Jsonb => {
            // jsonb_send: format version 1, then the canonical text.
            out.put_u8(1);
            text::write(out, v, ty);
        }
        PgType::Bytea => match v {
            ValueRef::Blob(b) | ValueRef::Text(b) => out.put_slice(b),
            _ => text::write(out, v, PgType::Text),
        },
        PgType::Uuid => out.put_slice(&uuid_of(v)?),
        PgType::Inet | PgType::Cidr | PgType::Macaddr | PgType::Point | PgType::Range(_) => {
            let text = std::str::from_utf8(raw_of(&v)).unwrap_or_default();
            crate::sql::textual::write_binary(out, ty, text)
                .ok_or_else(|| invalid_display(ty, v))?
        }
        PgType::Date => match date_of(v)? {
            Stamp::NegInf => out.put_i32(i32::MIN),
            Stamp::PosInf => out.put_i32(i32::MAX),
            Stamp::At(d) => out.put_i32(datetime::days_of(d)),
        },
        PgType::Time => out.put_i64(time_of(v)?),
        PgType::Timestamp | PgType::Timestamptz => match timestamp_of(v, ty)? {
            Stamp::NegInf => out.put_i64(i64::MIN),
            Stamp::PosInf => out.put_i64(i64::MAX),
            Stamp::At(us) => out.put_i64(us),
        },
        PgType::Interval => {
            let iv = interval_of(v)?;
            out.put_i64(iv.usecs);
            out.put_i32(iv.days);
            out.put_i32(iv.months);
        }
        PgType::Array(elem) => array::write_binary(out, v, elem, None)?,
        PgType::Void => {}
        PgType::Tsvector | PgType::Tsquery => {
            let stored = String::from_utf8_lossy(raw_of(&v));
            crate::backend::sqlite::pgfuncs::textsearch::write_binary(
                &stored,
                ty == PgType::Tsvector,
                out,
            )
            .map_err(|message| EncodeError {
                code: "22P02",
                message,
            })?
        }
        // "char" is one byte in binary (charsend): the empty value, which
        // its text form prints as nothing (pg_attribute.attidentity), is 0.
        PgType::Char if raw_of(&v).is_empty() => out.put_u8(0),
        // Textual types: binary and text formats are the same bytes.
        PgType::Text
        | PgType::Varchar
        | PgType::Bpchar
        | PgType::Name
        | PgType::Char
        | PgType::Json
        | PgType::Unknown => text::write(out, v, ty),
    }
    Ok(())
}

fn raw_of<'a>(v: &ValueRef<'a>) -> &'a [u8] {
    match *v {
        ValueRef::Text(t) | ValueRef::Blob(t) => t,
        _ => b"",
    }
}

fn bool_of(v: ValueRef<'_>) -> Result<bool, EncodeError> {
    match v {
        ValueRef::Integer(i) => Ok(i != 0),
        ValueRef::Real(f) => Ok(f != 0.0),
        _ => parse_bool(raw_of(&v)).ok_or_else(|| EncodeError::invalid(PgType::Bool, raw_of(&v))),
    }
}

/// Any stored form of an integer: INTEGER, an integral REAL (rounded half
/// to even, as PG's float-to-int casts do), or decimal TEXT.
pub(super) fn int_of(v: ValueRef<'_>, ty: PgType) -> Result<i64, EncodeError> {
    match v {
        ValueRef::Integer(i) => Ok(i),
        ValueRef::Real(f) => {
            let r = f.round_ties_even();
            if r.is_nan() {
                Err(EncodeError::invalid(ty, b"NaN"))
            } else if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
                Ok(r as i64)
            } else {
                Err(EncodeError::out_of_range(ty))
            }
        }
        _ => {
            let raw = raw_of(&v);
            parse_i64(raw).ok_or_else(|| {
                // A well-formed number that overflows is a range error.
                if Numeric::parse(&String::from_utf8_lossy(raw))
                    .is_some_and(|n| matches!(n, Numeric::Finite(d) if d.frac.is_empty()))
                {
                    EncodeError::out_of_range(ty)
                } else {
                    EncodeError::invalid(ty, raw)
                }
            })
        }
    }
}

fn int_in_range(v: ValueRef<'_>, ty: PgType, min: i64, max: i64) -> Result<i64, EncodeError> {
    let i = int_of(v, ty)?;
    if (min..=max).contains(&i) {
        Ok(i)
    } else {
        Err(EncodeError::out_of_range(ty))
    }
}

pub(super) fn float_of(v: ValueRef<'_>, ty: PgType) -> Result<f64, EncodeError> {
    match v {
        ValueRef::Integer(i) => Ok(i as f64),
        ValueRef::Real(f) => Ok(f),
        _ => {
            let raw = raw_of(&v);
            std::str::from_utf8(raw)
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .ok_or_else(|| EncodeError::invalid(ty, raw))
        }
    }
}

pub(super) fn numeric_of(v: ValueRef<'_>) -> Result<Numeric, EncodeError> {
    match v {
        ValueRef::Integer(i) => Ok(Numeric::from_i64(i)),
        ValueRef::Real(f) => Ok(Numeric::from_f64_decimal(f)),
        _ => {
            let raw = raw_of(&v);
            std::str::from_utf8(raw)
                .ok()
                .and_then(Numeric::parse)
                .ok_or_else(|| EncodeError::invalid(PgType::Numeric, raw))
        }
    }
}

fn uuid_of(v: ValueRef<'_>) -> Result<[u8; 16], EncodeError> {
    if let ValueRef::Blob(b) = v {
        if let Ok(u) = <[u8; 16]>::try_from(b) {
            return Ok(u);
        }
    }
    let raw = raw_of(&v);
    parse_uuid(raw).ok_or_else(|| invalid_display(PgType::Uuid, v))
}

/// Error naming the value as SQLite would print it.
fn invalid_display(ty: PgType, v: ValueRef<'_>) -> EncodeError {
    match v {
        ValueRef::Integer(i) => EncodeError::invalid(ty, i.to_string().as_bytes()),
        ValueRef::Real(f) => EncodeError::invalid(ty, f.to_string().as_bytes()),
        _ => EncodeError::invalid(ty, raw_of(&v)),
    }
}

fn text_of<'a>(v: &ValueRef<'a>) -> Option<&'a str> {
    match *v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok(),
        _ => None,
    }
}

fn date_of(v: ValueRef<'_>) -> Result<Stamp<chrono::NaiveDate>, EncodeError> {
    let parsed = match v {
        ValueRef::Integer(_) | ValueRef::Real(_) => match timestamp_of(v, PgType::Timestamp)? {
            Stamp::At(us) => i32::try_from(us.div_euclid(datetime::USECS_PER_DAY))
                .ok()
                .and_then(datetime::date_of_days)
                .map(Stamp::At),
            Stamp::NegInf => Some(Stamp::NegInf),
            Stamp::PosInf => Some(Stamp::PosInf),
        },
        _ => text_of(&v).and_then(datetime::parse_date),
    };
    parsed.ok_or_else(|| invalid_display(PgType::Date, v))
}

fn time_of(v: ValueRef<'_>) -> Result<i64, EncodeError> {
    let parsed = match v {
        ValueRef::Integer(i) if (0..=86_400).contains(&i) => Some(i * USECS_PER_SEC),
        ValueRef::Real(f) if (0.0..=86_400.0).contains(&f) => Some((f * 1e6).round() as i64),
        _ => text_of(&v).and_then(datetime::parse_time),
    };
    parsed.ok_or_else(|| invalid_display(PgType::Time, v))
}

fn timestamp_of(v: ValueRef<'_>, ty: PgType) -> Result<Stamp<i64>, EncodeError> {
    let parsed = match v {
        ValueRef::Integer(i) => datetime::usecs_of_unix(i).map(Stamp::At),
        ValueRef::Real(f) => datetime::usecs_of_unix_f64(f).map(Stamp::At),
        _ => text_of(&v).and_then(|s| datetime::parse_timestamp(s, ty == PgType::Timestamptz)),
    };
    parsed.ok_or_else(|| invalid_display(ty, v))
}

fn interval_of(v: ValueRef<'_>) -> Result<Interval, EncodeError> {
    let parsed = match v {
        ValueRef::Integer(i) => Interval::from_secs(i),
        ValueRef::Real(f) => Interval::from_secs_f64(f),
        _ => text_of(&v).and_then(Interval::parse),
    };
    parsed.ok_or_else(|| invalid_display(PgType::Interval, v))
}
