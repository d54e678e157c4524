//! Text-format parameters, parsed with PostgreSQL's input syntax.

use bytes::BytesMut;
use rusqlite::types::Value;

use super::{array, DecodeError};
use crate::sql::encode::datetime::{self, Stamp};
use crate::sql::encode::interval::Interval;
use crate::sql::encode::json;
use crate::sql::encode::numeric::Numeric;
use crate::sql::encode::scalar::{parse_bool, parse_uuid, uuid_string};
use crate::sql::pgtype::PgType;

pub(super) fn decode(s: &str, ty: PgType) -> Result<Value, DecodeError> {
    let invalid = || DecodeError::invalid(ty, s);
    Ok(match ty {
        PgType::Text
        | PgType::Varchar
        | PgType::Bpchar
        | PgType::Name
        | PgType::Char
        | PgType::Unknown
        | PgType::Tsvector
        | PgType::Tsquery
        | PgType::Void => Value::Text(s.to_owned()),
        PgType::Json | PgType::Jsonb => {
            // PG's message names no value here (it goes in the DETAIL).
            json::parse(s).ok_or_else(|| DecodeError {
                code: "22P02",
                message: "invalid input syntax for type json".into(),
            })?;
            Value::Text(s.to_owned())
        }
        PgType::Bool => Value::Integer(parse_bool(s.as_bytes()).ok_or_else(invalid)? as i64),
        PgType::Int2 => Value::Integer(int(s, ty, i16::MIN.into(), i16::MAX.into())?),
        PgType::Int4 => Value::Integer(int(s, ty, i32::MIN.into(), i32::MAX.into())?),
        PgType::Int8 => Value::Integer(int(s, ty, i64::MIN, i64::MAX)?),
        PgType::Oid => Value::Integer(int(s, ty, i32::MIN.into(), u32::MAX.into())? & 0xFFFF_FFFF),
        PgType::Float8 => float_value(float(s, ty)?),
        // The float4 PostgreSQL keeps (see `column_input`).
        PgType::Float4 => float_value(f64::from(float(s, ty)? as f32)),
        PgType::Numeric => numeric_value(Numeric::parse(s).ok_or_else(invalid)?),
        PgType::Bytea => Value::Blob(bytea(s).ok_or_else(invalid)?),
        PgType::Uuid => Value::Text(uuid_string(&parse_uuid(s.as_bytes()).ok_or_else(invalid)?)),
        PgType::Date => {
            let d = datetime::parse_date(s).ok_or_else(|| datetime_error(s, ty))?;
            let mut b = BytesMut::new();
            datetime::write_date(&mut b, d);
            Value::Text(ascii(b))
        }
        PgType::Time => {
            let us = datetime::parse_time(s).ok_or_else(|| datetime_error(s, ty))?;
            time_value(us)
        }
        PgType::Timestamp | PgType::Timestamptz => {
            let ts = if ty == PgType::Timestamptz {
                datetime::parse_timestamptz_input(s)
            } else {
                datetime::parse_timestamp(s, false)
            }
            .ok_or_else(|| datetime_error(s, ty))?;
            timestamp_value(ts).ok_or_else(|| DecodeError::out_of_range(ty, s))?
        }
        PgType::Interval => Value::Text(Interval::parse(s).ok_or_else(invalid)?.to_text()),
        PgType::Inet | PgType::Cidr | PgType::Macaddr | PgType::Point | PgType::Range(_) => {
            match crate::sql::textual::normalize(ty, s) {
                Some(Ok(text)) => Value::Text(text),
                Some(Err(message)) => {
                    return Err(DecodeError {
                        code: crate::sql::textual::code_of(&message),
                        message,
                    })
                }
                None => return Err(invalid()),
            }
        }
        PgType::Array(elem) => Value::Text(array::from_literal(s, elem)?),
    })
}

/// PG reports a well-formed but impossible date (`2024-02-30`, month 13)
/// as out of range and anything else as a syntax error.
fn datetime_error(s: &str, ty: PgType) -> DecodeError {
    use crate::sql::encode::datetime_input::{decode, Fault};
    if decode(s) == Err(Fault::Range) {
        DecodeError::out_of_range(ty, s)
    } else {
        DecodeError::invalid(ty, s)
    }
}

/// Output of our own ASCII-only writers.
pub(super) fn ascii(b: BytesMut) -> String {
    String::from_utf8_lossy(&b).into_owned()
}

pub(super) fn time_value(us: i64) -> Value {
    let mut b = BytesMut::new();
    datetime::write_time(&mut b, us);
    Value::Text(ascii(b))
}

/// Stored form: UTC, no zone suffix. `None` if outside the calendar range.
pub(crate) fn timestamp_value(ts: Stamp<i64>) -> Option<Value> {
    let mut b = BytesMut::new();
    datetime::write_timestamp(&mut b, ts, false).then(|| Value::Text(ascii(b)))
}

fn int(s: &str, ty: PgType, min: i64, max: i64) -> Result<i64, DecodeError> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DecodeError::invalid(ty, s));
    }
    match t.parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(DecodeError::out_of_range(ty, s)),
    }
}

fn float(s: &str, ty: PgType) -> Result<f64, DecodeError> {
    let t = s.trim();
    let v: f64 = t.parse().map_err(|_| DecodeError::invalid(ty, s))?;
    let mantissa = t.split(['e', 'E']).next().unwrap_or("");
    let written_inf = t.to_ascii_lowercase().contains("inf");
    let nonzero = mantissa.bytes().any(|c| (b'1'..=b'9').contains(&c));
    let (overflow, underflow) = if ty == PgType::Float4 {
        let f = v as f32;
        (f.is_infinite() && !written_inf, f == 0.0 && nonzero)
    } else {
        (v.is_infinite() && !written_inf, v == 0.0 && nonzero)
    };
    if overflow || underflow {
        return Err(DecodeError::out_of_range(ty, s));
    }
    Ok(v)
}

/// A float to store. SQLite stores a NaN REAL as NULL, so NaN is kept as
/// the text `NaN` (which, as in PostgreSQL, sorts above every number).
pub(super) fn float_value(f: f64) -> Value {
    if f.is_nan() {
        Value::Text("NaN".into())
    } else {
        Value::Real(f)
    }
}

/// See the module docs for why each storage class is chosen.
pub(super) fn numeric_value(n: Numeric) -> Value {
    match n {
        Numeric::NaN => Value::Text("NaN".into()),
        Numeric::PosInf => Value::Real(f64::INFINITY),
        Numeric::NegInf => Value::Real(f64::NEG_INFINITY),
        Numeric::Finite(d) => {
            if let Some(i) = d.to_i64() {
                return Value::Integer(i);
            }
            let text = Numeric::Finite(d.clone()).to_text();
            if d.significant_digits() <= 15 {
                if let Ok(f) = text.parse::<f64>() {
                    return Value::Real(f);
                }
            }
            Value::Text(text)
        }
    }
}

/// `byteain`: `\x` hex (whitespace allowed between pairs) or the escape
/// format (`\\`, `\ooo` octal, other bytes literal).
pub(crate) fn bytea(s: &str) -> Option<Vec<u8>> {
    if let Some(hex) = s.strip_prefix("\\x").or_else(|| s.strip_prefix("\\X")) {
        let mut out = Vec::with_capacity(hex.len() / 2);
        let mut it = hex.bytes().filter(|c| !c.is_ascii_whitespace());
        while let Some(hi) = it.next() {
            let lo = it.next()?;
            let d = |c: u8| (c as char).to_digit(16);
            out.push((d(hi)? << 4 | d(lo)?) as u8);
        }
        return Some(out);
    }
    bytea_escape(s)
}

/// The escape format of `byteain` (and of `decode(text, 'escape')`): `\\`
/// is a backslash, `\ooo` an octal byte (000-377), other bytes literal.
pub(crate) fn bytea_escape(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else {
            let oct = b.get(i + 1..i + 4)?;
            let ok = (b'0'..=b'3').contains(&oct[0])
                && oct[1..].iter().all(|c| (b'0'..=b'7').contains(c));
            if !ok {
                return None;
            }
            out.push(
                oct.iter()
                    .fold(0u8, |acc, c| acc.wrapping_mul(8) + (c - b'0')),
            );
            i += 4;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytea_formats() {
        assert_eq!(bytea("\\x00ff10").unwrap(), vec![0, 255, 16]);
        assert_eq!(bytea("\\x 00 ff").unwrap(), vec![0, 255]);
        assert_eq!(bytea("a\\\\b\\001").unwrap(), b"a\\b\x01".to_vec());
        assert!(bytea("\\x0").is_none());
        assert!(bytea("\\xzz").is_none());
        assert!(bytea("\\9").is_none());
    }
}
