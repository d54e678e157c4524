//! Division whose meaning only the schema knows.
//!
//! SQLite divides two integers as integers, and a `numeric` column stores a
//! whole number as an integer: `price / 4`, `(a * 2) / 8` or `WHERE total /
//! n > 2` over numeric columns truncated where PostgreSQL's numeric
//! division does not. The translation is shared by every tenant, so it
//! cannot know the columns' types: a division whose operands read columns
//! of unknown type asks their declared types when the statement runs
//! (`pg_column_type`, constant, so once per run). Outside a query's result
//! columns (WHERE, ORDER BY, function arguments, subqueries) it becomes
//! `pg_div(l, r, numeric)` (and `%` `pg_mod`): real division when a column
//! is numeric or an operand a float, SQLite's otherwise, 22012 for a zero
//! divisor either way. A result column that is arithmetic over such
//! columns is computed exactly instead (see [`exact_by_column_types`]).

use super::ast::{base, call, is_arithmetic, number, plain_args, string, take, take_args};
use super::column_dates::column_lookup;
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{BinaryOperator, Expr, SelectItem, SetExpr, UnaryOperator, Value};

/// What the operands of an arithmetic expression are made of.
#[derive(Default)]
struct Leaves {
    /// `pg_column_type` arguments of the columns of unknown type.
    columns: Vec<[Expr; 2]>,
    /// A leaf known to be numeric (`4.0`, `x::numeric`).
    numeric: bool,
    /// A leaf known to be a float.
    float: bool,
    /// A leaf of unknown type that is not a column (a call, a column of a
    /// derived table): the expression cannot be computed exactly.
    opaque: bool,
    /// A `%` (no exact form).
    modulo: bool,
    /// A `/` somewhere in the expression.
    divides: bool,
}

/// Walks `e`'s arithmetic down to its leaves.
#[recursive::recursive]
fn collect(e: &Expr, scopes: &Scopes, leaves: &mut Leaves) {
    match e {
        Expr::Identifier(_) => leaf_column(e, scopes, leaves),
        Expr::CompoundIdentifier(ids) if ids.len() == 2 => leaf_column(e, scopes, leaves),
        Expr::Nested(inner) => collect(inner, scopes, leaves),
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => collect(expr, scopes, leaves),
        Expr::BinaryOp { left, op, right } if is_arithmetic(op) => {
            leaves.divides |= *op == BinaryOperator::Divide;
            leaves.modulo |= *op == BinaryOperator::Modulo;
            collect(left, scopes, leaves);
            collect(right, scopes, leaves);
        }
        // Functions whose value is one of their arguments' values (sum of
        // numerics is numeric, of integers an integer).
        Expr::Function(f) if passes_type(&base(&f.name)) => match plain_args(f) {
            Some(args) if !args.is_empty() => {
                args.into_iter().for_each(|a| collect(a, scopes, leaves))
            }
            _ => leaves.opaque = true,
        },
        // `(SELECT max(x) FROM t)`: its one value, in its own FROM's scope.
        Expr::Subquery(q) => match (q.body.as_ref(), &q.with) {
            (SetExpr::Select(select), None) => match select.projection.as_slice() {
                [SelectItem::UnnamedExpr(v) | SelectItem::ExprWithAlias { expr: v, .. }] => {
                    let mut inner = scopes.clone();
                    inner.push_select(select);
                    collect(v, &inner, leaves);
                }
                _ => leaves.opaque = true,
            },
            _ => leaves.opaque = true,
        },
        Expr::Value(v) if matches!(v.value, Value::Placeholder(_) | Value::Null) => {
            leaves.opaque = true
        }
        _ => typed_leaf(expr_type(e), leaves),
    }
}

fn leaf_column(e: &Expr, scopes: &Scopes, leaves: &mut Leaves) {
    match expr_type(e) {
        None => match column_lookup(e, scopes) {
            Some(lookup) => leaves.columns.push(lookup),
            None => leaves.opaque = true,
        },
        known => typed_leaf(known, leaves),
    }
}

fn typed_leaf(t: Option<PgType>, leaves: &mut Leaves) {
    match t {
        Some(PgType::Numeric) => leaves.numeric = true,
        Some(PgType::Float4 | PgType::Float8) => leaves.float = true,
        Some(PgType::Int2 | PgType::Int4 | PgType::Int8) => {}
        _ => leaves.opaque = true,
    }
}

fn passes_type(name: &str) -> bool {
    matches!(
        name,
        "sum"
            | "min"
            | "max"
            | "abs"
            | "coalesce"
            | "nullif"
            | "greatest"
            | "least"
            // Window functions giving another row's value (growth rates:
            // `(x - lag(x) OVER w) / lag(x) OVER w`).
            | "lag"
            | "lead"
            | "first_value"
            | "last_value"
            | "nth_value"
    )
}

/// `pg_column_type(..) IN (names)` for each column, joined by OR.
fn any_column_is(columns: &[[Expr; 2]], names: &[&str]) -> Option<Expr> {
    columns
        .iter()
        .map(|lookup| Expr::InList {
            expr: Box::new(call("pg_column_type", lookup.to_vec())),
            list: names.iter().map(|n| string(*n)).collect(),
            negated: false,
        })
        .reduce(|prev, test| Expr::BinaryOp {
            left: Box::new(prev),
            op: BinaryOperator::Or,
            right: Box::new(test),
        })
}

/// An expression giving `'numeric'` when `e`'s value is a numeric (a
/// column of one in its arithmetic, none a float), as `pg_avg` takes it:
/// for a WITH query's or derived table's column, which no table declares
/// (`avg(total)` over `SELECT sum(qty * price) AS total ...`). `None` when
/// `e` is no such arithmetic.
pub(super) fn value_type(e: &Expr, scopes: &Scopes) -> Option<Expr> {
    let mut leaves = Leaves::default();
    collect(e, scopes, &mut leaves);
    if leaves.float || leaves.opaque {
        return None;
    }
    if leaves.columns.is_empty() {
        return leaves.numeric.then(|| string("numeric"));
    }
    let condition = numeric_condition(&leaves)?;
    Some(Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: vec![sqlparser::ast::CaseWhen {
            condition,
            result: string("numeric"),
        }],
        else_result: None,
    })
}

/// The condition under which `args` (arithmetic over columns of unknown
/// type) are numerics: a column is, none a float. `None` when they are
/// not such arithmetic, or are known without asking.
pub(super) fn numeric_values(args: &[&Expr], scopes: &Scopes) -> Option<Expr> {
    let mut leaves = Leaves::default();
    for a in args {
        collect(a, scopes, &mut leaves);
    }
    if leaves.float || leaves.opaque || leaves.columns.is_empty() {
        return None;
    }
    numeric_condition(&leaves)
}

/// A column is numeric (or a leaf is known to be) and none is a float.
fn numeric_condition(leaves: &Leaves) -> Option<Expr> {
    let not_float = Expr::UnaryOp {
        op: UnaryOperator::Not,
        expr: Box::new(Expr::Nested(Box::new(any_column_is(
            &leaves.columns,
            &["float4", "float8"],
        )?))),
    };
    if leaves.numeric {
        return Some(not_float);
    }
    Some(Expr::BinaryOp {
        left: Box::new(Expr::Nested(Box::new(any_column_is(
            &leaves.columns,
            &["numeric"],
        )?))),
        op: BinaryOperator::And,
        right: Box::new(not_float),
    })
}

/// `l / r` (or `l % r`) whose operands read columns of unknown type, or
/// are known numerics, → `pg_div(l, r, numeric)` (`pg_mod`).
pub(super) fn rewrite(e: &mut Expr, scopes: &Scopes) {
    let (function, left, right) = match &*e {
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::Divide => ("pg_div", &**left, &**right),
            BinaryOperator::Modulo => ("pg_mod", &**left, &**right),
            _ => return,
        },
        // `mod(a, b)` is `a % b`.
        Expr::Function(f) if f.over.is_none() && base(&f.name) == "mod" => {
            match plain_args(f).as_deref() {
                Some([l, r]) => ("pg_mod", *l, *r),
                _ => return,
            }
        }
        _ => return,
    };
    let mut leaves = Leaves::default();
    collect(left, scopes, &mut leaves);
    collect(right, scopes, &mut leaves);
    // A float divides as one; a float-typed call may hold a whole number
    // (`date_part('epoch', interval)` is 90, not 90.0).
    let numeric = if leaves.numeric || leaves.float {
        number(1)
    } else if leaves.columns.is_empty() {
        return;
    } else {
        match any_column_is(&leaves.columns, &["numeric"]) {
            Some(test) => test,
            None => return,
        }
    };
    // The operands move into the call rather than being copied.
    let (l, r) = match take(e) {
        Expr::BinaryOp { left, right, .. } => (*left, *right),
        Expr::Function(mut f) => {
            let [l, r]: [Expr; 2] = take_args(&mut f)
                .try_into()
                .expect("matched as mod(a, b) above");
            (l, r)
        }
        _ => unreachable!("matched as a division or mod() above"),
    };
    *e = call(function, vec![l, r, numeric]);
}

/// A result column that is arithmetic over columns of unknown type (and
/// numbers), with a division: `CASE WHEN <a column is numeric and none a
/// float> THEN <the same with pg_numeric_add|sub|mul|div> ELSE <as written>
/// END`, PostgreSQL's exact digits (`(a * 2) / 8` is 2.5000000000000000).
/// False when the expression is not such arithmetic.
pub(super) fn exact_by_column_types(e: &mut Expr, scopes: &Scopes) -> bool {
    let mut leaves = Leaves::default();
    collect(e, scopes, &mut leaves);
    if !leaves.divides
        || leaves.modulo
        || leaves.opaque
        || leaves.float
        || leaves.columns.is_empty()
    {
        return false;
    }
    let Some(condition) = numeric_condition(&leaves) else {
        return false;
    };
    let mut exact = e.clone();
    to_exact(&mut exact);
    let native = take(e);
    *e = Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: vec![sqlparser::ast::CaseWhen {
            condition,
            result: exact,
        }],
        else_result: Some(Box::new(native)),
    };
    true
}

/// Every `+ - * /` and unary minus of `e`'s arithmetic as the exact
/// functions (the leaves as they are).
#[recursive::recursive]
fn to_exact(e: &mut Expr) {
    match e {
        Expr::Nested(inner) => to_exact(inner),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => {
            to_exact(expr);
            let inner = take(expr);
            *e = call("pg_numeric_sub", vec![number(0), inner]);
        }
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } => {
            to_exact(expr);
            *e = take(expr);
        }
        Expr::BinaryOp { left, op, right } if is_arithmetic(op) => {
            let name = match op {
                BinaryOperator::Plus => "pg_numeric_add",
                BinaryOperator::Minus => "pg_numeric_sub",
                BinaryOperator::Multiply => "pg_numeric_mul",
                _ => "pg_numeric_div",
            };
            to_exact(left);
            to_exact(right);
            let (l, r) = (take(left), take(right));
            *e = call(name, vec![l, r]);
        }
        _ => {}
    }
}
