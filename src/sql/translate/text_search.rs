//! Full-text search operators, whose meaning depends on operand types:
//! `a @@ b` becomes `pg_ts_match(a, a's type, b, b's type)`, which reads
//! text as PostgreSQL's operator resolution does (text @@ tsquery parses
//! the text with `to_tsvector`, text @@ text the right side with
//! `plainto_tsquery`, a quoted literal beside a tsvector is a tsquery). A
//! column's type is its declaration, asked at run time as `column_dates`
//! does; `tsvector || tsvector` concatenates with shifted positions, and
//! `length(tsvector)` counts lexemes.

use super::ast::{base_name, call, plain_args, string, string_literal, take};
use super::column_dates::{column_lookup, Scopes};
use super::columns::expr_type;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{BinaryOperator, Expr, ObjectName, ObjectNamePart};

pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::AtAt,
            right,
        } => {
            let left_type = operand_type(left, scopes, "tsvector");
            let right_type = operand_type(right, scopes, "unknown");
            *expr = call(
                "pg_ts_match",
                vec![take(left), left_type, take(right), right_type],
            );
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::StringConcat,
            right,
        } if expr_type(left) == Some(PgType::Tsvector)
            && expr_type(right) == Some(PgType::Tsvector) =>
        {
            *expr = call("pg_tsvector_concat", vec![take(left), take(right)]);
        }
        Expr::Function(func)
            if base_name(&func.name) == "length"
                && plain_args(func)
                    .is_some_and(|a| a.len() == 1 && expr_type(a[0]) == Some(PgType::Tsvector)) =>
        {
            func.name = ObjectName(vec![ObjectNamePart::Identifier(
                "pg_tsvector_length".into(),
            )]);
        }
        _ => {}
    }
}

/// The type name `pg_ts_match` is given for an operand: known from the
/// expression, a column's declaration at run time, or `otherwise`.
fn operand_type(e: &Expr, scopes: &Scopes, otherwise: &str) -> Expr {
    match expr_type(e) {
        Some(PgType::Tsvector) => string("tsvector"),
        Some(PgType::Tsquery) => string("tsquery"),
        Some(_) if string_literal(e).is_some() => string("unknown"),
        Some(_) => string("text"),
        None => match column_lookup(e, scopes) {
            Some(lookup) => call(
                "coalesce",
                vec![call("pg_column_type", lookup.into()), string(otherwise)],
            ),
            None => string(otherwise),
        },
    }
}
