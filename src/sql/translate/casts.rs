//! `CAST(x AS t)` / `x::t` / `t 'literal'` in SQLite terms.
//!
//! Literals are converted here to the stored text or number form, so the
//! result needs no runtime conversion. Other expressions get the SQLite
//! function that produces the same storage form.

use super::ast::{call, cast, number, string, string_literal, take, template};
use super::columns::expr_type;
use super::error::{other, unsupported};
use super::functions::now_expr;
use super::literals;
use super::types::{pg_type, sqlite_cast_target};
use super::TranslateError;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{DataType, Expr, TimezoneInfo, Value};

/// Rewrites a cast of (already rewritten) `inner` to `data_type`.
/// `inner` is moved into the result (left NULL) when the cast is rewritten;
/// on an error it is left in place.
pub(super) fn rewrite_cast(inner: &mut Expr, data_type: &DataType) -> Result<Expr, TranslateError> {
    // An enum type's value is its label's text, compared in label order
    // (`'happy'::mood > 'sad'::mood`) by the type's collation.
    if let Some(name) = super::enums::user_type(data_type) {
        let checked = call("pg_enum_in", vec![take(inner), string(name.clone())]);
        return Ok(Expr::Collate {
            expr: Box::new(checked),
            collation: sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::with_quote(
                '"',
                format!("{}{name}", super::enums::COLLATION_PREFIX),
            )]),
        });
    }
    let base = rewrite_cast_base(inner, data_type)?;
    Ok(apply_typmod(base, data_type))
}

/// A cast's type modifier: `numeric(p, s)` rounds to `s` places (and
/// checks the precision), `varchar(n)` truncates, as an explicit cast does
/// in PostgreSQL.
fn apply_typmod(x: Expr, data_type: &DataType) -> Expr {
    use sqlparser::ast::{CharacterLength, ExactNumberInfo};
    match data_type {
        DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info) => match info {
            ExactNumberInfo::PrecisionAndScale(p, s) => {
                call("pg_numeric_round", vec![x, number(*p), number(*s)])
            }
            ExactNumberInfo::Precision(p) => {
                call("pg_numeric_round", vec![x, number(*p), number(0)])
            }
            ExactNumberInfo::None => x,
        },
        // timestamp(p), timestamptz(p), time(p): seconds rounded to p places.
        DataType::Timestamp(Some(p), zone) if *p < 6 => {
            let with_zone = matches!(zone, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz);
            call(
                "pg_round_seconds",
                vec![x, number(*p), string(if with_zone { "tz" } else { "ts" })],
            )
        }
        DataType::Time(Some(p), _) if *p < 6 => {
            call("pg_round_seconds", vec![x, number(*p), string("time")])
        }
        DataType::Varchar(Some(CharacterLength::IntegerLength { length, .. }))
        | DataType::CharacterVarying(Some(CharacterLength::IntegerLength { length, .. }))
        | DataType::CharVarying(Some(CharacterLength::IntegerLength { length, .. }))
        | DataType::Char(Some(CharacterLength::IntegerLength { length, .. }))
        | DataType::Character(Some(CharacterLength::IntegerLength { length, .. })) => {
            call("substr", vec![x, number(1), number(*length)])
        }
        _ => x,
    }
}

fn rewrite_cast_base(inner: &mut Expr, data_type: &DataType) -> Result<Expr, TranslateError> {
    let pg = pg_type(data_type)?;
    if let Some(text) = string_literal(inner) {
        return typed_literal(text, pg);
    }
    if let Expr::Value(v) = inner {
        if v.value == Value::Null {
            return Ok(inner.clone());
        }
    }
    if let Some(n) = number_literal(inner) {
        if let Some(converted) = cast_number(n, pg)? {
            return Ok(converted);
        }
    }
    let source = expr_type(inner);
    // Bound parameters are already decoded as the cast's type.
    let checked = !is_placeholder(inner);
    let x = take(inner);
    Ok(match pg {
        PgType::Bool if source == Some(PgType::Bool) || !checked => x,
        PgType::Bool => call("pg_to_bool", vec![x]),
        PgType::Int2 | PgType::Int4 | PgType::Int8 if checked && !fits(source, pg) => {
            call(int_function(pg), vec![x])
        }
        PgType::Numeric if checked && !is_numeric(source) => call("pg_to_numeric", vec![x]),
        PgType::Float4 | PgType::Float8 if checked && !is_numeric(source) => {
            call("pg_to_float8", vec![x])
        }
        // (A timestamptz's casts to date, time and timestamp read it in the
        // session's zone: `zoned_columns` wrapped it in pg_tz_local first.)
        PgType::Date => call("pg_cast_timestamp", vec![x, string("date")]),
        PgType::Time => call("pg_cast_timestamp", vec![x, string("time")]),
        PgType::Timestamp => call("pg_cast_timestamp", vec![x, string("ts")]),
        // Already stored as UTC: reading it again would apply the zone twice.
        PgType::Timestamptz if source == Some(PgType::Timestamptz) || !checked => x,
        PgType::Timestamptz => call("pg_cast_timestamp", vec![x, string("tz")]),
        PgType::Uuid => call("lower", vec![x]),
        // inet's cast to text shows the mask (`1.2.3.4/32`), its output not.
        PgType::Text | PgType::Varchar if source == Some(PgType::Inet) => {
            call("pg_inet_text", vec![x])
        }
        PgType::Inet | PgType::Cidr | PgType::Macaddr | PgType::Point | PgType::Range(_)
            if source == Some(pg) || !checked =>
        {
            x
        }
        // (cidr to inet keeps the text: a network prints the same.)
        PgType::Inet if source == Some(PgType::Cidr) => x,
        PgType::Inet | PgType::Cidr | PgType::Macaddr | PgType::Point | PgType::Range(_) => {
            call("pg_textual_in", vec![x, string(pg.name())])
        }
        // json (or text) to jsonb: jsonb's canonical text (keys sorted and
        // unique, PostgreSQL's spacing), as jsonb_in stores it.
        PgType::Jsonb if checked && source != Some(PgType::Jsonb) => {
            call("pg_jsonb_value", vec![x])
        }
        // Stored as JSON text already.
        PgType::Json | PgType::Jsonb | PgType::Array(_) => x,
        // Interval text, checked (and normalised) when the statement runs.
        PgType::Interval => call("pg_interval", vec![x]),
        PgType::Tsvector => call("pg_tsvector_in", vec![x]),
        PgType::Tsquery => call("pg_tsquery_in", vec![x]),
        other_type => match sqlite_cast_target(other_type) {
            Some(target) => cast(x, target),
            None => {
                *inner = x;
                return Err(unsupported(format!("cast to {}", other_type.name())));
            }
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
                    format!("invalid input syntax for type {}: \"{text}\"", sql_name(pg)),
                )
            })?;
            check_int_range(n, pg, || {
                format!("value \"{text}\" is out of range for type {}", sql_name(pg))
            })?;
            number(n)
        }
        PgType::Float4 | PgType::Float8 | PgType::Numeric => {
            let t = text.trim();
            match t.parse::<f64>() {
                // A real's range is a float's (`1e40::real` is 22003).
                Ok(n) if pg == PgType::Float4 && n.is_finite() && n.abs() > f64::from(f32::MAX) => {
                    return Err(literal_out_of_range(text, pg));
                }
                Ok(n) if n.is_finite() => number(t),
                // SQLite keeps infinities as REAL (9e999 overflows to one);
                // it has no NaN, so NaN stays text, which the encoder prints.
                Ok(n) if special.contains("inf") => {
                    number(if n > 0.0 { "9e999" } else { "-9e999" })
                }
                Ok(n) if n.is_nan() => string("NaN"),
                // `1e400::float8`: a number beyond the type's range.
                Ok(_) if pg != PgType::Numeric => return Err(literal_out_of_range(text, pg)),
                _ => {
                    return Err(other(
                        "22P02",
                        format!("invalid input syntax for type {}: \"{text}\"", sql_name(pg)),
                    ))
                }
            }
        }
        // Stored as the words, which sort after (and before) every date.
        PgType::Date | PgType::Timestamp | PgType::Timestamptz
            if matches!(special.as_str(), "infinity" | "+infinity" | "-infinity") =>
        {
            string(special.trim_start_matches('+'))
        }
        // The session's calendar day when the statement runs.
        PgType::Date if matches!(special.as_str(), "today" | "now" | "tomorrow" | "yesterday") => {
            let days = match special.as_str() {
                "tomorrow" => "+1 days",
                "yesterday" => "-1 days",
                _ => "+0 days",
            };
            template("date(pg_tz_local(pg_now()), $1)", [string(days)])
        }
        PgType::Date => string(literals::date(text)?),
        // As `localtime`.
        PgType::Time if special == "now" => call(
            "strftime",
            vec![string("%H:%M:%f"), call("pg_tz_local", vec![now_expr()])],
        ),
        PgType::Time => string(literals::time(text)?),
        PgType::Timestamp | PgType::Timestamptz if special == "now" => now_expr(),
        // Midnight of the session's calendar day (or the next, or the one before).
        PgType::Timestamp | PgType::Timestamptz
            if matches!(special.as_str(), "today" | "tomorrow" | "yesterday") =>
        {
            let days = match special.as_str() {
                "today" => "+0 days",
                "tomorrow" => "+1 days",
                _ => "-1 days",
            };
            let midnight = template(
                "(date(pg_tz_local(pg_now()), $1) || ' 00:00:00')",
                [string(days)],
            );
            if pg == PgType::Timestamptz {
                call("pg_cast_timestamp", vec![midnight, string("tz")])
            } else {
                midnight
            }
        }
        // Zone-less: wall-clock time in the session's zone, known when it runs.
        PgType::Timestamptz if !literals::has_offset(text) => {
            literals::timestamp(text, pg)?;
            call("pg_cast_timestamp", vec![string(text.trim()), string("tz")])
        }
        PgType::Timestamp | PgType::Timestamptz => match literals::timestamp(text, pg)? {
            Some(normalized) => string(normalized),
            // Offsets (`+02`, `Z`): SQLite's date functions convert to UTC.
            None => call(
                "strftime",
                vec![string("%Y-%m-%d %H:%M:%f"), string(text.trim())],
            ),
        },
        PgType::Uuid => string(literals::uuid(text)?),
        PgType::Inet | PgType::Cidr | PgType::Macaddr | PgType::Point | PgType::Range(_) => {
            match crate::sql::textual::normalize(pg, text) {
                Some(Ok(normalized)) => string(normalized),
                Some(Err(message)) => {
                    return Err(other(crate::sql::textual::code_of(&message), message))
                }
                None => string(text),
            }
        }
        PgType::Bytea => Expr::value(Value::HexStringLiteral(literals::bytea_hex(text)?)),
        PgType::Array(elem) => string(literals::array_json(text, elem)?),
        PgType::Interval => string(literals::interval_value(text)?),
        // Normalised (and checked) when the statement runs.
        PgType::Tsvector => call("pg_tsvector_in", vec![string(text)]),
        PgType::Tsquery => call("pg_tsquery_in", vec![string(text)]),
        PgType::Unknown | PgType::Void => {
            return Err(unsupported(format!("cast to {}", pg.name())))
        }
        PgType::Json | PgType::Jsonb => {
            if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
                return Err(other("22P02", "invalid input syntax for type json"));
            }
            string(text)
        }
        // text, varchar, char, name: the text itself.
        _ => string(text),
    })
}

/// The type name PostgreSQL uses in input error messages.
fn sql_name(pg: PgType) -> &'static str {
    match pg {
        PgType::Int2 => "smallint",
        PgType::Int4 => "integer",
        PgType::Int8 => "bigint",
        PgType::Float4 => "real",
        PgType::Float8 => "double precision",
        PgType::Bool => "boolean",
        other_type => other_type.name(),
    }
}

fn int_function(pg: PgType) -> &'static str {
    match pg {
        PgType::Int2 => "pg_to_int2",
        PgType::Int4 => "pg_to_int4",
        _ => "pg_to_int8",
    }
}

/// Whether a value of type `source` always fits integer type `target`
/// unchanged, so no checking function is needed.
fn fits(source: Option<PgType>, target: PgType) -> bool {
    let rank = |t: PgType| match t {
        PgType::Bool | PgType::Int2 => 1,
        PgType::Int4 => 2,
        PgType::Int8 => 3,
        _ => 9,
    };
    source.is_some_and(|s| rank(s) <= rank(target))
}

fn is_numeric(source: Option<PgType>) -> bool {
    source.is_some_and(PgType::is_numeric)
}

/// The digits of a numeric literal, with a leading minus when negated.
fn number_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(n.clone()),
            _ => None,
        },
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => number_literal(expr).map(|n| format!("-{n}")),
        Expr::Nested(inner) => number_literal(inner),
        _ => None,
    }
}

/// A numeric literal cast to an integer type or boolean, folded at translate
/// time: numeric rounds half away from zero, out-of-range is 22003.
fn cast_number(n: String, pg: PgType) -> Result<Option<Expr>, TranslateError> {
    let value: i64 = match pg {
        PgType::Int2 | PgType::Int4 | PgType::Int8 => match n.parse::<i64>() {
            Ok(i) => i,
            Err(_) => match n.parse::<f64>() {
                Ok(f) if f.round().abs() < 9.2e18 => f.round() as i64,
                _ => return Err(out_of_range(pg)),
            },
        },
        PgType::Bool => match n.parse::<i64>() {
            Ok(i) => i64::from(i != 0),
            Err(_) => return Ok(None),
        },
        _ => return Ok(None),
    };
    check_int_range(value, pg, || out_of_range(pg).message)?;
    Ok(Some(number(value)))
}

fn out_of_range(pg: PgType) -> TranslateError {
    other("22003", format!("{} out of range", sql_name(pg)))
}

fn check_int_range(
    n: i64,
    pg: PgType,
    message: impl FnOnce() -> String,
) -> Result<(), TranslateError> {
    let ok = match pg {
        PgType::Int2 => i16::try_from(n).is_ok(),
        PgType::Int4 => i32::try_from(n).is_ok(),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(other("22003", message()))
    }
}

/// A cast to a text type (`text`, `varchar`, `char`, `name`): its operand
/// and its target type.
pub(super) fn text_cast(expr: &mut Expr) -> Option<(&mut Box<Expr>, &mut DataType)> {
    let Expr::Cast {
        expr: inner,
        data_type,
        ..
    } = expr
    else {
        return None;
    };
    pg_type(data_type)
        .is_ok_and(PgType::is_string)
        .then_some((inner, data_type))
}

/// Before children are rewritten: a boolean cast to text prints as
/// `true`/`false`, as PostgreSQL's boolout does (stored booleans are 0/1).
pub(super) fn rewrite_bool_text_cast(expr: &mut Expr) {
    let Some((inner, _)) = text_cast(expr) else {
        return;
    };
    if expr_type(inner) != Some(PgType::Bool) {
        return;
    }
    *expr = match inner.as_ref() {
        Expr::Value(v) => match &v.value {
            Value::Boolean(b) => string(b.to_string()),
            _ => return,
        },
        _ => call("pg_bool_text", vec![(**inner).clone()]),
    };
}

/// Before children are rewritten: an array (stored as JSON) cast to text
/// prints in PostgreSQL's array form, `{1,2}`, as array_out does.
pub(super) fn rewrite_array_text_cast(expr: &mut Expr) {
    let Some((inner, _)) = text_cast(expr) else {
        return;
    };
    let Some(ty @ PgType::Array(_)) = expr_type(inner) else {
        return;
    };
    *expr = array_text(take(inner), ty);
}

/// `pg_array_text(x, '_int4')`: an array of type `ty` as PostgreSQL's
/// array text.
pub(super) fn array_text(x: Expr, ty: PgType) -> Expr {
    call("pg_array_text", vec![x, string(ty.name())])
}

/// Before children are rewritten: a numeric whose scale the expression
/// fixes (`x::numeric(10,2)`, `price * 2` over such a cast) keeps it when
/// cast to text, as numeric's output does (`270.50`, not SQLite's `270.5`).
pub(super) fn rewrite_numeric_text_cast(expr: &mut Expr) {
    let Some((inner, _)) = text_cast(expr) else {
        return;
    };
    if let Some(fixed) = numeric_text(inner) {
        *expr = fixed;
    }
}

/// `pg_numeric_text(x, scale)` for a numeric operand of known scale (not a
/// literal, whose text is kept as written elsewhere).
pub(super) fn numeric_text(x: &Expr) -> Option<Expr> {
    if super::ast::decimal_text(x).is_some() || expr_type(x) != Some(PgType::Numeric) {
        return None;
    }
    let scale = super::scale::expr_scale(x).filter(|s| *s > 0)?;
    Some(call("pg_numeric_text", vec![x.clone(), number(scale)]))
}

/// A bound parameter, before (`$1`) or after (`?1`) rewriting.
fn is_placeholder(expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) => matches!(&v.value, Value::Placeholder(_)),
        Expr::Nested(inner) => is_placeholder(inner),
        _ => false,
    }
}

/// `x::numeric` where `x` is a column (or its sum, min or max) whose type
/// only the schema knows: a float4 keeps the 6 significant digits
/// PostgreSQL's float4-to-numeric cast keeps (FLT_DIG: `sum(freight)` of
/// 64942.738 is 64942.7), any other type is cast as it is:
/// `CAST(CASE pg_column_type(..) WHEN 'float4' THEN pg_float4_text(x)
/// ELSE x END AS numeric)`. Runs before the operand is rewritten.
pub(super) fn float4_to_numeric(expr: &mut Expr, scopes: &super::scopes::Scopes) {
    let Expr::Cast {
        expr: inner,
        data_type,
        ..
    } = expr
    else {
        return;
    };
    if pg_type(data_type).ok() != Some(PgType::Numeric) || expr_type(inner).is_some() {
        return;
    }
    let column = match inner.as_ref() {
        Expr::Function(f) if super::ast::base_name(&f.name) == "sum" => {
            super::ast::plain_args(f).and_then(|a| a.first().map(|e| (*e).clone()))
        }
        other => Some(other.clone()),
    };
    let Some(type_call) = column.and_then(|c| super::column_dates::column_type_call(&c, scopes))
    else {
        return;
    };
    let value = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
    **inner = super::column_dates::when_type(
        type_call,
        "float4",
        call("pg_float4_text", vec![value.clone()]),
        value,
    );
}

/// 22003 for a literal whose number the type cannot hold.
fn literal_out_of_range(text: &str, pg: PgType) -> TranslateError {
    other(
        "22003",
        format!("\"{text}\" is out of range for type {}", sql_name(pg)),
    )
}
