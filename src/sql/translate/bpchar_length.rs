//! `length(code)` of a char(n) column: PostgreSQL's length of a
//! `character` value leaves out its trailing spaces (the padding), where
//! SQLite counts the stored, padded text. The column's type is known only
//! to the schema, so the call asks at run time: `CASE pg_column_type(..)
//! WHEN 'bpchar' THEN length(rtrim(code, ' ')) ELSE length(code) END`
//! (looked up once per run). Runs after the call is rewritten, whose
//! branches are not visited again. (Comparisons need nothing: a char(n)
//! column is declared with SQLite's RTRIM collation.)

use super::ast::{call, string};
use super::budget::copy;
use super::column_dates::{column_type_call, when_type};
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments};

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
    let FunctionArguments::List(list) = &mut func.args else {
        return;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_mut_slice() else {
        return;
    };
    let trimmed = |x: Expr| call("rtrim", vec![x, string(" ")]);
    match expr_type(arg) {
        Some(PgType::Bpchar) => {
            let x = super::ast::take(arg);
            *arg = trimmed(x);
        }
        Some(_) => {}
        None => {
            let Some(lookup) = column_type_call(arg, scopes) else {
                return;
            };
            let padded = copy(expr);
            let mut unpadded = copy(expr);
            if let Expr::Function(f) = &mut unpadded {
                if let FunctionArguments::List(list) = &mut f.args {
                    if let [FunctionArg::Unnamed(FunctionArgExpr::Expr(a))] =
                        list.args.as_mut_slice()
                    {
                        let x = super::ast::take(a);
                        *a = trimmed(x);
                    }
                }
            }
            *expr = when_type(lookup, "bpchar", unpadded, padded);
        }
    }
}
