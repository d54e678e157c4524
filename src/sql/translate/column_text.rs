//! A column whose type only the schema knows, turned into text: `col::text`,
//! `'#' || col`, `concat(col, ..)`, `format('%s', col)` (and `||`, whose
//! meaning depends on the type: `pg_column_concat` merges jsonb, appends
//! to arrays, concatenates text). SQLite would give
//! its storage form (`1` for a boolean, `2.5` for a numeric(8,3) 2.500,
//! `1.0e+20` for a float8, a timestamptz without `+00`); PostgreSQL gives
//! the type's output. `pg_column_text(x, scopes, column, cast)` looks the
//! declaration up at run time (as `column_dates` does) and prints `x` as
//! PostgreSQL would; `cast` picks `true`/`false` (a cast, `||`) over
//! `t`/`f` (output functions: concat, format) for booleans.

use sqlparser::ast::{BinaryOperator, DataType, Expr, Function};

use super::ast::{base, call, is_comparison, number};
use super::column_dates::column_lookup;
use super::columns::expr_type;
use super::scopes::Scopes;
use super::types::pg_type;
use crate::sql::pgtype::PgType;

/// Runs before the operands are rewritten.
pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) {
    match expr {
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } if is_text(data_type) => {
            wrap(inner, scopes, true);
            typed_text(inner);
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::StringConcat,
            right,
        } => {
            // `jsonb || x` merges and `array || x` appends: the column's
            // type decides when the statement runs (pg_column_concat).
            let (column, other, on_right) = if is_unknown_column(left) {
                (left, right, false)
            } else if is_unknown_column(right) {
                (right, left, true)
            } else {
                return;
            };
            let Some([tables, name]) = column_lookup(column, scopes) else {
                return;
            };
            wrap(other, scopes, true);
            let null = || Expr::value(sqlparser::ast::Value::Null);
            let column = std::mem::replace(&mut **column, null());
            let other = std::mem::replace(&mut **other, null());
            *expr = call(
                "pg_column_concat",
                vec![column, other, tables, name, number(u8::from(on_right))],
            );
        }
        Expr::BinaryOp { left, op, right } if is_comparison(op) => {
            typed_pair(left, right, scopes);
        }
        Expr::InList {
            expr: column, list, ..
        } if is_unknown_column(column) => {
            for item in list.iter_mut() {
                typed_literal(item, column, scopes);
            }
        }
        // `(a, b) IN (('x', 1), ...)`: item by item.
        Expr::InList {
            expr: row, list, ..
        } if super::ast::row_items(row).is_some() => {
            for item in list.iter_mut() {
                typed_pair(row, item, scopes);
            }
        }
        Expr::Between {
            expr: column,
            low,
            high,
            ..
        } if is_unknown_column(column) => {
            typed_literal(low, column, scopes);
            typed_literal(high, column, scopes);
        }
        Expr::Function(func) if base(&func.name) == "pg_typeof" => {
            if let Some(typeof_call) = pg_typeof(func, scopes) {
                *expr = typeof_call;
            }
        }
        Expr::Function(func) => output_arguments(func, scopes),
        _ => {}
    }
}

/// `pg_typeof(x)`: the type's name when the expression tells it, the
/// declared type of a column (`pg_type_display(pg_column_type(..))`), else
/// the value's storage class read as PostgreSQL types.
fn pg_typeof(func: &Function, scopes: &Scopes) -> Option<Expr> {
    let args = super::ast::plain_args(func)?;
    let [arg] = args.as_slice() else {
        return None;
    };
    if let Some(t) = expr_type(arg) {
        return Some(super::ast::string(t.display_name()));
    }
    let arg = (*arg).clone();
    Some(match column_lookup(&arg, scopes) {
        Some(lookup) => call(
            "pg_type_display",
            vec![call("pg_column_type", lookup.into())],
        ),
        None => call("pg_type_display", vec![call("typeof", vec![arg])]),
    })
}

fn is_text(data_type: &DataType) -> bool {
    matches!(
        pg_type(data_type),
        Ok(PgType::Text | PgType::Varchar | PgType::Bpchar)
    )
}

fn output_arguments(func: &mut Function, scopes: &Scopes) {
    let name = base(&func.name);
    // Which arguments are values: all, or every second one (after a key).
    let (json, step) = match name.as_ref() {
        "concat" | "concat_ws" | "format" => (false, 1),
        "json_build_array" | "jsonb_build_array" | "json_agg" | "jsonb_agg" | "to_json"
        | "to_jsonb" | "array_to_json" => (true, 1),
        "json_build_object" | "jsonb_build_object" | "json_object_agg" | "jsonb_object_agg" => {
            (true, 2)
        }
        // An array's elements are stored as JSON: a numeric keeps its
        // scale there, an array nests as a dimension. (Not under DISTINCT,
        // whose added ORDER BY would then sort the JSON text.)
        "array_agg" => {
            if let sqlparser::ast::FunctionArguments::List(list) = &mut func.args {
                if list.duplicate_treatment.is_some() {
                    return;
                }
                if let Some(sqlparser::ast::FunctionArg::Unnamed(
                    sqlparser::ast::FunctionArgExpr::Expr(e),
                )) = list.args.first_mut()
                {
                    wrap_in(e, scopes, "pg_column_element", None);
                }
            }
            return;
        }
        _ => return,
    };
    let sqlparser::ast::FunctionArguments::List(list) = &mut func.args else {
        return;
    };
    for arg in list.args.iter_mut().skip(step - 1).step_by(step) {
        if let sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(e)) = arg
        {
            if json {
                wrap_json(e, scopes);
            } else {
                output_text(e);
                wrap(e, scopes, false);
            }
        }
    }
}

/// A value as its type's output function prints it, where SQLite's text
/// would differ: a boolean is `t`/`f` (concat prints it so, where `||`
/// casts it to `true`), a decimal literal keeps its written scale, an
/// array is `{1,2}`.
fn output_text(e: &mut Expr) {
    if let Some(ty @ PgType::Array(_)) = expr_type(e) {
        let value = std::mem::replace(e, super::ast::null());
        *e = super::casts::array_text(value, ty);
        return;
    }
    if expr_type(e) == Some(PgType::Bool) {
        let value = std::mem::replace(e, super::ast::null());
        *e = super::ast::template("(CASE ($1) WHEN 1 THEN 't' WHEN 0 THEN 'f' END)", [value]);
        return;
    }
    if let Some(text) = super::ast::decimal_text(e) {
        *e = super::ast::string(text);
    }
}

/// An expression whose type the translation knows, where its stored form
/// is not that type's output: a timestamptz (`now()::text` ends in `+00`)
/// or a float (`1e+20`, not SQLite's `1.0e+20`), printed by
/// `pg_value_text(x, type)`.
fn typed_text(e: &mut Expr) {
    let Some(ty @ (PgType::Timestamptz | PgType::Float4 | PgType::Float8)) = expr_type(e) else {
        return;
    };
    if matches!(e, Expr::Value(_)) {
        return;
    }
    let value = std::mem::replace(e, super::ast::null());
    *e = call("pg_value_text", vec![value, super::ast::string(ty.name())]);
}

/// A quoted literal compared with a column is read as the column's type
/// (PostgreSQL types an untyped literal from the other side): a timestamptz
/// column compares `'2024-01-01 12:00+02'` as the UTC text it stores, an
/// integer column `' 42 '` as 42, and `'abc'` is PostgreSQL's input error
/// for the type (22P02, 22007 for dates). `pg_column_literal` runs once per
/// statement (constant arguments), so the column's index stays usable.
/// (The simple protocol's lifted literals are parameters, read so by
/// `server::lifted`.)
fn typed_literal(literal: &mut Expr, column: &Expr, scopes: &Scopes) {
    let Some(text) = super::ast::string_literal(literal) else {
        return;
    };
    if !matches!(literal, Expr::Value(_)) {
        return;
    }
    let Some([tables, name]) = column_lookup(column, scopes) else {
        return;
    };
    let text = super::ast::string(text);
    *literal = call("pg_column_literal", vec![text, tables, name]);
}

/// The literal side of `column op 'literal'` read as the column's type;
/// row values (`(created_at, id) > ('2024-01-02', 4)`) item by item.
fn typed_pair(left: &mut Expr, right: &mut Expr, scopes: &Scopes) {
    if let (Some(ls), Some(rs)) = (super::ast::row_items(left), super::ast::row_items(right)) {
        if ls.len() == rs.len() {
            let columns: Vec<Expr> = ls.into_iter().cloned().collect();
            let literals: Vec<Expr> = rs.into_iter().cloned().collect();
            let typed = |a: &Expr, b: &Expr| {
                let (mut a, mut b) = (a.clone(), b.clone());
                typed_pair(&mut a, &mut b, scopes);
                (a, b)
            };
            let pairs: Vec<(Expr, Expr)> = columns
                .iter()
                .zip(&literals)
                .map(|(a, b)| typed(a, b))
                .collect();
            set_row_items(left, pairs.iter().map(|p| p.0.clone()).collect());
            set_row_items(right, pairs.into_iter().map(|p| p.1).collect());
        }
        return;
    }
    if is_unknown_column(left) {
        typed_literal(right, left, scopes);
    } else if is_unknown_column(right) {
        typed_literal(left, right, scopes);
    }
}

/// Replaces a row value's items (same shape as [`row_items`] read).
fn set_row_items(e: &mut Expr, items: Vec<Expr>) {
    match e {
        Expr::Nested(inner) => set_row_items(inner, items),
        _ => *e = Expr::Tuple(items),
    }
}

fn is_unknown_column(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) && expr_type(e).is_none()
}

/// Wraps a bare or qualified column of unknown type in `pg_column_text`
/// (`cast`: booleans as true/false).
fn wrap(e: &mut Expr, scopes: &Scopes, cast: bool) {
    wrap_in(e, scopes, "pg_column_text", Some(number(u8::from(cast))));
}

/// A column of unknown type as a JSON builder's argument.
fn wrap_json(e: &mut Expr, scopes: &Scopes) {
    wrap_in(e, scopes, "pg_column_json", None);
}

/// `e` → `function(e, scopes, column[, extra])` for a column of unknown type.
fn wrap_in(e: &mut Expr, scopes: &Scopes, function: &str, extra: Option<Expr>) {
    if !is_unknown_column(e) {
        return;
    }
    let Some([tables, name]) = column_lookup(e, scopes) else {
        return;
    };
    let column = std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null));
    let mut args = vec![column, tables, name];
    args.extend(extra);
    *e = call(function, args);
}
