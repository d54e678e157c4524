//! Array values handed to SQLite's JSON functions. Arrays are stored as
//! JSON text, but a column may also hold a PG array literal written as a
//! string (`INSERT ... VALUES ('{a,b}')`: the translator cannot see that
//! the column is an array). `pg_array` reads either form as JSON; values
//! that are JSON by construction skip it (so literals also work where only
//! SQLite's own functions exist, as on remote tenants).

use super::ast::{base_name, call};
use sqlparser::ast::{DataType, Expr, Value};

/// Functions (after translation) whose result is a JSON array.
const JSON_RESULTS: &[&str] = &[
    "json_array",
    "json_group_array",
    "pg_array",
    "array_append",
    "array_prepend",
    "array_cat",
    "array_remove",
    "array_replace",
    "string_to_array",
];

/// `array` as JSON array text for SQLite's JSON functions.
pub(super) fn stored(array: Expr) -> Expr {
    if is_json(&array) {
        array
    } else {
        call("pg_array", vec![array])
    }
}

pub(super) fn is_json(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) => is_json(inner),
        // Not yet translated (set-returning functions in FROM run first).
        Expr::Array(_) => true,
        Expr::Cast {
            expr, data_type, ..
        } => {
            matches!(data_type, DataType::Array(_))
                && matches!(&**expr, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)))
        }
        Expr::Function(f) => JSON_RESULTS.contains(&base_name(&f.name).as_str()),
        // Typed array literals are already translated to JSON text.
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => s.trim_start().starts_with('['),
            Value::Null => true,
            _ => false,
        },
        _ => false,
    }
}
