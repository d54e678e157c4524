//! `+` and `-` on a column whose type only the schema knows: `d + 7`,
//! `d - 1`, `ends - started` mean days when the column is a date (SQLite
//! would add to the text's leading digits). The translation stays one text
//! for every tenant, so it asks at run time: `pg_column_type(scopes,
//! column)` names the column's declared type (evaluated once per run, from
//! a per-connection cache), and a CASE picks date arithmetic or SQLite's
//! own. `scopes` lists the tables the column may belong to, innermost FROM
//! first: `t1,t2;outer` (a `?` entry: a derived table, whose columns are
//! not known, so the search stops there).

use super::ast::{call, string};
use super::budget::copy;
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator};

/// A column reference (bare, qualified, or min/max of one) and the
/// `pg_column_type` call that names its type.
pub(super) fn column_type_call(e: &Expr, scopes: &Scopes) -> Option<Expr> {
    let (qualifier, column) = match e {
        Expr::Identifier(id) => (None, id.value.as_str()),
        Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
            (Some(ids[0].value.as_str()), ids[1].value.as_str())
        }
        Expr::Nested(inner) => return column_type_call(inner, scopes),
        Expr::Function(f) if keeps_column_type(f) => {
            let args = super::ast::plain_args(f)?;
            return column_type_call(args.first()?, scopes);
        }
        _ => return None,
    };
    let tables = scopes.tables_for(qualifier, column)?;
    Some(call(
        "pg_column_type",
        vec![string(tables), string(column.to_owned())],
    ))
}

/// For a bare or qualified column: the `scopes` and column name arguments
/// a run-time declaration lookup takes.
pub(super) fn column_lookup(e: &Expr, scopes: &Scopes) -> Option<[Expr; 2]> {
    let (qualifier, column) = match e {
        Expr::Identifier(id) => (None, id.value.as_str()),
        Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
            (Some(ids[0].value.as_str()), ids[1].value.as_str())
        }
        _ => return None,
    };
    let tables = scopes.tables_for(qualifier, column)?;
    Some([string(tables), string(column.to_owned())])
}

/// What [`column_type_call`] may name, by shape alone.
pub(super) fn is_column_like(e: &Expr) -> bool {
    match e {
        Expr::Identifier(_) => true,
        Expr::CompoundIdentifier(ids) => ids.len() == 2,
        Expr::Nested(inner) => is_column_like(inner),
        Expr::Function(f) => keeps_column_type(f),
        _ => false,
    }
}

/// A function whose value has its first argument's type: min/max, the
/// window functions returning an earlier or later row's value
/// (`d - lag(d) OVER (ORDER BY d)`), a COALESCE with untyped fallbacks.
fn keeps_column_type(f: &sqlparser::ast::Function) -> bool {
    match super::ast::base_name(&f.name).as_str() {
        "min" | "max" => f.over.is_none(),
        "lag" | "lead" | "first_value" | "last_value" | "nth_value" => f.over.is_some(),
        // `coalesce(meta, '{}')`: untyped fallbacks take the column's type.
        "coalesce" => super::ast::plain_args(f)
            .is_some_and(|args| args.len() > 1 && args[1..].iter().all(|e| is_untyped_literal(e))),
        _ => false,
    }
}

/// A string literal or NULL: its type is the one its context gives.
fn is_untyped_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(&v.value,
        sqlparser::ast::Value::Null | sqlparser::ast::Value::SingleQuotedString(_)))
}

fn is_int(t: Option<PgType>) -> bool {
    matches!(t, Some(PgType::Int2 | PgType::Int4 | PgType::Int8))
}

/// `date(d, n || ' days')`: NULL when `n` is, as in PostgreSQL.
fn add_days(date: Expr, days: Expr, negate: bool) -> Expr {
    let days = if negate {
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: Box::new(Expr::Nested(Box::new(days))),
        }
    } else {
        days
    };
    let modifier = Expr::BinaryOp {
        left: Box::new(Expr::Nested(Box::new(days))),
        op: BinaryOperator::StringConcat,
        right: Box::new(string(" days")),
    };
    call("date", vec![date, modifier])
}

/// Whole days between two dates.
fn days_between(a: Expr, b: Expr) -> Expr {
    super::ast::cast(
        Expr::Nested(Box::new(Expr::BinaryOp {
            left: Box::new(call("julianday", vec![a])),
            op: BinaryOperator::Minus,
            right: Box::new(call("julianday", vec![b])),
        })),
        sqlparser::ast::DataType::Integer(None),
    )
}

/// `CASE call WHEN 'date' THEN then ELSE otherwise END`.
fn when_date(call: Expr, then: Expr, otherwise: Expr) -> Expr {
    when_type(call, "date", then, otherwise)
}

/// `CASE call WHEN 'name' THEN then ELSE otherwise END`: a branch by the
/// type name a `pg_column_type` call gives.
pub(super) fn when_type(call: Expr, name: &str, then: Expr, otherwise: Expr) -> Expr {
    Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: Some(Box::new(call)),
        conditions: vec![sqlparser::ast::CaseWhen {
            condition: string(name),
            result: then,
        }],
        else_result: Some(Box::new(otherwise)),
    }
}

/// Rewrites `a + b` / `a - b` where the schema decides whether it is date
/// arithmetic. Runs before the operands are rewritten.
pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) {
    let Expr::BinaryOp { left, op, right } = expr else {
        return;
    };
    let minus = match op {
        BinaryOperator::Plus => false,
        BinaryOperator::Minus => true,
        _ => return,
    };
    // Cheap syntactic checks first: this runs at every level of a long
    // arithmetic chain, which must not be typed (or copied) at each.
    let (l_column, r_column) = (is_column_like(left), is_column_like(right));
    // `(m + interval '1 month') - m`: a column moved by an interval minus
    // a column (or a known timestamp): the interval between two
    // timestamps, as PostgreSQL (a time column's stays SQLite's). Before
    // the check below, which leaves a compound left side alone.
    if minus && shifted(left) && timestamp_like(right) {
        let (l, r) = (copy(left), copy(right));
        *expr = match column_type_call(&r, scopes) {
            Some(rcall) => when_type(
                rcall,
                "time",
                call("pg_time_diff", vec![copy(&l), copy(&r)]),
                timestamp_diff(l, r),
            ),
            None => timestamp_diff(l, r),
        };
        return;
    }
    let shallow_left = !matches!(**left, Expr::BinaryOp { .. });
    if !(l_column || r_column && shallow_left) {
        return;
    }
    let (lt, rt) = (expr_type(left), expr_type(right));
    // A known timestamp minus a column or a column minus one: the column
    // is a timestamp or a date (PostgreSQL accepts nothing else), and the
    // difference an interval.
    if minus && (is_ts(lt) && rt.is_none() && r_column || is_ts(rt) && lt.is_none() && l_column) {
        *expr = timestamp_diff(copy(left), copy(right));
        return;
    }
    // `jsonb_column - 'key'` deletes the key; a date or timestamp column
    // minus a literal subtracts a date or timestamp of the same type
    // (PostgreSQL types the literal from the column): days, or an
    // interval; other types subtract.
    if let (true, None, Some(text)) = (minus, lt, super::ast::string_literal(right)) {
        if let Some(lcall) = column_type_call(left, scopes) {
            let (l, r) = (copy(left), copy(right));
            let native = sqlite_arithmetic(copy(&l), op, copy(&r));
            let mut case = when_type(
                lcall,
                "jsonb",
                call("pg_jsonb_delete", vec![copy(&l), r]),
                native,
            );
            let mut typed = Vec::new();
            if let Ok(day) = super::literals::date(text) {
                typed.push(("date", days_between(copy(&l), super::ast::string(day))));
            }
            for (name, ty) in [
                ("timestamp", PgType::Timestamp),
                ("timestamptz", PgType::Timestamptz),
            ] {
                if let Ok(stamp) = super::casts::typed_literal(text, ty) {
                    typed.push((name, timestamp_diff(copy(&l), stamp)));
                }
            }
            if let Expr::Case { conditions, .. } = &mut case {
                for (name, result) in typed {
                    conditions.push(sqlparser::ast::CaseWhen {
                        condition: super::ast::string(name),
                        result,
                    });
                }
            }
            *expr = case;
        }
        return;
    }
    // A column plus or minus an interval: a time column's wraps at
    // midnight; any other is rewritten as timestamp arithmetic here (the
    // ELSE branch is not visited as `+` again).
    let interval = rt == Some(PgType::Interval)
        || (!minus && rt.is_none() && super::expr::untyped_interval(right).is_some());
    if interval && lt.is_none() && l_column {
        let Some(lcall) = column_type_call(left, scopes) else {
            return;
        };
        let (l, r) = (copy(left), copy(right));
        let mut native = Expr::BinaryOp {
            left: Box::new(copy(&l)),
            op: op.clone(),
            right: Box::new(copy(&r)),
        };
        if super::expr::rewrite_interval_arithmetic(&mut native).is_err() {
            return;
        }
        let function = if minus { "pg_time_sub" } else { "pg_time_add" };
        *expr = when_type(lcall, "time", call(function, vec![l, r]), native);
        return;
    }
    // A time column minus a known time (or the other way): an interval
    // (PostgreSQL has time - time only).
    if minus
        && (rt == Some(PgType::Time) && lt.is_none() && l_column
            || lt == Some(PgType::Time) && rt.is_none() && r_column)
    {
        *expr = call("pg_time_diff", vec![copy(left), copy(right)]);
        return;
    }
    // A column minus a known date: days between two dates, or the
    // interval from a timestamp.
    if minus && rt == Some(PgType::Date) && lt.is_none() && l_column {
        if let Some(lcall) = column_type_call(left, scopes) {
            let (l, r) = (copy(left), copy(right));
            *expr = when_date(
                lcall,
                days_between(copy(&l), copy(&r)),
                timestamp_diff(l, r),
            );
        }
        return;
    }
    // Intervals and known types are rewritten elsewhere.
    if !(rt.is_none() || is_int(rt)) {
        return;
    }
    let (l, r) = (copy(left), copy(right));
    // A known date minus a column: days between, or a date.
    if lt == Some(PgType::Date) {
        if rt.is_none() {
            if let Some(rcall) = column_type_call(&r, scopes) {
                let then = if minus {
                    days_between(copy(&l), copy(&r))
                } else {
                    add_days(copy(&l), copy(&r), false)
                };
                *expr = when_date(rcall, then, add_days(l, r, minus));
            }
        }
        return;
    }
    if lt.is_some() {
        return;
    }
    let Some(lcall) = column_type_call(&l, scopes) else {
        return;
    };
    let both_columns = minus && rt.is_none();
    // The right operand's type when it is a column too (an interval column
    // moves a date, timestamp or time column; two intervals add).
    let rcall = if rt.is_none() {
        column_type_call(&r, scopes)
    } else {
        None
    };
    let date_case = match &rcall {
        Some(rcall) if both_columns => when_date(
            copy(rcall),
            days_between(copy(&l), copy(&r)),
            add_days(copy(&l), copy(&r), true),
        ),
        _ => add_days(copy(&l), copy(&r), minus),
    };
    // Two timestamp columns: their difference is an interval.
    let ts_case = (both_columns && r_column).then(|| timestamp_diff(copy(&l), copy(&r)));
    let native = sqlite_arithmetic(copy(&l), op, copy(&r));
    let Some(rcall) = rcall.filter(|_| r_column) else {
        *expr = when_date(lcall, date_case, native);
        if let (Some(ts), Expr::Case { conditions, .. }) = (ts_case, &mut *expr) {
            push_time_diffs(conditions, ts);
        }
        return;
    };
    let by_interval = |function: &str, otherwise: Expr| {
        when_type(
            copy(&rcall),
            "interval",
            call(function, vec![copy(&l), copy(&r)]),
            otherwise,
        )
    };
    let (shift, time_shift, interval_op) = if minus {
        ("pg_timestamp_sub", "pg_time_sub", "pg_interval_sub")
    } else {
        ("pg_timestamp_add", "pg_time_add", "pg_interval_add")
    };
    let ts_other = ts_case.clone().unwrap_or_else(|| copy(&native));
    let time_other = if both_columns {
        call("pg_time_diff", vec![copy(&l), copy(&r)])
    } else {
        copy(&native)
    };
    // An interval column plus a date, timestamp or time column moves it.
    let mut on_interval = when_type(
        copy(&rcall),
        "interval",
        call(interval_op, vec![copy(&l), copy(&r)]),
        copy(&native),
    );
    if !minus {
        if let Expr::Case { conditions, .. } = &mut on_interval {
            for (name, function) in [
                ("date", "pg_timestamp_add"),
                ("timestamp", "pg_timestamp_add"),
                ("timestamptz", "pg_timestamp_add"),
                ("time", "pg_time_add"),
            ] {
                conditions.push(sqlparser::ast::CaseWhen {
                    condition: string(name),
                    result: call(function, vec![copy(&r), copy(&l)]),
                });
            }
        }
    }
    *expr = when_date(lcall, by_interval(shift, date_case), native);
    if let Expr::Case { conditions, .. } = &mut *expr {
        for (name, result) in [
            ("timestamp", by_interval(shift, copy(&ts_other))),
            ("timestamptz", by_interval(shift, ts_other)),
            ("time", by_interval(time_shift, time_other)),
            ("interval", on_interval),
        ] {
            conditions.push(sqlparser::ast::CaseWhen {
                condition: string(name),
                result,
            });
        }
    }
}

/// The arms for two timestamp columns' difference `ts` (an interval) and
/// two time columns' (an interval too).
fn push_time_diffs(conditions: &mut Vec<sqlparser::ast::CaseWhen>, ts: Expr) {
    let Expr::Function(f) = &ts else { return };
    let mut time = f.clone();
    time.name = sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::new("pg_time_diff")]);
    for (name, result) in [
        ("timestamp", copy(&ts)),
        ("timestamptz", copy(&ts)),
        ("time", Expr::Function(time)),
    ] {
        conditions.push(sqlparser::ast::CaseWhen {
            condition: string(name),
            result,
        });
    }
}

/// `timestamp '2012-09-02' - '2012-08-31 01:00'`: PostgreSQL reads an
/// untyped literal subtracted from a known date or timestamp as one of the
/// same type (so `now() - '1 day'` is 22007 there, not an interval).
pub(super) fn type_untyped_literal(expr: &mut Expr) {
    let Expr::BinaryOp {
        left,
        op: BinaryOperator::Minus,
        right,
    } = expr
    else {
        return;
    };
    if super::ast::string_literal(right).is_none() {
        return;
    }
    use sqlparser::ast::{DataType, TimezoneInfo};
    let data_type = match expr_type(left) {
        Some(PgType::Timestamp) => DataType::Timestamp(None, TimezoneInfo::None),
        Some(PgType::Timestamptz) => DataType::Timestamp(None, TimezoneInfo::WithTimeZone),
        Some(PgType::Date) => DataType::Date,
        _ => return,
    };
    let literal = std::mem::replace(right.as_mut(), Expr::value(sqlparser::ast::Value::Null));
    **right = Expr::Nested(Box::new(Expr::Cast {
        kind: sqlparser::ast::CastKind::DoubleColon,
        expr: Box::new(literal),
        data_type,
        format: None,
    }));
}

/// `l op r` as SQLite computes it: the unary plus (a no-op) keeps this
/// rewrite from matching it again.
fn sqlite_arithmetic(l: Expr, op: &BinaryOperator, r: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr: Box::new(l),
        }),
        op: op.clone(),
        right: Box::new(r),
    }
}

/// `x + interval` or `x - interval` with `x` a column or a timestamp: a
/// timestamp when `x` is a timestamp or date column (syntax only, cheap).
fn shifted(e: &Expr) -> bool {
    let Expr::Nested(inner) = e else {
        return false;
    };
    let Expr::BinaryOp { left, op, right } = inner.as_ref() else {
        return false;
    };
    matches!(op, BinaryOperator::Plus | BinaryOperator::Minus)
        && timestamp_like(left)
        && (expr_type(right) == Some(PgType::Interval)
            || super::expr::untyped_interval(right).is_some())
}

/// A column, a known timestamp, or `date_trunc(..)` (of a column: a
/// timestamp unless the column is an interval, which moving it by an
/// interval and subtracting would not tell apart anyway).
fn timestamp_like(e: &Expr) -> bool {
    is_column_like(e)
        || is_ts(expr_type(e))
        || matches!(e, Expr::Function(f) if super::ast::base_name(&f.name) == "date_trunc")
}

fn is_ts(t: Option<PgType>) -> bool {
    matches!(t, Some(PgType::Timestamp | PgType::Timestamptz))
}

/// `a - b` of timestamps (or a date and a timestamp): an interval.
fn timestamp_diff(a: Expr, b: Expr) -> Expr {
    call("pg_timestamp_diff", vec![a, b])
}

/// `col * 2`, `2 * col`, `col / 2` and `-col` over a column whose type
/// only the schema knows: an interval column scales as PostgreSQL's
/// interval_mul and interval_div (`dur * 1.5` is `02:15:00`), where
/// SQLite would multiply the text's leading digits. Other columns keep
/// the arithmetic (a division as `numeric_division` makes it).
pub(super) fn rewrite_scaled(expr: &mut Expr, scopes: &Scopes) {
    let plus = |e: Expr| Expr::UnaryOp {
        op: UnaryOperator::Plus,
        expr: Box::new(e),
    };
    let unknown_column = |e: &Expr| is_column_like(e) && expr_type(e).is_none();
    match expr {
        // (A bare column: the `-(days)` this module makes for a date minus
        // a column is not an interval's.)
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: inner,
        } if !matches!(**inner, Expr::Nested(_)) && unknown_column(inner) => {
            let Some(tcall) = column_type_call(inner, scopes) else {
                return;
            };
            let column = copy(inner);
            // (`-+col`: the unary plus keeps this rewrite off the copy.)
            let native = Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr: Box::new(plus(copy(&column))),
            };
            let scaled = call("pg_interval_mul", vec![column, super::ast::number(-1)]);
            *expr = when_type(tcall, "interval", scaled, native);
        }
        Expr::BinaryOp { left, op, right }
            if matches!(op, BinaryOperator::Multiply | BinaryOperator::Divide) =>
        {
            let number = |e: &Expr| matches!(e, Expr::Value(v) if matches!(v.value, sqlparser::ast::Value::Number(..)));
            let divide = matches!(op, BinaryOperator::Divide);
            let column_left = unknown_column(left) && number(right);
            if !(column_left || !divide && number(left) && unknown_column(right)) {
                return;
            }
            let (column, factor) = if column_left {
                (&**left, &**right)
            } else {
                (&**right, &**left)
            };
            let Some(tcall) = column_type_call(column, scopes) else {
                return;
            };
            let scaled = call(
                if divide {
                    "pg_interval_div"
                } else {
                    "pg_interval_mul"
                },
                vec![copy(column), copy(factor)],
            );
            let mut native = copy(expr);
            if divide {
                super::numeric_division::rewrite(&mut native, scopes);
            }
            // A product (or a division numeric_division left as it was)
            // keeps its operator: `+col` stops this rewrite on the copy.
            if let Expr::BinaryOp { left, right, .. } = &mut native {
                let side = if column_left { left } else { right };
                **side = plus(copy(side));
            }
            *expr = when_type(tcall, "interval", scaled, native);
        }
        _ => {}
    }
}
