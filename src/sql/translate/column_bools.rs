//! A column compared with a boolean word: `active = 't'`, `flag <> 'no'`,
//! `active IN ('t')`. PostgreSQL reads the literal as the column's type; a
//! boolean column stores 1/0 here, which the text would never equal. The
//! column's type is known only to the schema, so the literal asks at run
//! time: `CASE pg_column_type(..) WHEN 'bool' THEN 1 ELSE 't' END` (looked
//! up once per run, from a per-connection cache); where the translation
//! knows the operand is a boolean (a catalog column), the literal is 1 or
//! 0 outright. Only words PostgreSQL reads as booleans are touched; `name =
//! 'bob'` stays as it is.

use super::ast::{number, string_literal};
use super::column_dates::{column_type_call, is_column_like, when_type};
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::decode::looks_bool;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{BinaryOperator, Expr};

/// Rewrites the literal side of such a comparison in place.
pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq | BinaryOperator::NotEq,
            right,
        } => {
            if bool_word(right).is_some() {
                as_column_reads(right, left, scopes);
            } else if bool_word(left).is_some() {
                as_column_reads(left, right, scopes);
            }
        }
        Expr::InList {
            expr: column, list, ..
        } if list.iter().any(|e| bool_word(e).is_some()) => {
            for item in list.iter_mut() {
                as_column_reads(item, column, scopes);
            }
        }
        _ => {}
    }
}

/// The truth a literal spells, when it is a boolean word.
fn bool_word(e: &Expr) -> Option<bool> {
    if !matches!(e, Expr::Value(_)) {
        return None;
    }
    let text = string_literal(e)?;
    if !looks_bool(text) {
        return None;
    }
    super::literals::boolean(text).ok()
}

fn as_column_reads(literal: &mut Expr, column: &Expr, scopes: &Scopes) {
    let Some(truth) = bool_word(literal) else {
        return;
    };
    match expr_type(column) {
        Some(PgType::Bool) => {
            *literal = number(i64::from(truth));
            return;
        }
        Some(_) => return,
        None if !is_column_like(column) => return,
        None => {}
    }
    let Some(lookup) = column_type_call(column, scopes) else {
        return;
    };
    let text = literal.clone();
    *literal = when_type(lookup, "bool", number(i64::from(truth)), text);
}
