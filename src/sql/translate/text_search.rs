//! Full-text search operators, whose meaning depends on operand types:
//! `a @@ b` becomes `pg_ts_match(a, a's type, b, b's type)`, which reads
//! text as PostgreSQL's operator resolution does (text @@ tsquery parses
//! the text with `to_tsvector`, text @@ text the right side with
//! `plainto_tsquery`, a quoted literal beside a tsvector is a tsquery). A
//! column's type is its declaration, asked at run time as `column_dates`
//! does; a search function called without a configuration gets the
//! session's `default_text_search_config`; `tsvector || tsvector` concatenates with shifted positions, and
//! `length(tsvector)` counts lexemes. pg_trgm's `a % b` (similar strings)
//! is told from the modulo by a text operand, or a column declared text.

use super::ast::{base, call, plain_args, string, string_literal, take};
use super::column_dates::column_lookup;
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;
use sqlparser::ast::helpers::attached_token::AttachedToken;
use sqlparser::ast::{BinaryOperator, CaseWhen, Expr, ObjectName, ObjectNamePart, UnaryOperator};

pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::AtAt,
            right,
        } if expr_type(left) == Some(PgType::Jsonb) || super::jsonpath::is_path_operand(right) => {
            *expr = super::jsonpath::match_operator(take(left), take(right));
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::AtAt,
            right,
        } => {
            let left_type = operand_type(left, scopes, "tsvector");
            let right_type = operand_type(right, scopes, "unknown");
            *expr = call(
                "pg_ts_match",
                vec![
                    take(left),
                    left_type,
                    take(right),
                    right_type,
                    default_config(),
                ],
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
        // tsquery `||` (OR), `&&` (AND): Django's SearchQuery combinations.
        Expr::BinaryOp {
            left,
            op: op @ (BinaryOperator::StringConcat | BinaryOperator::PGOverlap),
            right,
        } if expr_type(left) == Some(PgType::Tsquery)
            || expr_type(right) == Some(PgType::Tsquery) =>
        {
            let function = if matches!(op, BinaryOperator::StringConcat) {
                "pg_tsquery_or"
            } else {
                "pg_tsquery_and"
            };
            *expr = call(function, vec![take(left), take(right)]);
        }
        Expr::UnaryOp {
            op: UnaryOperator::PGPrefixFactorial,
            expr: inner,
        } if expr_type(inner) == Some(PgType::Tsquery) => {
            *expr = call("pg_tsquery_not", vec![take(inner)]);
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Modulo,
            right,
        } => {
            let Some(similar) = similar_strings(left, right, scopes) else {
                return;
            };
            let (l, r) = (take(left), take(right));
            let trigram = call("pg_trgm_match", vec![l.clone(), r.clone()]);
            *expr = match similar {
                None => trigram,
                // A column of unknown type: text is compared, numbers divided.
                Some(declared) => Expr::Case {
                    case_token: AttachedToken::empty(),
                    end_token: AttachedToken::empty(),
                    operand: Some(Box::new(declared)),
                    conditions: ["text", "varchar", "bpchar"]
                        .into_iter()
                        .map(|t| CaseWhen {
                            condition: string(t),
                            result: trigram.clone(),
                        })
                        .collect(),
                    else_result: Some(Box::new(Expr::BinaryOp {
                        left: Box::new(l),
                        op: BinaryOperator::Modulo,
                        right: Box::new(r),
                    })),
                },
            };
        }
        Expr::Function(func) => function(func),
        _ => {}
    }
}

/// A search function called without a configuration gets the session's
/// default; `length(tsvector)` counts lexemes. (The name is read once: it
/// is allocated, and every call of every statement passes here.)
fn function(func: &mut sqlparser::ast::Function) {
    let name = base(&func.name);
    let Some(args) = plain_args(func) else {
        return;
    };
    match (name.as_ref(), args.len()) {
        (
            "to_tsvector"
            | "to_tsquery"
            | "plainto_tsquery"
            | "phraseto_tsquery"
            | "websearch_to_tsquery"
            | "ts_headline",
            1,
        )
        | ("ts_headline", 2) => {
            if let sqlparser::ast::FunctionArguments::List(list) = &mut func.args {
                list.args.insert(
                    0,
                    sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(
                        default_config(),
                    )),
                );
            }
        }
        ("length", 1) if expr_type(args[0]) == Some(PgType::Tsvector) => {
            func.name = ObjectName(vec![ObjectNamePart::Identifier(
                "pg_tsvector_length".into(),
            )]);
        }
        _ => {}
    }
}

/// The session's `default_text_search_config`, read when the statement runs.
fn default_config() -> Expr {
    call(
        "current_setting",
        vec![string("default_text_search_config")],
    )
}

/// Whether `a % b` is pg_trgm's similarity test: `Some(None)` when an
/// operand is known to be text, `Some(a column's declared type)` when only
/// the schema can tell (no operand is known to be a number), else `None`.
fn similar_strings(a: &Expr, b: &Expr, scopes: &Scopes) -> Option<Option<Expr>> {
    let (at, bt) = (expr_type(a), expr_type(b));
    if at.is_some_and(PgType::is_numeric) || bt.is_some_and(PgType::is_numeric) {
        return None;
    }
    if at.is_some_and(PgType::is_string) || bt.is_some_and(PgType::is_string) {
        return Some(None);
    }
    let column = |e: &Expr| column_lookup(e, scopes).map(|l| call("pg_column_type", l.into()));
    column(a).or_else(|| column(b)).map(Some)
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
