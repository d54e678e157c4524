//! SQLite values to PostgreSQL DataRow fields, in text or binary format.
//!
//! Text format reproduces PostgreSQL 15's output functions with default
//! settings (DateStyle ISO, extra_float_digits 1, bytea_output hex, TimeZone
//! UTC). A stored value that does not fit the column type prints its own
//! SQLite text in text format, and is an error in binary format, where the
//! client would otherwise misread the bytes.

pub(crate) mod array;
mod binary;
pub(crate) mod datetime;
pub(crate) mod datetime_input;
pub(crate) mod float;
pub(crate) mod interval;
pub(crate) mod json;
pub(crate) mod numeric;
pub(crate) mod scalar;
mod text;

use bytes::{BufMut, BytesMut};
use rusqlite::types::ValueRef;

use super::pgtype::PgType;

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct EncodeError {
    /// SQLSTATE to report to the client.
    pub code: &'static str,
    pub message: String,
}

impl EncodeError {
    /// The stored value cannot be read as `ty` (PG's input-syntax error).
    pub(crate) fn invalid(ty: PgType, raw: &[u8]) -> EncodeError {
        EncodeError {
            code: invalid_code(ty),
            message: format!(
                "invalid input syntax for type {}: \"{}\"",
                sql_name(ty),
                String::from_utf8_lossy(raw)
            ),
        }
    }

    pub(crate) fn out_of_range(ty: PgType) -> EncodeError {
        EncodeError {
            code: "22003",
            message: format!("{} out of range", sql_name(ty)),
        }
    }
}

/// SQLSTATE for malformed input of `ty`: datetime types have their own.
pub(crate) fn invalid_code(ty: PgType) -> &'static str {
    match ty {
        PgType::Date | PgType::Time | PgType::Timestamp | PgType::Timestamptz => "22007",
        _ => "22P02",
    }
}

/// The type name PostgreSQL uses in input-syntax error messages.
pub(crate) fn sql_name(ty: PgType) -> &'static str {
    match ty {
        PgType::Bool => "boolean",
        PgType::Int2 => "smallint",
        PgType::Int4 => "integer",
        PgType::Int8 => "bigint",
        PgType::Float4 => "real",
        PgType::Float8 => "double precision",
        PgType::Time => "time",
        PgType::Timestamptz => "timestamp with time zone",
        PgType::Jsonb => "json",
        PgType::Varchar => "character varying",
        PgType::Bpchar => "character",
        other => other.name(),
    }
}

/// Appends one DataRow field for `v` as type `ty`: the 4-byte big-endian length then the bytes,
/// or length -1 for NULL. `binary` selects PostgreSQL's binary format, else text format.
pub fn encode_field(
    buf: &mut BytesMut,
    v: ValueRef<'_>,
    ty: PgType,
    binary: bool,
) -> Result<(), EncodeError> {
    if let ValueRef::Null = v {
        buf.put_i32(-1);
        return Ok(());
    }
    let start = buf.len();
    // Length placeholder, patched once the value is written in place.
    buf.put_i32(0);
    let written = if binary {
        binary::write(buf, v, ty)
    } else {
        integer_in_range(v, ty).map(|()| text::write(buf, v, ty))
    };
    let len = written.and_then(|()| {
        i32::try_from(buf.len() - start - 4).map_err(|_| EncodeError {
            code: "54000",
            message: "field value exceeds the 1 GB protocol limit".into(),
        })
    });
    match len {
        Ok(len) => {
            buf[start..start + 4].copy_from_slice(&len.to_be_bytes());
            Ok(())
        }
        Err(e) => {
            // Leave the row buffer as it was so the caller can report the error.
            buf.truncate(start);
            Err(e)
        }
    }
}

/// An integer result outside its type's range is PostgreSQL's overflow
/// error (22003): SQLite computes `2147483647 + 1` in 64 bits, and turns a
/// 64-bit overflow into a float. Other values print as they are.
fn integer_in_range(v: ValueRef<'_>, ty: PgType) -> Result<(), EncodeError> {
    let (min, max) = match ty {
        PgType::Int2 => (i16::MIN as i64, i16::MAX as i64),
        PgType::Int4 => (i32::MIN as i64, i32::MAX as i64),
        PgType::Int8 => (i64::MIN, i64::MAX),
        _ => return Ok(()),
    };
    let fits = match v {
        ValueRef::Integer(i) => (min..=max).contains(&i),
        // 2^63 and beyond: where SQLite's integer arithmetic overflowed.
        ValueRef::Real(f) => f.abs() < 9_223_372_036_854_775_808.0,
        _ => true,
    };
    if fits {
        Ok(())
    } else {
        Err(EncodeError::out_of_range(ty))
    }
}

/// A `numeric(p, s)` column's value with exactly `scale` fraction digits
/// (text or binary), as PostgreSQL stores it. Text values (kept exact) are
/// rescaled too.
/// Set on a result column's scale when the column is `coalesce(x, 0)`: a
/// zero prints as `0`, the literal PostgreSQL returns when `x` was NULL
/// (any other value prints with the scale, as `x` does).
pub const SCALE_ZERO_PLAIN: u16 = 0x8000;

/// Set on a result column's scale when the expression fixes only the
/// fewest digits (`cost * price`, `cost` an unconstrained numeric): the
/// value prints with its own, padded to that many.
pub const SCALE_AT_LEAST: u16 = 0x4000;

pub fn encode_numeric_scaled(
    buf: &mut BytesMut,
    v: ValueRef<'_>,
    scale: u16,
    binary: bool,
) -> Result<(), EncodeError> {
    let zero_plain = scale & SCALE_ZERO_PLAIN != 0;
    let at_least = scale & SCALE_AT_LEAST != 0;
    let scale = scale & !(SCALE_ZERO_PLAIN | SCALE_AT_LEAST);
    let n = match binary::numeric_of(v) {
        Ok(_) if zero_plain && matches!(v, ValueRef::Integer(0)) => {
            return encode_field(buf, v, PgType::Numeric, binary)
        }
        Ok(n) if at_least => n.with_min_scale(scale as usize),
        Ok(n) => n.with_scale(scale as usize),
        // Not a number after all (SQLite stores what it is given): as is.
        Err(_) => return encode_field(buf, v, PgType::Numeric, binary),
    };
    let start = buf.len();
    buf.put_i32(0);
    if binary {
        n.write_binary(buf);
    } else {
        n.write_text(buf);
    }
    let len = (buf.len() - start - 4) as i32;
    buf[start..start + 4].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// A `numeric[]` result whose elements print with one display scale
/// (`array_agg(amount)` of a `numeric(10,2)` column: `{10.50,20.00}`;
/// the stored JSON keeps SQLite's `10.5`).
pub fn encode_numeric_array_scaled(
    buf: &mut BytesMut,
    v: ValueRef<'_>,
    scale: u16,
    binary: bool,
) -> Result<(), EncodeError> {
    let elem = super::pgtype::ArrayElem::Numeric;
    let ValueRef::Text(t) = v else {
        return encode_field(buf, v, PgType::Array(elem), binary);
    };
    let start = buf.len();
    buf.put_i32(0);
    if binary {
        if let Err(e) = array::write_binary(buf, v, elem, Some(scale)) {
            buf.truncate(start);
            return Err(e);
        }
    } else {
        let written =
            std::str::from_utf8(t).is_ok_and(|s| array::write_text(buf, s, elem, Some(scale)));
        if !written {
            buf.put_slice(t);
        }
    }
    let len = (buf.len() - start - 4) as i32;
    buf[start..start + 4].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// `v` (not NULL) as PostgreSQL's output function for `ty` prints it, with
/// `scale` fraction digits for a numeric column that declares one.
pub fn output_text(v: ValueRef<'_>, ty: PgType, scale: Option<u16>) -> Result<String, EncodeError> {
    let mut buf = BytesMut::new();
    match (ty, scale) {
        (PgType::Numeric, Some(s)) => encode_numeric_scaled(&mut buf, v, s, false)?,
        _ => encode_field(&mut buf, v, ty, false)?,
    }
    Ok(String::from_utf8_lossy(buf.get(4..).unwrap_or_default()).into_owned())
}

/// For a column with no known type: choose the PgType from the SQLite storage class of a value
/// (Integer -> Int8, Real -> Float8, Text -> Text, Blob -> Bytea, Null -> Text).
pub fn type_of_value(v: ValueRef<'_>) -> PgType {
    match v {
        ValueRef::Integer(_) => PgType::Int8,
        ValueRef::Real(_) => PgType::Float8,
        ValueRef::Blob(_) => PgType::Bytea,
        ValueRef::Text(_) | ValueRef::Null => PgType::Text,
    }
}

#[cfg(test)]
mod tests;
