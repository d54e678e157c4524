//! Bind parameters (PostgreSQL text or binary format) to the SQLite values
//! pgtenant stores, following the storage conventions of `sql::encode`.
//!
//! Choices worth knowing:
//! - `numeric` becomes INTEGER when integral and within i64, REAL when it
//!   has at most 15 significant digits (what a REAL holds exactly, and what
//!   SQLite's NUMERIC affinity would make of the text anyway), and TEXT
//!   otherwise so no digits are lost; `NaN` is TEXT because SQLite turns a
//!   bound NaN into NULL.
//! - `float4` is stored as the f64 nearest the float's shortest decimal
//!   (binary 0.1f32 is stored as 0.1, not 0.10000000149011612), so it
//!   compares equal to the same literal written in SQL.
//! - Dates and times are stored as normalized ISO text, timestamptz in UTC
//!   without a suffix; intervals in PostgreSQL's output form; arrays as JSON.

pub(crate) mod array;
mod binary;
pub(crate) mod text;

use rusqlite::types::Value;

use super::encode::{invalid_code, sql_name};
use super::pgtype::PgType;

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    /// SQLSTATE to report to the client.
    pub code: &'static str,
    pub message: String,
}

impl DecodeError {
    pub(crate) fn invalid(ty: PgType, raw: &str) -> DecodeError {
        DecodeError {
            code: invalid_code(ty),
            message: format!("invalid input syntax for type {}: \"{raw}\"", sql_name(ty)),
        }
    }

    pub(crate) fn out_of_range(ty: PgType, raw: &str) -> DecodeError {
        let message = match ty {
            PgType::Float4 | PgType::Float8 => {
                format!("\"{raw}\" is out of range for type {}", sql_name(ty))
            }
            PgType::Date | PgType::Timestamp | PgType::Timestamptz | PgType::Time => {
                format!("date/time field value out of range: \"{raw}\"")
            }
            _ => format!("value \"{raw}\" is out of range for type {}", sql_name(ty)),
        };
        let code = match ty {
            PgType::Date | PgType::Timestamp | PgType::Timestamptz | PgType::Time => "22008",
            _ => "22003",
        };
        DecodeError { code, message }
    }

    /// Binary value shorter than its type needs (PG's wording).
    pub(crate) fn short() -> DecodeError {
        DecodeError {
            code: "08P01",
            message: "insufficient data left in message".into(),
        }
    }

    /// Binary value malformed or with bytes left over. The caller knows the
    /// parameter number and may append it, as PG does.
    pub(crate) fn bad_binary() -> DecodeError {
        DecodeError {
            code: "08P01",
            message: "incorrect binary data format in bind parameter".into(),
        }
    }
}

/// Decodes a Bind parameter (None = SQL NULL) sent as `ty` (PgType::Unknown when the client
/// did not say and nothing was inferred) in text or binary format into the SQLite value to bind,
/// following the storage conventions above.
/// An untyped literal compared with a column of type `ty`, read as
/// PostgreSQL reads it: as input for the column's type (`int_col = 'abc'`
/// is 22P02, `date_col = 'x'` 22007), in the stored form the comparison
/// needs (`' 42 '` is 42, a timestamptz its UTC text). `None` for the types
/// whose stored form is the text itself (text, varchar, enums, json, ...).
pub fn compared_literal(text: &str, ty: PgType) -> Option<Result<Value, DecodeError>> {
    (ty.is_numeric()
        || matches!(
            ty,
            PgType::Bool
                | PgType::Date
                | PgType::Time
                | PgType::Timestamp
                | PgType::Timestamptz
                | PgType::Uuid
                | PgType::Inet
                | PgType::Cidr
                | PgType::Macaddr
        ))
    .then(|| decode_param(Some(text.as_bytes()), ty, false))
    .filter(|read| read.is_ok() || !special_time_word(text, ty))
}

/// A date/time input word (`now`, `infinity`, `epoch`, ...) or text that
/// looks like a date or time: left to the comparison when not decoded here
/// rather than refused (PostgreSQL reads forms this decoder may not).
fn special_time_word(text: &str, ty: PgType) -> bool {
    matches!(
        ty,
        PgType::Date | PgType::Time | PgType::Timestamp | PgType::Timestamptz
    ) && (looks_datetime(text)
        || matches!(
            text.trim().to_ascii_lowercase().as_str(),
            "now"
                | "today"
                | "tomorrow"
                | "yesterday"
                | "epoch"
                | "infinity"
                | "-infinity"
                | "allballs"
        ))
}

pub fn decode_param(raw: Option<&[u8]>, ty: PgType, binary: bool) -> Result<Value, DecodeError> {
    let Some(raw) = raw else {
        return Ok(Value::Null);
    };
    if binary {
        binary::decode(raw, ty)
    } else {
        text::decode(utf8(raw)?, ty)
    }
}

/// Whether text has the shape of a date or a time (`YYYY-`, `HH:`): the
/// cheap test before reading an untyped literal as one.
pub fn looks_datetime(s: &str) -> bool {
    let b = s.trim_start().as_bytes();
    let digits = |n: usize| b.len() > n && b[..n].iter().all(u8::is_ascii_digit);
    digits(4) && b[4] == b'-' || digits(2) && b[2] == b':'
}

/// Whether text spells a boolean in words PostgreSQL reads (`t`, `false`,
/// `yes`, `off`, ...; digits left out: they are numbers first).
pub fn looks_bool(s: &str) -> bool {
    let t = s.trim();
    t.len() <= 5
        && [
            "t", "f", "true", "false", "y", "n", "yes", "no", "on", "off",
        ]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(t))
}

/// Text must be valid UTF-8 (the only server encoding we offer).
pub(crate) fn utf8(raw: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(raw).map_err(|e| {
        let at = e.valid_up_to();
        let len = e.error_len().unwrap_or(raw.len() - at).max(1);
        let bytes: Vec<String> = raw[at..(at + len).min(raw.len())]
            .iter()
            .map(|b| format!("0x{b:02x}"))
            .collect();
        DecodeError {
            code: "22021",
            message: format!(
                "invalid byte sequence for encoding \"UTF8\": {}",
                bytes.join(" ")
            ),
        }
    })
}

#[cfg(test)]
mod tests;
