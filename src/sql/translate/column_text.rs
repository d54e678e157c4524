//! A column whose type only the schema knows, turned into text: `col::text`,
//! `'#' || col`, `concat(col, ..)`, `format('%s', col)`. SQLite would give
//! its storage form (`1` for a boolean, `2.5` for a numeric(8,3) 2.500,
//! `1.0e+20` for a float8, a timestamptz without `+00`); PostgreSQL gives
//! the type's output. `pg_column_text(x, scopes, column, cast)` looks the
//! declaration up at run time (as `column_dates` does) and prints `x` as
//! PostgreSQL would; `cast` picks `true`/`false` (a cast, `||`) over
//! `t`/`f` (output functions: concat, format) for booleans.

use sqlparser::ast::{BinaryOperator, DataType, Expr, Function};

use super::ast::{base_name, call, number};
use super::column_dates::{column_lookup, Scopes};
use super::columns::expr_type;
use super::types::pg_type;
use crate::sql::pgtype::PgType;

/// Runs before the operands are rewritten.
pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) {
    match expr {
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } if is_text(data_type) => wrap(inner, scopes, true),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::StringConcat,
            right,
        } => {
            // `arr || x` and `jsonb || jsonb` are not text concatenation;
            // the run-time check leaves arrays and json as they are.
            wrap(left, scopes, true);
            wrap(right, scopes, true);
        }
        Expr::Function(func) => output_arguments(func, scopes),
        _ => {}
    }
}

fn is_text(data_type: &DataType) -> bool {
    matches!(
        pg_type(data_type),
        Ok(PgType::Text | PgType::Varchar | PgType::Bpchar)
    )
}

fn output_arguments(func: &mut Function, scopes: &Scopes) {
    let name = base_name(&func.name);
    // Which arguments are values: all, or every second one (after a key).
    let (json, step) = match name.as_str() {
        "concat" | "concat_ws" | "format" => (false, 1),
        "json_build_array" | "jsonb_build_array" | "json_agg" | "jsonb_agg" | "to_json"
        | "to_jsonb" => (true, 1),
        "json_build_object" | "jsonb_build_object" | "json_object_agg" | "jsonb_object_agg" => {
            (true, 2)
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
                wrap(e, scopes, false);
            }
        }
    }
}

/// A column of unknown type as a JSON builder's argument.
fn wrap_json(e: &mut Expr, scopes: &Scopes) {
    if !matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) || expr_type(e).is_some() {
        return;
    }
    let Some([tables, name]) = column_lookup(e, scopes) else {
        return;
    };
    let column = std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null));
    *e = call("pg_column_json", vec![column, tables, name]);
}

/// Wraps a bare or qualified column of unknown type in `pg_column_text`.
fn wrap(e: &mut Expr, scopes: &Scopes, cast: bool) {
    if !matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) || expr_type(e).is_some() {
        return;
    }
    let Some([tables, name]) = column_lookup(e, scopes) else {
        return;
    };
    let column = std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null));
    *e = call(
        "pg_column_text",
        vec![column, tables, name, number(u8::from(cast))],
    );
}
