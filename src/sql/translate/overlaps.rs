//! `(s1, e1) OVERLAPS (s2, e2)` (written `overlaps(s1, e1, s2, e2)` by
//! `pre_parse`): whether two periods of dates or timestamps meet, as
//! PostgreSQL decides it. An end may be an interval (the start plus it);
//! each period is put in order first; periods are half-open, except that
//! equal starts overlap (when both ends are known).

use sqlparser::ast::{BinaryOperator, Expr, Value};

use super::ast::{base, plain_args};
use super::columns::expr_type;
use super::error::other;
use super::TranslateError;
use crate::sql::pgtype::PgType;

/// Rewrites `overlaps(...)` in place (before its arguments are).
pub(super) fn rewrite(expr: &mut Expr) -> Result<(), TranslateError> {
    let Expr::Function(f) = expr else {
        return Ok(());
    };
    if base(&f.name) != "overlaps" {
        return Ok(());
    }
    let Some(args) = plain_args(f) else {
        return Ok(());
    };
    let [s1, e1, s2, e2] = args.as_slice() else {
        return Err(other(
            "42883",
            "OVERLAPS takes two periods of two values each: (start, end) OVERLAPS (start, end)",
        ));
    };
    let (s1, e1) = ordered(s1, e1);
    let (s2, e2) = ordered(s2, e2);
    let cmp = |l: &Expr, op, r: &Expr| Expr::BinaryOp {
        left: Box::new(l.clone()),
        op,
        right: Box::new(r.clone()),
    };
    *expr = Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: vec![
            when(
                cmp(&s1, BinaryOperator::Gt, &s2),
                cmp(&s1, BinaryOperator::Lt, &e2),
            ),
            when(
                cmp(&s1, BinaryOperator::Lt, &s2),
                cmp(&s2, BinaryOperator::Lt, &e1),
            ),
            // Equal starts: true when both ends are known, else unknown.
            when(
                cmp(&s1, BinaryOperator::Eq, &s2),
                Expr::Case {
                    case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
                    end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
                    operand: None,
                    conditions: vec![when(
                        Expr::BinaryOp {
                            left: Box::new(Expr::IsNull(Box::new(e1.clone()))),
                            op: BinaryOperator::Or,
                            right: Box::new(Expr::IsNull(Box::new(e2.clone()))),
                        },
                        Expr::value(Value::Null),
                    )],
                    else_result: Some(Box::new(Expr::value(Value::Boolean(true)))),
                },
            ),
        ],
        else_result: None,
    };
    Ok(())
}

fn when(condition: Expr, result: Expr) -> sqlparser::ast::CaseWhen {
    sqlparser::ast::CaseWhen { condition, result }
}

/// A period's start and end in order: an interval end is the start plus
/// it, and an end before the start swaps them.
fn ordered(start: &Expr, end: &Expr) -> (Expr, Expr) {
    let end = if expr_type(end) == Some(PgType::Interval) {
        Expr::Nested(Box::new(Expr::BinaryOp {
            left: Box::new(start.clone()),
            op: BinaryOperator::Plus,
            right: Box::new(end.clone()),
        }))
    } else {
        end.clone()
    };
    let swapped = Expr::BinaryOp {
        left: Box::new(end.clone()),
        op: BinaryOperator::Lt,
        right: Box::new(start.clone()),
    };
    let pick = |then: &Expr, otherwise: &Expr| {
        Expr::Nested(Box::new(Expr::Case {
            case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
            end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
            operand: None,
            conditions: vec![when(swapped.clone(), then.clone())],
            else_result: Some(Box::new(otherwise.clone())),
        }))
    };
    (pick(&end, start), pick(start, &end))
}
