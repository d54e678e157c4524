//! Types stored as their canonical text: `inet`, `cidr`, `macaddr` and
//! `point`. Input is checked and normalized once, where a value is written
//! or a literal is read (`'08002B010203'` is stored `08:00:2b:01:02:03`),
//! so the text form copies straight out, equality is text equality, and
//! only the binary format and the types' functions parse it again.

pub mod inet;
pub mod macaddr;
pub mod point;
pub mod range;

use bytes::BytesMut;

use crate::sql::pgtype::PgType;

/// `s` in the type's canonical text; `Err` carries PostgreSQL's message.
/// (Use [`code_of`] for its SQLSTATE.)
pub fn normalize(ty: PgType, s: &str) -> Option<Result<String, String>> {
    Some(match ty {
        PgType::Inet => inet::Inet::parse(s, false).map(|a| a.to_string()),
        PgType::Cidr => inet::Inet::parse(s, true).map(|a| a.to_string()),
        PgType::Macaddr => macaddr::parse(s)
            .map(|m| macaddr::format(&m))
            .ok_or_else(|| invalid(ty, s)),
        PgType::Point => point::parse(s)
            .map(point::format)
            .ok_or_else(|| invalid(ty, s)),
        PgType::Range(kind) => range::Range::parse(s, kind).map(|r| r.to_string()),
        _ => return None,
    })
}

/// The SQLSTATE of a [`normalize`] message: a range with its bounds the
/// wrong way round is a data exception (22000), any other an input
/// syntax error (22P02).
pub fn code_of(message: &str) -> &'static str {
    if message.starts_with(range::BOUNDS_REVERSED) {
        "22000"
    } else {
        "22P02"
    }
}

fn invalid(ty: PgType, s: &str) -> String {
    format!("invalid input syntax for type {}: \"{s}\"", ty.name())
}

/// The binary send form of a stored value; `None` when it does not parse.
pub fn write_binary(out: &mut BytesMut, ty: PgType, s: &str) -> Option<()> {
    match ty {
        PgType::Inet | PgType::Cidr => inet::Inet::parse(s, ty == PgType::Cidr)
            .ok()?
            .write_binary(out, ty == PgType::Cidr),
        PgType::Macaddr => out.extend_from_slice(&macaddr::parse(s)?),
        PgType::Point => {
            let (x, y) = point::parse(s)?;
            out.extend_from_slice(&x.to_be_bytes());
            out.extend_from_slice(&y.to_be_bytes());
        }
        PgType::Range(kind) => range::Range::parse(s, kind).ok()?.write_binary(out)?,
        _ => return None,
    }
    Some(())
}

/// A binary parameter read into the canonical text (`None`: malformed).
pub fn read_binary(ty: PgType, raw: &[u8]) -> Option<String> {
    match ty {
        PgType::Inet | PgType::Cidr => inet::Inet::from_binary(raw).map(|a| a.to_string()),
        PgType::Macaddr => Some(macaddr::format(raw.try_into().ok()?)),
        PgType::Point => {
            let x = f64::from_be_bytes(raw.get(..8)?.try_into().ok()?);
            let y = f64::from_be_bytes(raw.get(8..16)?.try_into().ok()?);
            (raw.len() == 16).then(|| point::format((x, y)))
        }
        PgType::Range(kind) => range::read_binary(raw, kind),
        _ => None,
    }
}
