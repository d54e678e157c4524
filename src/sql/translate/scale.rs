//! The display scale of a `numeric` result, where the expression fixes it.
//!
//! PostgreSQL's numeric keeps its digits: `1.10 + 2.20` is `3.30`,
//! `sum(amount)` over a `numeric(10,2)` column prints two decimals and
//! `100 * 1.5` is `150.0`. SQLite computes these in doubles, which lose the
//! scale (and print `3.3000000000000003`). The scale follows from the
//! operands' scales (addition takes the larger, multiplication the sum), so
//! the executor prints the double rounded to it: exact while the value has
//! fewer than 15 significant digits, as doubles carry. Division and `avg`
//! choose their scale from the values and are left out (`None`).

use super::ast::{base, base_name, plain_args};
use super::columns::{expr_type, number_type, scoped_scale};
use super::types::pg_type;
use crate::sql::encode::{SCALE_AT_LEAST, SCALE_ZERO_PLAIN};
use crate::sql::pgtype::PgType;
use sqlparser::ast::{
    AccessExpr, BinaryOperator, CastKind, DataType, DateTimeField, ExactNumberInfo, Expr, Function,
    Subscript, UnaryOperator, Value,
};

/// A result column's scale: [`expr_scale`], flagged for `coalesce(x, 0)`
/// (see [`SCALE_ZERO_PLAIN`]).
pub(super) fn column_scale(expr: &Expr) -> Option<u16> {
    let Some(s) = expr_scale(expr) else {
        return least_scale(expr)
            .filter(|&s| s > 0)
            .map(|s| s | SCALE_AT_LEAST);
    };
    let zero_fallback = match expr {
        Expr::Function(f) if base_name(&f.name) == "coalesce" => plain_args(f)
            .and_then(|args| args.last().copied())
            .is_some_and(|e| matches!(e, Expr::Value(v) if matches!(&v.value, Value::Number(n, _) if n == "0"))),
        _ => false,
    };
    Some(if zero_fallback && s > 0 {
        s | SCALE_ZERO_PLAIN
    } else {
        s
    })
}

/// The fewest decimals a numeric result prints with when one operand's
/// scale is its value's (an unconstrained `numeric` column): `cost * price`
/// with `price` a `numeric(10,2)` prints at least two (`50.00` for a whole
/// `cost`; PostgreSQL adds `cost`'s own digits, which a stored double no
/// longer knows). Division and `avg` give their own digits, as before.
///
/// Where [`expr_scale`] knows the scale this is the same; the operators and
/// wrappers are followed here rather than asked of `expr_scale` first at
/// every level, which made a chain of `n` operators cost `n²` (and with the
/// operands' types, `n³`: 2,000 divisions took 15 seconds).
#[recursive::recursive]
fn least_scale(expr: &Expr) -> Option<u16> {
    match expr {
        Expr::Nested(inner) => least_scale(inner),
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => least_scale(expr),
        Expr::BinaryOp { left, op, right } => {
            let combine: fn(u16, u16) -> Option<u16> = match op {
                BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Modulo => {
                    |l, r| Some(l.max(r))
                }
                BinaryOperator::Multiply => |l, r| l.checked_add(r),
                _ => return None,
            };
            // An operand of unknown scale counts as 0 when it is a numeric.
            let operand = |e: &Expr| {
                least_scale(e).or_else(|| (expr_type(e) == Some(PgType::Numeric)).then_some(0))
            };
            combine(operand(left)?, operand(right)?)
        }
        Expr::Function(f)
            if matches!(base_name(&f.name).as_str(), "sum" | "min" | "max" | "abs") =>
        {
            expr_scale(expr).or_else(|| least_scale(plain_args(f)?.first()?))
        }
        _ => expr_scale(expr),
    }
}

/// The scale of `expr`'s value when it is a numeric whose scale does not
/// depend on the data; integers count as scale 0.
#[recursive::recursive]
pub(super) fn expr_scale(expr: &Expr) -> Option<u16> {
    match expr {
        Expr::Identifier(id) => column(None, &id.value, expr),
        Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
            column(Some(&ids[0].value), &ids[1].value, expr)
        }
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => literal_scale(n),
            _ => None,
        },
        Expr::Nested(inner) => expr_scale(inner),
        // An element of an array whose elements share a scale.
        Expr::CompoundFieldAccess { root, access_chain }
            if access_chain
                .iter()
                .all(|a| matches!(a, AccessExpr::Subscript(Subscript::Index { .. }))) =>
        {
            expr_scale(root)
        }
        Expr::CompoundFieldAccess { root, access_chain } => {
            super::columns::field_scale(root, access_chain)
        }
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => expr_scale(expr),
        Expr::Cast {
            kind: CastKind::Cast | CastKind::DoubleColon,
            expr,
            data_type,
            ..
        } => cast_scale(data_type, expr),
        Expr::TypedString(ts) => match pg_type(&ts.data_type).ok()? {
            PgType::Numeric => typmod_scale(&ts.data_type).or_else(|| match &ts.value.value {
                Value::SingleQuotedString(s) => literal_scale(s.trim()),
                _ => None,
            }),
            _ => None,
        },
        Expr::BinaryOp { left, op, right } => {
            let (l, r) = (expr_scale(left)?, expr_scale(right)?);
            match op {
                BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Modulo => {
                    Some(l.max(r))
                }
                BinaryOperator::Multiply => l.checked_add(r),
                // Integer division is an integer (`7 / 2 * 2.0` is 6.0).
                BinaryOperator::Divide if is_integer(left) && is_integer(right) => Some(0),
                _ => None,
            }
        }
        Expr::Case {
            conditions,
            else_result,
            ..
        } => same(
            conditions
                .iter()
                .map(|c| &c.result)
                .chain(else_result.as_deref()),
        ),
        Expr::Extract { field, expr, .. } => extract_scale(field, expr),
        Expr::Function(f) => function_scale(f),
        // `(SELECT amount FROM ... LIMIT 1)`: its one column's scale.
        Expr::Subquery(q) => match super::columns::query_scales(q).as_slice() {
            [only] => *only,
            _ => None,
        },
        _ => None,
    }
}

/// A column's declared scale; an integer column is scale 0.
fn column(relation: Option<&str>, name: &str, expr: &Expr) -> Option<u16> {
    match expr_type(expr)? {
        PgType::Int2 | PgType::Int4 | PgType::Int8 => Some(0),
        // A numeric array's scale is its elements'.
        PgType::Numeric | PgType::Array(crate::sql::pgtype::ArrayElem::Numeric) => {
            scoped_scale(relation, name)
        }
        _ => None,
    }
}

/// The digits after the point of a numeric literal (`1.50` is 2, `1.5e3` 0).
fn literal_scale(n: &str) -> Option<u16> {
    if number_type(n) != PgType::Numeric && n.parse::<i64>().is_ok() {
        return Some(0);
    }
    let (mantissa, exp) = match n.find(['e', 'E']) {
        Some(i) => (&n[..i], n[i + 1..].parse::<i64>().ok()?),
        None => (n, 0),
    };
    let frac = mantissa.find('.').map_or(0, |i| mantissa.len() - i - 1) as i64;
    u16::try_from((frac - exp).max(0)).ok()
}

fn typmod_scale(data_type: &DataType) -> Option<u16> {
    match data_type {
        DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info) => match info {
            ExactNumberInfo::PrecisionAndScale(_, s) => u16::try_from(*s).ok(),
            ExactNumberInfo::Precision(_) => Some(0),
            ExactNumberInfo::None => None,
        },
        _ => None,
    }
}

fn cast_scale(data_type: &DataType, inner: &Expr) -> Option<u16> {
    match pg_type(data_type).ok()? {
        PgType::Int2 | PgType::Int4 | PgType::Int8 => Some(0),
        // `numeric` without a modifier keeps the value's own scale.
        PgType::Numeric => typmod_scale(data_type).or_else(|| match inner {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => literal_scale(s.trim()),
                Value::Number(n, _) => literal_scale(n),
                _ => None,
            },
            other => expr_scale(other),
        }),
        _ => None,
    }
}

/// The scale all of `exprs` share (NULLs aside), if they agree.
fn is_integer_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(&v.value, Value::Number(n, _) if n.parse::<i64>().is_ok()))
}

fn same<'a>(exprs: impl Iterator<Item = &'a Expr>) -> Option<u16> {
    let mut scale = None;
    for e in exprs {
        if matches!(e, Expr::Value(v) if v.value == Value::Null) {
            continue;
        }
        let s = expr_scale(e)?;
        if scale.is_some_and(|known| known != s) {
            return None;
        }
        scale = Some(s);
    }
    scale
}

/// The largest scale a CASE or COALESCE may yield, all branches known.
fn widest(e: &Expr) -> Option<u16> {
    let branches: Vec<&Expr> = match e {
        Expr::Nested(inner) => return widest(inner),
        Expr::Case {
            conditions,
            else_result,
            ..
        } => conditions
            .iter()
            .map(|c| &c.result)
            .chain(else_result.as_deref())
            .collect(),
        Expr::Function(f) if base_name(&f.name) == "coalesce" => plain_args(f)?,
        _ => return expr_scale(e),
    };
    let mut max = None;
    for b in branches {
        if matches!(b, Expr::Value(v) if v.value == Value::Null) {
            continue;
        }
        max = Some(max.unwrap_or(0).max(expr_scale(b)?));
    }
    max
}

/// `extract` is numeric since PostgreSQL 14: microsecond precision for
/// seconds and epochs of timestamps, whole numbers for the other fields.
fn extract_scale(field: &DateTimeField, source: &Expr) -> Option<u16> {
    Some(match field {
        DateTimeField::Epoch => match expr_type(source) {
            Some(PgType::Date) => 0,
            _ => 6,
        },
        DateTimeField::Second | DateTimeField::Seconds => 6,
        DateTimeField::Millisecond | DateTimeField::Milliseconds => 3,
        DateTimeField::Julian => return None,
        _ => 0,
    })
}

fn function_scale(func: &Function) -> Option<u16> {
    let name = base(&func.name);
    if name == "count" {
        return Some(0);
    }
    let args = plain_args(func)?;
    let first = || args.first().and_then(|e| expr_scale(e));
    match name.as_ref() {
        "row_number" | "rank" | "dense_rank" | "ceil" | "ceiling" | "floor" | "div" => Some(0),
        // As `%`: the larger scale.
        "mod" => match args.as_slice() {
            [a, b] => Some(expr_scale(a)?.max(expr_scale(b)?)),
            _ => None,
        },
        // A sum's scale is the largest of the values it adds: `sum(CASE ..
        // THEN amount ELSE 0 END)` prints amount's decimals.
        "sum" => first().or_else(|| args.first().and_then(|e| widest(e))),
        "min" | "max" | "abs" | "lag" | "lead" | "first_value" | "last_value" | "nth_value" => {
            first()
        }
        // An ordered-set aggregate returning one of the sorted values.
        "percentile_disc" | "mode" => match func.within_group.as_slice() {
            [order] => expr_scale(&order.expr),
            _ => None,
        },
        // The scale of each element (the executor prints a numeric[] so).
        "array_agg" | "unnest" => first(),
        // Each value is the start plus steps: the wider of the two scales.
        "generate_series" => match args.as_slice() {
            [start, _] => expr_scale(start),
            [start, _, step] => Some(expr_scale(start)?.max(expr_scale(step)?)),
            _ => None,
        },
        // round(x) and trunc(x) keep no decimals, round(x, n) n of them.
        "round" | "trunc" => match args.get(1) {
            None => Some(0),
            Some(Expr::Value(v)) => match &v.value {
                Value::Number(n, _) => Some(n.parse::<i64>().ok()?.clamp(0, 1000) as u16),
                _ => None,
            },
            Some(_) => None,
        },
        // `coalesce(sum(amount), 0)`: PostgreSQL keeps each value's own
        // scale; the column takes the computed value's, since the literal
        // fallback shows only where there was nothing to compute.
        "coalesce" if args.len() > 1 && args[1..].iter().all(|e| is_integer_literal(e)) => first(),
        "coalesce" | "greatest" | "least" | "nullif" => same(args.into_iter()),
        _ => None,
    }
}

fn is_integer(e: &Expr) -> bool {
    matches!(
        expr_type(e),
        Some(PgType::Int2 | PgType::Int4 | PgType::Int8)
    )
}
