//! Operators whose meaning depends on the operand types, rewritten before
//! the operands are (while literal and cast types are still visible):
//! `||` with an array (append, prepend, concatenate), `||` of jsonb values
//! (merge), jsonb `-` a key, and `||` with a boolean (its text is
//! `true`/`false`, not SQLite's 1/0); a date compared with a timestamp (the
//! date is its midnight); intervals compared by length; `round(float8)` (half to even, as `rint`);
//! float8 `+ - * /` (range checked).

use sqlparser::ast::{BinaryOperator, Expr};

use super::ast::{call, is_comparison, take};
use super::columns::expr_type;
use crate::sql::pgtype::PgType;

/// `cte_type` names the type of a WITH query's column (`t.path`), which
/// the expression alone does not tell.
pub(super) fn rewrite(expr: &mut Expr, cte_type: &dyn Fn(&Expr) -> Option<PgType>) {
    if let Expr::Function(func) = expr {
        round_float(func);
        return;
    }
    let Expr::BinaryOp { left, op, right } = expr else {
        return;
    };
    if is_comparison(op) {
        // Intervals compare by length (30-day months, 24-hour days), not
        // by their text: '1 day' = '24 hours'.
        if expr_type(left) == Some(PgType::Interval) || expr_type(right) == Some(PgType::Interval) {
            let l = take(left);
            let r = take(right);
            *expr = Expr::BinaryOp {
                left: Box::new(call("pg_interval_cmp", vec![l, r])),
                op: op.clone(),
                right: Box::new(super::ast::number(0)),
            };
            return;
        }
        if let Some(replacement) = compare_with_day(left, op, right) {
            *expr = replacement;
        } else {
            date_with_timestamp(left, right);
            literal_as_other_side(left, right);
            literal_as_other_side(right, left);
        }
        return;
    }
    if let Some(function) = float_function(op) {
        let numeric = |e: &Expr| expr_type(e).is_none_or(PgType::is_numeric);
        let float = (is_float(left, 3) && numeric(right)) || (is_float(right, 3) && numeric(left));
        if float {
            let l = take(left);
            let r = take(right);
            *expr = call(function, vec![l, r]);
            return;
        }
    }
    // Only these two operators depend on types here; the others must not
    // pay for a type walk at every level of a long chain.
    if !matches!(op, BinaryOperator::StringConcat | BinaryOperator::Minus) {
        return;
    }
    let (lt, rt) = (
        expr_type(left).or_else(|| cte_type(left)),
        expr_type(right).or_else(|| cte_type(right)),
    );
    let is_array = |t: Option<PgType>| matches!(t, Some(PgType::Array(_)));
    let is_json = |t: Option<PgType>| matches!(t, Some(PgType::Jsonb | PgType::Json));
    let concat = matches!(op, BinaryOperator::StringConcat);
    // Decide first: the operands are moved (not cloned: a long chain would
    // be copied at every level) only when the expression is rewritten.
    // `'total: ' || 1.50`: a decimal literal is numeric, whose text keeps
    // the written scale (SQLite would print the double 1.5).
    // A numeric of known scale keeps it too (`'total ' || x::numeric(10,2)`).
    if concat {
        for (side, other) in [(&mut **left, rt), (&mut **right, lt)] {
            if other == Some(PgType::Text) {
                if let Some(text) = super::ast::decimal_text(side) {
                    *side = super::ast::string(text);
                } else if let Some(fixed) = super::casts::numeric_text(side) {
                    *side = fixed;
                }
            }
        }
    }
    // An untyped literal takes the other side's type, as in PostgreSQL
    // (`jsonb || '{"a":1}'`, `arr || '{4,5}'`).
    let (lt, rt) = match (concat, untyped(left), untyped(right)) {
        (true, false, true) if is_array(lt) || is_json(lt) => (lt, lt),
        (true, true, false) if is_array(rt) || is_json(rt) => (rt, rt),
        _ => (lt, rt),
    };
    let function = match () {
        _ if concat && is_array(lt) && is_array(rt) => "array_cat",
        _ if concat && is_array(lt) => "array_append",
        _ if concat && is_array(rt) => "array_prepend",
        _ if concat && is_json(lt) && is_json(rt) => "pg_jsonb_concat",
        _ if !concat
            && lt == Some(PgType::Jsonb)
            && matches!(
                rt,
                Some(PgType::Text | PgType::Int2 | PgType::Int4 | PgType::Int8)
            ) =>
        {
            "pg_jsonb_delete"
        }
        _ if !concat && lt == Some(PgType::Jsonb) && is_array(rt) => "pg_jsonb_delete_keys",
        _ if concat && (lt == Some(PgType::Bool) || rt == Some(PgType::Bool)) => {
            for (side, t) in [(&mut **left, lt), (&mut **right, rt)] {
                if t == Some(PgType::Bool) {
                    let inner = take(side);
                    *side = call("pg_bool_text", vec![inner]);
                }
            }
            return;
        }
        _ => return,
    };
    let l = take(left);
    let r = take(right);
    *expr = call(function, vec![l, r]);
}

/// A quoted literal with no type of its own.
fn untyped(e: &Expr) -> bool {
    super::ast::string_literal(e).is_some()
}

/// float8 arithmetic with PostgreSQL's overflow checks (22003), see
/// `pgfuncs::float_ops`.
fn float_function(op: &BinaryOperator) -> Option<&'static str> {
    Some(match op {
        BinaryOperator::Plus => "pg_float8_add",
        BinaryOperator::Minus => "pg_float8_sub",
        BinaryOperator::Multiply => "pg_float8_mul",
        BinaryOperator::Divide => "pg_float8_div",
        _ => return None,
    })
}

/// Whether an operand is float4/float8 as written: a cast to it, or
/// arithmetic on such a cast within `depth` levels (bounded: this runs at
/// every level of an arithmetic chain).
fn is_float(e: &Expr, depth: usize) -> bool {
    match e {
        Expr::Cast { data_type, .. } => matches!(
            super::types::pg_type(data_type),
            Ok(PgType::Float4 | PgType::Float8)
        ),
        Expr::Nested(inner) => is_float(inner, depth),
        Expr::BinaryOp { left, op, right } if depth > 0 && float_function(op).is_some() => {
            is_float(left, depth - 1) || is_float(right, depth - 1)
        }
        _ => false,
    }
}

/// A date or timestamp literal (`date '...'`, `'...'::timestamp`): its
/// type and text.
fn day_literal(e: &Expr) -> Option<(PgType, String)> {
    use sqlparser::ast::{DataType, TimezoneInfo, Value};
    let (data_type, text): (&DataType, &str) = match e {
        Expr::TypedString(ts) => match &ts.value.value {
            Value::SingleQuotedString(s) => (&ts.data_type, s),
            _ => return None,
        },
        Expr::Cast {
            expr, data_type, ..
        } => (data_type, super::ast::string_literal(expr)?),
        Expr::Nested(inner) => return day_literal(inner),
        _ => return None,
    };
    match data_type {
        DataType::Date => Some((PgType::Date, super::literals::date(text).ok()?)),
        DataType::Timestamp(_, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => Some((
            PgType::Timestamp,
            super::literals::timestamp(text, PgType::Timestamp).ok()??,
        )),
        _ => None,
    }
}

/// An expression of unknown type (a column: a date or a timestamp)
/// compared with a date literal, or with a timestamp literal at midnight.
/// Stored dates (`YYYY-MM-DD`) and timestamps (`YYYY-MM-DD HH:MM:SS`)
/// compare as text correctly except when the day is the same and the time
/// midnight, where PostgreSQL finds them equal: the literal is compared in
/// both spellings where that matters (`x IN (d, d 00:00:00)`, `x < d`,
/// `x <= d 00:00:00`, ...), which keeps the column's index usable.
fn compare_with_day(left: &Expr, op: &BinaryOperator, right: &Expr) -> Option<Expr> {
    use sqlparser::ast::BinaryOperator as B;
    let (column, literal, op) = match (day_literal(left), day_literal(right)) {
        (None, Some(lit)) => (left, lit, op.clone()),
        (Some(lit), None) => (
            right,
            lit,
            match op {
                B::Lt => B::Gt,
                B::LtEq => B::GtEq,
                B::Gt => B::Lt,
                B::GtEq => B::LtEq,
                other => other.clone(),
            },
        ),
        _ => return None,
    };
    if compared_type(column).is_some() {
        return None;
    }
    let (ty, text) = literal;
    let (day, midnight) = match ty {
        PgType::Date => (text.clone(), format!("{text} 00:00:00")),
        _ => match text.strip_suffix(" 00:00:00") {
            Some(day) => (day.to_owned(), text.clone()),
            None => return None,
        },
    };
    let string = |s: &str| super::ast::string(s);
    let compare = |op: B, value: &str| Expr::BinaryOp {
        left: Box::new(column.clone()),
        op,
        right: Box::new(string(value)),
    };
    let both = |negated: bool| Expr::InList {
        expr: Box::new(column.clone()),
        list: vec![string(&day), string(&midnight)],
        negated,
    };
    Some(match op {
        B::Eq => both(false),
        B::NotEq => both(true),
        // Below the day's first moment, or from it on: the day alone.
        B::Lt | B::GtEq => compare(op, &day),
        // Up to the day's midnight, or after it: with the time.
        B::LtEq | B::Gt => compare(op, &midnight),
        _ => return None,
    })
}

/// A quoted literal compared with a known date or timestamp is read as
/// one (PostgreSQL types it from the other side): `date_trunc('day', t) =
/// '2024-05-01'` compares with the stored form `2024-05-01 00:00:00`.
/// Text that is no valid date or time is left for the comparison as is.
fn literal_as_other_side(typed: &Expr, literal: &mut Expr) {
    let Some(text) = super::ast::string_literal(literal) else {
        return;
    };
    if !matches!(literal, Expr::Value(_)) {
        return;
    }
    let canonical = match compared_type(typed) {
        Some(PgType::Date) => super::literals::date(text).ok(),
        Some(ty @ (PgType::Timestamp | PgType::Timestamptz)) => {
            super::literals::timestamp(text, ty).ok().flatten()
        }
        _ => None,
    };
    if let Some(c) = canonical {
        *literal = super::ast::string(c);
    }
}

/// The type a comparison reads an operand as: its own, or for
/// `date_trunc`/`date_bin` of a column (whose result type the schema
/// decides: timestamp or timestamptz) the timestamp text both are stored
/// as.
fn compared_type(e: &Expr) -> Option<PgType> {
    expr_type(e).or_else(|| match e {
        Expr::Function(f) if super::columns::timestamp_source(f).is_some() => {
            Some(PgType::Timestamp)
        }
        Expr::Nested(inner) => compared_type(inner),
        _ => None,
    })
}

/// `date = timestamp` compares the date's midnight: the stored date text
/// gets the time of day a stored timestamp has (`YYYY-MM-DD HH:MM:SS`).
fn date_with_timestamp(left: &mut Expr, right: &mut Expr) {
    let (lt, rt) = (compared_type(left), compared_type(right));
    let side = match (lt, rt) {
        // (A timestamptz is stored in UTC, the session's zone for dates.)
        (Some(PgType::Date), Some(PgType::Timestamp | PgType::Timestamptz)) => left,
        (Some(PgType::Timestamp | PgType::Timestamptz), Some(PgType::Date)) => right,
        _ => return,
    };
    let date = take(side);
    *side = super::ast::template("(($1) || ' 00:00:00')", [date]);
}

/// `round(x)` of a float4/float8 rounds half to even (PostgreSQL uses
/// `rint`); numeric's round (SQLite's) rounds half away from zero.
fn round_float(func: &mut sqlparser::ast::Function) {
    if !func
        .name
        .0
        .last()
        .is_some_and(|p| p.to_string().eq_ignore_ascii_case("round"))
    {
        return;
    }
    let is_float = match super::ast::plain_args(func).as_deref() {
        Some([x]) => matches!(expr_type(x), Some(PgType::Float4 | PgType::Float8)),
        _ => false,
    };
    if is_float {
        func.name = super::ast::object_name("pg_round_even");
    }
}
