//! `length(code)` of a char(n) column: PostgreSQL's length of a
//! `character` value leaves out its trailing spaces (the padding), where
//! SQLite counts the stored, padded text. The column's type is known only
//! to the schema, so the call asks at run time: `CASE pg_column_type(..)
//! WHEN 'bpchar' THEN length(rtrim(code, ' ')) ELSE length(code) END`
//! (looked up once per run). Runs after the call is rewritten, whose
//! branches are not visited again. (Comparisons need nothing: a char(n)
//! column is declared with SQLite's RTRIM collation.)

use super::ast::{call, only_arg_mut, string, take};
use super::budget::copy;
use super::column_dates::{column_type_call, when_type};
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;
use sqlparser::ast::Expr;

pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) {
    let Expr::Function(func) = expr else {
        return;
    };
    if !matches!(
        super::ast::base(&func.name).as_ref(),
        "length" | "char_length" | "character_length"
    ) {
        return;
    }
    let Some(arg) = only_arg_mut(func) else {
        return;
    };
    match expr_type(arg) {
        Some(PgType::Bpchar) => unpad(arg),
        Some(_) => {}
        None => {
            let Some(lookup) = column_type_call(arg, scopes) else {
                return;
            };
            let padded = copy(expr);
            let mut unpadded = take(expr);
            if let Some(arg) = match &mut unpadded {
                Expr::Function(f) => only_arg_mut(f),
                _ => None,
            } {
                unpad(arg);
            }
            *expr = when_type(lookup, "bpchar", unpadded, padded);
        }
    }
}

/// `x` → `rtrim(x, ' ')`.
fn unpad(x: &mut Expr) {
    let value = take(x);
    *x = call("rtrim", vec![value, string(" ")]);
}
