//! Binary-format parameters (the inverse of PostgreSQL's `*send`).

use bytes::BytesMut;
use rusqlite::types::Value;

use super::text::{ascii, float_value, numeric_value, time_value, timestamp_value};
use super::{array, utf8, DecodeError};
use crate::sql::encode::datetime::{self, Stamp};
use crate::sql::encode::interval::Interval;
use crate::sql::encode::numeric::Numeric;
use crate::sql::encode::scalar::uuid_string;
use crate::sql::pgtype::PgType;

/// Exactly `N` bytes, or PG's protocol errors for too few / too many.
fn fixed<const N: usize>(raw: &[u8]) -> Result<[u8; N], DecodeError> {
    if raw.len() < N {
        return Err(DecodeError::short());
    }
    <[u8; N]>::try_from(raw).map_err(|_| DecodeError::bad_binary())
}

pub(super) fn decode(raw: &[u8], ty: PgType) -> Result<Value, DecodeError> {
    Ok(match ty {
        PgType::Text
        | PgType::Varchar
        | PgType::Bpchar
        | PgType::Name
        | PgType::Char
        | PgType::Unknown
        | PgType::Json => Value::Text(utf8(raw)?.to_owned()),
        PgType::Void => Value::Null,
        PgType::Tsvector | PgType::Tsquery => {
            return Err(DecodeError {
                code: "0A000",
                message: format!("binary input of type {} is not supported", ty.name()),
            })
        }
        PgType::Jsonb => match raw.split_first() {
            Some((1, rest)) => Value::Text(utf8(rest)?.to_owned()),
            Some(_) => {
                return Err(DecodeError {
                    code: "22P02",
                    message: "unsupported jsonb version number".into(),
                })
            }
            None => return Err(DecodeError::short()),
        },
        PgType::Bool => Value::Integer((fixed::<1>(raw)?[0] != 0) as i64),
        PgType::Int2 => Value::Integer(i16::from_be_bytes(fixed(raw)?).into()),
        PgType::Int4 => Value::Integer(i32::from_be_bytes(fixed(raw)?).into()),
        PgType::Int8 => Value::Integer(i64::from_be_bytes(fixed(raw)?)),
        PgType::Oid => Value::Integer(u32::from_be_bytes(fixed(raw)?).into()),
        PgType::Float4 => float_value(f64::from(f32::from_be_bytes(fixed(raw)?))),
        PgType::Float8 => float_value(f64::from_be_bytes(fixed(raw)?)),
        PgType::Numeric => {
            numeric_value(Numeric::from_binary(raw).ok_or_else(DecodeError::bad_binary)?)
        }
        PgType::Bytea => Value::Blob(raw.to_vec()),
        PgType::Uuid => Value::Text(uuid_string(&fixed(raw)?)),
        PgType::Inet | PgType::Cidr | PgType::Macaddr | PgType::Point | PgType::Range(_) => {
            Value::Text(
                crate::sql::textual::read_binary(ty, raw).ok_or_else(DecodeError::bad_binary)?,
            )
        }
        PgType::Date => {
            let days = i32::from_be_bytes(fixed(raw)?);
            let d = match days {
                i32::MIN => Stamp::NegInf,
                i32::MAX => Stamp::PosInf,
                n => Stamp::At(datetime::date_of_days(n).ok_or_else(|| out_of_range(ty))?),
            };
            let mut b = BytesMut::new();
            datetime::write_date(&mut b, d);
            Value::Text(ascii(b))
        }
        PgType::Time => {
            let us = i64::from_be_bytes(fixed(raw)?);
            if !(0..=datetime::USECS_PER_DAY).contains(&us) {
                return Err(out_of_range(ty));
            }
            time_value(us)
        }
        PgType::Timestamp | PgType::Timestamptz => {
            let ts = match i64::from_be_bytes(fixed(raw)?) {
                i64::MIN => Stamp::NegInf,
                i64::MAX => Stamp::PosInf,
                us => Stamp::At(us),
            };
            timestamp_value(ts).ok_or_else(|| out_of_range(ty))?
        }
        PgType::Interval => {
            let b: [u8; 16] = fixed(raw)?;
            let iv = Interval {
                usecs: i64::from_be_bytes(b[..8].try_into().unwrap_or_default()),
                days: i32::from_be_bytes(b[8..12].try_into().unwrap_or_default()),
                months: i32::from_be_bytes(b[12..].try_into().unwrap_or_default()),
            };
            Value::Text(iv.to_text())
        }
        PgType::Array(elem) => Value::Text(array::from_binary(raw, elem)?),
    })
}

fn out_of_range(ty: PgType) -> DecodeError {
    DecodeError {
        code: "22008",
        message: format!("{} out of range", crate::sql::encode::sql_name(ty)),
    }
}
