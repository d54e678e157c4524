//! `CAST(x AS t)` / `x::t` / `t 'literal'` in SQLite terms.
//!
//! Literals are converted here to the stored text or number form, so the
//! result needs no runtime conversion. Other expressions get the SQLite
//! function that produces the same storage form.

use super::ast::{call, cast, number, string, string_literal, template};
use super::error::{other, unsupported};
use super::functions::now_expr;
use super::literals;
use super::types::{pg_type, sqlite_cast_target};
use super::TranslateError;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{DataType, Expr, Value};

/// Rewrites a cast of (already rewritten) `inner` to `data_type`.
pub(super) fn rewrite_cast(inner: &Expr, data_type: &DataType) -> Result<Expr, TranslateError> {
    let pg = pg_type(data_type)?;
    if let Some(text) = string_literal(inner) {
        return typed_literal(text, pg);
    }
    if let Expr::Value(v) = inner {
        if v.value == Value::Null {
            return Ok(inner.clone());
        }
    }
    let x = inner.clone();
    Ok(match pg {
        PgType::Bool => match inner {
            Expr::Value(v) if matches!(&v.value, Value::Number(n, _) if n == "0" || n == "1") => x,
            _ => template(
                "CASE lower(trim(CAST($1 AS TEXT))) WHEN 't' THEN 1 WHEN 'true' THEN 1 \
                 WHEN 'yes' THEN 1 WHEN 'on' THEN 1 WHEN '1' THEN 1 WHEN 'f' THEN 0 \
                 WHEN 'false' THEN 0 WHEN 'no' THEN 0 WHEN 'off' THEN 0 WHEN '0' THEN 0 END",
                &[x],
            ),
        },
        PgType::Date => call("date", vec![x]),
        PgType::Time => call("strftime", vec![string("%H:%M:%f"), x]),
        PgType::Timestamp | PgType::Timestamptz => {
            call("strftime", vec![string("%Y-%m-%d %H:%M:%f"), x])
        }
        PgType::Uuid => call("lower", vec![x]),
        // Stored as JSON text already.
        PgType::Json | PgType::Jsonb | PgType::Array(_) => x,
        PgType::Interval => return Err(unsupported("interval values outside date arithmetic")),
        other_type => match sqlite_cast_target(other_type) {
            Some(target) => cast(x, target),
            None => return Err(unsupported(format!("cast to {}", other_type.name()))),
        },
    })
}

/// A string literal of a given type, in storage form.
pub(super) fn typed_literal(text: &str, pg: PgType) -> Result<Expr, TranslateError> {
    let special = text.trim().to_ascii_lowercase();
    Ok(match pg {
        PgType::Bool => number(u8::from(literals::boolean(text)?)),
        PgType::Int2 | PgType::Int4 | PgType::Int8 | PgType::Oid => {
            let n: i64 = text.trim().parse().map_err(|_| {
                other(
                    "22P02",
                    format!("invalid input syntax for type {}: \"{text}\"", pg.name()),
                )
            })?;
            number(n)
        }
        PgType::Float4 | PgType::Float8 | PgType::Numeric => {
            let t = text.trim();
            match t.parse::<f64>() {
                Ok(n) if n.is_finite() => number(t),
                _ => {
                    return Err(other(
                        "22P02",
                        format!("invalid input syntax for type {}: \"{text}\"", pg.name()),
                    ))
                }
            }
        }
        PgType::Date if special == "today" || special == "now" => call("date", vec![string("now")]),
        PgType::Date => string(literals::date(text)?),
        PgType::Time => string(literals::time(text)?),
        PgType::Timestamp | PgType::Timestamptz if special == "now" => now_expr(),
        PgType::Timestamp | PgType::Timestamptz => match literals::timestamp(text)? {
            Some(normalized) => string(normalized),
            // Offsets (`+02`, `Z`): SQLite's date functions convert to UTC.
            None => call(
                "strftime",
                vec![string("%Y-%m-%d %H:%M:%f"), string(text.trim())],
            ),
        },
        PgType::Uuid => string(literals::uuid(text)?),
        PgType::Bytea => Expr::value(Value::HexStringLiteral(literals::bytea_hex(text)?)),
        PgType::Array(elem) => string(literals::array_json(text, elem)?),
        PgType::Interval => return Err(unsupported("interval values outside date arithmetic")),
        PgType::Unknown | PgType::Void => {
            return Err(unsupported(format!("cast to {}", pg.name())))
        }
        // text, varchar, char, name, json: the text itself.
        _ => string(text),
    })
}
