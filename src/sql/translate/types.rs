//! PostgreSQL data types: which [`PgType`] a type name means, and how it is
//! declared in SQLite DDL.
//!
//! Declared types keep PostgreSQL names so `PgType::from_decl` recovers them
//! from SQLite's `decltype`; SQLite derives column affinity from the same name.

use super::ast::name_parts;
use super::error::other;
use super::TranslateError;
use crate::sql::pgtype::{ArrayElem, PgType};
use sqlparser::ast::{ArrayElemTypeDef, CharacterLength, DataType, ExactNumberInfo, TimezoneInfo};

/// The PostgreSQL type a data type names.
pub(super) fn pg_type(data_type: &DataType) -> Result<PgType, TranslateError> {
    use DataType as D;
    Ok(match data_type {
        D::Bool | D::Boolean => PgType::Bool,
        D::SmallInt(_) | D::Int2(_) => PgType::Int2,
        D::Int(_) | D::Integer(_) | D::Int4(_) | D::MediumInt(_) => PgType::Int4,
        D::BigInt(_) | D::Int8(_) => PgType::Int8,
        D::Real | D::Float4 => PgType::Float4,
        D::Float8 | D::DoublePrecision | D::Double(_) => PgType::Float8,
        D::Float(ExactNumberInfo::Precision(p)) if *p <= 24 => PgType::Float4,
        D::Float(_) => PgType::Float8,
        D::Numeric(_) | D::Decimal(_) | D::Dec(_) => PgType::Numeric,
        D::Text | D::String(_) | D::Clob(_) => PgType::Text,
        D::Varchar(_) | D::CharVarying(_) | D::CharacterVarying(_) | D::Nvarchar(_) => {
            PgType::Varchar
        }
        D::Char(_) | D::Character(_) => PgType::Bpchar,
        D::Bytea | D::Blob(_) => PgType::Bytea,
        D::Date => PgType::Date,
        D::Time(_, _) => PgType::Time,
        D::Timestamp(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => PgType::Timestamptz,
        D::Timestamp(_, _) | D::Datetime(_) => PgType::Timestamp,
        D::Interval { .. } => PgType::Interval,
        D::Uuid => PgType::Uuid,
        D::JSON => PgType::Json,
        D::JSONB => PgType::Jsonb,
        D::Regclass => PgType::Oid,
        D::TsVector => PgType::Tsvector,
        D::TsQuery => PgType::Tsquery,
        D::Array(ArrayElemTypeDef::SquareBracket(elem, _)) => array_of(elem)?,
        D::Custom(name, _) => custom(&name_parts(name))?,
        other_type => return Err(unknown_type(&other_type.to_string())),
    })
}

fn array_of(elem: &DataType) -> Result<PgType, TranslateError> {
    // An array of the tenant's enum: its labels, as a text array (the
    // statement checks the type exists: `enums::require_types`).
    if super::enums::user_type(elem).is_some() {
        return Ok(PgType::Array(ArrayElem::Text));
    }
    let scalar = pg_type(elem)?;
    let elem = match scalar {
        PgType::Bool => ArrayElem::Bool,
        PgType::Int2 => ArrayElem::Int2,
        PgType::Int4 => ArrayElem::Int4,
        PgType::Int8 => ArrayElem::Int8,
        PgType::Oid => ArrayElem::Oid,
        PgType::Float4 => ArrayElem::Float4,
        PgType::Float8 => ArrayElem::Float8,
        PgType::Numeric => ArrayElem::Numeric,
        PgType::Text | PgType::Bpchar => ArrayElem::Text,
        PgType::Name => ArrayElem::Name,
        PgType::Varchar => ArrayElem::Varchar,
        PgType::Uuid => ArrayElem::Uuid,
        PgType::Date => ArrayElem::Date,
        PgType::Timestamp => ArrayElem::Timestamp,
        PgType::Timestamptz => ArrayElem::Timestamptz,
        PgType::Json => ArrayElem::Json,
        PgType::Jsonb => ArrayElem::Jsonb,
        _ => {
            return Err(other(
                "0A000",
                format!("arrays of {} are not supported", scalar.name()),
            ))
        }
    };
    Ok(PgType::Array(elem))
}

/// Type names sqlparser leaves as `Custom` (serials, `timestamptz`, `int4`...).
fn custom(parts: &[String]) -> Result<PgType, TranslateError> {
    let name = match parts {
        [name] => name.as_str(),
        [schema, name] if schema == "pg_catalog" || schema == "public" => name.as_str(),
        _ => return Err(unknown_type(&parts.join("."))),
    };
    Ok(match name {
        "serial" | "serial4" => PgType::Int4,
        "smallserial" | "serial2" => PgType::Int2,
        "bigserial" | "serial8" => PgType::Int8,
        "timestamptz" => PgType::Timestamptz,
        "timetz" => PgType::Time,
        "bpchar" => PgType::Bpchar,
        "name" => PgType::Name,
        // A path is its text; the backend's functions parse it.
        "citext" | "regconfig" | "jsonpath" => PgType::Text,
        "tsvector" => PgType::Tsvector,
        "tsquery" => PgType::Tsquery,
        "oid" | "regtype" | "regproc" | "regclass" | "regnamespace" | "regrole"
        | "regprocedure" => PgType::Oid,
        "int2" | "int4" | "int8" | "float4" | "float8" | "bool" | "varchar" | "text" | "bytea"
        | "date" | "time" | "timestamp" | "interval" | "uuid" | "json" | "jsonb" | "numeric"
        | "decimal" | "inet" | "cidr" | "macaddr" | "point" | "int4range" | "int8range"
        | "numrange" | "daterange" | "tsrange" | "tstzrange" => PgType::from_decl(name),
        // PostgreSQL's money prints with the locale's currency sign: not
        // emulated (an enum-like passthrough would print the bare number).
        "money" => {
            return Err(super::error::unsupported(
                "type money (numeric(12,2) holds the same amounts)",
            ))
        }
        _ => return Err(unknown_type(name)),
    })
}

fn unknown_type(name: &str) -> TranslateError {
    other("42704", format!("type \"{name}\" does not exist"))
}

/// Whether a `Custom` type is one of the serial pseudo-types.
pub(super) fn is_serial(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Custom(name, _) if matches!(
        name_parts(name).last().map(String::as_str),
        Some("serial" | "serial4" | "smallserial" | "serial2" | "bigserial" | "serial8")
    ))
}

/// The declared type written into SQLite DDL for a PostgreSQL column type.
///
/// Length, precision and scale modifiers are kept (`varchar(20)`,
/// `numeric(10,2)`); arrays use PostgreSQL's internal `_elem` names because
/// SQLite would read `text[]` as a bracket-quoted identifier.
pub(super) fn declared_type(data_type: &DataType) -> Result<DataType, TranslateError> {
    let pg = pg_type(data_type)?;
    let modifiers = match data_type {
        DataType::Varchar(Some(len))
        | DataType::CharVarying(Some(len))
        | DataType::CharacterVarying(Some(len))
        | DataType::Char(Some(len))
        | DataType::Character(Some(len)) => match len {
            CharacterLength::IntegerLength { length, .. } => vec![length.to_string()],
            CharacterLength::Max => vec![],
        },
        DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info) => match info {
            ExactNumberInfo::None => vec![],
            ExactNumberInfo::Precision(p) => vec![p.to_string()],
            ExactNumberInfo::PrecisionAndScale(p, s) => vec![p.to_string(), s.to_string()],
        },
        // `timestamp(6)` (Rails' columns): the precision is the column's
        // typmod in pg_attribute and format_type.
        DataType::Timestamp(Some(p), _) | DataType::Time(Some(p), _) => vec![p.to_string()],
        // `numeric(6,2)[]` (as `_numeric(6,2)`): its elements are rounded
        // and print with the scale.
        DataType::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(elem, _))
            if matches!(
                **elem,
                DataType::Numeric(
                    ExactNumberInfo::PrecisionAndScale(..) | ExactNumberInfo::Precision(_)
                ) | DataType::Decimal(
                    ExactNumberInfo::PrecisionAndScale(..) | ExactNumberInfo::Precision(_)
                )
            ) =>
        {
            match declared_type(elem)? {
                DataType::Custom(_, modifiers) => modifiers,
                _ => vec![],
            }
        }
        _ => vec![],
    };
    let name = match pg {
        PgType::Bpchar => "char",
        PgType::Bool => "boolean",
        other_type => other_type.name(),
    };
    Ok(DataType::Custom(super::ast::object_name(name), modifiers))
}

/// The SQLite `CAST` target for a PostgreSQL scalar type, when a plain CAST
/// gives PostgreSQL's result.
pub(super) fn sqlite_cast_target(pg: PgType) -> Option<DataType> {
    match pg {
        PgType::Int2 | PgType::Int4 | PgType::Int8 | PgType::Oid => Some(DataType::Integer(None)),
        PgType::Float4 | PgType::Float8 | PgType::Numeric => Some(DataType::Real),
        PgType::Text | PgType::Varchar | PgType::Bpchar | PgType::Name | PgType::Char => {
            Some(DataType::Text)
        }
        PgType::Bytea => Some(DataType::Blob(None)),
        _ => None,
    }
}
