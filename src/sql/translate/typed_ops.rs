//! Operators whose meaning depends on the operand types, rewritten before
//! the operands are (while literal and cast types are still visible):
//! `||` with an array (append, prepend, concatenate), `||` of jsonb values
//! (merge), jsonb `-` a key, and `||` with a boolean (its text is
//! `true`/`false`, not SQLite's 1/0).

use sqlparser::ast::{BinaryOperator, Expr};

use super::ast::call;
use super::columns::expr_type;
use crate::sql::pgtype::PgType;

pub(super) fn rewrite(expr: &mut Expr) {
    let Expr::BinaryOp { left, op, right } = expr else {
        return;
    };
    // Only these two operators depend on types here; the others must not
    // pay for a type walk at every level of a long chain.
    if !matches!(op, BinaryOperator::StringConcat | BinaryOperator::Minus) {
        return;
    }
    let (lt, rt) = (expr_type(left), expr_type(right));
    let is_array = |t: Option<PgType>| matches!(t, Some(PgType::Array(_)));
    let is_json = |t: Option<PgType>| matches!(t, Some(PgType::Jsonb | PgType::Json));
    let concat = matches!(op, BinaryOperator::StringConcat);
    // Decide first: the operands are moved (not cloned: a long chain would
    // be copied at every level) only when the expression is rewritten.
    let function = match () {
        _ if concat && is_array(lt) && is_array(rt) => "array_cat",
        _ if concat && is_array(lt) => "array_append",
        _ if concat && is_array(rt) => "array_prepend",
        _ if concat && is_json(lt) && is_json(rt) => "pg_jsonb_concat",
        _ if !concat && lt == Some(PgType::Jsonb) && rt == Some(PgType::Text) => "pg_jsonb_delete",
        _ if concat && (lt == Some(PgType::Bool) || rt == Some(PgType::Bool)) => {
            for (side, t) in [(&mut **left, lt), (&mut **right, rt)] {
                if t == Some(PgType::Bool) {
                    let inner = std::mem::replace(side, Expr::value(sqlparser::ast::Value::Null));
                    *side = call("pg_bool_text", vec![inner]);
                }
            }
            return;
        }
        _ => return,
    };
    let l = std::mem::replace(&mut **left, Expr::value(sqlparser::ast::Value::Null));
    let r = std::mem::replace(&mut **right, Expr::value(sqlparser::ast::Value::Null));
    *expr = call(function, vec![l, r]);
}
